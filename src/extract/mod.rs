//! Extraction: from page bytes to an article — charset decoding ([`decode_html`]), then main
//! text, metadata with provenance, language and page kind ([`extract`]).
//!
//! Every function here is a pure function of its input: no I/O, no clock except the
//! plausibility window for dates, no global state beyond compiled regexes. Nothing here may
//! panic on bad input; a page with nothing usable is an [`ExtractError`], a page that is not an
//! article is `Ok` with `is_article: false`.
//!
//! Submodules: `charset` (bytes to text), `text` (main text and boilerplate removal),
//! `furniture` (short lines that are never text),
//! `metadata` (title, authors, dates, canonical URL, site), `date` (date notations),
//! `language`, `kind`, `prune` (the pre-pass that drops non-content and unread attributes before
//! the DOM is built, and bounds its depth and size; `tags` lexes for it), `sniff` (binary and non-HTML input is refused) and
//! `hints` (every word list the heuristics use). `fixture_tests` runs every page in
//! `testdata/` against its insta snapshot in `snapshots/`.

#[cfg(test)]
mod bounds_tests;
mod charset;
mod date;
#[cfg(test)]
mod fixture_tests;
mod furniture;
mod hints;
mod kind;
mod language;
mod metadata;
mod prune;
mod published;
pub mod simhash;
mod sniff;
mod tags;
mod text;

use chrono::{DateTime, FixedOffset};
use scraper::Html;
use url::Url;

pub use charset::{CharsetSource, DecodedHtml, decode_html};
pub use sniff::{sniff_bytes, sniff_text};

use self::prune::PruneLevel;
use crate::model::{NotArticleReason, PageKind, PublishedSource};

/// Pages are cut to this many bytes before parsing: real articles are far smaller, and the
/// parser's time and memory grow with the input.
pub const MAX_HTML_BYTES: usize = 8 * 1024 * 1024;

/// Main text shorter than this (in chars, see [`CJK_CHAR_WEIGHT`]) is not an article: a stub, a gallery, an error page.
pub const MIN_ARTICLE_CHARS: usize = 200;

/// How many Latin-script chars one Han or kana char counts as when judging length (a
/// Japanese article of 150 characters says as much as an English one of 400).
pub const CJK_CHAR_WEIGHT: usize = 3;

/// Content whose link text exceeds this share of all its text is a list of links.
pub const MAX_ARTICLE_LINK_DENSITY: f64 = 0.4;

/// A page whose text is mostly links and holds hardly any prose is a link hub.
pub const MAX_PAGE_LINK_DENSITY: f64 = 0.6;

/// A page with at least this many linked headings and not clearly more prose paragraphs is a
/// listing (section front, search results, tag page).
pub const MIN_LISTING_HEADLINES: usize = 5;

/// Error and paywall pages are judged by their phrases only when their text is this short.
pub const MAX_ERROR_PAGE_CHARS: usize = 1_500;

/// An article extracted from one page.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedPage {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub published_source: PublishedSource,
    /// How sure the publication date is (0..1); 0 without a date.
    pub published_confidence: f32,
    pub modified: Option<DateTime<FixedOffset>>,
    /// Absolute, resolved against the page URL.
    pub canonical_url: Option<String>,
    /// `og:site_name`, JSON-LD publisher name, else the host without `www.`.
    pub site: Option<String>,
    /// ISO 639-1, or "und".
    pub language: String,
    pub language_confidence: f64,
    pub kind: PageKind,
    /// Main text, paragraphs joined by "\n\n"; no markup, no URLs, whitespace normalised.
    pub text: String,
    /// False for listing pages, section fronts, error and paywall pages and near-empty pages.
    pub is_article: bool,
    /// Why the page is not an article (`None` exactly when `is_article`).
    pub not_article: Option<NotArticleReason>,
}

/// Why nothing could be extracted from a page.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("no content in page ({bytes} bytes): the document is empty")]
    NoContent { bytes: usize },
    #[error("not an HTML document: {reason}; only HTML pages are extracted")]
    NotText { reason: String },
}

/// Extracts an article from decoded HTML. `page_url` resolves relative links and feeds the
/// URL-based date and kind rules.
///
/// The page is pruned before it is parsed (see `prune`): first aggressively, dropping footers
/// and asides too; when that leaves no article, or less text than the footers and asides held
/// (one of them wrapped the article), the page is judged again with them in place. Either way
/// the DOM is built over a fraction of the page.
pub fn extract(html: &str, page_url: Option<&Url>) -> Result<ExtractedPage, ExtractError> {
    let html = truncate_to_char_boundary(html, MAX_HTML_BYTES);
    let pruned = prune::prune(html, PruneLevel::Aggressive);
    let page = extract_parsed(&pruned.html, html, page_url);
    // A footer or aside with less prose than an article cannot have wrapped one.
    let wrapper_removed = pruned.soft_removed_chars >= MIN_ARTICLE_CHARS
        && match &page {
            Ok(page) => !page.is_article || page.text.chars().count() < pruned.soft_removed_chars,
            Err(_) => true,
        };
    if !wrapper_removed {
        return page;
    }
    extract_parsed(&prune::prune(html, PruneLevel::Gentle).html, html, page_url)
}

/// Parses (pruned) HTML and extracts from the DOM; `original` is the page before pruning (for
/// the error message and the date cascade's last resort).
fn extract_parsed(html: &str, original: &str, page_url: Option<&Url>) -> Result<ExtractedPage, ExtractError> {
    let original_bytes = original.len();
    let doc = Html::parse_document(html);
    let meta = metadata::collect(&doc, page_url, original);
    let root = doc.root_element();
    let body = root.child_elements().find(|e| e.value().name() == "body").unwrap_or(root);
    let mut main = text::extract_main_text(body);
    main.paragraphs = text::cut_at_end_mark(main.paragraphs);
    // Only input with nothing in it is an error; a page with no visible text (a script-rendered
    // shell) still gets its record, as a page that is not an article.
    if original.trim().is_empty() {
        return Err(ExtractError::NoContent { bytes: original_bytes });
    }
    let empty = main.paragraphs.is_empty() && main.page_chars == 0;

    let not_article = if empty { Some(NotArticleReason::Empty) } else { judge_article(&meta, &main) };
    let is_article = not_article.is_none();
    let kind_url = page_url.cloned().or_else(|| meta.canonical_url.as_deref().and_then(|c| Url::parse(c).ok()));
    let kind = kind::classify(&meta, kind_url.as_ref(), &main.paragraphs, is_article);
    let paragraphs = if kind == PageKind::Transcript { kind::split_turns(main.paragraphs) } else { main.paragraphs };
    let text = text::join_paragraphs(&paragraphs);
    let language_sample = if text.is_empty() { meta.title.as_deref().unwrap_or("") } else { &text };
    let language = language::detect_language(language_sample, meta.html_lang.as_deref());

    Ok(ExtractedPage {
        title: meta.title,
        authors: meta.authors,
        published: meta.published,
        published_source: meta.published_source,
        published_confidence: meta.published_confidence,
        modified: meta.modified,
        canonical_url: meta.canonical_url,
        site: meta.site,
        language: language.code,
        language_confidence: language.confidence,
        kind,
        text,
        is_article,
        not_article,
    })
}

/// Detects the language of plain text with no page around it (the `analyze` command): an
/// ISO 639-1 code or "und", and the confidence (0..1).
pub fn detect_language(text: &str) -> (String, f64) {
    let language = language::detect_language(text, None);
    (language.code, language.confidence)
}

/// Whether the page is an article (`None`) or why not: enough prose, not a link list, not an
/// error page, not a listing.
fn judge_article(meta: &metadata::Metadata, main: &text::MainText) -> Option<NotArticleReason> {
    let chars: usize = main.paragraphs.iter().map(|p| weighted_chars(&p.text)).sum();
    if chars < MIN_ARTICLE_CHARS {
        return Some(NotArticleReason::TooShort);
    }
    if chars < MAX_ERROR_PAGE_CHARS {
        let title = meta.title_tag.as_deref().or(meta.title.as_deref()).unwrap_or("").to_lowercase();
        let body = text::join_paragraphs(&main.paragraphs).to_lowercase();
        if hints::ERROR_PAGE_PHRASES.iter().any(|p| title.contains(p) || body.contains(p)) {
            return Some(NotArticleReason::ErrorPage);
        }
    }
    let page_link_density =
        if main.page_chars == 0 { 0.0 } else { main.page_link_chars as f64 / main.page_chars as f64 };
    if main.content_link_density > MAX_ARTICLE_LINK_DENSITY
        || (page_link_density > MAX_PAGE_LINK_DENSITY && main.prose_paragraphs < 3)
    {
        return Some(NotArticleReason::LinkList);
    }
    let listing = main.page_linked_headings >= MIN_LISTING_HEADLINES
        && main.prose_paragraphs < main.page_linked_headings * 2
        && !meta.declares_article;
    listing.then_some(NotArticleReason::Listing)
}

/// Chars counted so that lengths compare across scripts: a Chinese or Japanese character
/// carries about as much as a short word, so it counts [`CJK_CHAR_WEIGHT`] times.
fn weighted_chars(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let cjk = matches!(u32::from(c), 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF);
            if cjk { CJK_CHAR_WEIGHT } else { 1 }
        })
        .sum()
}

fn truncate_to_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_fixture(html: &str, url: &str) -> ExtractedPage {
        let url = Url::parse(url).expect("test url is valid");
        extract(html, Some(&url)).expect("fixture has content")
    }

    #[test]
    fn news_article_text_is_clean_and_complete() {
        let page = extract_fixture(
            include_str!("testdata/news_article.html"),
            "https://www.harbourherald.example/business/2019/05/14/telecom?ref=home",
        );
        let text = &page.text;
        assert!(text.starts_with("The chief executive of the telecom equipment maker"), "{text}");
        assert!(text.ends_with("inspect its source code."), "{text}");
        assert!(text.contains("\n\nAllies divided\n\n"), "{text}");
        for leaked in [
            "cookies",
            "Share on",
            "Photo:",
            "Shenzhen",
            "Sign up",
            "newsletter",
            "Advertisement",
            "broadband",
            "Related stories",
            "review, announced on Monday",
            "Nobody believes",
            "Most read",
            "Storm batters",
            "All rights reserved",
            "tracking code",
            "Telecom giant denies spying allegations",
            "Priya Raman",
            "http",
            "5G",
        ] {
            assert!(!text.contains(leaked), "`{leaked}` leaked into: {text}");
        }
        assert!(page.is_article);
        assert_eq!(page.kind, PageKind::News);
        assert_eq!(page.language, "en");
    }

    #[test]
    fn news_article_metadata_with_provenance() {
        let page = extract_fixture(
            include_str!("testdata/news_article.html"),
            "https://www.harbourherald.example/business/2019/05/14/telecom?ref=home",
        );
        assert_eq!(page.title.as_deref(), Some("Telecom giant denies spying allegations"));
        assert_eq!(page.authors, vec!["Priya Raman"]);
        assert_eq!(page.published_source, PublishedSource::JsonLd);
        assert_eq!(page.published.map(|d| d.to_rfc3339()).as_deref(), Some("2019-05-14T08:15:00-04:00"));
        assert_eq!(page.modified.map(|d| d.to_rfc3339()).as_deref(), Some("2019-05-14T12:40:00-04:00"));
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://www.harbourherald.example/business/2019/05/14/telecom-giant-denies-spying-allegations")
        );
        assert_eq!(page.site.as_deref(), Some("Harbour Herald"));
    }

    #[test]
    fn listing_page_is_not_an_article() {
        let page = extract_fixture(include_str!("testdata/listing.html"), "https://harbourherald.example/business/");
        assert!(!page.is_article, "{}", page.text);
        assert_eq!(page.kind, PageKind::Other);
    }

    #[test]
    fn transcript_keeps_each_turn_as_a_paragraph() {
        let page = extract_fixture(
            include_str!("testdata/transcript.html"),
            "https://ministry.example/briefing-room/press-briefings/2019/05/14/briefing",
        );
        assert_eq!(page.kind, PageKind::Transcript);
        let paragraphs: Vec<&str> = page.text.split("\n\n").collect();
        let turns: Vec<&&str> =
            paragraphs.iter().filter(|p| p.starts_with("MS. COLE:") || p.starts_with("Q:")).collect();
        assert_eq!(turns.len(), 6, "{paragraphs:#?}");
        assert!(paragraphs.contains(&"MS. COLE: We have been clear that we do not comment on intelligence matters."));
        assert_eq!(page.published_source, PublishedSource::Meta);
    }

    #[test]
    fn french_page_is_fr() {
        let page =
            extract_fixture(include_str!("testdata/french.html"), "https://lequotidien.example/eco/plan-industrie");
        assert_eq!(page.language, "fr");
        assert!(page.language_confidence > 0.5);
        assert!(page.text.starts_with("Le gouvernement a présenté mardi"), "{}", page.text);
        assert_eq!(page.site.as_deref(), Some("Le Quotidien"));
        assert_eq!(page.title.as_deref(), Some("Le gouvernement annonce un plan pour l'industrie"));
    }

    #[test]
    fn legacy_charset_page_decodes_and_extracts() {
        let bytes = include_bytes!("testdata/legacy_windows_1252.html");
        let decoded = decode_html(bytes, None);
        assert_eq!(decoded.source, CharsetSource::Meta);
        let page = extract(&decoded.text, None).expect("page has content");
        assert_eq!(page.title.as_deref(), Some("Café owners fear “brutal” rent rises"));
        assert!(page.text.contains("“We cannot pay €3,000 a month,” said one owner, Renée Dupré"));
        assert_eq!(page.site, None);
    }

    #[test]
    fn press_release_by_url() {
        let html = "<html><head><title>Agency fines operator for outage</title></head><body>\
            <article><p>The Communications Agency today fined the operator, following a \
            nationwide outage that left millions of customers without service for a day.</p>\
            <p>The fine, the largest the agency has imposed, reflects the seriousness of the \
            failure, the agency's chair said in a statement issued this morning.</p></article>\
            </body></html>";
        let page = extract_fixture(html, "https://agency.example/newsroom/press-releases/fine");
        assert_eq!(page.kind, PageKind::PressRelease);
        assert!(page.is_article);
    }

    #[test]
    fn error_page_is_not_an_article() {
        let html = "<html><head><title>Page not found | Harbour Herald</title></head><body>\
            <main><h1>Sorry</h1><p>The page you were looking for has moved or no longer exists, \
            perhaps because the story was removed, or because the link you followed is broken. \
            Try the search box, or go back to the home page to find the latest news.</p></main>\
            </body></html>";
        let page = extract_fixture(html, "https://harbourherald.example/nope");
        assert!(!page.is_article);
    }

    #[test]
    fn empty_documents_are_no_content_and_script_shells_get_a_record() {
        assert!(matches!(extract("", None), Err(ExtractError::NoContent { .. })));
        assert!(matches!(extract(" \n\t ", None), Err(ExtractError::NoContent { .. })));
        let message = ExtractError::NoContent { bytes: 10 }.to_string();
        assert!(message.starts_with("no content in page"));
        let shell = extract(
            "<html><head><meta name=\"date\" content=\"2020-02-20\"><script>var a = 1;</script></head>\
             <body><div id=\"root\"></div></body></html>",
            None,
        )
        .expect("a script shell is a page");
        assert_eq!(shell.not_article, Some(NotArticleReason::Empty));
        assert!(!shell.is_article);
        assert_eq!(shell.published.map(|d| d.format("%F").to_string()).as_deref(), Some("2020-02-20"));
    }

    #[test]
    fn malformed_and_arbitrary_input_never_panics() {
        let fixture = include_str!("testdata/news_article.html");
        let mut cut = 0;
        while cut < fixture.len() {
            if fixture.is_char_boundary(cut) {
                let _ = extract(&fixture[..cut], None);
            }
            cut += 97;
        }
        for html in [
            "<",
            "<html",
            "</p></div></body>",
            "<p>unclosed <b>bold <i>italic",
            "<table><tr><td>cell<td>cell</table></p></p>",
            "<script>never closed",
            "<meta charset=\"utf-8\"><title>",
            "<a href=\"javascript:alert(1)\">x</a><svg><p>in svg</p></svg>",
            "<!-- comment only -->",
            "\u{0}\u{feff}<p>\u{0}nul</p>",
        ] {
            let _ = extract(html, None);
            let _ = extract(html, Url::parse("http://x.example/2019/01/02/").ok().as_ref());
        }
        // Pseudo-random bytes (a fixed linear congruential sequence), decoded then extracted.
        let mut state: u32 = 12345;
        for length in [1usize, 10, 100, 1000, 10_000] {
            let bytes: Vec<u8> = (0..length)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (state >> 16) as u8
                })
                .collect();
            let decoded = decode_html(&bytes, None);
            let _ = extract(&decoded.text, None);
            let mut tagged = b"<html><body><p>".to_vec();
            tagged.extend_from_slice(&bytes);
            let decoded = decode_html(&tagged, Some("text/html; charset=utf-8"));
            let _ = extract(&decoded.text, None);
        }
    }

    #[test]
    fn plain_text_language_detection() {
        let (code, confidence) = detect_language(
            "Les syndicats ont salué une annonce attendue depuis longtemps, tout en réclamant des garanties.",
        );
        assert_eq!(code, "fr");
        assert!(confidence > 0.0);
        assert_eq!(detect_language("").0, "und");
    }

    #[test]
    fn oversized_input_is_truncated_on_a_char_boundary() {
        let text = "é".repeat(10);
        assert_eq!(truncate_to_char_boundary(&text, 5), "éé");
        assert_eq!(truncate_to_char_boundary(&text, 100), text);
    }
}
