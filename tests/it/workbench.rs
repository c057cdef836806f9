//! The researcher's command line over the fixture corpus: paging, sorting, collapsing,
//! exports that parse back, timelines, speaker, entity and cluster summaries.

use quotewire::index::{DocType, SearchIndex, SearchRequest};
use quotewire::store::{DocumentStore, SqliteStore};

use crate::support::*;

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_sorts_and_collapses_from_the_command_line() {
    let (data, _server) = corpus_data().await;
    let index = SearchIndex::open_or_create(&data.path().join("tantivy")).unwrap();
    let total = index.search(&SearchRequest::new("stance:decline", Some(DocType::Quote), 0)).unwrap().total;
    assert!(total >= 3, "{total}");
    let out = quotewire(data.path(), &["search", "stance:decline", "--type", "quote", "--limit", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let header = stdout(&out).lines().next().unwrap().to_string();
    let expected = format!("{total} matches for `stance:decline`, showing 1–2 (next page: --offset 2)");
    assert_eq!(header, expected);
    let first = json_lines(&stdout(&quotewire(data.path(), &["search", "stance:decline", "--limit", "2", "--json"])));
    let second = json_lines(&stdout(&quotewire(
        data.path(),
        &["search", "stance:decline", "--limit", "2", "--offset", "2", "--json"],
    )));
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), (total - 2).min(2));
    let ids: std::collections::HashSet<&str> = first.iter().chain(&second).map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), first.len() + second.len(), "pages do not overlap");

    let by_date = json_lines(&stdout(&quotewire(
        data.path(),
        &["search", "speaker:huawei", "--sort", "date", "--json", "--limit", "50"],
    )));
    let dates: Vec<i64> = by_date
        .iter()
        .map(|h| chrono::DateTime::parse_from_rfc3339(h["published"].as_str().unwrap()).unwrap().timestamp())
        .collect();
    assert!(dates.len() > 10 && dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");

    let all = quotewire(data.path(), &["search", "*", "--type", "quote", "--limit", "0"]);
    let collapsed = quotewire(data.path(), &["search", "*", "--type", "quote", "--limit", "0", "--collapse"]);
    let count = |o: &std::process::Output| -> usize { stdout(o).split_whitespace().next().unwrap().parse().unwrap() };
    assert!(count(&collapsed) < count(&all), "repeated statements collapse: {} vs {}", count(&collapsed), count(&all));
    assert!(stdout(&collapsed).contains("statements for"));

    // Short indirect quotes are shown in their sentence.
    let fcc = stdout(&quotewire(data.path(), &["search", "speaker:huawei AND \"the allegations\"", "--type", "quote"]));
    assert!(fcc.contains("  in: ") && fcc.contains("denies the allegations"), "{fcc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_return_matching_quotes_only_and_csv_parses_back() {
    let (data, _server) = corpus_data().await;
    let index = SearchIndex::open_or_create(&data.path().join("tantivy")).unwrap();
    let declines = index.search(&SearchRequest::new("stance:decline", Some(DocType::Quote), 100)).unwrap();

    let out = quotewire(data.path(), &["export", "--format", "csv", "--query", "stance:decline"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(&format!("{}\r\n", quotewire::export::QUOTE_COLUMNS.join(","))), "RFC 4180 CRLF rows");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), declines.total, "one row per matching quote, not every quote of the articles");
    for row in &rows {
        assert_eq!(&row[column("stance")], "decline");
        let hit = declines.hits.iter().find(|h| h.id == row[column("quote_id")]).expect("the row is a hit");
        let quote = hit.record.quote.as_ref().unwrap();
        assert_eq!(&row[column("quote_text")], quote.text);
        assert_eq!(&row[column("speaker")], quote.speaker.as_deref().unwrap_or(""));
        assert_eq!(&row[column("title")], hit.record.title.as_deref().unwrap_or(""));
        assert_eq!(row[column("quote_start")].parse::<usize>().unwrap(), quote.start);
        assert_eq!(&row[column("stance_source")], quote.stance_source.as_str(), "whose evidence decided");
        assert_eq!(&row[column("target")], quote.target.as_deref().unwrap_or(""));
    }

    // Every stored quote, with no cap; fields with commas, quotes and newlines survive.
    let store = SqliteStore::open(&data.path().join("store.sqlite")).unwrap();
    let stored_quotes: usize = store.articles().unwrap().iter().map(|a| a.quotes.len()).sum();
    let all = stdout(&quotewire(data.path(), &["export", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(all.as_bytes());
    let texts: Vec<String> = reader.records().map(|r| r.unwrap()[8].to_string()).collect();
    assert_eq!(texts.len(), stored_quotes);
    let mut expected: Vec<String> =
        store.articles().unwrap().iter().flat_map(|a| a.quotes.iter().map(|q| q.text.clone())).collect();
    let mut got = texts.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "the CSV parses back to the stored quotes");

    let jsonl =
        json_lines(&stdout(&quotewire(data.path(), &["export", "--type", "quote", "--query", "stance:decline"])));
    assert_eq!(jsonl.len(), declines.total);
    assert!(jsonl.iter().all(|q| q["quote"]["stance"] == "decline" && q["type"] == "quote"));

    let articles = json_lines(&stdout(&quotewire(data.path(), &["export", "--query", "stance:decline"])));
    assert!(!articles.is_empty());
    for a in &articles {
        let quotes = a["quotes"].as_array().unwrap();
        assert!(!quotes.is_empty() && quotes.iter().all(|q| q["stance"] == "decline"), "only the matching quotes");
        assert!(a["text"].as_str().unwrap().len() > 100, "full article records");
    }
    let everything = json_lines(&stdout(&quotewire(data.path(), &["export"])));
    assert_eq!(everything.len(), 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeline_speaker_entity_and_cluster_commands() {
    let (data, _server) = corpus_data().await;
    let out = quotewire(data.path(), &["timeline", "speaker:huawei", "--by", "year", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let timeline: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let buckets = timeline["buckets"].as_array().unwrap();
    assert_eq!(buckets[0]["start"], "2019-01-01");
    let sum: u64 = buckets.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(sum, timeline["total"].as_u64().unwrap());
    let bars = stdout(&quotewire(data.path(), &["timeline", "speaker:huawei", "--by", "year"]));
    assert!(bars.lines().any(|l| l.starts_with("2020") && l.contains('█')), "{bars}");
    let weeks = quotewire(data.path(), &["timeline", "*", "--by", "week", "--json"]);
    let weeks: serde_json::Value = serde_json::from_str(&stdout(&weeks)).unwrap();
    let first_week =
        chrono::NaiveDate::parse_from_str(weeks["buckets"][0]["start"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(chrono::Datelike::weekday(&first_week), chrono::Weekday::Mon);

    let speaker = stdout(&quotewire(data.path(), &["speaker", "Huawei Technologies Co., Ltd"]));
    assert!(speaker.starts_with("Huawei — "), "{speaker}");
    for needle in
        ["written as:", "Huawei Technologies (", "first statement:", "last statement:", "stances: ", "outlets: "]
    {
        assert!(speaker.contains(needle), "`{needle}` in {speaker}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&stdout(&quotewire(data.path(), &["speaker", "huawei", "--json"]))).unwrap();
    assert!(summary["first"]["published"].as_str().unwrap() < summary["last"]["published"].as_str().unwrap());
    assert!(summary["entities"].as_array().unwrap().iter().all(|e| e["value"] != "Huawei"));
    let entity = stdout(&quotewire(data.path(), &["entity", "ZTE"]));
    assert!(entity.contains("speakers:") && entity.contains("articles mention it"), "{entity}");
    let missing = quotewire(data.path(), &["speaker", "Nobody Atall"]);
    assert_eq!(missing.status.code(), Some(2));

    let hits = json_lines(&stdout(&quotewire(
        data.path(),
        &["search", "*", "--type", "quote", "--collapse", "--limit", "200", "--json"],
    )));
    let repeated = hits.iter().find(|h| h["reports"].as_u64().unwrap_or(0) > 1).expect("a statement reported twice");
    let id = repeated["statement"].as_str().unwrap();
    let view: serde_json::Value =
        serde_json::from_str(&stdout(&quotewire(data.path(), &["cluster", id, "--json"]))).unwrap();
    assert_eq!(view["reports"], repeated["reports"]);
    assert_eq!(view["hits"].as_array().unwrap().len() as u64, view["reports"].as_u64().unwrap());
}

#[test]
fn read_commands_on_a_dir_without_data_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    for args in [
        &["search", "huawei"][..],
        &["export"],
        &["timeline", "*"],
        &["speaker", "Huawei"],
        &["cluster", "abc"],
        &["watch", "list"],
        &["serve", "--bind", "127.0.0.1:0"],
    ] {
        let out = quotewire(&missing, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no quotewire data"), "{args:?}: {}", stderr(&out));
        assert!(!missing.exists(), "{args:?} created the data dir");
    }
    // A bad query is reported as such, before looking for data.
    let out = quotewire(&missing, &["search", "speakr:huawei"]);
    assert!(stderr(&out).contains("did you mean `speaker`?"), "{}", stderr(&out));
}
