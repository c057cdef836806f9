//! `quotewire ingest`: one ingestion run over pipeline files and ad-hoc sources.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::progress::ProgressReporter;
use super::{DataDir, UsageError, run_status};
use crate::config::{Config, Pipeline, Source};
use crate::pipeline::{RunOptions, Workspace};
use crate::store::StoreUrl;

/// Pipeline files and the web sources given on the command line (`ingest`, `enqueue`).
#[derive(Debug, Args)]
pub struct WebSourceArgs {
    /// Pipeline file(s) to run once (`enqueue`: whose sources to queue).
    #[arg(long = "pipeline", value_name = "FILE")]
    pub pipelines: Vec<PathBuf>,
    /// RSS/Atom/JSON feed URL(s).
    #[arg(long = "feed", value_name = "URL")]
    pub feeds: Vec<String>,
    /// Sitemap URL(s).
    #[arg(long = "sitemap", value_name = "URL")]
    pub sitemaps: Vec<String>,
    /// Single page URL(s).
    #[arg(long = "url", value_name = "URL")]
    pub urls: Vec<String>,
    /// Sites whose feeds and sitemaps are discovered from the home page and robots.txt.
    #[arg(long = "site", value_name = "URL")]
    pub sites: Vec<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub web: WebSourceArgs,
    /// Local HTML files or directories.
    #[arg(long = "dir", value_name = "PATH")]
    pub dirs: Vec<PathBuf>,
    /// WARC or WARC.gz archives (e.g. Common Crawl News).
    #[arg(long = "warc", value_name = "FILE")]
    pub warcs: Vec<PathBuf>,
    /// Download known pages again even when the server gives no validators.
    #[arg(long)]
    pub refetch: bool,
}

fn parse_url(flag: &str, raw: &str) -> Result<Url, UsageError> {
    let url = Url::parse(raw).map_err(|e| UsageError(format!("{flag} `{raw}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UsageError(format!(
            "{flag} `{raw}`: only http and https URLs can be fetched (use --dir for local files)"
        )));
    }
    Ok(url)
}

/// The pipelines an `ingest` invocation asks for.
pub fn pipelines(args: &IngestArgs, config: &Config) -> Result<Vec<Pipeline>, UsageError> {
    let mut out = Vec::new();
    for path in &args.web.pipelines {
        out.push(Pipeline::load(path, config).map_err(|e| UsageError(e.to_string()))?);
    }
    let mut sources = Vec::new();
    for raw in &args.web.feeds {
        sources.push(Source::Feed { url: parse_url("--feed", raw)? });
    }
    for raw in &args.web.sitemaps {
        sources.push(Source::Sitemap { url: parse_url("--sitemap", raw)? });
    }
    for raw in &args.web.urls {
        sources.push(Source::Page { url: parse_url("--url", raw)? });
    }
    for path in &args.dirs {
        sources.push(Source::Dir { path: path.clone() });
    }
    for path in &args.warcs {
        sources.push(Source::Warc { path: path.clone() });
    }
    for raw in &args.web.sites {
        sources.push(Source::Site { url: parse_url("--site", raw)? });
    }
    if !sources.is_empty() {
        out.push(Pipeline::ad_hoc(sources, config));
    }
    if out.is_empty() {
        return Err(UsageError(
            "nothing to ingest: give --pipeline FILE or at least one --feed, --sitemap, --url, --site, --dir or --warc"
                .into(),
        ));
    }
    Ok(out)
}

/// With `--store postgres://...` the run stores in that store and the index of --data-dir
/// follows it.
pub async fn run(
    args: IngestArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    let pipelines = pipelines(&args, config)?;
    let control = crate::schedule::on_signals(config.run.shutdown_grace);
    let workspace = open_workspace(data, store, "ingest", config)?;
    let options = RunOptions { refetch: args.refetch };
    let embedding = super::similar::follow_ingest(config, data, store, &control.stop);
    let mut failed = 0;
    for pipeline in &pipelines {
        let progress = Arc::new(ProgressReporter::new(&pipeline.name, false));
        let stats = workspace.run(pipeline, progress.clone(), &control, options).await;
        progress.finish();
        let stats = stats?;
        println!("{}: {}", pipeline.name, stats.summary());
        failed += stats.failed;
        if control.stop.is_cancelled() {
            break;
        }
    }
    // The final catch-up and commit: everything stored is searchable when this returns.
    workspace.close()?;
    if let Some(embedding) = embedding {
        embedding.finish().await;
    }
    Ok(run_status(failed))
}

/// Opens the data directory for writing; a held lock or an unusable directory is the
/// operator's to fix (exit status 2), with the message naming what and where.
pub fn open_workspace(
    data: &DataDir,
    store: Option<&StoreUrl>,
    command: &str,
    config: &Config,
) -> anyhow::Result<Workspace> {
    Workspace::open_at(data, store, command, config.index.writer_memory_bytes).map_err(|e| {
        if e.is_environment() { anyhow::Error::new(UsageError(e.to_string())) } else { anyhow::Error::new(e) }
    })
}

/// First Ctrl-C cancels (drain and commit); a second one exits at once.
pub fn cancel_on_ctrl_c() -> CancellationToken {
    crate::schedule::on_signals(std::time::Duration::ZERO).stop
}
