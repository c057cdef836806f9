//! Coreference: what a pronoun, relative pronoun, possessor or organisation reference
//! stands for ("he", "who", "his", "Trump's", "the company").
//!
//! Invariant: a resolved speaker keeps the token range of the referring word (the pronoun,
//! not its antecedent) and is marked `resolved`; antecedents are looked for only before it,
//! among at most [`MAX_LOOKBACK`] earlier speakers or mentions; an unresolvable pronoun stays
//! as written with kind `unknown`.

use super::{MAX_TITLE_TOKENS, Speaker, SpeakerFinder, is_punct};
use crate::model::{EntityLabel, EntityMention, SpeakerKind};
use crate::nlp::lexicon::Gender;
use crate::nlp::rules::SpeakerRule;
use crate::nlp::speakers::Reach;

/// How many earlier speakers or entity mentions pronoun resolution looks at: antecedents
/// are near, and the bound keeps long documents linear.
const MAX_LOOKBACK: usize = 64;

/// How many paragraphs back an earlier person speaker may be for "he" or "she".
const MAX_PERSON_PARAGRAPHS: usize = 3;

impl<'d, 'a> SpeakerFinder<'d, 'a> {
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
                return self.before(lo, t - 1, Reach::Mention).or_else(|| {
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
        if (personal == "he" || personal == "she")
            && let Some(k) = (lo..t - 1)
                .rev()
                .find(|&k| doc.token_entity[k].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))
            && let Some(ent) = doc.token_entity[k]
            && let Some(sp) = self.entity_speaker(ent, doc.entity_tokens.get(ent).cloned().unwrap_or(k..k + 1))
        {
            return Some(Speaker { tokens: t - 1..t, resolved: true, rule: SpeakerRule::Pronoun, ..sp });
        }
        Some(self.pronoun_as(t - 1, personal))
    }

    /// Resolves the pronoun at token `t`; unresolvable pronouns stay as written.
    pub(super) fn pronoun(&self, t: usize) -> Speaker {
        self.pronoun_as(t, self.doc.low(t))
    }

    /// Resolves the token at `t` as the personal pronoun `word` ("his" as "he").
    fn pronoun_as(&self, t: usize, word: &str) -> Speaker {
        let doc = self.doc;
        let resolved = match word {
            "he" | "she" => self.person_antecedent(t, if word == "he" { Gender::Male } else { Gender::Female }),
            "it" => self.last_organisation(t, "").map(|(c, _)| (c.clone(), Some(c), SpeakerKind::Organization)),
            "they" => self.group_antecedent(t),
            _ => None,
        };
        let tokens = t..t + 1;
        match resolved {
            Some((name, entity, kind)) => {
                Speaker { name, kind, tokens, entity, resolved: true, rule: SpeakerRule::Pronoun }
            }
            None => Speaker {
                name: doc.tok(t).to_string(),
                kind: SpeakerKind::Unknown,
                tokens,
                entity: None,
                resolved: false,
                rule: SpeakerRule::UnresolvedPronoun,
            },
        }
    }

    /// The person "he" or "she" at `t` refers to: the person opening the pronoun's own
    /// sentence, else the latest person speaker within three paragraphs, else the latest
    /// person mentioned; the gender implied by a title must fit.
    fn person_antecedent(&self, t: usize, want: Gender) -> Option<(String, Option<String>, SpeakerKind)> {
        let doc = self.doc;
        let para = doc.token_para.get(t).copied().unwrap_or(0);
        let fits = |name: &str| doc.genders.get(name).is_none_or(|g| *g == want || *g == Gender::Unknown);
        let history = self
            .history
            .iter()
            .rev()
            .take(MAX_LOOKBACK)
            .filter(|(at, s)| {
                *at < t
                    && s.kind == SpeakerKind::Person
                    && para.saturating_sub(doc.token_para.get(*at).copied().unwrap_or(0)) <= MAX_PERSON_PARAGRAPHS
            })
            .max_by_key(|(at, _)| *at);
        // "Governor Tom Reyes insisted ...: “...,” he claimed.": the person opening the
        // pronoun's own sentence beats an earlier speaker.
        let subject =
            self.sentence_person(t).filter(|(at, m)| fits(&m.canonical) && history.is_none_or(|(h, _)| *h < *at));
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

    /// What "they" at `t` refers to: the latest group, anonymous or organisation speaker in
    /// this paragraph or the one before.
    fn group_antecedent(&self, t: usize) -> Option<(String, Option<String>, SpeakerKind)> {
        let doc = self.doc;
        let para = doc.token_para.get(t).copied().unwrap_or(0);
        self.history
            .iter()
            .rev()
            .take(MAX_LOOKBACK)
            .filter(|(at, s)| {
                *at < t && matches!(s.kind, SpeakerKind::Group | SpeakerKind::Anonymous | SpeakerKind::Organization)
            })
            .max_by_key(|(at, _)| *at)
            .filter(|(at, _)| para.saturating_sub(doc.token_para.get(*at).copied().unwrap_or(0)) <= 1)
            .map(|(_, s)| (s.name.clone(), s.entity.clone(), s.kind))
    }

    /// Whether tokens `from..to` are a capitalised title before a name, "of" and "the"
    /// allowed inside ("Former Secretary of State").
    pub(super) fn title_run(&self, from: usize, to: usize) -> bool {
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
    pub(super) fn relative(&self, lo: usize, t: usize) -> Option<Speaker> {
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
        Some(Speaker { tokens: t..t + 1, resolved: true, rule: SpeakerRule::Relative, ..antecedent })
    }

    /// The latest organisation before token `t`: a speaker first, then any mention. A head
    /// word ("ministry") prefers organisations whose name contains it.
    pub(super) fn last_organisation(&self, t: usize, head: &str) -> Option<(String, usize)> {
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

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    /// Pronouns, references, relatives and possessors, resolved.
    const TABLE: &[RuleRow] = &[
        (
            "Commerce Secretary Gina Lorenzo spoke in Ohio. \"This is about jobs,\" she said.",
            "This is about jobs",
            Some("Gina Lorenzo"),
            "speaker.pronoun",
        ),
        (
            "Huawei released its results on Monday. The company said sales had risen.",
            "sales had risen",
            Some("Huawei"),
            "speaker.org_reference",
        ),
        (
            "The bill was opposed by Senator Ann Walsh of Oregon, who warned that it would raise prices.",
            "it would raise prices",
            Some("Ann Walsh"),
            "speaker.relative",
        ),
        ("\"We will win this,\" he said.", "We will win this", Some("he"), "speaker.unresolved_pronoun"),
        (
            "Voters were divided over Governor Mary Olsen's proposal to cut the income tax, which passed.",
            "to cut the income tax",
            Some("Mary Olsen"),
            "speaker.entity",
        ),
    ];

    #[test]
    fn references_resolve_to_earlier_speakers_and_mentions() {
        assert_rule_rows(TABLE);
    }
}
