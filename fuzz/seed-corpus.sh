#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the project's fixtures (the corpus is not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=fuzz/corpus
mkdir -p "$corpus"/{feed,sitemap,robots,html,dates,charset,query}
fixtures=tests/fixtures/sites
find "$fixtures" \( -name '*.rss' -o -name 'atom.xml' -o -name 'rss.xml' \) -exec cp {} "$corpus/feed/" \;
find "$fixtures" -name 'sitemap*.xml' | while read -r f; do cp "$f" "$corpus/sitemap/$(echo "$f" | tr / _)"; done
find "$fixtures" -name 'robots.txt' | while read -r f; do cp "$f" "$corpus/robots/$(echo "$f" | tr / _)"; done
find "$fixtures" src/extract/testdata -name '*.html' | while read -r f; do
  name=$(echo "$f" | tr / _)
  cp "$f" "$corpus/html/$name"
  cp "$f" "$corpus/charset/$name"
done
i=0
for d in "2019-05-14T10:00:00Z" "2019-05-14" "Tue, 14 May 2019 10:00:00 GMT" "14 mai 2019" "0000-01-01" \
         "9999-12-31T23:59:59+14:00" "2019-05-14T10:00:00.123456789-03:30" "May 14, 2019 at 3:04 p.m. ET" "20190514"; do
  printf '%s' "$d" > "$corpus/dates/seed-$i"; i=$((i+1))
done
i=0
for q in 'speaker:huawei AND stance:deny' '"national security" -ban' 'published:[2019-01-01 TO 2019-12-31]' \
         'entity:"United States" OR site:example.org' '(stance:warn OR stance:accuse) AND type:quote' 'text:5G~2' 'title:"a*"' \
         'published:[0886-01-01 TO 2019-12-31]'; do
  printf '%s' "$q" > "$corpus/query/seed-$i"; i=$((i+1))
done
echo "seeded: $(find "$corpus" -type f | wc -l) files"
