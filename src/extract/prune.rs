//! Streaming pre-pass: one `lol_html` pass over the decoded page drops what can never be article
//! text or metadata before the DOM is built, so the tree builder sees a fifth of the page.
//!
//! Building a DOM costs several times more per byte than streaming over it, and most of a news
//! page's bytes are scripts, styles, inline SVG, comments, navigation and embeds. Dropped:
//! - elements that [`super::text`] skips anyway (styles, embeds, controls, `<nav>`,
//!   `<figcaption>`; see `pruned_tags`), so the main text cannot change;
//! - `<img>`/`<source>`/`<input>` (no text; their attributes are a large share of what is left)
//!   and `<link>` other than `rel=canonical` (stylesheets, preloads);
//! - comments, and `<script>` other than JSON-LD, which [`super::metadata`] reads;
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
//! Bounded work: the tree builder's cost grows with nesting depth (html5ever scans the stack of
//! open elements for every block start tag, so 200,000 nested `<div>`s took minutes), and every
//! later stage walks the tree. Elements nested deeper than [`MAX_NESTING_DEPTH`] lose their tags
//! here and keep their text, and the page is cut before its element past [`MAX_ELEMENTS`], so
//! the DOM that is built is at most that deep and that large whatever the page.
//!
//! Owns the pre-pass only; must not judge content. Never fails: if `lol_html` rejects the input,
//! the caller parses the page as it is.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::LazyLock;

use lol_html::html_content::{Comment, Element, TextChunk, TextType};
use lol_html::{DocumentContentHandlers, ElementContentHandlers, HtmlRewriter, Selector, Settings};

/// Skipped elements the pre-pass must keep: `<script>` (JSON-LD is metadata; the others are
/// dropped by their own handler), `<head>` (metadata), and `<option>`/`<label>` (only ever
/// inside kept forms; removing them saves nothing).
const KEPT_SKIPPED_TAGS: &[&str] = &["script", "head", "option", "label"];

/// Elements that hold no text but much markup: their attributes are a large share of a page.
const TEXTLESS_TAGS: &[&str] = &["img", "source"];

/// Elements removed with their content at every level: what the main-text walk skips anyway
/// ([`super::hints::SKIPPED_TAGS`], less [`KEPT_SKIPPED_TAGS`]) and [`TEXTLESS_TAGS`], so the
/// main text cannot change.
fn pruned_tags() -> impl Iterator<Item = &'static str> {
    super::hints::SKIPPED_TAGS.iter().filter(|tag| !KEPT_SKIPPED_TAGS.contains(tag)).chain(TEXTLESS_TAGS).copied()
}

/// Elements removed at [`PruneLevel::Aggressive`]: boilerplate almost always, wrappers of the
/// article rarely (see the module docs).
pub const SOFT_PRUNED_TAGS: &[&str] = &["footer", "aside"];

/// Deepest element nesting handed to the tree builder; deeper elements lose their tags (their
/// text stays, joined into the enclosing block). Real pages nest well under 100 elements deep
/// after pruning; only generated or broken markup goes further.
pub const MAX_NESTING_DEPTH: usize = 256;

/// Most elements read from a page: the page is cut before the start tag past this many (a scan
/// of the bytes finds it). A news page has a few thousand elements; a page past this is a dump
/// or an attack, and reading on would cost time for nothing (a million unclosed `<p>` is 3 MB).
pub const MAX_ELEMENTS: usize = 50_000;

/// Elements whose end tag may be left out (`<p>`, `<li>`, table parts, ...): the tree builder
/// closes them implicitly, so they never make the tree deep and are not counted in the depth
/// (the pre-pass sees no end tag for them).
const OPTIONAL_END_TAGS: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "colgroup", "caption",
    "rb", "rt", "rtc", "rp", "html", "head", "body",
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

/// The selectors of the pass, parsed once.
struct Selectors {
    pruned: Selector,
    scripts: Selector,
    links: Selector,
    soft: Selector,
    soft_links: Selector,
    metas: Selector,
    all: Selector,
}

static SELECTORS: LazyLock<Option<Selectors>> = LazyLock::new(|| {
    let soft_links: Vec<String> = SOFT_PRUNED_TAGS.iter().map(|tag| format!("{tag} a")).collect();
    Some(Selectors {
        pruned: pruned_tags().collect::<Vec<_>>().join(",").parse().ok()?,
        scripts: "script".parse().ok()?,
        links: "link".parse().ok()?,
        soft: SOFT_PRUNED_TAGS.join(",").parse().ok()?,
        soft_links: soft_links.join(",").parse().ok()?,
        metas: "meta".parse().ok()?,
        all: "*".parse().ok()?,
    })
});

/// State shared by the handlers of one pass.
#[derive(Default)]
struct Rescue {
    /// How many removed soft elements are open.
    depth: Cell<usize>,
    /// Text and link-text chars of the outermost removed soft element now open.
    chars: Cell<usize>,
    link_chars: Cell<usize>,
    /// The most prose chars seen in one removed soft element.
    max_prose_chars: Cell<usize>,
    /// Metadata markup found inside removed soft elements.
    markup: RefCell<String>,
    /// Whether the script being read is JSON-LD inside a removed soft element.
    in_json_ld: Cell<bool>,
}

/// What a quick scan of the tags says about a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TagScan {
    /// Where the page is cut: before the start tag past [`MAX_ELEMENTS`], else its length.
    end: usize,
    /// The deepest nesting of elements that need an end tag (an estimate: tags in scripts and
    /// comments count too, which only errs towards bounding).
    max_depth: usize,
}

/// One pass over the bytes, reading tag names only: counts start tags for [`MAX_ELEMENTS`] and
/// estimates the nesting depth, so that the precise depth bound runs only on deep pages.
fn scan_tags(html: &str) -> TagScan {
    let bytes = html.as_bytes();
    let mut scan = TagScan { end: bytes.len(), max_depth: 0 };
    let (mut at, mut elements) = (0usize, 0usize);
    let mut open_names: Vec<[u8; 16]> = Vec::new();
    // `str::find` on a char searches with memchr.
    while let Some(offset) = html.get(at..).and_then(|rest| rest.find('<')) {
        let open = at + offset;
        at = open + 1;
        let closing = bytes.get(at) == Some(&b'/');
        let name_start = if closing { at + 1 } else { at };
        let name_len = bytes
            .get(name_start..)
            .map_or(0, |rest| rest.iter().take(16).take_while(|b| b.is_ascii_alphanumeric()).count());
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        // Lower-cased on the stack: this runs for every tag of every page.
        let mut lower = [0u8; 16];
        for (slot, byte) in lower.iter_mut().zip(&bytes[name_start..name_start + name_len]) {
            *slot = byte.to_ascii_lowercase();
        }
        let nests = nests(&lower[..name_len]);
        if closing {
            // An end tag closes its element only if one is open near the top (as the tree
            // builder ignores a stray `</span>`); looking further would cost depth per tag,
            // and not looking only makes the estimate higher.
            if nests && let Some(found) = open_names.iter().rev().take(CLOSE_LOOKBACK).position(|n| *n == lower) {
                open_names.truncate(open_names.len() - found - 1);
            }
            continue;
        }
        elements += 1;
        if elements > MAX_ELEMENTS {
            scan.end = open;
            break;
        }
        if nests {
            open_names.push(lower);
            scan.max_depth = scan.max_depth.max(open_names.len());
        }
    }
    scan
}

/// Whether an element (its lower-case name) needs an end tag: neither void nor one whose end
/// tag may be left out. A `match` over bytes rather than a search of the two lists: this runs
/// for every tag of every page (the lists stay the reference, checked in the tests).
fn nests(name: &[u8]) -> bool {
    !matches!(
        name,
        b"p" | b"li"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"option"
            | b"optgroup"
            | b"colgroup"
            | b"caption"
            | b"rb"
            | b"rt"
            | b"rtc"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
            | b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"source"
            | b"track"
            | b"wbr"
            | b"param"
            | b"keygen"
    )
}

/// How many open elements an end tag is matched against in the scan.
const CLOSE_LOOKBACK: usize = 8;

/// Elements that never have content or an end tag (with [`OPTIONAL_END_TAGS`], the reference
/// for [`nests`]).
#[cfg(test)]
const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
    "keygen",
];

/// Removes non-content subtrees; `None` when the input cannot be rewritten (then the caller
/// parses the page unpruned).
pub fn prune(html: &str, level: PruneLevel) -> Option<Pruned> {
    let selectors = SELECTORS.as_ref()?;
    let rescue = Rc::new(Rescue::default());
    let mut settings = Settings::new()
        // Lenient: an element in an ambiguous parsing context (inside `<select>`, foreign
        // content) is matched as best it can be instead of aborting the pass.
        .with_strict(false)
        .append_element_content_handler((
            Cow::Borrowed(&selectors.pruned),
            ElementContentHandlers::default().element(|element: &mut Element| {
                element.remove();
                Ok(())
            }),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&selectors.scripts),
            ElementContentHandlers::default()
                .element({
                    let rescue = Rc::clone(&rescue);
                    move |element: &mut Element| {
                        let json_ld = element
                            .get_attribute("type")
                            .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/ld+json"));
                        if !json_ld {
                            element.remove();
                        } else if rescue.depth.get() > 0 {
                            rescue.in_json_ld.set(true);
                            rescue.markup.borrow_mut().push_str("<script type=\"application/ld+json\">");
                        }
                        Ok(())
                    }
                })
                .text({
                    let rescue = Rc::clone(&rescue);
                    move |chunk: &mut TextChunk| {
                        if rescue.in_json_ld.get() {
                            let mut markup = rescue.markup.borrow_mut();
                            markup.push_str(chunk.as_str());
                            if chunk.last_in_text_node() {
                                markup.push_str("</script>");
                                rescue.in_json_ld.set(false);
                            }
                        }
                        Ok(())
                    }
                }),
        ))
        .append_element_content_handler((
            Cow::Borrowed(&selectors.links),
            ElementContentHandlers::default().element({
                let rescue = Rc::clone(&rescue);
                move |element: &mut Element| {
                    let canonical = element
                        .get_attribute("rel")
                        .is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("canonical")));
                    if !canonical {
                        element.remove();
                    } else if rescue.depth.get() > 0 {
                        rescue_void_element(element, &rescue);
                    }
                    Ok(())
                }
            }),
        ))
        .append_document_content_handler(DocumentContentHandlers::default().comments(|comment: &mut Comment| {
            comment.remove();
            Ok(())
        }));
    if level == PruneLevel::Aggressive {
        settings = settings
            .append_element_content_handler((
                Cow::Borrowed(&selectors.soft),
                ElementContentHandlers::default()
                    .element({
                        let rescue = Rc::clone(&rescue);
                        move |element: &mut Element| {
                            element.remove();
                            if element.can_have_content() {
                                rescue.depth.set(rescue.depth.get() + 1);
                                let rescue = Rc::clone(&rescue);
                                element.on_end_tag(Box::new(move |_| {
                                    rescue.depth.set(rescue.depth.get().saturating_sub(1));
                                    if rescue.depth.get() == 0 {
                                        rescue.close_soft_element();
                                    }
                                    Ok(())
                                }))?;
                            }
                            Ok(())
                        }
                    })
                    .text({
                        let rescue = Rc::clone(&rescue);
                        move |chunk: &mut TextChunk| {
                            rescue.chars.set(rescue.chars.get() + visible_chars(chunk));
                            Ok(())
                        }
                    }),
            ))
            .append_element_content_handler((
                Cow::Borrowed(&selectors.soft_links),
                ElementContentHandlers::default().text({
                    let rescue = Rc::clone(&rescue);
                    move |chunk: &mut TextChunk| {
                        if rescue.depth.get() > 0 {
                            rescue.link_chars.set(rescue.link_chars.get() + visible_chars(chunk));
                        }
                        Ok(())
                    }
                }),
            ))
            .append_element_content_handler((
                Cow::Borrowed(&selectors.metas),
                ElementContentHandlers::default().element({
                    let rescue = Rc::clone(&rescue);
                    move |element: &mut Element| {
                        if rescue.depth.get() > 0 {
                            rescue_void_element(element, &rescue);
                        }
                        Ok(())
                    }
                }),
            ));
    }

    // Last, so that elements other handlers removed are not counted. Only on pages the scan
    // found deeper than the bound: a closure per element costs a tenth of the pass.
    let scan = scan_tags(html);
    let html = &html[..scan.end];
    if scan.max_depth > MAX_NESTING_DEPTH {
        let depth = Rc::new(Cell::new(0usize));
        settings = settings.append_element_content_handler((
            Cow::Borrowed(&selectors.all),
            ElementContentHandlers::default().element(move |element: &mut Element| {
                if element.removed() {
                    return Ok(());
                }
                if depth.get() >= MAX_NESTING_DEPTH {
                    element.remove_and_keep_content();
                    return Ok(());
                }
                if element.can_have_content() && !OPTIONAL_END_TAGS.contains(&element.tag_name().as_str()) {
                    depth.set(depth.get() + 1);
                    let depth = Rc::clone(&depth);
                    element.on_end_tag(Box::new(move |_| {
                        depth.set(depth.get().saturating_sub(1));
                        Ok(())
                    }))?;
                }
                Ok(())
            }),
        ));
    }

    let mut out: Vec<u8> = Vec::with_capacity(html.len() / 3);
    let mut rewriter = HtmlRewriter::new(settings, |chunk: &[u8]| out.extend_from_slice(chunk));
    rewriter.write(html.as_bytes()).ok()?;
    rewriter.end().ok()?;
    // The input is UTF-8 and only whole tags, comments and text nodes are dropped, so this
    // holds; checked once here rather than per chunk (chunks may split a character).
    let mut out = String::from_utf8(out).ok()?;
    out.push_str(&rescue.markup.borrow());
    rescue.close_soft_element();
    Some(Pruned { html: out, soft_removed_chars: rescue.max_prose_chars.get() })
}

impl Rescue {
    /// Folds the counts of the soft element just closed into the maximum.
    fn close_soft_element(&self) {
        let prose = self.chars.get().saturating_sub(self.link_chars.get());
        self.max_prose_chars.set(self.max_prose_chars.get().max(prose));
        self.chars.set(0);
        self.link_chars.set(0);
    }
}

/// Non-whitespace chars of a chunk of ordinary text (script and style text count 0).
fn visible_chars(chunk: &TextChunk) -> usize {
    if chunk.text_type() == TextType::Data { chunk.as_str().chars().filter(|c| !c.is_whitespace()).count() } else { 0 }
}

/// Writes a void element (`<meta>`, `<link>`) back out as markup with its attributes.
fn rescue_void_element(element: &Element, rescue: &Rescue) {
    let mut markup = rescue.markup.borrow_mut();
    markup.push('<');
    markup.push_str(&element.tag_name());
    for attribute in element.attributes() {
        markup.push(' ');
        markup.push_str(&attribute.name());
        markup.push_str("=\"");
        markup.push_str(&attribute.value().replace('"', "&quot;"));
        markup.push('"');
    }
    markup.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pruned(html: &str, level: PruneLevel) -> Pruned {
        prune(html, level).expect("page is prunable")
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
    fn the_tag_scan_counts_elements_and_estimates_depth() {
        let flat = "<html><body><p>a<p>b<br><img src=x><ul><li>c<li>d</ul><div>e</div></body></html>";
        assert_eq!(scan_tags(flat), TagScan { end: flat.len(), max_depth: 1 });
        let deep = format!("{}x{}", "<DIV>".repeat(300), "</div>".repeat(300));
        assert_eq!(scan_tags(&deep).max_depth, 300);
        let many = "<p>".repeat(MAX_ELEMENTS + 10);
        assert_eq!(scan_tags(&many).end, 3 * MAX_ELEMENTS);
        assert_eq!(scan_tags("a < b, 1<2, </>").max_depth, 0);
        // Stray end tags close nothing, as in the tree builder.
        let stray = format!("{}x", "<div></span>".repeat(300));
        assert_eq!(scan_tags(&stray).max_depth, 300);
    }

    #[test]
    fn the_scan_nests_exactly_the_elements_outside_both_lists() {
        for name in OPTIONAL_END_TAGS.iter().chain(VOID_TAGS) {
            assert!(!nests(name.as_bytes()), "{name}");
        }
        for name in ["div", "span", "a", "section", "article", "table", "ul", "h1", "pp", "bodyx"] {
            assert!(nests(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn multibyte_text_survives_chunking() {
        let text = "é€😀".repeat(20_000);
        let page = pruned(&format!("<p>{text}</p><script>x</script>"), PruneLevel::Aggressive);
        assert_eq!(page.html, format!("<p>{text}</p>"));
    }

    #[test]
    fn malformed_input_is_pruned_or_refused_without_panic() {
        for html in ["<", "<script>never closed", "<svg><p>in svg", "<select><nav>x</nav>", "\u{0}<!--", "", "<footer"]
        {
            for level in [PruneLevel::Gentle, PruneLevel::Aggressive] {
                let _ = prune(html, level);
            }
        }
    }
}
