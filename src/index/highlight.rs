//! Marking the query's words in hit text and choosing the fragment to show.
//!
//! The same analyzers that indexed the text decide what matches: a word is marked when its
//! stem is a searched stem, its exact form a phrase word, or it starts with a searched
//! prefix. Ranges are char offsets (end exclusive), like every offset in records.

use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use super::analysis;
use super::query::Highlights;

/// Longest fragment of an article's text shown with a hit, in chars.
pub const FRAGMENT_CHARS: usize = 240;
/// Chars of text kept before the first marked word of a fragment.
const LEAD_IN_CHARS: usize = 60;

/// Marks words of hit texts for one query.
pub struct Highlighter {
    terms: Highlights,
    stemmed: TextAnalyzer,
    exact: TextAnalyzer,
}

impl Highlighter {
    pub fn new(terms: Highlights) -> Highlighter {
        Highlighter { terms, stemmed: analysis::stemmed_analyzer(), exact: analysis::exact_analyzer() }
    }

    /// Char ranges of the words of `text` the query searched for (free text and phrases).
    pub fn mark(&mut self, text: &str) -> Vec<Range<usize>> {
        let t = &self.terms;
        if t.stems.is_empty() && t.exact.is_empty() && t.prefixes.is_empty() {
            return Vec::new();
        }
        let mut stems = std::collections::HashMap::new();
        let mut stream = self.stemmed.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            stems.insert(token.offset_from, token.text.clone());
        }
        let mut bytes = Vec::new();
        let mut stream = self.exact.token_stream(text);
        while stream.advance() {
            let token = stream.token();
            let hit = t.exact.contains(&token.text)
                || stems.get(&token.offset_from).is_some_and(|s| t.stems.contains(s))
                || t.prefixes.iter().any(|p| token.text.starts_with(p.as_str()));
            if hit {
                bytes.push(token.offset_from..token.offset_to);
            }
        }
        to_chars(text, bytes)
    }

    /// Char ranges of `name` (a speaker) matching the query's speaker words.
    pub fn mark_name(&mut self, name: &str) -> Vec<Range<usize>> {
        if self.terms.speaker.is_empty() {
            return Vec::new();
        }
        let mut bytes = Vec::new();
        let mut stream = self.exact.token_stream(name);
        while stream.advance() {
            let token = stream.token();
            if self.terms.speaker.contains(&token.text) {
                bytes.push(token.offset_from..token.offset_to);
            }
        }
        to_chars(name, bytes)
    }
}

/// Byte ranges → char ranges (ranges are sorted and on char boundaries).
fn to_chars(text: &str, bytes: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let char_at = |byte: usize| text.get(..byte).map_or(0, |prefix| prefix.chars().count());
    bytes.into_iter().map(|r| char_at(r.start)..char_at(r.end)).collect()
}

/// The fragment of `text` (at most `max_chars`) holding the most marks, with the marks
/// shifted into it. Short texts come whole.
pub fn fragment(text: &str, marks: &[Range<usize>], max_chars: usize) -> (String, Vec<Range<usize>>) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max_chars {
        return (text.to_string(), marks.to_vec());
    }
    // Candidate windows start a little before each mark; the one covering most marks wins.
    let mut best = (0usize, 0usize);
    for (i, mark) in marks.iter().enumerate() {
        let start = mark.start.saturating_sub(LEAD_IN_CHARS);
        let covered = marks[i..].iter().take_while(|m| m.end <= start + max_chars).count();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let mut start = best.0.min(chars.len().saturating_sub(max_chars));
    // Start and end on word boundaries.
    while start > 0 && start < chars.len() && !chars[start - 1].is_whitespace() {
        start += 1;
    }
    let mut end = (start + max_chars).min(chars.len());
    while end < chars.len() && end > start && !chars[end].is_whitespace() {
        end -= 1;
    }
    let mut out: String = chars[start..end].iter().collect::<String>().trim_end().to_string();
    let shift = usize::from(start > 0);
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    let shown = marks
        .iter()
        .filter(|m| m.start >= start && m.end <= end)
        .map(|m| m.start - start + shift..m.end - start + shift)
        .collect();
    (out, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(stems: &[&str], exact: &[&str]) -> Highlights {
        Highlights {
            stems: stems.iter().map(|s| s.to_string()).collect(),
            exact: exact.iter().map(|s| s.to_string()).collect(),
            ..Highlights::default()
        }
    }

    #[test]
    fn stems_and_exact_words_are_marked_by_char_offsets() {
        let mut h = Highlighter::new(terms(&["secur"], &["national"]));
        let text = "Él dijo: national securities, securing Europe";
        let marks = h.mark(text);
        let words: Vec<String> =
            marks.iter().map(|r| text.chars().skip(r.start).take(r.end - r.start).collect()).collect();
        assert_eq!(words, ["national", "securities", "securing"]);
    }

    #[test]
    fn fragments_keep_the_marks_and_cut_at_words() {
        let text = format!("{} needle {}", "lorem ipsum ".repeat(40), "dolor sit ".repeat(40));
        let at = text.find("needle").unwrap();
        let (fragment, marks) = fragment(&text, &[Range { start: at, end: at + 6 }], 80);
        assert!(fragment.starts_with('…') && fragment.ends_with('…'), "{fragment}");
        assert!(fragment.chars().count() <= 82);
        let marked: String = fragment.chars().skip(marks[0].start).take(6).collect();
        assert_eq!(marked, "needle");
        let (whole, _) = super::fragment("short text", &[], 80);
        assert_eq!(whole, "short text");
    }
}
