//! Bounded work on pathological pages: each costs well under a second of CPU, and extraction
//! time grows linearly with the page on generated tag soup.
//!
//! CPU time is the test thread's own (`/proc/thread-self/schedstat`), so tests running in
//! parallel do not count against each other; where that file is missing (not Linux) the wall
//! clock of the thread stands in, which only makes the bounds stricter.

use std::time::Instant;

use proptest::prelude::*;

use super::{decode_html, extract};

/// The CPU budget of one pathological page (the bar; debug builds included).
const PAGE_CPU_BUDGET_SECONDS: f64 = 1.0;

/// Seconds of CPU this thread has used (wall time where the kernel does not say).
fn thread_cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_ascii_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .map_or_else(|| start.elapsed().as_secs_f64(), |nanos| nanos as f64 / 1e9)
}

/// CPU seconds `work` takes on this thread.
fn cpu_seconds(work: impl FnOnce()) -> f64 {
    let wall = Instant::now();
    let before = thread_cpu_seconds(wall);
    work();
    let wall_after = Instant::now();
    (thread_cpu_seconds(wall) - before).max(0.0).min(wall_after.duration_since(wall).as_secs_f64() + 0.01)
}

fn assert_within_budget(name: &str, html: &str) {
    let seconds = cpu_seconds(|| {
        let decoded = decode_html(html.as_bytes(), Some("text/html; charset=utf-8"));
        let _ = extract(&decoded.text, None);
    });
    assert!(seconds < PAGE_CPU_BUDGET_SECONDS, "{name}: {seconds:.3} s of CPU");
}

#[test]
fn two_hundred_thousand_nested_divs_take_under_a_second() {
    let depth = 200_000;
    let html = format!(
        "<html><body>{}<p>Deep text, with commas, that is long enough to count as prose.</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    assert_eq!(html.len(), 2_200_095);
    assert_within_budget("nested divs", &html);
}

#[test]
fn deep_nesting_past_the_bound_keeps_its_text() {
    let depth = 2 * super::prune::MAX_NESTING_DEPTH;
    let html = format!(
        "<html><body>{}<p>Deep text, with commas, that is long enough to count as prose.</p>{}<p>After.</p></body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let page = extract(&html, None).expect("the page has text");
    assert!(page.text.contains("Deep text"), "{}", page.text);
}

#[test]
fn a_million_unclosed_paragraphs_take_under_a_second() {
    let html = format!("<html><body>{}</body></html>", "<p>".repeat(1_000_000));
    assert_within_budget("unclosed p", &html);
}

#[test]
fn nested_inline_and_unclosed_block_soup_takes_under_a_second() {
    let html = format!(
        "<html><body><article>{}{}</article></body></html>",
        "<span class=\"byline\"><b><i><a href=\"/x\">".repeat(20_000),
        "<div class=\"date\"><h1><time datetime=\"2019-05-14\">x</time>".repeat(20_000)
    );
    assert_within_budget("inline soup", &html);
}

#[test]
fn a_single_line_page_at_the_size_cap_takes_under_a_second() {
    let mut html = String::from("<html><body><p>");
    while html.len() < super::MAX_HTML_BYTES {
        html.push_str("word, another word and more words ");
    }
    assert_within_budget("single line", &html);
}

/// One piece of tag soup: open and close tags (balanced or not), attributes the heuristics
/// read, and text.
fn soup_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "div", "p", "span", "li", "td", "tr", "table", "h1", "h2", "a", "b", "section", "time"
        ])
        .prop_map(|tag| format!("<{tag}>")),
        prop::sample::select(vec!["div", "p", "span", "li", "table", "a", "b", "section"])
            .prop_map(|tag| format!("</{tag}>")),
        Just("<div class=\"byline author\">By Jane Doe, May 14, 2019</div>".to_owned()),
        Just("<div class=\"related sidebar\"><a href=\"/x\">A linked teaser headline</a>".to_owned()),
        "[a-zA-Z ,.]{1,80}".prop_map(|text| text),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The same soup repeated 16 times costs no more than 8 times extracting the single page 16
    /// times (plus a fixed allowance for the clock's tick). A quadratic stage would cost 16
    /// times more per byte on the larger page and fails this. The allowance is wide because the
    /// larger page nests deeper before [`super::prune::MAX_NESTING_DEPTH`] stops it, and the
    /// tree builder's scope checks cost up to that depth per tag: bounded, not growing. Both
    /// sides read the same amount of input, so both are long enough to time.
    #[test]
    fn extraction_time_is_linear_in_tag_soup(pieces in prop::collection::vec(soup_piece(), 50..400)) {
        let unit: String = pieces.concat();
        let small = format!("<html><body>{}</body></html>", unit.repeat(8));
        let large = format!("<html><body>{}</body></html>", unit.repeat(8 * 16));
        let small_seconds = cpu_seconds(|| {
            for _ in 0..16 {
                let _ = extract(&small, None);
            }
        });
        let large_seconds = cpu_seconds(|| { let _ = extract(&large, None); });
        prop_assert!(
            large_seconds <= 8.0 * small_seconds + 0.05,
            "16 x {} bytes: {:.4} s, {} bytes: {:.4} s", small.len(), small_seconds, large.len(), large_seconds
        );
    }
}
