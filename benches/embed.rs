//! Sentence-embedding throughput (feature `transformers`): the project's embedder (its own
//! BERT forward pass on libtorch) against the Python sentence-transformers reference on the
//! same sentences, in the same run, on 1 and 2 threads (`--threads 1,2`); `--rust-bert` also
//! measures rust-bert's pipeline on the same model.
//!
//! Sentences are the statements of the project's stance set (`tests/fixtures/stance/`),
//! repeated `--repeat` times. Each round embeds all of them (batches of 32, sorted by length)
//! and the figures are medians of `--rounds` rounds, in sentences per wall-clock second and
//! per CPU-second of the whole process. The Python side runs
//! `.transformers/venv/bin/python benches/embed_reference.py` (from
//! `.ci/setup-transformers.sh --python-reference`); without that venv only rust-bert is
//! measured. Run pinned, e.g. `taskset -c 0 cargo bench --features transformers --bench embed
//! -- --threads 1` and `taskset -c 0,1 ... -- --threads 2`; other flags: `[--rounds N]
//! [--repeat N] [--batch N] [--rust-bert]`.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use quotewire::embed::{self, BertEmbedder, Embedder};

// Not every helper is used by every benchmark.
#[allow(dead_code)]
mod common;
use common::median;

/// CPU seconds used by this whole process (all threads), from `/proc/self/stat`.
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn flag(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn sentences(repeat: usize) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stance/statements.jsonl");
    let text = std::fs::read_to_string(&path).expect("the stance set");
    let base: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    (0..repeat).flat_map(|_| base.iter().cloned()).collect()
}

struct Rates {
    wall: f64,
    cpu: f64,
}

fn rust_rates(embedder: BertEmbedder, batch: usize, texts: &[&str], rounds: usize) -> Rates {
    let embedder = embedder.with_batch_size(batch);
    embedder.embed(&texts[..32.min(texts.len())]).expect("warm-up");
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (w, c) = (Instant::now(), process_cpu_seconds());
        let vectors = embedder.embed(texts).expect("embeddings");
        assert_eq!(vectors.len(), texts.len());
        wall.push(texts.len() as f64 / w.elapsed().as_secs_f64());
        cpu.push(texts.len() as f64 / (process_cpu_seconds() - c).max(1e-9));
    }
    Rates { wall: median(&mut wall), cpu: median(&mut cpu) }
}

fn python_rates(dir: &std::path::Path, threads: usize, input: &std::path::Path, rounds: usize) -> Option<Rates> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".transformers/venv/bin/python");
    if !python.is_file() {
        return None;
    }
    let output = Command::new(python)
        .arg(root.join("benches/embed_reference.py"))
        .args(["--model".as_ref(), dir.as_os_str(), "--input".as_ref(), input.as_os_str()])
        .args(["--threads", &threads.to_string(), "--rounds", &rounds.to_string()])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("python reference failed: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii()).ok()?;
    let list =
        |key: &str| -> Vec<f64> { json[key].as_array().into_iter().flatten().filter_map(|v| v.as_f64()).collect() };
    Some(Rates { wall: median(&mut list("wall_per_s")), cpu: median(&mut list("cpu_per_s")) })
}

/// The lowest cosine between the embedder's vectors and the committed Python reference.
fn worst_reference_cosine(dir: &std::path::Path) -> f32 {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/embeddings/reference.json");
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the reference")).expect("JSON");
    let sentences = reference["sentences"].as_array().expect("sentences");
    let texts: Vec<&str> = sentences.iter().filter_map(|s| s["text"].as_str()).collect();
    let embedder = BertEmbedder::load(dir, 1).expect("the model");
    let vectors = embedder.embed(&texts).expect("embeddings");
    sentences
        .iter()
        .zip(&vectors)
        .map(|(s, v)| {
            let r: Vec<f32> =
                s["vector"].as_array().into_iter().flatten().filter_map(|x| x.as_f64()).map(|x| x as f32).collect();
            quotewire::vectors::cosine(&r, v)
        })
        .fold(f32::MAX, f32::min)
}

fn main() {
    let rounds = flag("--rounds", 3);
    let repeat = flag("--repeat", 2);
    // The Rust batch size (Python keeps sentence-transformers' default, 32).
    let batch = flag("--batch", embed::DEFAULT_BATCH_SIZE);
    let args: Vec<String> = std::env::args().collect();
    let with_rust_bert = args.iter().any(|a| a == "--rust-bert");
    let thread_counts: Vec<usize> = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| vec![1, 2], |v| v.split(',').filter_map(|t| t.parse().ok()).collect());
    let dir = embed::model_dir(None, std::path::Path::new(embed::DEFAULT_MODEL_DIR));
    let owned = sentences(repeat);
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let input = std::env::temp_dir().join(format!("quotewire-embed-bench-{}.jsonl", std::process::id()));
    let lines: String = owned.iter().map(|t| format!("{}\n", serde_json::json!({ "text": t }))).collect();
    std::fs::write(&input, lines).expect("temp file");
    println!(
        "{} sentences ({} distinct statements x {repeat}), model {}, median of {rounds} rounds, rust batches of {batch}, python 32",
        texts.len(),
        texts.len() / repeat.max(1),
        dir.display()
    );
    println!(
        "{:<8} {:<10} {:>12} {:>12} {:>12} {:>12}",
        "threads", "engine", "/s (wall)", "/CPU-s", "wall ratio", "CPU ratio"
    );
    let load = "the model (run .ci/setup-transformers.sh)";
    println!("worst cosine with the Python reference vectors: {:.6}", worst_reference_cosine(&dir));
    for threads in thread_counts {
        let python = python_rates(&dir, threads, &input, rounds);
        let mut rows =
            vec![("quotewire", rust_rates(BertEmbedder::load(&dir, threads).expect(load), batch, &texts, rounds))];
        if with_rust_bert {
            let rust_bert = BertEmbedder::load_rust_bert(&dir, threads).expect(load);
            rows.push(("rust-bert", rust_rates(rust_bert, batch, &texts, rounds)));
        }
        for (engine, rates) in &rows {
            let (wall_ratio, cpu_ratio) = match &python {
                Some(p) => (format!("{:.2}", rates.wall / p.wall), format!("{:.2}", rates.cpu / p.cpu)),
                None => ("-".into(), "-".into()),
            };
            println!(
                "{threads:<8} {engine:<10} {:>12.1} {:>12.1} {wall_ratio:>12} {cpu_ratio:>12}",
                rates.wall, rates.cpu
            );
        }
        if let Some(p) = &python {
            println!("{threads:<8} {:<10} {:>12.1} {:>12.1}", "python", p.wall, p.cpu);
        }
    }
    let _ = std::fs::remove_file(&input);
}
