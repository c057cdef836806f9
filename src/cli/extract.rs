//! `quotewire extract`: extract and analyse HTML files; nothing is stored. Every page gets a
//! record: pages that are not articles print their metadata with the reason.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use url::Url;

use super::UsageError;
use crate::config::Config;
use crate::fetch::{list_html_files, read_html_file};
use crate::model::ArticleRecord;
use crate::nlp::{AnalysisInput, Analyzer, QuoteRules};
use crate::pipeline::{ArticleBuilder, BuildOutcome};

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// HTML files or directories (.html, .htm, .html.gz).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The URL the page was fetched from (resolves relative links, names the site).
    #[arg(long)]
    pub url: Option<String>,
    /// One article record per file, with a `file` field.
    #[arg(long)]
    pub json: bool,
    /// Add to each quote the rules that produced it (cue, content span, speaker, stance).
    #[arg(long)]
    pub explain: bool,
}

#[derive(Serialize)]
struct FileRecord<'a> {
    file: String,
    #[serde(flatten)]
    article: &'a ArticleRecord,
}

pub fn run(args: ExtractArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let base = args
        .url
        .as_deref()
        .map(|u| Url::parse(u).map_err(|e| UsageError(format!("--url `{u}` is not a URL: {e}"))))
        .transpose()?;
    let builder = ArticleBuilder::new(Analyzer::new(), config.fetch.strip_query_params.clone());
    let explainer = args.explain.then(Analyzer::new);
    let mut files = Vec::new();
    for path in &args.paths {
        files.extend(list_html_files(path).map_err(|e| UsageError(e.to_string()))?);
    }
    let mut out = std::io::stdout().lock();
    let mut failed = 0u64;
    let fetched_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for file in files {
        let url = match &base {
            Some(url) => url.clone(),
            None => {
                let absolute = std::fs::canonicalize(&file).unwrap_or(file.clone());
                Url::from_file_path(&absolute).map_err(|_| UsageError(format!("{} has no file URL", file.display())))?
            }
        };
        let result = read_html_file(&file)
            .map_err(|e| e.to_string())
            .and_then(|body| builder.build(&url, &body, None, &fetched_at, None).map_err(|e| e.to_string()));
        match result {
            Ok(BuildOutcome::Article(article)) => {
                let rules = explainer.as_ref().map(|a| explain(a, &article)).unwrap_or_default();
                if args.json {
                    print_json(&mut out, &file, &article, &rules)?;
                } else {
                    print_summary(&mut out, &file, &article)?;
                    for (i, q) in article.quotes.iter().enumerate() {
                        writeln!(
                            out,
                            "    [{}] {} ({}): {}",
                            q.stance.as_str(),
                            q.speaker.as_deref().unwrap_or("?"),
                            q.kind.as_str(),
                            q.text
                        )?;
                        if let Some(r) = rules.get(i) {
                            writeln!(out, "      rules: {} | {} | {} | {}", r.cue, r.content, r.speaker, r.stance)?;
                        }
                    }
                }
            }
            // Not an article: its metadata record still goes out (not a failure).
            Ok(BuildOutcome::NotArticle(record)) => {
                if args.json {
                    print_json(&mut out, &file, &record, &[])?;
                } else {
                    print_summary(&mut out, &file, &record)?;
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", file.display());
            }
        }
    }
    Ok(super::run_status(failed))
}

/// The rules behind each quote of `article`: its text analysed again as the builder did (the
/// analysis is deterministic, so the quotes line up).
fn explain(analyzer: &Analyzer, article: &ArticleRecord) -> Vec<QuoteRules> {
    let input = AnalysisInput {
        text: &article.text,
        language: &article.language,
        kind: article.kind,
        publisher: article.site.as_deref(),
    };
    analyzer.analyze_explained(&input).1
}

/// The record as JSON; with `--explain` each quote also carries its `rules`.
fn print_json(
    out: &mut impl Write,
    file: &std::path::Path,
    record: &ArticleRecord,
    rules: &[QuoteRules],
) -> anyhow::Result<()> {
    let record = FileRecord { file: file.display().to_string(), article: record };
    if rules.is_empty() {
        writeln!(out, "{}", serde_json::to_string(&record)?)?;
    } else {
        // Keys come out sorted here; only `--explain` takes this path.
        let mut value = serde_json::to_value(&record)?;
        for (quote, rules) in value["quotes"].as_array_mut().into_iter().flatten().zip(rules) {
            quote["rules"] = serde_json::to_value(rules)?;
        }
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
    }
    Ok(())
}

fn print_summary(out: &mut impl Write, file: &std::path::Path, record: &ArticleRecord) -> anyhow::Result<()> {
    let date = match (&record.published, record.published_confidence) {
        (Some(date), Some(confidence)) => {
            format!("{date} ({}, confidence {confidence:.2})", record.published_source.as_str())
        }
        (Some(date), None) => format!("{date} ({})", record.published_source.as_str()),
        (None, _) => "-".to_owned(),
    };
    writeln!(out, "{}\n  title: {}\n  published: {date}", file.display(), record.title.as_deref().unwrap_or("-"))?;
    if let Some(modified) = &record.modified {
        writeln!(out, "  modified: {modified}")?;
    }
    match record.not_article {
        Some(reason) => writeln!(
            out,
            "  language: {}, kind: {}, not an article ({})",
            record.language,
            record.kind.as_str(),
            reason.as_str()
        )?,
        None => writeln!(
            out,
            "  language: {}, kind: {}, {} chars, {} entities, {} quotes",
            record.language,
            record.kind.as_str(),
            record.text.chars().count(),
            record.entities.len(),
            record.quotes.len()
        )?,
    }
    Ok(())
}
