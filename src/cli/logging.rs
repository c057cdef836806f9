//! Log output: `--log-format text|json`, `--log-level`, `QUOTEWIRE_LOG`.
//!
//! Text is one line per event (`warning: demo: failed: cannot reach ...`), coloured only when
//! stderr is a terminal, printed above a progress bar rather than through it; services (`run`,
//! `serve`) put a timestamp first. JSON is one object per line with every field, for log
//! collectors.

use std::fmt;
use std::io::{IsTerminal, Write};

use clap::ValueEnum;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use super::progress;

/// Environment variable with an env-filter directive (`quotewire=debug,warn`) that overrides
/// `--log-level` and `-v`.
pub const LOG_VARIABLE: &str = "QUOTEWIRE_LOG";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn directive(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            // Dependencies report errors only at the default level: their warnings (html5ever's
            // "foster parenting not implemented", dozens per run on table-heavy pages) say
            // nothing an operator can act on.
            LogLevel::Warn => "quotewire=warn,error",
            LogLevel::Info => "quotewire=info,warn",
            LogLevel::Debug => "quotewire=debug,info",
            LogLevel::Trace => "quotewire=trace,debug",
        }
    }
}

/// Installs the subscriber; `-v` raises `level` (one step per `v`).
pub fn init(format: LogFormat, level: LogLevel, verbose: u8, service: bool) {
    let level = match verbose {
        0 => level,
        1 => level.max_with(LogLevel::Info),
        _ => level.max_with(LogLevel::Debug),
    };
    let filter = EnvFilter::try_from_env(LOG_VARIABLE)
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(level.directive()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(LogWriter);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        LogFormat::Text => {
            let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            builder.event_format(TextFormat { ansi, timestamps: service }).try_init()
        }
    };
}

impl LogLevel {
    fn max_with(self, other: LogLevel) -> LogLevel {
        let rank = |l: LogLevel| l as u8;
        if rank(other) > rank(self) { other } else { self }
    }
}

/// Writes log lines to stderr, above the progress bar when one is drawn.
struct LogWriter;

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter
    }
}

struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        progress::above_bar(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// One line per event: `[time ]level: [pipeline: ]message[ key=value...]`.
struct TextFormat {
    ansi: bool,
    timestamps: bool,
}

/// Fields already said by the message, or by the line's prefix.
const IMPLIED_FIELDS: [&str; 4] = ["message", "url", "stage", "pipeline"];

#[derive(Default)]
struct Fields {
    message: String,
    pipeline: Option<String>,
    rest: Vec<(String, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_string(),
            "pipeline" => self.pipeline = Some(value.to_string()),
            name if IMPLIED_FIELDS.contains(&name) => {}
            name => self.rest.push((name.to_string(), value.to_string())),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "pipeline" => self.pipeline = Some(format!("{value:?}").trim_matches('"').to_string()),
            name if IMPLIED_FIELDS.contains(&name) => {}
            name => self.rest.push((name.to_string(), format!("{value:?}"))),
        }
    }
}

impl<S, N> FormatEvent<S, N> for TextFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, _: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if self.timestamps {
            write!(writer, "{} ", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"))?;
        }
        let (label, colour) = match *event.metadata().level() {
            Level::ERROR => ("error", "\x1b[31m"),
            Level::WARN => ("warning", "\x1b[33m"),
            Level::INFO => ("info", "\x1b[32m"),
            Level::DEBUG => ("debug", "\x1b[34m"),
            Level::TRACE => ("trace", "\x1b[35m"),
        };
        if self.ansi {
            write!(writer, "{colour}{label}\x1b[0m: ")?;
        } else {
            write!(writer, "{label}: ")?;
        }
        if let Some(pipeline) = &fields.pipeline {
            write!(writer, "{pipeline}: ")?;
        }
        write!(writer, "{}", fields.message)?;
        for (key, value) in &fields.rest {
            write!(writer, " {key}={value}")?;
        }
        writeln!(writer)
    }
}
