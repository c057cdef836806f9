//! Turns raw page bytes into text: byte-order mark, then the HTTP `Content-Type` charset, then a
//! `<meta>` charset in the first [`PRESCAN_BYTES`] bytes, then detection with chardetng.
//!
//! Owns charset choice and decoding. Must never fail or panic: undecodable sequences become
//! U+FFFD. Does not parse HTML beyond the `<meta>` prescan.
//!
//! One judgement departs from browsers: a declared charset (header or meta) is checked against
//! the bytes. Servers often send a default `charset=utf-8` for legacy latin-1 pages, and old
//! servers send `iso-8859-1` for UTF-8 pages; a browser would show mojibake, but an index should
//! not store it. So a declared UTF-8 is kept only when the bytes are valid UTF-8 (otherwise the
//! detector decides), and a declared legacy single-byte charset yields to UTF-8 when the bytes
//! are valid UTF-8 with non-ASCII sequences (which almost never happens by chance). Either way
//! the `source` is then [`CharsetSource::Detected`].

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use regex::bytes::Regex;

/// How many leading bytes are searched for `<meta charset>`. The HTML standard says 1024;
/// pages with long comments or inline scripts before the meta are common enough to look further.
pub const PRESCAN_BYTES: usize = 4096;

/// How many bytes are fed to the charset detector; more adds time, not accuracy.
pub const DETECT_BYTES: usize = 64 * 1024;

/// Where the chosen encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharsetSource {
    Bom,
    Header,
    Meta,
    Detected,
}

/// Page text decoded from bytes, with the encoding used and why it was chosen.
#[derive(Debug, Clone)]
pub struct DecodedHtml {
    pub text: String,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.+\-]+)"#).expect("meta charset regex is valid")
});

/// Decodes raw HTML bytes; never fails and replaces invalid sequences with U+FFFD.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> DecodedHtml {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        return decode_with(body, encoding, CharsetSource::Bom);
    }
    if let Some(encoding) = content_type.and_then(charset_from_content_type) {
        return decode_declared(bytes, encoding, CharsetSource::Header);
    }
    if let Some(encoding) = charset_from_meta(bytes) {
        return decode_declared(bytes, encoding, CharsetSource::Meta);
    }
    decode_with(bytes, detect(bytes), CharsetSource::Detected)
}

/// Decodes with a declared encoding unless the bytes contradict it (see the module docs).
fn decode_declared(bytes: &[u8], declared: &'static Encoding, source: CharsetSource) -> DecodedHtml {
    if declared == UTF_8 {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return DecodedHtml { text: text.to_owned(), encoding: UTF_8, source };
        }
        return decode_with(bytes, detect(bytes), CharsetSource::Detected);
    }
    if declared.is_single_byte()
        && !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return DecodedHtml { text: text.to_owned(), encoding: UTF_8, source: CharsetSource::Detected };
    }
    decode_with(bytes, declared, source)
}

fn decode_with(bytes: &[u8], encoding: &'static Encoding, source: CharsetSource) -> DecodedHtml {
    let (text, _had_errors) = encoding.decode_without_bom_handling(bytes);
    DecodedHtml { text: text.into_owned(), encoding, source }
}

/// The `charset` parameter of a `Content-Type` value, if it names a known encoding.
fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        Encoding::for_label(value.as_bytes())
    })
}

/// The charset named by a `<meta>` tag near the start of the page. As in browsers, a meta
/// that claims UTF-16 means UTF-8 (the bytes are evidently ASCII-compatible), and
/// `x-user-defined` means windows-1252.
fn charset_from_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..PRESCAN_BYTES).unwrap_or(bytes);
    let label = META_CHARSET.captures(head)?.get(1)?.as_bytes();
    let encoding = Encoding::for_label(label)?;
    Some(if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else if encoding == encoding_rs::X_USER_DEFINED {
        WINDOWS_1252
    } else {
        encoding
    })
}

/// Guesses the encoding from the bytes: valid UTF-8 is UTF-8, anything else goes to chardetng,
/// which falls back to windows-1252 as browsers do.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let sample = bytes.get(..DETECT_BYTES).unwrap_or(bytes);
    if valid_utf8_prefix(sample) {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, sample.len() == bytes.len());
    detector.guess(None, true)
}

/// True when `sample` is valid UTF-8, allowing a multi-byte sequence cut off at its end.
fn valid_utf8_prefix(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && sample.len() - error.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRENCH_1252: &[u8] =
        b"<html><body><p>L'\xe9t\xe9 \xe0 Paris, d\xe9j\xe0 tr\xe8s chaud. Ce caf\xe9 co\xfbte \x80 3.</p></body></html>";

    #[test]
    fn windows_1252_with_header_is_decoded() {
        let decoded = decode_html(FRENCH_1252, Some("text/html; charset=windows-1252"));
        assert_eq!(decoded.source, CharsetSource::Header);
        assert_eq!(decoded.encoding, WINDOWS_1252);
        assert!(decoded.text.contains("L'été à Paris"));
        assert!(decoded.text.contains("€ 3"));
    }

    #[test]
    fn windows_1252_without_header_is_detected() {
        let decoded = decode_html(FRENCH_1252, None);
        assert_eq!(decoded.source, CharsetSource::Detected);
        assert!(decoded.text.contains("déjà très chaud"), "{}", decoded.text);
    }

    #[test]
    fn meta_charset_is_used_without_header() {
        let mut page = b"<html><head><meta charset=\"iso-8859-1\"></head>".to_vec();
        page.extend_from_slice(FRENCH_1252);
        let decoded = decode_html(&page, Some("text/html"));
        assert_eq!(decoded.source, CharsetSource::Meta);
        assert!(decoded.text.contains("L'été"));
    }

    #[test]
    fn meta_http_equiv_is_used() {
        let mut page = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-15\">".to_vec();
        page.extend_from_slice(b"<p>caf\xe9</p>");
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.source, CharsetSource::Meta);
        assert_eq!(decoded.encoding, encoding_rs::ISO_8859_15);
        assert!(decoded.text.contains("café"));
    }

    #[test]
    fn bom_wins_over_header() {
        let mut page = vec![0xEF, 0xBB, 0xBF];
        page.extend_from_slice("<p>naïve café</p>".as_bytes());
        let decoded = decode_html(&page, Some("text/html; charset=windows-1252"));
        assert_eq!(decoded.source, CharsetSource::Bom);
        assert_eq!(decoded.text, "<p>naïve café</p>");
    }

    #[test]
    fn utf16_bom_is_decoded() {
        let mut page = vec![0xFF, 0xFE];
        for unit in "<p>été</p>".encode_utf16() {
            page.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.encoding, UTF_16LE);
        assert_eq!(decoded.text, "<p>été</p>");
    }

    #[test]
    fn wrong_utf8_header_on_latin1_bytes_falls_back_to_detection() {
        let decoded = decode_html(FRENCH_1252, Some("text/html; charset=utf-8"));
        assert_eq!(decoded.source, CharsetSource::Detected);
        assert!(decoded.text.contains("L'été à Paris"), "{}", decoded.text);
    }

    #[test]
    fn wrong_latin1_header_on_utf8_bytes_yields_utf8() {
        let page = "<p>L'été à Paris</p>".as_bytes();
        let decoded = decode_html(page, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(decoded.encoding, UTF_8);
        assert_eq!(decoded.source, CharsetSource::Detected);
        assert_eq!(decoded.text, "<p>L'été à Paris</p>");
    }

    #[test]
    fn ascii_page_with_header_keeps_header_source() {
        let decoded = decode_html(b"<p>plain</p>", Some("text/html; charset=\"UTF-8\""));
        assert_eq!(decoded.source, CharsetSource::Header);
        assert_eq!(decoded.encoding, UTF_8);
    }

    #[test]
    fn invalid_bytes_never_panic() {
        let samples: [&[u8]; 6] = [
            b"",
            b"\xff\xfe\xfd",
            b"\xef\xbb",
            b"<meta charset=\"bogus\"><p>\x80\x81\xc3</p>",
            b"<meta charset=",
            &[0u8; 10],
        ];
        for bytes in samples {
            for header in [None, Some("text/html; charset=utf-8"), Some(";;charset")] {
                let decoded = decode_html(bytes, header);
                assert!(decoded.text.len() <= bytes.len() * 3 + 3);
            }
        }
        let all: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let decoded = decode_html(&all, None);
        assert!(!decoded.text.is_empty());
    }
}
