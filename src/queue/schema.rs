//! The work queue's tables, as versioned migrations (component `queue` in
//! `schema_migrations`). A new version appends a step; released steps never change.

use crate::postgres::Migration;

/// The `schema_migrations` component name of the queue.
pub(super) const COMPONENT: &str = "queue";

pub(super) const MIGRATIONS: [Migration; 3] = [
    Migration {
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
    },
    Migration {
        version: 2,
        name: "per-host jobs in flight, leader terms, scheduled pipelines",
        sql: "
-- A host admits up to `concurrency` held jobs at once when its interval is zero, one
-- otherwise; `in_flight` counts the held ones (jobs whose `holds_host` is set while running).
ALTER TABLE queue_hosts
    ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 1 CHECK (concurrency >= 1),
    ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0 CHECK (in_flight >= 0);
ALTER TABLE queue_jobs ADD COLUMN holds_host BOOLEAN NOT NULL DEFAULT false;

-- The fencing token of a role: it grows each time the role changes hands (or is taken
-- again after its lease ran out), so work checked against it cannot come from a deposed leader.
ALTER TABLE queue_leaders ADD COLUMN term BIGINT NOT NULL DEFAULT 1;

-- Pipelines the fleet's scheduler (the `scheduler` leader) queues when due: their jobs as
-- queued by `enqueue`, their cadence (`every_ms` or `cron`) and jitter, and the due time of
-- the last run queued (ms since the epoch).
CREATE TABLE queue_schedules (
    pipeline TEXT PRIMARY KEY,
    every_ms BIGINT CHECK (every_ms > 0),
    cron TEXT,
    jitter_ms BIGINT NOT NULL DEFAULT 0 CHECK (jitter_ms >= 0),
    jobs TEXT NOT NULL,
    last_due_ms BIGINT,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((every_ms IS NULL) <> (cron IS NULL))
);

-- Every scheduled run queued: one row per pipeline and due time, by the leader of that term.
CREATE TABLE queue_schedule_runs (
    pipeline TEXT NOT NULL,
    due_ms BIGINT NOT NULL,
    leader TEXT NOT NULL,
    term BIGINT NOT NULL,
    jobs_added BIGINT NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pipeline, due_ms)
);
",
    },
    Migration {
        version: 3,
        name: "site and listing jobs, job parameters",
        sql: "
-- A site job discovers a home page's feeds and robots.txt's sitemaps; a listing job reads a
-- newsroom listing and the pages after it. Both queue the article links they find as pages.
ALTER TABLE queue_jobs DROP CONSTRAINT queue_jobs_kind_check;
ALTER TABLE queue_jobs ADD CONSTRAINT queue_jobs_kind_check
    CHECK (kind IN ('feed', 'sitemap', 'page', 'site', 'listing'));
-- What a job needs besides its URL, so a worker without the pipeline file can do it (a
-- listing's selectors and page limit); NULL for the other kinds.
ALTER TABLE queue_jobs ADD COLUMN params JSONB;
ALTER TABLE queue_jobs ADD CONSTRAINT queue_jobs_listing_params CHECK (kind <> 'listing' OR params IS NOT NULL);
",
    },
];
