//! Records: turning a statement found by a rule into a [`QuoteRecord`] with the rules that
//! produced it, and the confidence of an attribution.
//!
//! Invariant: every record of the analysis is built here (or in `pages`, through
//! [`build_record`]), so its speaker span, cue text, confidence range and rule names are
//! filled the same way everywhere. It must not decide anything about the statement.

use std::ops::Range;

use crate::model::{QuoteKind, QuoteRecord, SpeakerKind, Stance};
use crate::nlp::Document;
use crate::nlp::rules::{CONFIDENCE_RANGE, ContentRule, QuoteRules, Rule, speaker_adjustment};
use crate::nlp::speakers::Speaker;
use crate::nlp::stance::{CueAt, Evidence, Judgement};

/// A quote record, the rules that produced it and the evidence its stance was decided from.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub record: QuoteRecord,
    pub rules: QuoteRules,
    /// The stance features (training reads them).
    pub evidence: Option<Evidence>,
    /// The label the stance decision could not take.
    pub excluded: Option<Stance>,
}

/// A statement found by a rule, before it becomes a record.
pub(crate) struct Draft<'s, 'l> {
    /// Char span of the content.
    pub span: Range<usize>,
    pub kind: QuoteKind,
    pub speaker: Option<&'s Speaker>,
    pub cue: Option<&'s CueAt<'l>>,
    pub stance: Judgement,
    pub target: Option<String>,
    pub confidence: f32,
    /// The attribution rule.
    pub rule: Rule,
    /// How the content span was cut.
    pub content: ContentRule,
}

/// Confidence of an attribution from its base and the kind of speaker mention.
pub(super) fn speaker_confidence(speaker: &Speaker, base: f32) -> f32 {
    (base + speaker_adjustment(speaker.kind, speaker.resolved)).clamp(CONFIDENCE_RANGE.0, CONFIDENCE_RANGE.1)
}

/// The record of a draft statement.
pub(crate) fn build_record(doc: &Document<'_>, draft: Draft<'_, '_>) -> Found {
    let Draft { span, kind, speaker, cue, stance, target, confidence, rule, content } = draft;
    let speaker_span = speaker.map(|s| doc.span(s.tokens.clone()));
    let record = QuoteRecord {
        text: doc.text.slice(span.clone()).to_string(),
        start: span.start,
        end: span.end,
        kind,
        speaker: speaker.map(|s| s.name.clone()),
        speaker_kind: speaker.map_or(SpeakerKind::Unknown, |s| s.kind),
        speaker_start: speaker_span.as_ref().filter(|r| r.start < r.end).map(|r| r.start),
        speaker_end: speaker_span.as_ref().filter(|r| r.start < r.end).map(|r| r.end),
        speaker_entity: speaker.and_then(|s| s.entity.clone()),
        cue: cue.map(|c| doc.text.slice(doc.span(c.at..c.end())).to_string()),
        stance: stance.stance,
        target,
        stance_source: stance.source,
        confidence: confidence.clamp(0.0, 1.0),
    };
    let rules = QuoteRules {
        cue: rule.name(),
        content: content.name(),
        speaker: speaker.map_or("speaker.none", |s| s.rule.name()),
        stance: stance.rule.name(),
    };
    Found { record, rules, evidence: stance.evidence, excluded: stance.excluded }
}
