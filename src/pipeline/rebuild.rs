//! Rebuilding from the store without fetching: `reindex` (the index from stored articles)
//! and `reanalyse` (articles from stored raw pages, when extraction or analysis improved).
//!
//! `reanalyse` is resumable: its position in the store is saved after every batch, so an
//! interrupted rebuild continues where it stopped (`--restart` starts over). Both hold the
//! data directory's writer lock.

use tokio_util::sync::CancellationToken;
use url::Url;

use super::PipelineError;
use super::indexer::Indexer;
use super::process::{ArticleBuilder, BuildOutcome};
use crate::data_dir::{DataDir, DataDirError, StoreAccess};
use crate::index::{IndexError, IndexSink};
use crate::model::PublishedSource;
use crate::nlp::Analyzer;
use crate::store::{DocumentStore, Store, StoreUrl, StoredPage};

/// Articles (or pages) read from the store at once.
const REBUILD_BATCH: usize = 64;
/// Where an unfinished `reanalyse` stands (a page position), kept in the store.
const REANALYSE_POSITION_KEY: &str = "reanalyse_position";

/// Reports progress: `(done, total)`.
pub type RebuildProgress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// What `reindex` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexReport {
    pub articles: u64,
    pub quotes: u64,
    /// Stored statement vectors the statement clusters compared (paraphrases join a cluster).
    pub statement_vectors: u64,
}

/// Clears the index and indexes every stored article, committing with the store's last
/// sequence number. An index of another schema version is rebuilt from scratch. With
/// `vector_model`, the statement vectors stored for that model merge paraphrased reports
/// of one speaker into one statement cluster.
pub fn reindex(
    data: &DataDir,
    writer_memory: usize,
    vector_model: Option<&str>,
    progress: RebuildProgress<'_>,
) -> Result<ReindexReport, PipelineError> {
    reindex_from(data, None, writer_memory, vector_model, progress)
}

/// [`reindex`] from the store `store` names (`reindex --store URL --data-dir DIR`: the
/// local index of a fleet's shared store), or from the data directory's own store when
/// `None`. The rebuilt index follows that store from now on, whichever it followed before.
pub fn reindex_from(
    data: &DataDir,
    store_url: Option<&StoreUrl>,
    writer_memory: usize,
    vector_model: Option<&str>,
    progress: RebuildProgress<'_>,
) -> Result<ReindexReport, PipelineError> {
    let _lock = data.lock("reindex")?;
    // A second connection answers the index writer's vector look-ups while the first reads.
    let open =
        || -> Result<Box<dyn Store>, PipelineError> { Ok(data.open_store_boxed(store_url, StoreAccess::Write)?) };
    let mut store = open()?;
    let store_id = crate::store::identity(&mut *store)?;
    let index = match data.open_index_for_writing() {
        Err(DataDirError::Index(IndexError::Version { .. })) => {
            std::fs::remove_dir_all(data.index_path())
                .map_err(|source| DataDirError::NotWritable { path: data.index_path(), source })?;
            data.open_index_for_writing()?
        }
        other => other?,
    };
    let total = store.counts()?.articles;
    let mut sink = index.writer(writer_memory)?;
    sink.clear()?;
    // Recorded before anything of this store is committed: a crash leaves an index that
    // names this store and holds less of it, which the next writer catches up.
    data.record_followed_store(&store_id)?;
    let mut report = ReindexReport { articles: 0, quotes: 0, statement_vectors: 0 };
    if let Some(model) = vector_model {
        report.statement_vectors = store.embedding_counts(model)?.vectors;
        if report.statement_vectors > 0 {
            let lookup = open()?;
            let model = model.to_string();
            sink.set_statement_vectors(Box::new(move |id| lookup.quote_vector(id, &model).ok().flatten()));
        }
    }
    let mut position = 0;
    loop {
        let batch = store.articles_after(position, REBUILD_BATCH)?;
        if batch.is_empty() {
            break;
        }
        for entry in &batch {
            sink.upsert_article(&entry.article)?;
            report.articles += 1;
            report.quotes += entry.article.quotes.len() as u64;
            position = entry.sequence;
        }
        progress(report.articles, total);
    }
    sink.commit_through(store.counts()?.last_sequence.max(position))?;
    Ok(report)
}

/// What `reanalyse` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReanalyseReport {
    /// Stored pages looked at in this invocation.
    pub pages: u64,
    /// Articles whose record changed (re-stored and re-indexed).
    pub changed: u64,
    /// Articles the new rules produce exactly as before.
    pub unchanged: u64,
    /// Pages that are articles now and were not before.
    pub new_articles: u64,
    /// Pages that were articles and are not any more (their old article is kept).
    pub no_longer_articles: u64,
    /// Feeds, sitemaps and other non-HTML bodies.
    pub skipped: u64,
    /// Pages whose extraction failed.
    pub failed: u64,
    /// Whether the whole store was covered (false: stopped, resumable).
    pub complete: bool,
    /// Whether this invocation continued an earlier, interrupted one.
    pub resumed: bool,
}

/// Re-runs extraction and analysis on every stored raw page and stores what changed; the
/// index catches up as it goes. Resumes an interrupted run unless `restart`.
pub fn reanalyse(
    data: &DataDir,
    store_url: Option<&StoreUrl>,
    writer_memory: usize,
    strip_query_params: Vec<String>,
    restart: bool,
    cancel: &CancellationToken,
    progress: RebuildProgress<'_>,
) -> Result<ReanalyseReport, PipelineError> {
    let _lock = data.lock("reanalyse")?;
    let store = data.open_store_at(store_url, StoreAccess::Write)?;
    let index = data.open_index_for_writing()?;
    let from = {
        let guard = store.lock().unwrap_or_else(|p| p.into_inner());
        data.check_index_follows(&index, &*guard, &data.store_name(store_url), true)?;
        super::indexer::resume_position(&index, &*guard)?
    };
    let indexer = Indexer::start(store.clone(), Box::new(index.writer(writer_memory)?), from)?;
    let handle = indexer.handle();
    let builder = ArticleBuilder::new(Analyzer::new(), strip_query_params);
    let with_store = |f: &mut dyn FnMut(&mut dyn DocumentStore) -> Result<(), crate::store::StoreError>| {
        f(&mut *store.lock().unwrap_or_else(|p| p.into_inner()))
    };

    let mut report = ReanalyseReport::default();
    let mut position = 0_i64;
    let mut total = 0_u64;
    with_store(&mut |s| {
        if restart {
            s.set_meta(REANALYSE_POSITION_KEY, None)?;
        }
        position = s.meta(REANALYSE_POSITION_KEY)?.and_then(|p| p.parse().ok()).unwrap_or(0);
        total = s.counts()?.pages;
        Ok(())
    })?;
    report.resumed = position > 0;
    let mut done = 0_u64;
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let mut batch = Vec::new();
        with_store(&mut |s| {
            batch = s.pages_after(position, REBUILD_BATCH)?;
            Ok(())
        })?;
        let Some(last) = batch.last().map(|p| p.position) else {
            report.complete = true;
            break;
        };
        for page in &batch {
            report.pages += 1;
            reanalyse_page(&builder, page, &mut report, &mut |f| with_store(f))?;
        }
        position = last;
        done += batch.len() as u64;
        with_store(&mut |s| s.set_meta(REANALYSE_POSITION_KEY, Some(&position.to_string())))?;
        handle.wake();
        progress(done, total);
    }
    if report.complete {
        with_store(&mut |s| s.set_meta(REANALYSE_POSITION_KEY, None))?;
    }
    indexer.finish()?;
    Ok(report)
}

/// Whether a stored body is an HTML page (not a feed, sitemap or robots file).
fn is_html_page(page: &StoredPage) -> bool {
    let content_type = page.content_type.as_deref().unwrap_or("").to_ascii_lowercase();
    if content_type.contains("xml") || content_type.contains("json") || content_type.contains("gzip") {
        return false;
    }
    let head: Vec<u8> = page.body.iter().take(512).copied().filter(|b| !b.is_ascii_whitespace()).take(64).collect();
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}');
    !(head.starts_with("<?xml")
        || head.starts_with("<rss")
        || head.starts_with("<feed")
        || head.starts_with("<urlset")
        || head.starts_with("<sitemapindex")
        || head.starts_with('{'))
}

type WithStore<'a> = &'a mut dyn FnMut(
    &mut dyn FnMut(&mut dyn DocumentStore) -> Result<(), crate::store::StoreError>,
) -> Result<(), crate::store::StoreError>;

fn reanalyse_page(
    builder: &ArticleBuilder,
    page: &StoredPage,
    report: &mut ReanalyseReport,
    with_store: WithStore<'_>,
) -> Result<(), PipelineError> {
    if !is_html_page(page) {
        report.skipped += 1;
        return Ok(());
    }
    let Ok(url) = Url::parse(&page.url) else {
        report.skipped += 1;
        return Ok(());
    };
    let fetched_at = page.fetched_at.clone().unwrap_or_default();
    let mut old = None;
    with_store(&mut |s| {
        old = match &page.article_id {
            Some(id) => s.article(id)?,
            None => None,
        };
        Ok(())
    })?;
    match builder.build(&url, &page.body, page.content_type.as_deref(), &fetched_at, None) {
        Ok(BuildOutcome::Article(mut article)) => {
            // What the page alone cannot tell: the feed's date, the near-duplicate cluster.
            if let Some(old) = &old {
                if article.published.is_none() && old.published_source == PublishedSource::Feed {
                    article.published.clone_from(&old.published);
                    article.published_source = PublishedSource::Feed;
                    article.published_confidence = old.published_confidence;
                }
                article.cluster = old.cluster.clone().filter(|_| old.id == article.id);
            }
            if article.cluster.is_none() {
                article.cluster = Some(article.id.clone());
            }
            if old.as_ref() == Some(&article) {
                report.unchanged += 1;
                return Ok(());
            }
            if old.is_some() {
                report.changed += 1;
            } else {
                report.new_articles += 1;
            }
            with_store(&mut |s| s.put_article(&page.url, &article))?;
        }
        Ok(BuildOutcome::NotArticle(record)) => {
            if old.is_some() {
                report.no_longer_articles += 1;
            }
            // The page's metadata record (title, dates, the reason) as the rules now see it.
            with_store(&mut |s| s.set_page_metadata(&page.url, &record))?;
        }
        Err(e) => {
            report.failed += 1;
            tracing::warn!(url = %page.url, "re-extraction failed: {e}");
        }
    }
    Ok(())
}
