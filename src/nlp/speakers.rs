//! Speakers: the noun phrase that names who is speaking, and what it refers to.
//!
//! Owns finding the speaker phrase next to a cue ("Smith said", "said Smith", "X, title of
//! Org, said", "a U.S. official said", "sources familiar with the matter said", "said
//! opposition leader Samuel Oduya", and any short subject phrase such as "the airline said"
//! or "42 percent say" when the caller allows it), and
//! resolving pronouns and organisation references ("he", "the company") against earlier
//! speakers and entity mentions. It must not decide which cue or quote a speaker belongs to;
//! that is attribution's job. Spans are token indices into the document; records get chars.

use std::ops::Range;

use super::Document;
use super::lexicon::{Gender, SpeakerNoun};
use crate::model::{EntityLabel, EntityMention, SpeakerKind};

/// A resolved speaker mention.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Speaker {
    /// Display name ("Ren Zhengfei", "a U.S. official").
    pub name: String,
    pub kind: SpeakerKind,
    /// Token range of the mention in the text (the pronoun itself when resolved).
    pub tokens: Range<usize>,
    /// Canonical entity when linked.
    pub entity: Option<String>,
    /// Resolved from a pronoun or a reference like "the company".
    pub resolved: bool,
}

impl Speaker {
    /// The phrase at `tokens` as written, linked to no entity: a description, a document or
    /// any noun phrase named as the source.
    pub(crate) fn as_written(doc: &Document<'_>, tokens: Range<usize>, kind: SpeakerKind) -> Speaker {
        let name = doc.text.slice(doc.span(tokens.clone())).to_string();
        Speaker { name, kind, tokens, entity: None, resolved: false }
    }
}

/// How many earlier speakers or entity mentions pronoun resolution looks at: antecedents
/// are near, and the bound keeps long documents linear.
const MAX_LOOKBACK: usize = 64;

/// Longest apposition between a subject and its cue ("Nelson Diaz, a former aide to Mr.
/// Rubio and now the chairman of the Republican Party in Miami-Dade County, said").
const MAX_APPOSITION_TOKENS: usize = 24;

/// Longest capitalised title before a name opening a sentence ("Former Secretary of State
/// Madeleine Albright").
const MAX_TITLE_TOKENS: usize = 6;

/// Longest lower-case role before a name after a quote ("election law expert Rick Hasen").
const MAX_ROLE_TOKENS: usize = 4;

/// Longest subject phrase taken as a speaker when it names no known entity or speaker noun:
/// longer runs are clauses, not noun phrases.
const MAX_GENERIC_SUBJECT_TOKENS: usize = 9;

/// Longest phrase between a closing quotation mark and its cue taken as the speaker as
/// written (`"...," the independent Vermont senator and Democratic presidential candidate
/// told`).
const MAX_PHRASE_SUBJECT_TOKENS: usize = 12;

/// Longest source phrase after a sentence-final "according to" taken without a determiner
/// or a known name ("according to early returns"): longer runs are clauses.
const MAX_CLOSING_SOURCE_TOKENS: usize = 14;

fn is_punct(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
}

/// Finds and resolves speakers, remembering earlier ones for pronouns.
pub(crate) struct SpeakerFinder<'d, 'a> {
    doc: &'d Document<'a>,
    /// Speakers attributed so far, by token position.
    history: Vec<(usize, Speaker)>,
}

impl<'d, 'a> SpeakerFinder<'d, 'a> {
    pub(crate) fn new(doc: &'d Document<'a>) -> Self {
        SpeakerFinder { doc, history: Vec::new() }
    }

    /// Remembers an attributed speaker for later pronoun resolution.
    pub(crate) fn remember(&mut self, at: usize, speaker: &Speaker) {
        self.history.push((at, speaker.clone()));
    }

    /// The speaker phrase ending right before the cue at token `cue`, looking no further
    /// left than `lo`. With `tight`, the phrase must start at `lo` (after punctuation and
    /// a conjunction): the shape `"...," Smith said`.
    pub(crate) fn before(&self, lo: usize, cue: usize, tight: bool) -> Option<Speaker> {
        self.before_inner(lo, cue, tight, false)
    }

    /// Like [`Self::before`] (not tight), but any short noun phrase right before the cue
    /// counts as the subject when no name, pronoun or speaker noun is there ("the airline
    /// said", "42 percent say"); such speakers have no entity and kind group or unknown.
    pub(crate) fn subject_before(&self, lo: usize, cue: usize) -> Option<Speaker> {
        self.before_inner(lo, cue, false, true)
    }

    fn before_inner(&self, lo: usize, cue: usize, tight: bool, any_phrase: bool) -> Option<Speaker> {
        let doc = self.doc;
        let words = doc.words();
        let mut e = cue;
        while e > lo {
            let w = doc.low(e - 1);
            if doc.words().between_subject_and_verb.contains(w)
                // "He and Rep. Bob Goodlatte both condemned": a floating quantifier.
                || words.floating_quantifiers.contains(w) && e >= lo + 2 && !is_punct(doc.low(e - 2))
                || w.ends_with("n't")
                || doc.ly_adverb(e - 1)
                || words.relative_days.contains(w)
                || (w.ends_with("day")
                    && doc.words().time_words.contains(w)
                    && !(e >= lo + 2 && words.time_determiners.contains(doc.low(e - 2))))
            {
                e -= 1;
            } else if e >= lo + 2
                && doc.words().time_words.contains(w)
                && words.time_determiners.contains(doc.low(e - 2))
            {
                e -= 2; // "Huawei on Tuesday rejected"
            } else if w == "ago"
                && let Some(k) = (lo..e - 1).rev().take(4).find(|&k| {
                    let x = doc.low(k);
                    !words.approximators.contains(x)
                        && !x.starts_with(|c: char| c.is_ascii_digit())
                        && !words.quantity_words.contains(x)
                        && !words.time_words.contains(x)
                        && !words.time_units.contains(x)
                })
                && k + 1 < e - 1
            {
                e = k + 1; // "The State Department less than two weeks ago said"
            } else if e >= lo + 2 && words.time_units.contains(w) && words.time_words.contains(doc.low(e - 2)) {
                e -= 2;
            } else if w == ")"
                && let Some(k) = (lo..e - 1).rev().take(20).find(|&k| doc.tok(k) == "(")
                && k > lo
            {
                e = k; // "Harry Reid (D-Nev.) said"
            } else if e >= lo + 3
                && w == ","
                && words.parenthetical_adverbs.contains(doc.low(e - 2))
                && doc.low(e - 3) == ","
            {
                e -= 3; // "Proponents of the bill, however, say"
            } else {
                break;
            }
        }
        // A parenthetical between dashes: "Murphy — after a knock-on-wood gesture — told".
        if e > lo + 2
            && matches!(doc.tok(e - 1), "—" | "–" | "--")
            && let Some(k) = (lo..e - 1).rev().take(16).find(|&k| matches!(doc.tok(k), "—" | "–" | "--"))
            && k > lo
        {
            e = k;
        }
        // An interrupting adverbial: "Clinton, during a town hall in Columbus, Ohio, said".
        if e > lo + 2
            && doc.tok(e - 1) == ","
            && let Some(k) = (lo..e - 1).rev().take(20).find(|&k| {
                doc.tok(k) == ","
                    && doc.words().interruption_starts.contains(doc.low(k + 1))
                    && doc.token_quote[k].is_none()
            })
            && k > lo
        {
            e = k;
        }
        // Appositive: "Smith, chief executive of Acme, said".
        let appositive = e > lo + 2 && doc.tok(e - 1) == ",";
        if appositive {
            // "Cory James, 22, of Flint, Mich., said": a person opening the clause, set off
            // by a comma, is the subject whatever the apposition holds.
            let mut s = lo;
            while s < e && (is_punct(doc.low(s)) || words.coordinators.contains(doc.low(s))) {
                s += 1;
            }
            // "Speaking later on the same show, Sen. Claire McCaskill (D-Mo.), who ...": past
            // an opening participial or prepositional phrase.
            if (doc.low(s).ends_with("ing") || words.opening_prepositions.contains(doc.low(s)))
                && let Some(k) = (s + 1..e.min(s + 12)).find(|&k| doc.tok(k) == ",")
            {
                s = k + 1;
            }
            // "Texas delegate Bill Eastland, wearing a cowboy hat, said": a title or role
            // may come first.
            if let Some(p) = (s..(s + 5).min(e))
                .find(|&k| doc.token_entity[k].is_some_and(|ent| doc.entity_label(ent) == Some(EntityLabel::Person)))
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
                return self.entity_speaker(ent, r);
            }
            let comma = (lo..e - 1).rev().take(MAX_APPOSITION_TOKENS).find(|&k| doc.tok(k) == ",");
            // "France's National Front leader, Marine Le Pen, said": the name in apposition.
            if let Some(k) = comma
                && let Some(ent) = doc.token_entity[k + 1]
                && doc.entity_label(ent) == Some(EntityLabel::Person)
                && doc.entity_tokens.get(ent).is_some_and(|r| r.start == k + 1 && r.end == e - 1)
            {
                return self.entity_speaker(ent, k + 1..e - 1);
            }
            match comma {
                Some(k) if k > lo => e = k,
                _ => return None,
            }
        }
        // "Several candidates, including Trump, said": the apposition only narrows the subject.
        let narrowing = appositive && words.narrowing_words.contains(doc.low(e + 1));
        let mut lo_np = lo;
        while lo_np < e && (is_punct(doc.low(lo_np)) || words.coordinators.contains(doc.low(lo_np))) {
            lo_np += 1;
        }
        if e <= lo_np {
            return None;
        }
        let last = e - 1;
        if doc.token_quote[last].is_some() {
            return None;
        }
        let speaker = if doc.words().is_pronoun(doc.low(last)) {
            Some(self.pronoun(last))
        } else if words.speaker_relatives.contains(doc.low(last)) {
            self.relative(lo, last)
        } else if let Some(ent) = doc.token_entity[last] {
            let r = doc.entity_tokens.get(ent).cloned().unwrap_or(last..e);
            if let Some((p, pr)) = self.person_of_place(lo_np, ent, r.clone()) {
                // "Jeb Bush of Florida said": the person, not the place.
                return self.entity_speaker(p, pr).filter(|sp| !tight || self.title_gap(lo_np, sp.tokens.start));
            }
            // "Officials in Brussels said": the entity is inside a description.
            // "Another intelligence source speaking to Fox News said": the entity is the
            // object of a modifier.
            let inside_description = r.start > lo_np
                && (doc.words().post_modifiers.contains(doc.low(r.start - 1))
                    || r.start > lo_np + 1
                        && doc.low(r.start - 1) == "to"
                        && doc.words().post_modifiers.contains(doc.low(r.start - 2)));
            let description = inside_description.then(|| self.description_ending(lo_np, e)).flatten();
            match description {
                Some(d) if d.tokens.start < r.start => Some(d),
                _ => (r.end == e).then(|| self.entity_speaker(ent, r)).flatten(),
            }
        } else {
            self.description_ending(lo_np, e)
        };
        let speaker = match speaker {
            Some(s) => s,
            None if (any_phrase || tight) && (!appositive || narrowing) => self.generic_before(lo_np, e)?,
            None => return None,
        };
        if tight && !self.title_gap(lo_np, speaker.tokens.start) {
            return None;
        }
        Some(speaker)
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
    fn title_word(&self, k: usize) -> bool {
        let doc = self.doc;
        let t = doc.tok(k);
        doc.lex.title(t).is_some()
            || doc.token_entity.get(k).copied().flatten().is_some()
            || t.starts_with(char::is_uppercase)
    }

    /// The person in "PERSON of|from PLACE" ending with entity `ent` at `r`: the speaker
    /// is the person ("former Gov. Jeb Bush of Florida", "Bernie Sanders of Vermont").
    fn person_of_place(&self, lo: usize, ent: usize, r: Range<usize>) -> Option<(usize, Range<usize>)> {
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
    fn generic_before(&self, lo: usize, e: usize) -> Option<Speaker> {
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
        Some(Speaker::as_written(doc, s..e, kind))
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
        Some(Speaker::as_written(doc, lo..cue, kind))
    }

    /// The speaker phrase starting at `from` (after a cue: "said Smith", "according to
    /// people familiar with the matter"), not reaching `hi`.
    pub(crate) fn after(&self, from: usize, hi: usize) -> Option<Speaker> {
        self.after_inner(from, hi, false)
    }

    /// Like [`Self::after`], but any short determiner phrase may name the source
    /// ("according to a company presentation"): for "according to" only.
    pub(crate) fn source_after(&self, from: usize, hi: usize) -> Option<Speaker> {
        self.after_inner(from, hi, true)
    }

    fn after_inner(&self, from: usize, hi: usize, any_source: bool) -> Option<Speaker> {
        let doc = self.doc;
        let mut f = from;
        while f < hi && matches!(doc.tok(f), "," | "—" | "–") {
            f += 1;
        }
        // "said in a statement", "wrote on Twitter": a medium or occasion, not the speaker.
        if f >= hi || doc.token_quote[f].is_some() || doc.words().circumstance_prepositions.contains(doc.low(f)) {
            return None;
        }
        if doc.words().is_pronoun(doc.low(f)) {
            return Some(self.pronoun(f));
        }
        // "said Foreign Ministry spokesman Wang Wenbin": the first person within a run of
        // titles and names.
        let mut k = f;
        let mut first_entity = None;
        while k < hi && k < f + 8 {
            let w = doc.tok(k);
            if let Some(ent) = doc.token_entity[k] {
                let r = doc.entity_tokens.get(ent).cloned().unwrap_or(k..k + 1);
                if doc.entity_label(ent) == Some(EntityLabel::Person) {
                    return self.entity_speaker(ent, r);
                }
                first_entity.get_or_insert((ent, r.clone()));
                k = r.end.max(k + 1);
                continue;
            }
            let title_like = doc.lex.title(w).is_some() || matches!(w, "'s" | "’s");
            if !title_like {
                // "said opposition leader Samuel Oduya": a role of plain words before a name.
                let lw = doc.low(k);
                // "said undecided Republican voter Stephanie Hooton": the first person, past
                // other names in the role.
                let person_at =
                    |j: usize| doc.token_entity[j].and_then(|e| doc.entity_label(e)) == Some(EntityLabel::Person);
                let name_follows = (k + 1..(k + 4).min(hi)).find(|&j| person_at(j)).is_some_and(|j| {
                    (k..j).all(|m| {
                        let x = doc.low(m);
                        !is_punct(x) && !doc.words().phrase_stops.contains(x) && doc.token_quote[m].is_none()
                    })
                });
                // "said having Trump at the top": a verb, not a role.
                if is_punct(lw) || doc.words().phrase_stops.contains(lw) || !name_follows || lw.ends_with("ing") {
                    break;
                }
            }
            k += 1;
        }
        if let Some((ent, r)) = first_entity {
            // "said Huawei spokesman" without a name is a description, handled below.
            let followed_by_noun = doc.lex.speaker_noun(doc.tok(r.end)).is_some();
            if r.start == f && !followed_by_noun {
                // A name the tagger called MISC ("Gene B. Sperling") may still be written out.
                return self.entity_speaker(ent, r).or_else(|| self.capitalised_name(f, hi).filter(|_| any_source));
            }
        }
        // A description: determiners, modifiers, a speaker noun, a post-modifier.
        let mut head = None;
        let mut k = f;
        while k < hi && k < f + 6 {
            let w = doc.low(k);
            if is_punct(w) && !matches!(w, "'s" | "’s") || doc.words().phrase_stops.contains(w) {
                break;
            }
            let role = doc.tok(k).chars().next().is_some_and(char::is_lowercase) && doc.lex.title(w).is_some();
            if (doc.lex.speaker_noun(w).is_some() || role) && !matches!(doc.tok(k + 1), "'s" | "’s") {
                let next = doc.tok(k + 1);
                let modifier_of_next_noun = next.chars().next().is_some_and(char::is_lowercase)
                    && !next.ends_with("ed") // "a federal judge sided with": a verb follows
                    && !doc.words().post_modifiers.contains(doc.low(k + 1))
                    && !doc.words().phrase_stops.contains(doc.low(k + 1))
                    && doc.lex.cue_at(&doc.lower[(k + 1).min(doc.lower.len())..(k + 5).min(doc.lower.len())]).is_none();
                if !modifier_of_next_noun {
                    head = Some(k);
                    break;
                }
            }
            k += 1;
        }
        let Some(head) = head else {
            return if any_source { self.any_phrase(f, hi).or_else(|| self.capitalised_name(f, hi)) } else { None };
        };
        let mut end = head + 1;
        if end < hi && doc.words().post_modifiers.contains(doc.low(end)) {
            while end < hi && end < head + 10 {
                let w = doc.low(end);
                let next = doc.low(end + 1);
                let time_follows =
                    doc.words().place_time_prepositions.contains(w) && doc.words().circumstance_words.contains(next);
                let medium_follows = w == "in"
                    && doc.words().articles.contains(next)
                    && doc.words().media_nouns.contains(doc.low(end + 2));
                if is_punct(w) || doc.token_quote[end].is_some() || time_follows || medium_follows || w == "who" {
                    break;
                }
                if doc.lex.cue_at(&doc.lower[end..(end + 4).min(doc.lower.len())]).is_some() && w != "told" {
                    break;
                }
                end += 1;
            }
        }
        Some(self.describe(f..end, head))
    }

    /// Two to four capitalised words or initials from `f`, ending at punctuation or `hi`
    /// ("said Gene B. Sperling, a former adviser"): a name the tagger missed, as written.
    fn capitalised_name(&self, f: usize, hi: usize) -> Option<Speaker> {
        let doc = self.doc;
        let end = (f..hi.min(f + 5)).find(|&k| !doc.tok(k).starts_with(char::is_uppercase)).unwrap_or(hi.min(f + 5));
        let closed = end >= hi || is_punct(doc.low(end));
        let plain = (f..end).all(|k| doc.token_quote[k].is_none() && !doc.lex.is_function_word(doc.tok(k)));
        (closed && plain && (2..=4).contains(&(end - f)))
            .then(|| Speaker::as_written(doc, f..end, SpeakerKind::Unknown))
    }

    /// The phrase from `from` to the end of the sentence's content `hi` as the source of a
    /// closing "according to" ("..., according to company documents."): short, without
    /// punctuation, quotation marks or clause words.
    pub(crate) fn closing_source(&self, from: usize, hi: usize) -> Option<Speaker> {
        let doc = self.doc;
        if from >= hi || hi - from > MAX_CLOSING_SOURCE_TOKENS {
            return None;
        }
        let plain = (from..hi).all(|k| {
            let w = doc.low(k);
            doc.token_quote[k].is_none() && (!is_punct(w) || matches!(w, "'s" | "’s" | "&" | "-" | "."))
        });
        let first = doc.low(from);
        if !plain
            || doc.words().is_pronoun(first)
            || doc.words().clause_words.contains(first)
            || doc.words().not_subject_edges.contains(first)
        {
            return None;
        }
        Some(Speaker::as_written(doc, from..hi, SpeakerKind::Unknown))
    }

    /// Any short phrase up to the next punctuation, as an unknown speaker ("according to a
    /// company presentation seen by Reuters"): documents and other sources.
    fn any_phrase(&self, f: usize, hi: usize) -> Option<Speaker> {
        let doc = self.doc;
        let mut end = f;
        while end < hi
            && end < f + 10
            && !is_punct(doc.low(end))
            && doc.token_quote[end].is_none()
            && !doc.words().relative_pronouns.contains(doc.low(end))
        {
            end += 1;
        }
        if end == f || end - f > 8 {
            return None;
        }
        let first = doc.low(f);
        // "According to Variety, ...", "According to state law, ...": a phrase closed by
        // the comma before the statement names its source whatever word opens it.
        let closed_by_comma =
            doc.tok(end) == "," && !doc.words().is_pronoun(first) && !doc.words().clause_words.contains(first);
        let possessive = doc.words().possessive_determiners.contains(first);
        if !doc.words().determiners.contains(first) && doc.token_entity[f].is_none() && !closed_by_comma && !possessive
        {
            return None;
        }
        Some(Speaker::as_written(doc, f..end, SpeakerKind::Unknown))
    }

    /// A description ending at `e` (exclusive) whose head noun is the first speaker noun.
    fn description_ending(&self, lo: usize, e: usize) -> Option<Speaker> {
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

    fn describe(&self, tokens: Range<usize>, head: usize) -> Speaker {
        let doc = self.doc;
        let noun = doc.lex.speaker_noun(doc.low(head));
        let kind = match noun {
            Some(SpeakerNoun::Group) => SpeakerKind::Group,
            Some(SpeakerNoun::OrgReference) => SpeakerKind::Organization,
            Some(SpeakerNoun::Document) => SpeakerKind::Unknown,
            _ => SpeakerKind::Anonymous,
        };
        let definite = doc.low(tokens.start) == "the" || doc.low(tokens.start) == "its";
        if noun == Some(SpeakerNoun::OrgReference) && definite && tokens.end == head + 1 {
            // "the company" / "the ministry": the last organisation mentioned.
            if let Some((canonical, _)) = self.last_organisation(tokens.start, doc.low(head)) {
                return Speaker { name: canonical.clone(), kind, tokens, entity: Some(canonical), resolved: true };
            }
        }
        Speaker::as_written(doc, tokens, kind)
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
            let p = (t + 1..(t + MAX_TITLE_TOKENS + 1).min(doc.tokens.len()))
                .find(|&k| doc.token_entity[k].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))?;
            if !doc.tok(t).starts_with(char::is_uppercase) || !self.title_run(t, p) {
                return None;
            }
            t = p;
        }
        let ent = doc.token_entity.get(t).copied().flatten()?;
        let r = doc.entity_tokens.get(ent).cloned()?;
        (r.start == t).then(|| self.entity_speaker(ent, r)).flatten()
    }

    fn entity_speaker(&self, ent: usize, tokens: Range<usize>) -> Option<Speaker> {
        let m = self.doc.entities.get(ent)?;
        let kind = match m.label {
            EntityLabel::Person => SpeakerKind::Person,
            // "China said", "Washington warned": a government speaking.
            EntityLabel::Organization | EntityLabel::Location => SpeakerKind::Organization,
            EntityLabel::Misc => return None,
        };
        Some(Speaker { name: m.canonical.clone(), kind, tokens, entity: Some(m.canonical.clone()), resolved: false })
    }

    /// The possessor ending right before token `t` ("Trump's", "his", "the company's"),
    /// looking no further left than `lo`: a possessive pronoun resolved like its personal
    /// pronoun, or the speaker phrase before "'s".
    pub(crate) fn possessor_before(&self, lo: usize, t: usize) -> Option<Speaker> {
        let doc = self.doc;
        if t <= lo {
            return None;
        }
        let possessive = doc.low(t - 1);
        let personal = match doc.words().possessive_pronouns.second_of(possessive) {
            Some(personal) => personal,
            // "the union's denial", but not "last year's decision".
            None if matches!(possessive, "'s" | "’s") => {
                return self.before(lo, t - 1, false).or_else(|| {
                    self.subject_before(lo, t - 1).filter(|s| {
                        !s.tokens.clone().any(|k| {
                            let w = doc.low(k);
                            doc.words().time_words.contains(w) || doc.words().time_units.contains(w)
                        })
                    })
                });
            }
            None => return None,
        };
        // "Trump is doubling down on his support": a person named earlier in the clause.
        if matches!(personal, "he" | "she")
            && let Some(k) = (lo..t - 1)
                .rev()
                .find(|&k| doc.token_entity[k].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))
            && let Some(ent) = doc.token_entity[k]
            && let Some(sp) = self.entity_speaker(ent, doc.entity_tokens.get(ent).cloned().unwrap_or(k..k + 1))
        {
            return Some(Speaker { tokens: t - 1..t, resolved: true, ..sp });
        }
        Some(self.pronoun_as(t - 1, personal))
    }

    /// Resolves the pronoun at token `t`; unresolvable pronouns stay as written.
    fn pronoun(&self, t: usize) -> Speaker {
        self.pronoun_as(t, self.doc.low(t))
    }

    /// Resolves the token at `t` as the personal pronoun `word` ("his" as "he").
    fn pronoun_as(&self, t: usize, word: &str) -> Speaker {
        let doc = self.doc;
        let as_written = Speaker {
            name: doc.tok(t).to_string(),
            kind: SpeakerKind::Unknown,
            tokens: t..t + 1,
            entity: None,
            resolved: false,
        };
        let para = doc.token_para.get(t).copied().unwrap_or(0);
        let resolved = match word {
            "he" | "she" => {
                let want = if word == "he" { Gender::Male } else { Gender::Female };
                let fits = |name: &str| doc.genders.get(name).is_none_or(|g| *g == want || *g == Gender::Unknown);
                let history = self
                    .history
                    .iter()
                    .rev()
                    .take(MAX_LOOKBACK)
                    .filter(|(at, s)| {
                        *at < t
                            && s.kind == SpeakerKind::Person
                            && para.saturating_sub(doc.token_para.get(*at).copied().unwrap_or(0)) <= 3
                    })
                    .max_by_key(|(at, _)| *at);
                // "Governor Tom Reyes insisted ...: “...,” he claimed.": the person opening
                // the pronoun's own sentence beats an earlier speaker.
                let subject = self
                    .sentence_person(t)
                    .filter(|(at, m)| fits(&m.canonical) && history.is_none_or(|(h, _)| *h < *at));
                let from_history = match subject {
                    Some((_, m)) => Some((m.canonical.clone(), Some(m.canonical.clone()))),
                    None => history
                        .filter(|(_, s)| s.entity.as_deref().is_some_and(fits))
                        .map(|(_, s)| (s.name.clone(), s.entity.clone())),
                };
                from_history
                    .or_else(|| {
                        let pos = doc.tokens.get(t).map_or(0, |x| x.start);
                        doc.entities[..doc.entities.partition_point(|m| m.start < pos)]
                            .iter()
                            .rev()
                            .take(MAX_LOOKBACK)
                            .find(|m| m.label == EntityLabel::Person && fits(&m.canonical))
                            .map(|m| (m.canonical.clone(), Some(m.canonical.clone())))
                    })
                    .map(|(name, entity)| (name, entity, SpeakerKind::Person))
            }
            "it" => self.last_organisation(t, "").map(|(c, _)| (c.clone(), Some(c), SpeakerKind::Organization)),
            "they" => self
                .history
                .iter()
                .rev()
                .take(MAX_LOOKBACK)
                .filter(|(at, s)| {
                    *at < t && matches!(s.kind, SpeakerKind::Group | SpeakerKind::Anonymous | SpeakerKind::Organization)
                })
                .max_by_key(|(at, _)| *at)
                .filter(|(at, _)| para.saturating_sub(doc.token_para.get(*at).copied().unwrap_or(0)) <= 1)
                .map(|(_, s)| (s.name.clone(), s.entity.clone(), s.kind)),
            _ => None,
        };
        match resolved {
            Some((name, entity, kind)) => Speaker { name, kind, tokens: t..t + 1, entity, resolved: true },
            None => as_written,
        }
    }

    /// Whether tokens `from..to` are a capitalised title before a name, "of" and "the"
    /// allowed inside ("Former Secretary of State").
    fn title_run(&self, from: usize, to: usize) -> bool {
        let doc = self.doc;
        (from..to).all(|k| {
            self.title_word(k) && !is_punct(doc.low(k)) || k > from && doc.words().title_connectors.contains(doc.low(k))
        })
    }

    /// The person named at the start of the sentence holding token `t`, before it (after
    /// titles and a short opener): its first token and its mention.
    fn sentence_person(&self, t: usize) -> Option<(usize, &EntityMention)> {
        let doc = self.doc;
        let s = *doc.token_sentence.get(t)?;
        let first = doc.sentence_tokens.get(s)?.start;
        let k = (first..t.min(first + MAX_TITLE_TOKENS + 1))
            .find(|&k| doc.token_entity[k].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))?;
        let ent = doc.token_entity[k]?;
        (self.title_run(first, k) && doc.entity_tokens.get(ent)?.start == k).then(|| (k, &doc.entities[ent]))
    }

    /// A relative pronoun at `t` as a speaker mention ("Sanders, who had opposed ..."): the
    /// mention is the pronoun, the name that of the noun phrase it follows (a name, a
    /// speaker description or any short noun phrase after `lo`).
    fn relative(&self, lo: usize, t: usize) -> Option<Speaker> {
        let doc = self.doc;
        let mut e = t;
        while e > lo && doc.tok(e - 1) == "," {
            e -= 1;
        }
        if e <= lo {
            return None;
        }
        let antecedent = match doc.token_entity[e - 1] {
            Some(ent) => {
                let r = doc.entity_tokens.get(ent).cloned().unwrap_or(e - 1..e);
                // "Senator Bernie Sanders of Vermont, who": the person, not the place.
                let (ent, r) = self.person_of_place(lo, ent, r.clone()).unwrap_or((ent, r));
                self.entity_speaker(ent, r)
            }
            None => self.description_ending(lo, e).or_else(|| self.generic_before(lo, e)),
        }?;
        Some(Speaker { tokens: t..t + 1, resolved: true, ..antecedent })
    }

    /// The latest organisation before token `t`: a speaker first, then any mention. A head
    /// word ("ministry") prefers organisations whose name contains it.
    fn last_organisation(&self, t: usize, head: &str) -> Option<(String, usize)> {
        let doc = self.doc;
        let pos = doc.tokens.get(t).map_or(usize::MAX, |x| x.start);
        let before = doc.entities.partition_point(|m| m.start < pos);
        let orgs = || {
            doc.entities[..before]
                .iter()
                .enumerate()
                .rev()
                .take(MAX_LOOKBACK)
                .filter(|(_, m)| m.label == EntityLabel::Organization)
        };
        if !head.is_empty() {
            if let Some((i, m)) = orgs().find(|(_, m)| m.canonical.to_lowercase().contains(head)) {
                return Some((m.canonical.clone(), i));
            }
            if !doc.words().generic_org_nouns.contains(head) {
                return None; // "the ministry" with no ministry named: keep the description
            }
        }
        let from_history = self
            .history
            .iter()
            .rev()
            .take(MAX_LOOKBACK)
            .filter(|(at, s)| *at < t && s.kind == SpeakerKind::Organization && s.entity.is_some())
            .max_by_key(|(at, _)| *at);
        let from_mentions = orgs().next();
        match (from_history, from_mentions) {
            (Some((at, s)), Some((i, m))) => {
                let at_pos = doc.tokens.get(*at).map_or(0, |x| x.start);
                if at_pos >= m.start { s.entity.clone().map(|e| (e, i)) } else { Some((m.canonical.clone(), i)) }
            }
            (Some((_, s)), None) => s.entity.clone().map(|e| (e, 0)),
            (None, Some((i, m))) => Some((m.canonical.clone(), i)),
            (None, None) => None,
        }
    }
}
