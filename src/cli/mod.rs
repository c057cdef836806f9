//! The command line: argument parsing and one file per command.
//!
//! Commands call into the library and print; `anyhow` is allowed here and in `main` only.
//! Exit statuses follow PRODUCT.md: 0 success, 1 some documents failed, 2 bad usage or config.

mod analyze;
mod demo;
mod eval_quotes;
mod export;
mod extract;
mod ingest;
mod ner;
mod progress;
mod reindex;
mod search;
mod serve;
mod stance;
mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::index::SearchIndex;
use crate::store::SqliteStore;

/// A usage or configuration problem: exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

#[derive(Debug, Parser)]
#[command(name = "quotewire", version, about = "Find who said what in news and official statements, and search it")]
pub struct Cli {
    /// Directory holding the document store and the search index.
    #[arg(long, global = true, default_value = "index")]
    pub data_dir: PathBuf,
    /// Configuration file (defaults: config/default.toml, built in).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// More log output (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One ingestion run: discover, fetch, extract, analyse, store, index.
    Ingest(ingest::IngestArgs),
    /// Search quotes and articles.
    Search(search::SearchArgs),
    /// Print stored articles (or the matches of a query) with their analysis.
    Export(export::ExportArgs),
    /// Extract and analyse HTML files; nothing is stored.
    Extract(extract::ExtractArgs),
    /// Analyse JSON lines {"id","text"} from stdin.
    Analyze(analyze::AnalyzeArgs),
    /// HTTP API and web page.
    Serve(serve::ServeArgs),
    /// Daemon: run each pipeline on its schedule until stopped.
    Run(serve::RunArgs),
    /// Check pipeline and config files, reporting every error.
    Validate(validate::ValidateArgs),
    /// Rebuild the search index from the document store.
    Reindex,
    /// The offline tour: ingest the bundled corpus over loopback, then search it.
    Demo(demo::DemoArgs),
    /// Train the entity tagger from CoNLL files (deterministic).
    TrainNer(ner::TrainNerArgs),
    /// Score an entity tagger on the dev split, overall, per type and per source.
    EvalNer(ner::EvalNerArgs),
    /// Write quote predictions and gold for a fixed split of a gold file (for score_quotes.py).
    EvalQuotes(eval_quotes::EvalQuotesArgs),
    /// Retrain the stance model on the stance corpus's train split (deterministic).
    TrainStance(stance::TrainStanceArgs),
    /// Score stances on the project's stance corpus (train or test split).
    EvalStance(stance::EvalStanceArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    init_logging(cli.verbose);
    let config = Config::load(cli.config.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    let data = DataDir::new(&cli.data_dir);
    match cli.command {
        Command::Ingest(args) => runtime()?.block_on(ingest::run(args, &config, &data)),
        Command::Search(args) => search::run(args, &data),
        Command::Export(args) => export::run(args, &data),
        Command::Extract(args) => extract::run(args, &config),
        Command::Analyze(args) => analyze::run(args),
        Command::Serve(args) => runtime()?.block_on(serve::serve(args, &config, &data)),
        Command::Run(args) => runtime()?.block_on(serve::daemon(args, &config, &data)),
        Command::Validate(args) => validate::run(args, &config),
        Command::Reindex => reindex::run(&config, &data),
        Command::Demo(args) => runtime()?.block_on(demo::run(args, &config, &data)),
        Command::TrainNer(args) => ner::train(args),
        Command::EvalNer(args) => ner::eval(args),
        Command::EvalQuotes(args) => eval_quotes::run(args),
        Command::TrainStance(args) => stance::train(args),
        Command::EvalStance(args) => stance::eval(args),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "quotewire=info,warn",
        _ => "quotewire=debug,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("QUOTEWIRE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The on-disk layout of `--data-dir`.
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: &Path) -> DataDir {
        DataDir { root: root.to_path_buf() }
    }

    pub fn store_path(&self) -> PathBuf {
        self.root.join("store.sqlite")
    }

    pub fn index_path(&self) -> PathBuf {
        self.root.join("tantivy")
    }

    pub fn open_store(&self) -> anyhow::Result<SqliteStore> {
        std::fs::create_dir_all(&self.root)?;
        Ok(SqliteStore::open(&self.store_path())?)
    }

    pub fn open_index(&self) -> anyhow::Result<SearchIndex> {
        Ok(SearchIndex::open_or_create(&self.index_path())?)
    }
}

/// Exit status for a finished run.
pub fn run_status(failed: u64) -> ExitCode {
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
