//! Quoted text that is no statement: scare quotes and short titles ("the so-called
//! “digital sovereignty” push"), titles after a preposition ("said on “Meet the Press”"),
//! names of works and slogans in Title Case, a headline followed by its byline or link,
//! short phrases borrowed inside the writer's own sentence, and attribute values in leftover
//! markup.
//!
//! Invariant: these are pure tests of a quotation-mark piece in its sentence; they never
//! look at cues found elsewhere (the caller decides whether a cue overrides them, e.g. a
//! borrowed phrase with a sure attribution is kept).

use std::ops::Range;

use super::clause::skip_punct;
use crate::nlp::Document;
use crate::nlp::quotes::QuotePiece;

/// Quoted spans of this many words or fewer with no cue are scare quotes or titles.
const MAX_SCARE_QUOTE_WORDS: usize = 3;

/// Longest Title Case name of a work or slogan in quotation marks ("Crippled America: How
/// to Make America Great Again").
const MAX_WORK_TITLE_WORDS: usize = 10;

/// Longest title in quotation marks after a preposition ("on “Meet the Press”").
const MAX_TITLE_WORDS: usize = 6;

/// Unattributed quoted spans of this many words or fewer inside a sentence are borrowed
/// phrases, not statements.
const MAX_EMBEDDED_PHRASE_WORDS: usize = 7;

/// Short quoted content without sentence punctuation: a title or scare quote.
pub(super) fn is_scare_quote(doc: &Document<'_>, content: Range<usize>) -> bool {
    let words = doc.text.slice(content.clone()).split_whitespace().count();
    let last = if content.end > content.start { doc.text.at(content.end - 1) } else { '\0' };
    words <= MAX_SCARE_QUOTE_WORDS && !matches!(last, '.' | '!' | '?')
}

/// Quoted words inside a sentence of the writer's own ("called the plan “a disaster”"):
/// with no cue of their own they are a phrase borrowed inside another statement or a
/// scare quote, not a statement by themselves.
pub(super) fn is_embedded_phrase(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let words = doc.text.slice(piece.content.clone()).split_whitespace().count();
    let mut i = piece.open;
    while i > 0 && doc.text.at(i - 1).is_whitespace() && doc.text.at(i - 1) != '\n' {
        i -= 1;
    }
    let prev = doc.text.before(i);
    words <= MAX_EMBEDDED_PHRASE_WORDS && !matches!(prev, '\0' | '\n' | '.' | '!' | '?' | ':' | '"' | '“' | '”')
}

/// A title in quotation marks ("said on “Fox News Sunday.”", "in his memoir “An American
/// Son.”"): a few capitalised words after a preposition or possessive, not a statement.
pub(super) fn is_title(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let text = doc.text.slice(piece.content.clone());
    let words: Vec<&str> = text.split_whitespace().collect();
    let titled = words.iter().all(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.is_empty() || w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) || doc.lex.is_function_word(w)
    });
    let open_tok = doc.token_at_or_after(piece.open);
    let prev = if open_tok > 0 { doc.low(open_tok - 1) } else { "" };
    let after_preposition = doc.words().title_introducers.contains(prev);
    !words.is_empty() && words.len() <= MAX_TITLE_WORDS && titled && after_preposition
}

/// A quoted name of a work or slogan with no cue of its own: Title Case words (`the “Make
/// America Great Again” hat`, `the show “Broad City”`), or a headline followed by its byline
/// or link (`"Posthumous books could come with a lot of dollar signs," by Carey Dunne:
/// http://...`).
pub(super) fn is_work_title(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let text = doc.text.slice(piece.content.clone());
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let capital = |w: &str| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    let capitalised = words.iter().filter(|w| capital(w)).count();
    // `“Donald Trump.”` opening its own sentence is a statement, names or not.
    let open_tok = doc.token_at_or_after(piece.open);
    let opens_sentence = open_tok == 0
        || doc.token_sentence.get(open_tok) != doc.token_sentence.get(open_tok - 1)
        || doc.token_quote[open_tok - 1].is_some();
    let sentence = opens_sentence && text.trim_end().ends_with(['.', '!', '?']);
    let title_case = !sentence
        && words.len() >= 2
        && words.len() <= MAX_WORK_TITLE_WORDS
        && capitalised >= 2
        && words.iter().all(|w| capital(w) || doc.lex.is_function_word(w));
    let byline = piece.close.is_some_and(|close| {
        let after = doc.token_at_or_after(close) + 1;
        let k = skip_punct(doc, after, (after + 2).min(doc.tokens.len()));
        k < doc.tokens.len()
            && doc.token_para.get(k) == doc.token_para.get(after.saturating_sub(1))
            && (doc.low(k) == "by" || doc.low(k).starts_with("http"))
    });
    title_case || byline
}

/// `name="value"`: a quoted attribute value in leftover markup.
pub(super) fn is_markup_value(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    doc.text.before(piece.open) == '='
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_no_quote, assert_rule_rows};

    /// Quoted text that is no statement, in its sentence.
    const NOT_STATEMENTS: &[(&str, &str)] = &[
        ("The so-called \"digital sovereignty\" push has been debated for years.", "digital sovereignty"),
        ("She appeared on \"Meet the Press\" on Sunday.", "Meet the Press"),
        ("She told the story in her memoir \"A Farmer's Daughter.\"", "A Farmer's Daughter."),
        ("Fans in the front row wore \"Make Harwick Great Again\" hats.", "Make Harwick Great Again"),
        (
            "\"Posthumous books could come with a lot of dollar signs,\" by Carey Dunne: http://example.invalid/books",
            "Posthumous books could come with a lot of dollar signs",
        ),
        ("Critics have called the plan a \"slow-motion bailout\" for the banks.", "slow-motion bailout"),
        (
            "<div data-title=\"The mayor said the vote was fair and nobody complained about it.\"></div>",
            "The mayor said the vote was fair and nobody complained about it.",
        ),
    ];

    /// The same shapes with a cue of their own are statements.
    const STATEMENTS: &[RuleRow] = &[
        (
            "The plan is \"a disaster,\" said Ana Ruiz.",
            "The plan is \"a disaster,\"",
            Some("Ana Ruiz"),
            "content.quoted_with_lead",
        ),
        ("\"Meet the press,\" said Ana Ruiz.", "Meet the press", Some("Ana Ruiz"), "direct.after_quote.inverted"),
    ];

    #[test]
    fn scare_quotes_titles_works_and_borrowed_phrases_are_not_statements() {
        assert_no_quote(NOT_STATEMENTS);
        assert_rule_rows(STATEMENTS);
    }
}
