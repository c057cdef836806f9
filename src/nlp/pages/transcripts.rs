//! Transcript turns: a paragraph opening with an upper-case label and a colon ("MR. PRICE:",
//! "QUESTION:", "A:") starts a turn; following unlabelled paragraphs continue it.
//!
//! Invariant: every paragraph from the first label on belongs to a turn and to no other
//! rule; a named label links to the person of that surname mentioned in the text; "A:"
//! answers for the interviewee the paragraphs before the first label name.

use std::ops::Range;

use super::{LabelKind, Turn, display_label, interviewee, label_kind, speaker_label};
use crate::model::{EntityLabel, SpeakerKind};
use crate::nlp::Document;
use crate::nlp::attribution::Found;
use crate::nlp::rules::SpeakerRule;
use crate::nlp::speakers::Speaker;

/// Transcript turns as quotes, and which paragraphs belong to turns.
pub(crate) fn transcript_turns(doc: &Document<'_>) -> (Vec<Found>, Vec<bool>) {
    let mut records = Vec::new();
    let mut in_turn = vec![false; doc.paragraphs.len()];
    let first_label = doc.paragraphs.iter().find(|p| speaker_label(&doc.text, (*p).clone()).is_some());
    let interviewee = interviewee(doc, first_label.map_or(0, |p| p.start));
    let mut current: Option<Turn> = None;
    for (p, para) in doc.paragraphs.iter().enumerate() {
        let content_start = match speaker_label(&doc.text, para.clone()) {
            Some((label, content)) => {
                current = Some(match label_kind(doc, doc.text.slice(label.clone())) {
                    LabelKind::Question => Turn::Question(reporter(doc, label)),
                    LabelKind::Answer => Turn::Answer(interviewee.clone()),
                    LabelKind::Name => Turn::Named(named_speaker(doc, label)),
                });
                content
            }
            None if current.is_some() => para.start,
            None => continue,
        };
        if let Some(flag) = in_turn.get_mut(p) {
            *flag = true;
        }
        let span = doc.text.trim(content_start..para.end);
        if let Some(turn) = current.as_ref().filter(|_| !span.is_empty()) {
            turn.records(doc, span, &mut records);
        }
    }
    (records, in_turn)
}

/// The group of reporters asking from the floor, named by the label at `label`.
fn reporter(doc: &Document<'_>, label: Range<usize>) -> Speaker {
    let tokens = doc.token_at_or_after(label.start)..doc.token_at_or_after(label.end);
    Speaker {
        name: "reporter".to_string(),
        kind: SpeakerKind::Group,
        tokens,
        entity: None,
        resolved: false,
        rule: SpeakerRule::Label,
    }
}

/// The speaker a name label stands for: "MR. PRICE" as "Mr. Price", linked to an earlier
/// "Ned Price".
fn named_speaker(doc: &Document<'_>, label: Range<usize>) -> Speaker {
    let raw = doc.text.slice(label.clone());
    let tokens = doc.token_at_or_after(label.start)..doc.token_at_or_after(label.end);
    let name = display_label(raw);
    let surname = raw.split_whitespace().last().unwrap_or("").to_lowercase();
    let entity = doc
        .entities
        .iter()
        .filter(|m| m.label == EntityLabel::Person)
        .find(|m| m.canonical.split_whitespace().last().is_some_and(|w| w.to_lowercase() == surname))
        .map(|m| m.canonical.clone());
    Speaker { name, kind: SpeakerKind::Person, tokens, entity, resolved: false, rule: SpeakerRule::Label }
}

#[cfg(test)]
mod tests {
    use crate::model::PageKind;
    use crate::nlp::tests::explained_as;

    #[test]
    fn turns_are_their_labels_statements_and_questions_only_state_what_they_state() {
        let turns = explained_as(
            "Department Press Briefing with Ned Price\n\nMR. PRICE: Good afternoon, everyone.\n\n\
             We have two announcements today.\n\nQUESTION: The minister said talks had stalled. Is that true?\n\n\
             QUESTION: Any news on the talks?\n\nMR. PRICE: Not at this time.",
            PageKind::Transcript,
            None,
        );
        let got: Vec<(&str, Option<&str>, &str)> =
            turns.iter().map(|(q, r)| (q.text.as_str(), q.speaker.as_deref(), r.cue)).collect();
        assert_eq!(
            got,
            [
                ("Good afternoon, everyone.", Some("Mr. Price"), "pages.transcript_turn"),
                ("We have two announcements today.", Some("Mr. Price"), "pages.transcript_turn"),
                ("The minister said talks had stalled.", Some("reporter"), "pages.question_turn"),
                ("Not at this time.", Some("Mr. Price"), "pages.transcript_turn"),
            ]
        );
        assert_eq!(turns[0].0.speaker_entity.as_deref(), Some("Ned Price"));
    }

    #[test]
    fn answer_labels_belong_to_the_interviewee_never_to_a_speaker_a() {
        let turns = explained_as(
            "Interview with Mayor Delia Fontaine\n\nQ: How is the budget?\n\nA: Balanced, for the first time in years.",
            PageKind::Transcript,
            None,
        );
        let got: Vec<(&str, Option<&str>, &str)> =
            turns.iter().map(|(q, r)| (q.text.as_str(), q.speaker.as_deref(), r.speaker)).collect();
        assert_eq!(got, [("Balanced, for the first time in years.", Some("Delia Fontaine"), "speaker.interviewee")]);
    }
}
