//! Analysis throughput: the whole analysis stage (sentences, entities, quotes, speakers,
//! stance) in sentences per CPU-second, and the entity tagger alone in tokens per CPU-second.
//!
//! Texts are the article texts of a quotes gold file named by `QUOTEWIRE_QUOTES_DATA` (default
//! `../shared/datasets/quotes/polnear-train/gold.jsonl.gz`, relative to the crate root); where
//! it is missing, the bundled fixture corpus is extracted and used instead. The clock is this
//! thread's CPU time; pin it for stable numbers: `taskset -c 0 cargo bench --bench analyze`.
//! Option (after `--`): `--rounds N` (default 5).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::time::Instant;

use quotewire::model::PageKind;
use quotewire::nlp::ner::NerModel;
use quotewire::nlp::{AnalysisInput, Analyzer, split_sentences, tokenize};

mod common;
use common::{cpu_nanos, median};

fn texts() -> (Vec<String>, String) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let gold = std::env::var_os("QUOTEWIRE_QUOTES_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/datasets/quotes/polnear-train/gold.jsonl.gz"));
    if let Ok(file) = std::fs::File::open(&gold) {
        let reader: Box<dyn Read> = if gold.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let texts = BufReader::new(reader)
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect();
        return (texts, gold.display().to_string());
    }
    let files = quotewire::fetch::list_html_files(&root.join("tests/fixtures/sites")).unwrap_or_default();
    let texts = files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter_map(|bytes| {
            let decoded = quotewire::extract::decode_html(&bytes, None);
            quotewire::extract::extract(&decoded.text, None).ok().map(|p| p.text)
        })
        .collect();
    (texts, "the bundled fixture corpus".to_string())
}

fn timed(f: impl FnOnce()) -> f64 {
    let (wall, cpu) = (Instant::now(), cpu_nanos());
    f();
    match (cpu, cpu_nanos()) {
        (Some(start), Some(end)) => end.saturating_sub(start) as f64 / 1e9,
        _ => wall.elapsed().as_secs_f64(),
    }
}

fn main() {
    let rounds =
        std::env::args().skip_while(|a| a != "--rounds").nth(1).and_then(|v| v.parse().ok()).unwrap_or(5usize).max(1);
    let (texts, source) = texts();
    let analyzer = Analyzer::new();
    let model = NerModel::shipped().expect("the shipped model loads");
    let sentences: usize = texts.iter().map(|t| split_sentences(t).len()).sum();
    let tokenized: Vec<Vec<Vec<&str>>> = texts
        .iter()
        .map(|t| split_sentences(t).into_iter().map(|s| tokenize(t, s).into_iter().map(|k| k.text).collect()).collect())
        .collect();
    let tokens: usize = tokenized.iter().flatten().map(Vec::len).sum();
    println!("{} texts, {sentences} sentences, {tokens} tokens from {source}", texts.len());
    let analyze_all = || {
        for text in &texts {
            let input = AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None };
            std::hint::black_box(analyzer.analyze(&input));
        }
    };
    analyze_all(); // warm-up
    let mut stage = Vec::new();
    let mut tagger = Vec::new();
    for _ in 0..rounds {
        stage.push(sentences as f64 / timed(analyze_all));
        tagger.push(
            tokens as f64
                / timed(|| {
                    for doc in &tokenized {
                        std::hint::black_box(model.tag_document(doc));
                    }
                }),
        );
    }
    println!("analysis stage: {:>9.0} sentences per CPU-second (median of {rounds})", median(&mut stage));
    println!("entity tagger:  {:>9.0} tokens per CPU-second (median of {rounds})", median(&mut tagger));
}
