//! Page-kind rules: transcripts, interviews and press releases.
//!
//! Owns turns (a paragraph opening with a label and a colon starts a turn: "MR. PRICE:",
//! "QUESTION:", "Q:", "A:"; following unlabelled paragraphs continue it; each paragraph of a
//! turn is a direct quote of its speaker) in `transcripts` and `interviews`, and a press
//! release's own statements in `press_releases`. Answers ("A:", "Answer:") belong to the
//! interviewee the introduction names, never to a speaker called "A"; questions ("Q:",
//! "QUESTION:") belong to the interviewer, and only their sentences that state something
//! are statements. It must not do general attribution.

mod interviews;
mod press_releases;
mod transcripts;

use std::ops::Range;

use super::Document;
use super::attribution::{Draft, Found, build_record};
use super::rules::{ContentRule, Rule, SpeakerRule};
use super::speakers::Speaker;
use super::stance::stance_of;
use super::tokens::CharText;
use crate::model::{EntityLabel, QuoteKind, SpeakerKind};

pub(crate) use interviews::interview_turns;
pub(crate) use press_releases::press_release_statements;
pub(crate) use transcripts::transcript_turns;

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

/// Who speaks in a turn, by its label.
#[derive(Debug, Clone)]
enum Turn {
    /// A question label ("Q", "QUESTION"): the asker; only sentences that state something
    /// are statements.
    Question(Speaker),
    /// An answer label ("A", "ANSWER"): the interviewee.
    Answer(Speaker),
    /// A speaker's name ("MR. PRICE").
    Named(Speaker),
}

/// What a turn label says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    Question,
    Answer,
    Name,
}

/// The kind of a label as written, without its colon ("Q", "QUESTION", "A", "MR. PRICE").
fn label_kind(doc: &Document<'_>, label: &str) -> LabelKind {
    let bare = label.trim_end_matches('.').trim().to_lowercase();
    if doc.words().question_labels.contains(&bare) {
        LabelKind::Question
    } else if doc.words().answer_labels.contains(&bare) {
        LabelKind::Answer
    } else {
        LabelKind::Name
    }
}

impl Turn {
    /// The statements of a turn paragraph whose text is the char span `span`.
    fn records(&self, doc: &Document<'_>, span: Range<usize>, out: &mut Vec<Found>) {
        match self {
            Turn::Question(asker) => {
                for run in statement_runs(doc, span) {
                    out.push(turn_record(doc, run, asker, Rule::QuestionTurn));
                }
            }
            Turn::Answer(speaker) => out.push(turn_record(doc, span, speaker, Rule::AnswerTurn)),
            Turn::Named(speaker) => out.push(turn_record(doc, span, speaker, Rule::TranscriptTurn)),
        }
    }
}

/// A direct quote of `speaker` over the char span `span` of a turn.
fn turn_record(doc: &Document<'_>, span: Range<usize>, speaker: &Speaker, rule: Rule) -> Found {
    let tokens = doc.token_at_or_after(span.start)..doc.token_at_or_after(span.end);
    build_record(
        doc,
        Draft {
            span,
            kind: QuoteKind::Direct,
            speaker: Some(speaker),
            cue: None,
            stance: stance_of(doc, None, false, tokens),
            target: None,
            confidence: rule.confidence(),
            rule,
            content: ContentRule::Turn,
        },
    )
}

/// The runs of sentences in `span` that are not questions (a question ends in "?", perhaps
/// inside closing quotation marks), as trimmed char spans.
fn statement_runs(doc: &Document<'_>, span: Range<usize>) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for sentence in doc.sentences.iter().filter(|s| s.start < span.end && s.end > span.start) {
        let s = doc.text.trim(sentence.start.max(span.start)..sentence.end.min(span.end));
        let text = doc.text.slice(s.clone());
        let question = text.trim_end_matches(['"', '”', '’', '\'', ')']).ends_with('?');
        match (&mut open, question) {
            (_, true) => runs.extend(open.take()),
            (Some(run), false) => run.end = s.end,
            (None, false) => open = Some(s),
        }
    }
    runs.extend(open);
    runs.retain(|r| !r.is_empty());
    runs
}

/// The interviewee an introduction names: the person mentioned most often before char
/// `before` (the first turn), the earliest on a tie; "the interviewee" when none is named.
fn interviewee(doc: &Document<'_>, before: usize) -> Speaker {
    let mut counts: Vec<(&str, usize, usize)> = Vec::new(); // canonical, mentions, first index
    for (i, m) in doc.entities.iter().enumerate().take_while(|(_, m)| m.end <= before) {
        if m.label != EntityLabel::Person {
            continue;
        }
        match counts.iter_mut().find(|(c, _, _)| *c == m.canonical) {
            Some(entry) => entry.1 += 1,
            None => counts.push((&m.canonical, 1, i)),
        }
    }
    let best = counts.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)));
    match best {
        Some(&(canonical, _, first)) => Speaker {
            name: canonical.to_string(),
            kind: SpeakerKind::Person,
            tokens: doc.entity_tokens.get(first).cloned().unwrap_or(0..0),
            entity: Some(canonical.to_string()),
            resolved: true,
            rule: SpeakerRule::Interviewee,
        },
        None => Speaker {
            name: "the interviewee".to_string(),
            kind: SpeakerKind::Unknown,
            tokens: 0..0,
            entity: None,
            resolved: true,
            rule: SpeakerRule::Interviewee,
        },
    }
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
    fn labels_display_in_title_or_sentence_case() {
        assert_eq!(display_label("MR. PRICE"), "Mr. Price");
        assert_eq!(display_label("THE SPOKESPERSON"), "The spokesperson");
        assert_eq!(display_label("SECRETARY BLINKEN"), "Secretary Blinken");
    }
}
