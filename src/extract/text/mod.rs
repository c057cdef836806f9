//! Main-text extraction: one walk over `<body>` turns the DOM into text blocks (paragraphs) with
//! their link density and boilerplate hints, a readability-style scorer picks the element that
//! holds the article, and the blocks inside it that look like prose become the text.
//! The walk is here; choosing the element and its blocks is `select.rs`.
//!
//! Owns boilerplate removal and paragraph structure. Must not read metadata (title, dates) and
//! must not panic or recurse on the DOM (the walk is iterative, so deeply nested markup is
//! safe).
//!
//! Choices:
//! - `<h1>` is never part of the text: the article's headline is metadata, and the text starts
//!   at the body. `<h2>`–`<h6>` inside the chosen element are kept as paragraphs.
//! - Boilerplate hints (class/id words, soft tags like `<footer>`) exclude a subtree only when it
//!   is not a wrapper of most of the page's prose, so a `<div class="page has-sidebar">` around
//!   everything does not hide the article.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Node};

use super::furniture::is_furniture;
use super::hints;

mod select;
use select::select;

/// A paragraph shorter than this (in chars) does not vote for its container.
const MIN_SCORING_CHARS: usize = 25;

/// Above this link density a block is navigation or a link list, not prose.
const MAX_BLOCK_LINK_DENSITY: f64 = 0.5;

/// A hinted element holding at least this share of the page's prose is a wrapper, not
/// boilerplate.
const WRAPPER_SHARE: f64 = 0.5;

/// How many ancestor levels a paragraph's score reaches (readability uses a similar decay).
const SCORE_LEVELS: usize = 5;

/// Bonus for containers whose class/id suggests article content, and malus for boilerplate.
const CLASS_WEIGHT: f64 = 25.0;

/// Bonus for `<article>`, `<main>`, `itemprop=articleBody` and `role=main`.
const SEMANTIC_WEIGHT: f64 = 30.0;

/// Sibling containers join the chosen element when they score at least this share of it.
const SIBLING_SHARE: f64 = 0.2;

/// How many levels above the best-scoring element the climb looks.
const CLIMB_LEVELS: usize = 6;

/// An ancestor replaces the chosen element when it holds this many times its clean prose...
const CLIMB_GAIN: f64 = 1.25;

/// ...at no more than this link density...
const CLIMB_MAX_LINK_DENSITY: f64 = 0.25;

/// ...and with prose making up at least this share of its text.
const CLIMB_MIN_PROSE_SHARE: f64 = 0.6;

/// How many descendants of a hinted inline element are checked for blocks before it is
/// dropped; hover cards and tag links are small, wrappers show a block early.
const INLINE_LOOKAHEAD_ELEMENTS: usize = 200;

/// Hard cap on blocks kept per page; beyond it the page is a dump, not an article.
const MAX_BLOCKS: usize = 20_000;

static URL_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>]+").expect("url regex is valid"));

/// What kind of element a block came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading1,
    Heading,
    ListItem,
    Quote,
    Preformatted,
    Cell,
    Other,
}

/// A paragraph of the extracted text.
#[derive(Debug, Clone, PartialEq)]
pub struct Paragraph {
    pub text: String,
    pub kind: BlockKind,
}

/// The main text of a page and the page-level measures `is_article` needs.
#[derive(Debug, Clone, Default)]
pub struct MainText {
    pub paragraphs: Vec<Paragraph>,
    /// Visible text chars in the body (outside skipped tags).
    pub page_chars: usize,
    /// Of those, chars inside links.
    pub page_link_chars: usize,
    /// Link density of the chosen content element.
    pub content_link_density: f64,
    /// Paragraphs in the chosen element long enough to count as prose.
    pub prose_paragraphs: usize,
    /// Headings anywhere on the page that are mostly a link (teasers of other stories).
    pub page_linked_headings: usize,
}

/// Paragraphs joined by blank lines.
pub fn join_paragraphs(paragraphs: &[Paragraph]) -> String {
    let mut out = String::new();
    for paragraph in paragraphs {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&paragraph.text);
    }
    out
}

/// Drops an end mark ([`hints::END_MARKS`]) after the first paragraph and everything after it.
pub fn cut_at_end_mark(mut paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
    let is_end_mark = |p: &Paragraph| {
        p.text.len() <= 12 && {
            let compact: String = p.text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
            hints::END_MARKS.contains(&compact.as_str())
        }
    };
    if let Some(end) = paragraphs.iter().skip(1).position(is_end_mark) {
        paragraphs.truncate(end + 1);
    }
    paragraphs
}

/// One element seen by the walk (only elements that matter: blocks and hinted ones).
#[derive(Debug, Clone)]
struct Container {
    parent: Option<usize>,
    tag: Tag,
    negative: bool,
    positive: bool,
    semantic: bool,
    chars: usize,
    link_chars: usize,
    prose_chars: usize,
    /// Prose chars outside boilerplate-hinted elements (set while scoring).
    clean_prose_chars: usize,
    score: f64,
}

/// The tag facts the scorer uses, copied out of the DOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Body,
    Div,
    Paragraph,
    Heading1,
    Heading,
    ListItem,
    List,
    Quote,
    Pre,
    Cell,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        match name {
            "body" => Tag::Body,
            "div" | "section" | "article" | "main" | "center" | "td" | "form" | "header" | "footer" | "aside" => {
                Tag::Div
            }
            "p" => Tag::Paragraph,
            "h1" => Tag::Heading1,
            "h2" | "h3" | "h4" | "h5" | "h6" => Tag::Heading,
            "li" | "dd" | "dt" => Tag::ListItem,
            "ul" | "ol" | "dl" => Tag::List,
            "blockquote" => Tag::Quote,
            "pre" => Tag::Pre,
            "th" => Tag::Cell,
            _ => Tag::Other,
        }
    }

    fn block_kind(self) -> BlockKind {
        match self {
            Tag::Paragraph => BlockKind::Paragraph,
            Tag::Heading1 => BlockKind::Heading1,
            Tag::Heading => BlockKind::Heading,
            Tag::ListItem => BlockKind::ListItem,
            Tag::Quote => BlockKind::Quote,
            Tag::Pre => BlockKind::Preformatted,
            Tag::Cell => BlockKind::Cell,
            _ => BlockKind::Other,
        }
    }

    /// Whether a paragraph of this tag votes for its parent rather than itself.
    fn votes_for_parent(self) -> bool {
        !matches!(self, Tag::Div | Tag::Body | Tag::Other)
    }
}

/// A run of text between block boundaries.
#[derive(Debug, Clone)]
struct Block {
    text: String,
    chars: usize,
    link_chars: usize,
    /// Innermost block container (index into the container list).
    owner: usize,
    /// Innermost container with a negative hint, if any.
    negative: Option<usize>,
}

impl Block {
    fn link_density(&self) -> f64 {
        ratio(self.link_chars, self.chars)
    }
}

/// Text being collected for the current block.
#[derive(Default)]
struct Buffer {
    text: String,
    chars: usize,
    link_chars: usize,
    pending_space: bool,
}

impl Buffer {
    fn push(&mut self, text: &str, in_link: bool) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}') {
                continue;
            }
            if self.pending_space && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.pending_space = false;
            self.text.push(c);
            self.chars += 1;
            if in_link {
                self.link_chars += 1;
            }
        }
    }

    fn take(&mut self) -> Option<(String, usize, usize)> {
        self.pending_space = false;
        if self.chars == 0 {
            self.text.clear();
            return None;
        }
        let text = std::mem::take(&mut self.text);
        let counts = (self.chars, self.link_chars);
        self.chars = 0;
        self.link_chars = 0;
        Some((text, counts.0, counts.1))
    }
}

/// Extracts the main text under `body` (or the document root when there is no body).
pub fn extract_main_text(root: ElementRef<'_>) -> MainText {
    let (containers, blocks) = walk(root);
    select(containers, blocks)
}

/// The single DOM walk: containers (block and hinted elements) and text blocks in order.
fn walk(root: ElementRef<'_>) -> (Vec<Container>, Vec<Block>) {
    let mut containers: Vec<Container> = vec![Container {
        parent: None,
        tag: Tag::Body,
        negative: false,
        positive: false,
        semantic: false,
        chars: 0,
        link_chars: 0,
        prose_chars: 0,
        clean_prose_chars: 0,
        score: 0.0,
    }];
    let mut blocks: Vec<Block> = Vec::new();
    let mut buffer = Buffer::default();
    // Per open element: did it push a container, is it a link.
    let mut open: Vec<(bool, bool)> = Vec::new();
    let mut container_stack: Vec<usize> = vec![0];
    let mut negative_stack: Vec<usize> = Vec::new();
    let mut link_depth = 0usize;
    let mut hint_cache = hints::HintCache::default();

    let flush = |buffer: &mut Buffer, blocks: &mut Vec<Block>, container_stack: &[usize], negative_stack: &[usize]| {
        if let Some((text, chars, link_chars)) = buffer.take()
            && blocks.len() < MAX_BLOCKS
        {
            blocks.push(Block {
                text,
                chars,
                link_chars,
                owner: container_stack.last().copied().unwrap_or(0),
                negative: negative_stack.last().copied(),
            });
        }
    };

    let Some(mut node) = root.first_child() else {
        return (containers, blocks);
    };
    let root_id = root.id();
    loop {
        // Open `node`.
        let mut descend = false;
        match node.value() {
            Node::Text(text) => {
                buffer.push(text, link_depth > 0);
            }
            Node::Element(element) => {
                let name = element.name();
                let traits = hints::tag_traits(name);
                let is_block = traits.block;
                let attributes = ElementAttributes::of(element);
                let class = if is_skipped(traits, &attributes) {
                    None
                } else {
                    Some(hint_cache.hint(attributes.class, attributes.id))
                };
                // A hinted inline element (a hover card, a tag link, a byline span) is dropped
                // on the spot: it cannot be a wrapper of the article. One holding blocks
                // (HubSpot wraps whole posts in a span) is judged like a block-level one.
                let inline_boilerplate =
                    !is_block && class.is_some_and(|c| c.negative) && !ElementRef::wrap(node).is_some_and(holds_blocks);
                if let Some(class) = class.filter(|_| !inline_boilerplate) {
                    descend = true;
                    let soft_negative = traits.soft_negative;
                    let semantic = matches!(name, "article" | "main")
                        || attributes.itemprop.is_some_and(|p| p.eq_ignore_ascii_case("articlebody"))
                        || attributes.role.is_some_and(|r| r.eq_ignore_ascii_case("main"));
                    let negative = (class.negative || soft_negative) && !semantic;
                    let pushes = is_block || negative || semantic;
                    if pushes {
                        flush(&mut buffer, &mut blocks, &container_stack, &negative_stack);
                        let index = containers.len();
                        containers.push(Container {
                            parent: container_stack.last().copied(),
                            tag: Tag::of(name),
                            negative,
                            positive: class.positive,
                            semantic,
                            chars: 0,
                            link_chars: 0,
                            prose_chars: 0,
                            clean_prose_chars: 0,
                            score: 0.0,
                        });
                        container_stack.push(index);
                        if negative {
                            negative_stack.push(index);
                        }
                    }
                    let is_link = name == "a";
                    if is_link {
                        link_depth += 1;
                    }
                    open.push((pushes, is_link));
                }
            }
            _ => {}
        }
        if descend && let Some(child) = node.first_child() {
            node = child;
            continue;
        }
        // Close `node` if it was opened as an element, then close ancestors until a sibling.
        let mut closing = node;
        let mut opened = descend;
        loop {
            if opened && let Some((pushed, is_link)) = open.pop() {
                if is_link {
                    link_depth = link_depth.saturating_sub(1);
                }
                if pushed {
                    flush(&mut buffer, &mut blocks, &container_stack, &negative_stack);
                    if let Some(index) = container_stack.pop()
                        && negative_stack.last() == Some(&index)
                    {
                        negative_stack.pop();
                    }
                }
            }
            if let Some(next) = closing.next_sibling() {
                node = next;
                break;
            }
            match closing.parent() {
                Some(parent) if parent.id() != root_id => {
                    closing = parent;
                    opened = true;
                }
                _ => {
                    flush(&mut buffer, &mut blocks, &container_stack, &negative_stack);
                    return (containers, blocks);
                }
            }
        }
    }
}

/// Whether an element has block-level descendants (looking at a bounded number of them).
fn holds_blocks(element: ElementRef<'_>) -> bool {
    element
        .descendent_elements()
        .take(INLINE_LOOKAHEAD_ELEMENTS)
        .any(|e| hints::tag_traits(e.value().name()).block && e.value().name() != "br")
}

/// The attributes the walk reads, found in one pass over an element's attributes (looking each
/// up by name costs an atom lookup and a search per name).
#[derive(Default)]
struct ElementAttributes<'a> {
    class: &'a str,
    id: &'a str,
    hidden: bool,
    style: Option<&'a str>,
    itemprop: Option<&'a str>,
    role: Option<&'a str>,
}

impl<'a> ElementAttributes<'a> {
    fn of(element: &'a scraper::node::Element) -> ElementAttributes<'a> {
        let mut found = ElementAttributes::default();
        for (name, value) in element.attrs() {
            match name {
                "class" => found.class = value,
                "id" => found.id = value,
                "hidden" => found.hidden = true,
                "style" => found.style = Some(value),
                "itemprop" => found.itemprop = Some(value),
                "role" => found.role = Some(value),
                _ => {}
            }
        }
        found
    }
}

/// Skipped subtrees: [`hints::SKIPPED_TAGS`] and elements hidden by markup.
fn is_skipped(traits: hints::TagTraits, attributes: &ElementAttributes<'_>) -> bool {
    if traits.skipped || attributes.hidden {
        return true;
    }
    attributes.style.is_some_and(|style| {
        let mentions = |word: &[u8]| style.as_bytes().windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
        if !(mentions(b"none") || mentions(b"hidden")) {
            return false;
        }
        let compact: String = style.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
        compact.contains("display:none") || compact.contains("visibility:hidden")
    })
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn main_text(html: &str) -> String {
        let doc = Html::parse_document(html);
        let body = doc
            .root_element()
            .child_elements()
            .find(|e| e.value().name() == "body")
            .unwrap_or_else(|| doc.root_element());
        join_paragraphs(&extract_main_text(body).paragraphs)
    }

    const ARTICLE: &str = "<p>The finance ministry said on Tuesday that it would review the \
        licences of three operators, citing concerns about security, cost and reliability.</p>\
        <p>Officials declined to say when the review would end, but analysts expect a decision \
        before the summer, when the current licences expire.</p>\
        <p>The operators, which together serve most of the country, have said they comply with \
        every rule and will cooperate fully with the review.</p>";

    fn page(boilerplate_before: &str, boilerplate_inside: &str, boilerplate_after: &str) -> String {
        format!(
            "<html><body>{boilerplate_before}<div class=\"wrapper\"><article><h1>Ministry to \
             review licences</h1>{ARTICLE}{boilerplate_inside}</article></div>\
             {boilerplate_after}</body></html>"
        )
    }

    fn assert_clean(html: &str, forbidden: &str) {
        let text = main_text(html);
        assert!(text.contains("review the licences"), "article lost: {text}");
        assert!(text.contains("cooperate fully"), "article end lost: {text}");
        assert!(!text.contains(forbidden), "`{forbidden}` leaked: {text}");
        assert!(!text.contains("Ministry to review licences"), "h1 leaked: {text}");
    }

    #[test]
    fn navigation_is_removed() {
        assert_clean(
            &page(
                "<nav><ul><li><a href=/>Home</a></li><li><a href=/w>World news and more</a></li></ul></nav>\
                 <div class=\"menu\">Sections: Politics, Business, Sport, Culture and Travel today</div>",
                "",
                "",
            ),
            "Sections",
        );
    }

    #[test]
    fn cookie_banner_is_removed() {
        assert_clean(
            &page(
                "<div id=\"cookie-consent\"><p>We and our partners use cookies to personalise \
                 content, ads and to analyse traffic, as described in our policy.</p></div>",
                "",
                "",
            ),
            "personalise",
        );
    }

    #[test]
    fn related_list_is_removed() {
        assert_clean(
            &page(
                "",
                "<section class=\"related-stories\"><h2>Related</h2><ul><li><a href=/a>Ministry \
                 fines operator over outage</a><p>The regulator imposed its biggest ever fine, \
                 officials said on Monday, after a day-long outage.</p></li></ul></section>",
                "",
            ),
            "biggest ever fine",
        );
    }

    #[test]
    fn most_read_box_is_removed() {
        assert_clean(
            &page(
                "",
                "",
                "<div class=\"most-read\"><ol><li>Storm batters the coast, leaving thousands \
                 without power for a week</li></ol></div>",
            ),
            "Storm batters",
        );
    }

    #[test]
    fn comments_are_removed() {
        assert_clean(
            &page(
                "",
                "<div id=\"comments\"><div class=\"c\"><p>I have said for years that these \
                 operators cannot be trusted, and nobody listens, as usual.</p></div></div>",
                "",
            ),
            "cannot be trusted",
        );
    }

    #[test]
    fn footer_is_removed() {
        assert_clean(
            &page(
                "",
                "",
                "<footer><p>Example News is published by Example Media Ltd, registered in \
                 England, company number 1234.</p><a href=/about>About us</a></footer>",
            ),
            "registered in",
        );
    }

    #[test]
    fn captions_and_credits_are_removed() {
        assert_clean(
            &page(
                "",
                "<figure><img src=a.jpg><figcaption>The ministry building in the capital, \
                 photographed on Monday. Photo: Jane Doe/Agency</figcaption></figure>\
                 <p>Image 1 of 8</p><div class=\"image-credit\">Getty Images for the ministry</div>",
                "",
            ),
            "photographed",
        );
        assert_clean(&page("", "<p>Image 1 of 8</p>", ""), "Image 1 of 8");
        assert_clean(&page("", "<div class=\"image-credit\">Agency pictures, 2019</div>", ""), "Agency pictures");
    }

    #[test]
    fn share_bar_is_removed() {
        assert_clean(
            &page(
                "",
                "<div class=\"share-tools\"><span>Share this article on Facebook, Twitter or \
                 by email</span></div>",
                "",
            ),
            "Facebook",
        );
    }

    #[test]
    fn newsletter_box_is_removed() {
        assert_clean(
            &page(
                "",
                "<aside class=\"inline-box\"><p>Get our morning briefing: the day's top stories, \
                 straight to your inbox every weekday.</p></aside>\
                 <div class=\"newsletterSignup\"><p>Sign up for the evening update, with analysis, \
                 opinion and the best reads.</p></div>",
                "",
            ),
            "inbox",
        );
    }

    #[test]
    fn ads_and_scripts_are_removed() {
        let html = page(
            "<script>var secret = 'tracking code, do not show';</script>",
            "<div class=\"ad-slot\"><p>Buy the best mattress in the world, now half price, today only.</p></div>\
             <p>Advertisement</p><style>p { color: red }</style>",
            "",
        );
        assert_clean(&html, "mattress");
        assert_clean(&html, "tracking code");
        assert_clean(&html, "Advertisement");
        assert_clean(&html, "color");
    }

    #[test]
    fn paragraphs_are_separated_and_inline_text_joined() {
        let text = main_text(
            "<html><body><article><p>First <b>bold</b> and <a href=x>linked</a> words in one \
             paragraph, with commas, to score.</p><h2>A subheading</h2><p>Second paragraph \
             with enough text to count as prose.</p><ul><li>A list item that belongs to the \
             article body.</li></ul></article></body></html>",
        );
        assert_eq!(
            text,
            "First bold and linked words in one paragraph, with commas, to score.\n\n\
             A subheading\n\nSecond paragraph with enough text to count as prose.\n\n\
             A list item that belongs to the article body."
        );
    }

    #[test]
    fn hover_cards_inside_a_paragraph_do_not_sink_it() {
        let text = main_text(&format!(
            "<html><body><article><p>A man pleaded guilty to threatening Rep. <span class=\"people\">\
             <a href=/p>Jane Roe</a><span class=\"tooltip\"><a href=/1>Roe asks court for mercy in \
             sentencing</a> <a href=/2>Roe backs new funding bill for schools</a> <a href=/3>Roe \
             criticises surveillance powers</a></span></span> (D-Minn.), prosecutors announced on \
             Monday.</p>{ARTICLE}</article></body></html>"
        ));
        assert!(
            text.starts_with(
                "A man pleaded guilty to threatening Rep. Jane Roe (D-Minn.), prosecutors announced on Monday.\n\n"
            ),
            "{text}"
        );
        assert!(!text.contains("mercy"), "{text}");
    }

    #[test]
    fn inline_wrapper_with_a_boilerplate_class_keeps_its_paragraphs() {
        let text = main_text(&format!(
            "<html><body><div class=\"post\"><span class=\"hs_cos_wrapper_meta_field\">{ARTICLE}</span></div>\
             </body></html>"
        ));
        assert!(text.contains("review the licences"), "{text}");
    }

    #[test]
    fn urls_do_not_leak() {
        let text = main_text(
            "<html><body><article><p>Read the full report at https://example.com/report.pdf \
             which the ministry published, with annexes, on Tuesday.</p></article></body></html>",
        );
        assert!(!text.contains("http"), "{text}");
        assert!(text.contains("report at which"), "{text}");
    }

    #[test]
    fn wrapper_with_negative_class_does_not_hide_article() {
        let text = main_text(&format!(
            "<html><body><div class=\"layout has-sidebar\"><div class=\"story\">{ARTICLE}</div>\
             <div class=\"sidebar\"><p>Sidebar text that should be dropped, with commas, many.</p>\
             </div></div></body></html>"
        ));
        assert!(text.contains("review the licences"), "{text}");
        assert!(!text.contains("Sidebar text"), "{text}");
    }

    #[test]
    fn article_split_across_sibling_divs_is_kept() {
        let text = main_text(
            "<html><body><div id=\"story\">\
             <div class=\"block\"><p>Part one of the story, which is long enough, with commas, \
             to score as prose.</p><p>It goes on, and on, describing the events of the day.</p></div>\
             <div class=\"ad\">Advert text here, please click it, thanks.</div>\
             <div class=\"block\"><p>Part two of the story continues here, with more details, \
             quotes, and context.</p><p>And it ends, finally, with a paragraph of analysis.</p></div>\
             </div></body></html>",
        );
        assert!(text.contains("Part one"), "{text}");
        assert!(text.contains("Part two"), "{text}");
        assert!(!text.contains("Advert text"), "{text}");
    }

    #[test]
    fn article_continuing_after_an_aside_is_kept_whole() {
        let text = main_text(
            "<html><body><div class=\"post\"><div class=\"wrap\">\
             <section><div class=\"inner\"><div class=\"post-content\">\
             <p>The first half of the story opens here, with a scene, a quote, and a claim.</p>\
             <p>It continues with background, context, and the reaction of officials.</p>\
             </div></div></section>\
             <aside class=\"post-sidebar\"><div class=\"share\"><a href=/s>Share</a></div></aside>\
             </div><div class=\"media\"><figure><img src=a.jpg></figure></div>\
             <section><div class=\"inner\"><div class=\"post-content\">\
             <h2>Second part</h2>\
             <p>The second half, after the embedded picture, goes on with more detail, numbers, and analysis.</p>\
             <p>It ends with a look ahead, to the next vote, the next court date, and the next election.</p>\
             <p>And one more paragraph, with another quote, another fact, and a final, closing line.</p>\
             </div></div></section></div>\
             <div class=\"more-stories\"><p>Another story teaser, which, being hinted, stays out.</p></div>\
             </body></html>",
        );
        assert!(text.contains("The first half"), "{text}");
        assert!(text.contains("closing line"), "{text}");
        assert!(!text.contains("teaser"), "{text}");
        assert!(!text.contains("Share"), "{text}");
    }

    #[test]
    fn press_release_ends_at_its_end_mark() {
        let paragraphs = |texts: &[&str]| -> Vec<Paragraph> {
            texts.iter().map(|t| Paragraph { text: (*t).to_owned(), kind: BlockKind::Paragraph }).collect()
        };
        let cut = cut_at_end_mark(paragraphs(&[
            "The agency fined the operator.",
            "It will appeal.",
            "# # #",
            "Media contact: x",
        ]));
        assert_eq!(cut, paragraphs(&["The agency fined the operator.", "It will appeal."]));
        let kept = paragraphs(&["###", "Text after a leading mark stays."]);
        assert_eq!(cut_at_end_mark(kept.clone()), kept);
    }

    #[test]
    fn deeply_nested_markup_does_not_overflow() {
        let depth = 5000;
        let html = format!(
            "<html><body>{}<p>Deep text, with commas, that is long enough to count.</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let text = main_text(&html);
        assert!(text.contains("Deep text"));
    }
}
