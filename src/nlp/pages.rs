//! Page-kind rules: transcripts and press releases.
//!
//! Owns transcript turns (a paragraph opening with an upper-case label and a colon,
//! "MR. PRICE:", "QUESTION:", starts a turn; following unlabelled paragraphs continue it;
//! each paragraph of a turn is a direct quote of the labelled speaker) and a press release's
//! own statements (its sentences with a finite verb that no other quote covers, skipping
//! boilerplate: "About X" sections, contact lines, links). Question turns ("QUESTION", "Q",
//! "REPORTER") are attributed to the group "reporter". It must not do general attribution.

use std::ops::Range;

use super::Document;
use super::attribution::{Draft, Found, build_record};
use super::rules::{ContentRule, Rule, SpeakerRule};
use super::speakers::Speaker;
use super::stance::Judgement;
use super::tokens::CharText;
use crate::model::{EntityLabel, QuoteKind, SpeakerKind};

/// Longest transcript label, in chars ("THE ASSISTANT SECRETARY OF STATE:").
const MAX_LABEL_CHARS: usize = 48;

/// A transcript speaker label at the start of `para`: the label's char range and where the
/// turn's text starts.
pub(crate) fn speaker_label(text: &CharText<'_>, para: Range<usize>) -> Option<(Range<usize>, usize)> {
    let end = para.end.min(text.len());
    let start = para.start;
    let mut i = start;
    let mut letters = 0;
    while i < end && i - start <= MAX_LABEL_CHARS {
        let c = text.at(i);
        if c == ':' {
            break;
        }
        if c.is_lowercase() || !(c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '’' | '-')) {
            return None;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
        i += 1;
    }
    if i >= end || text.at(i) != ':' || letters == 0 {
        return None;
    }
    let label = text.trim(start..i);
    if label.is_empty() {
        return None;
    }
    let mut content = i + 1;
    while content < end && text.at(content).is_whitespace() {
        content += 1;
    }
    Some((label, content))
}

/// Display form of a label: "MR. PRICE" -> "Mr. Price", "THE SPOKESPERSON" -> "The spokesperson".
fn display_label(label: &str) -> String {
    let sentence_case = label.starts_with("THE ");
    let mut out = String::with_capacity(label.len());
    let mut word_start = true;
    for (i, c) in label.chars().enumerate() {
        if c == ' ' || c == '-' {
            word_start = true;
            out.push(c);
            continue;
        }
        if word_start && (i == 0 || !sentence_case) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        word_start = false;
    }
    out
}

/// Transcript turns as quotes, and which paragraphs belong to turns.
pub(crate) fn transcript_turns(doc: &Document<'_>) -> (Vec<Found>, Vec<bool>) {
    let mut records = Vec::new();
    let mut in_turn = vec![false; doc.paragraphs.len()];
    let mut current: Option<Speaker> = None;
    for (p, para) in doc.paragraphs.iter().enumerate() {
        let content_start = match speaker_label(&doc.text, para.clone()) {
            Some((label, content)) => {
                current = Some(label_speaker(doc, label));
                content
            }
            None if current.is_some() => para.start,
            None => continue,
        };
        if let Some(flag) = in_turn.get_mut(p) {
            *flag = true;
        }
        let span = doc.text.trim(content_start..para.end);
        if span.is_empty() {
            continue;
        }
        if let Some(speaker) = &current {
            let rule = Rule::TranscriptTurn;
            records.push(build_record(
                doc,
                Draft {
                    span,
                    kind: QuoteKind::Direct,
                    speaker: Some(speaker),
                    cue: None,
                    stance: Judgement::neutral(),
                    target: None,
                    confidence: rule.confidence(),
                    rule,
                    content: ContentRule::TranscriptTurn,
                },
            ));
        }
    }
    (records, in_turn)
}

fn label_speaker(doc: &Document<'_>, label: Range<usize>) -> Speaker {
    let raw = doc.text.slice(label.clone());
    let tokens = doc.token_at_or_after(label.start)..doc.token_at_or_after(label.end);
    let bare = raw.trim_end_matches('.').trim();
    if doc.words().question_labels.contains(&bare.to_lowercase()) {
        return Speaker {
            name: "reporter".to_string(),
            kind: SpeakerKind::Group,
            tokens,
            entity: None,
            resolved: false,
            rule: SpeakerRule::Label,
        };
    }
    let name = display_label(raw);
    // "MR. PRICE" links to an earlier "Ned Price".
    let surname = raw.split_whitespace().last().unwrap_or("").to_lowercase();
    let entity = doc
        .entities
        .iter()
        .filter(|m| m.label == EntityLabel::Person)
        .find(|m| m.canonical.split_whitespace().last().is_some_and(|w| w.to_lowercase() == surname))
        .map(|m| m.canonical.clone());
    Speaker { name, kind: SpeakerKind::Person, tokens, entity, resolved: false, rule: SpeakerRule::Label }
}

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
        if para_text.starts_with("About ") && para_text.split_whitespace().count() <= 8 && !para_text.ends_with('.') {
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
        let stance = super::stance::stance_of(doc, None, false, start_tok..end_tok);
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
    use super::*;

    #[test]
    fn labels_need_capitals_and_a_colon() {
        let t = CharText::new("MR. PRICE: Good afternoon.");
        let (label, content) = speaker_label(&t, 0..t.len()).expect("label");
        assert_eq!(t.slice(label), "MR. PRICE");
        assert_eq!(content, 11);
        let t = CharText::new("Mr. Price: hello");
        assert!(speaker_label(&t, 0..t.len()).is_none());
        let t = CharText::new("10:30 the meeting");
        assert!(speaker_label(&t, 0..t.len()).is_none());
    }

    #[test]
    fn transcript_turns_and_press_release_sentences_are_statements() {
        let turns = crate::nlp::tests::explained_as(
            "MR. PRICE: Good afternoon, everyone.\n\nWe have two announcements today.\n\nQUESTION: Any news on the talks?",
            crate::model::PageKind::Transcript,
            None,
        );
        let got: Vec<(&str, Option<&str>, &str)> =
            turns.iter().map(|(q, r)| (q.text.as_str(), q.speaker.as_deref(), r.cue)).collect();
        assert_eq!(
            got,
            [
                ("Good afternoon, everyone.", Some("Mr. Price"), "pages.transcript_turn"),
                ("We have two announcements today.", Some("Mr. Price"), "pages.transcript_turn"),
                ("Any news on the talks?", Some("reporter"), "pages.transcript_turn"),
            ]
        );
        let release = crate::nlp::tests::explained_as(
            "LONDON, 4 June 2024 -- The trains will enter service on the coast line in 2027.\n\nMedia contact: press@example.invalid",
            crate::model::PageKind::PressRelease,
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

    #[test]
    fn labels_display_in_title_or_sentence_case() {
        assert_eq!(display_label("MR. PRICE"), "Mr. Price");
        assert_eq!(display_label("THE SPOKESPERSON"), "The spokesperson");
        assert_eq!(display_label("SECRETARY BLINKEN"), "Secretary Blinken");
    }
}
