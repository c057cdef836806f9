//! Subjects and verb forms: which subject a clause has when the cue's own subject is not
//! right before it (a participle ", saying ...", a coordinated "and added", a cue after an
//! opening phrase "In a speech on Tuesday, Mr. Trump ..."), and whether a cue is passive
//! ("was accused"), progressive ("is saying"), coordinated or the verb of an absolute
//! "with" phrase.
//!
//! Invariant: a subject found here lies in the sentence before the cue (or is the paragraph's
//! latest speaker); these rules answer questions about a clause and record nothing.

use super::Walker;
use super::clause::MAX_CLOSING_SUBJECT_TOKENS;
use crate::model::SpeakerKind;
use crate::nlp::Document;
use crate::nlp::speakers::{Reach, Speaker};
use crate::nlp::stance;

/// How far (tokens) the verb after a noun-phrase subject may be ("The attorney general of
/// the state of New York is suing ...").
const MAX_SUBJECT_PHRASE_TOKENS: usize = 12;

/// How far (tokens) the comma after an opening time phrase may be ("But a few days later,").
const MAX_TIME_OPENER_TOKENS: usize = 6;

/// How far (tokens) the comma closing an opening adverbial phrase may be ("Speaking at a
/// town hall in Salem, New Hampshire, Trump ...").
const MAX_OPENER_TOKENS: usize = 18;

/// The first of the hedging words right before token `t`, not before `lo`: "-ly" adverbs,
/// "also", "not", "never", "still", "widely" ("is not widely expected", "would never support").
pub(super) fn hedges_before(doc: &Document<'_>, t: usize, lo: usize) -> usize {
    let mut b = t;
    while b > lo && (doc.ly_adverb(b - 1) || doc.words().hedges.contains(doc.low(b - 1))) {
        b -= 1;
    }
    b
}

/// Whether token `k` may sit between a subject and its verb without changing who speaks:
/// adverbs (an "-ly" adverb, "also", "n't") and auxiliaries.
pub(super) fn is_adverbial(doc: &Document<'_>, k: usize) -> bool {
    let word = doc.low(k);
    doc.ly_adverb(k) || doc.words().cue_adverbials.contains(word) || word.ends_with("n't") || word.ends_with("n’t")
}

impl Walker<'_, '_> {
    /// The subject of the sentence starting at `first`, for a participle cue at `cue`
    /// ("In May, a federal judge sided with them, saying ..."): a name, pronoun or speaker
    /// description at the start, or right after an opening adverbial set off by a comma.
    pub(super) fn main_subject(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        // "Then he cut into Bush, calling ...": a sentence adverb before the subject.
        let mut first = first;
        // "But a few days later, Trump reversed himself", "Hours later, ...": a time phrase
        // set off by a comma.
        if let Some(comma) = (first + 1..cue.min(first + MAX_TIME_OPENER_TOKENS)).find(|&k| doc.tok(k) == ",")
            && doc.words().time_phrase_ends.contains(doc.low(comma - 1))
        {
            first = comma + 1;
        }
        while first + 1 < cue && (doc.words().sentence_adverbs.contains(doc.low(first)) || doc.tok(first) == ",") {
            first += 1;
        }
        if doc.token_quote.get(first).copied().flatten().is_some() {
            // `"...," McCain said, citing ...`: the quote's speaker, not its first word.
            return self.recent_speaker(cue);
        }
        let at = |k: usize| {
            self.finder.subject_at(k).or_else(|| self.finder.after(k, cue)).or_else(|| self.noun_phrase_subject(k, cue))
        };
        at(first).or_else(|| {
            // An opening adverbial or participial phrase set off by a comma: "In a victory
            // speech in Westchester County on Tuesday night, Mr. Trump ...", "Having thanked
            // the crowd, he ...".
            let w = doc.low(first);
            let opener = doc.words().time_phrase_starts.contains(w)
                || w.ends_with("ing")
                || doc.words().sentence_openers.contains(w);
            if !opener {
                return None;
            }
            // "Speaking at a town hall in Salem, New Hampshire, Trump went after Bush": the
            // subject after the last comma of the opener, not a place in apposition.
            (first + 1..cue.min(first + MAX_OPENER_TOKENS))
                .filter(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none())
                .filter_map(|k| at(k + 1))
                .find(|s| doc.tok(s.tokens.end) != "," || s.kind == SpeakerKind::Person)
        })
    }

    /// The speaker of a closing attribution (", Spicer said,") that ends right before the
    /// participle at `cue`, looking no further left than `first`.
    pub(super) fn closing_before(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        let k = cue.checked_sub(2).filter(|&k| k > first && doc.tok(k + 1) == ",")?;
        let c = stance::cue_at(doc, k)?;
        if c.end() != k + 1 {
            return None;
        }
        let comma = (first..k).rev().take(MAX_CLOSING_SUBJECT_TOKENS + 1).find(|&j| doc.tok(j) == ",")?;
        self.finder.before(comma + 1, k, Reach::Tight)
    }

    /// Any noun phrase opening the clause at `first` and followed by its verb before `cue`
    /// ("Both parents stiffened ...", "The Wisconsin Republican did give ...", "Republicans,
    /// who hold a majority, have blocked ..."): the phrase up to an apposition's comma, an
    /// auxiliary or a lower-case past-tense verb.
    pub(super) fn noun_phrase_subject(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        let verb = (first + 1..cue.min(first + MAX_SUBJECT_PHRASE_TOKENS)).find(|&j| {
            let w = doc.low(j);
            doc.tok(j) == ","
                || (doc.tok(j).starts_with(char::is_lowercase)
                    && (doc.words().be_forms.contains(w)
                        || doc.words().subject_end_auxiliaries.contains(w)
                        || doc.words().irregular_past_verbs.contains(w)
                        || (w.ends_with("ed") && !doc.words().articles.contains(doc.low(j - 1)))))
        })?;
        self.finder.subject_before(first, verb).filter(|s| {
            s.tokens.start == first || (s.tokens.start == first + 1 && doc.words().articles.contains(doc.low(first)))
        })
    }

    /// The cue at `t` continues a clause whose subject came earlier: "... and added",
    /// "..., but said" (adverbs and auxiliaries may sit in between).
    pub(super) fn coordinated(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let mut b = t;
        while b > lo && is_adverbial(doc, b - 1) {
            b -= 1;
        }
        let w = doc.low(b.saturating_sub(1));
        b > lo && (w == "," || w == "then" || doc.words().coordinators.contains(w))
    }

    /// "with Cruz repeatedly calling Trump his friend", "with Senator McCain telling
    /// reporters ...": an -ing cue whose subject follows "with".
    pub(super) fn absolute_with(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        self.finder.subject_before(lo, t).is_some_and(|s| {
            let k = self.finder.role_start(s.tokens.start, lo); // "with Republican Senator John McCain"
            k > lo && doc.low(k - 1) == "with"
        })
    }

    /// "is saying", "has been arguing": an -ing cue after a form of "be" or a verb of
    /// continuing.
    pub(super) fn progressive(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let mut b = t;
        while b > lo && is_adverbial(doc, b - 1) && !doc.words().be_forms.contains(doc.low(b - 1)) {
            b -= 1;
        }
        b > lo
            && (doc.words().be_forms.contains(doc.low(b - 1))
                || doc.words().continuation_verbs.contains(doc.low(b - 1)))
    }

    /// A passive cue ("was accused", "is expected", "were told"): the subject is not the
    /// speaker.
    pub(super) fn passive(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let word = doc.low(t);
        if word.ends_with("ing") || doc.words().never_passive_cues.contains(word) {
            return false;
        }
        let b = hedges_before(doc, t, lo);
        b > lo && doc.words().be_forms.contains(doc.low(b - 1))
    }

    /// The speaker most recently attributed in the paragraph of token `t`
    /// (", adding that ...").
    pub(super) fn recent_speaker(&self, t: usize) -> Option<Speaker> {
        let para = self.para_of_token(t);
        let (last_para, att) = self.last_direct.as_ref()?;
        (*last_para == para).then(|| att.speaker.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_no_quote, assert_rule_rows};

    /// Participles, coordinated cues and openers take the clause's subject.
    const TABLE: &[RuleRow] = &[
        (
            "Mayor Lin Osei defended the curfew, saying it had cut crime by a third.",
            "it had cut crime by a third",
            Some("Lin Osei"),
            "reported.after_cue",
        ),
        (
            "Governor Ellen Park said the state would hire nurses, but warned that the budget remained tight.",
            "the budget remained tight",
            Some("Ellen Park"),
            "reported.after_cue",
        ),
        (
            "In a speech in Salem on Tuesday, Governor Mary Olsen struck a hopeful tone, saying the drought was over.",
            "the drought was over",
            Some("Mary Olsen"),
            "reported.after_cue",
        ),
        ("Olsen is saying the budget is safe.", "the budget is safe", Some("Olsen"), "reported.after_cue"),
        (
            "Farmers were split, with many saying the subsidy was too small.",
            "the subsidy was too small",
            Some("many"),
            "reported.after_cue",
        ),
    ];

    #[test]
    fn clauses_without_their_own_subject_take_the_sentence_subject() {
        assert_rule_rows(TABLE);
    }

    #[test]
    fn passive_cues_and_reduced_relatives_report_nothing() {
        assert_no_quote(&[
            ("Olsen was accused of lying to the committee.", "of lying to the committee"),
            ("Olsen was told to wait for the committee.", "to wait for the committee"),
        ]);
    }
}
