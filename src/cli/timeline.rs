//! `quotewire timeline`: a query's matches per day, week, month or year, as terminal bars or
//! JSON.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::search::TypeArg;
use super::{DataDir, index_error};
use crate::config::Config;
use crate::index::{Interval, Timeline};
use crate::store::StoreUrl;

/// Width of the longest bar, in block characters.
const BAR_WIDTH: u64 = 50;

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum IntervalArg {
    Day,
    Week,
    #[default]
    Month,
    Year,
}

impl From<IntervalArg> for Interval {
    fn from(i: IntervalArg) -> Interval {
        match i {
            IntervalArg::Day => Interval::Day,
            IntervalArg::Week => Interval::Week,
            IntervalArg::Month => Interval::Month,
            IntervalArg::Year => Interval::Year,
        }
    }
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Query (as for `search`); `*` for everything.
    pub query: String,
    /// Bucket width.
    #[arg(long, value_enum, default_value_t = IntervalArg::Month)]
    pub by: IntervalArg,
    /// Only quotes or only articles (default: quotes).
    #[arg(long = "type", value_enum, default_value_t = TypeArg::Quote)]
    pub doc_type: TypeArg,
    /// Split each bucket by stance.
    #[arg(long)]
    pub stances: bool,
    /// The timeline as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TimelineArgs, config: &Config, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    crate::index::check_query(&args.query).map_err(index_error)?;
    let index = super::index_for(data, config, store)?;
    let timeline =
        index.timeline(&args.query, Some(args.doc_type.into()), args.by.into(), args.stances).map_err(index_error)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&timeline)?)?;
    } else {
        write!(out, "{}", bars(&timeline, &args.query))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A label per bucket: the day, ISO week start, month or year.
fn label(timeline: &Timeline, start: &str) -> String {
    match timeline.interval {
        Interval::Day | Interval::Week => start.to_string(),
        Interval::Month => start.get(..7).unwrap_or(start).to_string(),
        Interval::Year => start.get(..4).unwrap_or(start).to_string(),
    }
}

/// Terminal rendering: one bar per bucket, scaled to the largest.
pub fn bars(timeline: &Timeline, query: &str) -> String {
    let mut s = format!(
        "{} dated matches for `{query}` by {}{}\n",
        timeline.total,
        timeline.interval.as_str(),
        if timeline.undated > 0 { format!(" ({} undated not shown)", timeline.undated) } else { String::new() }
    );
    let max = timeline.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    for bucket in &timeline.buckets {
        let width = (bucket.count * BAR_WIDTH).div_ceil(max) as usize;
        let mut line = format!(
            "{:<10} {:<w$} {}",
            label(timeline, &bucket.start),
            "█".repeat(width),
            bucket.count,
            w = BAR_WIDTH as usize
        );
        if !bucket.stances.is_empty() {
            let parts: Vec<String> = bucket.stances.iter().map(|(stance, n)| format!("{stance} {n}")).collect();
            line.push_str(&format!("  ({})", parts.join(", ")));
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}
