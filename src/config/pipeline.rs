//! Pipeline files: parsed section by section so that every problem is reported in one pass,
//! each at its real location (`sources[2].url`, line 14), then validated into a [`Pipeline`].
//!
//! Checks what ingestion will need: URLs fetchable, selectors valid, schedules parseable, and
//! local paths (`dir`, `warc`) present, readable and inside the allowed roots
//! (`run.local_roots`, or the pipeline file's own directory when none are configured).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::raw::{RawFetch, RawFetchOverrides};
use super::selector::CssSelector;
use super::{Cadence, Config, Issues, Pipeline, ScheduleConfig, Source, parse_duration};

/// The pipeline file format version this build understands.
pub const PIPELINE_FORMAT_VERSION: u32 = 1;

/// Keys a pipeline file may have at its top level.
const TOP_LEVEL_KEYS: [&str; 6] = ["version", "name", "description", "schedule", "sources", "fetch"];

/// Longest jitter: a start delayed by more than this is no longer "on schedule".
const MAX_JITTER: Duration = Duration::from_secs(3600);
/// Default jitter: a tenth of the interval, at most this.
const DEFAULT_JITTER_CAP: Duration = Duration::from_secs(300);

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawSchedule {
    every: Option<String>,
    cron: Option<String>,
    jitter: Option<String>,
    source_deadline: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum RawSource {
    Feed {
        url: String,
    },
    Sitemap {
        url: String,
    },
    Url {
        url: String,
    },
    Dir {
        path: String,
    },
    Warc {
        path: String,
    },
    Site {
        url: String,
    },
    Listing {
        url: String,
        /// CSS selector of the article links.
        links: String,
        /// CSS selector of the next-page link.
        #[serde(default)]
        next: Option<String>,
        #[serde(default = "default_max_pages")]
        max_pages: usize,
    },
}

fn default_max_pages() -> usize {
    5
}

/// The `[[sources]]` entries with their positions in the file.
#[derive(Debug, Deserialize, Default)]
struct SpannedSources {
    #[serde(default)]
    sources: Option<toml::Spanned<Vec<toml::Spanned<toml::Value>>>>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

/// A serde error's message without toml's excerpt of the document (the location is ours).
fn serde_message(error: &toml::de::Error) -> String {
    error.message().trim().to_string()
}

/// Parses and validates a pipeline file's text (variables already interpolated).
pub(super) fn parse(
    text: &str,
    base_dir: &Path,
    config: &Config,
    issues: &mut Issues,
) -> Result<Pipeline, toml::de::Error> {
    let table: BTreeMap<String, toml::Spanned<toml::Value>> = toml::from_str(text)?;
    let sources: SpannedSources = toml::from_str(text).unwrap_or_default();

    for (key, value) in &table {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            issues.at_line(Some(line_of(text, value.span().start)));
            issues.push(
                key.clone(),
                "unknown key",
                Some(&format!("a pipeline has only {}", TOP_LEVEL_KEYS.join(", "))),
            );
        }
    }
    issues.at_line(None);

    let field = |key: &str| table.get(key).map(|v| (line_of(text, v.span().start), v.get_ref().clone()));

    match field("version") {
        None => issues.push("version", "is missing", Some("start the file with `version = 1`")),
        Some((line, value)) => {
            issues.at_line(Some(line));
            if value.as_integer() != Some(i64::from(PIPELINE_FORMAT_VERSION)) {
                issues.push(
                    "version",
                    format!("`{value}` is not a supported format version"),
                    Some("this build reads version = 1; see pipelines/README.md"),
                );
            }
        }
    }
    let name = match field("name") {
        None => {
            issues.at_line(None);
            issues.push("name", "is missing", Some("give the pipeline a short name: `name = \"newsroom\"`"));
            String::new()
        }
        Some((line, value)) => {
            issues.at_line(Some(line));
            match value.as_str() {
                Some(name) if !name.trim().is_empty() => name.to_string(),
                Some(_) => {
                    issues.push("name", "must not be empty", Some("give the pipeline a short name"));
                    String::new()
                }
                None => {
                    issues.push("name", format!("`{value}` is not a string"), Some("write `name = \"newsroom\"`"));
                    String::new()
                }
            }
        }
    };
    let description = field("description").and_then(|(_, v)| v.as_str().map(str::to_string));

    let schedule = match field("schedule") {
        None => RawSchedule::default(),
        Some((line, value)) => {
            issues.at_line(Some(line));
            value.try_into::<RawSchedule>().unwrap_or_else(|e| {
                issues.push("schedule", serde_message(&e), Some("keys: every, cron, jitter, source_deadline"));
                RawSchedule::default()
            })
        }
    };
    let schedule = validate_schedule(schedule, config, issues);

    let roots = allowed_roots(base_dir, config);
    let mut validated = Vec::new();
    let entries = sources.sources.map(toml::Spanned::into_inner).unwrap_or_default();
    if entries.is_empty() {
        issues.at_line(None);
        issues.push(
            "sources",
            "a pipeline needs at least one source",
            Some("add a `[[sources]]` entry, e.g. type = \"feed\" with a url"),
        );
    }
    for (i, entry) in entries.into_iter().enumerate() {
        let path = format!("sources[{i}]");
        issues.at_line(Some(line_of(text, entry.span().start)));
        match entry.into_inner().try_into::<RawSource>() {
            Ok(raw) => validated.extend(validate_source(raw, &path, base_dir, &roots, issues)),
            Err(e) => issues.push(
                path,
                serde_message(&e),
                Some("types: feed, sitemap, url, site, listing, dir, warc (see pipelines/README.md)"),
            ),
        }
    }
    let fetch_overrides = match field("fetch") {
        None => RawFetchOverrides::default(),
        Some((line, value)) => {
            issues.at_line(Some(line));
            value.try_into::<RawFetchOverrides>().unwrap_or_else(|e| {
                issues.push("fetch", serde_message(&e), Some("see pipelines/README.md for the [fetch] keys"));
                RawFetchOverrides::default()
            })
        }
    };
    issues.at_line(table.get("fetch").map(|v| line_of(text, v.span().start)));
    let fetch = RawFetch::from_config(&config.fetch).apply(fetch_overrides).validate("fetch", issues);
    issues.at_line(None);
    Ok(Pipeline { name, description, sources: validated, schedule, fetch })
}

fn validate_schedule(raw: RawSchedule, config: &Config, issues: &mut Issues) -> ScheduleConfig {
    let duration = |key: &str, text: &str, issues: &mut Issues| -> Option<Duration> {
        let parsed = parse_duration(text);
        if parsed.is_none() {
            issues.push(
                format!("schedule.{key}"),
                format!("`{text}` is not a duration"),
                Some("write a number and a unit: 90s, 30m, 6h, 1d"),
            );
        }
        parsed
    };
    let cadence = match (&raw.every, &raw.cron) {
        (Some(_), Some(_)) => {
            issues.push("schedule", "has both `every` and `cron`", Some("keep one of them"));
            Cadence::Every(Duration::from_secs(3600))
        }
        (None, Some(expression)) => {
            match Cadence::cron(expression) {
                Ok(cadence) => cadence,
                Err(message) => {
                    issues.push(
                    "schedule.cron",
                    format!("`{expression}` is not a cron expression: {message}"),
                    Some("five fields (minute hour day month weekday, UTC) or six with seconds first: \"*/30 * * * *\""),
                );
                    Cadence::Every(Duration::from_secs(3600))
                }
            }
        }
        (Some(every), None) => match duration("every", every, issues) {
            Some(d) if d >= Duration::from_secs(1) => Cadence::Every(d),
            Some(_) => {
                issues.push("schedule.every", format!("`{every}` is too short"), Some("use 1s or more"));
                Cadence::Every(Duration::from_secs(3600))
            }
            None => Cadence::Every(Duration::from_secs(3600)),
        },
        (None, None) => Cadence::Every(Duration::from_secs(3600)),
    };
    let jitter = match raw.jitter.as_deref() {
        Some(text) => match duration("jitter", text, issues) {
            Some(d) if d <= MAX_JITTER => d,
            Some(_) => {
                issues.push("schedule.jitter", format!("`{text}` is too long"), Some("use at most 1h"));
                Duration::ZERO
            }
            None => Duration::ZERO,
        },
        None => match &cadence {
            Cadence::Every(d) => (*d / 10).min(DEFAULT_JITTER_CAP),
            Cadence::Cron { .. } => Duration::ZERO,
        },
    };
    let source_deadline = match raw.source_deadline.as_deref() {
        Some(text) => match duration("source_deadline", text, issues) {
            Some(d) if d >= Duration::from_secs(1) => d,
            Some(_) => {
                issues.push("schedule.source_deadline", format!("`{text}` is too short"), Some("use 1s or more"));
                config.run.source_deadline
            }
            None => config.run.source_deadline,
        },
        None => config.run.source_deadline,
    };
    ScheduleConfig { cadence, jitter, source_deadline }
}

/// Directories local sources must lie in: the configured roots, else the pipeline's directory.
fn allowed_roots(base_dir: &Path, config: &Config) -> Vec<PathBuf> {
    if !config.run.local_roots.is_empty() {
        return config.run.local_roots.clone();
    }
    let base = if base_dir.as_os_str().is_empty() { Path::new(".") } else { base_dir };
    std::fs::canonicalize(base).into_iter().collect()
}

/// Checks a `dir` or `warc` path as ingestion will read it: present, readable, the right
/// kind, and inside an allowed root (symbolic links resolved, so none leads outside).
fn check_local_path(
    raw: &str,
    key: &str,
    want_dir: bool,
    base_dir: &Path,
    roots: &[PathBuf],
    issues: &mut Issues,
) -> Option<PathBuf> {
    let what = if want_dir { "a directory of HTML files" } else { "a .warc or .warc.gz file" };
    if raw.trim().is_empty() {
        issues.push(key, "must not be empty", Some(&format!("name {what}")));
        return None;
    }
    let path = base_dir.join(raw);
    let resolved = match std::fs::canonicalize(&path) {
        Ok(resolved) => resolved,
        Err(e) => {
            issues.push(
                key,
                format!("cannot read `{}`: {e}", path.display()),
                Some("relative paths are relative to the pipeline file; create it or fix the path"),
            );
            return None;
        }
    };
    let readable = if want_dir {
        resolved.is_dir() && std::fs::read_dir(&resolved).is_ok()
    } else {
        resolved.is_file() && std::fs::File::open(&resolved).is_ok()
    };
    if !readable {
        issues.push(key, format!("`{}` is not {what} that can be read", path.display()), None);
        return None;
    }
    if !roots.iter().any(|root| resolved.starts_with(root)) {
        let roots: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
        issues.push(
            key,
            format!("`{}` is outside the directories pipelines may read ({})", resolved.display(), roots.join(", ")),
            Some("move it there, or list its directory in `run.local_roots` of the configuration"),
        );
        return None;
    }
    Some(path)
}

fn parse_url(url: &str, key: &str, issues: &mut Issues) -> Option<Url> {
    match Url::parse(url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(u),
        Ok(u) => {
            issues.push(
                key,
                format!("`{url}` has unsupported scheme `{}`", u.scheme()),
                Some("only http and https URLs can be fetched; use type = \"dir\" for local files"),
            );
            None
        }
        Err(e) => {
            issues.push(
                key,
                format!("`{url}` is not a URL: {e}"),
                Some("write an absolute URL such as https://example.org/feed.xml"),
            );
            None
        }
    }
}

fn validate_source(
    raw: RawSource,
    path: &str,
    base_dir: &Path,
    roots: &[PathBuf],
    issues: &mut Issues,
) -> Option<Source> {
    let url_key = format!("{path}.url");
    let path_key = format!("{path}.path");
    match raw {
        RawSource::Feed { url } => parse_url(&url, &url_key, issues).map(|url| Source::Feed { url }),
        RawSource::Sitemap { url } => parse_url(&url, &url_key, issues).map(|url| Source::Sitemap { url }),
        RawSource::Url { url } => parse_url(&url, &url_key, issues).map(|url| Source::Page { url }),
        RawSource::Site { url } => parse_url(&url, &url_key, issues).map(|url| Source::Site { url }),
        RawSource::Dir { path: dir } => {
            check_local_path(&dir, &path_key, true, base_dir, roots, issues).map(|path| Source::Dir { path })
        }
        RawSource::Warc { path: file } => {
            check_local_path(&file, &path_key, false, base_dir, roots, issues).map(|path| Source::Warc { path })
        }
        RawSource::Listing { url, links, next, max_pages } => {
            let url = parse_url(&url, &url_key, issues);
            let selector = |key: &str, css: &str, issues: &mut Issues| match CssSelector::parse(css) {
                Ok(selector) => Some(selector),
                Err(message) => {
                    issues.push(
                        format!("{path}.{key}"),
                        message,
                        Some("write a CSS selector such as `ul.releases li h3 a`"),
                    );
                    None
                }
            };
            let links = selector("links", &links, issues);
            let next = match next {
                Some(css) => selector("next", &css, issues).map(Some),
                None => Some(None),
            };
            if !(1..=1000).contains(&max_pages) {
                issues.push(
                    format!("{path}.max_pages"),
                    format!("`{max_pages}` is out of range"),
                    Some("follow 1 to 1000 listing pages"),
                );
            }
            Some(Source::Listing { url: url?, links: links?, next: next?, max_pages })
        }
    }
}
