//! Speakers after their cue: "said Smith", "said Foreign Ministry spokesman Wang Wenbin",
//! "said a U.S. official on Tuesday", "according to people familiar with the matter",
//! "according to a company presentation", "..., according to early returns.".
//!
//! Invariant: a speaker found here starts at the first word after the cue (past commas and
//! dashes) and never at a medium or occasion ("said in a statement", "wrote on Twitter");
//! only "according to" ([`SpeakerFinder::source_after`]) takes a phrase that names no person,
//! organisation or speaker noun.

use super::{Speaker, SpeakerFinder, is_punct};
use crate::model::{EntityLabel, SpeakerKind};
use crate::nlp::rules::SpeakerRule;

/// Longest source phrase after a sentence-final "according to" taken without a determiner
/// or a known name ("according to early returns"): longer runs are clauses.
const MAX_CLOSING_SOURCE_TOKENS: usize = 14;

/// How far (tokens) after a cue a run of titles and names may reach its person ("said
/// Foreign Ministry spokesman Wang Wenbin").
const MAX_NAME_RUN_TOKENS: usize = 8;

/// How far (tokens) after a cue a description may reach its head noun.
const MAX_DESCRIPTION_HEAD_TOKENS: usize = 6;

/// Longest post-modifier of a description ("sources familiar with the matter").
const MAX_POST_MODIFIER_TOKENS: usize = 10;

/// What a run of titles and names after a cue holds.
enum NameRun {
    /// The first person of the run.
    Person(Option<Speaker>),
    /// No person; the first other entity with its tokens.
    Entity(usize, std::ops::Range<usize>),
    Nothing,
}

impl<'d, 'a> SpeakerFinder<'d, 'a> {
    /// The speaker phrase starting at `from` (after a cue: "said Smith", "said a senior
    /// official"), not reaching `hi`.
    pub(crate) fn after(&self, from: usize, hi: usize) -> Option<Speaker> {
        self.after_cue(from, hi, false)
    }

    /// Like [`Self::after`], but any short determiner phrase may name the source
    /// ("according to a company presentation"): for "according to" only.
    pub(crate) fn source_after(&self, from: usize, hi: usize) -> Option<Speaker> {
        self.after_cue(from, hi, true)
    }

    fn after_cue(&self, from: usize, hi: usize, any_source: bool) -> Option<Speaker> {
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
        match self.name_run(f, hi) {
            NameRun::Person(speaker) => return speaker,
            NameRun::Entity(ent, r) => {
                // "said Huawei spokesman" without a name is a description, handled below.
                let followed_by_noun = doc.lex.speaker_noun(doc.tok(r.end)).is_some();
                if r.start == f && !followed_by_noun {
                    // A name the tagger called MISC ("Gene B. Sperling") may still be written out.
                    return self.entity_speaker(ent, r).or_else(|| self.capitalised_name(f, hi).filter(|_| any_source));
                }
            }
            NameRun::Nothing => {}
        }
        let Some(head) = self.description_head(f, hi) else {
            return if any_source { self.any_phrase(f, hi).or_else(|| self.capitalised_name(f, hi)) } else { None };
        };
        Some(self.describe(f..self.description_end(head, hi), head))
    }

    /// The run of titles and names from `f` ("Foreign Ministry spokesman Wang Wenbin", "undecided
    /// Republican voter Stephanie Hooton"): its first person, else its first entity.
    fn name_run(&self, f: usize, hi: usize) -> NameRun {
        let doc = self.doc;
        let person_at = |j: usize| doc.token_entity[j].and_then(|e| doc.entity_label(e)) == Some(EntityLabel::Person);
        let mut k = f;
        let mut first_entity = None;
        while k < hi && k < f + MAX_NAME_RUN_TOKENS {
            let w = doc.tok(k);
            if let Some(ent) = doc.token_entity[k] {
                let r = doc.entity_tokens.get(ent).cloned().unwrap_or(k..k + 1);
                if doc.entity_label(ent) == Some(EntityLabel::Person) {
                    return NameRun::Person(self.entity_speaker(ent, r));
                }
                first_entity.get_or_insert((ent, r.clone()));
                k = r.end.max(k + 1);
                continue;
            }
            let title_like = doc.lex.title(w).is_some() || matches!(w, "'s" | "’s");
            if !title_like {
                // "said opposition leader Samuel Oduya": a role of plain words before a name,
                // past other names in the role.
                let lw = doc.low(k);
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
        match first_entity {
            Some((ent, r)) => NameRun::Entity(ent, r),
            None => NameRun::Nothing,
        }
    }

    /// The head noun of a description from `f`: determiners and modifiers, then a speaker
    /// noun or lower-case role that no other noun follows ("a senior U.S. official").
    fn description_head(&self, f: usize, hi: usize) -> Option<usize> {
        let doc = self.doc;
        let mut k = f;
        while k < hi && k < f + MAX_DESCRIPTION_HEAD_TOKENS {
            let w = doc.low(k);
            if is_punct(w) && !matches!(w, "'s" | "’s") || doc.words().phrase_stops.contains(w) {
                return None;
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
                    return Some(k);
                }
            }
            k += 1;
        }
        None
    }

    /// Where a description with head noun `head` ends: past a post-modifier ("familiar with
    /// the matter"), before a time ("on Tuesday"), a medium ("in a statement"), "who" or a
    /// cue.
    fn description_end(&self, head: usize, hi: usize) -> usize {
        let doc = self.doc;
        let words = doc.words();
        let mut end = head + 1;
        if end < hi && words.post_modifiers.contains(doc.low(end)) {
            while end < hi && end < head + MAX_POST_MODIFIER_TOKENS {
                let w = doc.low(end);
                let next = doc.low(end + 1);
                let time_follows = words.place_time_prepositions.contains(w) && words.circumstance_words.contains(next);
                let medium_follows =
                    w == "in" && words.articles.contains(next) && words.media_nouns.contains(doc.low(end + 2));
                if is_punct(w) || doc.token_quote[end].is_some() || time_follows || medium_follows || w == "who" {
                    break;
                }
                if doc.lex.cue_at(&doc.lower[end..(end + 4).min(doc.lower.len())]).is_some() && w != "told" {
                    break;
                }
                end += 1;
            }
        }
        end
    }

    /// Two to four capitalised words or initials from `f`, ending at punctuation or `hi`
    /// ("said Gene B. Sperling, a former adviser"): a name the tagger missed, as written.
    fn capitalised_name(&self, f: usize, hi: usize) -> Option<Speaker> {
        let doc = self.doc;
        let end = (f..hi.min(f + 5)).find(|&k| !doc.tok(k).starts_with(char::is_uppercase)).unwrap_or(hi.min(f + 5));
        let closed = end >= hi || is_punct(doc.low(end));
        let plain = (f..end).all(|k| doc.token_quote[k].is_none() && !doc.lex.is_function_word(doc.tok(k)));
        (closed && plain && (2..=4).contains(&(end - f)))
            .then(|| Speaker::as_written(doc, f..end, SpeakerKind::Unknown, SpeakerRule::CapitalisedName))
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
        Some(Speaker::as_written(doc, from..hi, SpeakerKind::Unknown, SpeakerRule::SourcePhrase))
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
        Some(Speaker::as_written(doc, f..end, SpeakerKind::Unknown, SpeakerRule::SourcePhrase))
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    /// Speakers after their cue, by kind of mention.
    const TABLE: &[RuleRow] = &[
        (
            "\"The count was fair,\" said Wang Li, the foreign minister.",
            "The count was fair",
            Some("Wang Li"),
            "speaker.entity",
        ),
        (
            "\"Talks have stalled,\" said a senior official familiar with the matter.",
            "Talks have stalled",
            Some("a senior official familiar with the matter"),
            "speaker.description",
        ),
        (
            "According to a company presentation seen by reporters, sales fell.",
            "sales fell",
            Some("a company presentation seen by reporters"),
            "speaker.source_phrase",
        ),
        (
            "Turnout rose for the third year, according to early returns.",
            "Turnout rose for the third year",
            Some("early returns"),
            "speaker.source_phrase",
        ),
    ];

    #[test]
    fn speakers_after_the_cue() {
        assert_rule_rows(TABLE);
    }
}
