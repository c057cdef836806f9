//! Process-wide metrics (counters, gauges, one histogram) and their rendering in the
//! Prometheus text exposition format (version 0.0.4), served at `/metrics` by `serve` and by
//! `run --metrics-bind`.
//!
//! Owns the metric names, their help texts and labels; the stages count through the statics
//! below and never render anything. Series are created on first use, so a fresh process
//! exposes only what it has seen (the usual Prometheus client behaviour).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Fetches by outcome: `fetched`, `not_modified`, `failed`, `disallowed`, `deferred`.
pub static FETCHES: Counter = Counter::new("quotewire_fetches_total", "HTTP fetches by outcome.", &["outcome"]);
/// Time of each fetch that got an answer (redirects and retries included).
pub static FETCH_SECONDS: Histogram = Histogram::new(
    "quotewire_fetch_duration_seconds",
    "Duration of fetches, redirects and retries included.",
    &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0],
);
/// Processed pages by what they became: an article kind, or `not-article`.
pub static PAGES: Counter = Counter::new("quotewire_pages_total", "Processed pages by kind.", &["kind"]);
/// Quotes stored, by stance.
pub static QUOTES: Counter = Counter::new("quotewire_quotes_total", "Quotes found, by stance.", &["stance"]);
/// Errors by stage: `fetch`, `discovery`, `extract`, `store`, `index`, `deadline`.
pub static ERRORS: Counter = Counter::new("quotewire_errors_total", "Errors by pipeline stage.", &["stage"]);
/// Fetches in flight now.
pub static FETCHES_IN_FLIGHT: Gauge =
    Gauge::new("quotewire_fetches_in_flight", "Fetches in flight (queue depth of the fetch stage).", &[]);
/// Fetched bodies waiting for or in extraction and analysis.
pub static PROCESSING_QUEUE: Gauge = Gauge::new(
    "quotewire_processing_queue",
    "Fetched documents waiting for or in extraction and analysis (queue depth).",
    &[],
);
/// Articles stored but not yet in the index.
pub static INDEX_LAG: Gauge =
    Gauge::new("quotewire_index_lag_documents", "Articles stored but not yet committed to the index.", &[]);
/// Finished runs by pipeline and outcome (`ok`, `failures`, `interrupted`, `error`).
pub static RUNS: Counter = Counter::new("quotewire_runs_total", "Finished runs by outcome.", &["pipeline", "outcome"]);
/// When each pipeline last completed a run, as a Unix time.
pub static LAST_SUCCESS: Gauge = Gauge::new(
    "quotewire_last_success_timestamp_seconds",
    "Unix time at which each pipeline last completed a run.",
    &["pipeline"],
);
/// Sources failing for several runs in a row (`run.failing_source_runs`).
pub static FAILING_SOURCES: Gauge =
    Gauge::new("quotewire_failing_sources", "Sources that failed several runs in a row.", &[]);
/// Bytes on disk.
pub static STORE_BYTES: Gauge = Gauge::new("quotewire_store_bytes", "Size of the document store on disk.", &[]);
pub static INDEX_BYTES: Gauge = Gauge::new("quotewire_index_bytes", "Size of the search index on disk.", &[]);
/// HTTP requests served, by route and status.
pub static HTTP_REQUESTS: Counter =
    Counter::new("quotewire_http_requests_total", "HTTP requests served, by route and status.", &["route", "status"]);

/// Every metric, in exposition order.
fn all() -> [&'static dyn Render; 16] {
    [
        &FETCHES,
        &FETCH_SECONDS,
        &PAGES,
        &QUOTES,
        &ERRORS,
        &FETCHES_IN_FLIGHT,
        &PROCESSING_QUEUE,
        &INDEX_LAG,
        &RUNS,
        &LAST_SUCCESS,
        &FAILING_SOURCES,
        &STORE_BYTES,
        &INDEX_BYTES,
        &HTTP_REQUESTS,
        &BUILD_INFO,
        &UP,
    ]
}

static BUILD_INFO: Gauge = Gauge::new("quotewire_build_info", "Build information (always 1).", &["version"]);
static UP: Gauge = Gauge::new("quotewire_up", "1 while the process serves metrics.", &[]);

/// The content type of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Every metric in the text exposition format.
pub fn render() -> String {
    BUILD_INFO.set(&[env!("CARGO_PKG_VERSION")], 1.0);
    UP.set(&[], 1.0);
    let mut out = String::new();
    for metric in all() {
        metric.render(&mut out);
    }
    out
}

trait Render: Sync {
    fn render(&self, out: &mut String);
}

type Series<T> = Mutex<BTreeMap<Vec<String>, T>>;

fn labels_of(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_string()).collect()
}

/// `{a="x",b="y"}` with values escaped as the format requires.
fn label_text(names: &[&str], values: &[String], extra: Option<(&str, &str)>) -> String {
    let mut pairs: Vec<String> = names.iter().zip(values).map(|(n, v)| format!("{n}=\"{}\"", escape(v))).collect();
    if let Some((n, v)) = extra {
        pairs.push(format!("{n}=\"{v}\""));
    }
    if pairs.is_empty() { String::new() } else { format!("{{{}}}", pairs.join(",")) }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn number(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A monotonically increasing count per label set.
pub struct Counter {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    series: Series<f64>,
}

impl Counter {
    pub const fn new(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Counter {
        Counter { name, help, labels, series: Mutex::new(BTreeMap::new()) }
    }

    pub fn inc(&self, labels: &[&str]) {
        self.add(labels, 1.0);
    }

    pub fn add(&self, labels: &[&str], value: f64) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series.entry(labels_of(labels)).or_default() += value;
    }

    /// The current value (tests).
    pub fn get(&self, labels: &[&str]) -> f64 {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series.get(&labels_of(labels)).copied().unwrap_or(0.0)
    }
}

impl Render for Counter {
    fn render(&self, out: &mut String) {
        header(out, self.name, self.help, "counter");
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        for (values, value) in series.iter() {
            let _ = writeln!(out, "{}{} {}", self.name, label_text(self.labels, values, None), number(*value));
        }
    }
}

/// A value that goes up and down, per label set.
pub struct Gauge {
    name: &'static str,
    help: &'static str,
    labels: &'static [&'static str],
    series: Series<f64>,
}

impl Gauge {
    pub const fn new(name: &'static str, help: &'static str, labels: &'static [&'static str]) -> Gauge {
        Gauge { name, help, labels, series: Mutex::new(BTreeMap::new()) }
    }

    pub fn set(&self, labels: &[&str], value: f64) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series.insert(labels_of(labels), value);
    }

    pub fn add(&self, labels: &[&str], value: f64) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        *series.entry(labels_of(labels)).or_default() += value;
    }

    pub fn get(&self, labels: &[&str]) -> f64 {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series.get(&labels_of(labels)).copied().unwrap_or(0.0)
    }
}

impl Render for Gauge {
    fn render(&self, out: &mut String) {
        header(out, self.name, self.help, "gauge");
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        for (values, value) in series.iter() {
            let _ = writeln!(out, "{}{} {}", self.name, label_text(self.labels, values, None), number(*value));
        }
    }
}

/// Raises a gauge while it lives (a queue depth that must come down even on early return).
pub struct GaugeGuard(&'static Gauge);

impl GaugeGuard {
    pub fn hold(gauge: &'static Gauge) -> GaugeGuard {
        gauge.add(&[], 1.0);
        GaugeGuard(gauge)
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.add(&[], -1.0);
    }
}

#[derive(Default)]
struct HistogramSeries {
    /// Cumulative counts per bucket bound, then the `+Inf` count.
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

/// Observations counted into fixed buckets.
pub struct Histogram {
    name: &'static str,
    help: &'static str,
    bounds: &'static [f64],
    series: Series<HistogramSeries>,
}

impl Histogram {
    pub const fn new(name: &'static str, help: &'static str, bounds: &'static [f64]) -> Histogram {
        Histogram { name, help, bounds, series: Mutex::new(BTreeMap::new()) }
    }

    pub fn observe(&self, value: f64) {
        let mut series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let entry = series
            .entry(Vec::new())
            .or_insert_with(|| HistogramSeries { buckets: vec![0; self.bounds.len()], ..HistogramSeries::default() });
        for (bound, count) in self.bounds.iter().zip(entry.buckets.iter_mut()) {
            if value <= *bound {
                *count += 1;
            }
        }
        entry.sum += value;
        entry.count += 1;
    }

    /// Observations so far (tests).
    pub fn count(&self) -> u64 {
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        series.values().map(|s| s.count).sum()
    }
}

impl Render for Histogram {
    fn render(&self, out: &mut String) {
        header(out, self.name, self.help, "histogram");
        let series = self.series.lock().unwrap_or_else(|p| p.into_inner());
        for (values, s) in series.iter() {
            for (bound, count) in self.bounds.iter().zip(&s.buckets) {
                let labels = label_text(&[], values, Some(("le", &number(*bound))));
                let _ = writeln!(out, "{}_bucket{labels} {count}", self.name);
            }
            let labels = label_text(&[], values, Some(("le", "+Inf")));
            let _ = writeln!(out, "{}_bucket{labels} {}", self.name, s.count);
            let _ = writeln!(out, "{}_sum {}", self.name, number(s.sum));
            let _ = writeln!(out, "{}_count {}", self.name, s.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_format_is_well_formed() {
        static C: Counter = Counter::new("t_total", "A test counter.", &["outcome"]);
        static H: Histogram = Histogram::new("t_seconds", "A test histogram.", &[0.1, 1.0]);
        C.inc(&["ok"]);
        C.add(&["say \"hi\"\n"], 2.0);
        H.observe(0.05);
        H.observe(0.5);
        H.observe(5.0);
        let mut out = String::new();
        C.render(&mut out);
        H.render(&mut out);
        assert!(out.contains("# TYPE t_total counter\n"), "{out}");
        assert!(out.contains("t_total{outcome=\"ok\"} 1\n"), "{out}");
        assert!(out.contains("t_total{outcome=\"say \\\"hi\\\"\\n\"} 2\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{le=\"0.1\"} 1\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{le=\"1\"} 2\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("t_seconds_sum 5.55\n") && out.contains("t_seconds_count 3\n"), "{out}");
    }

    #[test]
    fn render_names_every_family_once() {
        let text = render();
        for metric in ["quotewire_fetches_total", "quotewire_fetch_duration_seconds", "quotewire_up"] {
            assert_eq!(text.matches(&format!("# TYPE {metric} ")).count(), 1, "{metric}");
        }
    }
}
