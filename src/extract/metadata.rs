//! Page metadata with provenance: title, authors, publication and modification dates, canonical
//! URL, site name, `<html lang>`, and the type hints (`og:type`, JSON-LD `@type`) that
//! [`super::kind`] reads.
//!
//! Owns the cascades (JSON-LD, then `<meta>`, then markup, then URL, then prose) and JSON-LD
//! parsing. Must not choose the main text; it reads the DOM in one pass over its elements and
//! never panics on malformed JSON-LD or attribute values.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use regex::Regex;
use scraper::{ElementRef, Html};
use serde_json::{Map, Value};
use url::Url;

use super::hints;
use super::published;
use crate::model::PublishedSource;

/// `<meta>` keys naming authors.
const AUTHOR_META_KEYS: &[&str] =
    &["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"];

/// Class/id tokens of elements holding a byline or author name.
const BYLINE_TOKENS: &[&str] = &["byline", "author", "authors", "author-name", "writer"];

/// Class/id tokens of elements that may hold a written date ("May 14, 2019").
const DATE_TEXT_TOKENS: &[&str] = &[
    "date",
    "dateline",
    "datetime",
    "time",
    "timestamp",
    "published",
    "publishdate",
    "publishingdate",
    "publication",
    "pubdate",
    "posted",
    "postdate",
    "byline",
    "meta",
    "datum",
    "fecha",
    "data",
];

/// Class/id substrings of containers whose names are not the article's authors (sidebars,
/// related stories, comments).
const FOREIGN_AUTHOR_CONTAINERS: &[&str] =
    &["sidebar", "related", "comment", "recommend", "popular", "promo", "footer", "trending", "more-", "newsletter"];

/// Most `<h1>` elements read for the title; a page with more is not one article.
const MAX_HEADINGS: usize = 16;

/// Most `<time>` and microdata date elements read; pages with thousands are listings.
const MAX_TIME_ELEMENTS: usize = 64;

/// Most byline and date elements a page is searched for; pages with thousands are listings.
const MAX_HINT_ELEMENTS: usize = 64;

/// Longest plausible author name in characters.
const MAX_AUTHOR_CHARS: usize = 60;

/// How deep JSON-LD is walked; real documents nest a few levels.
const MAX_LD_DEPTH: usize = 8;

static BYLINE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:(?:written|posted|reported|reporting|words|story|text)\s+)?by[:\s]+")
        .expect("byline prefix regex is valid")
});

static AUTHOR_SEPARATORS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\s+and\s+|\s*[,;|&/•·]\s*|\s+with\s+").expect("author separator regex is valid"));

/// Metadata of one page.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub published_source: PublishedSource,
    /// 0..1; 0 without a date.
    pub published_confidence: f32,
    pub modified: Option<DateTime<FixedOffset>>,
    pub canonical_url: Option<String>,
    pub site: Option<String>,
    /// Primary subtag of `<html lang>`, lower case ("en" for "en-US").
    pub html_lang: Option<String>,
    /// `og:type`, lower case.
    pub og_type: Option<String>,
    /// JSON-LD `@type`s of the page's items, lower case.
    pub ld_types: Vec<String>,
    /// Whether JSON-LD or `og:type` declares an article.
    pub declares_article: bool,
    /// The first `<h1>`, preferring one inside `<article>`.
    pub h1: Option<String>,
    /// The `<title>` element, unmodified.
    pub title_tag: Option<String>,
}

/// What one pass over the elements gathers before the cascades run.
#[derive(Default)]
pub(super) struct Raw {
    pub(super) metas: Vec<(String, String)>,
    pub(super) canonical: Option<String>,
    pub(super) ld_items: Vec<Map<String, Value>>,
    pub(super) title_tag: Option<String>,
    pub(super) h1: Option<String>,
    pub(super) h1_in_article: Option<String>,
    /// (datetime, score): higher score = more likely the publication date.
    pub(super) times: Vec<(String, u8)>,
    pub(super) modified_times: Vec<String>,
    pub(super) author_links: Vec<String>,
    pub(super) bylines: Vec<String>,
    pub(super) date_texts: Vec<String>,
    /// Elements (by address, stable while the DOM lives) that hold an `<h1>`, for
    /// [`in_foreign_container`].
    wrappers: HashSet<usize>,
    /// Elements (by address) already judged by their class and id in [`in_foreign_container`]:
    /// the bylines and dates of a page share most of their ancestors.
    foreign_names: HashMap<usize, bool, BuildHasherDefault<hints::WordHasher>>,
    /// `<h1>` elements read so far (at most [`MAX_HEADINGS`]).
    headings_seen: usize,
}

/// Reads the page's metadata; `source` is the page before pruning (the date cascade's last
/// step reads it).
pub fn collect(doc: &Html, page_url: Option<&Url>, source: &str) -> Metadata {
    let root = doc.root_element();
    let raw = gather(root);
    let mut meta = Metadata {
        html_lang: root
            .value()
            .attr("lang")
            .or_else(|| root.value().attr("xml:lang"))
            .and_then(primary_language_subtag),
        title_tag: raw.title_tag.clone(),
        ..Metadata::default()
    };

    let article_item = raw.ld_items.iter().find(|item| is_article_item(item));
    meta.ld_types = raw.ld_items.iter().flat_map(item_types).collect();
    meta.og_type = meta_value(&raw, &["og:type"]).map(|t| t.to_ascii_lowercase());
    meta.declares_article =
        article_item.is_some() || meta.og_type.as_deref().is_some_and(|t| t == "article" || t.starts_with("article:"));

    meta.canonical_url = raw
        .canonical
        .as_deref()
        .and_then(|href| resolve_url(href, page_url))
        .or_else(|| meta_value(&raw, &["og:url"]).and_then(|href| resolve_url(href, page_url)));

    meta.site = meta_value(&raw, &["og:site_name", "application-name"])
        .map(clean_text)
        .filter(|s| !s.is_empty())
        .or_else(|| ld_publisher_name(&raw.ld_items))
        .or_else(|| {
            let from_page = page_url.and_then(Url::host_str).map(str::to_owned);
            let from_canonical = || {
                meta.canonical_url
                    .as_deref()
                    .and_then(|c| Url::parse(c).ok())
                    .and_then(|u| u.host_str().map(str::to_owned))
            };
            from_page.or_else(from_canonical).map(|host| host.strip_prefix("www.").unwrap_or(&host).to_owned())
        });

    meta.title = choose_title(&raw, article_item, meta.site.as_deref());
    meta.h1 = raw.h1_in_article.clone().or_else(|| raw.h1.clone());
    meta.authors = choose_authors(&raw, article_item);
    let dated = published::choose(&published::Evidence {
        raw: &raw,
        article_item,
        page_url,
        canonical_url: meta.canonical_url.as_deref(),
        root,
        title: meta.title.as_deref(),
        source,
    });
    meta.published = dated.published;
    meta.published_source = dated.source;
    meta.published_confidence = dated.confidence;
    meta.modified = dated.modified;
    meta
}

/// One pass over every element, noting what the cascades need.
fn gather(root: ElementRef<'_>) -> Raw {
    let mut raw = Raw { wrappers: headline_wrappers(root), ..Raw::default() };
    for element in root.descendent_elements() {
        let value = element.value();
        match value.name() {
            "meta" => {
                let key = value
                    .attr("property")
                    .or_else(|| value.attr("name"))
                    .or_else(|| value.attr("itemprop"))
                    .or_else(|| value.attr("http-equiv"));
                if let (Some(key), Some(content)) = (key, value.attr("content")) {
                    raw.metas.push((key.trim().to_ascii_lowercase(), content.trim().to_owned()));
                }
            }
            "link" => {
                let rel = value.attr("rel").unwrap_or("");
                if raw.canonical.is_none() && rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    raw.canonical = value.attr("href").map(str::to_owned);
                }
            }
            "script" => {
                let is_ld = value.attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
                if is_ld {
                    let source: String = element.text().collect();
                    parse_json_ld(&source, &mut raw.ld_items);
                }
            }
            "title" if raw.title_tag.is_none() && !inside(element, &["svg", "body"]) => {
                raw.title_tag = Some(clean_text(&element.text().collect::<String>()));
            }
            "h1" if raw.headings_seen < MAX_HEADINGS && (raw.h1.is_none() || raw.h1_in_article.is_none()) => {
                raw.headings_seen += 1;
                let text = clean_text(&element.text().collect::<String>());
                if !text.is_empty() {
                    if raw.h1_in_article.is_none() && inside(element, &["article", "main"]) {
                        raw.h1_in_article = Some(text.clone());
                    }
                    if raw.h1.is_none() {
                        raw.h1 = Some(text);
                    }
                }
            }
            _ => {}
        }
        let attributes = HintAttributes::of(element.value());
        note_machine_date(element, &attributes, &mut raw);
        note_bylines_and_dates(element, &attributes, &mut raw);
    }
    raw
}

/// Records a machine-readable date on a visible element: `<time datetime>` (or its text),
/// microdata (`itemprop="datePublished"` with `content` or `datetime`), and hAtom's
/// `<abbr class="published" title="...">`. Dates in asides, footers, navigation and foreign
/// containers (related lists, comments) score 0; those in the article or its header score
/// higher, and those marked as the publication date highest.
fn note_machine_date(element: ElementRef<'_>, attributes: &HintAttributes<'_>, raw: &mut Raw) {
    let value = element.value();
    let name = value.name();
    if name == "meta" || raw.times.len() + raw.modified_times.len() >= MAX_TIME_ELEMENTS {
        return;
    }
    let itemprop = attributes.itemprop.unwrap_or("");
    let published_prop = itemprop.eq_ignore_ascii_case("datepublished") || itemprop.eq_ignore_ascii_case("datecreated");
    let modified_prop = itemprop.eq_ignore_ascii_case("datemodified");
    let class = attributes.class.unwrap_or("");
    let hatom = name == "abbr" && class.split_ascii_whitespace().any(|c| c == "published" || c == "updated");
    if name != "time" && !published_prop && !modified_prop && !hatom {
        return;
    }
    let stated = value
        .attr("datetime")
        .or_else(|| value.attr("content"))
        .or_else(|| if hatom { value.attr("title") } else { None })
        .map(str::to_owned)
        .or_else(|| {
            let text = clean_text(&element.text().take(8).collect::<String>());
            (!text.is_empty() && text.len() <= 80).then_some(text)
        });
    let Some(stated) = stated else { return };
    let hatom_updated = hatom && class.split_ascii_whitespace().any(|c| c == "updated") && !class.contains("published");
    if modified_prop || hatom_updated {
        raw.modified_times.push(stated);
        return;
    }
    let mut score = 1;
    if published_prop || value.attr("pubdate").is_some() || hatom {
        score += 4;
    }
    if inside(element, &["article", "header", "main"]) {
        score += 2;
    }
    if inside(element, &["aside", "footer", "nav"])
        || in_foreign_container(element, &raw.wrappers, &mut raw.foreign_names)
    {
        score = 0;
    }
    raw.times.push((stated, score));
}

/// The attributes the byline and date rules read, found in one pass over an element's
/// attributes (looking each up by name costs an atom lookup and a search per name).
#[derive(Default)]
struct HintAttributes<'a> {
    rel: Option<&'a str>,
    itemprop: Option<&'a str>,
    class: Option<&'a str>,
    id: Option<&'a str>,
}

impl<'a> HintAttributes<'a> {
    fn of(element: &'a scraper::node::Element) -> HintAttributes<'a> {
        let mut found = HintAttributes::default();
        for (name, value) in element.attrs() {
            match name {
                "rel" => found.rel = Some(value),
                "itemprop" => found.itemprop = Some(value),
                "class" => found.class = Some(value),
                "id" => found.id = Some(value),
                _ => {}
            }
        }
        found
    }
}

/// Records author links, byline text and written dates of hinted elements.
fn note_bylines_and_dates(element: ElementRef<'_>, attributes: &HintAttributes<'_>, raw: &mut Raw) {
    let value = element.value();
    let has_word = |attr: Option<&str>, word: &str| attr.is_some_and(|a| a.split_ascii_whitespace().any(|w| w == word));
    let is_author_link = has_word(attributes.rel, "author");
    let itemprop_author = has_word(attributes.itemprop, "author");
    let (class_byline, class_date) = class_tokens_match(attributes.class, attributes.id);
    if !(is_author_link || itemprop_author || class_byline || class_date) {
        return;
    }
    if raw.author_links.len() + raw.bylines.len() + raw.date_texts.len() > MAX_HINT_ELEMENTS {
        return;
    }
    if in_foreign_container(element, &raw.wrappers, &mut raw.foreign_names) {
        return;
    }
    if value.name() == "meta" {
        // `<meta itemprop="author" content="...">`: microdata without visible text.
        let name = value.attr("content").map(clean_text).unwrap_or_default();
        if (is_author_link || itemprop_author) && !name.is_empty() {
            raw.author_links.push(name);
        }
        return;
    }
    let text = clean_text(&element.text().collect::<String>());
    if text.is_empty() || text.chars().count() > 300 {
        return;
    }
    if is_author_link || itemprop_author {
        raw.author_links.push(text.clone());
    } else if class_byline {
        raw.bylines.push(text.clone());
    }
    if class_date || class_byline {
        raw.date_texts.push(text);
    }
}

/// Whether a class/id marks a byline, a written date, or both (ASCII case ignored).
fn class_tokens_match(class: Option<&str>, id: Option<&str>) -> (bool, bool) {
    let mut byline = false;
    let mut date_text = false;
    for attr in [class, id].into_iter().flatten() {
        for class in attr.split_ascii_whitespace() {
            if BYLINE_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(class)) {
                byline = true;
            }
            for token in class.split(|c: char| !c.is_ascii_alphanumeric()) {
                if token.eq_ignore_ascii_case("byline") {
                    byline = true;
                }
                if DATE_TEXT_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(token)) {
                    date_text = true;
                }
            }
        }
    }
    (byline, date_text)
}

/// True when an ancestor is a sidebar, related list or comment thread. A container holding an
/// `<h1>` is the article's wrapper whatever its class says (`<div class="layout has-sidebar">`
/// around the whole page); `wrappers` holds those containers.
fn in_foreign_container(
    element: ElementRef<'_>,
    wrappers: &HashSet<usize>,
    foreign_names: &mut HashMap<usize, bool, BuildHasherDefault<hints::WordHasher>>,
) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(|a| {
        let value = a.value();
        if hints::is_one_of(value.name(), &["aside", "nav", "footer"]) {
            return true;
        }
        let address = std::ptr::from_ref(value) as usize;
        // Compared without lower-casing into a new string, once per element.
        let named_foreign = *foreign_names.entry(address).or_insert_with(|| {
            [value.attr("class"), value.attr("id")].into_iter().flatten().any(|attr| {
                FOREIGN_AUTHOR_CONTAINERS.iter().any(|w| contains_ignore_ascii_case(attr, w))
                    && !contains_ignore_ascii_case(attr, "commentary")
            })
        });
        named_foreign && !wrappers.contains(&address)
    })
}

/// Whether `haystack` contains `needle` (lower case ASCII), ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The elements that hold an `<h1>`, found in one pass: from each `<h1>` up to the first
/// ancestor already known (so every element is visited at most twice, however deep the page).
fn headline_wrappers(root: ElementRef<'_>) -> HashSet<usize> {
    let mut wrappers = HashSet::new();
    for heading in root.descendent_elements().filter(|e| e.value().name() == "h1") {
        for ancestor in heading.ancestors().filter_map(ElementRef::wrap) {
            if !wrappers.insert(std::ptr::from_ref(ancestor.value()) as usize) {
                break;
            }
        }
    }
    wrappers
}

/// True when some ancestor has one of the tag names.
fn inside(element: ElementRef<'_>, names: &[&str]) -> bool {
    element.ancestors().filter_map(ElementRef::wrap).any(|a| names.contains(&a.value().name()))
}

fn meta_value<'a>(raw: &'a Raw, keys: &'a [&'a str]) -> Option<&'a str> {
    meta_values(raw, keys).next()
}

/// Non-empty `<meta>` contents for `keys`, in key order.
pub(super) fn meta_values<'a>(raw: &'a Raw, keys: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    keys.iter()
        .flat_map(move |key| raw.metas.iter().filter(move |(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str()))
}

fn choose_title(raw: &Raw, article_item: Option<&Map<String, Value>>, site: Option<&str>) -> Option<String> {
    let og = meta_value(raw, &["og:title", "twitter:title"]).map(|t| strip_site_suffix(&clean_text(t), site, false));
    let ld = article_item
        .and_then(|item| item.get("headline").or_else(|| item.get("name")))
        .and_then(Value::as_str)
        .map(clean_text);
    let h1 = raw.h1_in_article.clone().or_else(|| raw.h1.clone());
    let tag = raw.title_tag.as_deref().map(|t| strip_site_suffix(t, site, true));
    let meta_title = meta_value(raw, &["title", "dc.title"]).map(|t| strip_site_suffix(&clean_text(t), site, true));
    [og, ld, h1, tag, meta_title].into_iter().flatten().find(|t| !t.is_empty())
}

/// Removes a trailing " | Site" / " - Site" from a title: always when it names the site, and,
/// when `aggressive`, whenever the tail is short and the rest is a real title.
fn strip_site_suffix(title: &str, site: Option<&str>, aggressive: bool) -> String {
    const SEPARATORS: &[&str] = &[" | ", " - ", " — ", " – ", " :: ", " · ", " « ", " » "];
    let mut title = title.trim().to_owned();
    for _ in 0..2 {
        let Some((pos, sep)) =
            SEPARATORS.iter().filter_map(|sep| title.rfind(sep).map(|pos| (pos, *sep))).max_by_key(|(pos, _)| *pos)
        else {
            break;
        };
        let head = title[..pos].trim();
        let tail = title[pos + sep.len()..].trim();
        let names_site = site.is_some_and(|site| {
            let (tail, site) = (tail.to_lowercase(), site.to_lowercase());
            !site.is_empty() && (tail.contains(&site) || site.contains(&tail))
        });
        let short_tail = tail.split_whitespace().count() <= 4;
        let real_head = head.split_whitespace().count() >= 3;
        if !head.is_empty() && (names_site || (aggressive && short_tail && real_head)) {
            title = head.to_owned();
        } else {
            break;
        }
    }
    title
}

fn choose_authors(raw: &Raw, article_item: Option<&Map<String, Value>>) -> Vec<String> {
    let mut from_ld = Vec::new();
    if let Some(author) = article_item.and_then(|item| item.get("author")) {
        ld_names(author, &mut from_ld);
    }
    let sources = [
        from_ld,
        meta_values(raw, AUTHOR_META_KEYS).filter(|v| !looks_like_url(v)).map(str::to_owned).collect(),
        raw.author_links.clone(),
        raw.bylines.clone(),
    ];
    for source in sources {
        let names = clean_author_names(&source);
        if !names.is_empty() {
            return names;
        }
    }
    Vec::new()
}

/// Names in a JSON-LD `author` value: a string, a `{name}` object, or an array of those.
fn ld_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(name) => out.push(name.clone()),
        Value::Object(object) => {
            if let Some(name) = object.get("name") {
                match name {
                    Value::String(name) => out.push(name.clone()),
                    Value::Array(_) => ld_names(name, out),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for item in items.iter().take(16) {
                if !matches!(item, Value::Array(_)) {
                    ld_names(item, out);
                }
            }
        }
        _ => {}
    }
}

/// Splits bylines ("By Jane Doe and John Roe") into names and drops what is not a name.
fn clean_author_names(candidates: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for candidate in candidates {
        let candidate = clean_text(candidate);
        let candidate = BYLINE_PREFIX.replace(&candidate, "");
        for part in AUTHOR_SEPARATORS.split(&candidate) {
            let name = part.trim().trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '\'').trim();
            if is_plausible_name(name) && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Words that make a byline fragment a role or an outlet, not a person ("AP Auto Writer",
/// "NJ Advance Media for NJ.com").
const NOT_NAME_WORDS: &[&str] = &[
    "writer",
    "reporter",
    "correspondent",
    "editor",
    "staff",
    "contributor",
    "columnist",
    "media",
    "updated",
    "published",
];

/// Lower-case words that may appear inside a name ("Ludwig van Beethoven").
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "du", "del", "della", "van", "von", "der", "den", "la", "le", "al", "bin", "ibn", "y", "e",
    "dos", "das",
];

fn is_plausible_name(name: &str) -> bool {
    let role_or_outlet = name.split_whitespace().any(|word| {
        let lower = word.to_lowercase();
        NOT_NAME_WORDS.contains(&lower.as_str())
            || [".com", ".org", ".net", ".co."].iter().any(|d| lower.contains(d))
            || (word.chars().next().is_some_and(char::is_lowercase) && !NAME_PARTICLES.contains(&lower.as_str()))
    });
    if role_or_outlet {
        return false;
    }
    const NOT_NAMES: &[&str] = &[
        "email the author",
        "email",
        "follow",
        "contact",
        "more",
        "staff",
        "admin",
        "updated",
        "published",
        "share",
        "view all posts",
        "author",
        "by",
    ];
    let words = name.split_whitespace().count();
    let lower = name.to_lowercase();
    (1..=5).contains(&words)
        && name.chars().count() <= MAX_AUTHOR_CHARS
        && name.chars().next().is_some_and(char::is_uppercase)
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@')
        && !looks_like_url(name)
        && !NOT_NAMES.iter().any(|n| lower == *n || lower.starts_with(&format!("{n} ")))
}

fn ld_publisher_name(items: &[Map<String, Value>]) -> Option<String> {
    items.iter().find_map(|item| {
        let publisher = item.get("publisher")?;
        let publisher = match publisher {
            Value::Array(list) => list.first()?,
            other => other,
        };
        let name = publisher.get("name")?.as_str()?;
        let name = clean_text(name);
        (!name.is_empty()).then_some(name)
    })
}

/// Parses a JSON-LD script body (tolerating comment wrappers, control characters and several
/// concatenated documents) and appends its items, flattening `@graph`, arrays and `mainEntity`.
fn parse_json_ld(source: &str, items: &mut Vec<Map<String, Value>>) {
    let trimmed = source
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    if trimmed.is_empty() {
        return;
    }
    let values: Vec<Value> = match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => vec![value],
        Err(_) => {
            let cleaned: String = trimmed.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            serde_json::Deserializer::from_str(&cleaned).into_iter::<Value>().map_while(Result::ok).collect()
        }
    };
    for value in values {
        flatten_ld(value, items, 0);
    }
}

fn flatten_ld(value: Value, items: &mut Vec<Map<String, Value>>, depth: usize) {
    if depth > MAX_LD_DEPTH {
        return;
    }
    match value {
        Value::Array(list) => {
            for item in list {
                flatten_ld(item, items, depth + 1);
            }
        }
        Value::Object(mut object) => {
            let graph = object.remove("@graph");
            let main_entity = object.get("mainEntity").filter(|v| v.get("@type").is_some()).cloned();
            if object.contains_key("@type") {
                items.push(object);
            }
            for nested in [graph, main_entity].into_iter().flatten() {
                flatten_ld(nested, items, depth + 1);
            }
        }
        _ => {}
    }
}

/// The item's `@type`s, lower case (`@type` may be a string or a list).
pub(super) fn item_types(item: &Map<String, Value>) -> Vec<String> {
    match item.get("@type") {
        Some(Value::String(t)) => vec![t.to_ascii_lowercase()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn is_article_item(item: &Map<String, Value>) -> bool {
    item_types(item).iter().any(|t| hints::is_one_of(t.trim_start_matches("schema:"), hints::ARTICLE_LD_TYPES))
}

/// Resolves an href against the page URL; only http(s) results are kept.
fn resolve_url(href: &str, page_url: Option<&Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match page_url {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

fn looks_like_url(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") || lower.starts_with('/')
}

/// "en" for "en-US", `None` for junk.
fn primary_language_subtag(lang: &str) -> Option<String> {
    let primary = lang.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase())).then_some(primary)
}

/// Collapses whitespace runs to single spaces and trims.
pub fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect_from(html: &str, url: &str) -> Metadata {
        let doc = Html::parse_document(html);
        let url = Url::parse(url).expect("test url is valid");
        collect(&doc, Some(&url), html)
    }

    const LD_GRAPH_PAGE: &str = r#"<!doctype html><html lang="en-GB"><head>
<title>Huawei denies spying claims | The Daily Wire Service</title>
<meta property="og:site_name" content="The Daily Wire Service">
<meta property="article:published_time" content="2019-05-10T08:00:00Z">
<link rel="canonical" href="/world/huawei-denies-spying-claims">
<script type="application/ld+json">
{"@context":"https://schema.org","@graph":[
  {"@type":"WebSite","name":"The Daily Wire Service","url":"https://wire.example/"},
  {"@type":"WebPage","datePublished":"2019-05-01T00:00:00Z"},
  {"@type":["NewsArticle"],"headline":"Huawei denies spying claims",
   "datePublished":"2019-05-14T09:30:00+01:00","dateModified":"2019-05-15T10:00:00+01:00",
   "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"John Roe"}],
   "publisher":{"@type":"Organization","name":"Daily Wire"}}
]}
</script></head><body><aside class="sidebar"><span class="author">Sidebar Person</span></aside>
<article><h1>Huawei denies spying claims</h1><p>Body.</p></article></body></html>"#;

    #[test]
    fn json_ld_graph_gives_date_authors_and_title() {
        // The article's `<meta>` date comes first (as in htmldate): where the two disagree, the
        // JSON-LD date is more often the first version's.
        let meta = collect_from(LD_GRAPH_PAGE, "https://wire.example/world/x?utm=1");
        assert_eq!(meta.published_source, PublishedSource::Meta);
        assert_eq!(meta.published.map(|d| d.to_rfc3339()).as_deref(), Some("2019-05-10T08:00:00+00:00"));
        let without_meta = LD_GRAPH_PAGE.replace("article:published_time", "x");
        let meta = collect_from(&without_meta, "https://wire.example/world/x?utm=1");
        assert_eq!(meta.published_source, PublishedSource::JsonLd);
        assert_eq!(meta.published.map(|d| d.to_rfc3339()).as_deref(), Some("2019-05-14T09:30:00+01:00"));
        assert_eq!(meta.modified.map(|d| d.to_rfc3339()).as_deref(), Some("2019-05-15T10:00:00+01:00"));
        assert_eq!(meta.authors, vec!["Jane Doe", "John Roe"]);
        assert_eq!(meta.title.as_deref(), Some("Huawei denies spying claims"));
        assert_eq!(meta.site.as_deref(), Some("The Daily Wire Service"));
        assert_eq!(meta.html_lang.as_deref(), Some("en"));
        assert!(meta.declares_article);
        assert_eq!(meta.canonical_url.as_deref(), Some("https://wire.example/world/huawei-denies-spying-claims"));
    }

    #[test]
    fn meta_date_when_no_json_ld() {
        let meta = collect_from(
            r#"<html><head><meta name="parsely-pub-date" content="2020-03-02T12:00:00Z">
            <meta name="author" content="https://example.com/staff/jd">
            <meta name="author" content="Ann Smith"></head><body><p>x</p></body></html>"#,
            "https://news.example/a",
        );
        assert_eq!(meta.published_source, PublishedSource::Meta);
        assert_eq!(meta.published.map(|d| d.format("%F").to_string()).as_deref(), Some("2020-03-02"));
        assert_eq!(meta.authors, vec!["Ann Smith"]);
    }

    #[test]
    fn time_element_in_article_is_preferred() {
        let meta = collect_from(
            r#"<html><body><aside><time datetime="2021-01-01">old</time></aside>
            <article><header><time datetime="2021-06-07T10:00:00Z">June 7</time></header>
            <p>Text</p></article></body></html>"#,
            "https://news.example/a",
        );
        assert_eq!(meta.published_source, PublishedSource::Time);
        assert_eq!(meta.published.map(|d| d.format("%F").to_string()).as_deref(), Some("2021-06-07"));
    }

    #[test]
    fn url_date_then_byline_text() {
        let meta = collect_from("<html><body><p>Text</p></body></html>", "https://news.example/2018/11/03/story/");
        assert_eq!(meta.published_source, PublishedSource::Url);
        let meta = collect_from(
            r#"<html><body><div class="byline">By Maria Garcia and Tom Lee | Updated May 14, 2019</div>
            <p>Text</p></body></html>"#,
            "https://news.example/story",
        );
        assert_eq!(meta.published_source, PublishedSource::Text);
        assert_eq!(meta.published.map(|d| d.format("%F").to_string()).as_deref(), Some("2019-05-14"));
        assert_eq!(meta.authors, vec!["Maria Garcia", "Tom Lee"]);
    }

    #[test]
    fn roles_and_outlets_are_not_authors() {
        let names = clean_author_names(&[
            "TOM KRISHER, AP Auto Writer".to_owned(),
            "Amy Kuperinsky | NJ Advance Media for NJ.com".to_owned(),
            "Ludwig van Beethoven".to_owned(),
        ]);
        assert_eq!(names, vec!["TOM KRISHER", "Amy Kuperinsky", "Ludwig van Beethoven"]);
    }

    #[test]
    fn no_date_anywhere() {
        let meta = collect_from(
            r#"<html><head><meta name="date" content="2999-01-01"></head><body><p>x</p></body></html>"#,
            "https://news.example/story",
        );
        assert_eq!(meta.published_source, PublishedSource::None);
        assert_eq!(meta.published, None);
    }

    #[test]
    fn title_suffix_is_removed_and_site_falls_back_to_host() {
        let meta = collect_from(
            "<html><head><title>Ministers agree new trade terms - Example News</title></head></html>",
            "https://www.example.co.uk/a",
        );
        assert_eq!(meta.title.as_deref(), Some("Ministers agree new trade terms"));
        assert_eq!(meta.site.as_deref(), Some("example.co.uk"));
    }

    #[test]
    fn og_url_is_canonical_fallback_and_relative_is_resolved() {
        let meta = collect_from(
            r#"<html><head><meta property="og:url" content="/a/b"></head></html>"#,
            "https://example.com/x/y",
        );
        assert_eq!(meta.canonical_url.as_deref(), Some("https://example.com/a/b"));
    }

    #[test]
    fn email_the_author_is_not_an_author() {
        let meta = collect_from(
            r#"<html><body><p class="byline">By <a rel="author" href="/p/k">Kim Park</a></p>
            <a class="author-email" href="mailto:k@x">Email the author</a></body></html>"#,
            "https://example.com/x",
        );
        assert_eq!(meta.authors, vec!["Kim Park"]);
    }

    #[test]
    fn broken_json_ld_does_not_panic() {
        for body in [
            "{",
            "[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]",
            "{\"@type\":\"NewsArticle\",\"headline\":\"a\nb\"}",
            "<!-- {\"@type\":\"NewsArticle\",\"author\":{\"name\":[\"A B\"]}} -->",
            "null",
        ] {
            let html = format!("<html><script type=\"application/ld+json\">{body}</script><p>x</p></html>");
            let _ = collect_from(&html, "https://example.com/");
        }
    }
}
