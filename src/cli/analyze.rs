//! `quotewire analyze`: JSON lines `{"id","text"}` in, `{"id","language","entities","quotes"}` out.
//!
//! Optional input keys: `language` (ISO 639-1; detected when absent), `kind`
//! (news|press-release|transcript|other), `publisher`. A bad line is reported on stderr with
//! its line number and skipped; the exit status is then 1. With `--explain` each quote also
//! carries `rules`: the names of the rules that found its cue, cut its content, named its
//! speaker and decided its stance.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::model::{EntityMention, PageKind, QuoteRecord};
use crate::nlp::{AnalysisInput, Analyzer, QuoteRules};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Accepted for symmetry with other commands: output is always JSON lines.
    #[arg(long)]
    pub json: bool,
    /// Add to each quote the rules that produced it (cue, content span, speaker, stance).
    #[arg(long)]
    pub explain: bool,
}

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    kind: Option<PageKind>,
    #[serde(default)]
    publisher: Option<String>,
}

#[derive(Serialize)]
struct Output<Q> {
    id: serde_json::Value,
    language: String,
    entities: Vec<EntityMention>,
    quotes: Vec<Q>,
}

/// A quote with the rules that produced it.
#[derive(Serialize)]
struct ExplainedQuote {
    #[serde(flatten)]
    quote: QuoteRecord,
    rules: QuoteRules,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let analyzer = Analyzer::new();
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0u64;
    for (n, line) in stdin.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = match serde_json::from_str(&line) {
            Ok(input) => input,
            Err(e) => {
                failed += 1;
                eprintln!("line {}: not an {{\"id\",\"text\"}} object: {e}", n + 1);
                continue;
            }
        };
        // A given language is used as it is; a detected one only when detection is confident
        // (a headline or one sentence is not confidently another language).
        let language = input.language.unwrap_or_else(|| {
            let (detected, confidence) = crate::extract::detect_language(&input.text);
            crate::nlp::analysis_language(&input.text, &detected, confidence)
        });
        let (analysis, rules) = analyzer.analyze_explained(&AnalysisInput {
            text: &input.text,
            language: &language,
            kind: input.kind.unwrap_or_default(),
            publisher: input.publisher.as_deref(),
        });
        let (id, entities) = (input.id, analysis.entities);
        if args.explain {
            let quotes =
                analysis.quotes.into_iter().zip(rules).map(|(quote, rules)| ExplainedQuote { quote, rules }).collect();
            serde_json::to_writer(&mut out, &Output::<ExplainedQuote> { id, language, entities, quotes })?;
        } else {
            serde_json::to_writer(&mut out, &Output { id, language, entities, quotes: analysis.quotes })?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(super::run_status(failed))
}
