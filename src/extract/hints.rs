//! Every word list the extractor judges markup by: tag sets, class/id hints, boilerplate phrases,
//! kind cues. Keeping them in one place makes tuning a data change, not a code hunt.
//!
//! Owns constants and the small matchers over them; must not walk the DOM or score anything.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use regex::Regex;

/// Elements whose whole subtree is never article text: code, styling, embedded media, controls,
/// navigation and captions ("Photo: ...", "Image 1 of 8" live in figcaption).
pub const SKIPPED_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "svg",
    "math",
    "iframe",
    "template",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "picture",
    "button",
    "select",
    "textarea",
    "input",
    "option",
    "nav",
    "figcaption",
    "head",
    "map",
    "dialog",
    "label",
];

/// Elements that usually hold boilerplate but are sometimes page-wide wrappers (ASP.NET wraps
/// whole pages in `<form>`; some themes put the article inside `<header>`). They are treated
/// like a negative class hint, which the scorer ignores for wrappers of most of the content.
pub const SOFT_NEGATIVE_TAGS: &[&str] = &["header", "footer", "aside", "form", "menu"];

/// Elements that end a paragraph: text on either side becomes separate paragraphs.
pub const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "menu",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Class/id tokens (split on non-alphanumerics) that mark boilerplate: navigation, chrome,
/// related-story and "most read" lists, share bars, sign-up boxes, comments, consent banners,
/// ads, captions and the byline/date strip above the body (the text starts at the body).
/// Short or ambiguous words ("ad", "nav", "tag") only match as whole tokens.
pub const NEGATIVE_TOKENS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "advertisement",
    "advertising",
    "aside",
    "auteur",
    "author",
    "authors",
    "autor",
    "banner",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "bylines",
    "caption",
    "captions",
    "credit",
    "credits",
    "disclaimer",
    "footer",
    "footnotes",
    "gallery",
    "login",
    "masthead",
    "menu",
    "meta",
    "modal",
    "nav",
    "navbar",
    "navigation",
    "outbrain",
    "overlay",
    "pagination",
    "pager",
    "paywall",
    "popular",
    "popup",
    "promo",
    "promos",
    "recirc",
    "rss",
    "share",
    "sharing",
    "sidebar",
    "skip",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "tag",
    "tags",
    "taboola",
    "timestamp",
    "toolbar",
    "tools",
    "topics",
    "trending",
    "widget",
    "widgets",
];

/// Substrings of the lower-cased class/id that mark boilerplate even inside compound names
/// ("sharebar", "relatedStories", "cookieBanner", "newsletterSignup", "most-read").
pub const NEGATIVE_SUBSTRINGS: &[&str] = &[
    "advert",
    "breadcrumb",
    "comment",
    "consent",
    "cookie",
    "disqus",
    "footer",
    "gdpr",
    "hovercard",
    "mostpopular",
    "most-popular",
    "most_popular",
    "mostread",
    "most-read",
    "most_read",
    "more-from",
    "morefrom",
    "more-stories",
    "newsletter",
    "onetrust",
    "outbrain",
    "popover",
    "read-more",
    "readmore",
    "recommend",
    "related",
    "rollover-block",
    "sharebar",
    "share-bar",
    "share_bar",
    "sharing",
    "sidebar",
    "signup",
    "sign-up",
    "social",
    "sponsor",
    "subscri",
    "taboola",
    "tooltip",
    "zergnet",
];

/// Substrings that cancel a negative substring match: "commentary" is an article genre, not a
/// comments section.
pub const NEGATIVE_EXCEPTIONS: &[&str] = &["commentary"];

/// Class/id tokens that suggest the element holds the article body.
pub const POSITIVE_TOKENS: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "main",
    "post",
    "story",
    "storybody",
    "text",
    "blog",
    "prose",
];

/// Short paragraphs that are page furniture wherever they appear (matched case-insensitively
/// against the start of paragraphs shorter than [`BOILERPLATE_MAX_CHARS`]).
pub const BOILERPLATE_PREFIXES: &[&str] = &[
    "advertisement",
    "sponsored",
    "story continues below",
    "article continues below",
    "continue reading",
    "share this",
    "share on",
    "click here",
    "read more",
    "read next",
    "related:",
    "related stories",
    "related articles",
    "more from",
    "most read",
    "sign up",
    "subscribe to",
    "follow us",
    "photo:",
    "photograph:",
    "image:",
    "credit:",
    "copyright",
    "©",
    "all rights reserved",
    "email the author",
    "we use cookies",
    "this site uses cookies",
    "by clicking",
    "accept cookies",
    "loading",
    "getty images",
    "have a tip",
    "get the latest updates",
    "tell us what you think",
    "this slideshow requires javascript",
    "explore further",
    "citation:",
    "this document is subject to copyright",
];

/// Whole lines that are furniture (compared case-insensitively, trailing punctuation ignored):
/// "Advert" alone is an ad label, while "Adverts for the campaign were banned" is prose.
pub const BOILERPLATE_LINES: &[&str] =
    &["ad", "ads", "advert", "advertisement", "sponsored content", "related", "related articles", "関連記事"];

/// Words opening a timestamp line ("Updated at 1:23 p.m.", "Published 14:02 GMT").
pub const TIMESTAMP_OPENERS: &[&str] = &["updated", "published", "posted", "last updated", "first published"];

/// A timestamp or date-only line is at most this long.
pub const TIMESTAMP_MAX_CHARS: usize = 60;

/// Words that open a byline line in the languages we see most ("By Jane Doe", "Par Claire
/// Martin"); such a short line is dropped from the text.
pub const BYLINE_OPENERS: &[&str] = &["by", "par", "von", "por", "di", "door", "av", "af"];

/// A byline line is at most this long.
pub const BYLINE_MAX_CHARS: usize = 80;

/// Paragraphs at least this long are never treated as furniture by prefix.
pub const BOILERPLATE_MAX_CHARS: usize = 120;

/// Paragraphs that end a press release ("###", "-30-", "ENDS"); what follows is contacts and
/// the boilerplate "About the company" (compared after removing spaces, lower case).
pub const END_MARKS: &[&str] = &["###", "-###-", "-30-", "—30—", "–30–", "ends", "-ends-", "-end-"];

/// Title or text phrases of error and paywall pages (lower case).
pub const ERROR_PAGE_PHRASES: &[&str] = &[
    "page not found",
    "404 not found",
    "error 404",
    "404 error",
    "page you requested",
    "page you are looking for",
    "page you were looking for",
    "no longer available",
    "access denied",
    "subscribe to continue reading",
    "subscribe to read",
    "this content is for subscribers",
    "please enable javascript",
    "are you a robot",
];

/// URL path segments of official statement pages. "briefing-room" is the White House's
/// section for statements and releases; its transcripts sit under the segments below.
pub const PRESS_RELEASE_PATH_SEGMENTS: &[&str] = &[
    "press-release",
    "press-releases",
    "pressrelease",
    "pressreleases",
    "press",
    "newsroom",
    "media-centre",
    "media-center",
    "mediacentre",
    "mediacenter",
    "media-releases",
    "media-release",
    "news-releases",
    "news-release",
    "statements",
    "statement",
    "statements-releases",
    "statements-and-releases",
    "readout",
    "readouts",
    "briefing-room",
];

/// URL path segments of transcript pages.
pub const TRANSCRIPT_PATH_SEGMENTS: &[&str] = &[
    "transcript",
    "transcripts",
    "press-briefing",
    "press-briefings",
    "remarks",
    "speeches-remarks",
    "speeches-and-remarks",
];

/// URL path segments that mean a transcript only when the text has speaker turns: a
/// "briefing" is a press briefing on government sites but a newsletter on news sites.
pub const BRIEFING_PATH_SEGMENTS: &[&str] = &["briefing", "briefings"];

/// Title openings of press releases (lower case); a news headline rarely starts this way,
/// though it may mention "a statement" later.
pub const PRESS_RELEASE_TITLE_STARTS: &[&str] =
    &["press release", "statement", "joint statement", "readout", "media release", "news release", "media statement"];

/// Phrases that mark a press release anywhere in the title.
pub const PRESS_RELEASE_TITLE_PHRASES: &[&str] =
    &["press release", "news release", "media release", "statement by", "statement from", "statement on"];

/// Title openings of transcripts (lower case).
pub const TRANSCRIPT_TITLE_STARTS: &[&str] =
    &["transcript", "press briefing", "press conference", "remarks", "interview with", "press gaggle"];

/// Phrases that mark a transcript anywhere in the title.
pub const TRANSCRIPT_TITLE_PHRASES: &[&str] = &["transcript", "remarks by", "press briefing by"];

/// Titles that open a mixed-case speaker label ("Secretary Blinken:", "Prof. Carlos:"). Other
/// mixed-case labels ("Palm Bay: 54, Rockledge 40", "Jane Roe: arrested") are too often
/// results or lists to count as turns; all-caps labels ("MS. COLE:", "Q:") always count.
pub const SPEAKER_TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "professor",
    "secretary",
    "president",
    "vice",
    "senator",
    "sen",
    "rep",
    "representative",
    "gov",
    "governor",
    "minister",
    "ambassador",
    "general",
    "gen",
    "judge",
    "chairman",
    "chair",
    "speaker",
    "mayor",
    "commissioner",
    "director",
    "moderator",
    "interviewer",
    "host",
    "question",
    "answer",
];

/// Labels that look like a speaker turn ("Note: ...") but are not.
pub const NOT_SPEAKERS: &[&str] = &[
    "note",
    "editor's note",
    "update",
    "updated",
    "correction",
    "related",
    "photo",
    "source",
    "sources",
    "read more",
    "disclosure",
    "warning",
    "watch",
    "listen",
    "contact",
    "media contact",
    "tags",
    "topics",
    "by",
];

/// JSON-LD `@type`s of article pages.
pub const ARTICLE_LD_TYPES: &[&str] = &[
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "reviewnewsarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "report",
    "scholarlyarticle",
    "techarticle",
];

/// What the walk needs to know about a tag name, from [`SKIPPED_TAGS`], [`BLOCK_TAGS`] and
/// [`SOFT_NEGATIVE_TAGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TagTraits {
    pub skipped: bool,
    pub block: bool,
    pub soft_negative: bool,
}

/// Tag name to traits in one hash lookup (the walk asks for every element; scanning three
/// lists of 70 names each time showed in profiles).
static TAG_TRAITS: LazyLock<HashMap<&'static str, TagTraits, BuildHasherDefault<WordHasher>>> = LazyLock::new(|| {
    let mut traits: HashMap<&'static str, TagTraits, BuildHasherDefault<WordHasher>> = HashMap::default();
    for name in SKIPPED_TAGS {
        traits.entry(name).or_default().skipped = true;
    }
    for name in BLOCK_TAGS {
        traits.entry(name).or_default().block = true;
    }
    for name in SOFT_NEGATIVE_TAGS {
        traits.entry(name).or_default().soft_negative = true;
    }
    traits
});

/// The traits of a tag name (lower case, as the parser gives it).
pub fn tag_traits(name: &str) -> TagTraits {
    TAG_TRAITS.get(name).copied().unwrap_or_default()
}

/// True when `name` is in `list` (tag names from the parser are already lower case).
pub fn is_one_of(name: &str, list: &[&str]) -> bool {
    list.contains(&name)
}

/// Class and id hints of one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassHint {
    pub negative: bool,
    pub positive: bool,
}

/// Judges an element's class and id attributes against the hint lists (uncached).
#[cfg(test)]
pub fn class_hint(element: &scraper::node::Element) -> ClassHint {
    let class = element.attr("class").unwrap_or("");
    let id = element.attr("id").unwrap_or("");
    if class.is_empty() && id.is_empty() {
        return ClassHint::default();
    }
    let mut lower = String::new();
    hint_of_attributes(class, id, &mut lower)
}

/// Most distinct class/id pairs remembered per page; templates repeat a few hundred.
const HINT_CACHE_CAPACITY: usize = 4096;

/// [`class_hint`] with memory: pages repeat the same class names on hundreds of elements, so
/// each distinct `(class, id)` pair is judged once per page.
#[derive(Default)]
pub struct HintCache<'a> {
    seen: HashMap<(&'a str, &'a str), ClassHint, BuildHasherDefault<WordHasher>>,
    lower: String,
}

/// A word-at-a-time multiplicative hash (the one rustc uses internally): the keys are short
/// class strings from one page, so SipHash's resistance to crafted collisions buys nothing here
/// (a page full of colliding class names would cost time, never correctness).
#[derive(Default)]
pub struct WordHasher(u64);

const WORD_HASH_FACTOR: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = self.0;
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            hash = (hash.rotate_left(5) ^ word).wrapping_mul(WORD_HASH_FACTOR);
        }
        for byte in words.remainder() {
            hash = (hash.rotate_left(5) ^ u64::from(*byte)).wrapping_mul(WORD_HASH_FACTOR);
        }
        self.0 = hash;
    }
}

impl<'a> HintCache<'a> {
    /// The hint of an element's `class` and `id` values (empty when absent), which live as long
    /// as the cache.
    pub fn hint(&mut self, class: &'a str, id: &'a str) -> ClassHint {
        if class.is_empty() && id.is_empty() {
            return ClassHint::default();
        }
        if let Some(hint) = self.seen.get(&(class, id)) {
            return *hint;
        }
        let hint = hint_of_attributes(class, id, &mut self.lower);
        if self.seen.len() < HINT_CACHE_CAPACITY {
            self.seen.insert((class, id), hint);
        }
        hint
    }
}

/// One alternation over [`NEGATIVE_SUBSTRINGS`]: a single scan of the lower-cased value
/// instead of one per word.
static NEGATIVE_SUBSTRING_MATCHER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let alternation: Vec<String> = NEGATIVE_SUBSTRINGS.iter().map(|s| regex::escape(s)).collect();
    Regex::new(&alternation.join("|")).ok()
});

fn hint_of_attributes(class: &str, id: &str, lower: &mut String) -> ClassHint {
    let mut hint = ClassHint::default();
    for attr in [class, id] {
        if attr.is_empty() {
            continue;
        }
        lower.clear();
        lower.extend(attr.chars().map(|c| c.to_ascii_lowercase()));
        for token in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
            if token.is_empty() {
                continue;
            }
            if NEGATIVE_TOKENS.contains(&token) {
                hint.negative = true;
            }
            if POSITIVE_TOKENS.contains(&token) {
                hint.positive = true;
            }
        }
        if !hint.negative && negative_substring(lower) && !NEGATIVE_EXCEPTIONS.iter().any(|s| lower.contains(s)) {
            hint.negative = true;
        }
    }
    hint
}

fn negative_substring(lower: &str) -> bool {
    match NEGATIVE_SUBSTRING_MATCHER.as_ref() {
        Some(matcher) => matcher.is_match(lower),
        None => NEGATIVE_SUBSTRINGS.iter().any(|s| lower.contains(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn hint_of(html: &str) -> ClassHint {
        let doc = Html::parse_fragment(html);
        let el = doc.root_element().first_child().and_then(scraper::ElementRef::wrap).expect("fixture has an element");
        class_hint(el.value())
    }

    #[test]
    fn compound_class_names_are_negative() {
        assert!(hint_of(r#"<div class="sharebar"></div>"#).negative);
        assert!(hint_of(r#"<div id="relatedStories"></div>"#).negative);
        assert!(hint_of(r#"<div class="ad-slot"></div>"#).negative);
        assert!(hint_of(r#"<div class="newsletter-signup"></div>"#).negative);
    }

    #[test]
    fn short_words_match_only_whole_tokens() {
        assert!(!hint_of(r#"<div class="header-canvas"></div>"#).negative);
        assert!(!hint_of(r#"<div class="loaded"></div>"#).negative);
        assert!(hint_of(r#"<div class="nav"></div>"#).negative);
    }

    #[test]
    fn cached_hints_match_uncached_ones() {
        let doc = Html::parse_fragment(
            r#"<div class="sharebar"></div><div class="story"></div><div class="sharebar"></div><p id="x"></p>"#,
        );
        let mut cache = HintCache::default();
        for element in doc.root_element().descendent_elements() {
            let (class, id) = (element.value().attr("class").unwrap_or(""), element.value().attr("id").unwrap_or(""));
            assert_eq!(cache.hint(class, id), class_hint(element.value()));
        }
    }

    #[test]
    fn tag_traits_follow_the_lists() {
        assert_eq!(tag_traits("script"), TagTraits { skipped: true, block: false, soft_negative: false });
        assert_eq!(tag_traits("footer"), TagTraits { skipped: false, block: true, soft_negative: true });
        assert_eq!(tag_traits("p"), TagTraits { skipped: false, block: true, soft_negative: false });
        assert_eq!(tag_traits("span"), TagTraits::default());
    }

    #[test]
    fn commentary_is_not_a_comment_section() {
        let hint = hint_of(r#"<div class="commentary-body"></div>"#);
        assert!(!hint.negative);
        assert!(hint.positive);
    }
}
