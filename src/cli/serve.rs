//! `quotewire serve`: the HTTP API and web page.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::DataDir;
use super::ingest::cancel_on_ctrl_c;
use crate::config::Config;
use crate::data_dir::{DataDirError, StoreAccess};
use crate::pipeline::{FollowingIndex, PipelineError};
use crate::store::StoreUrl;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default from config: 127.0.0.1:7878).
    #[arg(long)]
    pub bind: Option<String>,
    /// Answer `/api/v1/search` from this Quickwit cluster (REST root) instead of the local
    /// index; the page, facets, timelines and summaries still read the local index.
    #[arg(long, value_name = "URL", requires = "quickwit_index")]
    pub quickwit: Option<String>,
    /// The Quickwit index `--quickwit` searches.
    #[arg(long, value_name = "ID", requires = "quickwit")]
    pub quickwit_index: Option<String>,
}

/// With `--store postgres://...` the local index of --data-dir is caught up with that store
/// before serving, and articles, stored copies and watches are read from it.
pub async fn serve(
    args: ServeArgs,
    config: &Config,
    data: &DataDir,
    store_url: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    let quickwit = match (&args.quickwit, &args.quickwit_index) {
        (Some(url), Some(index)) => {
            Some(crate::index::quickwit::QuickwitSearch::new(url, index).map_err(super::quickwit::quickwit_error)?)
        }
        _ => None,
    };
    let postgres = data.postgres_url(store_url)?;
    let index = Arc::new(tokio::task::block_in_place(|| super::index_for(data, config, store_url))?);
    // With a PostgreSQL store the index keeps following it while serving, unless a worker
    // or daemon holding the directory already does.
    let following = match postgres {
        Some(_) => tokio::task::block_in_place(|| follow_while_serving(data, config, store_url))?,
        None => None,
    };
    let store = data.store_path().is_file().then(|| data.store_path());
    let bind = args.bind.unwrap_or_else(|| config.server.bind.clone());
    let cancel = cancel_on_ctrl_c();
    // The address is printed once bound, with the port the system chose for `:0`.
    let (listener, address) = crate::server::bind(&bind).await?;
    eprintln!("serving {} on http://{address}/", data.root.display());
    let mut state = crate::server::AppState::new(index, store).with_similar(similar_search(config));
    if let Some(url) = postgres {
        state = state.with_postgres_store(url);
    }
    if let Some(quickwit) = quickwit {
        state = state.with_quickwit(quickwit);
    }
    crate::server::serve_on(listener, state, cancel).await?;
    if let Some(following) = following {
        tokio::task::block_in_place(|| following.finish())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The indexer following the PostgreSQL store for the server's life; `None` when another
/// process holds the data directory (it keeps the index current).
fn follow_while_serving(
    data: &DataDir,
    config: &Config,
    store: Option<&StoreUrl>,
) -> anyhow::Result<Option<FollowingIndex>> {
    let own = data.open_store_at(store, StoreAccess::Read)?;
    match FollowingIndex::start(data, own, &data.store_name(store), config.index.writer_memory_bytes, "serve") {
        Ok(following) => Ok(Some(following)),
        Err(PipelineError::DataDir(DataDirError::Locked { holder, .. })) => {
            tracing::info!("the index is kept current by {holder}");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
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
