//! The evidence a stance is decided from: features of the cue (which verb, its own stance,
//! its frame, whether it is negated) and of the content (words and word pairs, with words
//! inside a negation's scope marked, stance markers and content-evidence phrases from
//! `config/lexicons/`, modals, a question mark, the first word).
//!
//! Invariant: features are hashed names (FNV-1a over the name's parts), computed the same
//! way at training and at analysis; the cue's features and the content's are kept apart so
//! the decision can say whose evidence it followed. Extraction allocates nothing per word.

use std::ops::Range;

use super::CueAt;
use crate::nlp::Document;
use crate::nlp::lexicon::WordSet;

/// Hashed features of one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Evidence {
    /// Features of the cue (and the bias).
    pub cue: Vec<u64>,
    /// Features of the content.
    pub content: Vec<u64>,
}

/// Most tokens between a first-person pronoun and a negation for "we ... never" ("we have
/// never", "I did not").
const MAX_FIRST_PERSON_GAP: usize = 3;

/// Longest content read for features, in tokens: a stance shows early.
const MAX_CONTENT_TOKENS: usize = 80;

/// Most tokens read for context on each side of the content.
const MAX_CONTEXT_TOKENS: usize = 60;

/// Separator between the parts of a feature name.
const PART_SEPARATOR: u8 = 0x1f;

/// The hashed name of a feature made of `parts` (FNV-1a; the parts separated by a unit
/// separator, so "w" + "ab" and "wa" + "b" differ).
pub(crate) fn feature(parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h = (h ^ u64::from(PART_SEPARATOR)).wrapping_mul(0x0100_0000_01b3);
        }
        for &b in part.as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The evidence for a statement over the tokens `content`, reported by `cue` (negated or
/// not).
pub(crate) fn evidence(doc: &Document<'_>, cue: Option<&CueAt<'_>>, negated: bool, content: Range<usize>) -> Evidence {
    let mut ev = Evidence { cue: Vec::with_capacity(4), content: Vec::with_capacity(64) };
    ev.cue.push(feature(&["bias"]));
    match cue {
        Some(c) => {
            let words = &doc.lower[c.at..c.end().min(doc.lower.len())];
            let form = words.first().map_or("", String::as_str);
            ev.cue.push(feature(&["cue", form, if negated { "neg" } else { "" }]));
            let stance = c.m.cue.stance.as_str();
            ev.cue.push(feature(&["cue_stance", stance, if negated { "neg" } else { "" }]));
        }
        None => ev.cue.push(feature(&["cue", "none"])),
    }
    let cue_stance = cue.filter(|_| !negated).map(|c| c.m.cue.stance.as_str());
    context_features(doc, content.clone(), &mut ev.cue);
    content_features(doc, content, cue_stance, &mut ev.content);
    ev
}

/// Features of the words around the content: the rest of its sentence and the sentence
/// before it in the paragraph.
fn context_features(doc: &Document<'_>, content: Range<usize>, out: &mut Vec<u64>) {
    let Some(&s) = doc.token_sentence.get(content.start) else { return };
    let para = doc.sentence_para.get(s).copied();
    let first = if s > 0 && doc.sentence_para.get(s - 1).copied() == para { s - 1 } else { s };
    let Some(range) = doc.sentence_tokens.get(first).map(|a| a.start).zip(doc.sentence_tokens.get(s).map(|b| b.end))
    else {
        return;
    };
    // Near the content only: a sentence can be a whole unpunctuated page.
    let from = range.0.max(content.start.saturating_sub(MAX_CONTEXT_TOKENS));
    let to = range.1.min(content.end.saturating_add(MAX_CONTEXT_TOKENS));
    for k in from..to {
        if content.contains(&k) {
            continue;
        }
        let w = doc.low(k);
        if !w.chars().any(char::is_alphanumeric) {
            continue;
        }
        if let Some((class, _)) = doc.lex.evidence_at(&doc.lower[k..(k + 5).min(range.1)]) {
            out.push(feature(&["xe", class]));
        }
        if let Some(c) = doc.lex.cue_at(&doc.lower[k..(k + 5).min(range.1)]) {
            out.push(feature(&["xc", c.cue.stance.as_str()]));
        }
    }
}

/// Whether the content refuses to comment ("No comment", "we will not be commenting"):
/// refusal evidence outside a negation's scope.
pub(crate) fn refuses(evidence: &Evidence) -> bool {
    let refusal = feature(&["e", "refusal", ""]);
    evidence.content.contains(&refusal)
}

/// The features of the content tokens `content`, reported by a cue of stance `cue_stance`
/// (none when there is no cue or it is negated).
fn content_features(doc: &Document<'_>, content: Range<usize>, cue_stance: Option<&str>, out: &mut Vec<u64>) {
    let words = doc.words();
    let end = content.end.min(doc.lower.len()).min(content.start + MAX_CONTENT_TOKENS);
    let start = content.start.min(end);
    let tokens = &doc.lower[start..end];
    let mut in_scope = false;
    let mut prev = "<s>";
    let mut first = true;
    // Tokens since a first-person pronoun ("we have never", "I did not take").
    let mut since_first_person = usize::MAX;
    for (i, w) in tokens.iter().map(String::as_str).enumerate() {
        let k = start + i;
        if is_quotation_mark(w) {
            continue;
        }
        let punct = !w.chars().any(char::is_alphanumeric);
        if punct && !matches!(w, "?" | "!") {
            in_scope = false;
            prev = "<p>";
            continue;
        }
        if first {
            out.push(feature(&["first", w]));
            first = false;
        }
        if w == "but" {
            in_scope = false;
        }
        let negation =
            words.negations.contains(w) || w.ends_with("n't") || w.ends_with("n’t") || words.negative_words.contains(w);
        let scope = if in_scope { "neg" } else { "" };
        out.push(feature(&["s", stem(w, &words.stem_suffixes), scope]));
        out.push(feature(&["b", prev, w]));
        if words.modals.contains(w) {
            out.push(feature(&["modal", w]));
        }
        if let Some((stance, _)) = doc.lex.marker_at(&doc.lower[k..(k + 4).min(end)]) {
            out.push(feature(&["m", stance.as_str(), if in_scope { "neg" } else { "" }]));
        }
        if let Some((class, _)) = doc.lex.evidence_at(&doc.lower[k..(k + 5).min(end)]) {
            let scope = if in_scope { "neg" } else { "" };
            out.push(feature(&["e", class, scope]));
            if let Some(cs) = cue_stance {
                out.push(feature(&["ce", cs, class, scope]));
            }
        }
        if words.first_person.contains(w) {
            since_first_person = 0;
        } else {
            since_first_person = since_first_person.saturating_add(1);
        }
        if negation {
            in_scope = true;
            out.push(feature(&["negation"]));
            if since_first_person <= MAX_FIRST_PERSON_GAP {
                out.push(feature(&["first_person_negation"]));
            }
        }
        prev = w;
    }
    if first {
        out.push(feature(&["empty"]));
    }
}

/// A crude stem of a lower-case word: the first of `suffixes`
/// (`config/lexicons/words/stem_suffixes.txt`) removed from a word long enough to keep a
/// stem of four letters ("hiding" -> "hid", "denies" -> "deni"), so a statement's words
/// generalise over their forms.
fn stem<'w>(w: &'w str, suffixes: &WordSet) -> &'w str {
    suffixes.words().iter().find(|s| w.len() > s.len() + 3 && w.ends_with(*s)).map_or(w, |s| &w[..w.len() - s.len()])
}

fn is_quotation_mark(w: &str) -> bool {
    matches!(w, "\"" | "“" | "”" | "‘" | "’" | "'" | "«" | "»")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_hash_by_parts() {
        assert_eq!(feature(&["w", "never"]), feature(&["w", "never"]));
        assert_ne!(feature(&["w", "ab"]), feature(&["wa", "b"]));
        assert_ne!(feature(&["w", "never", "neg"]), feature(&["w", "never", ""]));
    }
}
