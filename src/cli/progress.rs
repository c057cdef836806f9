//! Progress display: a bar on a terminal, plain lines every [`LOG_EVERY`] documents otherwise.
//!
//! Log lines are printed above the bar being drawn (see [`above_bar`]), never through it.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::pipeline::Progress;

/// On a non-terminal, a progress line every this many documents.
const LOG_EVERY: u64 = 50;

/// The bar drawn now, if any.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `print` with the active bar (if any) cleared from the terminal, then redraws it.
pub fn above_bar<T>(print: impl FnOnce() -> T) -> T {
    let bar = ACTIVE.lock().unwrap_or_else(|p| p.into_inner()).clone();
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}

pub struct ProgressReporter {
    bar: Option<ProgressBar>,
    /// Progress lines go to the log (the daemon) rather than to stderr as plain lines.
    to_log: bool,
    name: String,
    queued: AtomicU64,
    done: AtomicU64,
}

impl ProgressReporter {
    /// A bar when stderr is a terminal, plain lines otherwise; the daemon (`daemon`) never
    /// draws a bar and logs its progress lines.
    pub fn new(name: &str, daemon: bool) -> ProgressReporter {
        let bar = (!daemon && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}") {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(name.to_string());
            *ACTIVE.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar.clone());
            bar
        });
        ProgressReporter {
            bar,
            to_log: daemon,
            name: name.to_string(),
            queued: AtomicU64::new(0),
            done: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            *ACTIVE.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
}

/// On a non-terminal, a rebuild prints a line every this many documents.
const REBUILD_LOG_EVERY: u64 = 1000;

impl ProgressReporter {
    /// Shows `done` of `total` (rebuilds, which know both).
    pub fn update(&self, done: u64, total: u64) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(total);
                bar.set_position(done);
            }
            None => {
                let before = self.done.swap(done, Ordering::Relaxed);
                if done / REBUILD_LOG_EVERY > before / REBUILD_LOG_EVERY || (done == total && before != done) {
                    eprintln!("{}: {done}/{total}", self.name);
                }
            }
        }
    }
}

impl Progress for ProgressReporter {
    fn queued(&self, n: u64) {
        let total = self.queued.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    fn finished(&self, url: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(url.to_string());
            }
            None if done.is_multiple_of(LOG_EVERY) => {
                let queued = self.queued.load(Ordering::Relaxed);
                if self.to_log {
                    tracing::info!(pipeline = %self.name, "{done}/{queued} documents");
                } else {
                    eprintln!("{}: {done}/{queued} documents", self.name);
                }
            }
            None => {}
        }
    }
}
