//! Raw serde shapes of `config/default.toml` (and a pipeline's `[fetch]` overrides), and their
//! validation.
//!
//! Defaults live here and only here (`Default` impls mirror `config/default.toml`, which a
//! test checks). Validation turns raw values into domain types and records every problem.

use std::time::Duration;

use serde::Deserialize;

use super::{Config, EmbedConfig, FetchConfig, IndexConfig, Issues, PrivateAddresses, RunConfig, ServerConfig};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    pub fetch: RawFetch,
    pub index: RawIndex,
    pub server: RawServer,
    pub run: RawRun,
    pub embed: RawEmbed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawRun {
    pub source_deadline_secs: u64,
    pub shutdown_grace_secs: u64,
    pub local_roots: Vec<String>,
    pub failing_source_runs: u32,
}

impl Default for RawRun {
    fn default() -> Self {
        RawRun { source_deadline_secs: 900, shutdown_grace_secs: 10, local_roots: Vec::new(), failing_source_runs: 3 }
    }
}

impl RawRun {
    fn validate(self, issues: &mut Issues) -> RunConfig {
        if !(1..=86_400).contains(&self.source_deadline_secs) {
            issues.push(
                "run.source_deadline_secs",
                format!("`{}` is out of range", self.source_deadline_secs),
                Some("use 1 to 86400 seconds"),
            );
        }
        if self.shutdown_grace_secs > 3600 {
            issues.push(
                "run.shutdown_grace_secs",
                format!("`{}` is out of range", self.shutdown_grace_secs),
                Some("use 0 to 3600 seconds"),
            );
        }
        if self.failing_source_runs == 0 {
            issues.push("run.failing_source_runs", "`0` is out of range", Some("use 1 or more runs"));
        }
        let mut local_roots = Vec::new();
        for (i, root) in self.local_roots.iter().enumerate() {
            match std::fs::canonicalize(root) {
                Ok(path) if path.is_dir() => local_roots.push(path),
                Ok(_) => issues.push(format!("run.local_roots[{i}]"), format!("`{root}` is not a directory"), None),
                Err(e) => issues.push(
                    format!("run.local_roots[{i}]"),
                    format!("`{root}` cannot be read: {e}"),
                    Some("name an existing directory; relative paths are relative to the working directory"),
                ),
            }
        }
        RunConfig {
            source_deadline: Duration::from_secs(self.source_deadline_secs.clamp(1, 86_400)),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs.min(3600)),
            local_roots,
            failing_source_runs: self.failing_source_runs.max(1),
        }
    }
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct RawFetch {
    pub user_agent: String,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    pub max_body_bytes: u64,
    pub max_redirects: u64,
    pub per_host_delay_ms: u64,
    pub concurrency: u64,
    pub respect_robots: bool,
    pub strip_query_params: Vec<String>,
    pub retries: u32,
    pub per_host_concurrency: u64,
    pub per_domain_requests_per_second: u32,
    pub private_addresses: String,
    pub allow_addresses: Vec<String>,
}

impl Default for RawFetch {
    fn default() -> Self {
        RawFetch {
            user_agent: "quotewire/0.1 (+https://example.invalid/quotewire)".to_string(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            per_host_delay_ms: 1000,
            concurrency: 16,
            respect_robots: true,
            strip_query_params: ["utm_*", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid"]
                .map(String::from)
                .to_vec(),
            retries: 2,
            per_host_concurrency: 1,
            per_domain_requests_per_second: 4,
            private_addresses: "auto".to_string(),
            allow_addresses: Vec::new(),
        }
    }
}

/// Per-pipeline overrides of `[fetch]`: every key optional.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RawFetchOverrides {
    pub user_agent: Option<String>,
    pub connect_timeout_secs: Option<u64>,
    pub timeout_secs: Option<u64>,
    pub max_body_bytes: Option<u64>,
    pub max_redirects: Option<u64>,
    pub per_host_delay_ms: Option<u64>,
    pub concurrency: Option<u64>,
    pub respect_robots: Option<bool>,
    pub strip_query_params: Option<Vec<String>>,
    pub retries: Option<u32>,
    pub per_host_concurrency: Option<u64>,
    pub per_domain_requests_per_second: Option<u32>,
    pub private_addresses: Option<String>,
    pub allow_addresses: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawIndex {
    pub writer_memory_mb: u64,
}

impl Default for RawIndex {
    fn default() -> Self {
        RawIndex { writer_memory_mb: 64 }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawServer {
    pub bind: String,
}

impl Default for RawServer {
    fn default() -> Self {
        RawServer { bind: "127.0.0.1:7878".to_string() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawEmbed {
    pub model_dir: String,
    pub threads: u64,
    pub batch_size: u64,
    pub on_ingest: bool,
}

impl Default for RawEmbed {
    fn default() -> Self {
        RawEmbed {
            model_dir: crate::embed::DEFAULT_MODEL_DIR.to_string(),
            threads: 0,
            batch_size: crate::embed::DEFAULT_BATCH_SIZE as u64,
            on_ingest: true,
        }
    }
}

impl RawEmbed {
    fn validate(self, issues: &mut Issues) -> EmbedConfig {
        if self.threads > 256 {
            issues.push(
                "embed.threads",
                format!("`{}` is out of range", self.threads),
                Some("0 (one per core) to 256"),
            );
        }
        if !(1..=1024).contains(&self.batch_size) {
            issues.push(
                "embed.batch_size",
                format!("`{}` is out of range", self.batch_size),
                Some("1 to 1024 sentences per forward pass"),
            );
        }
        EmbedConfig {
            model_dir: self.model_dir.into(),
            threads: self.threads.min(256) as usize,
            batch_size: self.batch_size.clamp(1, 1024) as usize,
            on_ingest: self.on_ingest,
        }
    }
}

impl RawConfig {
    pub fn validate(self, issues: &mut Issues) -> Config {
        let fetch = self.fetch.validate("fetch", issues);
        let index = IndexConfig {
            writer_memory_bytes: if (15..=4096).contains(&self.index.writer_memory_mb) {
                self.index.writer_memory_mb as usize * 1024 * 1024
            } else {
                issues.push(
                    "index.writer_memory_mb",
                    format!("`{}` is out of range", self.index.writer_memory_mb),
                    Some("tantivy needs between 15 and 4096 MB"),
                );
                64 * 1024 * 1024
            },
        };
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            issues.push(
                "server.bind",
                format!("`{}` is not a socket address", self.server.bind),
                Some("write it as 127.0.0.1:7878"),
            );
        }
        let run = self.run.validate(issues);
        let embed = self.embed.validate(issues);
        Config { fetch, index, server: ServerConfig { bind: self.server.bind }, run, embed }
    }
}

impl RawFetch {
    pub(super) fn validate(self, prefix: &str, issues: &mut Issues) -> FetchConfig {
        let mut check = |key: &str, value: u64, range: std::ops::RangeInclusive<u64>, hint: &str| {
            if !range.contains(&value) {
                issues.push(format!("{prefix}.{key}"), format!("`{value}` is out of range"), Some(hint));
            }
        };
        check("connect_timeout_secs", self.connect_timeout_secs, 1..=600, "use 1 to 600 seconds");
        check("timeout_secs", self.timeout_secs, 1..=3600, "use 1 to 3600 seconds");
        check(
            "max_body_bytes",
            self.max_body_bytes,
            1024..=1024 * 1024 * 1024,
            "use 1 KiB to 1 GiB; news pages rarely exceed 5 MB",
        );
        check("max_redirects", self.max_redirects, 0..=20, "use 0 to 20");
        check("per_host_delay_ms", self.per_host_delay_ms, 0..=600_000, "use 0 to 600000 ms");
        check("concurrency", self.concurrency, 1..=1024, "use 1 to 1024");
        check("per_host_concurrency", self.per_host_concurrency, 1..=64, "use 1 to 64; 1 is the polite default");
        check(
            "per_domain_requests_per_second",
            u64::from(self.per_domain_requests_per_second),
            0..=10_000,
            "use 0 (no limit) to 10000",
        );
        check("retries", u64::from(self.retries), 0..=10, "use 0 to 10");
        if self.user_agent.trim().is_empty() {
            issues.push(
                format!("{prefix}.user_agent"),
                "must not be empty",
                Some("name the tool and a contact URL, e.g. `quotewire/0.1 (+https://example.org/bot)`"),
            );
        }
        let private_addresses = match self.private_addresses.as_str() {
            "auto" => PrivateAddresses::Auto,
            "allow" => PrivateAddresses::Allow,
            "deny" => PrivateAddresses::Deny,
            other => {
                issues.push(
                    format!("{prefix}.private_addresses"),
                    format!("`{other}` is not a choice"),
                    Some("use auto (deny for `run` and `serve`, allow for one-shot commands), allow or deny"),
                );
                PrivateAddresses::Auto
            }
        };
        let mut allow_addresses = Vec::new();
        for (i, text) in self.allow_addresses.iter().enumerate() {
            let parsed =
                text.parse::<ipnet::IpNet>().or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from));
            match parsed {
                Ok(net) => allow_addresses.push(net),
                Err(_) => issues.push(
                    format!("{prefix}.allow_addresses[{i}]"),
                    format!("`{text}` is not an address or network"),
                    Some("write an address such as 10.1.2.3 or a network such as 10.1.0.0/16"),
                ),
            }
        }
        FetchConfig {
            private_addresses,
            allow_addresses,
            per_host_concurrency: self.per_host_concurrency as usize,
            per_domain_requests_per_second: self.per_domain_requests_per_second,
            user_agent: self.user_agent,
            connect_timeout: Duration::from_secs(self.connect_timeout_secs),
            timeout: Duration::from_secs(self.timeout_secs),
            max_body_bytes: self.max_body_bytes as usize,
            max_redirects: self.max_redirects as usize,
            per_host_delay: Duration::from_millis(self.per_host_delay_ms),
            concurrency: self.concurrency as usize,
            respect_robots: self.respect_robots,
            strip_query_params: self.strip_query_params,
            retries: self.retries,
        }
    }

    pub(super) fn from_config(config: &FetchConfig) -> RawFetch {
        RawFetch {
            user_agent: config.user_agent.clone(),
            connect_timeout_secs: config.connect_timeout.as_secs(),
            timeout_secs: config.timeout.as_secs(),
            max_body_bytes: config.max_body_bytes as u64,
            max_redirects: config.max_redirects as u64,
            per_host_delay_ms: config.per_host_delay.as_millis() as u64,
            concurrency: config.concurrency as u64,
            respect_robots: config.respect_robots,
            strip_query_params: config.strip_query_params.clone(),
            retries: config.retries,
            per_host_concurrency: config.per_host_concurrency as u64,
            per_domain_requests_per_second: config.per_domain_requests_per_second,
            private_addresses: config.private_addresses.as_str().to_string(),
            allow_addresses: config.allow_addresses.iter().map(ToString::to_string).collect(),
        }
    }

    pub(super) fn apply(mut self, o: RawFetchOverrides) -> RawFetch {
        macro_rules! set {
            ($($field:ident),*) => { $( if let Some(v) = o.$field { self.$field = v; } )* };
        }
        set!(
            user_agent,
            connect_timeout_secs,
            timeout_secs,
            max_body_bytes,
            max_redirects,
            per_host_delay_ms,
            concurrency,
            respect_robots,
            strip_query_params,
            retries,
            per_host_concurrency,
            per_domain_requests_per_second,
            private_addresses,
            allow_addresses
        );
        self
    }
}
