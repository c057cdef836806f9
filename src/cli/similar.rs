//! `quotewire similar TEXT|QUOTE_ID` (statements saying the same thing in other words) and
//! `quotewire embed` (vectors for every stored statement, resumable).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::{DataDir, UsageError};
use crate::config::Config;
use crate::data_dir::StoreAccess;
use crate::embed::{self, EmbedError, Embedder};
use crate::pipeline::{EmbedStats, Until, embed_pending};
use crate::similar::{SimilarError, SimilarHit, SimilarQuery, StatementVectors};
use crate::store::{DocumentStore, Store, StoreUrl};

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// A statement's text, or the id of a stored statement (`0123456789abcdef#q2`, as
    /// `search --json` prints it).
    pub query: String,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
    /// Sentence-embedding model directory (default: `embed.model_dir`).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Sentence-embedding model directory (default: `embed.model_dir`).
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// libtorch threads (default: `embed.threads`, 0 = one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Opens the store `store` names, or the store of a data dir that must already exist (read
/// commands never create one).
pub(super) fn existing_store(data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<Box<dyn Store>> {
    if data.postgres_url(store)?.is_none() && !data.store_path().is_file() {
        return Err(UsageError(format!("{} holds no quotewire data (no store.sqlite)", data.root.display())).into());
    }
    Ok(data.open_store_boxed(store, StoreAccess::Update)?)
}

fn usage(e: EmbedError) -> anyhow::Error {
    match e {
        EmbedError::MissingFile { .. } | EmbedError::Unavailable | EmbedError::Load { .. } => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

/// Loads the embedder named by the flags and configuration.
pub fn load_embedder(
    model: Option<&std::path::Path>,
    threads: Option<usize>,
    config: &Config,
) -> anyhow::Result<Box<dyn Embedder>> {
    let dir = embed::model_dir(model, &config.embed.model_dir);
    embed::load_embedder(&dir, threads.unwrap_or(config.embed.threads), config.embed.batch_size).map_err(usage)
}

pub fn similar(
    args: SimilarArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    let store = existing_store(data, store)?;
    let query = SimilarQuery::parse(&args.query);
    // A stored statement's vector needs no model: the default build can answer it too.
    let embedder = match query {
        SimilarQuery::Text(_) => Some(load_embedder(args.model.as_deref(), None, config)?),
        SimilarQuery::Statement(_) => None,
    };
    let model = match &embedder {
        Some(e) => e.model().to_string(),
        None => embed::model_name(&embed::model_dir(args.model.as_deref(), &config.embed.model_dir)),
    };
    let vectors = StatementVectors::load(&*store, &model).map_err(usage_for_similar)?;
    let hits = vectors.similar(&*store, embedder.as_deref(), query, args.limit).map_err(usage_for_similar)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for hit in &hits {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        }
    } else {
        writeln!(out, "{} similar statements ({} stored vectors, model {model})", hits.len(), vectors.len())?;
        for hit in &hits {
            writeln!(out)?;
            write!(out, "{}", render(hit))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn usage_for_similar(e: SimilarError) -> anyhow::Error {
    match e {
        SimilarError::Embed(e) => usage(e),
        e @ (SimilarError::NoVectors { .. } | SimilarError::UnknownStatement { .. } | SimilarError::EmptyQuery) => {
            UsageError(e.to_string()).into()
        }
        SimilarError::Index(e) => super::index_error(e),
        other => other.into(),
    }
}

/// Human rendering of one hit.
fn render(hit: &SimilarHit) -> String {
    let q = &hit.quote;
    format!(
        "[{:.3}] {} ({}) · {} · {}\n  {}\n  {} · {} · {}\n",
        hit.score,
        q.speaker.as_deref().unwrap_or("unknown speaker"),
        q.speaker_kind.as_str(),
        q.stance.as_str(),
        hit.id,
        q.text.replace('\n', " "),
        hit.site.as_deref().unwrap_or("-"),
        hit.published.as_deref().map(|p| p.get(..10).unwrap_or(p)).unwrap_or("undated"),
        hit.url
    )
}

pub fn embed(args: EmbedArgs, config: &Config, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    let store = existing_store(data, store)?;
    let embedder = load_embedder(args.model.as_deref(), args.threads, config)?;
    let pending = store.embedding_counts(embedder.model())?;
    let total: u64 = pending_statements(&*store, embedder.model())?;
    eprintln!(
        "{} of {} articles need statement vectors ({total} statements, model {})",
        pending.articles_pending,
        pending.articles_pending + pending.articles_done,
        embedder.model()
    );
    // First Ctrl-C stops after the batch in flight (the rest stays pending); a second exits.
    let stats = super::runtime()?.block_on(async move {
        let cancel = super::ingest::cancel_on_ctrl_c();
        tokio::task::spawn_blocking(move || run_stage(store, embedder.as_ref(), Until::Done, &cancel, total)).await
    })??;
    println!("{}", stats.summary());
    if stats.articles > 0 {
        println!("`quotewire reindex` merges the newly embedded paraphrases into statement clusters");
    }
    Ok(ExitCode::SUCCESS)
}

/// Statements waiting for vectors (for the progress bar's length).
fn pending_statements(store: &dyn DocumentStore, model: &str) -> anyhow::Result<u64> {
    let mut total = 0;
    let mut after = String::new();
    loop {
        let chunk = store.pending_embeddings(model, &after, 1_000)?;
        let Some(last) = chunk.last() else { break };
        after = last.article_id.clone();
        total += chunk.iter().map(|p| p.quotes.len() as u64).sum::<u64>();
    }
    Ok(total)
}

/// Runs the embedding stage with a progress bar on a terminal.
pub fn run_stage(
    store: Box<dyn DocumentStore>,
    embedder: &dyn Embedder,
    until: Until,
    cancel: &CancellationToken,
    expected: u64,
) -> anyhow::Result<EmbedStats> {
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = ProgressBar::new(expected);
        bar.set_style(
            ProgressStyle::with_template("embedding {bar:30} {pos}/{len} statements {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let stats = embed_pending(store, embedder, until, cancel, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    Ok(stats)
}

/// The embedding stage following an ingestion run in the background.
pub struct FollowingEmbedding {
    ingest_done: CancellationToken,
    /// Stops the stage after its batch in flight when the run ends early (an error).
    stop: CancellationToken,
    task: Option<tokio::task::JoinHandle<Result<EmbedStats, crate::pipeline::PipelineError>>>,
}

/// Starts embedding new statements while `ingest` stores them: only in builds with the
/// `transformers` feature and `embed.on_ingest`; a missing model is a note, not a failure.
pub fn follow_ingest(
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
    cancel: &CancellationToken,
) -> Option<FollowingEmbedding> {
    if !cfg!(feature = "transformers") || !config.embed.on_ingest {
        return None;
    }
    let embedder = match load_embedder(None, None, config) {
        Ok(embedder) => embedder,
        Err(e) => {
            eprintln!("statement vectors skipped ({e}); `quotewire embed` computes them later");
            return None;
        }
    };
    let store = match data.open_store_boxed(store, StoreAccess::Write) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("statement vectors skipped: {e:#}");
            return None;
        }
    };
    let ingest_done = CancellationToken::new();
    let until = Until::Following(ingest_done.clone());
    let stop = cancel.child_token();
    let stage_stop = stop.clone();
    let task =
        tokio::task::spawn_blocking(move || embed_pending(store, embedder.as_ref(), until, &stage_stop, &|_| {}));
    Some(FollowingEmbedding { ingest_done, stop, task: Some(task) })
}

impl FollowingEmbedding {
    /// Tells the stage the run is over, waits for it to embed what is left, prints its summary.
    pub async fn finish(mut self) {
        self.ingest_done.cancel();
        let Some(task) = self.task.take() else { return };
        match task.await {
            Ok(Ok(stats)) => println!("statement vectors: {}", stats.summary()),
            // Vectors resume from the store: a failure here loses nothing.
            Ok(Err(e)) => eprintln!("statement vectors: {e}; `quotewire embed` resumes"),
            Err(e) => eprintln!("statement vectors: the stage stopped: {e}"),
        }
    }
}

impl Drop for FollowingEmbedding {
    fn drop(&mut self) {
        if self.task.is_some() {
            self.stop.cancel();
        }
    }
}
