//! Index behaviour over a small fixture index: every query feature, facets, timelines,
//! summaries, statement clusters, exports and watches' reads, and hostile queries.

use super::*;
use crate::model::{
    ArticleRecord, EntityLabel, EntityMention, PageKind, PublishedSource, QuoteKind, QuoteRecord, SpeakerKind, Stance,
};

fn char_offset(text: &str, needle: &str) -> usize {
    let byte = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in `{text}`"));
    text[..byte].chars().count()
}

/// A quote of `article` whose text is `content` (found in the article's text).
fn quote(article: &ArticleRecord, content: &str, speaker: &str, kind: SpeakerKind, stance: Stance) -> QuoteRecord {
    let start = char_offset(&article.text, content);
    QuoteRecord {
        text: content.to_string(),
        start,
        end: start + content.chars().count(),
        kind: QuoteKind::Indirect,
        speaker: Some(speaker.to_string()),
        speaker_kind: kind,
        speaker_start: None,
        speaker_end: None,
        speaker_entity: (kind == SpeakerKind::Organization || kind == SpeakerKind::Person).then(|| speaker.to_string()),
        cue: Some("said".into()),
        stance,
        target: None,
        stance_source: Default::default(),
        confidence: 0.9,
    }
}

fn entity(article: &ArticleRecord, text: &str, label: EntityLabel) -> EntityMention {
    let start = char_offset(&article.text, text);
    EntityMention { text: text.into(), label, start, end: start + text.chars().count(), canonical: text.into() }
}

fn article(id: &str, site: &str, published: &str, title: &str, text: &str) -> ArticleRecord {
    ArticleRecord {
        id: id.to_string(),
        url: format!("https://{}.example/{id}", site.to_lowercase().replace(' ', "-")),
        canonical_url: None,
        site: Some(site.into()),
        title: Some(title.into()),
        authors: vec![],
        published: Some(published.to_string()),
        published_source: PublishedSource::JsonLd,
        published_confidence: None,
        modified: None,
        language: "en".into(),
        kind: PageKind::News,
        text: text.to_string(),
        fetched_at: "2024-01-01T00:00:00Z".into(),
        content_hash: "h".into(),
        simhash: None,
        cluster: None,
        not_article: None,
        entities: vec![],
        quotes: vec![],
    }
}

const NEVER_SHARED: &str = "We have never shared user data with any government";

fn fixture() -> Vec<ArticleRecord> {
    let mut a1 = article(
        "a1",
        "Globe Wire",
        "2019-05-16T10:00:00+00:00",
        "Huawei denies spying allegations over national security",
        "Huawei Technologies Co., Ltd denies the allegations. \"We have never shared user data with any government,\" \
         the company said. A U.S. official warned about national security risks in Europe.",
    );
    a1.quotes = vec![
        quote(&a1, "the allegations", "Huawei Technologies Co., Ltd", SpeakerKind::Organization, Stance::Deny),
        quote(&a1, NEVER_SHARED, "Huawei", SpeakerKind::Organization, Stance::Deny),
        quote(&a1, "about national security risks in Europe", "a U.S. official", SpeakerKind::Anonymous, Stance::Warn),
    ];
    a1.entities = vec![entity(&a1, "Europe", EntityLabel::Location)];
    let mut a2 = article(
        "a2",
        "Metro Ledger",
        "2019-05-18T08:00:00+00:00",
        "Telecom supplier responds",
        "\"We have never shared user data with any government,\" Huawei Technologies said on Saturday. \
         ZTE declined to comment on national securities regulation.",
    );
    a2.quotes = vec![
        quote(&a2, NEVER_SHARED, "Huawei Technologies", SpeakerKind::Organization, Stance::Deny),
        quote(
            &a2,
            "ZTE declined to comment on national securities regulation",
            "ZTE Corp",
            SpeakerKind::Organization,
            Stance::Decline,
        ),
    ];
    let mut a3 = article(
        "a3",
        "Globe Wire",
        "2021-03-01T10:00:00+00:00",
        "ZTE rejects the claims",
        "ZTE rejects the allegations. Huawei said its securities filings were complete and audited in Europe.",
    );
    a3.quotes = vec![
        quote(&a3, "the allegations", "ZTE", SpeakerKind::Organization, Stance::Deny),
        quote(
            &a3,
            "its securities filings were complete and audited in Europe",
            "Huawei",
            SpeakerKind::Organization,
            Stance::Neutral,
        ),
    ];
    a3.entities = vec![entity(&a3, "Europe", EntityLabel::Location), entity(&a3, "ZTE", EntityLabel::Organization)];
    let mut a4 = article(
        "a4",
        "Le Quotidien",
        "2020-07-23T05:30:00+00:00",
        "Huawei dénonce une décision politique",
        "Huawei a dénoncé une décision politique du gouvernement.",
    );
    a4.language = "fr".into();
    a4.quotes = vec![quote(
        &a4,
        "une décision politique du gouvernement",
        "Huawei",
        SpeakerKind::Organization,
        Stance::Criticize,
    )];
    let mut a5 = article("a5", "Metro Ledger", "2019-05-20T00:00:00+00:00", "Undated brief", "A brief without quotes.");
    a5.published = None;
    vec![a1, a2, a3, a4, a5]
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
    index.search(&SearchRequest::new(query, doc_type, 10)).unwrap_or_else(|e| panic!("{query}: {e}"))
}

fn total(index: &SearchIndex, query: &str) -> usize {
    search(index, query, Some(DocType::Quote)).total
}

fn query_error(index: &SearchIndex, query: &str) -> String {
    match index.search(&SearchRequest::new(query, None, 5)) {
        Err(e) => {
            assert!(e.is_usage(), "{query}: {e}");
            e.to_string()
        }
        Ok(r) => panic!("`{query}` should be an error, found {} hits", r.total),
    }
}

#[test]
fn field_filters_are_case_insensitive_and_typed() {
    let index = indexed(&fixture());
    assert_eq!(total(&index, "stance:DENY"), 4);
    assert_eq!(total(&index, "speaker_kind:anonymous"), 1);
    assert_eq!(total(&index, "quote_kind:indirect"), 8);
    assert_eq!(total(&index, "language:fr"), 1);
    assert_eq!(total(&index, "kind:news"), 8);
    assert_eq!(total(&index, "entity:europe"), 2);
    assert_eq!(total(&index, "site:globe"), 5);
    assert_eq!(total(&index, "site:\"metro ledger\""), 2);
    assert_eq!(total(&index, "cue:said"), 8);
    assert_eq!(search(&index, "type:article", None).total, 5);
    assert_eq!(search(&index, "url:\"https://globe-wire.example/a1\"", Some(DocType::Article)).total, 1);
}

#[test]
fn speaker_variants_share_the_canonical_speaker() {
    let index = indexed(&fixture());
    // "Huawei", "Huawei Technologies" and "Huawei Technologies Co., Ltd": one speaker.
    for query in ["speaker:huawei", "speaker:\"Huawei Technologies Co., Ltd\"", "speaker:\"HUAWEI TECHNOLOGIES\""] {
        assert_eq!(total(&index, query), 5, "{query}");
    }
    let hits = search(&index, "speaker:huawei AND stance:deny", Some(DocType::Quote));
    assert_eq!(hits.total, 3);
    assert!(hits.hits.iter().all(|h| h.record.speaker_canonical.as_deref() == Some("Huawei")));
    let first = &hits.hits[0];
    assert!(!first.speaker_highlights.is_empty(), "the speaker's name is marked");
    assert_eq!(total(&index, "speaker:zte"), 2, "ZTE Corp and ZTE");
    let facets = index.facets("*", Some(DocType::Quote), &["speaker"], 10).unwrap();
    let huawei = &facets.facets["speaker"][0];
    assert_eq!((huawei.value.as_str(), huawei.count), ("Huawei", 5));
    let mut variants: Vec<(&str, u64)> = huawei.variants.iter().map(|v| (v.value.as_str(), v.count)).collect();
    variants.sort();
    assert_eq!(variants, [("Huawei", 3), ("Huawei Technologies", 1), ("Huawei Technologies Co., Ltd", 1)]);
}

#[test]
fn a_quote_search_matches_the_quotes_own_fields() {
    let index = indexed(&fixture());
    // The a1 title holds "national security" too: only the quote whose text has it matches.
    let hits = search(&index, "\"national security\"", Some(DocType::Quote));
    assert_eq!(hits.total, 1);
    let hit = &hits.hits[0];
    assert_eq!(hit.record.quote.as_ref().unwrap().text, "about national security risks in Europe");
    let marked: Vec<String> =
        hit.highlights.iter().map(|r| hit.snippet.chars().skip(r.start).take(r.end - r.start).collect()).collect();
    assert_eq!(marked, ["national", "security"]);
    // Articles match by title too; `title:` reaches quotes through their article.
    assert_eq!(search(&index, "spying", Some(DocType::Article)).total, 1);
    assert_eq!(search(&index, "spying", Some(DocType::Quote)).total, 0);
    assert_eq!(search(&index, "title:spying", Some(DocType::Quote)).total, 3);
}

#[test]
fn stemming_finds_word_forms_but_phrases_stay_exact() {
    let index = indexed(&fixture());
    // "securities" and "security" share a stem: free words find both.
    assert_eq!(total(&index, "securities"), 3);
    assert_eq!(total(&index, "text:security"), 3);
    // A phrase is exact: "national securities" is not "national security".
    assert_eq!(total(&index, "\"national securities\""), 1);
    assert_eq!(total(&index, "\"national security\""), 1);
    assert_eq!(total(&index, "\"security\""), 1);
    // Slop lets words stand apart.
    assert_eq!(total(&index, "\"never data\""), 0);
    assert_eq!(total(&index, "\"never data\"~2"), 2);
    assert_eq!(total(&index, "secur*"), 3, "prefix");
}

#[test]
fn boolean_operators_and_groups() {
    let index = indexed(&fixture());
    assert_eq!(total(&index, "stance:deny OR stance:decline"), 5);
    assert_eq!(total(&index, "stance:(deny OR decline)"), 5);
    assert_eq!(total(&index, "stance:deny -speaker:zte"), 3);
    assert_eq!(total(&index, "stance:deny AND NOT speaker:huawei"), 1);
    assert_eq!(total(&index, "(speaker:zte OR speaker_kind:anonymous) AND europe"), 1);
    assert_eq!(total(&index, "-stance:deny"), 4);
    assert_eq!(total(&index, "deny"), 4, "a stance label as a bare word");
}

#[test]
fn plain_dates_ranges_and_comparisons() {
    let index = indexed(&fixture());
    assert_eq!(total(&index, "published:[2019-05-16 TO 2019-05-16]"), 3, "a whole day");
    assert_eq!(total(&index, "published:[2019-05-01 TO 2019-05-31]"), 5);
    assert_eq!(total(&index, "published:2019-05"), 5);
    assert_eq!(total(&index, "published:2021"), 2);
    assert_eq!(total(&index, "published:[2019-05-17 TO *]"), 5);
    assert_eq!(total(&index, "published:{2019-05-16 TO 2021-03-01}"), 3, "exclusive ends");
    assert_eq!(total(&index, "published:>=2020"), 3);
    assert_eq!(total(&index, "published:<2019-05-17"), 3);
    assert_eq!(total(&index, "published:[2019-01-01T00:00:00Z TO 2019-12-31T23:59:59Z]"), 5);
    assert_eq!(search(&index, "published:[* TO *]", None).total, 12, "every dated document");
}

/// Found by the `query` fuzz target: a year outside what a date field holds (1677–2262)
/// overflowed tantivy's nanoseconds, a panic in debug builds and a wrapped date in release.
#[test]
fn dates_beyond_what_the_index_holds_are_clamped_not_overflowed() {
    let index = indexed(&fixture());
    assert_eq!(total(&index, "published:[0886-01-01 TO 2019-12-31]"), 5);
    assert_eq!(total(&index, "published:[0001-01-01 TO 2019-05-31]"), 5);
    assert_eq!(total(&index, "published:[2019-05-17 TO 9999-12-31]"), 5);
    assert_eq!(total(&index, "published:<0886"), 0);
    assert_eq!(total(&index, "published:>9999"), 0);
}

#[test]
fn sorting_by_date_and_paging() {
    let index = indexed(&fixture());
    let mut request = SearchRequest::new("*", Some(DocType::Quote), 3);
    request.sort = Sort::Date;
    let first = index.search(&request).unwrap();
    assert_eq!(first.total, 8);
    let dates: Vec<String> = first.hits.iter().map(|h| h.record.published.clone().unwrap()).collect();
    assert_eq!(dates, ["2021-03-01T10:00:00+00:00", "2021-03-01T10:00:00+00:00", "2020-07-23T05:30:00+00:00"]);
    request.offset = 3;
    let second = index.search(&request).unwrap();
    assert_eq!(second.offset, 3);
    assert!(second.hits[0].record.published.as_deref().unwrap() <= "2020-07-23");
    request.offset = 8;
    assert!(index.search(&request).unwrap().hits.is_empty());
    request.limit = 0;
    request.offset = 0;
    let count = index.search(&request).unwrap();
    assert_eq!((count.total, count.hits.len()), (8, 0), "limit 0 counts");
}

#[test]
fn statements_repeated_by_outlets_are_one_cluster() {
    let index = indexed(&fixture());
    let hits = search(&index, &format!("\"{NEVER_SHARED}\""), Some(DocType::Quote));
    assert_eq!(hits.total, 2);
    let statement = hits.hits[0].record.statement.clone().unwrap();
    assert_eq!(hits.hits[1].record.statement.as_deref(), Some(statement.as_str()));
    assert_eq!(hits.hits[0].reports, Some(2));
    let view = index.cluster(&statement).unwrap().unwrap();
    assert_eq!(view.reports, 2);
    assert_eq!(view.first_seen.as_deref(), Some("2019-05-16T10:00:00+00:00"));
    assert_eq!(view.speaker.as_deref(), Some("Huawei"));
    let mut outlets: Vec<&str> = view.outlets.iter().map(|o| o.value.as_str()).collect();
    outlets.sort();
    assert_eq!(outlets, ["Globe Wire", "Metro Ledger"]);
    assert_eq!(total(&index, &format!("cluster:{statement}")), 2);
    // "the allegations": a formula by two speakers, never one statement.
    let allegations = search(&index, "\"the allegations\"", Some(DocType::Quote));
    assert_ne!(allegations.hits[0].record.statement, allegations.hits[1].record.statement);

    let mut collapsed = SearchRequest::new("speaker:huawei AND stance:deny", Some(DocType::Quote), 10);
    collapsed.collapse = true;
    let results = index.search(&collapsed).unwrap();
    assert_eq!(results.total, 2, "two statements among three reports");
    let repeated = results.hits.iter().find(|h| h.record.statement.as_deref() == Some(statement.as_str())).unwrap();
    assert_eq!(repeated.matched_reports, Some(2));
    assert!(index.cluster("0000000000000000").unwrap().is_none());
    assert!(index.cluster("a1").unwrap().is_none(), "an article cluster is not a statement");
    assert!(statement.starts_with('s') && statement.len() == 16, "{statement}");
}

#[test]
fn facets_count_every_field() {
    let index = indexed(&fixture());
    let facets = index.facets("*", None, &[], 10).unwrap();
    assert_eq!(facets.total, 13);
    let count =
        |facet: &str, value: &str| facets.facets[facet].iter().find(|v| v.value == value).map_or(0, |v| v.count);
    assert_eq!(count("type", "quote"), 8);
    assert_eq!(count("type", "article"), 5);
    assert_eq!(count("stance", "deny"), 4);
    assert_eq!(count("site", "Globe Wire"), 7);
    assert_eq!(count("language", "fr"), 2);
    assert_eq!(count("speaker_kind", "organization"), 7);
    assert_eq!(count("quote_kind", "indirect"), 8);
    assert_eq!(count("kind", "news"), 13);
    assert_eq!(count("entity", "Europe"), 4);
    let narrow = index.facets("stance:deny", Some(DocType::Quote), &["site"], 1).unwrap();
    assert_eq!(narrow.facets["site"].len(), 1, "size limits the values");
}

#[test]
fn timelines_bucket_by_calendar_periods() {
    let index = indexed(&fixture());
    let months = index.timeline("*", Some(DocType::Quote), Interval::Month, true).unwrap();
    assert_eq!(months.total, 8);
    assert_eq!(months.buckets.first().unwrap().start, "2019-05-01");
    assert_eq!(months.buckets.last().unwrap().start, "2021-03-01");
    assert_eq!(months.buckets.len(), 23, "empty months are kept");
    assert_eq!(months.buckets[0].count, 5);
    assert_eq!(months.buckets[0].stances.get("deny"), Some(&3));
    let weeks = index.timeline("speaker:huawei", Some(DocType::Quote), Interval::Week, false).unwrap();
    assert_eq!(weeks.buckets[0].start, "2019-05-13", "weeks start on Monday");
    assert_eq!(weeks.buckets[0].count, 3);
    let articles = index.timeline("*", Some(DocType::Article), Interval::Year, false).unwrap();
    assert_eq!((articles.total, articles.undated), (4, 1));
    let days = index.timeline("*", None, Interval::Day, false).unwrap();
    assert_eq!(days.buckets.len(), 656);
}

#[test]
fn speaker_and_entity_summaries() {
    let index = indexed(&fixture());
    let huawei = index.summary(Subject::Speaker, "Huawei Technologies", Interval::Year).unwrap().unwrap();
    assert_eq!(huawei.name, "Huawei");
    assert_eq!(huawei.quotes, 5);
    assert_eq!(huawei.variants.len(), 3);
    assert_eq!(huawei.first.as_ref().unwrap().record.published.as_deref(), Some("2019-05-16T10:00:00+00:00"));
    assert_eq!(huawei.last.as_ref().unwrap().record.article_id, "a3");
    assert_eq!(huawei.stances[0].value, "deny");
    assert!(huawei.entities.iter().all(|e| e.value != "Huawei"), "the speaker is not its own topic");
    assert!(huawei.entities.iter().any(|e| e.value == "Europe"));
    let years: Vec<(&str, u64)> = huawei.timeline.buckets.iter().map(|b| (&b.start[..4], b.count)).collect();
    assert_eq!(years, [("2019", 3), ("2020", 1), ("2021", 1)]);
    assert_eq!(huawei.timeline.buckets[0].stances.get("deny"), Some(&3));
    assert_eq!(huawei.outlets[0].value, "Globe Wire");

    let europe = index.summary(Subject::Entity, "europe", Interval::Year).unwrap().unwrap();
    assert_eq!((europe.name.as_str(), europe.quotes, europe.articles), ("Europe", 2, Some(2)));
    assert_eq!(europe.speakers.len(), 2);
    assert!(index.summary(Subject::Speaker, "Nobody", Interval::Year).unwrap().is_none());
}

#[test]
fn short_quotes_come_with_their_sentence() {
    let index = indexed(&fixture());
    let hit = index.document("a1#q0").unwrap().unwrap();
    let context = hit.record.context.unwrap();
    assert_eq!(context.text, "Huawei Technologies Co., Ltd denies the allegations.");
    let quoted: String = context.text.chars().skip(context.start).take(context.end - context.start).collect();
    assert_eq!(quoted, "the allegations");
    assert_eq!(hit.record.quote.unwrap().text, "the allegations");
    assert!(index.document("a1#q9").unwrap().is_none());
}

#[test]
fn a_long_session_looks_its_committed_reports_up_in_the_index_and_keeps_their_clusters() {
    let articles = fixture();
    let reference = indexed(&articles);
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    for a in &articles {
        sink.upsert_article(a).unwrap();
        sink.commit().unwrap();
        // As if the session had outgrown MAX_SESSION_REPORTS: memory is bounded after each commit.
        sink.bound_session(0).unwrap();
        assert_eq!(sink.session_reports(), 0);
    }
    let statements = |index: &SearchIndex| -> Vec<(String, Option<String>)> {
        let mut all: Vec<_> =
            search(index, "*", Some(DocType::Quote)).hits.into_iter().map(|h| (h.id, h.record.statement)).collect();
        all.sort();
        all
    };
    assert_eq!(statements(&index), statements(&reference), "the same clusters as one session in memory");
    let hits = search(&index, &format!("\"{NEVER_SHARED}\""), Some(DocType::Quote));
    assert_eq!(hits.total, 2);
    assert_eq!(hits.hits[0].record.statement, hits.hits[1].record.statement, "found through the index");
}

#[test]
fn every_match_and_matches_since_a_sequence_number() {
    let articles = fixture();
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    sink.upsert_article(&articles[0]).unwrap();
    sink.commit().unwrap();
    let after_first = index.last_seq().unwrap();
    assert_eq!(after_first, 4, "one article and three quotes");
    for a in &articles[1..] {
        sink.upsert_article(a).unwrap();
    }
    sink.commit().unwrap();
    let (new, snapshot) = index.matches_since("stance:deny", Some(DocType::Quote), after_first, None, 100).unwrap();
    assert_eq!(snapshot, index.last_seq().unwrap());
    let ids: Vec<&str> = new.iter().map(|(_, h)| h.id.as_str()).collect();
    assert_eq!(ids, ["a2#q0", "a3#q0"], "in arrival order");
    let (limited, _) = index.matches_since("*", None, 0, None, 2).unwrap();
    assert_eq!(limited.len(), 2);
    let mut exported = Vec::new();
    let n = index
        .each_match("stance:deny", Some(DocType::Quote), &mut |m| {
            exported.push(m.id);
            Ok(())
        })
        .unwrap();
    assert_eq!((n, exported.len()), (4, 4));
    // Indexing an article again keeps its reports' numbers and clusters; a new quote in it
    // gets a new number.
    let before = search(&index, &format!("\"{NEVER_SHARED}\""), Some(DocType::Quote)).hits[0].record.statement.clone();
    drop(sink);
    let mut sink = index.writer(20_000_000).unwrap();
    sink.clear().unwrap();
    for a in &articles {
        sink.upsert_article(a).unwrap();
    }
    sink.commit().unwrap();
    assert_eq!(index.last_seq().unwrap(), snapshot, "a rebuilt index numbers reports as before");
    assert!(index.matches_since("*", None, snapshot, None, 100).unwrap().0.is_empty());
    let mut edited = articles[1].clone();
    edited.text.push_str(" Huawei denies wrongdoing of any kind whatsoever.");
    let extra = quote(&edited, "wrongdoing of any kind whatsoever", "Huawei", SpeakerKind::Organization, Stance::Deny);
    edited.quotes.push(extra);
    sink.upsert_article(&edited).unwrap();
    sink.commit().unwrap();
    let (fresh, _) = index.matches_since("*", None, snapshot, None, 100).unwrap();
    assert_eq!(fresh.iter().map(|(_, h)| h.id.as_str()).collect::<Vec<_>>(), ["a2#q2"], "only the new quote is new");
    let (_, later) = index.matches_since("*", None, 0, Some(0), 100).unwrap();
    assert!(later > snapshot);
    assert!(index.matches_since("*", None, 0, Some(4_000_000_000), 100).unwrap().0.is_empty(), "fetched filter");
    let after = search(&index, &format!("\"{NEVER_SHARED}\""), Some(DocType::Quote));
    assert_eq!(after.total, 2);
    assert!(after.hits.iter().all(|h| h.record.statement == before), "the statement keeps its cluster");
}

#[test]
fn upserting_an_article_replaces_its_quotes() {
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    let mut a = fixture().remove(0);
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
    let index = indexed(&fixture());
    for (query, needles) in [
        ("speakr:huawei", &["unknown field `speakr`", "did you mean `speaker`?"][..]),
        ("colour:red", &["unknown field `colour`.", "Fields: type"]),
        ("date:2019", &["did you mean `published`?"]),
        ("stance:denial", &["`denial` is not a stance, did you mean `deny`? Expected one of deny, accuse, warn"]),
        ("speaker_kind:anon", &["did you mean `anonymous`?", "person, organization, anonymous, group, unknown"]),
        ("quote_kind:quoted", &["Expected one of direct, mixed, indirect"]),
        ("type:podcast", &["Expected one of article, quote"]),
        ("language:english", &["ISO 639-1"]),
        ("published:[yesterday TO today]", &["bad date `yesterday`"]),
        ("published:[2020 TO 2019]", &["empty"]),
        ("\"unclosed phrase", &["unclosed phrase", "column 1"]),
        ("huawei AND (deny", &["unclosed `(`", "column 12"]),
        ("stance:deny)", &["unmatched `)`"]),
        ("site:[a TO b]", &["ranges are for `published:`"]),
        ("***", &["no letters or digits"]),
    ] {
        let message = query_error(&index, query);
        for needle in needles {
            assert!(message.contains(needle), "{query}: {message}");
        }
    }
}

#[test]
fn hostile_queries_are_errors_in_bounded_time() {
    let index = indexed(&fixture());
    let started = std::time::Instant::now();
    let megabyte = "huawei OR ".repeat(100_000);
    let message = query_error(&index, &megabyte);
    assert!(message.contains("characters long") && message.contains("…"), "{}", &message[..200.min(message.len())]);
    assert!(message.len() < 400, "the error quotes only the start of the query");
    query_error(&index, &format!("{}huawei{}", "(".repeat(10_000), ")".repeat(10_000)));
    query_error(&index, &format!("{}huawei{}", "(".repeat(50), ")".repeat(50)));
    query_error(&index, &"NOT ".repeat(400));
    query_error(&index, &"a OR ".repeat(300));
    for regex_like in ["/.*/", "a.*b", "(a|b)+", "[a-z]+", "^$", "\\\\", "*:*"] {
        // Literal text, or an error; never a regex run over the dictionary.
        let _ = index.search(&SearchRequest::new(regex_like, None, 5));
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[test]
fn index_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(SearchIndex::open_or_create(dir.path()).unwrap());
    std::fs::write(dir.path().join("quotewire-schema-version"), "2\n").unwrap();
    let err = SearchIndex::open_or_create(dir.path()).err().unwrap();
    assert!(err.to_string().contains("reindex"), "{err}");
}

#[test]
fn a_reopened_index_keeps_its_identity() {
    let dir = tempfile::tempdir().unwrap();
    let first = SearchIndex::open_or_create(dir.path()).unwrap().identity().to_string();
    assert_eq!(SearchIndex::open_or_create(dir.path()).unwrap().identity(), first);
    assert_ne!(SearchIndex::in_memory().identity(), SearchIndex::in_memory().identity());
}

#[test]
fn hybrid_search_fuses_words_with_meaning_and_filters_both() {
    let index = indexed(&fixture());
    let ids = |results: &SearchResults| results.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    // What a vector search would answer for "national security": a2#q1 (also a word
    // match) and a1#q0, which shares no word with the query.
    let nearest = ["a2#q1", "a1#q0"].map(String::from);
    let lexical = search(&index, "national security", Some(DocType::Quote));
    assert!(!ids(&lexical).contains(&"a1#q0".to_string()));
    let fused = index.hybrid_search(&SearchRequest::new("national security", None, 10), &nearest).unwrap();
    assert_eq!(fused.hits[0].id, "a2#q1", "both rankings agree on it: {:?}", ids(&fused));
    assert!(ids(&fused).contains(&"a1#q0".to_string()), "found by meaning alone: {:?}", ids(&fused));
    assert_eq!(fused.total, lexical.total + 1);
    assert!(fused.hits.windows(2).all(|w| w[0].score >= w[1].score));

    // Field clauses filter the vector side too: ZTE's statements are left out.
    let nearest = ["a3#q0", "a1#q1", "a2#q1"].map(String::from);
    let fused = index.hybrid_search(&SearchRequest::new("rejects speaker:huawei", None, 10), &nearest).unwrap();
    assert_eq!(ids(&fused), ["a1#q1"]);
    assert_eq!(index.meaning("rejects speaker:huawei -zte").unwrap(), "rejects");

    let mut by_date = SearchRequest::new("x", None, 10);
    by_date.sort = Sort::Date;
    assert!(index.hybrid_search(&by_date, &nearest).unwrap_err().is_usage());
    let articles = SearchRequest::new("x", Some(DocType::Article), 10);
    assert!(index.hybrid_search(&articles, &nearest).unwrap_err().to_string().contains("type quote"));
}

/// With the real model (feature `transformers`): paraphrased reports of one speaker join one
/// statement cluster, another speaker's paraphrase and the speaker's other statements do not.
#[cfg(feature = "transformers")]
#[test]
fn paraphrases_of_one_speaker_share_a_statement_cluster() {
    use crate::embed::{BertEmbedder, DEFAULT_MODEL_DIR, Embedder, model_dir};
    let texts = [
        ("p1", "Ana Ruiz", "The report exaggerates the risks of the pipeline"),
        ("p2", "Ana Ruiz", "The study overstates how dangerous the pipeline is"),
        ("p3", "Tom Berg", "The study overstates how dangerous the pipeline is"),
        ("p4", "Ana Ruiz", "The pipeline will carry gas from the coast to the capital"),
    ];
    let articles: Vec<ArticleRecord> = texts
        .iter()
        .enumerate()
        .map(|(i, (id, speaker, text))| {
            let mut a = article(id, "Globe Wire", &format!("2022-03-0{}T10:00:00+00:00", i + 1), "Pipeline", text);
            a.quotes = vec![quote(&a, text, speaker, SpeakerKind::Person, Stance::Neutral)];
            a
        })
        .collect();
    let embedder = BertEmbedder::load(&model_dir(None, std::path::Path::new(DEFAULT_MODEL_DIR)), 1).unwrap();
    let vectors = embedder.embed(&texts.map(|(_, _, t)| t)).unwrap();
    let by_id: std::collections::HashMap<String, Vec<f32>> =
        texts.iter().zip(vectors).map(|((id, _, _), v)| (format!("{id}#q0"), v)).collect();
    let index = SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    sink.set_statement_vectors(Box::new(move |id| by_id.get(id).cloned()));
    for a in &articles {
        sink.upsert_article(a).unwrap();
    }
    sink.commit().unwrap();
    let cluster = |id: &str| index.document(id).unwrap().unwrap().record.statement.unwrap();
    assert_eq!(cluster("p1#q0"), cluster("p2#q0"), "one speaker's paraphrase");
    assert_ne!(cluster("p1#q0"), cluster("p3#q0"), "another speaker's");
    assert_ne!(cluster("p1#q0"), cluster("p4#q0"), "another statement on the subject");
}
