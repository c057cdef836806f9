#!/usr/bin/env python3
"""Fixed split of the development datasets by site, for honest quality estimates.

A page's site is the registrable domain of its URL (the host without `www.`/`m.`, cut to its
last two labels, or three under a two-letter country code's `co.`, `com.`, `org.`, ... zone).
Its fold is the first byte of the SHA-256 of that site, modulo 5. Fold 0 is HELD OUT: never
looked at while tuning, scored only to report. Folds 1-4 are the TUNING part. The folds also
give a five-fold-by-site estimate (`--part fold0` ... `--part fold4`).

The URL is used only to name the site; extraction never sees it (`quotewire extract` runs
without `--url` in the date evaluation).

Usage (writes a truth file holding only the chosen part, for the project's scorers):
    site_split.py dates --dir ../shared/datasets/dates-dev --part tune|held|all|foldK --out T.json
    site_split.py extraction --dir ../shared/datasets/article-extraction --part ... --out T.json
    site_split.py summary --dir DATES_DIR --extraction-dir EXTRACTION_DIR

The split was fixed (this file committed) before any error list of either dataset was read.
"""

import argparse
import glob
import hashlib
import json
import os
import sys
from urllib.parse import urlsplit

FOLDS = 5
HELD_FOLD = 0
SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "gv", "or", "ne"}


def site_of(url):
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def fold_of(site):
    return hashlib.sha256(site.encode("utf-8")).digest()[0] % FOLDS


def in_part(fold, part):
    if part == "all":
        return True
    if part == "held":
        return fold == HELD_FOLD
    if part == "tune":
        return fold != HELD_FOLD
    if part.startswith("fold"):
        return fold == int(part[4:])
    raise SystemExit("unknown part %r: expected tune, held, all or fold0..fold4" % part)


def date_pages(directory):
    with open(os.path.join(directory, "urls.json"), encoding="utf-8") as f:
        urls = json.load(f)
    with open(os.path.join(directory, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    return {name: (site_of(urls[name][0]), truth[name]) for name in truth}


def extraction_pages(directory):
    pages = {}
    for path in sorted(glob.glob(os.path.join(directory, "truth", "*.json"))):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        pages[record["id"]] = (site_of(record["url"]), record)
    return pages


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", choices=["dates", "extraction", "summary"])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--extraction-dir")
    ap.add_argument("--part", default="all")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.dataset == "summary":
        for name, pages in [("dates", date_pages(args.dir)), ("extraction", extraction_pages(args.extraction_dir))]:
            counts = [0] * FOLDS
            sites = [set() for _ in range(FOLDS)]
            for site, _ in pages.values():
                counts[fold_of(site)] += 1
                sites[fold_of(site)].add(site)
            print(name, "pages per fold", counts, "sites per fold", [len(s) for s in sites])
        return
    pages = date_pages(args.dir) if args.dataset == "dates" else extraction_pages(args.dir)
    chosen = {key: value for key, (site, value) in pages.items() if in_part(fold_of(site), args.part)}
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    json.dump(chosen, out, ensure_ascii=False, indent=0 if args.dataset == "dates" else None)
    out.write("\n")
    print("%s part %s: %d of %d pages" % (args.dataset, args.part, len(chosen), len(pages)), file=sys.stderr)


if __name__ == "__main__":
    main()
