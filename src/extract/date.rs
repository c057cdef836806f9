//! Parses the date notations found in pages: ISO 8601 / RFC 3339 (with or without offset or
//! time), RFC 2822, URL paths (`/2019/05/14/`) and prose ("May 14, 2019", "14 May 2019").
//!
//! Owns date parsing and the plausibility window; must not look at the DOM. A date without an
//! offset is taken as UTC; a date without a time as midnight.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::Regex;

/// The earliest year a publication date may have; earlier values are template junk or typos.
pub const EARLIEST_YEAR: i32 = 1990;

/// How far in the future a date may lie (time zones, embargoed releases) before it is rejected.
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)")
        .expect("url date regex is valid")
});

static COMPACT_URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/").expect("compact url date regex is valid")
});

static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b",
    )
    .expect("month-first date regex is valid")
});

static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d{2})\b",
    )
    .expect("day-first date regex is valid")
});

static ISO_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b").expect("iso date regex is valid")
});

/// Parses a machine-readable date (meta content, JSON-LD, `<time datetime>`), checking it is
/// plausible.
pub fn parse_machine_date(value: &str) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return None;
    }
    parse_machine_date_unchecked(value).filter(is_plausible)
}

fn parse_machine_date_unchecked(value: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(date) = DateTime::parse_from_rfc3339(value) {
        return Some(date);
    }
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date);
    }
    const WITH_OFFSET: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%d %H:%M%z",
        "%Y%m%dT%H%M%S%z",
    ];
    for format in WITH_OFFSET {
        if let Ok(date) = DateTime::parse_from_str(value, format) {
            return Some(date);
        }
    }
    // "Z" suffix with a non-RFC 3339 shape, or no offset at all: UTC.
    let naive_text = value.strip_suffix('Z').unwrap_or(value);
    const NAIVE: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y%m%dT%H%M%S",
    ];
    for format in NAIVE {
        if let Ok(naive) = NaiveDateTime::parse_from_str(naive_text, format) {
            return Some(utc(naive));
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(naive_text, format) {
            return date.and_hms_opt(0, 0, 0).map(utc);
        }
    }
    // "2019-05-14T10:00:00+00:00 extra" or "2019-05-14 (updated)": take the leading date.
    let captures = ISO_IN_TEXT.captures(value)?;
    if captures.get(0)?.start() == 0 {
        return date_from_parts(&captures[1], &captures[2], &captures[3]);
    }
    None
}

/// The date in a URL path such as `/2019/05/14/` or `/20190514/`.
pub fn date_from_url(url: &str) -> Option<DateTime<FixedOffset>> {
    let path_start = url.find("://").map_or(0, |i| i + 3);
    let path = url.get(path_start..)?;
    let path = &path[path.find('/').unwrap_or(path.len())..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let captures = URL_DATE.captures(path).or_else(|| COMPACT_URL_DATE.captures(path))?;
    date_from_parts(&captures[1], &captures[2], &captures[3]).filter(is_plausible)
}

/// The first prose date in `text`: "May 14, 2019", "Sept. 3, 2019", "14 May 2019", "2019-05-14".
pub fn date_from_text(text: &str) -> Option<DateTime<FixedOffset>> {
    let month_first = MONTH_FIRST.captures(text).and_then(|c| {
        let start = c.get(0)?.start();
        let month = month_number(&c[1])?;
        Some((start, c.get(3)?.as_str(), month, c.get(2)?.as_str()))
    });
    let day_first = DAY_FIRST.captures(text).and_then(|c| {
        let start = c.get(0)?.start();
        let month = month_number(&c[2])?;
        Some((start, c.get(3)?.as_str(), month, c.get(1)?.as_str()))
    });
    let iso = ISO_IN_TEXT.captures(text).and_then(|c| {
        let start = c.get(0)?.start();
        let month = c[2].parse::<u32>().ok()?;
        Some((start, c.get(1)?.as_str(), month, c.get(3)?.as_str()))
    });
    [month_first, day_first, iso]
        .into_iter()
        .flatten()
        .min_by_key(|(start, ..)| *start)
        .and_then(|(_, year, month, day)| {
            let year: i32 = year.parse().ok()?;
            let day: u32 = day.parse().ok()?;
            NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(0, 0, 0).map(utc)
        })
        .filter(is_plausible)
}

/// True when a date lies between [`EARLIEST_YEAR`] and now plus [`FUTURE_TOLERANCE_HOURS`].
pub fn is_plausible(date: &DateTime<FixedOffset>) -> bool {
    let earliest = Utc.with_ymd_and_hms(EARLIEST_YEAR, 1, 1, 0, 0, 0).single();
    let latest = Utc::now() + Duration::hours(FUTURE_TOLERANCE_HOURS);
    earliest.is_some_and(|earliest| *date >= earliest) && *date <= latest
}

fn date_from_parts(year: &str, month: &str, day: &str) -> Option<DateTime<FixedOffset>> {
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?.and_hms_opt(0, 0, 0).map(utc)
}

fn utc(naive: NaiveDateTime) -> DateTime<FixedOffset> {
    naive.and_utc().fixed_offset()
}

fn month_number(name: &str) -> Option<u32> {
    let prefix = name.get(..3)?.to_ascii_lowercase();
    let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    months.iter().position(|m| *m == prefix).and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(date: Option<DateTime<FixedOffset>>) -> Option<String> {
        date.map(|d| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn machine_dates_in_common_shapes() {
        for (input, expected) in [
            ("2019-05-14T10:30:00Z", "2019-05-14"),
            ("2019-05-14T10:30:00.123+02:00", "2019-05-14"),
            ("2019-05-14T10:30:00+0200", "2019-05-14"),
            ("2019-05-14 10:30:00", "2019-05-14"),
            ("2019-05-14", "2019-05-14"),
            ("2019-05-14T10:30", "2019-05-14"),
            ("Tue, 14 May 2019 10:30:00 GMT", "2019-05-14"),
            ("20190514T103000Z", "2019-05-14"),
        ] {
            assert_eq!(ymd(parse_machine_date(input)).as_deref(), Some(expected), "{input}");
        }
        let with_offset = parse_machine_date("2019-05-14T10:30:00-04:00").expect("parses");
        assert_eq!(with_offset.offset().local_minus_utc(), -4 * 3600);
    }

    #[test]
    fn implausible_dates_are_rejected() {
        assert_eq!(parse_machine_date("1970-01-01T00:00:00Z"), None);
        assert_eq!(parse_machine_date("2999-01-01"), None);
        assert_eq!(parse_machine_date("not a date"), None);
        assert_eq!(parse_machine_date(""), None);
    }

    #[test]
    fn dates_from_url_paths() {
        assert_eq!(
            ymd(date_from_url("https://example.com/news/2019/05/14/huawei-denies/")).as_deref(),
            Some("2019-05-14")
        );
        assert_eq!(ymd(date_from_url("https://example.com/2019-05-14-story.html")).as_deref(), Some("2019-05-14"));
        assert_eq!(ymd(date_from_url("https://example.com/a/20190514/b")).as_deref(), Some("2019-05-14"));
        assert_eq!(date_from_url("https://example.com/2019/13/40/"), None);
        assert_eq!(date_from_url("https://example.com/story-12345"), None);
    }

    #[test]
    fn dates_from_prose() {
        assert_eq!(ymd(date_from_text("By Jane Doe | May 14, 2019 10:02 AM ET")).as_deref(), Some("2019-05-14"));
        assert_eq!(ymd(date_from_text("Published 14 May 2019")).as_deref(), Some("2019-05-14"));
        assert_eq!(ymd(date_from_text("Sept. 3, 2019")).as_deref(), Some("2019-09-03"));
        assert_eq!(ymd(date_from_text("on the 3rd of never")).as_deref(), None);
    }
}
