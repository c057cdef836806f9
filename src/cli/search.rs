//! `quotewire search`: run a query, print hits with snippets (or JSON lines).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{DataDir, UsageError};
use crate::index::{DocType, IndexError, SearchHit, SearchRequest};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TypeArg {
    Quote,
    Article,
}

impl From<TypeArg> for DocType {
    fn from(t: TypeArg) -> DocType {
        match t {
            TypeArg::Quote => DocType::Quote,
            TypeArg::Article => DocType::Article,
        }
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: free text, "phrases", AND/OR/-, field:value (speaker, stance, entity, ...).
    pub query: String,
    /// Only quotes or only articles.
    #[arg(long = "type")]
    pub doc_type: Option<TypeArg>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SearchArgs, data: &DataDir) -> anyhow::Result<ExitCode> {
    let index = data.open_index()?;
    let request = SearchRequest {
        query: args.query.clone(),
        doc_type: args.doc_type.map(Into::into),
        limit: args.limit,
        offset: 0,
    };
    let results = match index.search(&request) {
        Ok(results) => results,
        Err(e @ IndexError::Query { .. }) => return Err(UsageError(e.to_string()).into()),
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        for hit in &results.hits {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        }
    } else {
        let bold = std::io::stdout().is_terminal();
        writeln!(out, "{} matches for `{}`", results.total, args.query)?;
        for hit in &results.hits {
            writeln!(out)?;
            write!(out, "{}", render(hit, bold))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Human rendering of one hit.
pub fn render(hit: &SearchHit, bold: bool) -> String {
    let r = &hit.record;
    let mut s = String::new();
    match &r.quote {
        Some(q) => {
            s.push_str(&format!(
                "[quote] {} ({}) · {} · {}{}\n",
                q.speaker.as_deref().unwrap_or("unknown speaker"),
                q.speaker_kind.as_str(),
                q.stance.as_str(),
                q.kind.as_str(),
                q.cue.as_deref().map(|c| format!(" · cue \"{c}\"")).unwrap_or_default()
            ));
        }
        None => s.push_str(&format!("[article] {}\n", r.title.as_deref().unwrap_or("(untitled)"))),
    }
    s.push_str(&format!("  {}\n", highlight(&hit.snippet, &hit.highlights, bold)));
    s.push_str(&format!(
        "  {} · {} · {}\n",
        r.site.as_deref().unwrap_or("-"),
        r.published.as_deref().map(|p| p.get(..10).unwrap_or(p)).unwrap_or("undated"),
        r.url
    ));
    s
}

fn highlight(text: &str, ranges: &[std::ops::Range<usize>], bold: bool) -> String {
    let (open, close) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    if !bold || ranges.is_empty() {
        return text.replace('\n', " ");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    for r in ranges {
        let (start, end) = (r.start.min(chars.len()), r.end.min(chars.len()));
        if start < at {
            continue;
        }
        out.extend(&chars[at..start]);
        out.push_str(open);
        out.extend(&chars[start..end]);
        out.push_str(close);
        at = end;
    }
    out.extend(&chars[at..]);
    out.replace('\n', " ")
}
