//! The pre-pass: one scan of the decoded page's bytes drops what can never be article text or
//! metadata before the DOM is built, so the tree builder sees a fraction of the page.
//!
//! Building a DOM costs several times more per byte than scanning it, and most of a news page's
//! bytes are scripts, styles, inline SVG, comments, navigation, embeds and attributes nothing
//! reads. Dropped:
//! - elements that [`super::text`] skips anyway (styles, embeds, controls, `<nav>`,
//!   `<figcaption>`; see `pruned_tags`), so the main text cannot change;
//! - `<img>`/`<source>`/`<input>` (no text) and `<link>` other than `rel=canonical`;
//! - comments, and `<script>` other than JSON-LD, which [`super::metadata`] reads;
//! - attributes other than [`KEPT_ATTRIBUTES`], the ones extraction reads (`data-*`, `srcset`,
//!   event handlers and the like are most of the bytes of a tag), and `href` and `title` where
//!   they are not read (everywhere but `<link>` and `<abbr>`);
//! - indentation: a whitespace-only run between tags, outside `<pre>`, becomes one line break
//!   (or one space when it holds none), which is all the main text and the date text read of it
//!   (the date text's byte windows do shift by what is dropped);
//! - at [`PruneLevel::Aggressive`] also `<footer>` and `<aside>` ([`SOFT_PRUNED_TAGS`]). The
//!   main text excludes them unless one wraps most of the page's prose, and metadata ignores
//!   bylines and dates inside them, except `<meta>`, canonical `<link>` and JSON-LD, which are
//!   rescued and re-emitted at the end of the page. The text they held is counted
//!   ([`Pruned::soft_removed_chars`]) so the caller can tell when one was a wrapper and retry
//!   at [`PruneLevel::Gentle`].
//!
//! Kept: `<title>`, `<meta>`, canonical `<link>`, JSON-LD, `<time>`, bylines, and `<form>` and
//! `<header>`, which are page-wide wrappers or hold the headline, byline and date too often.
//!
//! The scan lexes as the HTML tokenizer does (`tags`: attributes, comments, raw text) and keeps
//! a stack of the open elements that need an end tag, so a dropped element ends where the tree
//! builder would end it: at its own end tag, or at the end tag of an element it is inside.
//!
//! Bounded work: the tree builder's cost grows with nesting depth (html5ever scans the stack of
//! open elements for every block start tag, so 200,000 nested `<div>`s took minutes), and every
//! later stage walks the tree. Elements nested deeper than [`MAX_NESTING_DEPTH`] lose their tags
//! here and keep their text, and the page is cut before its start tag past [`MAX_ELEMENTS`], so
//! the DOM that is built is at most that deep and that large whatever the page. An end tag is
//! matched against at most [`MAX_CLOSE_SEARCH`] open elements, so the scan is linear: a match
//! pops every element it passed.
//!
//! Owns the pre-pass only; must not judge content. Never fails.

use super::tags::{self, Attributes, Name, name_bytes, name_of};

/// Skipped elements the pre-pass must keep: `<script>` (JSON-LD is metadata; the others are
/// dropped by their own rule), `<head>` (metadata), and `<option>`/`<label>` (only ever inside
/// kept forms; removing them saves nothing).
#[cfg(test)]
const KEPT_SKIPPED_TAGS: &[&str] = &["script", "head", "option", "label"];

/// Elements that hold no text but much markup: their attributes are a large share of a page.
#[cfg(test)]
const TEXTLESS_TAGS: &[&str] = &["img", "source"];

/// Elements removed with their content at every level: what the main-text walk skips anyway
/// ([`super::hints::SKIPPED_TAGS`], less [`KEPT_SKIPPED_TAGS`]) and [`TEXTLESS_TAGS`], so the
/// main text cannot change.
#[cfg(test)]
fn pruned_tags() -> impl Iterator<Item = &'static str> {
    super::hints::SKIPPED_TAGS.iter().filter(|tag| !KEPT_SKIPPED_TAGS.contains(tag)).chain(TEXTLESS_TAGS).copied()
}

/// Elements removed at [`PruneLevel::Aggressive`]: boilerplate almost always, wrappers of the
/// article rarely (see the module docs).
#[cfg(test)]
pub const SOFT_PRUNED_TAGS: &[&str] = &["footer", "aside"];

/// The attributes extraction reads (`text`, `metadata`, `published`); every other attribute is
/// dropped from the tags that are kept.
#[cfg(test)]
pub const KEPT_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "style",
    "hidden",
    "role",
    "itemprop",
    "rel",
    "href",
    "name",
    "property",
    "content",
    "http-equiv",
    "datetime",
    "pubdate",
    "lang",
    "xml:lang",
    "title",
    "type",
];

/// Deepest element nesting handed to the tree builder; deeper elements lose their tags (their
/// text stays, joined into the enclosing block). Real pages nest well under 100 elements deep
/// after pruning; only generated or broken markup goes further.
pub const MAX_NESTING_DEPTH: usize = 256;

/// Most elements read from a page: the page is cut before the start tag past this many. A news
/// page has a few thousand elements; a page past this is a dump or an attack, and reading on
/// would cost time for nothing (a million unclosed `<p>` is 3 MB).
pub const MAX_ELEMENTS: usize = 50_000;

/// How many open elements an end tag is matched against, from the innermost. Real pages close
/// an element within a few levels; the bound keeps a page of stray end tags linear.
pub const MAX_CLOSE_SEARCH: usize = MAX_NESTING_DEPTH;

/// Elements whose end tag may be left out (`<p>`, `<li>`, table parts, ...): the tree builder
/// closes them implicitly, so they are not kept on the scan's stack of open elements.
#[cfg(test)]
const OPTIONAL_END_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "colgroup", "caption",
    "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Elements that never have content or an end tag.
#[cfg(test)]
const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
    "keygen",
];

/// How much is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PruneLevel {
    /// Only what can never be content.
    Gentle,
    /// Also [`SOFT_PRUNED_TAGS`].
    Aggressive,
}

/// A pruned page.
#[derive(Debug, Clone, Default)]
pub struct Pruned {
    pub html: String,
    /// The most non-whitespace text chars outside links (not script or style) that one removed
    /// [`SOFT_PRUNED_TAGS`] element held: prose that may have been the article.
    pub soft_removed_chars: usize,
}

/// What the pass does with a start tag, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagRule {
    /// `<script>`: kept when it is JSON-LD.
    Script,
    /// `<link>`: kept when it is canonical.
    Link,
    /// `<meta>`: kept, and rescued from soft-pruned elements.
    Meta,
    /// Void and dropped (`<img>`, `<source>`, `<input>`, `<embed>`).
    DroppedVoid,
    /// Void and kept, or kept and closed implicitly (`<br>`, `<p>`, `<li>`, ...): never on the
    /// stack of open elements.
    Flat,
    /// Raw text (`<style>`, `<noscript>`, `<iframe>`, `<textarea>`) and dropped.
    DroppedRawText,
    /// Raw text and kept (`<title>`, `<xmp>`, `<noembed>`, `<noframes>`).
    RawText,
    /// Dropped with its content (`<nav>`, `<svg>`, ...).
    Dropped,
    /// Dropped with its content at [`PruneLevel::Aggressive`] ([`SOFT_PRUNED_TAGS`]).
    Soft,
    /// Any other element: kept, on the stack until its end tag.
    Nested,
}

/// The rule for a start tag (`name` lower case). A `match` rather than a search of the lists:
/// this runs for every tag of every page (the lists stay the reference, checked in the tests).
fn tag_rule(name: &[u8]) -> TagRule {
    match name {
        b"script" => TagRule::Script,
        b"link" => TagRule::Link,
        b"meta" => TagRule::Meta,
        b"img" | b"source" | b"input" | b"embed" => TagRule::DroppedVoid,
        b"p" | b"li" | b"dt" | b"dd" | b"tr" | b"td" | b"th" | b"thead" | b"tbody" | b"tfoot" | b"option"
        | b"optgroup" | b"colgroup" | b"caption" | b"rb" | b"rt" | b"rtc" | b"rp" | b"html" | b"head" | b"body"
        | b"area" | b"base" | b"br" | b"col" | b"hr" | b"track" | b"wbr" | b"param" | b"keygen" => TagRule::Flat,
        b"style" | b"noscript" | b"iframe" | b"textarea" => TagRule::DroppedRawText,
        b"title" | b"xmp" | b"noembed" | b"noframes" => TagRule::RawText,
        b"svg" | b"math" | b"template" | b"object" | b"canvas" | b"video" | b"audio" | b"picture" | b"button"
        | b"select" | b"nav" | b"figcaption" | b"map" | b"dialog" => TagRule::Dropped,
        b"footer" | b"aside" => TagRule::Soft,
        _ => TagRule::Nested,
    }
}

/// Whether an attribute (its lower-case name) of a tag (its lower-case name) is one of
/// [`KEPT_ATTRIBUTES`]. `href` is read only on `<link rel=canonical>` (links in the text are
/// known by their tag) and `title` only on hAtom's `<abbr>`, so those stay only there.
fn keeps_attribute(tag: &[u8], name: &[u8]) -> bool {
    match name {
        b"href" => tag == b"link",
        b"title" => tag == b"abbr",
        _ => matches!(
            name,
            b"class"
                | b"id"
                | b"style"
                | b"hidden"
                | b"role"
                | b"itemprop"
                | b"rel"
                | b"name"
                | b"property"
                | b"content"
                | b"http-equiv"
                | b"datetime"
                | b"pubdate"
                | b"lang"
                | b"xml:lang"
                | b"type"
        ),
    }
}

/// What became of an open element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Written out, end tag included.
    Kept,
    /// Too deep: its tags are dropped, its content kept.
    Unwrapped,
    /// Dropped, or inside a dropped element.
    Dropped,
}

/// An element on the stack of open elements.
#[derive(Debug, Clone, Copy)]
struct Open {
    name: Name,
    fate: Fate,
    /// An `<svg>` or `<math>`: its content is foreign (self-closing tags, no raw text).
    foreign: bool,
    /// A link inside a soft-pruned element (its text is link text).
    soft_link: bool,
    /// A `<pre>` or `<listing>`.
    pre: bool,
}

/// Buckets of the count of open elements by name: an end tag whose bucket is empty closes
/// nothing, found without a search.
const OPEN_BUCKETS: usize = 256;

fn bucket(name: &Name) -> usize {
    let word = u128::from_le_bytes(*name);
    let folded = (word as u64) ^ ((word >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % OPEN_BUCKETS
}

/// The state of one pass.
struct Pass<'a> {
    html: &'a str,
    level: PruneLevel,
    out: String,
    stack: Vec<Open>,
    open_by_bucket: [u32; OPEN_BUCKETS],
    /// Where on the stack the outermost dropped element is (nothing is written while set).
    dropped_at: Option<usize>,
    /// Where on the stack the outermost soft-pruned element is.
    soft_at: Option<usize>,
    kept_depth: usize,
    foreign_depth: usize,
    soft_links: usize,
    /// Open `<pre>` and `<listing>` elements, whose whitespace is text.
    pre_depth: usize,
    elements: usize,
    /// Text and link-text chars of the outermost soft element now open.
    soft_chars: usize,
    soft_link_chars: usize,
    max_soft_prose_chars: usize,
    /// Metadata markup found inside soft-pruned elements.
    rescued: String,
}

/// Removes non-content subtrees and unread attributes, within the bounds of the module docs.
pub fn prune(html: &str, level: PruneLevel) -> Pruned {
    let mut pass = Pass {
        html,
        level,
        out: String::with_capacity(html.len() / 4),
        stack: Vec::new(),
        open_by_bucket: [0; OPEN_BUCKETS],
        dropped_at: None,
        soft_at: None,
        kept_depth: 0,
        foreign_depth: 0,
        soft_links: 0,
        pre_depth: 0,
        elements: 0,
        soft_chars: 0,
        soft_link_chars: 0,
        max_soft_prose_chars: 0,
        rescued: String::new(),
    };
    pass.run();
    pass.close_soft_element();
    let mut html = pass.out;
    html.push_str(&pass.rescued);
    Pruned { html, soft_removed_chars: pass.max_soft_prose_chars }
}

impl Pass<'_> {
    fn run(&mut self) {
        let html = self.html;
        let bytes = html.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let Some(offset) = html[at..].find('<') else {
                self.text(at, bytes.len());
                return;
            };
            let open = at + offset;
            self.text(at, open);
            at = match bytes.get(open + 1) {
                Some(b) if b.is_ascii_alphabetic() => match self.start_tag(open) {
                    Some(next) => next,
                    None => return,
                },
                Some(b'/') => match bytes.get(open + 2) {
                    Some(b) if b.is_ascii_alphabetic() => self.end_tag(open),
                    Some(b'>') => open + 3,
                    _ => tags::bogus_end(html, open),
                },
                Some(b'!') if html[open..].starts_with("<!--") => tags::comment_end(html, open),
                Some(b'!') if self.foreign_depth > 0 && html[open..].starts_with("<![CDATA[") => {
                    html[open..].find("]]>").map_or(html.len(), |i| open + i + 3)
                }
                Some(b'!') => {
                    let end = tags::bogus_end(html, open);
                    let doctype = bytes.get(open + 2..open + 9).is_some_and(|d| d.eq_ignore_ascii_case(b"doctype"));
                    if doctype && self.dropped_at.is_none() {
                        self.out.push_str(&html[open..end]);
                    }
                    end
                }
                Some(b'?') => tags::bogus_end(html, open),
                // A `<` that starts nothing is text.
                _ => {
                    self.text(open, open + 1);
                    open + 1
                }
            };
        }
    }

    /// Text between tags: written unless dropped, counted inside soft-pruned elements.
    fn text(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        let text = &self.html[from..to];
        if self.dropped_at.is_none() {
            // Indentation between tags is a third of what is left of a page, and the tree
            // builder reads every line break of it one at a time; every later stage reads a
            // whitespace run as one word break, and a line break as one.
            if self.pre_depth == 0 && text.len() > 1 && text.bytes().all(tags::is_space) {
                self.out.push(if text.contains('\n') { '\n' } else { ' ' });
            } else {
                self.out.push_str(text);
            }
        }
        if self.soft_at.is_some() {
            let chars = text.chars().filter(|c| !c.is_whitespace()).count();
            self.soft_chars += chars;
            if self.soft_links > 0 {
                self.soft_link_chars += chars;
            }
        }
    }

    /// A start tag at `open`; the index after it (and its raw text), or `None` to stop reading.
    fn start_tag(&mut self, open: usize) -> Option<usize> {
        let html = self.html;
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return None;
        }
        let name_end = tags::tag_name_end(html, open + 1);
        let name = name_of(&html[open + 1..name_end]);
        let foreign = self.foreign_depth > 0;
        let rule = if foreign { TagRule::Nested } else { tag_rule(name_bytes(&name)) };
        let dropped = self.dropped_at.is_some();
        let mut attributes = Attributes::new(html, name_end);
        match rule {
            TagRule::Script => {
                let json_ld = attributes.any(|a| {
                    a.name.eq_ignore_ascii_case("type") && a.value.trim().eq_ignore_ascii_case("application/ld+json")
                });
                let tag_end = attributes.finish()?;
                let text_end = tags::raw_text_end(html, tag_end, b"script");
                let end = tags::bogus_end(html, text_end).max(text_end);
                if json_ld {
                    let script = &html[tag_end..text_end];
                    if !dropped {
                        self.out.push_str(&html[open..end]);
                    } else if self.soft_at.is_some() {
                        self.rescued.push_str("<script type=\"application/ld+json\">");
                        self.rescued.push_str(script);
                        self.rescued.push_str("</script>");
                    }
                }
                Some(end)
            }
            TagRule::Link | TagRule::Meta => {
                let keep = rule == TagRule::Meta
                    || attributes.any(|a| {
                        a.name.eq_ignore_ascii_case("rel")
                            && a.value.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("canonical"))
                    });
                let end = attributes.finish()?;
                if keep && !dropped {
                    self.out.push_str(&html[open..end]);
                } else if keep && self.soft_at.is_some() {
                    self.rescued.push_str(&html[open..end]);
                }
                Some(end)
            }
            TagRule::DroppedVoid => attributes.finish(),
            TagRule::Flat => self.write_start_tag(open, name_bytes(&name), name_end, &mut attributes, !dropped),
            TagRule::DroppedRawText | TagRule::RawText => {
                let tag_end = self.write_start_tag(
                    open,
                    name_bytes(&name),
                    name_end,
                    &mut attributes,
                    rule == TagRule::RawText && !dropped,
                )?;
                let text_end = tags::raw_text_end(html, tag_end, name_bytes(&name));
                let end = tags::bogus_end(html, text_end).max(text_end);
                if rule == TagRule::RawText && !dropped {
                    self.out.push_str(&html[tag_end..end]);
                }
                Some(end)
            }
            TagRule::Dropped | TagRule::Soft | TagRule::Nested => {
                let is_foreign = matches!(name_bytes(&name), b"svg" | b"math");
                let soft = rule == TagRule::Soft && self.level == PruneLevel::Aggressive;
                let fate = if dropped || rule == TagRule::Dropped || soft {
                    Fate::Dropped
                } else if self.kept_depth >= MAX_NESTING_DEPTH {
                    Fate::Unwrapped
                } else {
                    Fate::Kept
                };
                let end =
                    self.write_start_tag(open, name_bytes(&name), name_end, &mut attributes, fate == Fate::Kept)?;
                // Foreign elements (and `<svg>`, `<math>` themselves) may close themselves.
                if attributes.self_closing() && (foreign || is_foreign) {
                    return Some(end);
                }
                self.push(name, fate, is_foreign, soft);
                Some(end)
            }
        }
    }

    /// Reads a start tag's attributes and writes the tag with the kept ones when `write`; the
    /// index after the tag, or `None` when the input ends inside it.
    fn write_start_tag(
        &mut self,
        open: usize,
        tag: &[u8],
        name_end: usize,
        attributes: &mut Attributes<'_>,
        write: bool,
    ) -> Option<usize> {
        let html = self.html;
        let mark = self.out.len();
        if write {
            self.out.push_str(&html[open..name_end]);
        }
        for attribute in &mut *attributes {
            // Every kept name is at most 10 bytes: longer ones (`data-*`) are not lower-cased.
            if write && attribute.name.len() <= 10 && keeps_attribute(tag, name_bytes(&name_of(attribute.name))) {
                self.out.push(' ');
                self.out.push_str(&html[attribute.span]);
            }
        }
        let Some(end) = attributes.end() else {
            self.out.truncate(mark);
            return None;
        };
        if write {
            self.out.push_str(if attributes.self_closing() { "/>" } else { ">" });
        }
        Some(end)
    }

    fn push(&mut self, name: Name, fate: Fate, foreign: bool, soft: bool) {
        let at = self.stack.len();
        if fate == Fate::Dropped && self.dropped_at.is_none() {
            self.dropped_at = Some(at);
        }
        if soft && self.soft_at.is_none() {
            self.soft_at = Some(at);
            self.soft_chars = 0;
            self.soft_link_chars = 0;
        }
        let soft_link = self.soft_at.is_some() && name_bytes(&name) == b"a";
        let pre = matches!(name_bytes(&name), b"pre" | b"listing");
        if fate == Fate::Kept {
            self.kept_depth += 1;
        }
        if foreign {
            self.foreign_depth += 1;
        }
        if soft_link {
            self.soft_links += 1;
        }
        if pre {
            self.pre_depth += 1;
        }
        self.open_by_bucket[bucket(&name)] += 1;
        self.stack.push(Open { name, fate, foreign, soft_link, pre });
    }

    /// An end tag at `open`: closes the innermost open element of its name and every element
    /// inside it; the index after the tag.
    fn end_tag(&mut self, open: usize) -> usize {
        let html = self.html;
        let name_end = tags::tag_name_end(html, open + 2);
        let name = name_of(&html[open + 2..name_end]);
        let end = Attributes::new(html, name_end).finish().unwrap_or(html.len());
        let found = if self.open_by_bucket[bucket(&name)] == 0 {
            None
        } else {
            self.stack
                .iter()
                .rev()
                .take(MAX_CLOSE_SEARCH)
                .position(|o| o.name == name)
                .map(|i| self.stack.len() - 1 - i)
        };
        let Some(index) = found else {
            // Closes nothing here; the tree builder decides what it means (`</p>`, `</br>`).
            if self.dropped_at.is_none() {
                self.out.push_str(&html[open..end]);
            }
            return end;
        };
        // A kept element is never inside a dropped one: its end tag ends any dropped element.
        if self.stack[index].fate == Fate::Kept {
            self.out.push_str(&html[open..end]);
        }
        while self.stack.len() > index {
            self.pop();
        }
        end
    }

    fn pop(&mut self) {
        let Some(element) = self.stack.pop() else { return };
        let at = self.stack.len();
        self.open_by_bucket[bucket(&element.name)] -= 1;
        if element.fate == Fate::Kept {
            self.kept_depth -= 1;
        }
        if element.foreign {
            self.foreign_depth -= 1;
        }
        if element.soft_link {
            self.soft_links -= 1;
        }
        if element.pre {
            self.pre_depth -= 1;
        }
        if self.soft_at == Some(at) {
            self.close_soft_element();
            self.soft_at = None;
        }
        if self.dropped_at == Some(at) {
            self.dropped_at = None;
        }
    }

    /// Folds the counts of the soft element just closed into the maximum.
    fn close_soft_element(&mut self) {
        let prose = self.soft_chars.saturating_sub(self.soft_link_chars);
        self.max_soft_prose_chars = self.max_soft_prose_chars.max(prose);
        self.soft_chars = 0;
        self.soft_link_chars = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pruned(html: &str, level: PruneLevel) -> Pruned {
        prune(html, level)
    }

    const PAGE: &str = r#"<html><head><title>T</title><meta name="author" content="A B">
        <link rel="stylesheet" href="s.css"><link rel="canonical" href="/c">
        <script>var x = "<p>not text</p>";</script>
        <script type="application/ld+json">{"@type":"NewsArticle"}</script>
        <style>p { color: red }</style></head><body><!-- comment -->
        <nav><a href="/">Home</a></nav><svg><title>icon</title></svg>
        <article><p>Text <img src="a.jpg" alt="x"> stays.</p><time datetime="2019-05-14">May</time>
        <figure><figcaption>Caption</figcaption></figure></article>
        <aside><p>Most read stories</p><p><a href="/x">A linked headline</a></p></aside>
        <footer><p>Footer text</p><meta itemprop="datePublished" content="2019-05-14">
        <script type="application/ld+json">{"@type":"Organization"}</script></footer></body></html>"#;

    #[test]
    fn drops_code_media_and_navigation_but_keeps_metadata() {
        let page = pruned(PAGE, PruneLevel::Gentle);
        for kept in [
            "<title>T</title>",
            "name=\"author\"",
            "rel=\"canonical\"",
            "NewsArticle",
            "Text ",
            " stays.",
            "<time",
            "Footer",
        ] {
            assert!(page.html.contains(kept), "`{kept}` lost: {}", page.html);
        }
        for dropped in ["stylesheet", "not text", "color", "comment", "Home", "icon", "a.jpg", "Caption"] {
            assert!(!page.html.contains(dropped), "`{dropped}` kept: {}", page.html);
        }
        assert_eq!(page.soft_removed_chars, 0);
    }

    #[test]
    fn aggressive_drops_footers_and_asides_but_rescues_their_metadata() {
        let page = pruned(PAGE, PruneLevel::Aggressive);
        assert!(!page.html.contains("Footer text"), "{}", page.html);
        assert!(!page.html.contains("Most read"), "{}", page.html);
        assert!(page.html.contains(r#"<meta itemprop="datePublished" content="2019-05-14">"#), "{}", page.html);
        assert!(page.html.contains(r#"<script type="application/ld+json">{"@type":"Organization"}</script>"#));
        assert!(page.html.contains("Text "), "{}", page.html);
        assert_eq!(page.soft_removed_chars, "Mostreadstories".len());
    }

    #[test]
    fn unread_attributes_are_dropped_from_kept_tags() {
        let html = r#"<div CLASS="a b" data-track='{"x":1}' onclick=go() id=main hidden><a href="/x" target=_blank>x</a></div>"#;
        assert_eq!(pruned(html, PruneLevel::Gentle).html, r#"<div CLASS="a b" id=main hidden><a>x</a></div>"#);
    }

    #[test]
    fn a_dropped_element_ends_where_the_tree_builder_ends_it() {
        // At its end tag, past look-alikes in attributes and raw text.
        let html = r#"<nav title="</nav>"><script>"</nav>"</script><nav>inner</nav>menu</nav><p>kept"#;
        assert_eq!(pruned(html, PruneLevel::Gentle).html, "<p>kept");
        // Unclosed, at the end tag of an element it is inside.
        let html = "<div><figure><figcaption>caption</figure><p>kept</p></div>";
        assert_eq!(pruned(html, PruneLevel::Gentle).html, "<div><figure></figure><p>kept</p></div>");
        // Self-closing SVG (and its self-closing children) end at once.
        let html = r#"<svg viewBox="0 0 1 1"/><p>kept</p><svg><path d="M0"/><use/></svg><p>also</p>"#;
        assert_eq!(pruned(html, PruneLevel::Gentle).html, "<p>kept</p><p>also</p>");
        // Stray end tags close nothing and are left to the tree builder.
        assert_eq!(pruned("<div></span>x</p></div>", PruneLevel::Gentle).html, "<div></span>x</p></div>");
    }

    #[test]
    fn elements_past_the_depth_bound_lose_their_tags_but_keep_their_text() {
        let depth = MAX_NESTING_DEPTH + 10;
        let html = format!("{}deep{}<p>after", "<div>".repeat(depth), "</div>".repeat(depth));
        let expected =
            format!("{}deep{}<p>after", "<div>".repeat(MAX_NESTING_DEPTH), "</div>".repeat(MAX_NESTING_DEPTH));
        assert_eq!(pruned(&html, PruneLevel::Gentle).html, expected);
    }

    #[test]
    fn the_page_is_cut_before_the_element_past_the_cap() {
        let html = format!("{}<b>x</b>", "<p>".repeat(MAX_ELEMENTS));
        assert_eq!(pruned(&html, PruneLevel::Gentle).html, "<p>".repeat(MAX_ELEMENTS));
    }

    #[test]
    fn whitespace_between_tags_is_one_break_outside_pre() {
        let html = "<div>\n    <p>a  b</p>  <p>c</p>\n\n  <pre>\n  <b>x</b>  \n</pre>\t\n</div>";
        assert_eq!(
            pruned(html, PruneLevel::Gentle).html,
            "<div>\n<p>a  b</p> <p>c</p>\n<pre>\n  <b>x</b>  \n</pre>\n</div>"
        );
    }

    #[test]
    fn comments_doctype_and_processing_instructions() {
        let html = "<!DOCTYPE html><!-- a <p> --><?xml x?><!-->x<!---->y<![CDATA[z]]></>w";
        assert_eq!(pruned(html, PruneLevel::Gentle).html, "<!DOCTYPE html>xyw");
    }

    #[test]
    fn the_rules_follow_the_lists() {
        for name in OPTIONAL_END_TAGS.iter().chain(VOID_TAGS) {
            let rule = tag_rule(name.as_bytes());
            assert!(!matches!(rule, TagRule::Nested | TagRule::Dropped | TagRule::Soft), "{name}: {rule:?}");
        }
        for name in pruned_tags() {
            let rule = tag_rule(name.as_bytes());
            assert!(matches!(rule, TagRule::Dropped | TagRule::DroppedRawText | TagRule::DroppedVoid), "{name}");
        }
        for name in SOFT_PRUNED_TAGS {
            assert_eq!(tag_rule(name.as_bytes()), TagRule::Soft);
        }
        for name in ["div", "span", "a", "section", "article", "table", "ul", "h1", "pp", "bodyx", "header", "form"] {
            assert_eq!(tag_rule(name.as_bytes()), TagRule::Nested, "{name}");
        }
        for name in KEPT_ATTRIBUTES {
            assert!(name.len() <= 10, "{name}: the length check in write_start_tag skips it");
            assert!(keeps_attribute(b"link", name.as_bytes()) || keeps_attribute(b"abbr", name.as_bytes()), "{name}");
        }
        for name in ["src", "srcset", "data-x", "onclick", "alt", "target"] {
            assert!(!keeps_attribute(b"div", name.as_bytes()), "{name}");
        }
        assert!(!keeps_attribute(b"a", b"href") && !keeps_attribute(b"span", b"title"));
    }

    #[test]
    fn multibyte_text_survives() {
        let text = "é€😀".repeat(20_000);
        let page = pruned(&format!("<p>{text}</p><script>x</script>"), PruneLevel::Aggressive);
        assert_eq!(page.html, format!("<p>{text}</p>"));
    }

    #[test]
    fn malformed_input_is_pruned_without_panic() {
        for html in [
            "<",
            "<script>never closed",
            "<svg><p>in svg",
            "<select><nav>x</nav>",
            "\u{0}<!--",
            "",
            "<footer",
            "<a href=\"x",
            "</",
            "</a",
            "<!",
            "<div/",
            "<p é=\"é\">é",
        ] {
            for level in [PruneLevel::Gentle, PruneLevel::Aggressive] {
                let _ = prune(html, level);
            }
        }
    }
}
