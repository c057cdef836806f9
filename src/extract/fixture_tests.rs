//! Data-driven tests of the whole extractor: every page in `testdata/` is decoded and extracted,
//! and a readable rendering of the result (metadata with provenance, then the text) is compared
//! with its snapshot in `snapshots/` (insta), so a behaviour change shows as a diff to review.
//! Property tests check that decoding and extraction never panic on arbitrary bytes.
//!
//! The fixtures cover each boilerplate type (cookie banners, navigation, share bars, captions
//! and credits, "Image 1 of 8", newsletter boxes, related and "most read" lists, comments,
//! author boxes, footers), each metadata source (JSON-LD, `<meta>`, `<time>`, URL, written
//! date; authors from JSON-LD, `rel=author`, bylines), non-UTF-8 pages (declared, undeclared,
//! BOM), non-articles (listing, error page, paywall stub) and official statements (press
//! release, readout, briefing transcript).

use proptest::prelude::*;
use url::Url;

use super::{decode_html, extract};

/// A fixture page: file name, the URL it was "fetched" from, the HTTP `Content-Type`.
struct Fixture {
    name: &'static str,
    bytes: &'static [u8],
    url: &'static str,
    content_type: Option<&'static str>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "news_article",
        bytes: include_bytes!("testdata/news_article.html"),
        url: "https://www.harbourherald.example/business/2019/05/14/telecom?ref=home",
        content_type: Some("text/html; charset=utf-8"),
    },
    Fixture {
        name: "blog_post",
        bytes: include_bytes!("testdata/blog_post.html"),
        url: "https://coastlinenotes.example/what-the-harbour-dig-found/",
        content_type: Some("text/html"),
    },
    Fixture {
        name: "press_release",
        bytes: include_bytes!("testdata/press_release.html"),
        url: "https://agency.example/news/press-releases/2019/northwind-fine",
        content_type: Some("text/html; charset=UTF-8"),
    },
    Fixture {
        name: "readout",
        bytes: include_bytes!("testdata/readout.html"),
        url: "https://state.example/readouts/2021/03/09/readout-call-foreign-minister-norland/",
        content_type: None,
    },
    Fixture {
        name: "transcript",
        bytes: include_bytes!("testdata/transcript.html"),
        url: "https://ministry.example/briefing-room/press-briefings/2019/05/14/briefing",
        content_type: None,
    },
    Fixture {
        name: "french",
        bytes: include_bytes!("testdata/french.html"),
        url: "https://lequotidien.example/eco/plan-industrie",
        content_type: None,
    },
    Fixture {
        name: "listing",
        bytes: include_bytes!("testdata/listing.html"),
        url: "https://harbourherald.example/business/",
        content_type: None,
    },
    Fixture {
        name: "error_404",
        bytes: include_bytes!("testdata/error_404.html"),
        url: "https://dailyledger.example/news/missing-story",
        content_type: None,
    },
    Fixture {
        name: "paywall",
        bytes: include_bytes!("testdata/paywall.html"),
        url: "https://dailyledger.example/news/2019/05/14/harbour-bridge",
        content_type: None,
    },
    Fixture {
        name: "legacy_windows_1252",
        bytes: include_bytes!("testdata/legacy_windows_1252.html"),
        url: "https://seafront.example/cafes",
        content_type: None,
    },
    Fixture {
        name: "windows_1252_undeclared",
        bytes: include_bytes!("testdata/windows_1252_undeclared.html"),
        url: "https://stadtblatt.example/politik/buergermeister",
        content_type: Some("text/html; charset=utf-8"),
    },
    Fixture {
        name: "shift_jis",
        bytes: include_bytes!("testdata/shift_jis.html"),
        url: "https://kowan.example/news/20190514/redevelopment",
        content_type: None,
    },
    Fixture {
        name: "utf16le_bom",
        bytes: include_bytes!("testdata/utf16le_bom.html"),
        url: "https://islands.example/ferries",
        content_type: Some("text/html; charset=iso-8859-1"),
    },
];

/// The extraction of one fixture as reviewable text.
fn render(fixture: &Fixture) -> String {
    let url = Url::parse(fixture.url).ok();
    let decoded = decode_html(fixture.bytes, fixture.content_type);
    let mut out = format!("charset: {} ({:?})\n", decoded.encoding.name(), decoded.source);
    let page = match extract(&decoded.text, url.as_ref()) {
        Ok(page) => page,
        Err(error) => return format!("{out}error: {error}\n"),
    };
    out.push_str(&format!("title: {:?}\n", page.title));
    out.push_str(&format!("authors: {:?}\n", page.authors));
    out.push_str(&format!(
        "published: {} ({})\n",
        page.published.map_or_else(|| "-".to_owned(), |d| d.to_rfc3339()),
        page.published_source.as_str()
    ));
    out.push_str(&format!("modified: {}\n", page.modified.map_or_else(|| "-".to_owned(), |d| d.to_rfc3339())));
    out.push_str(&format!("canonical: {:?}\n", page.canonical_url));
    out.push_str(&format!("site: {:?}\n", page.site));
    out.push_str(&format!("language: {} ({:.2})\n", page.language, page.language_confidence));
    out.push_str(&format!("kind: {}\n", page.kind.as_str()));
    out.push_str(&format!("is_article: {}\n", page.is_article));
    out.push_str("--- text ---\n");
    out.push_str(&page.text);
    out.push('\n');
    out
}

#[test]
fn fixture_pages_match_their_snapshots() {
    for fixture in FIXTURES {
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(fixture.name, render(fixture));
        });
    }
}

#[test]
fn no_fixture_text_leaks_markup_or_urls() {
    for fixture in FIXTURES {
        let url = Url::parse(fixture.url).ok();
        let decoded = decode_html(fixture.bytes, fixture.content_type);
        let Ok(page) = extract(&decoded.text, url.as_ref()) else { continue };
        for leak in ["<", "http", "www.", "{", "&amp;", "&nbsp;", "\u{fffd}"] {
            assert!(!page.text.contains(leak), "{}: `{leak}` in {}", fixture.name, page.text);
        }
        assert!(!page.text.contains("\n\n\n"), "{}: empty paragraph", fixture.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoding_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096),
                             header in proptest::option::of("[ -~]{0,40}")) {
        let decoded = decode_html(&bytes, header.as_deref());
        // Every input byte yields at most one replacement char (3 bytes) or its decoding.
        prop_assert!(decoded.text.len() <= bytes.len() * 3 + 3);
    }

    #[test]
    fn extraction_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let decoded = decode_html(&bytes, None);
        let _ = extract(&decoded.text, None);
    }

    #[test]
    fn extraction_never_panics_on_tag_soup(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<p>".to_owned()), Just("</p>".to_owned()), Just("<div class=\"content\">".to_owned()),
                Just("</div>".to_owned()), Just("<footer>".to_owned()), Just("</footer>".to_owned()),
                Just("<aside><meta itemprop=\"datePublished\" content=\"2019-05-14\">".to_owned()),
                Just("<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",".to_owned()),
                Just("</script>".to_owned()), Just("<svg><p>".to_owned()), Just("<!--".to_owned()),
                Just("<a href=\"/x\">".to_owned()), Just("<select><nav>".to_owned()), Just("<table><td>".to_owned()),
                "[a-zA-Z ,.:é€\u{0}<>&;\"'=/]{0,60}",
            ],
            0..60,
        )
    ) {
        let html = parts.concat();
        let page = extract(&html, Url::parse("https://example.com/2019/05/14/story").ok().as_ref());
        if let Ok(page) = page {
            prop_assert!(!page.text.contains("\n\n\n"));
        }
    }
}
