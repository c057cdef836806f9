//! Index behaviour: fields, case-insensitive values, dates, replacement, bad queries.

use super::*;
use crate::model::{
    ArticleRecord, EntityLabel, EntityMention, PageKind, PublishedSource, QuoteKind, QuoteRecord, SpeakerKind, Stance,
};

fn quote(text: &str, start: usize, speaker: &str, kind: SpeakerKind, stance: Stance) -> QuoteRecord {
    QuoteRecord {
        text: text.to_string(),
        start,
        end: start + text.chars().count(),
        kind: QuoteKind::Indirect,
        speaker: Some(speaker.to_string()),
        speaker_kind: kind,
        speaker_start: Some(0),
        speaker_end: Some(6),
        speaker_entity: None,
        cue: Some("denies".into()),
        stance,
        target: None,
        stance_source: Default::default(),
        confidence: 0.9,
    }
}

fn article(id: &str, published: &str, quotes: Vec<QuoteRecord>) -> ArticleRecord {
    let text = "Huawei denies the allegations. A U.S. official warned about security risks in Europe.".to_string();
    ArticleRecord {
        id: id.to_string(),
        url: format!("http://127.0.0.1:1/{id}"),
        canonical_url: None,
        site: Some("Globe Wire".into()),
        title: Some("Huawei denies spying allegations".into()),
        authors: vec![],
        published: Some(published.to_string()),
        published_source: PublishedSource::JsonLd,
        language: "en".into(),
        kind: PageKind::News,
        text,
        fetched_at: "2024-01-01T00:00:00Z".into(),
        content_hash: "h".into(),
        simhash: None,
        cluster: None,
        entities: vec![EntityMention {
            text: "Europe".into(),
            label: EntityLabel::Location,
            start: 78,
            end: 84,
            canonical: "Europe".into(),
        }],
        quotes,
    }
}

fn indexed(articles: &[ArticleRecord]) -> SearchIndex {
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    for a in articles {
        sink.upsert_article(a).unwrap();
    }
    sink.commit().unwrap();
    index
}

fn search(index: &SearchIndex, query: &str, doc_type: Option<DocType>) -> SearchResults {
    index.search(&SearchRequest { query: query.to_string(), doc_type, limit: 10, offset: 0 }).unwrap()
}

fn sample() -> Vec<ArticleRecord> {
    vec![
        article(
            "a1",
            "2019-05-16T10:00:00+00:00",
            vec![
                quote("the allegations", 14, "Huawei", SpeakerKind::Organization, Stance::Deny),
                quote("about security risks in Europe", 54, "a U.S. official", SpeakerKind::Anonymous, Stance::Warn),
            ],
        ),
        article(
            "a2",
            "2021-03-01T10:00:00+00:00",
            vec![quote("the allegations", 14, "ZTE", SpeakerKind::Organization, Stance::Deny)],
        ),
    ]
}

#[test]
fn speaker_and_stance_filters_find_quotes() {
    let index = indexed(&sample());
    let hits = search(&index, "speaker:huawei AND stance:deny", None);
    assert_eq!(hits.total, 1);
    let quote = hits.hits[0].record.quote.as_ref().unwrap();
    assert_eq!(quote.speaker.as_deref(), Some("Huawei"));
    assert_eq!(hits.hits[0].doc_type, DocType::Quote);
    assert_eq!(search(&index, "stance:DENY", Some(DocType::Quote)).total, 2, "values are case-insensitive");
    assert_eq!(search(&index, "speaker_kind:anonymous", None).total, 1);
    assert_eq!(search(&index, "entity:europe", Some(DocType::Quote)).total, 1);
}

#[test]
fn type_filter_and_free_text() {
    let index = indexed(&sample());
    assert_eq!(search(&index, "allegations", Some(DocType::Article)).total, 2);
    assert_eq!(search(&index, "site:globe", Some(DocType::Article)).total, 2);
    let hits = search(&index, "\"security risks\"", Some(DocType::Quote));
    assert_eq!(hits.total, 1);
    assert!(!hits.hits[0].highlights.is_empty(), "snippet marks the match");
}

#[test]
fn date_ranges_filter_by_publication() {
    let index = indexed(&sample());
    let hits = search(&index, "published:[2019-01-01T00:00:00Z TO 2019-12-31T23:59:59Z]", Some(DocType::Article));
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].record.article_id, "a1");
}

#[test]
fn upserting_an_article_replaces_its_quotes() {
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    let mut a = sample().remove(0);
    sink.upsert_article(&a).unwrap();
    sink.commit().unwrap();
    a.quotes.truncate(1);
    sink.upsert_article(&a).unwrap();
    sink.commit().unwrap();
    assert_eq!(search(&index, "*", Some(DocType::Quote)).total, 1);
    assert_eq!(search(&index, "*", Some(DocType::Article)).total, 1);
}

#[test]
fn bad_queries_are_errors_that_point_at_the_problem() {
    let index = indexed(&sample());
    for (query, needle) in [
        ("colour:red", "unknown field `colour`"),
        ("published:[yesterday TO today]", "published"),
        ("\"unclosed phrase", "bad query"),
    ] {
        let err =
            index.search(&SearchRequest { query: query.into(), doc_type: None, limit: 5, offset: 0 }).unwrap_err();
        assert!(err.to_string().contains(needle), "{query}: {err}");
    }
}

#[test]
fn index_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SearchIndex::open_or_create(dir.path()).unwrap());
    std::fs::write(dir.path().join("quotewire-schema-version"), "0\n").unwrap();
    let err = SearchIndex::open_or_create(dir.path()).err().unwrap();
    assert!(err.to_string().contains("reindex"), "{err}");
}
