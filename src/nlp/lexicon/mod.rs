//! The word lists of `config/lexicons/`, embedded in the binary and parsed once.
//!
//! Owns the file formats (each file documents its own in a `#` header) and the lookup
//! structures built from them. It must not hold analysis logic: other stages ask questions
//! ("is this a cue?", "is this a title?") and decide for themselves. Parsing is lenient:
//! a malformed line is skipped, never a panic, so a bad edit degrades one entry only.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::model::{EntityLabel, Stance};

mod words;

use words::FxBuild;
pub(crate) use words::{WordSet, Words};

const ABBREVIATIONS: &str = include_str!("../../../config/lexicons/abbreviations.txt");
const CUES: &str = include_str!("../../../config/lexicons/cues.tsv");
const SPEAKER_NOUNS: &str = include_str!("../../../config/lexicons/speaker_nouns.tsv");
const PERSON_TITLES: &str = include_str!("../../../config/lexicons/person_titles.tsv");
const ORG_HEADS: &str = include_str!("../../../config/lexicons/org_heads.txt");
const PLACES: &str = include_str!("../../../config/lexicons/places.tsv");
const FUNCTION_WORDS: &str = include_str!("../../../config/lexicons/function_words.txt");
const STANCE_MARKERS: &str = include_str!("../../../config/lexicons/stance_markers.tsv");
const ALIASES: &str = include_str!("../../../config/lexicons/aliases.tsv");
const NOMINAL_CUES: &str = include_str!("../../../config/lexicons/nominal_cues.tsv");
const STANCE_EVIDENCE: &str = include_str!("../../../config/lexicons/stance_evidence.tsv");

/// The lexicons shipped with the binary, parsed on first use.
pub(crate) static EMBEDDED: LazyLock<Lexicons> = LazyLock::new(Lexicons::embedded);

/// How a cue relates to the content it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueFrame {
    /// "said (that) CONTENT".
    Clause,
    /// "told reporters (that) CONTENT": an addressee comes first.
    Tell,
    /// "denied the allegations": the object is the content and the stance target.
    Object,
    /// "declined to comment": complete on its own.
    Complete,
    /// "according to X": the speaker follows.
    According,
    /// "in a statement": not a cue, skipped between a cue and its content.
    Modifier,
    /// "the letter reads": attributes quotations only, never reported speech ("She read
    /// the report" reports nothing).
    Quote,
}

/// A noun that reports a statement after a possessor ("his claim that ...").
#[derive(Debug, Clone)]
pub(crate) struct NominalCue {
    pub stance: Stance,
    /// Lower-case words that may open the content ("that", "to", "of").
    pub introducers: Vec<String>,
}

/// One reporting cue (all forms of a verb share one entry).
#[derive(Debug, Clone)]
pub(crate) struct Cue {
    pub stance: Stance,
    pub frame: CueFrame,
    /// The speaker may follow the verb after a quotation ("...," said Smith).
    pub inverts: bool,
    /// A verb of thought, perception or intent ("believes", "wants", "shows") rather than of
    /// speech: a stated position, reported with less confidence.
    pub weak: bool,
}

/// What a non-name speaker noun stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeakerNoun {
    Anonymous,
    Group,
    /// Refers back to the last organisation ("the company").
    OrgReference,
    /// A document or record that states something ("the poll", "court filings").
    Document,
}

/// Gender implied by a title, used to pick pronoun antecedents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    Male,
    Female,
    Unknown,
}

/// A cue's written form: its lower-case tokens, the index of its cue and whether it is also a
/// common noun.
type CueForm = (Vec<String>, usize, bool);

/// All lexicons, keyed lower-case unless noted.
#[derive(Debug)]
pub(crate) struct Lexicons {
    /// Abbreviation (lower-case, with periods) -> true when it is a title that never ends a
    /// sentence.
    abbreviations: HashMap<String, bool, FxBuild>,
    /// Cue forms as lower-case token sequences with the cue index and the noun-homograph
    /// flag, grouped by first token.
    cues_by_first: HashMap<String, Vec<CueForm>, FxBuild>,
    cues: Vec<Cue>,
    speaker_nouns: HashMap<String, SpeakerNoun, FxBuild>,
    /// Title without final period (lower-case) -> gender; case-sensitive entries are the
    /// capitalised titles, lower-case entries are descriptive titles ("spokesman").
    titles: HashMap<String, Gender, FxBuild>,
    org_heads: HashSet<String, FxBuild>,
    /// Place or nationality, case-sensitive.
    places: HashMap<String, EntityLabel, FxBuild>,
    function_words: HashSet<String, FxBuild>,
    /// Stance markers as token sequences grouped by first token.
    markers_by_first: HashMap<String, Vec<(Vec<String>, Stance)>, FxBuild>,
    /// Content-evidence phrases as token sequences grouped by first token, with their
    /// class; longest first.
    evidence_by_first: HashMap<String, Vec<(Vec<String>, &'static str)>, FxBuild>,
    /// Other name of a country or international organisation (case-sensitive, final period
    /// trimmed) -> its canonical name.
    aliases: HashMap<String, String, FxBuild>,
    /// Lower-case noun form -> index into `nominal_cues`.
    nominal_by_form: HashMap<String, usize, FxBuild>,
    nominal_cues: Vec<NominalCue>,
    /// The closed word lists of `config/lexicons/words/`, one per concept.
    pub words: Words,
}

/// A cue found at a token position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CueMatch<'l> {
    pub cue: &'l Cue,
    /// Number of tokens the written form covers.
    pub len: usize,
    /// The written form is also a common noun ("states", "attacks", "support"), so it is a
    /// verb only right after a clear subject.
    pub noun: bool,
}

impl Lexicons {
    /// Parses the embedded lexicon files.
    pub(crate) fn embedded() -> Lexicons {
        let mut lex = Lexicons {
            abbreviations: HashMap::default(),
            cues_by_first: HashMap::default(),
            cues: Vec::new(),
            speaker_nouns: HashMap::default(),
            titles: HashMap::default(),
            org_heads: HashSet::default(),
            places: HashMap::default(),
            function_words: HashSet::default(),
            markers_by_first: HashMap::default(),
            evidence_by_first: HashMap::default(),
            aliases: HashMap::default(),
            nominal_by_form: HashMap::default(),
            nominal_cues: Vec::new(),
            words: Words::embedded(),
        };
        for fields in records(ABBREVIATIONS) {
            let Some(abbr) = fields.first() else { continue };
            let title = fields.get(1).is_some_and(|c| c.trim() == "title");
            lex.abbreviations.insert(abbr.to_lowercase(), title);
        }
        for fields in records(CUES) {
            let (Some(forms), Some(stance), Some(frame)) = (fields.first(), fields.get(1), fields.get(2)) else {
                continue;
            };
            let Some(stance) = Stance::parse(stance.trim()) else { continue };
            let frame = match frame.trim() {
                "clause" => CueFrame::Clause,
                "tell" => CueFrame::Tell,
                "object" => CueFrame::Object,
                "none" => CueFrame::Complete,
                "according" => CueFrame::According,
                "modifier" => CueFrame::Modifier,
                "quote" => CueFrame::Quote,
                _ => continue,
            };
            let inverts = fields.get(3).is_some_and(|v| v.trim() == "yes");
            let weak = fields.get(4).is_some_and(|v| v.trim() == "weak");
            let id = lex.cues.len();
            lex.cues.push(Cue { stance, frame, inverts, weak });
            for form in forms.split('|') {
                let noun = form.ends_with('*');
                let words: Vec<String> = form.trim_end_matches('*').split_whitespace().map(str::to_lowercase).collect();
                let Some(first) = words.first().cloned() else { continue };
                let entry = lex.cues_by_first.entry(first).or_default();
                entry.push((words, id, noun));
                // Longest forms first so that "did not respond to a request" beats "did not respond".
                entry.sort_by_key(|(form, _, _)| std::cmp::Reverse(form.len()));
            }
        }
        for fields in records(NOMINAL_CUES) {
            let (Some(forms), Some(stance), Some(intro)) = (fields.first(), fields.get(1), fields.get(2)) else {
                continue;
            };
            let Some(stance) = Stance::parse(stance.trim()) else { continue };
            let introducers: Vec<String> =
                intro.split('|').map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty()).collect();
            let id = lex.nominal_cues.len();
            lex.nominal_cues.push(NominalCue { stance, introducers });
            for form in forms.split('|').map(str::trim).filter(|f| !f.is_empty()) {
                lex.nominal_by_form.insert(form.to_lowercase(), id);
            }
        }
        for fields in records(SPEAKER_NOUNS) {
            let (Some(noun), Some(kind)) = (fields.first(), fields.get(1)) else { continue };
            let kind = match kind.trim() {
                "anonymous" => SpeakerNoun::Anonymous,
                "group" => SpeakerNoun::Group,
                "org" => SpeakerNoun::OrgReference,
                "document" => SpeakerNoun::Document,
                _ => continue,
            };
            lex.speaker_nouns.insert(noun.to_lowercase(), kind);
        }
        for fields in records(PERSON_TITLES) {
            let Some(title) = fields.first() else { continue };
            let gender = match fields.get(1).map(|g| g.trim()) {
                Some("m") => Gender::Male,
                Some("f") => Gender::Female,
                _ => Gender::Unknown,
            };
            lex.titles.insert(title.trim_end_matches('.').to_string(), gender);
        }
        for fields in records(ORG_HEADS) {
            if let Some(head) = fields.first() {
                lex.org_heads.insert(head.trim_end_matches('.').to_string());
            }
        }
        for fields in records(PLACES) {
            let (Some(name), Some(label)) = (fields.first(), fields.get(1)) else { continue };
            let label = match label.trim() {
                "LOC" => EntityLabel::Location,
                "MISC" => EntityLabel::Misc,
                _ => continue,
            };
            lex.places.insert(name.to_string(), label);
        }
        for fields in records(FUNCTION_WORDS) {
            if let Some(word) = fields.first() {
                lex.function_words.insert(word.to_lowercase());
            }
        }
        for fields in records(STANCE_MARKERS) {
            let (Some(phrase), Some(stance)) = (fields.first(), fields.get(1)) else { continue };
            let Some(stance) = Stance::parse(stance.trim()) else { continue };
            let words: Vec<String> = phrase.split_whitespace().map(str::to_lowercase).collect();
            let Some(first) = words.first().cloned() else { continue };
            lex.markers_by_first.entry(first).or_default().push((words, stance));
        }
        for fields in records(STANCE_EVIDENCE) {
            let (Some(phrase), Some(class)) = (fields.first(), fields.get(1)) else { continue };
            let words: Vec<String> = phrase.split_whitespace().map(str::to_lowercase).collect();
            let Some(first) = words.first().cloned() else { continue };
            let entry = lex.evidence_by_first.entry(first).or_default();
            entry.push((words, class.trim()));
            entry.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
        }
        for fields in records(ALIASES) {
            let (Some(alias), Some(canonical)) = (fields.first(), fields.get(1)) else { continue };
            let (alias, canonical) = (alias.trim_end_matches('.'), canonical.trim());
            if !alias.is_empty() && !canonical.is_empty() {
                lex.aliases.insert(alias.to_string(), canonical.to_string());
            }
        }
        lex
    }

    /// The canonical name for another name of a country or international organisation
    /// ("U.S." -> "United States"), ignoring a leading "the" and a final period.
    pub(crate) fn alias(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        let bare = name.strip_prefix("the ").or_else(|| name.strip_prefix("The ")).unwrap_or(name);
        self.aliases.get(bare.trim_end_matches('.')).map(String::as_str)
    }

    /// `Some(true)` for a title abbreviation that never ends a sentence, `Some(false)` for
    /// another known abbreviation, `None` otherwise. `word` includes its final period. A
    /// hyphenated word is judged by its last part ("then-Sen.", a party tag's "R-Ky.").
    pub(crate) fn abbreviation(&self, word: &str) -> Option<bool> {
        self.abbreviation_as_written(word)
            .or_else(|| word.rfind('-').and_then(|i| self.abbreviation_as_written(&word[i + 1..])))
    }

    fn abbreviation_as_written(&self, word: &str) -> Option<bool> {
        if word.is_ascii() && word.bytes().all(|b| !b.is_ascii_uppercase()) {
            return self.abbreviations.get(word).copied();
        }
        self.abbreviations.get(&word.to_lowercase()).copied()
    }

    /// The longest cue starting at `words[0]` (words compared lower-case).
    pub(crate) fn cue_at<'l, S: AsRef<str>>(&'l self, words: &[S]) -> Option<CueMatch<'l>> {
        let first = words.first()?.as_ref();
        let candidates = lower_key(first, |k| self.cues_by_first.get(k))?;
        candidates.iter().find_map(|(form, id, noun)| {
            let fits = form.len() <= words.len() && form.iter().zip(words).all(|(f, w)| same_word(f, w.as_ref()));
            let cue = self.cues.get(*id)?;
            fits.then_some(CueMatch { cue, len: form.len(), noun: *noun })
        })
    }

    /// The nominal cue a noun form is ("claim", "warnings"), if any.
    pub(crate) fn nominal_cue(&self, word: &str) -> Option<&NominalCue> {
        // Called for every token: a word already in lower case is looked up as it is.
        let id = if word.bytes().all(|b| !b.is_ascii_uppercase()) && word.is_ascii() {
            self.nominal_by_form.get(word)
        } else {
            lower_key(word, |k| self.nominal_by_form.get(k))
        };
        self.nominal_cues.get(*id?)
    }

    /// The kind of a speaker head noun ("officials", "company").
    pub(crate) fn speaker_noun(&self, word: &str) -> Option<SpeakerNoun> {
        lower_key(word, |k| self.speaker_nouns.get(k)).copied()
    }

    /// The gender of a person title ("Mr.", "President", "spokeswoman"), if it is one.
    /// Capitalised titles match capitalised words only; lower-case descriptive titles
    /// ("spokesman") match in either case.
    pub(crate) fn title(&self, word: &str) -> Option<Gender> {
        let bare = word.trim_end_matches('.');
        if bare.is_empty() {
            return None;
        }
        if let Some(g) = self.titles.get(bare) {
            return Some(*g);
        }
        let starts_upper = bare.chars().next().is_some_and(char::is_uppercase);
        if starts_upper {
            // "MR." in transcripts, "Spokesman" at a sentence start.
            let lowered = bare.to_lowercase();
            if let Some(g) = self.titles.get(&lowered) {
                return Some(*g);
            }
            let mut cap = String::with_capacity(bare.len());
            for (i, c) in lowered.chars().enumerate() {
                if i == 0 {
                    cap.extend(c.to_uppercase());
                } else {
                    cap.push(c);
                }
            }
            return self.titles.get(&cap).copied();
        }
        None
    }

    pub(crate) fn is_org_head(&self, word: &str) -> bool {
        self.org_heads.contains(word.trim_end_matches('.'))
    }

    /// LOC or MISC for a closed-class place or nationality name.
    pub(crate) fn place(&self, name: &str) -> Option<EntityLabel> {
        self.places.get(name).copied()
    }

    pub(crate) fn is_function_word(&self, word: &str) -> bool {
        lower_key(word.trim_end_matches('.'), |k| self.function_words.contains(k))
    }

    /// The stance marker starting at `words[0]`, with its length in tokens.
    pub(crate) fn marker_at<S: AsRef<str>>(&self, words: &[S]) -> Option<(Stance, usize)> {
        let first = words.first()?.as_ref();
        let candidates = lower_key(first, |k| self.markers_by_first.get(k))?;
        candidates.iter().find_map(|(form, stance)| {
            let fits = form.len() <= words.len() && form.iter().zip(words).all(|(f, w)| same_word(f, w.as_ref()));
            fits.then_some((*stance, form.len()))
        })
    }
}

impl Lexicons {
    /// The longest content-evidence phrase starting at `words[0]` (lower case): its class
    /// and length in tokens.
    pub(crate) fn evidence_at<S: AsRef<str>>(&self, words: &[S]) -> Option<(&'static str, usize)> {
        let first = words.first()?.as_ref();
        let candidates = self.evidence_by_first.get(first)?;
        candidates.iter().find_map(|(form, class)| {
            let fits = form.len() <= words.len() && form.iter().zip(words).all(|(f, w)| f == w.as_ref());
            fits.then_some((*class, form.len()))
        })
    }
}

/// Lower-cases `word` for a map lookup.
fn lower(word: &str) -> String {
    if word.is_ascii() { word.to_ascii_lowercase() } else { word.to_lowercase() }
}

/// Calls `f` with `word` in lower case: words of up to [`SHORT_WORD`] ASCII bytes are
/// lower-cased on the stack (these lookups run for every token), longer ones as [`lower`].
fn lower_key<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; SHORT_WORD];
    match buf.get_mut(..word.len()) {
        Some(short) if word.is_ascii() => {
            short.copy_from_slice(word.as_bytes());
            short.make_ascii_lowercase();
            // ASCII bytes are always UTF-8.
            f(std::str::from_utf8(short).unwrap_or_default())
        }
        _ => f(&lower(word)),
    }
}

/// Longest word [`lower_key`] lower-cases without allocating.
const SHORT_WORD: usize = 48;

/// Compares a lower-case lexicon word with a word as written.
fn same_word(lexicon_word: &str, written: &str) -> bool {
    lexicon_word.eq_ignore_ascii_case(written) || (!written.is_ascii() && lexicon_word == written.to_lowercase())
}

/// Non-comment, non-empty lines split on TAB, with the first field trimmed.
fn records(file: &str) -> impl Iterator<Item = Vec<&str>> {
    file.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.split('\t').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lexicon_file_parses_to_entries() {
        let lex = &*EMBEDDED;
        assert!(lex.abbreviations.len() > 50);
        assert!(lex.cues.len() > 50);
        assert!(lex.speaker_nouns.len() > 30);
        assert!(lex.titles.len() > 30);
        assert!(lex.org_heads.len() > 30);
        assert!(lex.places.len() > 100);
        assert!(lex.function_words.len() > 50);
        assert!(!lex.markers_by_first.is_empty());
        assert!(lex.aliases.len() > 50);
        assert!(lex.nominal_cues.len() > 30);
        assert_eq!(lex.nominal_cue("Denial").map(|n| n.stance), Some(Stance::Deny));
    }

    #[test]
    fn cue_lookup_prefers_the_longest_form() {
        let lex = &*EMBEDDED;
        let words = ["did", "not", "respond", "to", "a", "request", "for", "comment", "."];
        let m = lex.cue_at(&words).expect("cue");
        assert_eq!(m.len, 8);
        assert_eq!(m.cue.stance, Stance::Decline);
        let m = lex.cue_at(&["Denied", "the"]).expect("cue");
        assert_eq!((m.len, m.cue.stance, m.cue.frame), (1, Stance::Deny, CueFrame::Object));
        assert!(lex.cue_at(&["sad"]).is_none());
    }

    #[test]
    fn abbreviations_and_titles_are_classified() {
        let lex = &*EMBEDDED;
        assert_eq!(lex.abbreviation("Mr."), Some(true));
        assert_eq!(lex.abbreviation("Inc."), Some(false));
        assert_eq!(lex.abbreviation("cat."), None);
        assert_eq!(lex.title("Ms."), Some(Gender::Female));
        assert_eq!(lex.title("MR."), Some(Gender::Male));
        assert_eq!(lex.title("spokeswoman"), Some(Gender::Female));
        assert_eq!(lex.title("Huawei"), None);
    }

    #[test]
    fn aliases_map_variants_to_one_canonical_name() {
        let lex = &*EMBEDDED;
        for alias in ["U.S.", "U.S", "US", "USA", "United States of America", "America", "the U.S."] {
            assert_eq!(lex.alias(alias), Some("United States"), "{alias}");
        }
        for alias in ["UK", "U.K.", "Britain", "Great Britain"] {
            assert_eq!(lex.alias(alias), Some("United Kingdom"), "{alias}");
        }
        assert_eq!(lex.alias("EU"), Some("European Union"));
        assert_eq!(lex.alias("U.N."), Some("United Nations"));
        assert_eq!(lex.alias("us"), None, "matching is case-sensitive");
        assert_eq!(lex.alias("Bank of America"), None, "whole names only");
        assert_eq!(lex.alias("United States"), None);
    }
}
