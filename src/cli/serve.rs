//! `quotewire serve` (HTTP API and web page) and `quotewire run` (the scheduled daemon).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;

use super::ingest::{cancel_on_ctrl_c, run_pipeline};
use super::{DataDir, UsageError};
use crate::config::{Config, Pipeline};
use crate::schedule::Schedule;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default from config: 127.0.0.1:7878).
    #[arg(long)]
    pub bind: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pipeline files; each runs at start and then on its `schedule.every`.
    #[arg(long = "pipeline", value_name = "FILE", required = true)]
    pub pipelines: Vec<PathBuf>,
}

pub async fn serve(args: ServeArgs, config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    let index = Arc::new(data.read_index()?);
    let store = data.store_path().is_file().then(|| data.store_path());
    let bind = args.bind.unwrap_or_else(|| config.server.bind.clone());
    let cancel = cancel_on_ctrl_c();
    eprintln!("serving {} on http://{bind}/", data.root.display());
    let state = crate::server::AppState::new(index, store).with_similar(similar_search(config));
    crate::server::serve(state, &bind, cancel).await?;
    Ok(ExitCode::SUCCESS)
}

/// Similar-statement search for the server: with the `transformers` feature the configured
/// model answers text queries too; when it fails to load, stored ids still work and text
/// queries answer why.
fn similar_search(config: &Config) -> crate::similar::SimilarSearch {
    use crate::similar::SimilarSearch;
    let dir = crate::embed::model_dir(None, &config.embed.model_dir);
    let model = crate::embed::model_name(&dir);
    if !cfg!(feature = "transformers") {
        return SimilarSearch::stored_only(&model);
    }
    match crate::embed::load_embedder(&dir, config.embed.threads, config.embed.batch_size) {
        Ok(embedder) => SimilarSearch::with_embedder(Arc::from(embedder)),
        Err(e) => {
            eprintln!("similar statements by text are off: {e}");
            SimilarSearch::model_failed(&model, &e)
        }
    }
}

pub async fn daemon(args: RunArgs, config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    let pipelines = args
        .pipelines
        .iter()
        .map(|p| Pipeline::load(p, config))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| UsageError(e.to_string()))?;
    // A daemon follows whatever feeds say: keep it off private networks unless allowed.
    let pipelines: Vec<Pipeline> = pipelines
        .into_iter()
        .map(|mut p| {
            p.fetch.private_addresses = p.fetch.private_addresses.resolve(true);
            p
        })
        .collect();
    let intervals: Vec<_> = pipelines.iter().map(|p| p.every).collect();
    let mut schedule = Schedule::new(&intervals, Instant::now());
    let cancel = cancel_on_ctrl_c();
    while let Some((i, due)) = schedule.next() {
        tokio::select! {
            _ = tokio::time::sleep_until(due.into()) => {}
            _ = cancel.cancelled() => break,
        }
        schedule.started(i, Instant::now());
        let embedding = super::similar::follow_ingest(config, data, &cancel);
        if let Err(e) = run_pipeline(&pipelines[i], config, data, cancel.clone(), false).await {
            // One failed run does not stop the daemon; the next is tried on schedule.
            eprintln!("{}: run failed: {e:#}", pipelines[i].name);
        }
        super::watch::after_ingest(data).await;
        if let Some(embedding) = embedding {
            embedding.finish().await;
        }
        if cancel.is_cancelled() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}
