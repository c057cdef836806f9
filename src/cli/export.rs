//! `quotewire export`: stored articles, or a query's matching quotes or articles, as JSON
//! lines or CSV, streamed without a cap.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{DataDir, UsageError, index_error};
use crate::config::Config;
use crate::data_dir::StoreAccess;
use crate::export::{self, ExportError, Format, Unit};
use crate::store::StoreUrl;

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum FormatArg {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Quote,
    Article,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = FormatArg::Jsonl)]
    pub format: FormatArg,
    /// Only the matches of this query (quotes: the matching quotes; articles: those that
    /// match or hold matching quotes, with only those quotes).
    #[arg(long)]
    pub query: Option<String>,
    /// One record per quote or per article (default: articles for JSON lines, quotes for CSV).
    #[arg(long = "type", value_enum)]
    pub unit: Option<UnitArg>,
}

/// With `--store postgres://...`, articles come from that store and quotes and `--query`
/// from the local index of --data-dir, caught up with the store first.
pub fn run(
    args: ExportArgs,
    config: &Config,
    data: &DataDir,
    store_url: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    if let Some(query) = &args.query {
        crate::index::check_query(query).map_err(index_error)?;
    }
    let store = data.open_store_boxed(store_url, StoreAccess::Read)?;
    let format = match args.format {
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Csv => Format::Csv,
    };
    let unit = match (args.unit, format) {
        (Some(UnitArg::Quote), _) | (None, Format::Csv) => Unit::Quote,
        (Some(UnitArg::Article), _) | (None, Format::Jsonl) => Unit::Article,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match (unit, &args.query) {
        // Every article: the store alone.
        (Unit::Article, None) => export::write_articles(&*store, format, &mut out),
        _ => export::write(
            &*store,
            &super::index_for(data, config, store_url)?,
            args.query.as_deref(),
            unit,
            format,
            &mut out,
        ),
    };
    match written {
        Ok(_) => {}
        Err(ExportError::Index(e)) => return Err(index_error(e)),
        // `export | head` closes the pipe early: not an error worth a message.
        Err(ExportError::Write(message)) if message.contains("Broken pipe") => return Ok(ExitCode::SUCCESS),
        Err(e @ ExportError::Write(_)) => return Err(UsageError(e.to_string()).into()),
        Err(e) => return Err(e.into()),
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
