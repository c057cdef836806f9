//! Content sniffing: is this input an HTML (or at least markup-bearing text) document at all?
//! Random bytes, images, archives and executables decode to "text" of a sort and would come out
//! as an article in some language with garbage quotes; they are refused here with the reason.
//!
//! Owns the decision "text or not"; must not judge whether text is an article. Three checks:
//! magic numbers of common binary formats on the raw bytes, the share of control and
//! replacement characters in the decoded text, and the presence of HTML markup.

use super::ExtractError;

/// Bytes of the decoded text the character checks look at: enough to judge, bounded cost.
const SNIFF_CHARS: usize = 64 * 1024;

/// Text with more than this share of control characters (other than tab, newline, carriage
/// return, form feed) or U+FFFD replacement characters is binary, whatever its name says.
/// Real pages in a wrongly guessed charset stay far below (a few percent of mojibake letters
/// are not replacement characters).
const MAX_BINARY_CHAR_SHARE: f64 = 0.05;

/// Signatures of binary formats seen where HTML was expected, with their names.
const MAGIC_NUMBERS: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF container (WebP, WAV, AVI)"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"\x00asm", "WebAssembly"),
    (b"OggS", "an Ogg stream"),
    (b"ID3", "an MP3 file"),
    (b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (b"SQLite format 3\x00", "an SQLite database"),
];

/// Tag openings (lower case) that show a document is HTML; one is enough.
const HTML_MARKERS: &[&str] = &[
    "<!doctype html",
    "<html",
    "<head",
    "<body",
    "<meta",
    "<title",
    "<p>",
    "<p ",
    "<div",
    "<br",
    "<a ",
    "<span",
    "<table",
    "<script",
    "<article",
    "<h1",
    "<h2",
    "<ul",
    "<li",
    "<img",
    "<link",
];

/// Refuses raw bytes that start like a known binary format.
pub fn sniff_bytes(bytes: &[u8]) -> Result<(), ExtractError> {
    let start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match MAGIC_NUMBERS.iter().find(|(magic, _)| start.starts_with(magic)) {
        Some((_, what)) => Err(ExtractError::NotText { reason: format!("it is {what}") }),
        None => Ok(()),
    }
}

/// Refuses decoded text that is mostly control or replacement characters, or has no HTML markup.
pub fn sniff_text(text: &str) -> Result<(), ExtractError> {
    let mut chars = 0usize;
    let mut binary = 0usize;
    for c in text.chars().take(SNIFF_CHARS) {
        chars += 1;
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
            binary += 1;
        }
    }
    if chars > 0 && binary as f64 / chars as f64 > MAX_BINARY_CHAR_SHARE {
        let percent = 100.0 * binary as f64 / chars as f64;
        return Err(ExtractError::NotText {
            reason: format!("{percent:.0}% of its first {chars} characters are control or undecodable bytes"),
        });
    }
    let head: String = text.chars().take(SNIFF_CHARS).collect::<String>().to_ascii_lowercase();
    if !text.trim().is_empty() && !HTML_MARKERS.iter().any(|marker| head.contains(marker)) {
        return Err(ExtractError::NotText { reason: "it has no HTML markup".to_owned() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_plain_inputs_are_refused_with_the_reason() {
        let lcg = |len: usize| {
            let mut state: u32 = 7;
            (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (state >> 16) as u8
                })
                .collect::<Vec<u8>>()
        };
        let random = lcg(50_000);
        let decoded = crate::extract::decode_html(&random, None);
        let error = sniff_bytes(&random).and_then(|()| sniff_text(&decoded.text)).unwrap_err().to_string();
        assert!(error.starts_with("not an HTML document: "), "{error}");
        assert!(error.contains("control or undecodable"), "{error}");

        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(lcg(1000));
        assert!(sniff_bytes(&png).unwrap_err().to_string().contains("PNG image"));
        assert!(sniff_bytes(b"%PDF-1.7\n...").unwrap_err().to_string().contains("PDF"));
        let plain = sniff_text("Just some notes, no markup at all.").unwrap_err().to_string();
        assert!(plain.contains("no HTML markup"), "{plain}");
    }

    #[test]
    fn html_in_any_script_or_legacy_charset_passes() {
        for page in [
            "<!DOCTYPE html><html><body><p>Hello</p></body></html>",
            "<p>Fragment without a head, still markup</p>",
            "\u{feff}<HTML><BODY>Upper-case legacy page</BODY></HTML>",
            "<html><body><p>Японский текст и 日本語のテキスト</p></body></html>",
            "",
        ] {
            assert!(sniff_bytes(page.as_bytes()).is_ok(), "{page}");
            assert!(sniff_text(page).is_ok(), "{page}");
        }
        let latin1 = b"<html><body><p>Caf\xe9 cr\xe8me</p></body></html>";
        let decoded = crate::extract::decode_html(latin1, None);
        assert!(sniff_text(&decoded.text).is_ok());
    }
}
