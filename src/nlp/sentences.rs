//! Sentence splitting.
//!
//! Owns where sentences start and end: terminal punctuation (with closing quotation marks
//! and brackets that follow it), line and paragraph breaks, and the exceptions
//! (abbreviations from `config/lexicons/abbreviations.txt`, initials, decimals, a lower-case
//! continuation after `?"`). It must not look at meaning beyond that. Offsets are chars.

use std::ops::Range;

use super::lexicon::{EMBEDDED, Lexicons};
use super::tokens::CharText;

/// Sentence spans (char offsets into `text`, end exclusive), trimmed of whitespace.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let chars = CharText::new(text);
    split_chars(&chars, 0..chars.len(), &EMBEDDED)
}

/// Marks that may follow terminal punctuation and still belong to the sentence.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '”' | '’' | '\'' | '»' | '«' | '›' | ')' | ']' | '}' | '“')
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// Splits the char range `range` of `text` into sentences.
pub(crate) fn split_chars(text: &CharText<'_>, range: Range<usize>, lex: &Lexicons) -> Vec<Range<usize>> {
    let end = range.end.min(text.len());
    let mut out = Vec::new();
    let mut start = range.start.min(end);
    let mut i = start;
    let push = |out: &mut Vec<Range<usize>>, s: usize, e: usize| {
        let r = text.trim(s..e);
        if !r.is_empty() {
            out.push(r);
        }
    };
    while i < end {
        let c = text.at(i);
        if c == '\n' || c == '\r' || c == '\u{2029}' {
            push(&mut out, start, i);
            start = i + 1;
            i += 1;
            continue;
        }
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        // Run of terminal marks and closers: `?!`, `."`, `.”)`.
        let mut j = i + 1;
        while j < end && (is_terminal(text.at(j)) || is_closer(text.at(j))) {
            j += 1;
        }
        let at_end = j >= end;
        if !at_end && !text.at(j).is_whitespace() {
            // "3.5", "U.S.-led", "e.g.,": not a boundary.
            i = j;
            continue;
        }
        if c == '.' && i + 1 == j && !period_ends_sentence(text, i, j, end, lex) {
            i = j;
            continue;
        }
        if !at_end && continues_lowercase(text, j, end) {
            i = j;
            continue;
        }
        push(&mut out, start, j);
        start = j;
        i = j;
    }
    push(&mut out, start, end);
    out
}

/// The first non-space char after `j` is a lower-case letter: `"Why?" he asked`.
fn continues_lowercase(text: &CharText<'_>, j: usize, end: usize) -> bool {
    let mut k = j;
    while k < end && text.at(k).is_whitespace() {
        if text.at(k) == '\n' {
            return false;
        }
        k += 1;
    }
    k < end && text.at(k).is_lowercase()
}

/// Decides whether the period at `i` (followed by whitespace or the end at `j`) ends a
/// sentence, looking at the word it closes.
fn period_ends_sentence(text: &CharText<'_>, i: usize, j: usize, end: usize, lex: &Lexicons) -> bool {
    let mut w = i;
    while w > 0 && !text.at(w - 1).is_whitespace() && !matches!(text.at(w - 1), '"' | '“' | '(' | '‘' | '«') {
        w -= 1;
    }
    let word = text.slice(w..i + 1);
    let bare = &word[..word.len().saturating_sub(1)];
    let mut letters = bare.chars();
    let is_initial = matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase());
    let known = lex.abbreviation(word);
    let dotted = bare.contains('.') && bare.chars().all(|c| c.is_alphabetic() || c == '.');
    if known.is_none() && !is_initial && !dotted {
        return true;
    }
    if known == Some(true) || is_initial {
        return false;
    }
    // "Inc.", "U.S.": a boundary only before a common sentence starter or a break.
    let mut k = j;
    while k < end && text.at(k).is_whitespace() {
        if text.at(k) == '\n' {
            return true;
        }
        k += 1;
    }
    if k >= end {
        return true;
    }
    let mut e = k;
    while e < end && text.at(e).is_alphabetic() {
        e += 1;
    }
    let next = text.slice(k..e);
    next.chars().next().is_some_and(char::is_uppercase) && lex.is_function_word(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        split_sentences(text).into_iter().map(|r| text.chars().skip(r.start).take(r.end - r.start).collect()).collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_split() {
        assert_eq!(
            sentences("Mr. Smith met Dr. J. R. Jones on Jan. 5 at 3.5 p.m. in St. Louis. He left."),
            ["Mr. Smith met Dr. J. R. Jones on Jan. 5 at 3.5 p.m. in St. Louis.", "He left."]
        );
    }

    #[test]
    fn company_suffix_splits_only_before_a_sentence_starter() {
        assert_eq!(
            sentences("He works at Acme Inc. The firm grew. Acme Inc. Chief Ann Lee spoke."),
            ["He works at Acme Inc.", "The firm grew.", "Acme Inc. Chief Ann Lee spoke."]
        );
        assert_eq!(sentences("It came from the U.S. But not now."), ["It came from the U.S.", "But not now."]);
    }

    #[test]
    fn closing_quote_after_period_stays_with_the_sentence() {
        assert_eq!(
            sentences("He said, “We won.” Then he left. “Why?” she asked."),
            ["He said, “We won.”", "Then he left.", "“Why?” she asked."]
        );
    }

    #[test]
    fn paragraph_breaks_always_end_a_sentence() {
        assert_eq!(sentences("No period here\n\nNext one"), ["No period here", "Next one"]);
    }

    #[test]
    fn e_g_and_i_e_do_not_split() {
        assert_eq!(
            sentences("Some firms, e.g. Acme, agree. Others, i.e. most, do not."),
            ["Some firms, e.g. Acme, agree.", "Others, i.e. most, do not."]
        );
    }

    #[test]
    fn odd_input_gives_valid_ranges() {
        for text in ["", ".", "...", "\n\n", "“", "a.b.c.", "Mr.", "😀. 😀!"] {
            let n = text.chars().count();
            for r in split_sentences(text) {
                assert!(r.start < r.end && r.end <= n, "{text:?} {r:?}");
            }
        }
    }
}
