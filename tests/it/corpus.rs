//! The bundled corpus end to end: feeds, sitemaps, robots.txt, extraction, quotes, search,
//! incremental reruns. Expected values come from tests/fixtures/README.md.

use quotewire::index::{DocType, SearchRequest};
use quotewire::model::{ArticleRecord, PageKind, SpeakerKind, Stance};

use crate::support::*;

fn by_path<'a>(articles: &'a [ArticleRecord], path: &str) -> &'a ArticleRecord {
    let matching: Vec<_> =
        articles.iter().filter(|a| a.canonical_url.as_deref().is_some_and(|c| c.ends_with(path))).collect();
    assert_eq!(matching.len(), 1, "exactly one article stored for {path}");
    matching[0]
}

fn has_quote(a: &ArticleRecord, speaker: &str, stance: Stance, excerpt: &str) -> bool {
    a.quotes.iter().any(|q| {
        q.speaker.as_deref().is_some_and(|s| s.contains(speaker))
            && q.stance == stance
            && (q.text.contains(excerpt) || excerpt.contains(&q.text))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_ingest_stores_articles_quotes_and_honours_robots() {
    let server = fixture_sites().await;
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&demo_pipeline(&server), data.path()).await;
    assert_eq!(stats.failed, 0, "errors: {:?}", stats.errors);
    assert_eq!(stats.articles, 15, "{stats:?}");
    assert_eq!(stats.disallowed, 1, "the /private/ feed entry is refused");

    // robots.txt: the disallowed path was never requested.
    let requests = server.requests();
    assert!(requests.iter().all(|r| !r.path.starts_with("/private/")), "{requests:?}");
    assert!(requests.iter().any(|r| r.path == "/robots.txt"));

    let articles = stored(data.path());
    assert_eq!(articles.len(), 15);
    assert!(articles.iter().all(|a| !a.url.contains("/private/")));
    assert!(articles.iter().flat_map(|a| &a.quotes).all(|q| q.speaker.as_deref() != Some("Draft Source")));

    // The utm-tagged feed link and the clean sitemap link are one article.
    let blacklist = by_path(&articles, "/technology/2019/05/16/us-adds-huawei-to-trade-blacklist.html");
    assert!(!blacklist.canonical_url.as_deref().unwrap().contains("utm_"));
    assert_eq!(
        blacklist.title.as_deref(),
        Some("U.S. adds Huawei to trade blacklist, escalating fight over 5G security")
    );
    assert_eq!(blacklist.published.as_deref(), Some("2019-05-16T21:42:00+00:00"));
    assert_eq!(blacklist.authors, ["Daniel Okafor", "Mei Tanaka"]);
    assert_eq!(blacklist.language, "en");
    for boilerplate in ["Trade wars are good", "We are ready to step in", "will act if needed", "cookies"] {
        assert!(!blacklist.text.contains(boilerplate), "boilerplate `{boilerplate}` in text");
    }
    assert!(blacklist.text.contains("Almost every handset Huawei sells runs on American software"));
    assert!(has_quote(blacklist, "Huawei", Stance::Deny, "its equipment could be used by Beijing for spying"));
    assert!(blacklist.quotes.iter().any(|q| q.speaker_kind == SpeakerKind::Anonymous));

    let fcc = by_path(&articles, "/technology/2020/06/30/fcc-designates-huawei-zte-national-security-threats.html");
    assert!(has_quote(fcc, "Huawei", Stance::Deny, "the allegations"), "{:#?}", fcc.quotes);
    assert!(
        fcc.quotes
            .iter()
            .any(|q| q.speaker.as_deref().is_some_and(|s| s.starts_with("ZTE")) && q.stance == Stance::Decline)
    );

    let uk = by_path(&articles, "/technology/2020/07/14/uk-orders-huawei-out-of-5g-networks.html");
    let marsh = uk
        .quotes
        .iter()
        .find(|q| q.text.contains("We will comply with the law"))
        .expect("the pronoun-attributed quote is found");
    assert_eq!(marsh.speaker.as_deref(), Some("Helen Marsh"), "`she` resolves past Tom Fielding");

    // A legacy-charset page decodes without mojibake.
    let cp1252 = by_path(&articles, "/business/2023-10-18-kessler-photonics-export-rules.html");
    for needle in ["René", "María Estévez", "€20 million"] {
        assert!(cp1252.text.contains(needle), "missing `{needle}`");
    }
    assert!(!cp1252.text.contains('\u{FFFD}') && !cp1252.text.contains("Ã©"));

    let transcript = by_path(&articles, "/briefings/2020/08/department-press-briefing-august-6-2020.html");
    assert_eq!(transcript.kind, PageKind::Transcript);
    let release =
        by_path(&articles, "/press-releases/2019/huawei-statement-on-us-commerce-department-entity-list.html");
    assert_eq!(release.kind, PageKind::PressRelease);
    assert_eq!(articles.iter().filter(|a| a.language == "fr").count(), 2);

    // Search over what was indexed.
    let index = open_index(data.path());
    let search = |q: &str| index.search(&SearchRequest::new(q, Some(DocType::Quote), 50)).unwrap();
    let denials = search("speaker:huawei AND stance:deny");
    assert!(denials.total >= 2, "{}", denials.total);
    assert!(denials.hits.iter().all(|h| h.record.quote.as_ref().unwrap().stance == Stance::Deny));
    assert!(
        search("stance:decline").hits.iter().any(|h| h
            .record
            .quote
            .as_ref()
            .unwrap()
            .speaker
            .as_deref()
            .is_some_and(|s| s.starts_with("ZTE")))
    );
    assert_eq!(
        index
            .search(&SearchRequest::new(
                "published:[2019-01-01T00:00:00Z TO 2019-12-31T23:59:59Z]",
                Some(DocType::Article),
                50
            ))
            .unwrap()
            .total,
        2,
        "the 2019 news article and the 2019 press release"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_run_is_incremental() {
    let server = fixture_sites().await;
    let data = tempfile::tempdir().unwrap();
    let pipeline = demo_pipeline(&server);
    let first = ingest(&pipeline, data.path()).await;
    assert_eq!(first.articles, 15);
    let before = server.requests().len();
    let second = ingest(&pipeline, data.path()).await;
    assert_eq!(second.articles, 0, "{second:?}");
    assert_eq!(second.failed, 0);
    assert_eq!(second.fetched, 0, "nothing is downloaded again: {second:?}");
    let rerun = &server.requests()[before..];
    let pages: Vec<_> = rerun.iter().filter(|r| r.path.ends_with(".html")).collect();
    assert!(!pages.is_empty());
    assert!(
        pages.iter().all(|r| r.if_none_match.is_some() && r.status == 304),
        "every known page is revalidated with its ETag: {pages:?}"
    );
    assert_eq!(stored(data.path()).len(), 15, "no duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_offset_indexes_into_the_text() {
    let server = fixture_sites().await;
    let data = tempfile::tempdir().unwrap();
    ingest(&demo_pipeline(&server), data.path()).await;
    let articles = stored(data.path());
    let mut checked = 0;
    for a in &articles {
        let chars: Vec<char> = a.text.chars().collect();
        let slice = |s: usize, e: usize| -> String { chars[s..e].iter().collect() };
        for e in &a.entities {
            assert!(e.start < e.end && e.end <= chars.len(), "{e:?}");
            assert_eq!(slice(e.start, e.end), e.text, "entity offsets in {}", a.url);
            checked += 1;
        }
        for q in &a.quotes {
            assert!(q.start <= q.end && q.end <= chars.len(), "{q:?}");
            assert_eq!(slice(q.start, q.end), q.text, "quote offsets in {}", a.url);
            if let (Some(s), Some(e)) = (q.speaker_start, q.speaker_end) {
                assert!(s < e && e <= chars.len(), "{q:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} offsets checked");
}
