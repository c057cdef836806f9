//! Which date is the page's publication date, and which its last modification: a cascade in
//! the order the best date extractors use (htmldate, trafilatura), each step a named function
//! with its confidence in [`CONFIDENCE`].
//!
//! 1. JSON-LD `datePublished`/`dateCreated`/`uploadDate` of the article item, then of any item
//!    (`@graph` entries included); `dateModified` is the modification date, never the
//!    publication date.
//! 2. `<meta>` publication keys (Open Graph, Dublin Core, Parse.ly, Sailthru, citation, ...).
//! 3. `<time datetime>`, microdata and hAtom dates, scored by where they stand (the article and
//!    its header count, asides, footers, related lists and comments do not).
//! 4. A date in the page or canonical URL (`/2019/05/17/`).
//! 5. Dates written in elements whose class names a date or byline ("date", "datum",
//!    "published", "byline", ...).
//! 6. Dates written in the page text after a publication phrase in one of the lexicon's
//!    languages ("Published", "Veröffentlicht am", "Stand:", "Publié le", "Publicado el").
//! 7. The first date written after the headline, then anywhere in the text (the "extensive"
//!    search, least sure), and last a date the page calls a modification.
//!
//! Every candidate must be plausible (from [`super::date::EARLIEST_YEAR`] to tomorrow); text
//! dates after a copyright phrase or a modification phrase ("Updated", "Aktualisiert") are not
//! publication dates. Owns the choice only; parsing notations lives in [`super::date`].

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
    "pdate",
    "ptime",
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
    "dcterms.date",
    "dc.created",
    "dc:created",
    "dc.date",
    "dc:date",
    "date_published",
    "date_created",
    "dateposted",
    "date",
    "doc_date",
    "created",
    "release_date",
    "video:release_date",
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
    (Step::HintedText, 0.7),
    (Step::CuedText, 0.7),
    (Step::TextAfterHeadline, 0.55),
    (Step::AnyText, 0.4),
    (Step::UpdatedText, 0.3),
];

/// Added to a date's confidence (up to [`MAX_CONFIDENCE`]) when another step names the same day.
const AGREEMENT_BONUS: f32 = 0.04;
const MAX_CONFIDENCE: f32 = 0.99;

/// Body text read for written dates, in bytes: the byline and date stand near the top.
pub const MAX_DATE_TEXT_BYTES: usize = 64 * 1024;

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
    AnyText,
    UpdatedText,
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
            Step::HintedText | Step::CuedText | Step::TextAfterHeadline | Step::AnyText | Step::UpdatedText => {
                PublishedSource::Text
            }
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
    let text = BodyText::of(evidence.root);
    let month_first = month_first(evidence.root);
    let steps: [(Step, &StepFn<'_>); 9] = [
        (Step::Meta, &|| meta_date(evidence.raw)),
        (Step::JsonLd, &|| json_ld_date(evidence)),
        (Step::Markup, &|| markup_date(evidence.raw)),
        (Step::Url, &|| url_date(evidence)),
        (Step::TextAfterHeadline, &|| text.date_after_headline(month_first)),
        (Step::CuedText, &|| text.cued_date(month_first)),
        (Step::HintedText, &|| hinted_text_date(evidence.raw, month_first)),
        (Step::AnyText, &|| text.first_date(month_first)),
        (Step::UpdatedText, &|| text.updated_date(month_first)),
    ];
    let mut chosen: Option<(Step, DateTime<FixedOffset>)> = None;
    let mut agreeing = 0usize;
    for (step, find) in steps {
        let Some(date) = find() else { continue };
        match chosen {
            None => chosen = Some((step, date)),
            Some((_, first)) => {
                if first.date_naive() == date.date_naive() {
                    agreeing += 1;
                }
            }
        }
        // Agreement is only looked for among the sure steps; the text steps cost more.
        if chosen.is_some() && matches!(step, Step::Url) {
            break;
        }
    }
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

fn meta_date(raw: &Raw) -> Option<DateTime<FixedOffset>> {
    metadata::meta_values(raw, PUBLISHED_META_KEYS).find_map(date::parse_machine_date)
}

/// The best-placed `<time>`/microdata date (see `metadata::note_machine_date` for the scores).
fn markup_date(raw: &Raw) -> Option<DateTime<FixedOffset>> {
    let mut times: Vec<&(String, u8)> = raw.times.iter().filter(|(_, s)| *s > 0).collect();
    times.sort_by_key(|(_, score)| std::cmp::Reverse(*score));
    times.iter().find_map(|(datetime, _)| date::parse_machine_date(datetime))
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
                !matches!(date::cue_before(&text[..d.start], CUE_WINDOW_BYTES), Some(Cue::Updated | Cue::Copyright))
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

/// The body's visible text (bounded by [`MAX_DATE_TEXT_BYTES`]), blocks separated by newlines,
/// and where the first `<h1>` starts in it.
struct BodyText {
    text: String,
    headline_at: Option<usize>,
}

impl BodyText {
    fn of(root: ElementRef<'_>) -> BodyText {
        let body = root.children().filter_map(ElementRef::wrap).find(|e| e.value().name() == "body");
        let mut out = BodyText { text: String::new(), headline_at: None };
        let Some(body) = body else { return out };
        for node in body.descendants() {
            if out.text.len() >= MAX_DATE_TEXT_BYTES {
                break;
            }
            match node.value() {
                Node::Text(text) => {
                    if node.ancestors().next().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() == "script")
                    {
                        continue;
                    }
                    out.text.push_str(text);
                }
                Node::Element(element) => {
                    if element.name() == "h1" && out.headline_at.is_none() {
                        out.headline_at = Some(out.text.len());
                    }
                    if super::hints::tag_traits(element.name()).block {
                        out.text.push('\n');
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Written dates with the cue before each (copyright dates dropped).
    fn dates(&self, month_first: bool) -> impl Iterator<Item = (usize, Option<Cue>, DateTime<FixedOffset>)> + '_ {
        date::dates_in_text(&self.text, month_first).into_iter().filter_map(|d| {
            let cue = date::cue_before(&self.text[..d.start], CUE_WINDOW_BYTES);
            let date = plausible(d.date)?;
            (cue != Some(Cue::Copyright)).then_some((d.start, cue, date))
        })
    }

    fn cued_date(&self, month_first: bool) -> Option<DateTime<FixedOffset>> {
        self.dates(month_first).find(|(_, cue, _)| *cue == Some(Cue::Published)).map(|(_, _, date)| date)
    }

    fn date_after_headline(&self, month_first: bool) -> Option<DateTime<FixedOffset>> {
        let headline = self.headline_at?;
        self.dates(month_first)
            .filter(|(at, cue, _)| {
                *at >= headline && *at - headline <= HEADLINE_WINDOW_BYTES && *cue != Some(Cue::Updated)
            })
            .map(|(_, _, date)| date)
            .next()
    }

    /// Last resort: a date the page calls a modification ("Updated May 14, 2019") is closer
    /// to the publication than no date.
    fn updated_date(&self, month_first: bool) -> Option<DateTime<FixedOffset>> {
        self.dates(month_first).find(|(_, cue, _)| *cue == Some(Cue::Updated)).map(|(_, _, date)| date)
    }

    fn first_date(&self, month_first: bool) -> Option<DateTime<FixedOffset>> {
        self.dates(month_first).find(|(_, cue, _)| *cue != Some(Cue::Updated)).map(|(_, _, date)| date)
    }
}
