//! `quotewire eval-quotes`: predictions for the quote scorer on a fixed split of a gold file.
//!
//! Reads gold JSON lines (`{"id","text","quotes"}`, optionally gzip-compressed, e.g. the
//! development kit's `quotes/polnear-train/gold.jsonl.gz`), keeps one part of a fixed split
//! (ids sorted as strings; position `i % 5 == 4` is held out, the rest is for tuning), analyses
//! each text as English news and writes the part's gold lines and `{"id","quotes"}` predictions
//! for `score_quotes.py`. Nothing is copied into the project.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::UsageError;
use crate::model::{PageKind, QuoteKind};
use crate::nlp::{AnalysisInput, Analyzer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// Four fifths of the articles, for tuning rules.
    Tune,
    /// The held-out fifth.
    Held,
    /// Everything.
    All,
}

#[derive(Debug, Args)]
pub struct EvalQuotesArgs {
    /// Gold JSON lines, optionally .gz.
    #[arg(long)]
    pub gold: PathBuf,
    #[arg(long, value_enum, default_value_t = Part::Held)]
    pub part: Part,
    /// Where to write the part's gold lines.
    #[arg(long)]
    pub gold_out: PathBuf,
    /// Where to write the predictions.
    #[arg(long)]
    pub pred_out: PathBuf,
    /// Keep only predictions of this kind (what a `quote_kind:` search returns), to score one
    /// kind with `score_quotes.py --kind`.
    #[arg(long, value_enum, default_value_t = KindFilter::All)]
    pub kind: KindFilter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindFilter {
    All,
    Direct,
    Mixed,
    Indirect,
}

impl KindFilter {
    fn keeps(self, kind: QuoteKind) -> bool {
        match self {
            KindFilter::All => true,
            KindFilter::Direct => kind == QuoteKind::Direct,
            KindFilter::Mixed => kind == QuoteKind::Mixed,
            KindFilter::Indirect => kind == QuoteKind::Indirect,
        }
    }
}

pub fn run(args: EvalQuotesArgs) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(&args.gold).map_err(|e| UsageError(format!("cannot read {}: {e}", args.gold.display())))?;
    let reader: Box<dyn Read> = if args.gold.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut lines: Vec<(String, String, serde_json::Value)> = Vec::new();
    for (n, line) in BufReader::new(reader).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| UsageError(format!("{} line {}: {e}", args.gold.display(), n + 1)))?;
        let id = match &value["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        lines.push((id, line, value));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let analyzer = Analyzer::new();
    let mut gold_out = BufWriter::new(std::fs::File::create(&args.gold_out)?);
    let mut pred_out = BufWriter::new(std::fs::File::create(&args.pred_out)?);
    let (mut articles, mut quotes) = (0usize, 0usize);
    let started = Instant::now();
    for (i, (_, line, value)) in lines.iter().enumerate() {
        let held = i % 5 == 4;
        let keep = match args.part {
            Part::All => true,
            Part::Held => held,
            Part::Tune => !held,
        };
        if !keep {
            continue;
        }
        let text = value["text"].as_str().unwrap_or("");
        let analysis = analyzer.analyze(&AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None });
        let kept: Vec<_> = analysis.quotes.iter().filter(|q| args.kind.keeps(q.kind)).collect();
        writeln!(gold_out, "{line}")?;
        serde_json::to_writer(&mut pred_out, &serde_json::json!({ "id": value["id"], "quotes": kept }))?;
        pred_out.write_all(b"\n")?;
        articles += 1;
        quotes += kept.len();
    }
    gold_out.flush()?;
    pred_out.flush()?;
    eprintln!(
        "{articles} articles, {quotes} predicted quotes in {:.1} s; score with: python3 score_quotes.py {} {}",
        started.elapsed().as_secs_f64(),
        args.gold_out.display(),
        args.pred_out.display()
    );
    Ok(ExitCode::SUCCESS)
}
