//! Parses the date notations found in pages: ISO 8601 / RFC 3339 (with or without offset or
//! time), RFC 2822, URL paths (`/2019/05/14/`) and prose in the languages of
//! `config/lexicons/date_words.tsv` ("May 14, 2019", "14 May 2019", "17. Mai 2019",
//! "le 17 mai 2019", "17 de mayo de 2019", "17.05.2019", "2019/05/17").
//!
//! Owns date parsing and the plausibility window; must not look at the DOM. A date without an
//! offset is taken as UTC; a date without a time as midnight.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::Regex;

/// The earliest year a publication date may have (as htmldate): the web press starts in the
/// mid-1990s; earlier values are template junk, birth dates or typos.
pub const EARLIEST_YEAR: i32 = 1995;

/// How far in the future a date may lie (time zones, embargoed releases) before it is rejected.
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

/// The date words of the lexicon, embedded at build time.
const DATE_WORDS: &str = include_str!("../../config/lexicons/date_words.tsv");

/// What a word of `date_words.tsv` announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    Published,
    /// A label that dates without saying which date ("Datum:", "Stand:", "vom").
    Dated,
    Updated,
    Copyright,
    /// A member's join date on a forum post or profile ("Joined:", "Registriert:").
    Joined,
}

/// Month names and cue phrases, parsed once.
struct DateWords {
    months: Vec<(String, u32)>,
    cues: Vec<(String, Cue)>,
}

static WORDS: LazyLock<DateWords> = LazyLock::new(|| {
    let mut words = DateWords { months: Vec::new(), cues: Vec::new() };
    for line in DATE_WORDS.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let Some((word, class)) = line.split_once('\t') else { continue };
        let word = word.trim().to_lowercase();
        match class.trim() {
            "published" => words.cues.push((word, Cue::Published)),
            "dated" => words.cues.push((word, Cue::Dated)),
            "updated" => words.cues.push((word, Cue::Updated)),
            "copyright" => words.cues.push((word, Cue::Copyright)),
            "joined" => words.cues.push((word, Cue::Joined)),
            month => {
                if let Ok(number) = month.parse::<u32>() {
                    words.months.push((word, number));
                }
            }
        }
    }
    // Longest first, so the alternation prefers "septembre" to "sept".
    words.months.sort_by_key(|(word, _)| std::cmp::Reverse(word.chars().count()));
    words.cues.sort_by_key(|(word, _)| std::cmp::Reverse(word.chars().count()));
    words
});

fn month_alternation() -> String {
    WORDS.months.iter().map(|(word, _)| regex::escape(word)).collect::<Vec<_>>().join("|")
}

/// "17 May 2019", "17. Mai 2019", "le 17 mai 2019", "17 de mayo de 2019", "1er mars 2019".
static WORDY_DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?-u:\b)(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?(?:\.\s*|\s+)(?:de\s+|of\s+)?({})\.?,?\s+(?:de\s+|del\s+)?((?:19|20)\d{{2}})(?-u:\b)",
        month_alternation()
    ))
    .expect("day-first date regex is valid")
});

/// "May 17, 2019", "Sept. 3 2019", "März 17, 2019". Word boundaries are ASCII or spelled out
/// as a character class, so that the regex runs on a DFA (Unicode `\b` needs the slow engine).
static WORDY_MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\p{{L}}\p{{N}}_])({})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})(?-u:\b)",
        month_alternation()
    ))
    .expect("month-first date regex is valid")
});

/// "17.05.2019", "17/5/2019", "05-17-2019" (order decided by the caller's convention).
static NUMERIC_YEAR_LAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,2})([./-])(\d{1,2})([./-])((?:19|20)\d{2})(?-u:\b)")
        .expect("numeric date regex is valid")
});

/// "2019-05-17", "2019/05/17", "2019.05.17".
static NUMERIC_YEAR_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)((?:19|20)\d{2})([./-])(\d{1,2})([./-])(\d{1,2})(?:(?-u:\b)|T)")
        .expect("numeric date regex is valid")
});

/// "2020年07月03日" (Chinese and Japanese), "2020년 7월 3일" (Korean).
static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]").expect("CJK date regex is valid")
});

/// A date written in text, with its byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextDate {
    pub start: usize,
    pub end: usize,
    pub date: NaiveDate,
}

/// Every date written in `text`, in order of position. `month_first` reads ambiguous numeric
/// dates with slashes ("05/06/2019") month first, as in the United States; otherwise, and
/// always with dots or hyphens ("05.06.2019", "01-11-2023"), day first.
pub fn dates_in_text(text: &str, month_first: bool) -> Vec<TextDate> {
    let mut found: Vec<TextDate> = Vec::new();
    let mut push = |start: usize, end: usize, year: &str, month: u32, day: &str| {
        let date = NaiveDate::from_ymd_opt(year.parse().unwrap_or(0), month, day.parse().unwrap_or(0));
        if let Some(date) = date {
            found.push(TextDate { start, end, date });
        }
    };
    for c in WORDY_DAY_FIRST.captures_iter(text) {
        if let (Some(all), Some(month)) = (c.get(0), month_of(&c[2])) {
            push(all.start(), all.end(), &c[3], month, &c[1]);
        }
    }
    for c in WORDY_MONTH_FIRST.captures_iter(text) {
        // The match may open with the character before the month name.
        if let (Some(month_name), Some(all), Some(month)) = (c.get(1), c.get(0), month_of(&c[1])) {
            push(month_name.start(), all.end(), &c[3], month, &c[2]);
        }
    }
    for c in NUMERIC_YEAR_LAST.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if c[2] != c[4] || followed_by_digit(text, all.end()) {
            continue;
        }
        let (first, second): (u32, u32) = (c[1].parse().unwrap_or(0), c[3].parse().unwrap_or(0));
        // Month first is a convention of slashes ("11/01/2023"); dots and hyphens are day first.
        let month_first = month_first && &c[2] == "/";
        let (month, day) = if (month_first && first <= 12) || second > 12 { (first, &c[3]) } else { (second, &c[1]) };
        push(all.start(), all.end(), &c[5], month, day);
    }
    for c in NUMERIC_YEAR_FIRST.captures_iter(text) {
        let Some(all) = c.get(0) else { continue };
        if c[2] != c[4] || followed_by_digit(text, all.end()) {
            continue;
        }
        push(all.start(), all.end(), &c[1], c[3].parse().unwrap_or(0), &c[5]);
    }
    for c in CJK_DATE.captures_iter(text) {
        if let Some(all) = c.get(0) {
            push(all.start(), all.end(), &c[1], c[2].parse().unwrap_or(0), &c[3]);
        }
    }
    found.sort_by_key(|d| d.start);
    // Overlapping matches ("17.05.2019" inside a wordy match) keep the first.
    let mut out: Vec<TextDate> = Vec::with_capacity(found.len());
    for date in found {
        if out.last().is_none_or(|last| date.start >= last.end) {
            out.push(date);
        }
    }
    out
}

/// The cue phrase ending at or just before `end` of `before` (the text before a date), looking
/// back at most `window` bytes: "Veröffentlicht am 17. Mai" has a published cue.
pub fn cue_before(before: &str, window: usize) -> Option<Cue> {
    let mut start = before.len().saturating_sub(window);
    while !before.is_char_boundary(start) {
        start += 1;
    }
    let near = before[start..].to_lowercase();
    // The nearest cue wins: "Published 2 May, updated 3 May" dates the second as updated.
    WORDS
        .cues
        .iter()
        .filter_map(|(word, cue)| {
            near.rfind(word.as_str()).filter(|&at| is_word_at(&near, at, word)).map(|at| (at, *cue))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, cue)| cue)
}

fn is_word_at(text: &str, at: usize, word: &str) -> bool {
    let before_ok = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    let after_ok = text[at + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before_ok && after_ok
}

fn followed_by_digit(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn month_of(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    WORDS.months.iter().find(|(word, _)| *word == lower).map(|(_, month)| *month)
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)")
        .expect("url date regex is valid")
});

static COMPACT_URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/").expect("compact url date regex is valid")
});

/// A leading ISO date, whatever follows it ("2022-01-10T22:06:08:684Z" is malformed after the
/// day, but the day is clear).
static LEADING_ISO_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:$|[T\s_])").expect("iso date regex is valid")
});

/// Whether a machine-readable date states UTC explicitly ("Z", "+00:00", "GMT"), as opposed to
/// a local offset or no offset at all.
pub fn states_utc(value: &str) -> bool {
    let value = value.trim();
    value.ends_with('Z') || value.ends_with("+00:00") || value.ends_with("+0000") || value.ends_with("GMT")
}

/// Parses a machine-readable date (meta content, JSON-LD, `<time datetime>`), checking it is
/// plausible.
pub fn parse_machine_date(value: &str) -> Option<DateTime<FixedOffset>> {
    parse_stated_date(value, true)
}

/// Parses a date stated in a visible element (`<time>` text or attribute): like
/// [`parse_machine_date`], but numeric dates with slashes follow the page's convention.
pub fn parse_visible_date(value: &str, month_first: bool) -> Option<DateTime<FixedOffset>> {
    parse_stated_date(value, month_first)
}

fn parse_stated_date(value: &str, month_first: bool) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return None;
    }
    parse_machine_date_unchecked(value, month_first).filter(is_plausible)
}

fn parse_machine_date_unchecked(value: &str, month_first: bool) -> Option<DateTime<FixedOffset>> {
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
    if let Some(captures) = LEADING_ISO_DATE.captures(value) {
        return date_from_parts(&captures[1], &captures[2], &captures[3]);
    }
    // Prose in a machine field ("04:25:06 PM IST Apr 08, 2020", "17.05.2019 10:00"). Software
    // that writes slashes in `<meta>` and JSON-LD writes month first ("11/01/2023 12:43:42" is
    // November 1).
    dates_in_text(value, month_first).first().and_then(|d| d.date.and_hms_opt(0, 0, 0)).map(utc)
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

/// The first plausible prose date in `text`: "May 14, 2019", "Sept. 3, 2019", "14 May 2019",
/// "2019-05-14", "14.05.2019".
#[cfg(test)]
pub fn date_from_text(text: &str) -> Option<DateTime<FixedOffset>> {
    dates_in_text(text, false).into_iter().filter_map(|d| d.date.and_hms_opt(0, 0, 0).map(utc)).find(is_plausible)
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
            ("2022-01-10T22:06:08:684Z", "2022-01-10"),
            ("04:25:06 PM IST Apr 08, 2020", "2020-04-08"),
            ("11/01/2023 12:43:42", "2023-11-01"),
            ("17.05.2019 10:00", "2019-05-17"),
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

    #[test]
    fn dates_in_five_languages_and_numeric_orders() {
        for (text, expected) in [
            ("Veröffentlicht am 17. Mai 2019, 10:02 Uhr", "2019-05-17"),
            ("Publié le 17 mai 2019 à 10h02", "2019-05-17"),
            ("Publicado el 17 de mayo de 2019", "2019-05-17"),
            ("Pubblicato il 17 maggio 2019", "2019-05-17"),
            ("1er mars 2019", "2019-03-01"),
            ("Stand: 12.11.2021", "2021-11-12"),
            ("Datum: 3.2.2022", "2022-02-03"),
            ("2019/05/17 10:00", "2019-05-17"),
            ("Posted March 3rd, 2020", "2020-03-03"),
            ("12. Dezember 2018", "2018-12-12"),
            ("5 sept. 2019", "2019-09-05"),
            ("15 августа 2016, 13:43", "2016-08-15"),
            ("2020年07月03日", "2020-07-03"),
            ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "2020-10-07"),
            ("12 października 2021", "2021-10-12"),
        ] {
            assert_eq!(ymd(date_from_text(text)).as_deref(), Some(expected), "{text}");
        }
        let us = dates_in_text("Posted 05/06/2019", true);
        assert_eq!(us[0].date, NaiveDate::from_ymd_opt(2019, 5, 6).unwrap());
        let eu = dates_in_text("Posted 05/06/2019", false);
        assert_eq!(eu[0].date, NaiveDate::from_ymd_opt(2019, 6, 5).unwrap());
        assert!(dates_in_text("call 12.34.5678 or 1.2.30001", false).is_empty());
        assert_eq!(ymd(date_from_text("Copyright 1989-1994")), None);
    }

    #[test]
    fn cues_before_a_date() {
        assert_eq!(cue_before("Veröffentlicht am ", 40), Some(Cue::Published));
        assert_eq!(cue_before("Published 2 May, updated ", 40), Some(Cue::Updated));
        assert_eq!(cue_before("© ", 40), Some(Cue::Copyright));
        assert_eq!(cue_before("Beiträge: 1626 Registriert: ", 40), Some(Cue::Joined));
        assert_eq!(cue_before("Joined: ", 40), Some(Cue::Joined));
        assert_eq!(cue_before("The meeting on ", 40), None);
        assert_eq!(cue_before("Standard procedure since ", 40), None);
    }
}
