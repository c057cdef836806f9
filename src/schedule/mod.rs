//! Scheduling: decides when each pipeline runs, and runs the daemon loop that starts them.
//!
//! `plan` computes the next start (cron or interval, jitter, one catch-up after downtime);
//! `daemon` waits for each start and hands the run to [`crate::pipeline`], persisting last and
//! next runs in the store; `shutdown` turns signals into a two-step stop; `status` reads back
//! what the daemon recorded; `fleet` is the distributed workers' scheduler (the worker
//! leading the `scheduler` role queues pipelines registered in PostgreSQL when due). The work of a run is the pipeline's, not this module's.

mod daemon;
mod fleet;
mod plan;
mod shutdown;
mod status;

pub use daemon::{DaemonOptions, DaemonReport, RunReporter, run_daemon};
pub use fleet::{DEFAULT_LEADER_LEASE, FleetScheduleReport, lead_schedules};
pub use plan::{jitter, next_slot, next_start};
pub use shutdown::{FORCED_EXIT_STATUS, on_signals};
pub use status::{StatusReport, refresh_metrics};
