//! What a run reports: its counts and one-line summary, per-source results, and progress
//! events for the command line.

use chrono::{DateTime, Utc};

/// Counts reported at the end of a run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunStats {
    /// Bodies downloaded (feeds and sitemaps included).
    pub fetched: u64,
    /// Pages not downloaded again or unchanged since the last run.
    pub unchanged: u64,
    /// Documents that failed (fetch, extraction, store) and sources that did not finish in
    /// time; each is also in `errors`.
    pub failed: u64,
    /// URLs refused by robots.txt.
    pub disallowed: u64,
    /// URLs skipped because they failed recently and are not due again yet.
    pub deferred: u64,
    /// When the first deferred URL is due again (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_until: Option<String>,
    /// Pages that were not articles (listings, section fronts).
    pub not_articles: u64,
    /// Articles stored or updated in this run.
    pub articles: u64,
    /// Quotes in those articles.
    pub quotes: u64,
    pub seconds: f64,
    /// The run was stopped before it finished (Ctrl-C, SIGTERM).
    #[serde(default)]
    pub interrupted: bool,
    /// Each source's result.
    #[serde(default)]
    pub sources: Vec<SourceReport>,
    /// `(url, error)` of every failure.
    #[serde(skip)]
    pub errors: Vec<(String, String)>,
}

/// How one source fared in a run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceReport {
    /// `feed https://...`, as in `quotewire status`.
    pub source: String,
    /// Links the source gave.
    pub links: u64,
    /// Why the source failed (its feed could not be read, it ran out of time), if it did.
    pub error: Option<String>,
}

impl RunStats {
    /// Adds another run's counts to these (a worker's pipelines); `seconds`, `interrupted`
    /// and `sources` stay the caller's.
    pub fn add(&mut self, other: &RunStats) {
        self.fetched += other.fetched;
        self.unchanged += other.unchanged;
        self.failed += other.failed;
        self.disallowed += other.disallowed;
        self.deferred += other.deferred;
        self.not_articles += other.not_articles;
        self.articles += other.articles;
        self.quotes += other.quotes;
        if let Some(until) = &other.deferred_until
            && self.deferred_until.as_ref().is_none_or(|mine| until < mine)
        {
            self.deferred_until = Some(until.clone());
        }
        self.errors.extend(other.errors.iter().cloned());
    }

    /// The one-line summary of PRODUCT.md; deferred URLs say when they are due and how to
    /// fetch them now.
    pub fn summary(&self) -> String {
        let deferred = match (self.deferred, self.deferred_until.as_deref().and_then(readable_time)) {
            (0, _) => "deferred 0".to_string(),
            (n, Some(due)) => format!("deferred {n} (failed recently; next try from {due}, or now with --refetch)"),
            (n, None) => format!("deferred {n} (failed recently; --refetch tries them now)"),
        };
        format!(
            "fetched {}, unchanged {}, failed {}, {deferred}, disallowed {}, not articles {}, articles {}, quotes {}, {:.1} s{}",
            self.fetched,
            self.unchanged,
            self.failed,
            self.disallowed,
            self.not_articles,
            self.articles,
            self.quotes,
            self.seconds,
            if self.interrupted { " (interrupted)" } else { "" }
        )
    }

    /// Records that a URL was deferred until `due` (RFC 3339), keeping the earliest.
    pub(super) fn defer(&mut self, due: &str) {
        self.deferred += 1;
        if self.deferred_until.as_deref().is_none_or(|known| due < known) {
            self.deferred_until = Some(due.to_string());
        }
    }

    /// `ok`, `failures` (completed with failed documents) or `interrupted`.
    pub fn outcome(&self) -> &'static str {
        if self.interrupted {
            "interrupted"
        } else if self.failed > 0 {
            "failures"
        } else {
            "ok"
        }
    }
}

/// `2024-05-01 14:52 UTC` from an RFC 3339 time.
fn readable_time(rfc3339: &str) -> Option<String> {
    let time: DateTime<Utc> = DateTime::parse_from_rfc3339(rfc3339).ok()?.with_timezone(&Utc);
    Some(time.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Receives progress events (the CLI draws a bar; tests stay silent).
pub trait Progress: Send + Sync {
    /// `n` more documents are queued.
    fn queued(&self, n: u64);
    /// One document is finished.
    fn finished(&self, url: &str);
}

/// Progress that reports nothing.
pub struct SilentProgress;

impl Progress for SilentProgress {
    fn queued(&self, _: u64) {}
    fn finished(&self, _: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_urls_say_when_they_are_due_and_name_refetch() {
        let mut stats = RunStats::default();
        assert!(stats.summary().contains("deferred 0,"));
        stats.defer("2030-01-02T03:40:00Z");
        stats.defer("2030-01-02T03:04:00Z");
        let summary = stats.summary();
        assert!(
            summary.contains("deferred 2 (failed recently; next try from 2030-01-02 03:04 UTC, or now with --refetch)"),
            "{summary}"
        );
    }
}
