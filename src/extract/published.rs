//! Which date is the page's publication date, and which its last modification: a cascade in
//! the order the best date extractors use (htmldate, trafilatura), each step a named function
//! with its confidence in [`CONFIDENCE`].
//!
//! 1. `<meta>` publication keys, specific ones (Open Graph, Parse.ly, Sailthru, citation, ...)
//!    before generic ones (`date`, `dc.date`). As in htmldate they come before JSON-LD: where
//!    the two disagree, the JSON-LD date is more often another version's.
//! 2. JSON-LD `datePublished`/`dateCreated`/`uploadDate` of the article item, then of any item
//!    (`@graph` entries included); `dateModified` is the modification date, never the
//!    publication date.
//! 3. `<time datetime>`, microdata and hAtom dates, scored by where they stand (the article and
//!    its header count, asides, footers, related lists and comments do not).
//! 4. A date in the page or canonical URL (`/2019/05/17/`).
//! 5. A date written in the page text after a publication phrase in one of the lexicon's
//!    languages ("Published", "Veröffentlicht am", "Publié le", "Publicado el").
//! 6. The first date written after the headline (or just before it) on a short line: a
//!    dateline or byline, not a sentence.
//! 7. A date after a label that does not say which date it is ("Datum:", "Stand:", "vom") on a
//!    short line (in a sentence such a label dates an event).
//! 8. Dates written in elements whose class names a date or byline ("date", "datum",
//!    "published", "byline", ...).
//! 9. The first date on a short line anywhere in the text (the "extensive" search), then a
//!    date the page calls a modification, then a date inside a sentence of prose (more often
//!    an event's than the page's), then a `datePublished`-like key in the page's script data,
//!    and last the most frequent date in the page source.
//!
//! Every candidate must be plausible (from [`super::date::EARLIEST_YEAR`] to tomorrow); text
//! dates after a copyright phrase, a modification phrase ("Updated", "Aktualisiert") or a
//! forum member's join label ("Joined:", "Registriert:") are not publication dates. Owns the choice only; parsing notations lives in [`super::date`].

use std::cell::LazyCell;
use std::sync::LazyLock;

use regex::Regex;

use chrono::{DateTime, FixedOffset, NaiveDate};
use scraper::{ElementRef, Node};
use serde_json::{Map, Value};
use url::Url;

use super::date::{self, Cue};
use super::metadata::{self, Raw};
use crate::model::PublishedSource;

/// `<meta>` keys (name, property or itemprop, lower case) that carry the publication date, in
/// order of trust: the article's own Open Graph and schema.org keys, then the keys of
/// publishing platforms and analytics tags, then generic and library keys.
pub const PUBLISHED_META_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "datecreated",
    "published_time",
    "published-date",
    "publish-date",
    "publish_date",
    "publishdate",
    "publication_date",
    "article:publicationdate",
    "article.published",
    "article.created",
    "article_date_original",
    "article:post_date",
    "originalpublicationdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "bt:pubdate",
    "rbpubdate",
    "rnews:datepublished",
    "item-publish-date",
    "displaydate",
    "dcsext.articlefirstpublished",
    "cxenseparse:recs:publishtime",
    "shareaholic:article_published_time",
    "twt-published-at",
    "vr:published_time",
    "mediator_published_time",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date.issued",
    "dc.date.created",
    "dc.date.publication",
    "dcterms.issued",
    "dcterms.created",
    "release_date",
    "video:release_date",
];

/// `<meta>` keys that carry a date without saying which: content systems fill them with the
/// publication date, the last change or the day the page was built. They are read after the
/// specific keys. (Tried after JSON-LD and the page's date markup too: that lost as many
/// pages as it won on the tuning part.)
pub const GENERIC_DATE_META_KEYS: &[&str] = &[
    "date",
    "dc.date",
    "dc:date",
    "dcterms.date",
    "dc.created",
    "dc:created",
    "date_published",
    "date_created",
    "dateposted",
    "doc_date",
    "created",
    "pdate",
    "ptime",
];

/// `<meta>` keys that carry the modification date.
pub const MODIFIED_META_KEYS: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "modified_time",
    "updated_time",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
];

/// JSON-LD keys of the publication date, in order of trust.
const LD_PUBLISHED_KEYS: &[&str] = &["datePublished", "dateCreated", "uploadDate"];

/// JSON-LD types whose dates are not the page's (the site, its publisher, a person's birth).
const LD_FOREIGN_TYPES: &[&str] = &["website", "organization", "newsmediaorganization", "person", "imageobject"];

/// How sure each step is: the confidence of the date it gives.
pub const CONFIDENCE: &[(Step, f32)] = &[
    (Step::JsonLd, 0.95),
    (Step::Meta, 0.9),
    (Step::Markup, 0.85),
    (Step::Url, 0.8),
    (Step::ScriptData, 0.35),
    (Step::HintedText, 0.7),
    (Step::CuedText, 0.75),
    (Step::LabelledText, 0.6),
    (Step::TextAfterHeadline, 0.55),
    (Step::AnyText, 0.4),
    (Step::UpdatedText, 0.3),
    (Step::ProseText, 0.3),
    (Step::PageSource, 0.25),
];

/// Added to a date's confidence (up to [`MAX_CONFIDENCE`]) when another step names the same day.
const AGREEMENT_BONUS: f32 = 0.04;
const MAX_CONFIDENCE: f32 = 0.99;

/// Bytes of the page source the last step reads.
pub const MAX_SOURCE_SCAN_BYTES: usize = 1024 * 1024;

/// How far apart a UTC date and a local date may be and still be the same moment written two
/// ways (a naive local time can be up to 14 hours from UTC).
const LOCAL_TIME_WINDOW_HOURS: i64 = 14;

/// A line of body text at most this long is a dateline or byline; a date in a longer one sits
/// in a sentence of prose ("the vote on 6 September 2017 ...").
const MAX_DATELINE_BYTES: usize = 160;

/// A date written just before the headline (a dateline above it) counts within this many bytes.
const BEFORE_HEADLINE_BYTES: usize = 300;

/// Body text read for written dates, in bytes: the byline and date stand near the top.
pub const MAX_DATE_TEXT_BYTES: usize = 32 * 1024;

/// How far before a written date a publication, modification or copyright phrase may stand.
const CUE_WINDOW_BYTES: usize = 48;

/// A date written after the headline counts when it stands within this many bytes of it.
const HEADLINE_WINDOW_BYTES: usize = 1_000;

/// The steps of the cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    JsonLd,
    Meta,
    Markup,
    Url,
    HintedText,
    CuedText,
    TextAfterHeadline,
    LabelledText,
    AnyText,
    UpdatedText,
    ProseText,
    ScriptData,
    PageSource,
}

impl Step {
    fn confidence(self) -> f32 {
        CONFIDENCE.iter().find(|(step, _)| *step == self).map_or(0.0, |(_, c)| *c)
    }

    fn source(self) -> PublishedSource {
        match self {
            Step::JsonLd => PublishedSource::JsonLd,
            Step::Meta => PublishedSource::Meta,
            Step::Markup => PublishedSource::Time,
            Step::Url => PublishedSource::Url,
            Step::ScriptData => PublishedSource::JsonLd,
            Step::HintedText
            | Step::CuedText
            | Step::LabelledText
            | Step::TextAfterHeadline
            | Step::AnyText
            | Step::UpdatedText
            | Step::ProseText
            | Step::PageSource => PublishedSource::Text,
        }
    }
}

/// What the cascade reads.
pub struct Evidence<'a> {
    pub raw: &'a Raw,
    pub article_item: Option<&'a Map<String, Value>>,
    pub page_url: Option<&'a Url>,
    pub canonical_url: Option<&'a str>,
    pub root: ElementRef<'a>,
    /// The page's title, to find its headline in the body.
    pub title: Option<&'a str>,
    /// The page as it came, before pruning (scripts and comments included), for the last step.
    pub source: &'a str,
}

/// The chosen dates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dated {
    pub published: Option<DateTime<FixedOffset>>,
    pub source: PublishedSource,
    /// 0..1; 0 without a date.
    pub confidence: f32,
    pub modified: Option<DateTime<FixedOffset>>,
}

/// One step of the cascade, run only when the steps before it found nothing.
type StepFn<'a> = dyn Fn() -> Option<DateTime<FixedOffset>> + 'a;

/// Runs the cascade.
pub fn choose(evidence: &Evidence<'_>) -> Dated {
    let modified = modified_date(evidence);
    let month_first = month_first(evidence.root);
    // Read only when the machine-readable steps find nothing.
    let text = LazyCell::new(|| BodyText::of(evidence.root, evidence.title, month_first));
    let steps: [(Step, &StepFn<'_>); 13] = [
        (Step::Meta, &|| meta_date(evidence.raw)),
        (Step::JsonLd, &|| json_ld_date(evidence)),
        (Step::Markup, &|| markup_date(evidence.raw, month_first)),
        (Step::Url, &|| url_date(evidence)),
        (Step::CuedText, &|| text.cued_date(Cue::Published)),
        (Step::TextAfterHeadline, &|| text.date_after_headline(true)),
        (Step::LabelledText, &|| text.labelled_date()),
        (Step::HintedText, &|| hinted_text_date(evidence.raw, month_first)),
        (Step::AnyText, &|| text.first_date(true)),
        (Step::UpdatedText, &|| text.updated_date()),
        (Step::ProseText, &|| text.date_after_headline(false).or_else(|| text.first_date(false))),
        (Step::ScriptData, &|| script_data_date(evidence.source)),
        (Step::PageSource, &|| source_date(evidence.source)),
    ];
    let mut chosen: Option<(Step, DateTime<FixedOffset>)> = None;
    let mut agreeing = 0usize;
    for (step, find) in steps {
        // Agreement is only looked for among the machine-readable steps and the URL; the text
        // steps cost more and guess more.
        if chosen.is_some() && !matches!(step, Step::Meta | Step::JsonLd | Step::Markup | Step::Url) {
            break;
        }
        let Some(date) = find() else { continue };
        match chosen {
            None => chosen = Some((step, date)),
            Some((_, first)) => {
                if first.date_naive() == date.date_naive() {
                    agreeing += 1;
                }
            }
        }
    }
    // A page republished after an update shows readers the new date: when the machine dates
    // say "published X, modified Y" and the date the page shows (its `<time>`, a dated phrase,
    // the date under the headline) is Y, Y is the date of this version. (Taking Y whenever it
    // is years after X, as for rewritten evergreen pages, won 2 and lost 1 tuning page: not
    // kept.)
    if let (Some((step, date)), Some(modified)) = (chosen, modified)
        && matches!(step, Step::Meta | Step::JsonLd)
        && modified.date_naive() != date.date_naive()
    {
        // The `<time>` first: reading the body text costs more.
        let shows = |date: Option<DateTime<FixedOffset>>| date.is_some_and(|d| d.date_naive() == modified.date_naive());
        let shown = || match markup_date(evidence.raw, month_first) {
            Some(date) => shows(Some(date)),
            None => shows(text.cued_date(Cue::Published).or_else(|| text.date_after_headline(true))),
        };
        if shown() {
            chosen = Some((step, modified));
        }
    }
    let zone = PageZone::of(evidence.root);
    let chosen = chosen.map(|(step, date)| (step, local_day(date, &machine_dates(evidence), evidence.source, zone)));
    match chosen {
        Some((step, date)) => Dated {
            published: Some(date),
            source: step.source(),
            confidence: (step.confidence() + AGREEMENT_BONUS * agreeing as f32).min(MAX_CONFIDENCE),
            modified: modified.filter(|m| *m != date),
        },
        None => Dated { modified, ..Dated::default() },
    }
}

/// Every machine-readable publication date on the page, as written and parsed.
fn machine_dates<'a>(evidence: &'a Evidence<'_>) -> Vec<(&'a str, DateTime<FixedOffset>)> {
    let ld = evidence
        .article_item
        .into_iter()
        .chain(evidence.raw.ld_items.iter())
        .flat_map(|item| LD_PUBLISHED_KEYS.iter().filter_map(move |k| item.get(*k)?.as_str()));
    let metas = metadata::meta_values(evidence.raw, PUBLISHED_META_KEYS)
        .chain(metadata::meta_values(evidence.raw, GENERIC_DATE_META_KEYS));
    let times = evidence.raw.times.iter().filter(|(_, score)| *score > 0).map(|(value, _)| value.as_str());
    ld.chain(metas).chain(times).filter_map(|value| Some((value, date::parse_machine_date(value)?))).collect()
}

/// The day as the page states it locally. A date stated in UTC ("Z") may fall on the next or
/// previous day from the publisher's view; when another machine date on the page is the same
/// moment (or within [`LOCAL_TIME_WINDOW_HOURS`]) written with a local offset or with no offset
/// at all, its day is the page's day; else a copy of the same moment written locally anywhere
/// in the page source (see [`same_moment_in_source`]). Otherwise, on a page in a Central
/// European language, the UTC moment is read in Central European Time (a story stamped 23:01Z
/// in November went out at 00:01 the next day).
fn local_day(
    chosen: DateTime<FixedOffset>,
    dates: &[(&str, DateTime<FixedOffset>)],
    source: &str,
    zone: PageZone,
) -> DateTime<FixedOffset> {
    let chosen_in_utc = dates.iter().any(|(value, date)| *date == chosen && date::states_utc(value));
    if !chosen_in_utc {
        return chosen;
    }
    let window = chrono::Duration::hours(LOCAL_TIME_WINDOW_HOURS);
    let written_locally = dates.iter().find(|(value, date)| {
        !date::states_utc(value)
            && date.date_naive() != chosen.date_naive()
            && (*date - chosen).abs() <= window
            && (date.offset().local_minus_utc() != 0 || (*date - chosen).abs() >= chrono::Duration::hours(1))
    });
    if let Some((_, date)) = written_locally {
        return *date;
    }
    if let Some(date) = same_moment_in_source(chosen, source) {
        return date;
    }
    match zone {
        // "+00:00" is what WordPress writes for a site left on UTC, with local times; only an
        // explicit "Z" is a UTC moment.
        PageZone::CentralEurope if dates.iter().any(|(value, date)| *date == chosen && value.trim().ends_with('Z')) => {
            central_european_offset(chosen).map_or(chosen, |offset| chosen.with_timezone(&offset))
        }
        _ => chosen,
    }
}

/// The same moment as a UTC stamp, written on another day in the publisher's time anywhere in
/// the page source (scripts included): content systems that put UTC in their `<meta>` and
/// JSON-LD (WordPress, Arc) keep the local time in their data layers and analytics calls
/// (`"date":"2020-02-24T21:25:54-05:00"`, `publication_date = "2020-02-17 21:18:11"`). A stamp
/// with an offset must be the very same instant; one without an offset must be to the second
/// the UTC time shifted by a whole number of quarter hours, at most
/// [`LOCAL_TIME_WINDOW_HOURS`] (a zone's offset). A UTC time on the full hour (often a
/// placeholder) is not matched.
///
/// Only stamps on the day before or after the UTC day can change it: the page source is
/// searched for those days written `YYYY-MM-DD` (a check that finds nothing on most pages)
/// rather than for every stamp, as most pages with a UTC date pay for this search.
fn same_moment_in_source(chosen: DateTime<FixedOffset>, source: &str) -> Option<DateTime<FixedOffset>> {
    use chrono::Timelike;
    static STAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:19|20)\d\d-[01]\d-[0-3]\d[T ][0-2]\d:[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-][01]\d:?[0-5]\d)?")
            .expect("source stamp regex is valid")
    });
    /// The longest stamp the regex takes (`2020-02-17T21:18:11.123456789+05:30`), with room.
    const MAX_STAMP_BYTES: usize = 48;
    if chosen.minute() == 0 && chosen.second() == 0 {
        return None;
    }
    let mut end = source.len().min(MAX_SOURCE_SCAN_BYTES);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let source = &source[..end];
    let window = chrono::Duration::hours(LOCAL_TIME_WINDOW_HOURS);
    let same_moment = |value: &str| {
        let date = date::parse_machine_date(value)?;
        if date.date_naive() == chosen.date_naive() || value.ends_with('Z') {
            return None;
        }
        let offset_given = value.len() > 19 && value[19..].contains(['+', '-']);
        let same = if offset_given {
            date == chosen && date.offset().local_minus_utc() != 0
        } else {
            let shift = date.naive_local() - chosen.naive_utc();
            shift.num_seconds() % (15 * 60) == 0 && shift.abs() <= window
        };
        same.then_some(date)
    };
    let utc = chosen.naive_utc();
    [utc - window, utc + window]
        .into_iter()
        .map(|moment| moment.date())
        .filter(|day| *day != utc.date())
        .map(|day| day.format("%Y-%m-%d").to_string())
        .filter(|needle| source.contains(needle.as_str()))
        .find_map(|needle| {
            source.match_indices(needle.as_str()).find_map(|(at, _)| {
                let mut stop = (at + MAX_STAMP_BYTES).min(source.len());
                while !source.is_char_boundary(stop) {
                    stop -= 1;
                }
                same_moment(STAMP.find(&source[at..stop])?.as_str())
            })
        })
}

/// Where a page's readers are, as far as its `<html lang>` tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageZone {
    /// Central European Time (UTC+1, UTC+2 in summer).
    CentralEurope,
    Unknown,
}

/// Languages published mostly from Central European Time, and the regions (`lang="de-AT"`)
/// that are in it; a language with another region ("fr-CA", "es-MX") is not.
const CENTRAL_EUROPEAN_LANGUAGES: &[&str] =
    &["de", "it", "nl", "pl", "cs", "sk", "hu", "da", "sv", "nb", "nn", "no", "hr", "sl", "sr", "bs", "fr", "es"];
const CENTRAL_EUROPEAN_REGIONS: &[&str] = &[
    "de", "at", "ch", "li", "lu", "be", "nl", "fr", "mc", "es", "ad", "it", "sm", "va", "pl", "cz", "sk", "hu", "si",
    "hr", "rs", "ba", "me", "mk", "al", "dk", "se", "no",
];

impl PageZone {
    fn of(root: ElementRef<'_>) -> PageZone {
        let lang = root.value().attr("lang").unwrap_or("").trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = lang.split('-');
        let language = parts.next().unwrap_or("");
        let region = parts.next();
        let central = CENTRAL_EUROPEAN_LANGUAGES.contains(&language)
            && region.is_none_or(|r| CENTRAL_EUROPEAN_REGIONS.contains(&r));
        if central { PageZone::CentralEurope } else { PageZone::Unknown }
    }
}

/// The Central European offset at a moment: UTC+2 from the last Sunday of March to the last
/// Sunday of October (01:00 UTC), else UTC+1.
fn central_european_offset(moment: DateTime<FixedOffset>) -> Option<FixedOffset> {
    use chrono::{Datelike, TimeZone, Utc};
    let year = moment.year();
    let last_sunday = |month: u32| {
        let last = NaiveDate::from_ymd_opt(year, month, 31)?;
        let back = last.weekday().num_days_from_sunday();
        Utc.from_utc_datetime(&(last - chrono::Duration::days(i64::from(back))).and_hms_opt(1, 0, 0)?).into()
    };
    let (start, end): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (last_sunday(3), last_sunday(10));
    let summer = start.zip(end).is_some_and(|(start, end)| moment >= start && moment < end);
    FixedOffset::east_opt(if summer { 2 * 3600 } else { 3600 })
}

/// A publication date in the page's script data: the JSON a site ships for its own scripts
/// (Next.js and Nuxt state, data layers) names it with the schema.org key or a common variant
/// even where no JSON-LD block does, or where that block does not parse.
fn script_data_date(source: &str) -> Option<DateTime<FixedOffset>> {
    static KEYED_DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#""(?:datePublished|dateCreated|publishedDate|publishDate|published_at|publishedAt|publish_date|date_published|firstPublished)"\s*:\s*"([^"]{8,40})""#,
        )
        .expect("script data date regex is valid")
    });
    let mut end = source.len().min(MAX_SOURCE_SCAN_BYTES);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    KEYED_DATE.captures_iter(&source[..end]).find_map(|c| date::parse_machine_date(&c[1].replace("\\/", "/")))
}

/// The most frequent plausible date written anywhere in the page source, scripts and comments
/// included (htmldate's last resort): content management systems repeat the publication date
/// in data layers, cache notes and asset URLs. Copyright years are skipped.
fn source_date(source: &str) -> Option<DateTime<FixedOffset>> {
    let mut end = source.len().min(MAX_SOURCE_SCAN_BYTES);
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let source = &source[..end];
    let mut counts: Vec<(NaiveDate, usize, usize)> = Vec::new();
    for found in date::dates_in_text(source, false) {
        if plausible(found.date).is_none()
            || matches!(date::cue_before(&source[..found.start], CUE_WINDOW_BYTES), Some(Cue::Copyright | Cue::Joined))
        {
            continue;
        }
        match counts.iter_mut().find(|(day, ..)| *day == found.date) {
            Some((_, count, _)) => *count += 1,
            None => counts.push((found.date, 1, found.start)),
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2))).and_then(|(day, ..)| plausible(day))
}

/// JSON-LD publication date: the article item first, then other items that describe the page.
fn json_ld_date(evidence: &Evidence<'_>) -> Option<DateTime<FixedOffset>> {
    let foreign = |item: &Map<String, Value>| {
        metadata::item_types(item).iter().any(|t| LD_FOREIGN_TYPES.contains(&t.trim_start_matches("schema:")))
    };
    evidence
        .article_item
        .into_iter()
        .chain(evidence.raw.ld_items.iter().filter(|item| !foreign(item)))
        .flat_map(|item| LD_PUBLISHED_KEYS.iter().map(move |k| item.get(*k)))
        .flatten()
        .filter_map(Value::as_str)
        .find_map(date::parse_machine_date)
}

/// The specific keys first, then the generic ones.
fn meta_date(raw: &Raw) -> Option<DateTime<FixedOffset>> {
    metadata::meta_values(raw, PUBLISHED_META_KEYS)
        .chain(metadata::meta_values(raw, GENERIC_DATE_META_KEYS))
        .find_map(date::parse_machine_date)
}

/// The best-placed `<time>`/microdata date (see `metadata::note_machine_date` for the scores).
fn markup_date(raw: &Raw, month_first: bool) -> Option<DateTime<FixedOffset>> {
    let mut times: Vec<&(String, u8)> = raw.times.iter().filter(|(_, s)| *s > 0).collect();
    times.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    times.iter().find_map(|(datetime, _)| date::parse_visible_date(datetime, month_first))
}

fn url_date(evidence: &Evidence<'_>) -> Option<DateTime<FixedOffset>> {
    evidence
        .page_url
        .and_then(|u| date::date_from_url(u.as_str()))
        .or_else(|| evidence.canonical_url.and_then(date::date_from_url))
}

/// The first publication date written in a date or byline element, skipping modification and
/// copyright dates.
fn hinted_text_date(raw: &Raw, month_first: bool) -> Option<DateTime<FixedOffset>> {
    raw.date_texts.iter().find_map(|text| {
        date::dates_in_text(text, month_first)
            .into_iter()
            .filter(|d| {
                !matches!(
                    date::cue_before(&text[..d.start], CUE_WINDOW_BYTES),
                    Some(Cue::Updated | Cue::Copyright | Cue::Joined)
                )
            })
            .find_map(|d| plausible(d.date))
    })
}

/// The modification date: JSON-LD `dateModified` of the article item, modification `<meta>`
/// keys, microdata.
fn modified_date(evidence: &Evidence<'_>) -> Option<DateTime<FixedOffset>> {
    evidence
        .article_item
        .and_then(|item| item.get("dateModified"))
        .and_then(Value::as_str)
        .and_then(date::parse_machine_date)
        .or_else(|| {
            metadata::meta_values(evidence.raw, MODIFIED_META_KEYS)
                .chain(evidence.raw.modified_times.iter().map(String::as_str))
                .find_map(date::parse_machine_date)
        })
}

/// Whether ambiguous numeric dates read month first: pages in United States English.
fn month_first(root: ElementRef<'_>) -> bool {
    let lang = root.value().attr("lang").unwrap_or("").to_ascii_lowercase();
    lang == "en-us" || lang == "en_us"
}

fn plausible(date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().fixed_offset()).filter(date::is_plausible)
}

/// Most `<h1>`/`<h2>` elements compared with the title when looking for the headline.
const MAX_HEADLINE_CANDIDATES: usize = 32;

/// Lower-case words of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a heading repeats the title: at least two words, most of them in the title.
fn repeats_title(heading: &[String], title: &[String]) -> bool {
    heading.len() >= 2 && {
        let shared = heading.iter().filter(|w| title.contains(w)).count();
        shared * 10 >= heading.len() * 7
    }
}

/// A date written in the body text.
#[derive(Debug, Clone, Copy)]
struct WrittenDate {
    /// Byte offset in the body text.
    at: usize,
    cue: Option<Cue>,
    date: DateTime<FixedOffset>,
    /// Whether the line holding it is short (a dateline or byline, not a sentence of prose).
    short_line: bool,
}

/// The body's visible text (bounded by [`MAX_DATE_TEXT_BYTES`]) read for written dates: the
/// dates in it with the phrase before each, and where the headline starts.
struct BodyText {
    dates: Vec<WrittenDate>,
    headline_at: Option<usize>,
}

impl BodyText {
    /// The body text; the headline is the first `<h1>` or `<h2>` that repeats the page's title
    /// (the first `<h1>` when none does: a logo or section name may be the first heading).
    fn of(root: ElementRef<'_>, title: Option<&str>, month_first: bool) -> BodyText {
        let (text, headline_at) = body_text(root, title);
        let dates = date::dates_in_text(&text, month_first)
            .into_iter()
            .filter_map(|d| {
                let cue = date::cue_before(&text[..d.start], CUE_WINDOW_BYTES);
                let line_start = text[..d.start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[d.end..].find('\n').map_or(text.len(), |i| d.end + i);
                let short_line = text[line_start..line_end].trim().len() <= MAX_DATELINE_BYTES;
                let date = plausible(d.date)?;
                (!matches!(cue, Some(Cue::Copyright | Cue::Joined))).then_some(WrittenDate {
                    at: d.start,
                    cue,
                    date,
                    short_line,
                })
            })
            .collect();
        BodyText { dates, headline_at }
    }

    /// The first date after a phrase of this kind.
    fn cued_date(&self, kind: Cue) -> Option<DateTime<FixedOffset>> {
        self.dates.iter().find(|d| d.cue == Some(kind)).map(|d| d.date)
    }

    /// The first date after a label that does not say which date it is ("Datum:", "Stand:",
    /// "vom"), on a short line: inside a sentence such a word introduces an event's date ("the
    /// law vom 14. September 2016"), in a dateline the page's.
    fn labelled_date(&self) -> Option<DateTime<FixedOffset>> {
        self.dates.iter().find(|d| d.cue == Some(Cue::Dated) && d.short_line).map(|d| d.date)
    }

    /// The first date after the headline within [`HEADLINE_WINDOW_BYTES`], else the last one
    /// just before it (within [`BEFORE_HEADLINE_BYTES`]); with `short_only`, only dates on
    /// short lines (a dateline, a byline), not inside sentences of prose (an event's date).
    fn date_after_headline(&self, short_only: bool) -> Option<DateTime<FixedOffset>> {
        let headline = self.headline_at?;
        let near: Vec<&WrittenDate> = self
            .dates
            .iter()
            .filter(|d| {
                d.cue != Some(Cue::Updated)
                    && d.at + BEFORE_HEADLINE_BYTES >= headline
                    && d.at <= headline + HEADLINE_WINDOW_BYTES
            })
            .collect();
        let pick = |short_only: bool| {
            let mut near = near.iter().filter(|d| d.short_line || !short_only);
            let after = near.clone().find(|d| d.at >= headline);
            after.or_else(|| near.rfind(|d| d.at < headline)).map(|d| d.date)
        };
        pick(short_only)
    }

    /// Last resort: a date the page calls a modification ("Updated May 14, 2019") is closer
    /// to the publication than no date.
    fn updated_date(&self) -> Option<DateTime<FixedOffset>> {
        self.cued_date(Cue::Updated)
    }

    /// The first date anywhere (with `short_only`, on a short line).
    fn first_date(&self, short_only: bool) -> Option<DateTime<FixedOffset>> {
        self.dates.iter().find(|d| d.cue != Some(Cue::Updated) && (d.short_line || !short_only)).map(|d| d.date)
    }
}

/// The body's visible text, blocks on lines of their own, and where the headline starts: the
/// first `<h1>` or `<h2>` that repeats the page's title, else the first `<h1>`.
fn body_text(root: ElementRef<'_>, title: Option<&str>) -> (String, Option<usize>) {
    let mut text = String::new();
    let mut headline_at = None;
    let Some(body) = root.children().filter_map(ElementRef::wrap).find(|e| e.value().name() == "body") else {
        return (text, headline_at);
    };
    let title_words = title.map(words).unwrap_or_default();
    let mut first_h1 = None;
    let mut headings_seen = 0;
    for node in body.descendants() {
        if text.len() >= MAX_DATE_TEXT_BYTES {
            break;
        }
        match node.value() {
            Node::Text(chunk) => {
                if node.ancestors().next().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() == "script") {
                    continue;
                }
                text.push_str(chunk);
            }
            Node::Element(element) => {
                let name = element.name();
                if matches!(name, "h1" | "h2") && headline_at.is_none() && headings_seen < MAX_HEADLINE_CANDIDATES {
                    headings_seen += 1;
                    if name == "h1" && first_h1.is_none() {
                        first_h1 = Some(text.len());
                    }
                    let heading: String =
                        ElementRef::wrap(node).map(|e| e.text().take(16).collect()).unwrap_or_default();
                    if repeats_title(&words(&heading), &title_words) {
                        headline_at = Some(text.len());
                    }
                }
                // A space at every element, so that "Tanja Karrasch</span><span>3.11.2023"
                // keeps its date a word of its own.
                text.push(if super::hints::tag_traits(name).block { '\n' } else { ' ' });
            }
            _ => {}
        }
    }
    (text, headline_at.or(first_h1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(value: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(value).expect("test date is RFC 3339")
    }

    #[test]
    fn a_utc_stamp_takes_the_day_of_the_same_moment_written_locally_in_the_source() {
        let chosen = at("2020-02-25T02:25:54+00:00");
        let day = |source: &str| same_moment_in_source(chosen, source).map(|d| d.format("%F").to_string());
        let cases: &[(&str, Option<&str>)] = &[
            // The same instant with the publisher's offset, in a data layer.
            (r#"{"date":"2020-02-24T21:25:54-05:00"}"#, Some("2020-02-24")),
            // A local wall-clock time without offset, five hours from UTC to the second.
            (r#"var publication_date = "2020-02-24 21:25:54";"#, Some("2020-02-24")),
            // The same day as the UTC stamp: nothing to change.
            ("2020-02-25T07:55:54", None),
            // Another instant with an offset, another second, a non-zone shift: not the same moment.
            ("2020-02-24T21:25:55-05:00 2020-02-24 21:25:53 2020-02-24T20:13:54", None),
            // Further than any zone.
            ("2020-02-24 10:25:54", None),
            // Another UTC copy says nothing of the local day.
            ("2020-02-24T21:25:54Z", None),
        ];
        for (source, expected) in cases {
            assert_eq!(day(source).as_deref(), *expected, "{source}");
        }
        // A half-hour zone (India) that crosses midnight.
        let late = at("2020-02-24T20:25:54Z");
        let local = same_moment_in_source(late, "2020-02-25 01:55:54").map(|d| d.format("%F").to_string());
        assert_eq!(local.as_deref(), Some("2020-02-25"));
        // A stamp on the full hour is often a placeholder: never matched.
        assert_eq!(same_moment_in_source(at("2020-02-25T02:00:00+00:00"), "2020-02-24 21:00:00"), None);
    }

    fn body(html: &str) -> BodyText {
        let doc = scraper::Html::parse_document(&format!("<html><body>{html}</body></html>"));
        BodyText::of(doc.root_element(), None, false)
    }

    fn day(date: Option<DateTime<FixedOffset>>) -> Option<String> {
        date.map(|d| d.format("%F").to_string())
    }

    #[test]
    fn a_label_dates_the_page_on_a_short_line_not_inside_a_sentence() {
        let sentence = "Das Ministerium lud alle Verbände ein, zum Urheberrechtspaket der Kommission vom \
                        14. September 2016 bis zum 25. Oktober 2016 Stellung zu nehmen, und viele Verbände \
                        kamen dieser Einladung nach.";
        assert!(sentence.len() > MAX_DATELINE_BYTES);
        let text = body(&format!("<p>{sentence}</p><p>Stand: 24.07.2017</p>"));
        assert_eq!(day(text.labelled_date()).as_deref(), Some("2017-07-24"));
        let text = body(&format!("<p>{sentence}</p>"));
        assert_eq!(day(text.labelled_date()), None);
    }

    #[test]
    fn a_forum_members_join_date_is_never_the_publication_date() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "<dl><dd>Registriert: 18.09.2008, 05:56</dd></dl><h3>Re: Microsoft beginnt mit der Auslieferung</h3>\
                 <p>von r23 » 21.01.2009, 05:42</p>",
                Some("2009-01-21"),
            ),
            ("<div>Joined: Mar 3, 2015</div><div>Posted: Jan 21, 2019</div>", Some("2019-01-21")),
            ("<div>Mitglied seit 12.05.2011</div>", None),
        ];
        for (html, expected) in cases {
            assert_eq!(day(body(html).first_date(true)).as_deref(), *expected, "{html}");
        }
    }
}
