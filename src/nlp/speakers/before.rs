//! Speakers before their cue: the subject of a reporting verb ("Smith said", "a U.S.
//! official said", "Smith, chief executive of Acme, said", "the airline said"), the phrase
//! between a closing quotation mark and its cue, and the name opening a sentence.
//!
//! Invariant: a speaker found here ends right before the cue, once the words that may sit
//! between a subject and its verb ("also", "on Tuesday", "(D-Nev.)", ", however,") and an
//! apposition are skipped; it never reaches left of the caller's bound `lo`. Which kind of
//! phrase may be a speaker is the caller's [`Reach`].

use std::ops::Range;

use super::{MAX_TITLE_TOKENS, Reach, Speaker, SpeakerFinder, is_punct};
use crate::model::{EntityLabel, SpeakerKind};
use crate::nlp::rules::SpeakerRule;

/// Longest apposition between a subject and its cue ("Nelson Diaz, a former aide to Mr.
/// Rubio and now the chairman of the Republican Party in Miami-Dade County, said").
const MAX_APPOSITION_TOKENS: usize = 24;

/// Longest lower-case role before a name after a quote ("election law expert Rick Hasen").
const MAX_ROLE_TOKENS: usize = 4;

/// Longest subject phrase taken as a speaker when it names no known entity or speaker noun:
/// longer runs are clauses, not noun phrases.
const MAX_GENERIC_SUBJECT_TOKENS: usize = 9;

/// Longest phrase between a closing quotation mark and its cue taken as the speaker as
/// written (`"...," the independent Vermont senator and Democratic presidential candidate
/// told`).
const MAX_PHRASE_SUBJECT_TOKENS: usize = 12;

/// Longest parenthesis between a name and its cue ("Harry Reid (D-Nev.) said").
const MAX_PARENTHESIS_TOKENS: usize = 20;

/// Longest parenthetical between dashes before a cue ("Murphy — after a gesture — told").
const MAX_DASHED_TOKENS: usize = 16;

/// Longest adverbial set off by commas between a subject and its cue ("Clinton, during a
/// town hall in Columbus, Ohio, said").
const MAX_INTERRUPTION_TOKENS: usize = 20;

/// What an apposition before the cue ("Smith, chief executive of Acme, said") decided.
enum Apposition {
    /// The speaker is settled: a person opening the clause, or the name in apposition (or
    /// none can be).
    Decided(Option<Speaker>),
    /// The subject ends at this token, before the apposition.
    EndsAt(usize),
}

impl<'d, 'a> SpeakerFinder<'d, 'a> {
    /// The speaker phrase ending right before the cue at token `cue`, looking no further
    /// left than `lo`; `reach` says which phrases count (see [`Reach`]).
    pub(crate) fn before(&self, lo: usize, cue: usize, reach: Reach) -> Option<Speaker> {
        let doc = self.doc;
        let words = doc.words();
        let mut e = self.subject_end(lo, cue);
        let appositive = e > lo + 2 && doc.tok(e - 1) == ",";
        if appositive {
            match self.apposition(lo, e) {
                Apposition::Decided(speaker) => return speaker,
                Apposition::EndsAt(end) => e = end,
            }
        }
        // "Several candidates, including Trump, said": the apposition only narrows the subject.
        let narrowing = appositive && words.narrowing_words.contains(doc.low(e + 1));
        let mut lo_np = lo;
        while lo_np < e && (is_punct(doc.low(lo_np)) || words.coordinators.contains(doc.low(lo_np))) {
            lo_np += 1;
        }
        if e <= lo_np || doc.token_quote[e - 1].is_some() {
            return None;
        }
        let tight = reach == Reach::Tight;
        let speaker = match self.head_mention(lo, lo_np, e) {
            Head::Settled(speaker) => {
                return speaker.filter(|sp| !tight || self.title_gap(lo_np, sp.tokens.start));
            }
            Head::Mention(Some(speaker)) => speaker,
            Head::Mention(None) if reach != Reach::Mention && (!appositive || narrowing) => {
                self.generic_before(lo_np, e)?
            }
            Head::Mention(None) => return None,
        };
        if tight && !self.title_gap(lo_np, speaker.tokens.start) {
            return None;
        }
        Some(speaker)
    }

    /// Like [`Self::before`] with [`Reach::AnyPhrase`]: any short noun phrase right before
    /// the cue counts as the subject when no name, pronoun or speaker noun is there ("the
    /// airline said", "42 percent say"); such speakers have no entity and kind group or
    /// unknown.
    pub(crate) fn subject_before(&self, lo: usize, cue: usize) -> Option<Speaker> {
        self.before(lo, cue, Reach::AnyPhrase)
    }

    /// Where the subject of the cue at `cue` ends: before the words that may sit between a
    /// subject and its verb ("also", "did not", "on Tuesday", "two weeks ago", "(D-Nev.)",
    /// ", however,"), a parenthetical between dashes and an adverbial set off by commas.
    fn subject_end(&self, lo: usize, cue: usize) -> usize {
        let doc = self.doc;
        let words = doc.words();
        let mut e = cue;
        while e > lo {
            let w = doc.low(e - 1);
            let two_back = if e >= lo + 2 { doc.low(e - 2) } else { "" };
            if words.between_subject_and_verb.contains(w)
                // "He and Rep. Bob Goodlatte both condemned": a floating quantifier.
                || words.floating_quantifiers.contains(w) && e >= lo + 2 && !is_punct(two_back)
                || w.ends_with("n't")
                || doc.ly_adverb(e - 1)
                || words.relative_days.contains(w)
                || (w.ends_with("day") && words.time_words.contains(w) && !words.time_determiners.contains(two_back))
            {
                e -= 1;
            } else if e >= lo + 2 && words.time_words.contains(w) && words.time_determiners.contains(two_back) {
                e -= 2; // "Huawei on Tuesday rejected"
            } else if let Some(k) = (w == "ago").then(|| self.ago_phrase_start(lo, e)).flatten() {
                e = k; // "The State Department less than two weeks ago said"
            } else if e >= lo + 2 && words.time_units.contains(w) && words.time_words.contains(two_back) {
                e -= 2; // "Tuesday night", "last week"
            } else if w == ")"
                && let Some(k) = (lo..e - 1).rev().take(MAX_PARENTHESIS_TOKENS).find(|&k| doc.tok(k) == "(")
                && k > lo
            {
                e = k; // "Harry Reid (D-Nev.) said"
            } else if e >= lo + 3 && w == "," && words.parenthetical_adverbs.contains(two_back) && doc.low(e - 3) == ","
            {
                e -= 3; // "Proponents of the bill, however, say"
            } else {
                break;
            }
        }
        // A parenthetical between dashes: "Murphy — after a knock-on-wood gesture — told".
        let dash = |k: usize| matches!(doc.tok(k), "—" | "–" | "--");
        if e > lo + 2
            && dash(e - 1)
            && let Some(k) = (lo..e - 1).rev().take(MAX_DASHED_TOKENS).find(|&k| dash(k))
            && k > lo
        {
            e = k;
        }
        // An interrupting adverbial: "Clinton, during a town hall in Columbus, Ohio, said".
        if e > lo + 2
            && doc.tok(e - 1) == ","
            && let Some(k) = (lo..e - 1).rev().take(MAX_INTERRUPTION_TOKENS).find(|&k| {
                doc.tok(k) == "," && words.interruption_starts.contains(doc.low(k + 1)) && doc.token_quote[k].is_none()
            })
            && k > lo
        {
            e = k;
        }
        e
    }

    /// The first token of "[less than] two weeks ago" ending right before `e` (the token
    /// after "ago"), when a subject stands before it.
    fn ago_phrase_start(&self, lo: usize, e: usize) -> Option<usize> {
        let doc = self.doc;
        let words = doc.words();
        let k = (lo..e - 1).rev().take(4).find(|&k| {
            let x = doc.low(k);
            !words.approximators.contains(x)
                && !x.starts_with(|c: char| c.is_ascii_digit())
                && !words.quantity_words.contains(x)
                && !words.time_words.contains(x)
                && !words.time_units.contains(x)
        })?;
        (k + 1 < e - 1).then_some(k + 1)
    }

    /// An apposition closed by the comma before the cue at `e` (`e - 1` is that comma).
    fn apposition(&self, lo: usize, e: usize) -> Apposition {
        let doc = self.doc;
        let words = doc.words();
        // "Cory James, 22, of Flint, Mich., said": a person opening the clause, set off by a
        // comma, is the subject whatever the apposition holds.
        let mut s = lo;
        while s < e && (is_punct(doc.low(s)) || words.coordinators.contains(doc.low(s))) {
            s += 1;
        }
        // "Speaking later on the same show, Sen. Claire McCaskill (D-Mo.), who ...": past an
        // opening participial or prepositional phrase.
        if (doc.low(s).ends_with("ing") || words.opening_prepositions.contains(doc.low(s)))
            && let Some(k) = (s + 1..e.min(s + 12)).find(|&k| doc.tok(k) == ",")
        {
            s = k + 1;
        }
        // "Texas delegate Bill Eastland, wearing a cowboy hat, said": a title or role may
        // come first.
        if let Some(p) = (s..(s + 5).min(e)).find(|&k| self.person_at(k))
            && let Some(ent) = doc.token_entity[p]
            && let Some(r) = doc.entity_tokens.get(ent).cloned()
            && r.start == p
            && r.end + 1 < e
            && self.title_gap(s, p)
            // "Sen. Claire McCaskill (D-Mo.), who ...": a party tag may come first.
            && (doc.tok(r.end) == ","
                || doc.tok(r.end) == "("
                    && (r.end..e.min(r.end + 8)).find(|&k| doc.tok(k) == ")").is_some_and(|k| doc.tok(k + 1) == ","))
        {
            return Apposition::Decided(self.entity_speaker(ent, r));
        }
        let comma = (lo..e - 1).rev().take(MAX_APPOSITION_TOKENS).find(|&k| doc.tok(k) == ",");
        // "France's National Front leader, Marine Le Pen, said": the name in apposition.
        if let Some(k) = comma
            && let Some(ent) = doc.token_entity[k + 1]
            && doc.entity_label(ent) == Some(EntityLabel::Person)
            && doc.entity_tokens.get(ent).is_some_and(|r| r.start == k + 1 && r.end == e - 1)
        {
            return Apposition::Decided(self.entity_speaker(ent, k + 1..e - 1));
        }
        match comma {
            Some(k) if k > lo => Apposition::EndsAt(k),
            _ => Apposition::Decided(None),
        }
    }

    /// The mention whose last token is `e - 1`: a pronoun, a relative pronoun, a name (the
    /// person of "PERSON of PLACE", or a description around it) or a description.
    fn head_mention(&self, lo: usize, lo_np: usize, e: usize) -> Head {
        let doc = self.doc;
        let words = doc.words();
        let last = e - 1;
        if words.is_pronoun(doc.low(last)) {
            return Head::Mention(Some(self.pronoun(last)));
        }
        if words.speaker_relatives.contains(doc.low(last)) {
            return Head::Mention(self.relative(lo, last));
        }
        let Some(ent) = doc.token_entity[last] else {
            return Head::Mention(self.description_ending(lo_np, e));
        };
        let r = doc.entity_tokens.get(ent).cloned().unwrap_or(last..e);
        if let Some((p, pr)) = self.person_of_place(lo_np, ent, r.clone()) {
            // "Jeb Bush of Florida said": the person, not the place.
            return Head::Settled(self.entity_speaker(p, pr));
        }
        // "Officials in Brussels said": the entity is inside a description. "Another
        // intelligence source speaking to Fox News said": the entity is the object of a
        // modifier.
        let inside_description = r.start > lo_np
            && (words.post_modifiers.contains(doc.low(r.start - 1))
                || r.start > lo_np + 1
                    && doc.low(r.start - 1) == "to"
                    && words.post_modifiers.contains(doc.low(r.start - 2)));
        let description = inside_description.then(|| self.description_ending(lo_np, e)).flatten();
        Head::Mention(match description {
            Some(d) if d.tokens.start < r.start => Some(d),
            _ => (r.end == e).then(|| self.entity_speaker(ent, r)).flatten(),
        })
    }

    /// Whether token `k` is part of a person's name.
    fn person_at(&self, k: usize) -> bool {
        let doc = self.doc;
        doc.token_entity.get(k).copied().flatten().is_some_and(|ent| doc.entity_label(ent) == Some(EntityLabel::Person))
    }

    /// Whether the tokens from `lo` to a speaker starting at `start` are a title or role
    /// before the name: "...," Foreign Minister Wang said; capitalised words ("Senate
    /// Minority Leader Reid") and a short lower-case role ("election law expert Rick Hasen")
    /// count, but not a clause.
    fn title_gap(&self, lo: usize, start: usize) -> bool {
        let doc = self.doc;
        let name_follows = doc.token_entity.get(start).copied().flatten().is_some();
        start <= lo
            || (lo..start).all(|k| {
                let t = doc.tok(k);
                // "Twitter's Adam Sharp": an organisation's possessive before the name.
                let possessive = matches!(t, "'s" | "’s") && k > lo && self.title_word(k - 1)
                    // "his nephew Michery el Soheil"
                    || k == lo
                        && name_follows
                        && doc.words().definite_determiners.contains(doc.low(k));
                self.title_word(k)
                    || possessive
                    || (name_follows
                        && start - lo <= MAX_ROLE_TOKENS
                        && t.starts_with(char::is_lowercase)
                        && !doc.lex.is_function_word(t)
                        && !doc.words().verb_words.contains(doc.low(k)))
            })
    }

    /// Where a speaker starting at `start` really starts once a title or short role before
    /// it is taken in ("Agriculture Minister Paul Renaud", "her adviser Tom Reyes"): at most
    /// three words back, not past `lo`, punctuation or a quote.
    pub(crate) fn role_start(&self, start: usize, lo: usize) -> usize {
        let doc = self.doc;
        let mut k = start;
        while k > lo
            && start - k < 5
            && !is_punct(doc.low(k - 1))
            && doc.token_quote[k - 1].is_none()
            && (self.title_word(k - 1)
                || doc.words().possessive_determiners.contains(doc.low(k - 1))
                || doc.words().articles.contains(doc.low(k - 1))
                || doc.words().role_modifiers.contains(doc.low(k - 1))
                || doc.lex.speaker_noun(doc.low(k - 1)).is_some())
        {
            k -= 1;
        }
        k
    }

    /// Whether token `k` can be part of a title before a name: a listed title, part of an
    /// entity, or capitalised ("Senate Minority Leader").
    pub(super) fn title_word(&self, k: usize) -> bool {
        let doc = self.doc;
        let t = doc.tok(k);
        doc.lex.title(t).is_some()
            || doc.token_entity.get(k).copied().flatten().is_some()
            || t.starts_with(char::is_uppercase)
    }

    /// The person in "PERSON of|from PLACE" ending with entity `ent` at `r`: the speaker
    /// is the person ("former Gov. Jeb Bush of Florida", "Bernie Sanders of Vermont").
    pub(super) fn person_of_place(&self, lo: usize, ent: usize, r: Range<usize>) -> Option<(usize, Range<usize>)> {
        let doc = self.doc;
        if doc.entity_label(ent) == Some(EntityLabel::Person) || r.start < lo + 2 {
            return None;
        }
        if !doc.words().origin_prepositions.contains(doc.low(r.start - 1)) {
            return None;
        }
        let p = doc.token_entity[r.start - 2]?;
        (doc.entity_label(p) == Some(EntityLabel::Person)).then(|| (p, doc.entity_tokens.get(p).cloned().unwrap_or(r)))
    }

    /// Any short noun phrase ending at `e` (exclusive) and starting after `lo`: the subject
    /// of a reporting verb that names no known entity or speaker noun ("the airline",
    /// "Organizers of the boycott", "42 percent", "Everyone"). The name is the phrase as
    /// written; the kind is a group for plurals and numbers, unknown otherwise.
    pub(super) fn generic_before(&self, lo: usize, e: usize) -> Option<Speaker> {
        let doc = self.doc;
        let mut s = e;
        while s > lo && e - s < MAX_GENERIC_SUBJECT_TOKENS {
            let k = s - 1;
            let w = doc.low(k);
            let joins = matches!(w, "'s" | "’s" | "%" | "&" | "-" | "." | "'" | "’");
            // "with 50 percent saying": a preposition before the subject is not part of it.
            let preposition = doc.words().subject_stop_prepositions.contains(w);
            if doc.token_quote[k].is_some()
                || (is_punct(w) && !joins)
                || doc.words().clause_words.contains(w)
                || preposition
            {
                break;
            }
            if k + 1 < e && doc.lex.cue_at(&doc.lower[k..(k + 3).min(e)]).is_some() {
                break;
            }
            if doc.words().verb_words.contains(w) {
                return None; // "the articles had helped add": a clause, not a subject
            }
            s -= 1;
        }
        // The phrase must start like a noun phrase: not with a preposition, auxiliary or
        // adverb, and not end with a word that cannot head one.
        while s < e && (is_punct(doc.low(s)) || matches!(doc.low(s), "'s" | "’s")) {
            s += 1;
        }
        if s >= e || e - s >= MAX_GENERIC_SUBJECT_TOKENS {
            return None;
        }
        let first = doc.low(s);
        let last = doc.low(e - 1);
        let number = |w: &str| {
            w.chars().next().is_some_and(|c| c.is_ascii_digit()) || w == "%" || doc.words().quantity_words.contains(w)
        };
        // "Nearly nine out of 10 say": an adverb of quantity starts a subject.
        let quantity = s + 1 < e && number(doc.low(s + 1));
        // "About 9 percent said": an approximation, not a preposition.
        let approximate = doc.words().approximators.contains(first) && quantity;
        if doc.words().not_subject_edges.contains(first) && !approximate
            || doc.words().not_subject_edges.contains(last)
            || (doc.ly_adverb(s) && !quantity)
            || (e - s == 1 && doc.lex.is_function_word(first) && !doc.words().generic_subject_words.contains(first))
        {
            return None;
        }
        let role =
            doc.tok(e - 1).chars().next().is_some_and(char::is_lowercase) && doc.lex.title(doc.tok(e - 1)).is_some();
        let kind = if role {
            SpeakerKind::Person // "the finance minister", "the club's chairman"
        } else if (s..e).any(|k| number(doc.low(k)))
            || doc.words().generic_subject_words.contains(last)
            || (last.ends_with('s')
                && !last.ends_with("ss")
                && doc.tok(e - 1).chars().next().is_some_and(char::is_lowercase))
        {
            SpeakerKind::Group
        } else if doc.words().indefinite_determiners.contains(first) {
            SpeakerKind::Anonymous // "Another commenter said", "a Democratic strategist said"
        } else {
            SpeakerKind::Unknown
        };
        Some(Speaker::as_written(doc, s..e, kind, SpeakerRule::SubjectPhrase))
    }

    /// The whole phrase `lo..cue` between a closing quotation mark and its cue, as written
    /// (`"...," the independent Vermont senator and Democratic presidential candidate told`,
    /// `"...," a voice-over in the ad states`): a determiner or a capital opens it, and it
    /// holds no punctuation, auxiliary or clause word but "and" and "of".
    pub(crate) fn phrase_subject(&self, lo: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        if cue <= lo || cue - lo > MAX_PHRASE_SUBJECT_TOKENS {
            return None;
        }
        let first = doc.low(lo);
        let opens = doc.words().determiners.contains(first)
            || doc.words().demonstratives.contains(first)
            || doc.words().possessive_determiners.contains(first)
            || doc.tok(lo).starts_with(char::is_uppercase) && !doc.words().is_pronoun(first);
        let plain = (lo..cue).all(|k| {
            let w = doc.low(k);
            doc.token_quote[k].is_none()
                && (!is_punct(w) || matches!(w, "'s" | "’s" | "&" | "-" | "."))
                && (!doc.words().clause_words.contains(w) || w == "and")
                && !doc.words().verb_words.contains(w)
                && !doc.ly_adverb(k)
        });
        let last = doc.low(cue - 1);
        if !opens
            || !plain
            || doc.words().not_subject_edges.contains(first)
            || doc.words().not_subject_edges.contains(last)
        {
            return None;
        }
        let kind = if doc.words().anonymous_openers.contains(first) {
            SpeakerKind::Anonymous
        } else if last.ends_with('s') && !last.ends_with("ss") && doc.tok(cue - 1).starts_with(char::is_lowercase) {
            SpeakerKind::Group
        } else {
            SpeakerKind::Unknown
        };
        Some(Speaker::as_written(doc, lo..cue, kind, SpeakerRule::PhraseAfterQuote))
    }

    /// A description ending at `e` (exclusive) whose head noun is the first speaker noun.
    pub(super) fn description_ending(&self, lo: usize, e: usize) -> Option<Speaker> {
        let doc = self.doc;
        let window_start = lo.max(e.saturating_sub(10));
        let head = (window_start..e).find(|&k| {
            doc.lex.speaker_noun(doc.low(k)).is_some()
                && !matches!(doc.tok(k + 1), "'s" | "’s")
                && doc.token_quote[k].is_none()
        })?;
        // What follows the head must continue the description.
        if head + 1 < e {
            let w = doc.low(head + 1);
            if !doc.words().post_modifiers.contains(w) {
                return None;
            }
            if (head + 1..e).any(|k| is_punct(doc.low(k))) {
                return None;
            }
        }
        // Walk left to the determiner that starts the phrase.
        let mut start = head;
        while start > lo {
            let w = doc.low(start - 1);
            if is_punct(w) && !matches!(w, "'s" | "’s" | "'" | "’")
                || doc.words().phrase_stops.contains(w)
                || doc.token_quote[start - 1].is_some()
            {
                break;
            }
            if head - (start - 1) > 5 {
                break;
            }
            start -= 1;
            if doc.words().determiners.contains(w) {
                break;
            }
            // A capitalised word before a determiner-less phrase: keep only name-like words.
            if doc.lex.is_function_word(w) && !doc.words().determiners.contains(w) {
                start += 1;
                break;
            }
        }
        Some(self.describe(start..e, head))
    }

    /// The subject that opens a sentence at token `t`: a person or organisation name, or a
    /// pronoun ("Fiorina was upfront about her distaste for Trump, saying ...").
    pub(crate) fn subject_at(&self, t: usize) -> Option<Speaker> {
        let doc = self.doc;
        if doc.words().is_pronoun(doc.low(t)) {
            return Some(self.pronoun(t));
        }
        // "Sen. Mark Kirk, ..., saying": titles before the name are not part of it.
        let mut t = t;
        while doc.token_entity.get(t).copied().flatten().is_none()
            && doc.tok(t).chars().next().is_some_and(char::is_uppercase)
            && doc.lex.title(doc.tok(t)).is_some()
        {
            t += 1;
        }
        if doc.token_entity.get(t).copied().flatten().is_none() {
            // "Former Secretary of State Madeleine Albright urged ...": a role before the
            // person's name.
            let p = (t + 1..(t + MAX_TITLE_TOKENS + 1).min(doc.tokens.len())).find(|&k| self.person_at(k))?;
            if !doc.tok(t).starts_with(char::is_uppercase) || !self.title_run(t, p) {
                return None;
            }
            t = p;
        }
        let ent = doc.token_entity.get(t).copied().flatten()?;
        let r = doc.entity_tokens.get(ent).cloned()?;
        (r.start == t).then(|| self.entity_speaker(ent, r)).flatten()
    }
}

/// The mention at the end of a subject.
enum Head {
    /// A mention, or none: the caller's [`Reach`] may still take any phrase.
    Mention(Option<Speaker>),
    /// The person of "PERSON of PLACE": no other phrase is tried.
    Settled(Option<Speaker>),
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    /// Speakers before their cue, by kind of mention.
    const TABLE: &[RuleRow] = &[
        (
            "\"We will appeal,\" Ana Ruiz, the company's lawyer, said.",
            "We will appeal",
            Some("Ana Ruiz"),
            "speaker.entity",
        ),
        (
            "A senior U.S. official said the talks had stalled.",
            "the talks had stalled",
            Some("A senior U.S. official"),
            "speaker.description",
        ),
        (
            "The airline said the pilot was experienced.",
            "the pilot was experienced",
            Some("The airline"),
            "speaker.subject_phrase",
        ),
        (
            "42 percent say the economy is getting worse.",
            "the economy is getting worse",
            Some("42 percent"),
            "speaker.subject_phrase",
        ),
        (
            "\"The count was fair,\" the deputy mayor and transport committee chair told reporters.",
            "The count was fair",
            Some("the deputy mayor and transport committee chair"),
            "speaker.phrase_after_quote",
        ),
        (
            "Several candidates, including Ana Ruiz, said the debate was unfair.",
            "the debate was unfair",
            Some("Several candidates"),
            "speaker.subject_phrase",
        ),
        ("Huawei on Tuesday rejected the report.", "the report", Some("Huawei"), "speaker.entity"),
        ("Huawei two weeks ago said the visas were valid.", "the visas were valid", Some("Huawei"), "speaker.entity"),
    ];

    #[test]
    fn subjects_before_the_cue() {
        assert_rule_rows(TABLE);
    }
}
