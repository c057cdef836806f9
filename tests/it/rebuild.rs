//! Rebuilding without fetching: `reanalyse` re-runs extraction and analysis on stored pages
//! (resumable), `reindex` rebuilds the index from the store.

use quotewire::config::Source;
use quotewire::data_dir::DataDir;
use quotewire::index::SearchRequest;
use quotewire::pipeline::{reanalyse, reindex};
use quotewire::store::DocumentStore;
use tokio_util::sync::CancellationToken;

use crate::faults::assert_store_and_index_agree;
use crate::support::*;

const PAGES: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reanalyse_rebuilds_changed_records_resumes_after_an_interruption_and_reindex_rebuilds_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    for n in 0..PAGES {
        std::fs::write(pages.join(format!("p-{n:03}.html")), article_page(n)).unwrap();
    }
    let data = dir.path().join("data");
    let stats = ingest(&ad_hoc(vec![Source::Dir { path: pages }]), &data).await;
    assert_eq!(stats.articles, PAGES as u64);

    // Three records as older rules left them.
    {
        let mut store = DataDir::new(&data).open_store_for_writing().unwrap();
        let stale: Vec<_> = store.articles().unwrap().into_iter().take(3).collect();
        for mut article in stale {
            article.title = Some("stale title".into());
            article.quotes.clear();
            let url = article.url.clone();
            store.put_article(&url, &article).unwrap();
        }
    }

    let data_dir = DataDir::new(&data);
    let (first, second) = tokio::task::spawn_blocking(move || {
        let cancel = CancellationToken::new();
        let stop_after_a_batch = |done: u64, _total: u64| {
            if done >= 50 {
                cancel.cancel();
            }
        };
        let first = reanalyse(&data_dir, None, 20_000_000, vec![], false, &cancel, &stop_after_a_batch).unwrap();
        let second =
            reanalyse(&data_dir, None, 20_000_000, vec![], false, &CancellationToken::new(), &|_, _| {}).unwrap();
        (first, second)
    })
    .await
    .unwrap();
    assert!(!first.complete && first.pages > 0 && first.pages < PAGES as u64, "{first:?}");
    assert!(second.resumed && second.complete, "{second:?}");
    assert_eq!(first.pages + second.pages, PAGES as u64, "every page once across the two: {first:?} {second:?}");
    assert_eq!(first.changed + second.changed, 3, "only the stale records change");
    assert_eq!(first.unchanged + second.unchanged, PAGES as u64 - 3);

    assert_eq!(assert_store_and_index_agree(&data), PAGES);
    let store = DataDir::new(&data).open_store().unwrap();
    assert!(
        store.articles().unwrap().iter().all(|a| a.title.as_deref() != Some("stale title") && !a.quotes.is_empty())
    );
    let index = DataDir::new(&data).open_index().unwrap();
    let stale = index.search(&SearchRequest::new("title:stale", None, 1));
    assert_eq!(stale.unwrap().total, 0, "the index follows the rebuilt records");

    // The index is rebuilt from the store alone.
    std::fs::remove_dir_all(DataDir::new(&data).index_path()).unwrap();
    let report = reindex(&DataDir::new(&data), 20_000_000, None, &|_, _| {}).unwrap();
    assert_eq!(report.articles, PAGES as u64);
    assert_eq!(assert_store_and_index_agree(&data), PAGES);
}
