//! `quotewire search`: run a query, print hits with snippets (or JSON lines).

use std::io::{IsTerminal, Write};
use std::ops::Range;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{DataDir, index_error};
use crate::config::Config;
use crate::index::quickwit::QuickwitSearch;
use crate::index::{DocType, SearchHit, SearchRequest, SearchResults, Sort};
use crate::similar::{SimilarSearch, hybrid_search};
use crate::store::StoreUrl;

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

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum SortArg {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: free text, "phrases"~N, AND/OR/-, field:value (speaker, stance, entity, published:[2019-01-01 TO 2019-12-31], ...).
    pub query: String,
    /// Only quotes or only articles.
    #[arg(long = "type")]
    pub doc_type: Option<TypeArg>,
    /// Hits to show (0: only count).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip (the next page starts at the previous offset plus the limit).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// One hit per statement reported by several outlets.
    #[arg(long)]
    pub collapse: bool,
    /// One JSON object per hit.
    #[arg(long)]
    pub json: bool,
    /// Rank statements by words (BM25) and meaning together: the query's free words are
    /// embedded and their nearest stored statements fused with the word matches, so a
    /// paraphrase sharing no word is found too; field clauses filter both. Needs stored
    /// vectors (`quotewire embed`) and the `transformers` feature.
    #[arg(long)]
    pub hybrid: bool,
    /// Sentence-embedding model directory for `--hybrid` (default: `embed.model_dir`).
    #[arg(long, value_name = "DIR", requires = "hybrid")]
    pub model: Option<std::path::PathBuf>,
    /// Search this Quickwit cluster (REST root, e.g. http://127.0.0.1:7280/) instead of the
    /// local index, with the same query language (see `quotewire quickwit`).
    #[arg(long, value_name = "URL", requires = "quickwit_index", conflicts_with = "hybrid")]
    pub quickwit: Option<String>,
    /// The Quickwit index to search.
    #[arg(long, value_name = "ID", requires = "quickwit")]
    pub quickwit_index: Option<String>,
}

pub fn run(args: SearchArgs, config: &Config, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    crate::index::check_query(&args.query).map_err(index_error)?;
    let request = SearchRequest {
        query: args.query.clone(),
        doc_type: args.doc_type.map(Into::into),
        limit: args.limit,
        offset: args.offset,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        collapse: args.collapse,
    };
    let results = if let (Some(url), Some(index)) = (&args.quickwit, &args.quickwit_index) {
        let quickwit = QuickwitSearch::new(url, index).map_err(super::quickwit::quickwit_error)?;
        quickwit.search(&request).map_err(|e| match e {
            crate::index::IndexError::Quickwit(e) => super::quickwit::quickwit_error(e),
            e => index_error(e),
        })?
    } else if args.hybrid {
        let index = super::index_for(data, config, store)?;
        let store = super::similar::existing_store(data, store)?;
        let embedder = super::similar::load_embedder(args.model.as_deref(), None, config)?;
        let similar = SimilarSearch::with_embedder(std::sync::Arc::from(embedder));
        hybrid_search(&index, &*store, &similar, &request).map_err(super::similar::usage_for_similar)?
    } else {
        super::index_for(data, config, store)?.search(&request).map_err(index_error)?
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        for hit in &results.hits {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
        }
    } else {
        let bold = std::io::stdout().is_terminal();
        writeln!(out, "{}", header(&results, &args.query))?;
        for hit in &results.hits {
            writeln!(out)?;
            write!(out, "{}", render(hit, bold))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "6 matches for `q`, showing 1–3 (next page: --offset 3)".
pub fn header(results: &SearchResults, query: &str) -> String {
    let noun = match (results.collapsed, results.total) {
        (true, 1) => "statement",
        (true, _) => "statements",
        (false, 1) => "match",
        (false, _) => "matches",
    };
    let mut s = format!("{} {noun} for `{query}`", results.total);
    let shown = results.hits.len();
    if shown > 0 && shown < results.total {
        let (first, last) = (results.offset + 1, results.offset + shown);
        s.push_str(&format!(", showing {first}–{last}"));
        if last < results.total {
            s.push_str(&format!(" (next page: --offset {last})"));
        }
    } else if shown == 0 && results.total > 0 && results.limit > 0 {
        s.push_str(&format!(" (none shown from offset {})", results.offset));
    }
    s
}

/// Human rendering of one hit.
pub fn render(hit: &SearchHit, bold: bool) -> String {
    let r = &hit.record;
    let mut s = String::new();
    match &r.quote {
        Some(q) => {
            let speaker = q.speaker.as_deref().unwrap_or("unknown speaker");
            let canonical = match r.speaker_canonical.as_deref() {
                Some(c) if !c.eq_ignore_ascii_case(speaker) => format!(" [{c}]"),
                _ => String::new(),
            };
            s.push_str(&format!(
                "[quote] {}{canonical} ({}) · {} · {}{}\n",
                mark(speaker, &hit.speaker_highlights, bold),
                q.speaker_kind.as_str(),
                q.stance.as_str(),
                q.kind.as_str(),
                q.cue.as_deref().map(|c| format!(" · cue \"{c}\"")).unwrap_or_default()
            ));
            s.push_str(&format!("  {}\n", mark(&hit.snippet, &hit.highlights, bold)));
            // Short statements ("denies the allegations") read only with their sentence.
            if let Some(context) = r.context.as_ref().filter(|_| r.context_adds()) {
                s.push_str(&format!("  in: {}\n", mark(&context.text, &hit.context_highlights, bold)));
            }
        }
        None => {
            s.push_str(&format!("[article] {}\n", r.title.as_deref().unwrap_or("(untitled)")));
            s.push_str(&format!("  {}\n", mark(&hit.snippet, &hit.highlights, bold)));
        }
    }
    s.push_str(&format!(
        "  {} · {} · {}\n",
        r.outlet(),
        r.published.as_deref().map(|p| p.get(..10).unwrap_or(p)).unwrap_or("undated"),
        r.url
    ));
    if let (Some(statement), Some(reports)) = (&r.statement, hit.reports)
        && reports > 1
    {
        let matched = hit.matched_reports.map(|m| format!(", {m} matching")).unwrap_or_default();
        s.push_str(&format!("  reported {reports} times{matched}: quotewire cluster {statement}\n"));
    }
    s
}

/// `text` with `ranges` in bold (on a terminal), newlines flattened.
fn mark(text: &str, ranges: &[Range<usize>], bold: bool) -> String {
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
