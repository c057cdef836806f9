//! The command line: argument parsing and one file per command.
//!
//! Commands call into the library and print; `anyhow` is allowed here and in `main` only.
//! Exit statuses follow PRODUCT.md: 0 success, 1 some documents failed, 2 bad usage,
//! configuration or environment (an unusable data directory, a port in use, a full disk).

mod analyze;
mod completions;
mod demo;
mod enqueue;
mod eval_quotes;
mod export;
mod extract;
mod ingest;
mod logging;
mod ner;
mod progress;
mod quickwit;
mod reanalyse;
mod reindex;
mod run;
mod search;
mod serve;
mod similar;
mod speaker;
mod stance;
mod stance_embedding;
mod status;
mod timeline;
mod validate;
mod watch;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::{Config, ConfigError};
pub use crate::data_dir::DataDir;
use crate::data_dir::DataDirError;
use crate::pipeline::PipelineError;
use crate::server::ServerError;
use crate::store::StoreError;
pub use logging::{LogFormat, LogLevel};

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
    /// The store the command reads or writes: `postgres://USER@HOST:PORT/DATABASE` (a shared
    /// PostgreSQL store; the search index stays in --data-dir and follows it) or
    /// `sqlite:PATH` (the default: the data directory's store.sqlite). Commands that read no
    /// store refuse it on the command line and ignore QUOTEWIRE_STORE.
    #[arg(long, global = true, env = "QUOTEWIRE_STORE", value_name = "URL")]
    pub store: Option<crate::store::StoreUrl>,
    /// Configuration file (default: $QUOTEWIRE_CONFIG, ~/.config/quotewire/config.toml,
    /// /etc/quotewire/config.toml, config/default.toml, else the built-in defaults).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// More log output (-v info, -vv debug); see also --log-level.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log lines as text (colour on a terminal only) or as JSON objects, one per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Least severe log level shown (default: warn; info for `run`). QUOTEWIRE_LOG, an
    /// env-filter directive such as `quotewire=debug`, overrides it.
    #[arg(long, global = true, value_enum)]
    pub log_level: Option<LogLevel>,
    /// File holding the bearer token that `serve` and `run --metrics-bind` require (default:
    /// the QUOTEWIRE_TOKEN environment variable; neither: no token).
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
    /// What the parsed fields cannot say (set by [`Cli::try_parse_with_sources`]).
    #[arg(skip)]
    pub given: Given,
}

/// Where the command line's values came from.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Given {
    /// The subcommand as typed (`train-ner`).
    pub command: String,
    /// `--store` was typed, not taken from QUOTEWIRE_STORE.
    pub store_on_command_line: bool,
    /// `--data-dir` was typed, not left at its default.
    pub data_dir_on_command_line: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One ingestion run: discover, fetch, extract, analyse, store, index.
    Ingest(ingest::IngestArgs),
    /// Search quotes and articles.
    Search(search::SearchArgs),
    /// Matches of a query per day, week, month or year.
    Timeline(timeline::TimelineArgs),
    /// A speaker's record: first and last statement, stances over time, topics, outlets.
    Speaker(speaker::SummaryArgs),
    /// An entity's record: who speaks about it, stances over time, outlets.
    Entity(speaker::SummaryArgs),
    /// One statement reported by several outlets: every report.
    Cluster(speaker::ClusterArgs),
    /// Saved searches that report only new matches (add, list, remove, run).
    Watch(watch::WatchArgs),
    /// Print stored articles (or the matches of a query) with their analysis.
    Export(export::ExportArgs),
    /// Extract and analyse HTML files; nothing is stored.
    Extract(extract::ExtractArgs),
    /// Analyse JSON lines {"id","text"} from stdin.
    Analyze(analyze::AnalyzeArgs),
    /// HTTP API and web page.
    Serve(serve::ServeArgs),
    /// Daemon: run each pipeline on its schedule until stopped.
    Run(run::RunArgs),
    /// Pipelines (last and next run), failing sources, store and index sizes.
    Status(status::StatusArgs),
    /// Check pipeline and config files, reporting every error.
    Validate(validate::ValidateArgs),
    /// Rebuild the search index from the document store (or a PostgreSQL store: --store URL).
    Reindex(reindex::ReindexArgs),
    /// Re-run extraction and analysis on the stored pages (resumable), without fetching.
    Reanalyse(reanalyse::ReanalyseArgs),
    /// The offline tour: ingest the bundled corpus over loopback, then search it.
    Demo(demo::DemoArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
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
    /// Train the embedding stance classifier and score it beside the rules (feature `transformers`).
    TrainStanceEmbedding(stance_embedding::TrainStanceEmbeddingArgs),
    /// Statements saying the same thing in other words (stored vectors; text needs `transformers`).
    Similar(similar::SimilarArgs),
    /// Compute vectors for every stored statement that lacks them (feature `transformers`).
    Embed(similar::EmbedArgs),
    /// Quickwit as the search engine: print its index config, send the store to it.
    Quickwit(quickwit::QuickwitArgs),
    /// Queue a run's sources in the PostgreSQL work queue (for `worker`s) and return.
    Enqueue(enqueue::EnqueueArgs),
    /// Claim jobs from the PostgreSQL work queue and do them (with --once: until none is left).
    Worker(worker::WorkerArgs),
}

impl Cli {
    /// Parses the process's arguments as [`Cli::try_parse_with_sources`] does; a bad command
    /// line prints clap's message and exits.
    pub fn parse_with_sources() -> Cli {
        Cli::try_parse_with_sources(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` and remembers which options were typed and which subcommand.
    pub fn try_parse_with_sources<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let typed = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
        cli.given = Given {
            command: matches.subcommand_name().unwrap_or_default().to_string(),
            store_on_command_line: typed("store"),
            data_dir_on_command_line: typed("data_dir"),
        };
        Ok(cli)
    }

    /// Whether the command reads or writes a store (and so takes `--store`).
    pub fn uses_store(&self) -> bool {
        !matches!(
            self.command,
            Command::Extract(_)
                | Command::Analyze(_)
                | Command::Validate(_)
                | Command::Demo(_)
                | Command::Completions(_)
                | Command::Man
                | Command::TrainNer(_)
                | Command::EvalNer(_)
                | Command::EvalQuotes(_)
                | Command::TrainStance(_)
                | Command::EvalStance(_)
                | Command::TrainStanceEmbedding(_)
        ) && !matches!(&self.command, Command::Quickwit(args) if !args.uses_store())
    }

    /// The `--store` a command that reads no store was given on the command line, as a
    /// usage error (from QUOTEWIRE_STORE it is ignored: the variable is set for a whole
    /// deployment).
    fn check_store_use(&self) -> Result<(), UsageError> {
        let Some(store) = self.store.as_ref().filter(|_| !self.uses_store() && self.given.store_on_command_line) else {
            return Ok(());
        };
        Err(UsageError(format!(
            "--store {store}: `quotewire {}` reads no store; --store applies to ingest, run, search, serve, export, status, reindex, reanalyse, watch, timeline, speaker, entity, cluster, similar, embed, quickwit sync, enqueue and worker",
            self.given.command
        )))
    }

    /// Whether the command is a long-running service (it keeps SIGPIPE ignored, so a closed
    /// socket or pipe is an error to handle, not a reason to die).
    pub fn is_service(&self) -> bool {
        matches!(self.command, Command::Serve(_) | Command::Run(_))
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let default_level = if matches!(cli.command, Command::Run(_)) { LogLevel::Info } else { LogLevel::Warn };
    logging::init(cli.log_format, cli.log_level.unwrap_or(default_level), cli.verbose, cli.is_service());
    let config = load_config(cli.config.as_deref())?;
    let data = DataDir::new(&cli.data_dir);
    cli.check_store_use()?;
    let store = cli.store.clone();
    let store = store.as_ref();
    let data_dir_given = cli.given.data_dir_on_command_line;
    if cli.is_service() {
        configure_server(&cli, &config, &data)?;
    }
    match cli.command {
        Command::Ingest(args) => runtime()?.block_on(ingest::run(args, &config, &data, store)),
        Command::Search(args) => search::run(args, &config, &data, store),
        Command::Timeline(args) => timeline::run(args, &config, &data, store),
        Command::Speaker(args) => speaker::speaker(args, &config, &data, store),
        Command::Entity(args) => speaker::entity(args, &config, &data, store),
        Command::Cluster(args) => speaker::cluster(args, &config, &data, store),
        Command::Watch(args) => watch::run(args, &config, &data, store),
        Command::Export(args) => export::run(args, &config, &data, store),
        Command::Extract(args) => extract::run(args, &config),
        Command::Analyze(args) => analyze::run(args),
        Command::Serve(args) => runtime()?.block_on(serve::serve(args, &config, &data, store)),
        Command::Run(args) => runtime()?.block_on(run::daemon(args, &config, &data, store)),
        Command::Status(args) => status::run(args, &config, &data, store),
        Command::Validate(args) => validate::run(args, &config),
        Command::Reindex(args) => reindex::run(args, &config, &data, store),
        Command::Reanalyse(args) => runtime()?.block_on(reanalyse::run(args, &config, &data, store)),
        Command::Demo(args) => runtime()?.block_on(demo::run(args, &config, &data)),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
        Command::TrainNer(args) => ner::train(args),
        Command::EvalNer(args) => ner::eval(args),
        Command::EvalQuotes(args) => eval_quotes::run(args),
        Command::TrainStance(args) => stance::train(args),
        Command::EvalStance(args) => stance::eval(args),
        Command::TrainStanceEmbedding(args) => stance_embedding::train(args),
        Command::Similar(args) => similar::similar(args, &config, &data, store),
        Command::Embed(args) => similar::embed(args, &config, &data, store),
        Command::Quickwit(args) => quickwit::run(args, &data, store),
        Command::Enqueue(args) => runtime()?.block_on(enqueue::run(args, &config, store)),
        Command::Worker(args) => runtime()?.block_on(worker::run(args, &config, &data, store, data_dir_given)),
    }
}

fn load_config(explicit: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let path = explicit.map(PathBuf::from).or_else(Config::locate);
    if let Some(path) = &path {
        tracing::debug!("configuration: {}", path.display());
    }
    Ok(Config::load(path.as_deref()).map_err(|e| UsageError(e.to_string()))?)
}

/// The token and the `/metrics` refresh for `serve` and `run --metrics-bind`.
fn configure_server(cli: &Cli, config: &Config, data: &DataDir) -> anyhow::Result<()> {
    let token = crate::server::Token::load(cli.token_file.as_deref()).map_err(UsageError)?;
    let (data, failing_after, store) = (data.clone(), config.run.failing_source_runs, cli.store.clone());
    let refresh: crate::server::MetricsRefresh = std::sync::Arc::new(move || {
        crate::schedule::refresh_metrics(&data, store.as_ref(), failing_after);
    });
    crate::server::configure(crate::server::Security { token, refresh: Some(refresh) });
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// The local index of `data`, fit to read for the store `store` names: caught up first
/// with a PostgreSQL store; an index that follows another store is a usage error.
fn index_for(
    data: &DataDir,
    config: &Config,
    store: Option<&crate::store::StoreUrl>,
) -> anyhow::Result<crate::index::SearchIndex> {
    match crate::pipeline::index_for_store(data, store, config.index.writer_memory_bytes) {
        Ok(crate::pipeline::IndexCatchUp::CaughtUp(report)) if report.indexed > 0 => {
            tracing::info!("indexed {} new article(s) from the store", report.indexed);
        }
        Ok(_) => {}
        Err(e) if e.is_environment() => return Err(UsageError(e.to_string()).into()),
        Err(e) => return Err(e.into()),
    }
    Ok(data.open_index()?)
}

/// Index errors the user must fix (a bad query, an index to rebuild) exit with status 2.
pub fn index_error(e: crate::index::IndexError) -> anyhow::Error {
    if e.is_usage() || matches!(e, crate::index::IndexError::Version { .. }) {
        UsageError(e.to_string()).into()
    } else {
        e.into()
    }
}

/// Exit status for a finished run.
pub fn run_status(failed: u64) -> ExitCode {
    if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Exit status for an error: 2 for usage, configuration and environment problems (the
/// operator must act: a bad flag, an unusable data directory, a port in use, a full disk),
/// 1 otherwise.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    let environment = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<ConfigError>()
            || cause.downcast_ref::<DataDirError>().is_some_and(DataDirError::is_environment)
            || cause.downcast_ref::<PipelineError>().is_some_and(PipelineError::is_environment)
            || cause.downcast_ref::<StoreError>().is_some_and(StoreError::is_environment)
            || matches!(cause.downcast_ref::<ServerError>(), Some(ServerError::Bind { .. }))
    });
    if environment { ExitCode::from(2) } else { ExitCode::from(1) }
}

/// Restores the default SIGPIPE action for commands that write to stdout, so that
/// `quotewire search ... | head` ends quietly when `head` exits, like any Unix tool.
pub fn restore_sigpipe() {
    // SAFETY: setting a signal disposition to its default before any threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_options_and_the_subcommand_are_remembered() {
        // (arguments, subcommand, --store typed, --data-dir typed)
        let cases: &[(&[&str], &str, bool, bool)] = &[
            (&["search", "q"], "search", false, false),
            (&["search", "--store", "sqlite:/tmp/s.sqlite", "q"], "search", true, false),
            (&["--store", "sqlite:/tmp/s.sqlite", "train-ner", "--data", "a"], "train-ner", true, false),
            (&["worker", "--data-dir", "/tmp/d", "--once"], "worker", false, true),
            (&["--data-dir=/tmp/d", "status"], "status", false, true),
        ];
        for (args, command, store, data_dir) in cases {
            let cli = Cli::try_parse_with_sources(std::iter::once("quotewire").chain(args.iter().copied()))
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let given = Given {
                command: command.to_string(),
                store_on_command_line: *store,
                data_dir_on_command_line: *data_dir,
            };
            assert_eq!(cli.given, given, "{args:?}");
        }
    }

    #[test]
    fn a_store_typed_for_a_command_that_reads_none_is_a_usage_error_naming_it() {
        let parse = |args: &[&str]| {
            Cli::try_parse_with_sources(std::iter::once("quotewire").chain(args.iter().copied())).unwrap()
        };
        let refused = parse(&["analyze", "--store", "sqlite:/tmp/s.sqlite"]).check_store_use().unwrap_err();
        assert!(refused.0.contains("`quotewire analyze` reads no store"), "{refused}");
        assert!(parse(&["search", "--store", "sqlite:/tmp/s.sqlite", "q"]).check_store_use().is_ok());
        assert!(parse(&["analyze"]).check_store_use().is_ok());
    }
}
