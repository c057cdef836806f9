//! Every word list the extractor judges markup by: tag sets, class/id hints, boilerplate phrases,
//! kind cues. Keeping them in one place makes tuning a data change, not a code hunt.
//!
//! Owns constants and the small matchers over them; must not walk the DOM or score anything.

use scraper::node::Element;

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

/// Judges an element's class and id attributes against the hint lists.
pub fn class_hint(element: &Element) -> ClassHint {
    let class = element.attr("class").unwrap_or("");
    let id = element.attr("id").unwrap_or("");
    if class.is_empty() && id.is_empty() {
        return ClassHint::default();
    }
    let mut hint = ClassHint::default();
    for attr in [class, id] {
        let lower = attr.to_ascii_lowercase();
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
        if !hint.negative
            && NEGATIVE_SUBSTRINGS.iter().any(|s| lower.contains(s))
            && !NEGATIVE_EXCEPTIONS.iter().any(|s| lower.contains(s))
        {
            hint.negative = true;
        }
    }
    hint
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
    fn commentary_is_not_a_comment_section() {
        let hint = hint_of(r#"<div class="commentary-body"></div>"#);
        assert!(!hint.negative);
        assert!(hint.positive);
    }
}
