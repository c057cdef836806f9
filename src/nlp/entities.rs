//! Entity mentions: the tagger plug point, a rule-based tagger, and canonical names.
//!
//! Owns [`EntityTagger`] (sentence tokens in, labelled token ranges out), [`RuleTagger`]
//! (capitalised-sequence chunking with cues from `config/lexicons/`: titles, organisation
//! heads, places, nationality words, locative prepositions, reporting verbs) and the
//! document-level pass that fills in later short mentions and links them to their full name
//! (`canonical`). It must never hard-code entity names; a trained tagger replaces
//! [`RuleTagger`] through [`crate::nlp::Analyzer::with_tagger`].

use std::collections::HashMap;
use std::ops::Range;

use super::Document;
use super::lexicon::{EMBEDDED, Gender, Lexicons};
#[cfg(test)]
use super::tokens;
use super::tokens::{Token, is_title_case};
use crate::model::{EntityLabel, EntityMention};

/// Finds named entities in one sentence.
pub trait EntityTagger {
    /// Labelled token index ranges (end exclusive, non-overlapping) of `tokens`.
    fn tag(&self, tokens: &[Token<'_>]) -> Vec<(Range<usize>, EntityLabel)>;

    /// Tags a whole document, sentence by sentence in order. Taggers with document-level
    /// features (the trained model remembers earlier labels) override this.
    fn tag_document(&self, sentences: &[&[Token<'_>]]) -> Vec<Vec<(Range<usize>, EntityLabel)>> {
        sentences.iter().map(|s| self.tag(s)).collect()
    }
}

impl<T: EntityTagger + ?Sized> EntityTagger for &T {
    fn tag(&self, tokens: &[Token<'_>]) -> Vec<(Range<usize>, EntityLabel)> {
        (**self).tag(tokens)
    }

    fn tag_document(&self, sentences: &[&[Token<'_>]]) -> Vec<Vec<(Range<usize>, EntityLabel)>> {
        (**self).tag_document(sentences)
    }
}

impl EntityTagger for super::ner::NerModel {
    fn tag(&self, tokens: &[Token<'_>]) -> Vec<(Range<usize>, EntityLabel)> {
        self.tag_document(&[tokens.iter().map(|t| t.text).collect()]).pop().unwrap_or_default()
    }

    fn tag_document(&self, sentences: &[&[Token<'_>]]) -> Vec<Vec<(Range<usize>, EntityLabel)>> {
        let words: Vec<Vec<&str>> = sentences.iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
        super::ner::NerModel::tag_document(self, &words)
    }
}

/// The rule-based tagger: capitalised sequences classified by lexicon cues.
#[derive(Debug, Clone, Copy)]
pub struct RuleTagger {
    lex: &'static Lexicons,
}

impl Default for RuleTagger {
    fn default() -> Self {
        RuleTagger::new()
    }
}

impl RuleTagger {
    pub fn new() -> RuleTagger {
        RuleTagger { lex: &EMBEDDED }
    }
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn is_all_caps(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    letters > 0
}

fn joined(tokens: &[Token<'_>]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(t.text);
    }
    s
}

impl EntityTagger for RuleTagger {
    fn tag(&self, tokens: &[Token<'_>]) -> Vec<(Range<usize>, EntityLabel)> {
        let mut out = Vec::new();
        // First word token: capitalisation there says nothing.
        let first_word = tokens.iter().position(|t| t.text.chars().any(char::is_alphanumeric));
        let headline = is_title_case(tokens, self.lex);
        let mut i = 0;
        while i < tokens.len() {
            if !is_capitalised(tokens[i].text) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < tokens.len() {
                let w = tokens[j].text;
                if is_capitalised(w) {
                    j += 1;
                } else if (self.lex.words.name_connectors.contains(w)
                    || w == "the" && tokens.get(j - 1).is_some_and(|t| t.text == "of"))
                    && tokens.get(j + 1).is_some_and(|t| is_capitalised(t.text))
                {
                    j += 2;
                } else {
                    break;
                }
            }
            let after_opener = i > 0 && matches!(tokens[i - 1].text, ":" | "“" | "\"" | "‘" | "(" | "—" | "«" | "„");
            self.classify(tokens, i..j, first_word == Some(i) || after_opener, headline, &mut out);
            i = j;
        }
        out
    }
}

impl RuleTagger {
    /// Classifies the capitalised sequence `seq` (possibly splitting it) into `out`.
    fn classify(
        &self,
        tokens: &[Token<'_>],
        seq: Range<usize>,
        sentence_initial: bool,
        headline: bool,
        out: &mut Vec<(Range<usize>, EntityLabel)>,
    ) {
        let lex = self.lex;
        let (mut a, b) = (seq.start, seq.end);
        let mut initial = sentence_initial;
        // Function words at the start ("The", "But", "In") are not part of a name.
        while a < b && (lex.is_function_word(tokens[a].text) || lex.words.name_connectors.contains(tokens[a].text)) {
            a += 1;
            initial = false;
        }
        // Trailing connectors cannot end a name.
        let mut b = b;
        while b > a && lex.words.name_connectors.contains(tokens[b - 1].text) {
            b -= 1;
        }
        // "CEO of Acme Corp": a title joined to a name by a connector is not part of it.
        if a + 1 < b && lex.title(tokens[a].text).is_some() && lex.words.name_connectors.contains(tokens[a + 1].text) {
            a += 2;
            while a < b && tokens[a].text == "the" {
                a += 1;
            }
        }
        if a >= b {
            return;
        }
        // "Lagos-based Tinde Mobile": a leading hyphenated modifier is not part of the name.
        let modifier = |w: &str| {
            w.contains('-')
                && w.rsplit('-').next().is_some_and(|tail| tail.chars().next().is_some_and(char::is_lowercase))
        };
        if b - a > 1 && modifier(tokens[a].text) {
            self.classify(tokens, a + 1..b, false, headline, out);
            return;
        }
        // "Acme Corp Announces Record Results": an organisation ends at its last head word
        // unless a connector continues it ("Bank of America").
        if let Some(h) = (a..b).rev().find(|&k| lex.is_org_head(tokens[k].text))
            && h + 1 < b
            && !lex.words.name_connectors.contains(tokens[h + 1].text)
            && lex.title(tokens[h + 1].text).is_none()
        {
            out.push((a..h + 1, EntityLabel::Organization));
            self.classify(tokens, h + 1..b, false, headline, out);
            return;
        }
        let words = &tokens[a..b];
        let text = joined(words);
        if let Some(label) = lex.place(&text) {
            out.push((a..b, label));
            return;
        }
        let has_org_head = words.iter().any(|t| lex.is_org_head(t.text));
        // A title inside the sequence splits it: "Huawei founder Ren" / "President Xi".
        if let Some(t) = (a..b).find(|&k| lex.title(tokens[k].text).is_some()) {
            let mut name = t;
            while name < b && lex.title(tokens[name].text).is_some() {
                name += 1;
            }
            let rest_is_org = (name..b).any(|k| lex.is_org_head(tokens[k].text));
            if name < b && !rest_is_org {
                if t > a {
                    self.classify(tokens, a..t, initial, headline, out);
                }
                // "Secretary of State Antony Blinken": skip a connector phrase after the title.
                let mut n = name;
                while n < b && !is_capitalised(tokens[n].text) {
                    n += 1;
                }
                if n < b {
                    out.push((n..b, EntityLabel::Person));
                }
                return;
            }
            if name >= b && !has_org_head {
                return; // only titles: "President", "Minister"
            }
        }
        if has_org_head {
            if words.len() == 1 && initial && !next_is_cue_at(lex, tokens, b) {
                return; // "Media contact:", "Service resumed": a common noun at the start
            }
            out.push((a..b, EntityLabel::Organization));
            return;
        }
        let all_caps = words.iter().all(|t| is_all_caps(t.text));
        if all_caps {
            // Shouting (headlines, transcript labels) is not an entity; single acronyms are.
            let w = words[0].text.trim_end_matches('.');
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if words.len() == 1 && (2..=6).contains(&letters) && !lex.words.not_acronyms.contains(w) {
                out.push((a..b, EntityLabel::Organization));
            }
            return;
        }
        // A leading nationality word: "Chinese President Xi" was handled; "Chinese officials"
        // is a one-word MISC sequence already matched by the place list.
        let prev = a.checked_sub(1).map(|k| tokens[k].text);
        let prev_lower = prev.map(str::to_lowercase);
        let before_prev = a.checked_sub(2).map(|k| tokens[k].text.to_lowercase());
        if prev.is_some_and(|p| lex.title(p).is_some()) {
            out.push((a..b, EntityLabel::Person));
            return;
        }
        let next_is_cue = next_is_cue_at(lex, tokens, b);
        let after_said = prev_lower.as_deref().is_some_and(|p| lex.cue_at(&[p]).is_some_and(|c| c.cue.inverts));
        if prev_lower.as_deref().is_some_and(|p| lex.words.locative_prepositions.contains(p))
            && before_prev.as_deref() != Some("according")
            && !next_is_cue
        {
            out.push((a..b, EntityLabel::Location));
            return;
        }
        // Hyphenated forms ("Chinese-made", "Beijing-based") are modifiers, not names.
        if words.len() == 1 && words[0].text.contains('-') {
            let head = words[0].text.split('-').next().unwrap_or("");
            if lex.place(head) == Some(EntityLabel::Location) {
                out.push((a..b, EntityLabel::Misc));
            }
            return;
        }
        if headline {
            return; // in a title-case line capitals say nothing
        }
        if words.len() >= 2 {
            out.push((a..b, EntityLabel::Person));
            return;
        }
        // One unknown capitalised word.
        if lex.speaker_noun(words[0].text).is_some() || words[0].text.chars().count() < 2 {
            return;
        }
        if after_said {
            out.push((a..b, EntityLabel::Person));
        } else if !initial || next_is_cue {
            out.push((a..b, EntityLabel::Organization));
        }
    }
}

/// Whether a reporting cue follows token `b`, past auxiliaries ("Huawei did not deny").
fn next_is_cue_at(lex: &Lexicons, tokens: &[Token<'_>], b: usize) -> bool {
    let mut c = b;
    while c < tokens.len() && c < b + 3 && lex.words.between_subject_and_verb.contains(tokens[c].text) {
        c += 1;
    }
    let following: Vec<&str> = tokens.iter().skip(c).take(4).map(|t| t.text).collect();
    lex.cue_at(&following).is_some()
}

/// Tags every sentence of `doc`, fills in later short mentions of names already found, and
/// links mentions to canonical names. Results go to `doc.entities` and `doc.genders`.
pub(crate) fn find_entities(doc: &mut Document<'_>, tagger: &(dyn EntityTagger + Send + Sync)) {
    let lex = doc.lex;
    let mut mentions: Vec<(Range<usize>, EntityLabel)> = Vec::new(); // token ranges
    let sentences: Vec<&[Token<'_>]> =
        doc.sentence_tokens.iter().map(|r| doc.tokens.get(r.clone()).unwrap_or(&[])).collect();
    let tagged = tagger.tag_document(&sentences);
    for (s, spans) in tagged.into_iter().enumerate() {
        let Some(range) = doc.sentence_tokens.get(s).cloned() else { continue };
        for (r, label) in spans {
            let (start, end) = (range.start + r.start, range.start + r.end);
            if r.start < r.end && end <= range.end {
                mentions.push((start..end, label));
            }
        }
    }
    mentions.sort_by_key(|(r, _)| r.start);
    mentions.dedup_by(|b, a| b.0.start < a.0.end); // drop overlaps, keep the first
    let in_label = |doc: &Document<'_>, r: &Range<usize>| {
        let span = doc.span(r.clone());
        doc.labels.iter().any(|l| l.start < span.end && span.start < l.end)
    };
    mentions.retain(|(r, _)| !in_label(doc, r));

    // Later bare mentions of a known name ("Huawei" at a sentence start, "Ren").
    let mut known: HashMap<String, EntityLabel> = HashMap::new();
    for (r, label) in &mentions {
        let words = &doc.tokens[r.clone()];
        match label {
            EntityLabel::Person => {
                if let Some(last) = words.last() {
                    known.entry(last.text.to_string()).or_insert(*label);
                }
            }
            EntityLabel::Organization => {
                if let Some(first) = words.first() {
                    known.entry(first.text.to_string()).or_insert(*label);
                }
            }
            _ => {}
        }
        if words.len() == 1 {
            known.entry(words[0].text.to_string()).or_insert(*label);
        }
    }
    let mut covered = vec![false; doc.tokens.len()];
    for (r, _) in &mentions {
        for c in &mut covered[r.clone()] {
            *c = true;
        }
    }
    let mut extra = Vec::new();
    for (t, tok) in doc.tokens.iter().enumerate() {
        if covered[t] || !is_capitalised(tok.text) || lex.is_function_word(tok.text) {
            continue;
        }
        let neighbour_caps =
            |k: Option<usize>| k.and_then(|k| doc.tokens.get(k)).is_some_and(|n| is_capitalised(n.text));
        if neighbour_caps(t.checked_sub(1)) && t > doc.sentence_tokens[doc.token_sentence[t]].start
            || neighbour_caps(Some(t + 1))
        {
            continue;
        }
        if let Some(label) = known.get(tok.text) {
            extra.push((t..t + 1, *label));
        }
    }
    mentions.extend(extra);
    mentions.sort_by_key(|(r, _)| r.start);
    mentions.retain(|(r, _)| !in_label(doc, r));

    // Build mentions with canonical names.
    let mut entities: Vec<EntityMention> = Vec::with_capacity(mentions.len());
    let mut genders: HashMap<String, Gender> = HashMap::new();
    let mut names = NameIndex::default();
    for (r, mut label) in mentions {
        let span = doc.span(r.clone());
        let text = doc.text.slice(span.clone()).to_string();
        let words: Vec<&str> = text.trim_end_matches('.').split_whitespace().collect();
        let canonical = match names.canonical_of(&words, &mut label) {
            Some(c) => c,
            None => {
                // "Huawei Technologies Co." and "Huawei Technologies Co" are one name.
                let name = if label == EntityLabel::Organization { text.trim_end_matches('.') } else { &text };
                let name = if name.is_empty() { text.clone() } else { name.to_string() };
                // A headline capitalises every word, so its names may swallow a verb
                // ("Acme Robotics Unveils"): later mentions are not linked to them.
                let headline = doc
                    .token_sentence
                    .get(r.start)
                    .and_then(|&s| doc.sentence_tokens.get(s))
                    .is_some_and(|sr| doc.tokens.get(sr.clone()).is_some_and(|toks| is_title_case(toks, lex)));
                if !headline {
                    names.add(&name, label);
                }
                name
            }
        };
        if label == EntityLabel::Person
            && let Some(g) = r.start.checked_sub(1).and_then(|k| lex.title(doc.tok(k)))
            && g != Gender::Unknown
        {
            genders.insert(canonical.clone(), g);
        }
        // Other names of a country or organisation ("U.S.", "America") share one canonical
        // name across documents; in-document linking above still used the name as written.
        let canonical = match lex.alias(&canonical) {
            Some(alias) => alias.to_string(),
            None => canonical,
        };
        entities.push(EntityMention { text, label, start: span.start, end: span.end, canonical });
    }
    doc.entities = entities;
    doc.genders = genders;
}

/// Full names seen so far, indexed for linking later short mentions in constant time.
#[derive(Debug, Default)]
struct NameIndex {
    /// Each word of a multi-word person name -> that name ("Ren" -> "Ren Zhengfei").
    person_words: HashMap<String, String>,
    /// Each leading part of a multi-word organisation name -> that name.
    org_prefixes: HashMap<String, String>,
    /// Initials of a multi-word organisation name -> that name ("FCC").
    acronyms: HashMap<String, String>,
}

impl NameIndex {
    fn add(&mut self, canonical: &str, label: EntityLabel) {
        let words: Vec<&str> = canonical.split_whitespace().collect();
        if words.len() < 2 {
            return;
        }
        match label {
            EntityLabel::Person => {
                for w in &words {
                    self.person_words.insert((*w).to_string(), canonical.to_string());
                }
            }
            EntityLabel::Organization => {
                for n in 1..words.len() {
                    self.org_prefixes.insert(words[..n].join(" "), canonical.to_string());
                }
                let initials: String =
                    words.iter().filter(|w| is_capitalised(w)).filter_map(|w| w.chars().next()).collect();
                if initials.chars().count() >= 2 {
                    self.acronyms.insert(initials, canonical.to_string());
                }
            }
            _ => {}
        }
    }

    /// The canonical name of a mention with `words`, from an earlier, longer mention: a
    /// person's surname or partial name, an organisation's leading words or its acronym.
    /// May relabel a one-word mention to the label of the name it matches.
    fn canonical_of(&self, words: &[&str], label: &mut EntityLabel) -> Option<String> {
        let last = words.last()?;
        let person = || {
            let full = self.person_words.get(*last)?;
            let parts: Vec<&str> = full.split_whitespace().collect();
            (parts.len() > words.len() && words.iter().all(|w| parts.contains(w))).then(|| full.clone())
        };
        let org = || {
            if let Some(full) = self.org_prefixes.get(&words.join(" ")) {
                return Some(full.clone());
            }
            let acronym = words.len() == 1 && is_all_caps(last);
            if acronym {
                let letters: String = last.chars().filter(|c| c.is_alphabetic()).collect();
                return self.acronyms.get(&letters).cloned();
            }
            None
        };
        let one_word = words.len() == 1;
        if (*label == EntityLabel::Person || one_word)
            && let Some(c) = person()
        {
            *label = EntityLabel::Person;
            return Some(c);
        }
        if (*label == EntityLabel::Organization || one_word)
            && let Some(c) = org()
        {
            *label = EntityLabel::Organization;
            return Some(c);
        }
        None
    }
}

/// Tokenizes and tags a lone sentence; used by tests and tools that have no document.
#[cfg(test)]
pub(crate) fn tag_sentence(text: &str) -> Vec<(String, EntityLabel)> {
    let t = tokens::tokenize(text, 0..text.chars().count());
    RuleTagger::new()
        .tag(&t)
        .into_iter()
        .map(|(r, l)| (t[r].iter().map(|t| t.text).collect::<Vec<_>>().join(" "), l))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageKind;
    use crate::nlp::{AnalysisInput, Analyzer};
    use EntityLabel::*;

    fn tags(text: &str) -> Vec<(String, EntityLabel)> {
        tag_sentence(text)
    }

    fn owned(v: &[(&str, EntityLabel)]) -> Vec<(String, EntityLabel)> {
        v.iter().map(|(s, l)| (s.to_string(), *l)).collect()
    }

    #[test]
    fn titles_mark_people_and_are_left_out() {
        assert_eq!(
            tags("President Xi Jinping met Mr. Ren in Beijing."),
            owned(&[("Xi Jinping", Person), ("Ren", Person), ("Beijing", Location)])
        );
        assert_eq!(
            tags("Foreign Ministry spokesman Wang Wenbin spoke."),
            owned(&[("Foreign Ministry", Organization), ("Wang Wenbin", Person)])
        );
    }

    #[test]
    fn organisation_heads_and_acronyms_make_organisations() {
        assert_eq!(
            tags("Huawei Technologies Co and the FCC sued the Ministry of Commerce."),
            owned(&[
                ("Huawei Technologies Co", Organization),
                ("FCC", Organization),
                ("Ministry of Commerce", Organization)
            ])
        );
    }

    #[test]
    fn sentence_initial_function_words_are_not_entities() {
        assert_eq!(tags("The company said it would appeal."), owned(&[]));
        assert_eq!(
            tags("But Chinese officials in Shenzhen disagreed."),
            owned(&[("Chinese", Misc), ("Shenzhen", Location)])
        );
    }

    #[test]
    fn short_mentions_link_to_the_full_name() {
        let text = "Ren Zhengfei founded Huawei Technologies Co. in 1987.\n\n\
                    Mr. Ren said Huawei was independent. Ren added that the FCC was wrong.";
        let a = Analyzer::new().analyze(&AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None });
        let canon =
            |t: &str| a.entities.iter().filter(|e| e.text == t).map(|e| e.canonical.clone()).collect::<Vec<_>>();
        assert_eq!(canon("Ren"), ["Ren Zhengfei", "Ren Zhengfei"]);
        assert_eq!(canon("Huawei"), ["Huawei Technologies Co"]);
        assert!(a.entities.iter().all(|e| !e.canonical.starts_with("Mr")));
    }

    #[test]
    fn country_and_organisation_aliases_share_a_canonical_name() {
        let text = "The U.S. and the United States of America are one country, officials in \
                    Britain said. America and the UK both sit on the U.N. Security Council, \
                    and the EU agreed.";
        let a = Analyzer::new().analyze(&AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None });
        let canon = |t: &str| a.entities.iter().find(|e| e.text == t).map(|e| e.canonical.clone());
        for variant in ["U.S.", "United States of America", "America"] {
            assert_eq!(canon(variant).as_deref(), Some("United States"), "{variant}: {:?}", a.entities);
        }
        for variant in ["Britain", "UK"] {
            assert_eq!(canon(variant).as_deref(), Some("United Kingdom"), "{variant}: {:?}", a.entities);
        }
        assert_eq!(canon("EU").as_deref(), Some("European Union"), "{:?}", a.entities);
    }
}
