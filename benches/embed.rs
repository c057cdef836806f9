//! Sentence-embedding throughput (feature `transformers`): rust-bert against the Python
//! sentence-transformers reference on the same sentences, in the same run, on 1 and 2 threads.
//!
//! Sentences are the statements of the project's stance set (`tests/fixtures/stance/`),
//! repeated `--repeat` times. Each round embeds all of them (batches of 32, sorted by length)
//! and the figures are medians of `--rounds` rounds, in sentences per wall-clock second and
//! per CPU-second of the whole process. The Python side runs
//! `.transformers/venv/bin/python benches/embed_reference.py` (from
//! `.ci/setup-transformers.sh --python-reference`); without that venv only rust-bert is
//! measured. Run: `cargo bench --features transformers --bench embed -- [--rounds N] [--repeat N]`.

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

fn rust_rates(dir: &std::path::Path, threads: usize, texts: &[&str], rounds: usize) -> Rates {
    let embedder = BertEmbedder::load(dir, threads).expect("the model (run .ci/setup-transformers.sh)");
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

fn main() {
    let rounds = flag("--rounds", 3);
    let repeat = flag("--repeat", 2);
    let dir = embed::model_dir(None, std::path::Path::new(embed::DEFAULT_MODEL_DIR));
    let owned = sentences(repeat);
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let input = std::env::temp_dir().join(format!("quotewire-embed-bench-{}.jsonl", std::process::id()));
    let lines: String = owned.iter().map(|t| format!("{}\n", serde_json::json!({ "text": t }))).collect();
    std::fs::write(&input, lines).expect("temp file");
    println!(
        "{} sentences ({} distinct statements x {repeat}), model {}, median of {rounds} rounds",
        texts.len(),
        texts.len() / repeat.max(1),
        dir.display()
    );
    println!(
        "{:<8} {:>22} {:>22} {:>22} {:>22} {:>9}",
        "threads", "rust-bert /s (wall)", "python /s (wall)", "rust-bert /CPU-s", "python /CPU-s", "ratio"
    );
    for threads in [1, 2] {
        let rust = rust_rates(&dir, threads, &texts, rounds);
        let python = python_rates(&dir, threads, &input, rounds);
        let (py_wall, py_cpu, ratio) = match &python {
            Some(p) => (format!("{:.1}", p.wall), format!("{:.1}", p.cpu), format!("{:.2}", rust.wall / p.wall)),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!("{threads:<8} {:>22.1} {py_wall:>22} {:>22.1} {py_cpu:>22} {ratio:>9}", rust.wall, rust.cpu);
    }
    let _ = std::fs::remove_file(&input);
}
