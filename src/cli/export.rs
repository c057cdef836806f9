//! `quotewire export`: stored articles (or a query's matches) as JSON lines or CSV.
//!
//! JSON lines: one article record of PRODUCT.md per line. CSV: one row per quote (articles
//! without quotes get one row with empty quote columns), for spreadsheets.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{DataDir, UsageError};
use crate::index::{IndexError, MAX_LIMIT, SearchRequest};
use crate::model::ArticleRecord;
use crate::store::DocumentStore;

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Format {
    #[default]
    Jsonl,
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Only articles matching this query (or containing matching quotes).
    #[arg(long)]
    pub query: Option<String>,
}

pub fn run(args: ExportArgs, data: &DataDir) -> anyhow::Result<ExitCode> {
    let store = data.open_store()?;
    let mut articles = store.articles()?;
    if let Some(query) = &args.query {
        let index = data.open_index()?;
        let request = SearchRequest { query: query.clone(), doc_type: None, limit: MAX_LIMIT, offset: 0 };
        let results = match index.search(&request) {
            Ok(r) => r,
            Err(e @ IndexError::Query { .. }) => return Err(UsageError(e.to_string()).into()),
            Err(e) => return Err(e.into()),
        };
        let ids: BTreeSet<String> = results.hits.into_iter().map(|h| h.record.article_id).collect();
        articles.retain(|a| ids.contains(&a.id));
    }
    let stdout = std::io::stdout().lock();
    match args.format {
        Format::Jsonl => write_jsonl(stdout, &articles)?,
        Format::Csv => write_csv(stdout, &articles)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn write_jsonl(mut out: impl Write, articles: &[ArticleRecord]) -> anyhow::Result<()> {
    for article in articles {
        serde_json::to_writer(&mut out, article)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

const CSV_HEADER: [&str; 16] = [
    "article_id",
    "url",
    "site",
    "title",
    "published",
    "language",
    "kind",
    "quote_text",
    "quote_start",
    "quote_end",
    "quote_kind",
    "speaker",
    "speaker_kind",
    "cue",
    "stance",
    "confidence",
];

fn write_csv(out: impl Write, articles: &[ArticleRecord]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for a in articles {
        let base = [
            a.id.clone(),
            a.url.clone(),
            a.site.clone().unwrap_or_default(),
            a.title.clone().unwrap_or_default(),
            a.published.clone().unwrap_or_default(),
            a.language.clone(),
            a.kind.as_str().to_string(),
        ];
        if a.quotes.is_empty() {
            let mut row = base.to_vec();
            row.extend(std::iter::repeat_n(String::new(), CSV_HEADER.len() - base.len()));
            w.write_record(&row)?;
        }
        for q in &a.quotes {
            let mut row = base.to_vec();
            row.extend([
                q.text.clone(),
                q.start.to_string(),
                q.end.to_string(),
                q.kind.as_str().to_string(),
                q.speaker.clone().unwrap_or_default(),
                q.speaker_kind.as_str().to_string(),
                q.cue.clone().unwrap_or_default(),
                q.stance.as_str().to_string(),
                format!("{:.2}", q.confidence),
            ]);
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}
