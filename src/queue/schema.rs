//! The work queue's tables, as versioned migrations (component `queue` in
//! `schema_migrations`). A new version appends a step; released steps never change.

use crate::postgres::Migration;

/// The `schema_migrations` component name of the queue.
pub(super) const COMPONENT: &str = "queue";

pub(super) const MIGRATIONS: [Migration; 1] = [Migration {
    version: 1,
    name: "jobs, hosts and leader leases",
    sql: "
CREATE TABLE queue_hosts (
    host TEXT PRIMARY KEY,
    -- The least time between two claims of this host's jobs, across every worker.
    interval_ms BIGINT NOT NULL CHECK (interval_ms >= 0),
    next_allowed_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    -- Jobs of this host in state `queued` (kept by every statement that changes a state), so
    -- a claim looks only at hosts with work.
    ready BIGINT NOT NULL DEFAULT 0 CHECK (ready >= 0)
);
CREATE INDEX queue_hosts_due ON queue_hosts (next_allowed_at) WHERE ready > 0;

CREATE TABLE queue_jobs (
    id BIGSERIAL PRIMARY KEY,
    pipeline TEXT NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'sitemap', 'page')),
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    not_before TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner TEXT,
    lease_expires_at TIMESTAMPTZ,
    last_error TEXT,
    enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ
);
-- One pending job per URL and pipeline; finished jobs stay as history.
CREATE UNIQUE INDEX queue_jobs_pending_url ON queue_jobs (pipeline, url) WHERE state IN ('queued', 'running');
CREATE INDEX queue_jobs_ready ON queue_jobs (host, id) WHERE state = 'queued';
CREATE INDEX queue_jobs_leases ON queue_jobs (lease_expires_at) WHERE state = 'running';

CREATE TABLE queue_leaders (
    role TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
",
}];
