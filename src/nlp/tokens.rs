//! Tokens with char offsets, and the char index every NLP stage works in.
//!
//! Owns [`CharText`] (char offsets <-> byte offsets of one text) and the tokenizer. Offsets
//! are Unicode scalar values, end exclusive, as records require. It must not classify tokens
//! beyond their shape; meaning (entities, cues) belongs to later stages. Never panics: ranges
//! outside the text are clamped.

use std::ops::Range;

use super::lexicon::{EMBEDDED, Lexicons};

/// One token of a sentence; `start`/`end` are char offsets into the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Splits the chars of `sentence` (char offsets into `text`) into word and punctuation
/// tokens. Abbreviations keep their period ("Mr.", "U.S."), possessive `'s` is its own token,
/// hyphenated words and numbers with separators stay whole.
pub fn tokenize(text: &str, sentence: Range<usize>) -> Vec<Token<'_>> {
    let chars = CharText::new(text);
    tokenize_chars(&chars, sentence, &EMBEDDED)
}

/// A text indexed by char: `chars[i]` and the byte offset where it starts.
#[derive(Debug)]
pub(crate) struct CharText<'a> {
    pub text: &'a str,
    pub chars: Vec<char>,
    /// `bytes[i]` is the byte offset of char `i`; one extra entry holds `text.len()`.
    bytes: Vec<usize>,
}

impl<'a> CharText<'a> {
    pub(crate) fn new(text: &'a str) -> CharText<'a> {
        let mut chars = Vec::with_capacity(text.len());
        let mut bytes = Vec::with_capacity(text.len() + 1);
        for (b, c) in text.char_indices() {
            chars.push(c);
            bytes.push(b);
        }
        bytes.push(text.len());
        CharText { text, chars, bytes }
    }

    pub(crate) fn len(&self) -> usize {
        self.chars.len()
    }

    /// The char at `i`, or `'\0'` outside the text (a neutral non-letter).
    pub(crate) fn at(&self, i: usize) -> char {
        self.chars.get(i).copied().unwrap_or('\0')
    }

    /// The char before `i`, or `'\0'` at the start.
    pub(crate) fn before(&self, i: usize) -> char {
        if i == 0 { '\0' } else { self.at(i - 1) }
    }

    /// The text of a char range, clamped to the text.
    pub(crate) fn slice(&self, range: Range<usize>) -> &'a str {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let (Some(&b0), Some(&b1)) = (self.bytes.get(start), self.bytes.get(end)) else {
            return "";
        };
        self.text.get(b0..b1).unwrap_or("")
    }

    /// Narrows `range` so that it neither starts nor ends with whitespace.
    pub(crate) fn trim(&self, range: Range<usize>) -> Range<usize> {
        let mut start = range.start.min(self.len());
        let mut end = range.end.min(self.len()).max(start);
        while start < end && self.at(start).is_whitespace() {
            start += 1;
        }
        while end > start && self.at(end - 1).is_whitespace() {
            end -= 1;
        }
        start..end
    }
}

/// Apostrophes that may sit inside a word ("don't", "O’Brien").
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑')
}

/// Tokenizes a char range of an indexed text.
pub(crate) fn tokenize_chars<'a>(text: &CharText<'a>, range: Range<usize>, lex: &Lexicons) -> Vec<Token<'a>> {
    let end = range.end.min(text.len());
    let mut i = range.start.min(end);
    let mut tokens = Vec::new();
    let push = |tokens: &mut Vec<Token<'a>>, s: usize, e: usize| {
        tokens.push(Token { text: text.slice(s..e), start: s, end: e });
    };
    while i < end {
        let c = text.at(i);
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let start = i;
            let mut j = i + 1;
            // Length of the current alphanumeric run, to tell "U.S" from "Mr.Smith".
            let mut run_start = i;
            while j < end {
                let d = text.at(j);
                let next = if j + 1 < end { text.at(j + 1) } else { '\0' };
                let prev = text.at(j - 1);
                if d.is_alphanumeric() {
                    j += 1;
                } else if is_apostrophe(d) && next.is_alphanumeric() {
                    // Possessive "'s" is split off; contractions stay whole.
                    let after = if j + 2 < end { text.at(j + 2) } else { '\0' };
                    if (next == 's' || next == 'S') && !after.is_alphanumeric() {
                        break;
                    }
                    j += 1;
                    run_start = j;
                } else if is_hyphen(d) && next.is_alphanumeric() && prev.is_alphanumeric()
                    || (d == '.' || d == ',') && prev.is_ascii_digit() && next.is_ascii_digit()
                    // "U.S", "e.g": single letters joined by periods.
                    || d == '.' && next.is_alphabetic() && j - run_start == 1
                    || d == '&' && prev.is_uppercase() && next.is_uppercase()
                {
                    j += 1;
                    run_start = j;
                } else {
                    break;
                }
            }
            if j < end && text.at(j) == '.' && keeps_period(text.slice(start..j + 1), lex) {
                j += 1;
            }
            push(&mut tokens, start, j);
            i = j;
            continue;
        }
        if is_apostrophe(c) && i > range.start && text.before(i).is_alphanumeric() {
            let next = if i + 1 < end { text.at(i + 1) } else { '\0' };
            let after = if i + 2 < end { text.at(i + 2) } else { '\0' };
            if (next == 's' || next == 'S') && !after.is_alphanumeric() {
                push(&mut tokens, i, i + 2);
                i += 2;
                continue;
            }
        }
        // Ellipses and dashes made of repeated characters are one token.
        if c == '.' || is_hyphen(c) {
            let mut j = i + 1;
            while j < end && text.at(j) == c {
                j += 1;
            }
            push(&mut tokens, i, j);
            i = j;
            continue;
        }
        push(&mut tokens, i, i + 1);
        i += 1;
    }
    tokens
}

/// A headline-style line: three or more words, every content word capitalised, no final
/// sentence punctuation ("Acme Corp Announces Record Results").
pub(crate) fn is_title_case(tokens: &[Token<'_>], lex: &Lexicons) -> bool {
    let mut words = 0;
    for t in tokens {
        let Some(first) = t.text.chars().next() else { continue };
        if !first.is_alphabetic() {
            continue;
        }
        words += 1;
        if first.is_lowercase() && !lex.is_function_word(t.text) {
            return false;
        }
    }
    let last = tokens.last().map_or("", |t| t.text);
    words >= 3 && !matches!(last, "." | "!" | "?" | "\"" | "”")
}

/// Whether a word followed by a period keeps it: known abbreviations, initials ("J."),
/// dotted acronyms ("U.S.").
fn keeps_period(word_with_period: &str, lex: &Lexicons) -> bool {
    let bare = word_with_period.trim_end_matches('.');
    let mut chars = bare.chars();
    let single_capital = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    single_capital || bare.contains('.') || lex.abbreviation(word_with_period).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text, 0..text.chars().count()).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn abbreviations_and_initials_keep_their_period() {
        assert_eq!(
            words("Mr. J. R. Smith of the U.S. left."),
            ["Mr.", "J.", "R.", "Smith", "of", "the", "U.S.", "left", "."]
        );
    }

    #[test]
    fn possessives_split_and_contractions_stay_whole() {
        assert_eq!(words("Huawei's chief don't"), ["Huawei", "'s", "chief", "don't"]);
        assert_eq!(words("Reuters’ report"), ["Reuters", "’", "report"]);
        assert_eq!(words("O’Brien’s"), ["O’Brien", "’s"]);
    }

    #[test]
    fn numbers_and_hyphens_stay_whole() {
        assert_eq!(words("3.5 percent, 1,000 state-owned"), ["3.5", "percent", ",", "1,000", "state-owned"]);
    }

    #[test]
    fn offsets_are_chars_on_non_ascii_text() {
        let text = "“Café” señor’s naïve…";
        for t in tokenize(text, 0..text.chars().count()) {
            let s: String = text.chars().skip(t.start).take(t.end - t.start).collect();
            assert_eq!(s, t.text);
        }
    }

    #[test]
    fn out_of_range_sentences_are_clamped() {
        assert!(tokenize("abc", 5..9).is_empty());
        assert_eq!(tokenize("abc", 1..99).len(), 1);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = tokenize("abc", 2..1);
        assert!(reversed.is_empty());
    }
}
