//! Statements reported by a noun after a possessor: "Trump's claim that ...", "his promise
//! to build ...", "her criticism of the deal", "the union's denial that it had funded ...".
//! The nouns and the words that may open their content are in
//! `config/lexicons/nominal_cues.tsv`.
//!
//! Invariants: the possessor is the speaker (at most two lower-case modifiers between it and
//! the noun); the content runs from the introducer to the clause end; a noun inside another
//! record's content is part of that statement, not a report of its own; the record's cue is
//! the noun as written, and its stance is the noun's when the noun has one.

use super::Walker;
use super::clause::{infinitive_follows, word_count};
use super::record::{Draft, Found, build_record, speaker_confidence};
use crate::model::{Stance, StanceSource};
use crate::nlp::rules::{ContentRule, Rule, StanceRule};
use crate::nlp::speakers::Speaker;
use crate::nlp::stance::{self, Judgement};

/// How many of the latest records a noun is checked against (is it inside one's content?).
const MAX_ENCLOSING_RECORDS: usize = 8;

/// Most lower-case modifiers between a possessor and its noun ("his repeated claims").
const MAX_NOUN_MODIFIERS: usize = 2;

impl Walker<'_, '_> {
    /// Statements reported by a noun after a possessor in sentence `s` ("Trump's claim
    /// that ...", "his promise to build ...", "her criticism of the deal"): the possessor
    /// is the speaker; the content runs from the introducer to the clause end.
    pub(super) fn nominal_in(&mut self, s: usize) {
        let Some((range, content_end)) = self.sentence_bounds(s) else { return };
        let mut k = range.start;
        while k < content_end {
            let Some(found) = self.nominal_at(range.start, k, content_end) else {
                k += 1;
                continue;
            };
            let (record, speaker, resume) = found;
            self.finder.remember(speaker.tokens.start, &speaker);
            self.reported.push(record);
            k = resume.max(k + 1);
        }
    }

    /// The nominal statement whose noun is at token `k`, with its speaker and the token
    /// after its content.
    fn nominal_at(&mut self, lo: usize, k: usize, content_end: usize) -> Option<(Found, Speaker, usize)> {
        let doc = self.doc;
        let noun = doc.lex.nominal_cue(doc.low(k))?;
        if doc.token_quote[k].is_some() || self.used_cue.get(k).copied().unwrap_or(true) {
            return None;
        }
        // Inside what someone else is reported to say, the noun is part of that statement.
        let at = doc.tokens.get(k)?.start;
        if self.reported.iter().rev().take(MAX_ENCLOSING_RECORDS).any(|f| f.record.start <= at && at < f.record.end) {
            return None;
        }
        let intro = k + 1;
        if intro >= content_end || !noun.introducers.iter().any(|w| w == doc.low(intro)) {
            return None;
        }
        if doc.low(intro) == "to" && !infinitive_follows(doc, intro) {
            return None; // "his speech to voters"
        }
        // The possessor, past at most two modifiers: "his repeated claims that".
        let speaker = (0..=MAX_NOUN_MODIFIERS).find_map(|skip| {
            let at = k.checked_sub(skip)?;
            let plain = (at..k).all(|j| {
                let w = doc.tok(j);
                w.starts_with(char::is_lowercase) && !doc.lex.is_function_word(w) && doc.token_quote[j].is_none()
            });
            plain.then(|| self.finder.possessor_before(lo, at)).flatten()
        })?;
        let start = if doc.low(intro) == "to" { intro } else { intro + 1 };
        let end = (start..content_end)
            .find(|&j| matches!(doc.tok(j), "," | ";" | ":" | "—" | "–" | "(") && doc.token_quote[j].is_none())
            .unwrap_or(content_end);
        if word_count(doc, start..end) < 1 {
            return None;
        }
        let (span, kind) = self.content_span(start..end, false)?;
        let stance = match noun.stance {
            Stance::Neutral => stance::stance_of(doc, None, false, start..end),
            stance => Judgement::new(stance, StanceRule::NominalCue, StanceSource::Cue),
        };
        let rule = Rule::Nominal;
        let confidence = speaker_confidence(&speaker, rule.confidence());
        let draft = Draft {
            span,
            kind,
            speaker: Some(&speaker),
            cue: None,
            stance,
            target: None,
            confidence,
            rule,
            content: ContentRule::NominalIntroducer,
        };
        let mut found = build_record(doc, draft);
        found.record.cue = Some(doc.text.slice(doc.span(k..intro)).to_string());
        Some((found, speaker, end))
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_no_quote, assert_rule_rows};

    const TABLE: &[RuleRow] = &[
        (
            "Governor Mary Olsen's proposal to cut the state income tax, announced in May, was rejected.",
            "to cut the state income tax",
            Some("Mary Olsen"),
            "nominal.possessor",
        ),
        (
            "The union's denial that it had funded the campaign, issued on Friday, did little to calm the debate.",
            "it had funded the campaign",
            Some("The union"),
            "stance.nominal_cue",
        ),
    ];

    #[test]
    fn nouns_after_a_possessor_report_statements() {
        assert_rule_rows(TABLE);
    }

    #[test]
    fn nouns_without_an_introducer_report_nothing() {
        assert_no_quote(&[("His speech to voters was short.", "to voters was short")]);
    }
}
