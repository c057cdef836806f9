//! Clauses: where a cue's clause ends (at the next cue that opens a clause of its own) and
//! where its content starts (past an addressee, "in a statement", "on Tuesday" and "that")
//! and ends, and whether a cue closes its sentence ("..., Devine said.").
//!
//! Invariants: a clause never reaches past its sentence's content end, and a later cue ends
//! an earlier cue's content only when it opens a clause of its own (after "and", "but", a
//! comma or its own subject; not after a modal or "to", not a present verb after a past cue
//! joined by "and"). Content that is only a quotation attributed elsewhere is no reported
//! content; content that touches quotation marks takes in the whole quote (mixed) and
//! consumes it.

use std::ops::Range;

use super::Walker;
use super::subject::{hedges_before, is_adverbial};
use crate::model::QuoteKind;
use crate::nlp::Document;
use crate::nlp::lexicon::CueFrame;
use crate::nlp::speakers::{Reach, Speaker};
use crate::nlp::stance::{self, CueAt};

/// Words a statement must have before a closing attribution's comma ("Sanders plans to
/// remain a Democrat, Devine said.").
const MIN_CLOSING_LEAD_WORDS: usize = 4;

/// Longest subject between the comma and a closing cue ("..., the former secretary of
/// state said."); also how far back a comma before a mid-sentence subject and cue may be.
pub(super) const MAX_CLOSING_SUBJECT_TOKENS: usize = 8;

/// Most modifier, time and punctuation steps skipped between a cue and its content.
const MAX_CONTENT_START_STEPS: usize = 8;

/// How far (tokens) a time or occasion phrase after a cue may run to its "that".
const MAX_TIME_PHRASE_TOKENS: usize = 16;

/// How far (tokens) an addressee after "told" may run to its "that" ("told members of the
/// AFL-CIO executive council that").
const MAX_TELL_ADDRESSEE_TOKENS: usize = 12;

/// How far (tokens) an outlet after "wrote to/for" may run to its "that".
const MAX_OUTLET_TOKENS: usize = 10;

pub(super) fn is_terminal(word: &str) -> bool {
    matches!(word, "." | "!" | "?" | "…" | "..." | ";")
}

pub(super) fn is_punct(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
}

/// Where a cue's clause may reach, and what came before it in the sentence.
pub(super) struct Clause<'s> {
    /// No speaker or content before this token (the previous record's end).
    pub(super) lo: usize,
    /// The sentence's first word.
    pub(super) first_word: usize,
    /// Where this cue's content must end (the next cue's own clause).
    pub(super) bound: usize,
    /// The sentence end, before terminal punctuation.
    pub(super) content_end: usize,
    /// The speaker of the previous record in the sentence, for "..., saying" and "and added".
    pub(super) last: Option<&'s Speaker>,
}

/// Words (tokens other than punctuation) in `range`.
pub(super) fn word_count(doc: &Document<'_>, range: Range<usize>) -> usize {
    range.filter(|&k| !is_punct(doc.low(k))).count()
}

/// Whether a comma stands right before token `k`, after `lo` (`...together," suggesting`:
/// the comma may sit inside the closing mark).
pub(super) fn comma_before(doc: &Document<'_>, k: usize, lo: usize) -> bool {
    k > lo
        && (doc.tok(k - 1) == ","
            || (k > lo + 1 && matches!(doc.tok(k - 1), "\"" | "”" | "’" | "'") && doc.tok(k - 2) == ","))
}

/// Words that cannot start reported content right after a plain cue: "wrote on Facebook",
/// "told Reuters in an interview", "asked about": a circumstance, not a statement.
pub(super) fn bad_content_start(doc: &Document<'_>, k: usize, frame: CueFrame) -> bool {
    let w = doc.low(k);
    if w == "to" && infinitive_follows(doc, k) {
        return false; // "vowed to take the fight", "wants to emerge"
    }
    let next = doc.low(k + 1);
    let words = doc.words();
    if w == "about" && (next.starts_with(|c: char| c.is_ascii_digit()) || words.quantity_words.contains(next)) {
        return false; // "said about half of the cost ...": an approximation, not a topic
    }
    if words.quantity_phrases.contains_pair(w, next) {
        return false; // "reported at least six planes ..."
    }
    match frame {
        CueFrame::Object => words.object_circumstance_openers.contains(w),
        _ => words.circumstance_openers.contains(w),
    }
}

/// Whether "to" at `k` introduces an infinitive ("to take") rather than a noun phrase ("to
/// the states"): the next word is a lower-case word that does not start a noun phrase.
pub(super) fn infinitive_follows(doc: &Document<'_>, k: usize) -> bool {
    let next = doc.tok(k + 1);
    let low = doc.low(k + 1);
    next.starts_with(char::is_lowercase) && !doc.words().noun_phrase_starts.contains(low)
}

/// The first token after a wire dateline starting at `start` ("PARIS, Aug 31 (Reuters) -",
/// "WASHINGTON (AP) —"): an upper-case place name, then up to a dozen tokens to a dash.
pub(super) fn dateline_end(doc: &Document<'_>, start: usize, end: usize) -> Option<usize> {
    let first = doc.tok(start);
    let caps = first.chars().count() >= 3 && first.chars().all(|c| c.is_uppercase() || c == '.' || c == '-');
    if !caps {
        return None;
    }
    let dash = (start + 1..end.min(start + 12)).find(|&k| matches!(doc.tok(k), "-" | "—" | "–" | "--"))?;
    (dash + 1 < end).then_some(dash + 1)
}

pub(super) fn skip_punct(doc: &Document<'_>, mut k: usize, end: usize) -> usize {
    while k < end && is_punct(doc.low(k)) && doc.token_quote[k].is_none() {
        k += 1;
    }
    k
}

impl Walker<'_, '_> {
    /// Where the reported content starts after a cue: past an addressee ("told reporters"),
    /// modifiers ("in a statement"), time adverbials ("on Tuesday"), punctuation and "that".
    pub(super) fn content_start(&self, cue: &CueAt<'_>, end: usize) -> usize {
        let k = self.past_addressee(cue, end);
        self.past_circumstances(k, end)
    }

    /// The token after a cue's addressee or outlet ("told reporters", "told a news conference",
    /// "wrote to the senator's office that").
    fn past_addressee(&self, cue: &CueAt<'_>, end: usize) -> usize {
        let doc = self.doc;
        let words = doc.words();
        let mut k = cue.end();
        if cue.frame() == CueFrame::Clause
            && words.addressee_prepositions.contains(doc.low(k))
            && let Some(j) = self.addressee_that(k + 1, (k + MAX_OUTLET_TOKENS).min(end), end)
        {
            k = j; // "wrote to Sanders' Senate office that ...", "wrote for The Informer that"
        }
        if cue.frame() != CueFrame::Tell || k >= end {
            return k;
        }
        // "told members of the AFL-CIO executive council that ...": a longer addressee runs
        // to "that".
        if let Some(j) = self.addressee_that(k + 1, (k + MAX_TELL_ADDRESSEE_TOKENS).min(end), end) {
            j
        } else if let Some(e) = doc.token_entity[k] {
            k = doc.entity_tokens.get(e).map_or(k + 1, |r| r.end);
            // "told The Star-Ledger of Newark last week she would ...": past the addressee's
            // place and a time phrase to a pronoun.
            if words.addressee_continuations.contains(doc.low(k))
                && let Some(j) = (k + 1..(k + 8).min(end))
                    .take_while(|&j| doc.token_quote[j].is_none() && !is_punct(doc.low(j)))
                    .find(|&j| words.is_pronoun(doc.low(j)))
            {
                k = j;
            }
            k
        } else if words.articles.contains(doc.low(k)) {
            // "told a news conference they are ...": a pronoun starts the content.
            let stop = (k + 1..(k + 5).min(end)).find(|&j| {
                (doc.low(j) == "that" || matches!(doc.low(j), "," | ":")) || (j > k + 1 && words.is_pronoun(doc.low(j)))
            });
            // "told a Senate panel." ends the sentence: the addressee is all there is.
            stop.unwrap_or(if end <= k + 5 { end } else { k + 2 })
        } else if !(doc.low(k) == "that" || matches!(doc.low(k), "," | ":")) {
            k + 1
        } else {
            k
        }
    }

    /// The token after punctuation, modifier phrases ("in a statement"), time and occasion
    /// phrases ("on Tuesday", "during a taping in Buffalo, New York, that") and "that" from
    /// `k`.
    fn past_circumstances(&self, mut k: usize, end: usize) -> usize {
        let doc = self.doc;
        let mut steps = 0;
        while k < end && steps < MAX_CONTENT_START_STEPS {
            steps += 1;
            let w = doc.low(k);
            if matches!(w, "," | ":" | "—" | "–" | "-" | "--") {
                k += 1;
                continue;
            }
            let m = stance::modifier_at(doc, k, end);
            if m > 0 {
                k += m;
                continue;
            }
            if doc.words().quantity_phrases.contains_pair(w, doc.low(k + 1)) {
                break; // "reported at least six planes ...": a quantity, not a place
            }
            if doc.words().time_phrase_starts.contains(w) {
                match self.past_time_phrase(k, end) {
                    Some(j) => {
                        k = j;
                        continue;
                    }
                    None => break,
                }
            }
            if w == "that" {
                k += 1;
            }
            break;
        }
        k
    }

    /// Where the time or occasion phrase starting at `k` ends (at its "that", comma or
    /// colon, or after "Tuesday", "on Thursday", "last week"); `None` when it does not end
    /// before the content.
    fn past_time_phrase(&self, k: usize, end: usize) -> Option<usize> {
        let doc = self.doc;
        let w = doc.low(k);
        // A pronoun or a verb ends the phrase: the content has begun ("said on Tuesday it was
        // ready to supply operators that decide ..." does not start at "decide").
        let in_phrase = |j: usize| {
            doc.token_quote[j].is_some()
                || !doc.words().is_pronoun(doc.low(j)) && !doc.words().verb_words.contains(doc.low(j))
        };
        // "noted in a guest column in Saturday's New York Times that ...", "said on ABC's
        // “This Week” that ...": phrases, a quoted title among them, up to "that".
        let that = (k + 1..(k + MAX_TIME_PHRASE_TOKENS).min(end))
            .take_while(|&j| {
                doc.token_quote[j].is_some()
                    || !matches!(doc.tok(j), "," | ";" | ":" | "." | "—") && stance::cue_at(doc, j).is_none()
            })
            .take_while(|&j| in_phrase(j))
            .find(|&j| doc.low(j) == "that" && j + 1 < end && !is_punct(doc.low(j + 1)));
        if that.is_some() {
            return that;
        }
        // "said Thursday during a taping in Buffalo, New York, that ..."
        let that = (k + 1..(k + MAX_TIME_PHRASE_TOKENS).min(end))
            .take_while(|&j| doc.token_quote[j].is_none() && !is_terminal(doc.tok(j)))
            .find(|&j| doc.tok(j) == "," && doc.low(j + 1) == "that");
        if let Some(j) = that {
            return Some(j + 1);
        }
        // "said during his victory speech Tuesday that ..."
        let stop = (k + 1..(k + 8).min(end))
            .take_while(|&j| in_phrase(j))
            .find(|&j| doc.low(j) == "that" || matches!(doc.low(j), "," | ":"));
        if stop.is_some() {
            return stop;
        }
        if doc.words().relative_days.contains(w) || w.ends_with("day") {
            return Some(k + 1);
        }
        let next = doc.low(k + 1);
        if doc.words().time_determiners.contains(w) && (next.ends_with("day") || doc.words().time_units.contains(next))
        {
            return Some(k + 2); // "told reporters on Thursday he ..."
        }
        None
    }

    /// The "that" ending an addressee between `from` and `to` (no quote, punctuation or
    /// pronoun before it), with words after it before `end`.
    fn addressee_that(&self, from: usize, to: usize, end: usize) -> Option<usize> {
        let doc = self.doc;
        (from..to)
            .take_while(|&j| {
                doc.token_quote[j].is_none() && !is_punct(doc.low(j)) && !doc.words().is_pronoun(doc.low(j))
            })
            .find(|&j| doc.low(j) == "that" && j + 1 < end)
    }

    /// The tokens of sentence `s` and where its content ends (before terminal punctuation).
    pub(super) fn sentence_bounds(&self, s: usize) -> Option<(Range<usize>, usize)> {
        let doc = self.doc;
        let range = doc.sentence_tokens.get(s).cloned()?;
        let mut content_end = range.end;
        while content_end > range.start && is_terminal(doc.tok(content_end - 1)) {
            content_end -= 1;
        }
        Some((range, content_end))
    }

    /// The char span and kind of reported content over `content` tokens: mixed when it
    /// touches quoted pieces (which it takes in whole and consumes), indirect otherwise.
    /// `None` when the content is only a direct quote attributed elsewhere or empty;
    /// `complete` cues ("declined to comment") are statements by themselves.
    pub(super) fn content_span(&mut self, content: Range<usize>, complete: bool) -> Option<(Range<usize>, QuoteKind)> {
        let doc = self.doc;
        // `Trump asserted that France had lost its identity: “France is no longer France,” he
        // claimed.`: a quote with its own speaker after it ends the content before it.
        let own_speaker = |t: usize| {
            let q = doc.token_quote[t]?;
            (self.cue_after.get(q).copied().unwrap_or(false) && t > 0 && doc.tok(t - 1) == ":").then_some(t)
        };
        let mut content = content;
        if let Some(cut) = content.clone().find_map(own_speaker).filter(|&t| t > content.start + 1) {
            let mut end = cut;
            while end > content.start && is_punct(doc.low(end - 1)) {
                end -= 1;
            }
            content.end = end;
        }
        // Words outside quotation marks, and the quote pieces the content touches.
        let mut outside_words = 0;
        let mut pieces: Vec<usize> = Vec::new();
        for t in content.clone() {
            match doc.token_quote[t] {
                Some(q) if pieces.last() != Some(&q) => pieces.push(q),
                Some(_) => {}
                None if !is_punct(doc.low(t)) && doc.low(t) != "that" => outside_words += 1,
                None => {}
            }
        }
        if !complete && outside_words == 0 && !pieces.is_empty() {
            return None; // `Smith said, "..."`: a direct quote, attributed elsewhere
        }
        if !complete && outside_words + pieces.len() < 1 {
            return None;
        }
        let mut span = doc.span(content);
        let kind = if pieces.is_empty() || complete { QuoteKind::Indirect } else { QuoteKind::Mixed };
        if kind == QuoteKind::Mixed {
            for &q in &pieces {
                if let Some(x) = self.consumed.get_mut(q) {
                    *x = true;
                }
                // The sentence may end inside the quote: take in the whole quote.
                if let Some(p) = doc.quotes.get(q) {
                    span.end = span.end.max(p.outer().end);
                    span.start = span.start.min(p.open);
                }
            }
        }
        Some((doc.text.trim(span), kind))
    }

    /// Where the clause of cue `c` ends: at the boundary before the first later cue of the
    /// sentence that opens a clause of its own, or at `end`.
    pub(super) fn clause_end(&self, c: &CueAt<'_>, all_cues: &[CueAt<'_>], end: usize) -> usize {
        all_cues
            .iter()
            .filter(|n| n.at > c.at && !self.modal_cue(n, c.end()) && !self.tense_shift(c, n))
            .find_map(|n| self.clause_boundary(n, c.end(), end))
            .unwrap_or(end)
    }

    /// Whether speech cue `c` closes its sentence after a comma and its subject ("..., Devine
    /// said on Tuesday.", "..., according to a poll."): nothing but time and manner phrases
    /// follow a speech cue, and at least [`MIN_CLOSING_LEAD_WORDS`] words precede the comma.
    pub(super) fn closing_attribution(&self, c: &CueAt<'_>, first_word: usize, content_end: usize) -> bool {
        let doc = self.doc;
        if c.frame() == CueFrame::According {
            // "..., according to an analysis by Crowdpac."
            let words_before = word_count(doc, first_word..c.at);
            return c.at > first_word && doc.tok(c.at - 1) == "," && words_before >= MIN_CLOSING_LEAD_WORDS;
        }
        if c.m.cue.weak || !matches!(c.frame(), CueFrame::Clause | CueFrame::Tell) {
            return false;
        }
        let Some(comma) = (first_word..c.at).rev().take(MAX_CLOSING_SUBJECT_TOKENS + 1).find(|&k| doc.tok(k) == ",")
        else {
            return false;
        };
        let words_before = word_count(doc, first_word..comma);
        let subject_between = (comma + 1..c.at).all(|k| doc.token_quote[k].is_none() && !is_punct(doc.low(k)));
        words_before >= MIN_CLOSING_LEAD_WORDS
            && subject_between
            && comma + 1 < c.at
            && self.content_start(c, content_end) >= content_end
    }

    /// Whether cue `n` after "and"/"but" is in the present while the earlier cue `c` is in
    /// the past ("said the group is not an advocacy group and supports candidates"): a verb
    /// of the reported content, not a second report.
    fn tense_shift(&self, c: &CueAt<'_>, n: &CueAt<'_>) -> bool {
        let doc = self.doc;
        let w = doc.low(c.at);
        let past = w.ends_with("ed") || doc.words().past_reporting_verbs.contains(w);
        let v = doc.low(n.at);
        let present = v.ends_with('s') && !v.ends_with("ss") && !v.ends_with("us");
        past && present && n.at > 0 && doc.words().coordinators.contains(doc.low(n.at - 1))
    }

    /// Whether cue `n` is governed by a modal or "to" ("..., he would support the former",
    /// "vowed to oppose"): part of an earlier cue's reported content, not a report of its
    /// own that ends that content.
    fn modal_cue(&self, n: &CueAt<'_>, after: usize) -> bool {
        let doc = self.doc;
        let b = hedges_before(doc, n.at, after);
        b > after && doc.words().cue_governors.contains(doc.low(b - 1))
    }

    /// Where the clause of cue `n` starts when it is a clause of its own after `after`:
    /// ", saying ...", "but said ...", "and added ...", ", according to ...", ", he said".
    fn clause_boundary(&self, n: &CueAt<'_>, after: usize, end: usize) -> Option<usize> {
        let doc = self.doc;
        if n.at >= end {
            return None;
        }
        let mut b = n.at;
        while b > after && is_adverbial(doc, b - 1) {
            b -= 1;
        }
        if b <= after {
            return None;
        }
        let prev = doc.low(b - 1);
        if doc.words().coordinators.contains(prev) {
            let at = if b >= after + 2 && doc.tok(b - 2) == "," { b - 2 } else { b - 1 };
            return (at > after).then_some(at);
        }
        if prev == "," || prev == "—" || prev == ";" {
            return Some(b - 1);
        }
        if prev == "by" && doc.low(n.at).ends_with("ing") {
            return Some(b - 1); // "answered the governor by saying ..."
        }
        // ", he said" / ", Smith said" inside the sentence.
        let comma = (after..b).rev().take(MAX_CLOSING_SUBJECT_TOKENS).find(|&j| doc.tok(j) == ",")?;
        // ", while another says ...": a conjunction may open the new clause.
        let start = comma + 1 + usize::from(doc.words().clause_openers.contains(doc.low(comma + 1)));
        self.finder.before(start, n.at, Reach::Tight).map(|_| comma)
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    /// Where content starts (past addressees, media, times and "that") and where a later
    /// cue ends it.
    const TABLE: &[RuleRow] = &[
        (
            "Ana Ruiz told reporters on Thursday that the plan was dead.",
            "the plan was dead",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
        (
            "Ana Ruiz said in a statement that the plan was dead.",
            "the plan was dead",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
        (
            "Ana Ruiz wrote to the senator's office that the plan was dead.",
            "the plan was dead",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
        (
            "Ana Ruiz told a news conference they are ready to talk.",
            "they are ready to talk",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
        (
            "Ana Ruiz said the plan was dead, but warned that talks could resume.",
            "the plan was dead",
            Some("Ana Ruiz"),
            "reported.after_cue",
        ),
        (
            "Ana Ruiz said the plan was dead, but warned that talks could resume.",
            "talks could resume",
            Some("Ana Ruiz"),
            "reported.after_cue",
        ),
        (
            "Ana Ruiz said the group is independent and supports candidates.",
            "the group is independent and supports candidates",
            Some("Ana Ruiz"),
            "reported.after_cue",
        ),
        ("Ana Ruiz vowed to oppose the plan.", "to oppose the plan", Some("Ana Ruiz"), "reported.after_cue"),
        (
            "Ortiz plans to run for the Senate next year, her adviser Tom Reyes said.",
            "Ortiz plans to run for the Senate next year",
            Some("Tom Reyes"),
            "reported.before_subject",
        ),
        (
            "Ana Ruiz reported at least six planes over the bay.",
            "at least six planes over the bay",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
        (
            "Ana Ruiz said the plan was \"dead on arrival\".",
            "the plan was \"dead on arrival\"",
            Some("Ana Ruiz"),
            "content.after_cue",
        ),
    ];

    #[test]
    fn clauses_bound_the_content_of_each_cue() {
        assert_rule_rows(TABLE);
    }
}
