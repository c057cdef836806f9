//! Progress display: a bar on a terminal, plain log lines otherwise.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use crate::pipeline::Progress;

/// On a non-terminal, a progress line every this many documents.
const LOG_EVERY: u64 = 50;

pub struct ProgressReporter {
    bar: Option<ProgressBar>,
    name: String,
    queued: AtomicU64,
    done: AtomicU64,
}

impl ProgressReporter {
    pub fn new(name: &str) -> ProgressReporter {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}") {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(name.to_string());
            bar
        });
        ProgressReporter { bar, name: name.to_string(), queued: AtomicU64::new(0), done: AtomicU64::new(0) }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
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
                eprintln!("{}: {done}/{} documents", self.name, self.queued.load(Ordering::Relaxed));
            }
            None => {}
        }
    }

    fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{}: {line}", self.name),
        }
    }
}
