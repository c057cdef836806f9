//! `quotewire quickwit`: the Quickwit index config generated from the embedded schema
//! (`config`), and sending the store's articles to a Quickwit index (`sync`).

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::{DataDir, UsageError};
use crate::index::IndexError;
use crate::index::quickwit::{CommitMode, QuickwitConfig, QuickwitError, index_config};
use crate::pipeline::{PipelineError, quickwit_checkpoint_path, sync_quickwit};
use crate::store::StoreUrl;

#[derive(Debug, Args)]
pub struct QuickwitArgs {
    #[command(subcommand)]
    pub command: QuickwitCommand,
}

#[derive(Debug, Subcommand)]
pub enum QuickwitCommand {
    /// Print the Quickwit index config (JSON, which Quickwit reads as YAML too) generated
    /// from the embedded index's schema: `quickwit index create --index-config FILE`.
    Config {
        /// The index id written into the config.
        #[arg(long, default_value = "quotewire")]
        index: String,
    },
    /// Send every stored article not yet acknowledged by Quickwit (resumes from
    /// `<data-dir>/quickwit/<index>.json`).
    Sync {
        /// Quickwit's REST root, e.g. http://127.0.0.1:7280/.
        #[arg(long)]
        url: String,
        #[arg(long, default_value = "quotewire")]
        index: String,
        /// When Quickwit answers: once documents are durable (auto), searchable (wait-for),
        /// or after forcing a commit (force).
        #[arg(long, value_enum, default_value_t = CommitArg::Auto)]
        commit: CommitArg,
    },
}

impl QuickwitArgs {
    /// Whether the subcommand reads a store (`sync` does; `config` does not).
    pub fn uses_store(&self) -> bool {
        matches!(self.command, QuickwitCommand::Sync { .. })
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CommitArg {
    Auto,
    WaitFor,
    Force,
}

impl From<CommitArg> for CommitMode {
    fn from(arg: CommitArg) -> CommitMode {
        match arg {
            CommitArg::Auto => CommitMode::Auto,
            CommitArg::WaitFor => CommitMode::WaitFor,
            CommitArg::Force => CommitMode::Force,
        }
    }
}

/// Errors the operator must fix (bad URL or id, unknown index) exit 2.
pub(super) fn quickwit_error(e: QuickwitError) -> anyhow::Error {
    match e {
        QuickwitError::Url { .. } | QuickwitError::IndexId(_) | QuickwitError::IndexNotFound { .. } => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

pub fn run(args: QuickwitArgs, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    match args.command {
        QuickwitCommand::Config { index } => {
            crate::index::quickwit::check_index_id(&index).map_err(quickwit_error)?;
            println!("{}", serde_json::to_string_pretty(&index_config(&index))?);
            Ok(ExitCode::SUCCESS)
        }
        QuickwitCommand::Sync { url, index, commit } => {
            let mut config =
                QuickwitConfig::new(&url, &index, quickwit_checkpoint_path(data, &index)).map_err(quickwit_error)?;
            config.commit = commit.into();
            let report = sync_quickwit(data, store, config).map_err(|e| match e {
                PipelineError::Index(IndexError::Quickwit(e)) => quickwit_error(e),
                e if e.is_environment() => UsageError(e.to_string()).into(),
                e => anyhow::Error::new(e),
            })?;
            for skipped in &report.skipped {
                eprintln!("not sent: {} ({})", skipped.id, skipped.reason);
            }
            println!(
                "sent {} articles ({} documents) to Quickwit index `{index}`; it holds the store through sequence {}; {} rejected, {} too large",
                report.articles,
                report.documents,
                report.through,
                report.rejected,
                report.skipped.len()
            );
            Ok(super::run_status(report.rejected + report.skipped.len() as u64))
        }
    }
}
