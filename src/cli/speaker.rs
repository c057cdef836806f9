//! `quotewire speaker NAME`, `quotewire entity NAME` and `quotewire cluster ID`: summaries of a
//! speaker's or an entity's record and of one statement reported by several outlets.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::search::render;
use super::timeline::{IntervalArg, bars};
use super::{DataDir, UsageError, index_error};
use crate::config::Config;
use crate::index::{FacetValue, SearchHit, SearchIndex, Subject, Summary};
use crate::store::StoreUrl;

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The name (any spelling: "Huawei Technologies Co., Ltd" finds Huawei).
    pub name: String,
    /// Width of the stance-over-time buckets.
    #[arg(long, value_enum, default_value_t = IntervalArg::Year)]
    pub by: IntervalArg,
    /// The summary as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Statement cluster id (shown with search hits: "reported N times").
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

pub fn speaker(
    args: SummaryArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    summary(Subject::Speaker, args, super::index_for(data, config, store)?)
}

pub fn entity(
    args: SummaryArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    summary(Subject::Entity, args, super::index_for(data, config, store)?)
}

fn summary(subject: Subject, args: SummaryArgs, index: SearchIndex) -> anyhow::Result<ExitCode> {
    let Some(summary) = index.summary(subject, &args.name, args.by.into()).map_err(index_error)? else {
        let what = if subject == Subject::Speaker { "statements by" } else { "mentions of" };
        return Err(UsageError(format!("no {what} `{}` in the index", args.name)).into());
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&summary)?)?;
    } else {
        write!(out, "{}", render_summary(&summary))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list(values: &[FacetValue]) -> String {
    if values.is_empty() {
        return "-".into();
    }
    values.iter().map(|v| format!("{} ({})", v.value, v.count)).collect::<Vec<_>>().join(", ")
}

fn statement(label: &str, hit: Option<&SearchHit>) -> String {
    match hit {
        Some(hit) => format!("{label}:\n{}", indent(&render(hit, false))),
        None => format!("{label}: -\n"),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

fn render_summary(s: &Summary) -> String {
    let mut out = match s.subject {
        Subject::Speaker => format!("{} — {} statements  (query: {})\n", s.name, s.quotes, s.query),
        Subject::Entity => format!(
            "{} — {} statements about it, {} articles mention it  (query: {})\n",
            s.name,
            s.quotes,
            s.articles.unwrap_or(0),
            s.query
        ),
    };
    if !s.variants.is_empty() {
        out.push_str(&format!("written as: {}\n", list(&s.variants)));
    }
    if !s.speakers.is_empty() {
        out.push_str(&format!("speakers: {}\n", list(&s.speakers)));
    }
    out.push_str(&format!("stances: {}\n", list(&s.stances)));
    out.push_str(&format!("co-mentioned: {}\n", list(&s.entities)));
    out.push_str(&format!("outlets: {}\n\n", list(&s.outlets)));
    out.push_str(&statement("first statement", s.first.as_ref()));
    out.push_str(&statement("last statement", s.last.as_ref()));
    out.push('\n');
    out.push_str(&bars(&s.timeline, &s.query));
    out
}

pub fn cluster(
    args: ClusterArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    let index = super::index_for(data, config, store)?;
    let Some(view) = index.cluster(&args.id).map_err(index_error)? else {
        return Err(UsageError(format!("no statement cluster `{}`", args.id)).into());
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&view)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{} — \"{}\"\n{} reports, first seen {}, outlets: {}",
        view.speaker.as_deref().unwrap_or("unknown speaker"),
        view.text,
        view.reports,
        view.first_seen.as_deref().unwrap_or("undated"),
        list(&view.outlets)
    )?;
    for hit in &view.hits {
        writeln!(out)?;
        write!(out, "{}", render(hit, false))?;
    }
    Ok(ExitCode::SUCCESS)
}
