//! `quotewire analyze`: JSON lines `{"id","text"}` in, `{"id","language","entities","quotes"}` out.
//!
//! Optional input keys: `language` (ISO 639-1; detected when absent), `kind`
//! (news|press-release|transcript|other), `publisher`. A bad line is reported on stderr with
//! its line number and skipped; the exit status is then 1.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Args;
use serde::{Deserialize, Serialize};

use crate::model::{EntityMention, PageKind, QuoteRecord};
use crate::nlp::{AnalysisInput, Analyzer};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Accepted for symmetry with other commands: output is always JSON lines.
    #[arg(long)]
    pub json: bool,
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
struct Output {
    id: serde_json::Value,
    language: String,
    entities: Vec<EntityMention>,
    quotes: Vec<QuoteRecord>,
}

pub fn run(_args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
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
        let language = input.language.unwrap_or_else(|| crate::extract::detect_language(&input.text).0);
        let analysis = analyzer.analyze(&AnalysisInput {
            text: &input.text,
            language: &language,
            kind: input.kind.unwrap_or_default(),
            publisher: input.publisher.as_deref(),
        });
        let output = Output { id: input.id, language, entities: analysis.entities, quotes: analysis.quotes };
        serde_json::to_writer(&mut out, &output)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(super::run_status(failed))
}
