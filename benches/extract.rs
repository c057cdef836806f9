//! Extraction throughput: quotewire's `extract::decode_html` + `extract::extract` against
//! dom_smoothie (a Rust port of readability.js) over the same pages, in the same process, in
//! alternating rounds, reported as pages per CPU-second with medians and their ratio.
//!
//! Pages are the article-extraction dataset's `html/*.html.gz`, read from the folder named by
//! `QUOTEWIRE_EXTRACTION_DATA` (default `../shared/datasets/article-extraction`, relative to the
//! crate root). The page URL comes from `truth/<id>.json` when present. Decompression and file
//! reading happen before timing; both extractors are timed from page bytes (decoding included).
//!
//! CPU time is the calling thread's time on the CPU from `/proc/thread-self/schedstat`
//! (nanoseconds; the benchmark is single-threaded); where that file is missing (not Linux) the
//! benchmark says so and uses wall time. Pin it to one core for stable numbers:
//! `taskset -c 0 cargo bench --bench extract`.
//!
//! Options (after `--`): `--rounds N` (default 7), `--score-out FILE` (or env
//! `QUOTEWIRE_EXTRACTION_SCORE_OUT`) writes quotewire's `{"id","text"}` JSON lines for
//! `score_extraction.py`, `--smoothie-score-out FILE` does the same for dom_smoothie.
//! Arguments cargo adds (`--bench`) are ignored.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use quotewire::extract;

mod common;
use common::{cpu_nanos, median};

/// Rounds per extractor when `--rounds` is not given; the median damps noise from other
/// processes.
const DEFAULT_ROUNDS: usize = 7;

/// One page of the dataset, decompressed.
struct Page {
    id: String,
    bytes: Vec<u8>,
    url: Option<url::Url>,
}

/// Where a clock reading comes from.
#[derive(Clone, Copy, PartialEq)]
enum Clock {
    ThreadCpu,
    Wall,
}

struct Options {
    rounds: usize,
    score_out: Option<PathBuf>,
    smoothie_score_out: Option<PathBuf>,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("extract bench: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let options = parse_options()?;
    let data = std::env::var("QUOTEWIRE_EXTRACTION_DATA")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/datasets/article-extraction").into());
    let pages = load_pages(Path::new(&data))?;
    if pages.is_empty() {
        return Err(format!("no html/*.html.gz pages in `{data}`: set QUOTEWIRE_EXTRACTION_DATA"));
    }
    let total_bytes: usize = pages.iter().map(|p| p.bytes.len()).sum();
    let clock = if cpu_nanos().is_some() { Clock::ThreadCpu } else { Clock::Wall };
    println!(
        "{} pages, mean {:.0} KB, {} rounds, clock: {}",
        pages.len(),
        total_bytes as f64 / pages.len() as f64 / 1024.0,
        options.rounds,
        match clock {
            Clock::ThreadCpu => "thread CPU time (/proc/thread-self/schedstat)",
            Clock::Wall => "wall time (no /proc/thread-self/schedstat here)",
        }
    );

    // One untimed pass each warms caches and lazily compiled regexes.
    let quotewire_texts: Vec<String> = pages.iter().map(run_quotewire).collect();
    let smoothie_texts: Vec<String> = pages.iter().map(run_smoothie).collect();

    let mut quotewire_rates = Vec::with_capacity(options.rounds);
    let mut smoothie_rates = Vec::with_capacity(options.rounds);
    for round in 1..=options.rounds {
        let quotewire = time_round(clock, &pages, |p| std::hint::black_box(run_quotewire(p)).len());
        let smoothie = time_round(clock, &pages, |p| std::hint::black_box(run_smoothie(p)).len());
        let (q_rate, s_rate) = (pages.len() as f64 / quotewire, pages.len() as f64 / smoothie);
        println!(
            "round {round}: quotewire {q_rate:>7.0} pages/s ({:.1} MB/s)   dom_smoothie {s_rate:>7.0} pages/s   ratio {:.2}",
            total_bytes as f64 / 1e6 / quotewire,
            q_rate / s_rate
        );
        quotewire_rates.push(q_rate);
        smoothie_rates.push(s_rate);
    }
    let (q, s) = (median(&mut quotewire_rates), median(&mut smoothie_rates));
    let unit = if clock == Clock::ThreadCpu { "pages per CPU-second" } else { "pages per second (wall)" };
    println!("median quotewire    {q:.0} {unit}");
    println!("median dom_smoothie {s:.0} {unit}");
    println!("ratio quotewire / dom_smoothie {:.2}", q / s);

    if let Some(path) = &options.score_out {
        write_jsonl(path, &pages, &quotewire_texts)?;
    }
    if let Some(path) = &options.smoothie_score_out {
        write_jsonl(path, &pages, &smoothie_texts)?;
    }
    Ok(())
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        rounds: DEFAULT_ROUNDS,
        score_out: std::env::var_os("QUOTEWIRE_EXTRACTION_SCORE_OUT").map(PathBuf::from),
        smoothie_score_out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => {
                let value = args.next().ok_or("`--rounds` needs a number")?;
                options.rounds = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("bad `--rounds {value}`: expected 1 or more"))?;
            }
            "--score-out" => options.score_out = Some(args.next().ok_or("`--score-out` needs a file")?.into()),
            "--smoothie-score-out" => {
                options.smoothie_score_out = Some(args.next().ok_or("`--smoothie-score-out` needs a file")?.into());
            }
            _ => {} // `--bench` and filters that cargo passes.
        }
    }
    Ok(options)
}

/// Reads and decompresses every `html/*.html.gz`, sorted by id.
fn load_pages(data: &Path) -> Result<Vec<Page>, String> {
    let html_dir = data.join("html");
    let entries = std::fs::read_dir(&html_dir).map_err(|e| format!("cannot read `{}`: {e}", html_dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut pages = Vec::new();
    for path in paths {
        let Some(id) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".html.gz")) else {
            continue;
        };
        let file = std::fs::File::open(&path).map_err(|e| format!("cannot open `{}`: {e}", path.display()))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot decompress `{}`: {e}", path.display()))?;
        let url = std::fs::read_to_string(data.join("truth").join(format!("{id}.json")))
            .ok()
            .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
            .and_then(|truth| truth.get("url").and_then(|u| u.as_str()).and_then(|u| url::Url::parse(u).ok()));
        pages.push(Page { id: id.to_owned(), bytes, url });
    }
    Ok(pages)
}

fn run_quotewire(page: &Page) -> String {
    let decoded = extract::decode_html(&page.bytes, None);
    extract::extract(&decoded.text, page.url.as_ref()).map(|article| article.text).unwrap_or_default()
}

fn run_smoothie(page: &Page) -> String {
    let decoded = extract::decode_html(&page.bytes, None);
    let url = page.url.as_ref().map(url::Url::as_str);
    dom_smoothie::Readability::new(decoded.text.as_str(), url, None)
        .and_then(|mut readability| readability.parse())
        .map(|article| article.text_content.to_string())
        .unwrap_or_default()
}

/// Seconds (CPU or wall) to run `work` over every page once.
fn time_round(clock: Clock, pages: &[Page], mut work: impl FnMut(&Page) -> usize) -> f64 {
    let wall = Instant::now();
    let cpu = cpu_nanos();
    let mut sink = 0usize;
    for page in pages {
        sink = sink.wrapping_add(work(page));
    }
    std::hint::black_box(sink);
    match (clock, cpu, cpu_nanos()) {
        (Clock::ThreadCpu, Some(start), Some(end)) => end.saturating_sub(start) as f64 / 1e9,
        _ => wall.elapsed().as_secs_f64(),
    }
}

fn write_jsonl(path: &Path, pages: &[Page], texts: &[String]) -> Result<(), String> {
    let mut out = String::new();
    for (page, text) in pages.iter().zip(texts) {
        out.push_str(&serde_json::json!({"id": page.id, "text": text}).to_string());
        out.push('\n');
    }
    std::fs::File::create(path)
        .and_then(|mut file| file.write_all(out.as_bytes()))
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    println!("wrote {} predictions to {}", pages.len(), path.display());
    Ok(())
}
