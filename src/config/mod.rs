//! Configuration: `config/default.toml` and pipeline files.
//!
//! Files are parsed into raw serde structs (`raw`, `pipeline`), then validated into the domain
//! types here, with every problem reported at once, each naming its key path (and line), the
//! bad value and a hint. This module reads files and nothing else: it never fetches, stores or
//! indexes.

mod pipeline;
mod raw;
mod selector;
mod vars;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

pub use pipeline::PIPELINE_FORMAT_VERSION;
pub use selector::CssSelector;
pub use vars::interpolate;

/// The configuration shipped with the product, every key with its default.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../config/default.toml");

/// One validation problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Key path such as `sources[2].url`.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    /// 1-based line of the table or entry the key belongs to, when known.
    pub line: Option<usize>,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{origin} is not valid TOML: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin} has {} problem(s):\n{}", issues.len(), render_issues(issues))]
    Invalid { origin: String, issues: Vec<Issue> },
}

fn render_issues(issues: &[Issue]) -> String {
    issues.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n")
}

/// Collects issues while validating; turns into `ConfigError::Invalid` when non-empty.
#[derive(Default)]
pub(crate) struct Issues {
    issues: Vec<Issue>,
    /// The line issues pushed now belong to.
    line: Option<usize>,
}

impl Issues {
    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>, hint: Option<&str>) {
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
            hint: hint.map(str::to_string),
            line: self.line,
        });
    }

    /// Issues pushed from now on are located at `line`.
    pub(crate) fn at_line(&mut self, line: Option<usize>) {
        self.line = line;
    }

    fn finish<T>(self, origin: &str, value: T) -> Result<T, ConfigError> {
        if self.issues.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError::Invalid { origin: origin.to_string(), issues: self.issues })
        }
    }
}

/// Fetch behaviour shared by every source of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    pub per_host_delay: Duration,
    pub concurrency: usize,
    pub respect_robots: bool,
    pub strip_query_params: Vec<String>,
    pub retries: u32,
    /// Requests in flight at once to one host.
    pub per_host_concurrency: usize,
    /// Requests per second to one registrable domain (0: no limit).
    pub per_domain_requests_per_second: u32,
    /// Whether private, loopback and link-local addresses may be fetched.
    pub private_addresses: PrivateAddresses,
    /// Networks reachable even when private addresses are denied.
    pub allow_addresses: Vec<ipnet::IpNet>,
}

/// Whether fetching may reach non-public addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateAddresses {
    /// `deny` for long-running commands (`run`, `serve`), `allow` for one-shot ones.
    Auto,
    Allow,
    Deny,
}

impl PrivateAddresses {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivateAddresses::Auto => "auto",
            PrivateAddresses::Allow => "allow",
            PrivateAddresses::Deny => "deny",
        }
    }

    /// Resolves `auto` for a command: long-running commands deny, one-shot ones allow.
    pub fn resolve(self, long_running: bool) -> PrivateAddresses {
        match self {
            PrivateAddresses::Auto if long_running => PrivateAddresses::Deny,
            PrivateAddresses::Auto => PrivateAddresses::Allow,
            other => other,
        }
    }
}

/// Index behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexConfig {
    pub writer_memory_bytes: usize,
}

/// HTTP server settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub bind: String,
}

/// Settings of scheduled and one-shot runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunConfig {
    /// Longest time one source (its discovery and its pages) may take in a run.
    pub source_deadline: Duration,
    /// After the first stop signal, how long fetches in flight may finish before they are
    /// abandoned.
    pub shutdown_grace: Duration,
    /// Directories (canonical) whose files pipeline files may name as `dir` and `warc`
    /// sources; empty: each pipeline file's own directory.
    pub local_roots: Vec<PathBuf>,
    /// `quotewire status` lists sources that failed this many runs in a row.
    pub failing_source_runs: u32,
}

/// Transformer models (cargo feature `transformers`; ignored by builds without it).
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedConfig {
    /// Local sentence-transformers model directory (`$QUOTEWIRE_EMBEDDING_MODEL` overrides).
    pub model_dir: PathBuf,
    /// libtorch intra-op threads; 0 is one per core.
    pub threads: usize,
    /// Sentences per forward pass.
    pub batch_size: usize,
    /// Whether `ingest` embeds new statements in the background while it runs.
    pub on_ingest: bool,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub fetch: FetchConfig,
    pub index: IndexConfig,
    pub server: ServerConfig,
    pub run: RunConfig,
    pub embed: EmbedConfig,
}

impl Default for Config {
    fn default() -> Self {
        // The shipped default file is tested to validate, so this cannot fail in practice;
        // fall back to the raw defaults rather than panic if it ever did.
        Config::from_toml_str(DEFAULT_CONFIG_TOML, "config/default.toml")
            .unwrap_or_else(|_| raw::RawConfig::default().validate(&mut Issues::default()))
    }
}

impl Config {
    /// Parses and validates a configuration file's text.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let raw: raw::RawConfig = toml::from_str(text)
            .map_err(|e| ConfigError::Syntax { origin: origin.to_string(), message: e.to_string() })?;
        let mut issues = Issues::default();
        let config = raw.validate(&mut issues);
        issues.finish(origin, config)
    }

    /// Loads a configuration file; `None` gives the shipped defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            None => Ok(Config::default()),
            Some(path) => {
                let text = read(path)?;
                Config::from_toml_str(&text, &path.display().to_string())
            }
        }
    }

    /// The configuration file to use when none is given on the command line: the first of
    /// `$QUOTEWIRE_CONFIG`, `$XDG_CONFIG_HOME/quotewire/config.toml` (`~/.config/...`),
    /// `/etc/quotewire/config.toml`, `config/default.toml` in the working directory and
    /// `config/default.toml` of the project the binary was built in (found by walking up
    /// from the executable). `None`: the shipped defaults, built in.
    pub fn locate() -> Option<PathBuf> {
        if let Some(explicit) = std::env::var_os("QUOTEWIRE_CONFIG").filter(|v| !v.is_empty()) {
            return Some(PathBuf::from(explicit));
        }
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
        let mut candidates: Vec<PathBuf> = xdg.into_iter().map(|d| d.join("quotewire/config.toml")).collect();
        candidates.push(PathBuf::from("/etc/quotewire/config.toml"));
        candidates.push(PathBuf::from("config/default.toml"));
        if let Some(project) = std::env::current_exe().ok().as_deref().and_then(project_of) {
            candidates.push(project.join("config/default.toml"));
        }
        candidates.into_iter().find(|c| c.is_file())
    }
}

/// The project directory above an executable built with cargo (`<project>/target/<profile>/`):
/// the nearest ancestor holding `Cargo.toml` and `config/default.toml`.
pub fn project_of(executable: &Path) -> Option<PathBuf> {
    executable
        .ancestors()
        .skip(1)
        .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("config/default.toml").is_file())
        .map(Path::to_path_buf)
}

/// When a pipeline runs.
#[derive(Debug, Clone)]
pub enum Cadence {
    /// Every interval after the previous run started.
    Every(Duration),
    /// At the times a cron expression names (UTC; seconds optional).
    Cron { expression: String, cron: Box<croner::Cron> },
}

impl Cadence {
    /// Parses a cron expression: five fields, or six with seconds first.
    pub fn cron(expression: &str) -> Result<Cadence, String> {
        let cron = croner::Cron::new(expression.trim())
            .with_seconds_optional()
            .parse()
            .map_err(|e| e.to_string().to_lowercase())?;
        Ok(Cadence::Cron { expression: expression.trim().to_string(), cron: Box::new(cron) })
    }

    /// As written in a pipeline file.
    pub fn describe(&self) -> String {
        match self {
            Cadence::Every(d) => format!("every {}", format_duration(*d)),
            Cadence::Cron { expression, .. } => format!("cron `{expression}` (UTC)"),
        }
    }
}

impl PartialEq for Cadence {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Cadence::Every(a), Cadence::Every(b)) => a == b,
            (Cadence::Cron { expression: a, .. }, Cadence::Cron { expression: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// A pipeline's `[schedule]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleConfig {
    pub cadence: Cadence,
    /// Each scheduled start is delayed by up to this much, so pipelines (and deployments)
    /// sharing a schedule do not all start at once.
    pub jitter: Duration,
    /// Longest time one source may take in a run.
    pub source_deadline: Duration,
}

impl ScheduleConfig {
    /// Every hour, no jitter, the configured source deadline.
    pub fn hourly(config: &Config) -> ScheduleConfig {
        ScheduleConfig {
            cadence: Cadence::Every(Duration::from_secs(3600)),
            jitter: Duration::ZERO,
            source_deadline: config.run.source_deadline,
        }
    }
}

/// `90s`, `30m`, `6h`, `1d`, `500ms`: the largest unit that divides the duration.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// Where documents come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// An RSS or Atom feed; its items are fetched.
    Feed { url: Url },
    /// A sitemap (urlset or sitemap index); its URLs are fetched.
    Sitemap { url: Url },
    /// One page.
    Page { url: Url },
    /// A local directory (or file) of HTML files.
    Dir { path: PathBuf },
    /// A WARC or WARC.gz archive (e.g. Common Crawl News); its HTML responses are ingested.
    Warc { path: PathBuf },
    /// A site whose feeds and sitemaps are discovered from its home page
    /// (`<link rel=alternate>`) and robots.txt (`Sitemap:` lines).
    Site { url: Url },
    /// A newsroom listing page: article links picked by a CSS selector, pagination followed.
    Listing { url: Url, links: CssSelector, next: Option<CssSelector>, max_pages: usize },
}

impl Source {
    /// Short type name as written in pipeline files.
    pub fn type_name(&self) -> &'static str {
        match self {
            Source::Feed { .. } => "feed",
            Source::Sitemap { .. } => "sitemap",
            Source::Page { .. } => "url",
            Source::Dir { .. } => "dir",
            Source::Warc { .. } => "warc",
            Source::Site { .. } => "site",
            Source::Listing { .. } => "listing",
        }
    }

    /// How the source is named in status reports and logs: `feed https://...`.
    pub fn label(&self) -> String {
        format!("{} {}", self.type_name(), self.location())
    }

    /// The URL or path as text.
    pub fn location(&self) -> String {
        match self {
            Source::Feed { url }
            | Source::Sitemap { url }
            | Source::Page { url }
            | Source::Site { url }
            | Source::Listing { url, .. } => url.to_string(),
            Source::Dir { path } | Source::Warc { path } => path.display().to_string(),
        }
    }
}

/// A validated pipeline: sources, schedule and fetch options.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub description: Option<String>,
    pub sources: Vec<Source>,
    /// When `quotewire run` starts this pipeline.
    pub schedule: ScheduleConfig,
    pub fetch: FetchConfig,
}

impl Pipeline {
    /// An unnamed pipeline of ad-hoc sources (`ingest --feed ...`).
    pub fn ad_hoc(sources: Vec<Source>, config: &Config) -> Pipeline {
        Pipeline {
            name: "ad-hoc".to_string(),
            description: None,
            sources,
            schedule: ScheduleConfig::hourly(config),
            fetch: config.fetch.clone(),
        }
    }

    /// Parses and validates a pipeline file's text; `${NAME}` and `${NAME:-default}` are
    /// replaced from `vars`, then from the environment.
    pub fn from_toml_str(
        text: &str,
        origin: &str,
        base_dir: &Path,
        config: &Config,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Pipeline, ConfigError> {
        let text = vars::interpolate(text, vars)
            .map_err(|issues| ConfigError::Invalid { origin: origin.to_string(), issues })?;
        let mut issues = Issues::default();
        let pipeline = pipeline::parse(&text, base_dir, config, &mut issues)
            .map_err(|e| ConfigError::Syntax { origin: origin.to_string(), message: e.to_string() })?;
        issues.finish(origin, pipeline)
    }

    /// Loads a pipeline file, interpolating variables from the environment.
    pub fn load(path: &Path, config: &Config) -> Result<Pipeline, ConfigError> {
        Self::load_with_vars(path, config, &|name| std::env::var(name).ok())
    }

    /// Loads a pipeline file with a custom variable lookup.
    pub fn load_with_vars(
        path: &Path,
        config: &Config,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Pipeline, ConfigError> {
        let text = read(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_toml_str(&text, &path.display().to_string(), base, config, vars)
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })
}

/// Parses durations such as `90s`, `30m`, `6h`, `1d`, `500ms`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "ms" => return Some(Duration::from_millis(n)),
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_vars(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn shipped_default_config_validates() {
        let config = Config::from_toml_str(DEFAULT_CONFIG_TOML, "config/default.toml").unwrap();
        assert!(config.fetch.max_body_bytes >= 1 << 20);
        assert!(config.fetch.respect_robots);
        assert!(config.fetch.strip_query_params.iter().any(|p| p == "utm_*"));
        assert_eq!(config.embed.model_dir, PathBuf::from(crate::embed::DEFAULT_MODEL_DIR));
        assert_eq!((config.embed.threads, config.embed.batch_size), (0, crate::embed::DEFAULT_BATCH_SIZE));
    }

    #[test]
    fn embed_settings_out_of_range_are_reported() {
        let err = Config::from_toml_str("[embed]\nbatch_size = 0\nthreads = 999\n", "x.toml").unwrap_err().to_string();
        assert!(err.contains("embed.batch_size") && err.contains("embed.threads"), "{err}");
    }

    #[test]
    fn pipeline_reports_every_error_with_its_key_path() {
        let text = r#"
version = 1
name = ""
[schedule]
every = "soon"
[[sources]]
type = "feed"
url = "ftp://example.org/feed"
[[sources]]
type = "sitemap"
url = "not a url"
[fetch]
max_body_bytes = 0
"#;
        let err = Pipeline::from_toml_str(text, "p.toml", Path::new("."), &Config::default(), &no_vars).unwrap_err();
        let ConfigError::Invalid { issues, .. } = err else {
            panic!("expected invalid, got {err}");
        };
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["name", "schedule.every", "sources[0].url", "sources[1].url", "fetch.max_body_bytes"]);
        assert_eq!(issues[2].line, Some(6));
        assert!(issues[1].message.contains("`soon`"));
    }

    #[test]
    fn unknown_keys_and_source_types_are_rejected() {
        let text = "version = 1\nname = \"x\"\n[[sources]]\ntype = \"podcast\"\nurl = \"http://a.example/\"\n";
        let err = Pipeline::from_toml_str(text, "p.toml", Path::new("."), &Config::default(), &no_vars).unwrap_err();
        assert!(err.to_string().contains("podcast"), "{err}");
        let text = "version = 1\nname = \"x\"\ncolour = \"red\"\n";
        let err = Pipeline::from_toml_str(text, "p.toml", Path::new("."), &Config::default(), &no_vars).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn valid_pipeline_with_variables_and_overrides() {
        let base = tempfile::tempdir().unwrap();
        std::fs::create_dir(base.path().join("pages")).unwrap();
        let text = r#"
version = 1
name = "telecom"
[schedule]
every = "30m"
[[sources]]
type = "feed"
url = "${BASE:-http://127.0.0.1:1}/rss.xml"
[[sources]]
type = "dir"
path = "pages"
[fetch]
per_host_delay_ms = 250
"#;
        let vars = |name: &str| (name == "BASE").then(|| "http://127.0.0.1:9999".to_string());
        let p = Pipeline::from_toml_str(text, "p.toml", base.path(), &Config::default(), &vars).unwrap();
        assert_eq!(p.schedule.cadence, Cadence::Every(Duration::from_secs(1800)));
        assert_eq!(p.schedule.jitter, Duration::from_secs(180), "a tenth of the interval by default");
        assert_eq!(p.fetch.per_host_delay, Duration::from_millis(250));
        assert_eq!(
            p.sources,
            vec![
                Source::Feed { url: Url::parse("http://127.0.0.1:9999/rss.xml").unwrap() },
                Source::Dir { path: base.path().join("pages") },
            ]
        );
    }

    #[test]
    fn every_error_is_reported_at_its_own_entry_and_line() {
        let base = tempfile::tempdir().unwrap();
        let text = "version = 1\nname = \"x\"\ncolour = \"red\"\n\n[[sources]]\ntype = \"feed\"\nurl = \"gopher://a\"\n\n\
                    [[sources]]\ntype = \"podcast\"\nurl = \"http://a.example/\"\n\n[[sources]]\ntype = \"dir\"\npath = \"missing\"\n\n\
                    [[sources]]\ntype = \"listing\"\nurl = \"http://a.example/\"\nlinks = \"ul..x\"\n\n[fetch]\nretries = 99\n";
        let err = Pipeline::from_toml_str(text, "p.toml", base.path(), &Config::default(), &no_vars).unwrap_err();
        let ConfigError::Invalid { issues, .. } = err else { panic!("expected invalid, got {err}") };
        let found: Vec<(String, Option<usize>)> = issues.iter().map(|i| (i.path.clone(), i.line)).collect();
        assert_eq!(
            found,
            [
                ("colour".to_string(), Some(3)),
                ("sources[0].url".to_string(), Some(5)),
                ("sources[1]".to_string(), Some(9)),
                ("sources[2].path".to_string(), Some(13)),
                ("sources[3].links".to_string(), Some(17)),
                ("fetch.retries".to_string(), Some(22)),
            ]
        );
        assert!(issues[2].message.contains("podcast"), "{}", issues[2].message);
    }

    #[test]
    fn a_pipeline_without_sources_or_with_paths_outside_its_roots_is_invalid() {
        let base = tempfile::tempdir().unwrap();
        let inside = base.path().join("pipelines");
        std::fs::create_dir(&inside).unwrap();
        std::fs::create_dir(base.path().join("elsewhere")).unwrap();
        let load = |text: &str| Pipeline::from_toml_str(text, "p.toml", &inside, &Config::default(), &no_vars);
        let err = load("version = 1\nname = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("at least one source"), "{err}");
        let err =
            load("version = 1\nname = \"x\"\n[[sources]]\ntype = \"dir\"\npath = \"../elsewhere\"\n").unwrap_err();
        assert!(err.to_string().contains("outside the directories pipelines may read"), "{err}");
        // With the directory among the configured roots, it may be read.
        let mut config = Config::default();
        config.run.local_roots = vec![std::fs::canonicalize(base.path()).unwrap()];
        let text = "version = 1\nname = \"x\"\n[[sources]]\ntype = \"dir\"\npath = \"../elsewhere\"\n";
        assert!(Pipeline::from_toml_str(text, "p.toml", &inside, &config, &no_vars).is_ok());
    }

    #[test]
    fn cron_schedules_and_jitter_are_validated() {
        let base = tempfile::tempdir().unwrap();
        let load = |schedule: &str| {
            let text = format!(
                "version = 1\nname = \"x\"\n[schedule]\n{schedule}\n[[sources]]\ntype = \"feed\"\nurl = \"http://a.example/f\"\n"
            );
            Pipeline::from_toml_str(&text, "p.toml", base.path(), &Config::default(), &no_vars)
        };
        let p = load("cron = \"*/15 * * * *\"\njitter = \"30s\"").unwrap();
        assert_eq!(p.schedule.cadence.describe(), "cron `*/15 * * * *` (UTC)");
        assert_eq!(p.schedule.jitter, Duration::from_secs(30));
        assert!(load("cron = \"61 * * * *\"").unwrap_err().to_string().contains("schedule.cron"));
        assert!(load("cron = \"* * * * *\"\nevery = \"1h\"").unwrap_err().to_string().contains("both"));
        assert!(load("jitter = \"2h\"").unwrap_err().to_string().contains("schedule.jitter"));
    }

    #[test]
    fn the_project_of_a_built_binary_is_found_for_its_configuration() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(project_of(&root.join("target/release/quotewire")), Some(root.clone()));
        assert_eq!(project_of(&root.join("target/debug/deps/quotewire-0123")), Some(root));
        assert_eq!(project_of(Path::new("/usr/local/bin/quotewire")), None);
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
    }
}
