//! Stopping on signals: the first SIGINT or SIGTERM stops new work and, after a grace period,
//! abandons work in flight (the index is committed either way); a second one exits at once.
//! Store and index are consistent in both cases: every store write is its own transaction and
//! the index catches up from the store on the next start.

use std::time::Duration;

use crate::pipeline::RunControl;

/// Exit status after a second signal (128 + SIGINT, as shells report it).
pub const FORCED_EXIT_STATUS: i32 = 130;

/// Installs the handlers (needs a Tokio runtime) and returns the control they drive.
pub fn on_signals(grace: Duration) -> RunControl {
    let control = RunControl::default();
    let handler = control.clone();
    tokio::spawn(async move {
        let Some(first) = next_signal().await else { return };
        tracing::warn!(
            "{first}: stopping: no new work; fetches in flight get {} s, then the index is committed ({first} again to quit now)",
            grace.as_secs()
        );
        handler.stop.cancel();
        let abandon = handler.abandon.clone();
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            abandon.cancel();
        });
        if let Some(second) = next_signal().await {
            tracing::warn!("{second} again: quitting now; the next start catches the index up with the store");
            std::process::exit(FORCED_EXIT_STATUS);
        }
    });
    control
}

/// Waits for SIGINT or SIGTERM and names it; `None` if no handler could be installed.
async fn next_signal() -> Option<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).ok()?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.ok().map(|()| "interrupt"),
        received = terminate.recv() => received.map(|()| "terminate"),
    }
}
