//! A press release's own statements: its sentences with a finite verb that no other quote
//! covers, said by the publisher (or the first organisation named), skipping boilerplate
//! ("About X" sections, contact lines, links, legal notices) and the dateline.
//!
//! Invariant: a sentence already covered by a quote or quotation marks is never a statement
//! of the publisher too; nothing after an "About X" heading is.

use std::ops::Range;

use crate::model::{EntityLabel, QuoteKind, SpeakerKind};
use crate::nlp::Document;
use crate::nlp::attribution::{Draft, Found, build_record};
use crate::nlp::rules::{ContentRule, Rule, SpeakerRule};
use crate::nlp::speakers::Speaker;

/// Most words of an "About X" heading that starts the boilerplate section.
const MAX_ABOUT_HEADING_WORDS: usize = 8;

/// Lines that are boilerplate in a press release.
fn is_boilerplate(doc: &Document<'_>, sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    doc.words().press_release_boilerplate.words().iter().any(|m| lower.contains(m))
}

/// Fewest words of a press release's sentence that counts as a statement.
const MIN_RELEASE_SENTENCE_WORDS: usize = 5;

/// How far (tokens) into a sentence a dateline's dash may be.
const MAX_DATELINE_TOKENS: usize = 20;

/// Whether the tokens `range` are a full sentence: at least [`MIN_RELEASE_SENTENCE_WORDS`]
/// words, terminal punctuation, and a finite verb after the first word (a cheap test that
/// tells a sentence from a heading).
fn is_finite_sentence(doc: &Document<'_>, range: Range<usize>) -> bool {
    let words: Vec<usize> = range.clone().filter(|&k| doc.low(k).chars().any(char::is_alphanumeric)).collect();
    let ends_sentence = range.end > range.start && matches!(doc.tok(range.end - 1), "." | "!" | "?");
    if words.len() < MIN_RELEASE_SENTENCE_WORDS || !ends_sentence {
        return false;
    }
    words.iter().skip(1).any(|&k| {
        let w = doc.low(k);
        let lowercase = doc.tok(k).chars().next().is_some_and(char::is_lowercase);
        doc.words().finite_verbs.contains(w)
            || (lowercase && w.len() > 4 && w.ends_with("ed"))
            || (lowercase && doc.lex.cue_at(&[w]).is_some())
    })
}

/// The first token of sentence `range` past a dateline ("LONDON, May 2, 2024 /PRNewswire/
/// -- "): a dash after a prefix holding a date or a slash.
fn past_dateline(doc: &Document<'_>, range: Range<usize>) -> usize {
    let dash = (range.start..range.end.min(range.start + MAX_DATELINE_TOKENS))
        .find(|&k| matches!(doc.tok(k), "--" | "—" | "–"));
    match dash {
        Some(d) if (range.start..d).any(|k| doc.tok(k).chars().any(|c| c.is_ascii_digit()) || doc.tok(k) == "/") => {
            d + 1
        }
        _ => range.start,
    }
}

/// A press release's own sentences as statements of `publisher` (or the first organisation
/// named, when the publisher is unknown).
pub(crate) fn press_release_statements(doc: &Document<'_>, publisher: Option<&str>, existing: &[Found]) -> Vec<Found> {
    let first_org = doc.entities.iter().find(|m| m.label == EntityLabel::Organization).map(|m| m.canonical.clone());
    let Some(name) = publisher.map(str::to_string).or(first_org) else { return Vec::new() };
    let entity = doc
        .entities
        .iter()
        .find(|m| {
            m.label == EntityLabel::Organization
                && (m.canonical.eq_ignore_ascii_case(&name) || m.text.eq_ignore_ascii_case(&name))
        })
        .map(|m| m.canonical.clone());
    // The publisher is named by the page, not by a mention in the text.
    let publisher = Speaker {
        name,
        kind: SpeakerKind::Organization,
        tokens: 0..0,
        entity,
        resolved: false,
        rule: SpeakerRule::Publisher,
    };
    // Spans already taken (quotes and quotation marks), sorted, with running maximum ends,
    // so each sentence's overlap test is a binary search.
    let mut taken: Vec<Range<usize>> =
        existing.iter().map(|f| f.record.start..f.record.end).chain(doc.quotes.iter().map(|q| q.outer())).collect();
    taken.sort_by_key(|r| r.start);
    let max_end: Vec<usize> = taken
        .iter()
        .scan(0, |m, r| {
            *m = (*m).max(r.end);
            Some(*m)
        })
        .collect();
    let mut out = Vec::new();
    let mut about_section = false;
    for (s, sentence) in doc.sentences.iter().enumerate() {
        let Some(range) = doc.sentence_tokens.get(s).cloned() else { continue };
        let para = doc.sentence_para.get(s).copied().unwrap_or(0);
        let para_text = doc.paragraphs.get(para).map_or("", |p| doc.text.slice(p.clone()));
        if para_text.starts_with("About ")
            && para_text.split_whitespace().count() <= MAX_ABOUT_HEADING_WORDS
            && !para_text.ends_with('.')
        {
            about_section = true;
        }
        if about_section {
            break;
        }
        let text = doc.text.slice(sentence.clone());
        if is_boilerplate(doc, text) {
            continue;
        }
        let before_end = taken.partition_point(|r| r.start < sentence.end);
        if before_end > 0 && max_end.get(before_end - 1).is_some_and(|&e| e > sentence.start) {
            continue;
        }
        if !is_finite_sentence(doc, range.clone()) {
            continue;
        }
        let start_tok = past_dateline(doc, range.clone());
        let mut end_tok = range.end;
        while end_tok > start_tok && matches!(doc.tok(end_tok - 1), "." | "!" | "?") {
            end_tok -= 1;
        }
        if start_tok >= end_tok {
            continue;
        }
        let span = doc.span(start_tok..end_tok);
        let stance = crate::nlp::stance::stance_of(doc, None, false, start_tok..end_tok);
        let rule = Rule::PressRelease;
        out.push(build_record(
            doc,
            Draft {
                span,
                kind: QuoteKind::Indirect,
                speaker: Some(&publisher),
                cue: None,
                stance,
                target: None,
                confidence: rule.confidence(),
                rule,
                content: ContentRule::ReleaseSentence,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::PageKind;
    use crate::nlp::tests::explained_as;

    #[test]
    fn a_release_states_its_sentences_past_the_dateline_and_before_the_boilerplate() {
        let release = explained_as(
            "LONDON, 4 June 2024 -- The trains will enter service on the coast line in 2027.\n\n\
             About Bellwether Rail\n\nBellwether Rail operates regional passenger services.\n\n\
             Media contact: press@example.invalid",
            PageKind::PressRelease,
            Some("Bellwether Rail"),
        );
        let got: Vec<(&str, Option<&str>, &str, &str)> =
            release.iter().map(|(q, r)| (q.text.as_str(), q.speaker.as_deref(), r.cue, r.speaker)).collect();
        assert_eq!(
            got,
            [(
                "The trains will enter service on the coast line in 2027",
                Some("Bellwether Rail"),
                "pages.press_release",
                "speaker.publisher"
            )]
        );
    }
}
