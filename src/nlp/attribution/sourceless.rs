//! Reported content with no source in the text: a question put to someone ("Asked whether
//! he would run, ...", "when asked about the deal"), an expectation or appearance ("Trump is
//! expected to speak", "the party seemed to be shrinking") and "reportedly" ("The group
//! reportedly spent $1.5 million").
//!
//! Invariant: such a record has no speaker (only a person who "seems to" say or want
//! something is named) and a neutral stance: a question or an expectation takes no stance
//! of its own. Its cue is used up so no other rule reports at it.

use std::ops::Range;

use super::Walker;
use super::clause::{Clause, infinitive_follows, is_terminal};
use super::record::{Draft, Found, build_record};
use super::subject::hedges_before;
use crate::model::{SpeakerKind, Stance};
use crate::nlp::rules::{ContentRule, Rule};
use crate::nlp::speakers::{Reach, Speaker};
use crate::nlp::stance::{CueAt, Judgement};

/// How far (tokens) after "asked by" the question may open ("asked by reporters whether").
const MAX_ASKER_TOKENS: usize = 8;

/// How far (tokens) after "asked" the question may open ("Asked at a briefing Monday in
/// Washington about ...").
const MAX_QUESTION_OPENING_TOKENS: usize = 12;

impl<'d> Walker<'d, '_> {
    /// The sourceless record at cue `c`, if one of these rules applies, with the token after
    /// its content.
    pub(super) fn sourceless_at(&mut self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<(Found, usize)> {
        let doc = self.doc;
        let word = doc.low(c.at);
        let prev = if c.at > ctx.lo { doc.low(c.at - 1) } else { "" };
        // The form of "be" before the cue, past adverbs and "not" ("is not widely expected").
        let b = hedges_before(doc, c.at, ctx.lo);
        let be_before = b > ctx.lo && doc.words().be_forms.contains(doc.low(b - 1));
        let mut subject = None;
        let (content, rule, content_rule) = if word == "reportedly" {
            // "The group reportedly spent $1.5 million": the whole clause is reported.
            (ctx.first_word.max(ctx.lo)..ctx.bound, Rule::Reportedly, ContentRule::Expectation)
        } else if word == "asked"
            && (c.at == ctx.first_word || be_before || prev == "," || doc.words().asked_openers.contains(prev))
        {
            (self.question(c, ctx)?, Rule::Question, ContentRule::Question)
        } else if doc.words().raising_verbs.contains(word)
            || (doc.words().expectation_words.contains(word) && be_before)
        {
            // "X seemed to ...": the subject and what is said of it.
            if doc.low(c.end()) != "to" || c.m.cue.stance != Stance::Neutral {
                return None;
            }
            let start = ctx.first_word.max(ctx.lo);
            if start >= c.at {
                return None;
            }
            // "Rubio seemed to urge the opposite tactic": a person seeming to say or want
            // something is its source; "that approach seems to have backfired" has none.
            subject = doc
                .words()
                .raising_verbs
                .contains(word)
                .then(|| self.finder.before(start, c.at, Reach::Mention))
                .flatten()
                .filter(|sp| sp.kind == SpeakerKind::Person);
            let rule = if subject.is_some() { Rule::SeemingPerson } else { Rule::Expectation };
            (start..ctx.bound, rule, ContentRule::Expectation)
        } else {
            return None;
        };
        if content.start >= content.end {
            return None;
        }
        let (span, kind) = self.content_span(content.clone(), false)?;
        let speaker: Option<&Speaker> = subject.as_ref();
        let draft = Draft {
            span,
            kind,
            speaker,
            cue: speaker.map(|_| c),
            stance: Judgement::neutral(),
            target: None,
            confidence: rule.confidence(),
            rule,
            content: content_rule,
        };
        Some((build_record(doc, draft), content.end))
    }

    /// The question after "asked" at cue `c`: from its wh-word (or "to" of a request) to the
    /// clause's comma.
    fn question(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Range<usize>> {
        let doc = self.doc;
        let mut q = c.end();
        if doc.low(q) == "by" {
            q = (q + 1..ctx.bound.min(q + MAX_ASKER_TOKENS))
                .find(|&k| doc.words().question_openers.contains(doc.low(k)))?;
        }
        // "Asked at a briefing Monday in Washington about ...", "Asked specifically what
        // ...": the question opens within a few words; "When asked to confirm ...": a request
        // is a question too.
        let opens = |k: usize| {
            doc.words().question_openers.contains(doc.low(k)) || (doc.low(k) == "to" && infinitive_follows(doc, k))
        };
        q = (q..ctx.bound.min(q + MAX_QUESTION_OPENING_TOKENS))
            .take_while(|&k| doc.tok(k) != "," && doc.token_quote[k].is_none() && !is_terminal(doc.tok(k)))
            .find(|&k| opens(k))?;
        let start = if doc.low(q) == "about" { q + 1 } else { q };
        let end = (start..ctx.bound).find(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none()).unwrap_or(ctx.bound);
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    const TABLE: &[RuleRow] = &[
        (
            "Asked whether she would run again, Hale said she had not decided.",
            "whether she would run again",
            None,
            "sourceless.question",
        ),
        (
            "The legislature is expected to vote on the measure next week.",
            "The legislature is expected to vote on the measure next week",
            None,
            "sourceless.expectation",
        ),
        (
            "The group reportedly spent $1.5 million on television ads.",
            "The group reportedly spent $1.5 million on television ads",
            None,
            "sourceless.reportedly",
        ),
        (
            "Senator Marco Ruiz seemed to urge a delay in the vote.",
            "Senator Marco Ruiz seemed to urge a delay in the vote",
            Some("Marco Ruiz"),
            "sourceless.seeming_person",
        ),
    ];

    #[test]
    fn content_without_a_source_has_no_speaker_but_a_person_seeming_to_say() {
        assert_rule_rows(TABLE);
    }
}
