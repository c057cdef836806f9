//! Speakers: the noun phrase that names who is speaking, and what it refers to.
//!
//! Owns finding the speaker phrase next to a cue and resolving it: `before` (the subject of a
//! reporting verb: "Smith said", "X, title of Org, said", "a U.S. official said", any short
//! subject phrase such as "the airline said" or "42 percent say" when the caller allows it),
//! `after` (the speaker after a cue: "said Smith", "said opposition leader Samuel Oduya",
//! "according to people familiar with the matter") and `coreference` (pronouns, relative
//! pronouns, possessors and organisation references such as "he", "who", "his", "the
//! company", against earlier speakers and entity mentions).
//!
//! Invariants: a [`Speaker`] names its mention by token range (the pronoun itself when
//! resolved) and says which rule found it ([`SpeakerRule`]); a speaker never lies inside
//! quotation marks. This module must not decide which cue or quote a speaker belongs to;
//! that is attribution's job. Spans are token indices into the document; records get chars.

mod after;
mod before;
mod coreference;

use std::ops::Range;

use super::Document;
use super::lexicon::SpeakerNoun;
use super::rules::SpeakerRule;
use crate::model::{EntityLabel, SpeakerKind};

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
    /// What kind of mention it is, for `--explain`.
    pub rule: SpeakerRule,
}

impl Speaker {
    /// The phrase at `tokens` as written, linked to no entity: a description, a document or
    /// any noun phrase named as the source.
    pub(crate) fn as_written(
        doc: &Document<'_>,
        tokens: Range<usize>,
        kind: SpeakerKind,
        rule: SpeakerRule,
    ) -> Speaker {
        let name = doc.text.slice(doc.span(tokens.clone())).to_string();
        Speaker { name, kind, tokens, entity: None, resolved: false, rule }
    }
}

/// Which phrases before a cue may name its speaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// A name, a pronoun or a description headed by a speaker noun.
    Mention,
    /// Right after a quote (`"...," Smith said`): the phrase must start at the bound, past
    /// a title or short role; any short noun phrase counts.
    Tight,
    /// Any short noun phrase right before the cue ("the airline said", "42 percent say").
    AnyPhrase,
}

/// Longest capitalised title before a name opening a sentence ("Former Secretary of State
/// Madeleine Albright").
const MAX_TITLE_TOKENS: usize = 6;

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

    /// The speaker for a description `tokens` headed by the speaker noun at `head`: "the
    /// company" or "the ministry" is the last matching organisation, others stay as written.
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
                let entity = Some(canonical.clone());
                return Speaker {
                    name: canonical,
                    kind,
                    tokens,
                    entity,
                    resolved: true,
                    rule: SpeakerRule::OrgReference,
                };
            }
        }
        Speaker::as_written(doc, tokens, kind, SpeakerRule::Description)
    }

    /// The speaker named by entity mention `ent` at `tokens`; a MISC name speaks for no one.
    fn entity_speaker(&self, ent: usize, tokens: Range<usize>) -> Option<Speaker> {
        let m = self.doc.entities.get(ent)?;
        let kind = match m.label {
            EntityLabel::Person => SpeakerKind::Person,
            // "China said", "Washington warned": a government speaking.
            EntityLabel::Organization | EntityLabel::Location => SpeakerKind::Organization,
            EntityLabel::Misc => return None,
        };
        let entity = Some(m.canonical.clone());
        Some(Speaker { name: m.canonical.clone(), kind, tokens, entity, resolved: false, rule: SpeakerRule::Entity })
    }
}
