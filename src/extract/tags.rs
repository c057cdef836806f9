//! The lexical rules of HTML that the pre-pass ([`super::prune`]) needs, applied to the page's
//! bytes without building tokens: where a start or end tag ends and what its attributes are,
//! and where a comment, a bogus comment or a raw-text element (`<script>`, `<style>`,
//! `<title>`, ...) ends, as the HTML tokenizer decides them (WHATWG HTML, "Tokenization").
//!
//! Owns lexing only; what is kept or dropped is decided in `prune`. Every function here is
//! linear in the bytes it reads and never panics: input ending inside a construct ends it.

use std::ops::Range;

/// Whitespace as the HTML tokenizer knows it.
pub fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Lower-case names up to this long are compared whole; longer ones by their first bytes.
pub const NAME_BYTES: usize = 16;

/// A tag or attribute name, ASCII lower-cased and zero-padded (cut to [`NAME_BYTES`]).
pub type Name = [u8; NAME_BYTES];

/// The lower-cased, zero-padded form of a name.
pub fn name_of(raw: &str) -> Name {
    let mut name = [0u8; NAME_BYTES];
    for (slot, byte) in name.iter_mut().zip(raw.bytes()) {
        *slot = byte.to_ascii_lowercase();
    }
    name
}

/// The significant bytes of a [`Name`] (without its padding).
pub fn name_bytes(name: &Name) -> &[u8] {
    let len = name.iter().position(|&b| b == 0).unwrap_or(NAME_BYTES);
    &name[..len]
}

/// The end of a tag name that starts at `start` (its first letter): the first space, `/`
/// or `>`, or the end of the input.
pub fn tag_name_end(html: &str, start: usize) -> usize {
    let bytes = html.as_bytes();
    let mut at = start;
    while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'/' && bytes[at] != b'>' {
        at += 1;
    }
    at
}

/// One attribute of a tag: its name and value as written (the value without its quotes,
/// character references not decoded), and where it is written, from the name's first byte to
/// after the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub span: Range<usize>,
}

/// The attributes of a tag, read from after its name up to the `>` that ends it. Once the
/// iterator is done, [`Attributes::end`] is the index after the tag, or `None` when the
/// input ended inside it (the tokenizer then drops the tag).
pub struct Attributes<'a> {
    html: &'a str,
    at: usize,
    finished: bool,
    end: Option<usize>,
    self_closing: bool,
}

impl<'a> Attributes<'a> {
    /// Attributes of the tag whose name ends at `name_end`.
    pub fn new(html: &'a str, name_end: usize) -> Attributes<'a> {
        Attributes { html, at: name_end, finished: false, end: None, self_closing: false }
    }

    /// Reads the remaining attributes; the index after the tag (`None` at the end of input).
    pub fn finish(&mut self) -> Option<usize> {
        while self.next().is_some() {}
        self.end
    }

    /// The index after the tag, once every attribute was read.
    pub fn end(&self) -> Option<usize> {
        self.end
    }

    /// Whether the tag ends with `/>`, once every attribute was read.
    pub fn self_closing(&self) -> bool {
        self.self_closing
    }

    fn close(&mut self, end: Option<usize>) -> Option<Attribute<'a>> {
        self.finished = true;
        self.end = end;
        None
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        if self.finished {
            return None;
        }
        let bytes = self.html.as_bytes();
        // Before an attribute name: spaces, and a `/` that does not end the tag, are skipped.
        loop {
            match bytes.get(self.at) {
                None => return self.close(None),
                Some(&b) if is_space(b) => self.at += 1,
                Some(b'/') => {
                    self.at += 1;
                    if bytes.get(self.at) == Some(&b'>') {
                        self.self_closing = true;
                        return self.close(Some(self.at + 1));
                    }
                }
                Some(b'>') => return self.close(Some(self.at + 1)),
                Some(_) => break,
            }
        }
        // The name: a leading `=` belongs to it.
        let start = self.at;
        self.at += 1;
        while let Some(&b) = bytes.get(self.at) {
            if is_space(b) || matches!(b, b'/' | b'>' | b'=') {
                break;
            }
            self.at += 1;
        }
        let name_end = self.at;
        let mut at = name_end;
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            // No value: the spaces are skipped before the next name.
            return Some(Attribute { name: &self.html[start..name_end], value: "", span: start..name_end });
        }
        at += 1;
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        let value = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let from = at + 1;
                let to = self.html[from..].find(char::from(quote)).map_or(self.html.len(), |i| from + i);
                self.at = (to + 1).min(self.html.len());
                from..to
            }
            // A missing value (`a=>`, or the end of input).
            Some(b'>') | None => {
                self.at = at;
                at..at
            }
            Some(_) => {
                let mut to = at;
                while to < bytes.len() && !is_space(bytes[to]) && bytes[to] != b'>' {
                    to += 1;
                }
                self.at = to;
                at..to
            }
        };
        Some(Attribute { name: &self.html[start..name_end], value: &self.html[value], span: start..self.at })
    }
}

/// The index after a comment that starts at `at` (`<!--`): `<!-->` and `<!--->` end at once,
/// others at `-->`, or the input ends.
pub fn comment_end(html: &str, at: usize) -> usize {
    let body = at + 4;
    let rest = &html[body..];
    if rest.starts_with('>') {
        return body + 1;
    }
    if rest.starts_with("->") {
        return body + 2;
    }
    // A search for `>` (memchr) and a look behind it: faster than searching for `-->`.
    let mut from = body;
    while let Some(offset) = html[from..].find('>') {
        let close = from + offset;
        if close >= body + 2 && html[..close].ends_with("--") {
            return close + 1;
        }
        from = close + 1;
    }
    html.len()
}

/// The index after a bogus comment, doctype or end tag without a name that starts at `at`: the
/// next `>`, or the end of input.
pub fn bogus_end(html: &str, at: usize) -> usize {
    html[at..].find('>').map_or(html.len(), |i| at + i + 1)
}

/// Where the text of a raw-text or escapable raw-text element (named `name`, lower case)
/// whose start tag ended at `from` ends: the start of its end tag, or the end of input.
pub fn raw_text_end(html: &str, from: usize, name: &[u8]) -> usize {
    let bytes = html.as_bytes();
    let mut at = from;
    // A search for `<` (memchr) and a look after it: faster than searching for `</`.
    while let Some(offset) = html[at..].find('<') {
        let open = at + offset;
        let name_at = open + 2;
        let after = name_at + name.len();
        if bytes.get(open + 1) == Some(&b'/')
            && bytes.get(name_at..after).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && bytes.get(after).is_none_or(|&b| is_space(b) || b == b'/' || b == b'>')
        {
            return open;
        }
        at = open + 1;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(tag: &str) -> (Vec<(String, String)>, Option<usize>, bool) {
        let name_end = tag_name_end(tag, 1);
        let mut attributes = Attributes::new(tag, name_end);
        let found = attributes.by_ref().map(|a| (a.name.to_owned(), a.value.to_owned())).collect();
        (found, attributes.end(), attributes.self_closing())
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn attributes_are_read_as_the_tokenizer_reads_them() {
        let (found, end, closing) = attributes(r#"<a href="/x>y" class='c d' hidden data-x=1>text"#);
        assert_eq!(found, pairs(&[("href", "/x>y"), ("class", "c d"), ("hidden", ""), ("data-x", "1")]));
        assert_eq!(end, Some(r#"<a href="/x>y" class='c d' hidden data-x=1>"#.len()));
        assert!(!closing);
        let (found, end, closing) = attributes("<path d=M0 />");
        assert_eq!(found, pairs(&[("d", "M0")]));
        assert_eq!(end, Some(13));
        assert!(closing);
        // A `"` in a name, a `/` between attributes, a missing value, spaces round `=`.
        let (found, _, _) = attributes(r#"<p "q" / a = 'b'c=d e=>"#);
        assert_eq!(found, pairs(&[("\"q\"", ""), ("a", "b"), ("c", "d"), ("e", "")]));
        let (found, end, _) = attributes(r#"<div class="never closed"#);
        assert_eq!(found, pairs(&[("class", "never closed")]));
        assert_eq!(end, None);
        assert_eq!(attributes("<br>").1, Some(4));
    }

    #[test]
    fn spans_cover_the_attribute_as_written() {
        let tag = r#"<a  HREF = "/x"  b>"#;
        let spans: Vec<&str> = Attributes::new(tag, 2).map(|a| &tag[a.span]).collect();
        assert_eq!(spans, [r#"HREF = "/x""#, "b"]);
    }

    #[test]
    fn comments_and_raw_text_end_where_the_tokenizer_ends_them() {
        assert_eq!(comment_end("<!-->x", 0), 5);
        assert_eq!(comment_end("<!--->x", 0), 6);
        assert_eq!(comment_end("<!-- a -- b -->x", 0), 15);
        assert_eq!(comment_end("<!-- open", 0), 9);
        assert_eq!(comment_end("<!-- a > b --->x", 0), 15);
        assert_eq!(bogus_end("<?xml x?>y", 0), 9);
        let script = "<script>if (a</b) { s = '</scripts>' }</SCRIPT >after";
        assert_eq!(raw_text_end(script, 8, b"script"), script.find("</SCRIPT").expect("end tag"));
        assert_eq!(raw_text_end("<title>never", 7, b"title"), 12);
    }

    #[test]
    fn names_are_lower_cased_and_cut() {
        assert_eq!(name_bytes(&name_of("DiV")), b"div");
        assert_eq!(name_bytes(&name_of("a-very-long-custom-element")), b"a-very-long-cust");
        assert_eq!(tag_name_end("<svg/>", 1), 4);
    }
}
