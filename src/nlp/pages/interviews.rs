//! Question-and-answer interviews in news pages: paragraphs opening with "Q:" / "Question:"
//! and "A:" / "Answer:" labels (or the interviewee's name as a label, "Wilk:"), after an
//! introduction that names the interviewee.
//!
//! Invariants: a page is an interview only with at least [`MIN_QUESTIONS`] question labels
//! and an answer or named label; from the first label on, every paragraph belongs to a turn
//! (unlabelled paragraphs continue the one before) and to no other rule. Answers are the
//! interviewee's; a question's sentences are statements of the interviewer (the publisher
//! when known) only when they state something.

use std::ops::Range;

use super::{LabelKind, Turn, interviewee, label_kind};
use crate::model::SpeakerKind;
use crate::nlp::Document;
use crate::nlp::attribution::Found;
use crate::nlp::rules::SpeakerRule;
use crate::nlp::speakers::Speaker;

/// Fewest question labels that make a page an interview.
const MIN_QUESTIONS: usize = 2;

/// Longest label before the colon, in tokens ("Tomasz Wilk:", "Question:").
const MAX_LABEL_TOKENS: usize = 4;

/// The turns of an interview page as quotes, and which paragraphs belong to turns; `None`
/// when the page is no interview.
pub(crate) fn interview_turns(doc: &Document<'_>, publisher: Option<&str>) -> Option<(Vec<Found>, Vec<bool>)> {
    let labels: Vec<Option<(Range<usize>, usize, LabelKind)>> =
        (0..doc.paragraphs.len()).map(|p| interview_label(doc, p)).collect();
    let count = |kind: LabelKind| labels.iter().flatten().filter(|(_, _, k)| *k == kind).count();
    let (questions, answers, names) = (count(LabelKind::Question), count(LabelKind::Answer), count(LabelKind::Name));
    if questions < MIN_QUESTIONS || answers == 0 && names < MIN_QUESTIONS {
        return None;
    }
    let first = labels.iter().position(Option::is_some)?;
    let interviewee = interviewee(doc, doc.paragraphs.get(first)?.start);
    let mut records = Vec::new();
    let mut in_turn = vec![false; doc.paragraphs.len()];
    let mut current: Option<Turn> = None;
    for (p, para) in doc.paragraphs.iter().enumerate().skip(first) {
        let content_start = match &labels[p] {
            Some((label, content, kind)) => {
                current = Some(match kind {
                    LabelKind::Question => Turn::Question(interviewer(doc, label.clone(), publisher)),
                    LabelKind::Answer => Turn::Answer(interviewee.clone()),
                    LabelKind::Name => Turn::Named(named(doc, label.clone(), &interviewee)),
                });
                *content
            }
            None => para.start,
        };
        in_turn[p] = true;
        let span = doc.text.trim(content_start..para.end);
        if let Some(turn) = current.as_ref().filter(|_| !span.is_empty()) {
            turn.records(doc, span, &mut records);
        }
    }
    Some((records, in_turn))
}

/// The label opening paragraph `p`: a few capitalised words before a colon ("Q:",
/// "Answer:", "Tomasz Wilk:"), not a section label ("Photo:"), with the label's char range,
/// where the turn's text starts and what the label says.
fn interview_label(doc: &Document<'_>, p: usize) -> Option<(Range<usize>, usize, LabelKind)> {
    let para = doc.paragraphs.get(p)?;
    let first = doc.token_at_or_after(para.start);
    let colon = (first..doc.tokens.len().min(first + MAX_LABEL_TOKENS + 1))
        .take_while(|&k| doc.token_para.get(k) == Some(&p))
        .find(|&k| doc.tok(k) == ":")?;
    let name_like = colon > first
        && (first..colon).all(|k| {
            let t = doc.tok(k);
            doc.token_quote[k].is_none() && (t.starts_with(char::is_uppercase) || matches!(t, "." | "-" | "'s" | "’s"))
        });
    if !name_like {
        return None;
    }
    let label = doc.span(first..colon);
    let text = doc.text.slice(label.clone());
    let kind = label_kind(doc, text);
    if kind == LabelKind::Name && doc.words().not_speaker_labels.contains(&text.to_lowercase()) {
        return None;
    }
    let content = doc.tokens.get(colon + 1).map_or(para.end, |t| t.start.min(para.end));
    Some((label, content, kind))
}

/// The asker of an interview's questions: the publication when known, else "the interviewer".
fn interviewer(doc: &Document<'_>, label: Range<usize>, publisher: Option<&str>) -> Speaker {
    let tokens = doc.token_at_or_after(label.start)..doc.token_at_or_after(label.end);
    let (name, kind) = match publisher.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => (p.to_string(), SpeakerKind::Organization),
        None => ("the interviewer".to_string(), SpeakerKind::Anonymous),
    };
    Speaker { name, kind, tokens, entity: None, resolved: false, rule: SpeakerRule::Interviewer }
}

/// The speaker a name label stands for: the interviewee when it names them ("Wilk:" for
/// Tomasz Wilk), the person it names otherwise.
fn named(doc: &Document<'_>, label: Range<usize>, interviewee: &Speaker) -> Speaker {
    let text = doc.text.slice(label.clone());
    let tokens = doc.token_at_or_after(label.start)..doc.token_at_or_after(label.end);
    let last = text.split_whitespace().last().unwrap_or("");
    if interviewee.entity.as_deref().is_some_and(|e| e.split_whitespace().last() == Some(last)) {
        return Speaker { tokens, ..interviewee.clone() };
    }
    let entity = doc.token_entity.get(tokens.start).copied().flatten().and_then(|e| doc.entities.get(e));
    match entity {
        Some(m) => Speaker {
            name: m.canonical.clone(),
            kind: SpeakerKind::Person,
            tokens,
            entity: Some(m.canonical.clone()),
            resolved: false,
            rule: SpeakerRule::Label,
        },
        None => Speaker::as_written(doc, tokens, SpeakerKind::Person, SpeakerRule::Label),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{PageKind, SpeakerKind};
    use crate::nlp::tests::{explained, explained_as};

    const INTERVIEW: &str = "Tomasz Wilk has run the Elmbrook food bank for eleven years. Demand has doubled \
        since last spring. We spoke to Wilk about the winter ahead.\n\n\
        Q: How bad is it this year?\n\n\
        A: Worse than I have ever seen. We used to serve 300 families a week.\n\n\
        Now it is closer to 700.\n\n\
        Q: The city says it has doubled your grant. Is that enough?\n\n\
        Wilk: It helps, but the state could do more.";

    #[test]
    fn answers_are_the_interviewees_and_questions_state_only_what_they_state() {
        let turns = explained(INTERVIEW);
        let got: Vec<(&str, Option<&str>, &str)> =
            turns.iter().map(|(q, r)| (q.text.as_str(), q.speaker.as_deref(), r.cue)).collect();
        assert!(got.contains(&(
            "Worse than I have ever seen. We used to serve 300 families a week.",
            Some("Tomasz Wilk"),
            "pages.answer_turn"
        )));
        assert!(got.contains(&("Now it is closer to 700.", Some("Tomasz Wilk"), "pages.answer_turn")));
        assert!(got.contains(&(
            "The city says it has doubled your grant.",
            Some("the interviewer"),
            "pages.question_turn"
        )));
        assert!(got.contains(&(
            "It helps, but the state could do more.",
            Some("Tomasz Wilk"),
            "pages.transcript_turn"
        )));
        assert!(got.iter().all(|(text, speaker, _)| !text.ends_with('?') && *speaker != Some("A")), "{got:#?}");
    }

    #[test]
    fn the_publisher_asks_when_known() {
        let turns = explained_as(INTERVIEW, PageKind::News, Some("Elmbrook Herald"));
        let question = turns.iter().find(|(_, r)| r.cue == "pages.question_turn").expect("a stated question");
        assert_eq!(question.0.speaker.as_deref(), Some("Elmbrook Herald"));
        assert_eq!(question.0.speaker_kind, SpeakerKind::Organization);
    }

    #[test]
    fn one_question_label_is_no_interview() {
        let quotes = explained("Q: What is the plan?\n\nThe mayor said the plan was ready.");
        assert!(quotes.iter().all(|(_, r)| !r.cue.starts_with("pages.")), "{quotes:#?}");
    }
}
