//! Closed word lists of `config/lexicons/words/`, one file per concept ("articles", "words
//! between a subject and its reporting verb", "words that open a time phrase").
//!
//! Owns the file format and the [`WordSet`] lookup. Each file starts with a `#` header saying
//! what its words mean and which rule reads them (`Read by:`); then one word or phrase per
//! line, matched exactly as written (the lists are lower case unless their header says
//! otherwise, and callers look up lower-cased tokens). A line `@name` includes every word of
//! `name.txt`, so a concept built from smaller ones ("clause words" = relative pronouns,
//! conjunctions, ...) lists each word once. Which concept a rule asks about is code; the words
//! are data. A bad line degrades one entry, never a panic: an unknown include is skipped (a
//! test keeps every include resolvable).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Deepest chain of `@name` includes followed (a cycle stops here instead of looping).
const MAX_INCLUDE_DEPTH: usize = 8;

/// Sets up to this size are searched linearly, which beats hashing a short word.
const MAX_LINEAR_WORDS: usize = 8;

/// A word set read from one file (with its includes).
#[derive(Debug, Default)]
pub(crate) struct WordSet {
    words: Vec<&'static str>,
    hashed: HashSet<&'static str, BuildHasherDefault<FxHasher>>,
}

impl WordSet {
    fn new(words: Vec<&'static str>) -> WordSet {
        let hashed = if words.len() > MAX_LINEAR_WORDS { words.iter().copied().collect() } else { HashSet::default() };
        WordSet { words, hashed }
    }

    /// Whether `word` is in the set, exactly as written.
    pub(crate) fn contains(&self, word: &str) -> bool {
        if self.words.len() > MAX_LINEAR_WORDS { self.hashed.contains(word) } else { self.words.contains(&word) }
    }

    /// Whether the two-word phrase `first second` is in the set ("at least", "you know").
    pub(crate) fn contains_pair(&self, first: &str, second: &str) -> bool {
        self.words.iter().any(|p| {
            p.len() == first.len() + 1 + second.len()
                && p.starts_with(first)
                && p.ends_with(second)
                && p.as_bytes().get(first.len()) == Some(&b' ')
        })
    }

    /// The second word of the two-word entry that starts with `first` ("his" -> "he" for an
    /// entry "his he").
    pub(crate) fn second_of(&self, first: &str) -> Option<&'static str> {
        self.words.iter().find_map(|p| p.strip_prefix(first).and_then(|rest| rest.strip_prefix(' ')))
    }

    /// The words, in file order (includes expanded in place).
    pub(crate) fn words(&self) -> &[&'static str] {
        &self.words
    }
}

/// The words of file `name` (without `.txt`), includes expanded, from the embedded `files`.
fn load(name: &str, files: &HashMap<&'static str, &'static str>, depth: usize, out: &mut Vec<&'static str>) {
    let Some(text) = files.get(name) else { return };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match include_name(line) {
            Some(include) if depth < MAX_INCLUDE_DEPTH => load(include, files, depth + 1, out),
            Some(_) => {}
            None => {
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
    }
}

/// The list named by an include line (`@name`: lower-case letters and `_`); a lone `@` or an
/// address is a word.
fn include_name(line: &str) -> Option<&str> {
    let name = line.strip_prefix('@')?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(name)
}

macro_rules! word_lists {
    (
        sets { $( $(#[$doc:meta])* $field:ident, )* }
        included_only { $( $only:ident, )* }
    ) => {
        /// Every word list of `config/lexicons/words/`, one field per concept read by a rule.
        #[derive(Debug)]
        pub(crate) struct Words {
            $( $(#[$doc])* pub $field: WordSet, )*
        }

        /// File name (without `.txt`) and contents of every word list, embedded at build time.
        pub(crate) const FILES: &[(&str, &str)] = &[
            $( (stringify!($field), include_str!(concat!("../../../config/lexicons/words/", stringify!($field), ".txt"))), )*
            $( (stringify!($only), include_str!(concat!("../../../config/lexicons/words/", stringify!($only), ".txt"))), )*
        ];

        impl Words {
            /// Parses the embedded word lists.
            pub(crate) fn embedded() -> Words {
                let files: HashMap<&'static str, &'static str> = FILES.iter().copied().collect();
                let set = |name: &str| {
                    let mut words = Vec::new();
                    load(name, &files, 0, &mut words);
                    WordSet::new(words)
                };
                Words { $( $field: set(stringify!($field)), )* }
            }
        }
    };
}

word_lists! {
    sets {
        // Grammatical classes.
        articles,
        definite_determiners,
        possessive_determiners,
        possessive_pronouns,
        demonstratives,
        personal_pronouns,
        relative_pronouns,
        speaker_relatives,
        be_forms,
        coordinators,
        question_complementizers,
        negations,
        determiners,
        indefinite_determiners,
        anonymous_openers,
        quantity_words,
        quantity_phrases,
        approximators,
        time_units,
        time_words,
        relative_days,
        time_determiners,
        // Cues and stance.
        cue_noun_markers,
        discourse_markers,
        target_stops,
        cue_governors,
        nested_cue_blockers,
        never_passive_cues,
        continuation_verbs,
        hedges,
        // Clauses and content.
        between_subject_and_verb,
        cue_adverbials,
        sentence_adverbs,
        sentence_openers,
        clause_openers,
        adverbial_openers,
        time_phrase_starts,
        time_phrase_ends,
        addressee_prepositions,
        addressee_continuations,
        stance_topic_prepositions,
        place_time_prepositions,
        circumstance_openers,
        object_circumstance_openers,
        noun_phrase_starts,
        irregular_past_verbs,
        subject_end_auxiliaries,
        past_reporting_verbs,
        raising_verbs,
        expectation_words,
        question_openers,
        asked_openers,
        // Quoted text that is not a statement; statements without a cue.
        title_introducers,
        not_speaker_labels,
        source_document_nouns,
        // Speakers.
        generic_org_nouns,
        floating_quantifiers,
        parenthetical_adverbs,
        interruption_starts,
        opening_prepositions,
        narrowing_words,
        post_modifiers,
        role_modifiers,
        title_connectors,
        origin_prepositions,
        subject_stop_prepositions,
        circumstance_prepositions,
        circumstance_words,
        media_nouns,
        phrase_stops,
        clause_words,
        not_subject_edges,
        verb_words,
        generic_subject_words,
        // Page kinds.
        question_labels,
        answer_labels,
        finite_verbs,
        press_release_boilerplate,
        // Stance.
        negative_words,
        first_person,
        modals,
        stem_suffixes,
        // Languages.
        english_function_words,
        // The rule-based entity tagger.
        name_connectors,
        locative_prepositions,
        not_acronyms,
    }
    included_only {
        verb_adverbs,
        time_modifiers,
        object_pronouns,
        wh_words,
        plain_be_forms,
        have_do_auxiliaries,
        subordinators,
        weekdays,
        interview_labels,
    }
}

impl Words {
    /// Whether `word` (lower case) is a personal pronoun ("he", "they").
    pub(crate) fn is_pronoun(&self, word: &str) -> bool {
        self.personal_pronouns.contains(word)
    }
}

/// The multiply-rotate hash of rustc (FxHash): fast for short keys; the word lists are fixed
/// data, so no attacker chooses the keys.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

/// Builds [`FxHasher`]s: the hasher of every lexicon map.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word of `name` as listed in its own file (includes not expanded), and its includes.
    fn own_lines(name: &str) -> (Vec<&'static str>, Vec<&'static str>) {
        let text = FILES.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| *t);
        let lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        let (includes, words): (Vec<_>, Vec<_>) = lines.partition(|l| include_name(l).is_some());
        (words, includes.into_iter().filter_map(include_name).collect())
    }

    #[test]
    fn every_file_has_a_header_saying_what_it_means_and_who_reads_it() {
        for (name, text) in FILES {
            let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
            assert!(header.len() >= 2, "{name}.txt needs a header of what the words mean and who reads them");
            assert!(header.iter().any(|l| l.contains("Read by:")), "{name}.txt: no `Read by:` line");
        }
    }

    #[test]
    fn includes_resolve_and_no_word_is_listed_twice() {
        let names: HashSet<&str> = FILES.iter().map(|(n, _)| *n).collect();
        for (name, _) in FILES {
            let (words, includes) = own_lines(name);
            for include in &includes {
                assert!(names.contains(include), "{name}.txt includes unknown `@{include}`");
            }
            let files: HashMap<&'static str, &'static str> = FILES.iter().copied().collect();
            let mut included = Vec::new();
            for include in &includes {
                load(include, &files, 1, &mut included);
            }
            let mut seen = HashSet::new();
            for w in &words {
                assert!(seen.insert(*w), "{name}.txt lists `{w}` twice");
                assert!(!included.contains(w), "{name}.txt lists `{w}`, which an include already has");
            }
        }
    }

    /// The `Read by:` text of a file's header, its continuation lines joined.
    fn read_by(text: &str) -> String {
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        let Some(first) = header.iter().position(|l| l.contains("Read by:")) else { return String::new() };
        let mut out = header[first].split_once("Read by:").map_or("", |(_, r)| r).trim().to_string();
        for l in header[first + 1..].iter().take_while(|l| l.starts_with("#   ")) {
            out.push(' ');
            out.push_str(l.trim_start_matches('#').trim());
        }
        out
    }

    /// Each reader a header names exists: `nlp::module (function, ...)` names a source file
    /// that defines those functions, `included by x, y` names other lists.
    #[test]
    fn headers_name_readers_that_exist() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let names: HashSet<&str> = FILES.iter().map(|(n, _)| *n).collect();
        for (name, text) in FILES {
            let readers = read_by(text);
            assert!(!readers.is_empty(), "{name}.txt names no reader");
            for part in readers.split(';').map(str::trim) {
                if let Some(lists) = part.strip_prefix("included by ") {
                    for list in lists.split(',').map(str::trim) {
                        assert!(names.contains(list), "{name}.txt: included by unknown `{list}`");
                    }
                    continue;
                }
                let (module, functions) = part.split_once(" (").expect("`module (functions)`");
                let path = module.replace("::", "/");
                let file = [src.join(format!("{path}.rs")), src.join(path).join("mod.rs")]
                    .into_iter()
                    .find(|f| f.exists())
                    .unwrap_or_else(|| panic!("{name}.txt: no module `{module}`"));
                let code = std::fs::read_to_string(&file).expect("source file reads");
                for function in functions.trim_end_matches(')').split(',').map(str::trim) {
                    let defined =
                        code.contains(&format!("fn {function}(")) || code.contains(&format!("fn {function}<"));
                    assert!(defined, "{name}.txt: no `fn {function}` in {module}");
                    let field = format!(".{name}");
                    let reads = code
                        .match_indices(&field)
                        .any(|(i, _)| !code[i + field.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'));
                    assert!(reads || *name == "personal_pronouns", "{name}.txt: {module} never reads it");
                }
            }
        }
    }

    /// `code` without its char literals (`'"'`, `'('`, `'\\''`), which would confuse a scan
    /// for string literals and parentheses.
    fn strip_char_literals(code: &str) -> String {
        let chars: Vec<char> = code.chars().collect();
        let mut out = String::with_capacity(code.len());
        let mut i = 0;
        while i < chars.len() {
            let literal_len = match (chars.get(i), chars.get(i + 1), chars.get(i + 2), chars.get(i + 3)) {
                (Some('\''), Some('\\'), _, Some('\'')) => 4,
                (Some('\''), Some(_), Some('\''), _) => 3,
                _ => 0,
            };
            if literal_len > 0 {
                i += literal_len;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    }

    /// Word lists live in `config/lexicons/words/`: no analysis source (outside its tests)
    /// holds a `const` array of words or a `matches!` over two or more words.
    #[test]
    fn no_word_list_stays_in_code() {
        let nlp = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/nlp");
        let mut files = vec![nlp.clone()];
        let mut offences = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                // The tagger's features belong to its trained model; lexicon parses the lists.
                if name != "ner" && name != "lexicon" {
                    files.extend(std::fs::read_dir(&path).expect("dir").filter_map(|e| Some(e.ok()?.path())));
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("cases.rs") {
                continue;
            }
            let code = std::fs::read_to_string(&path).expect("source reads");
            let code = strip_char_literals(code.split("#[cfg(test)]").next().unwrap_or(""));
            if code.contains(": [&str;") {
                offences.push(format!("{}: a const word array", path.display()));
            }
            for (i, _) in code.match_indices("matches!(") {
                let body: String = code[i + 9..]
                    .chars()
                    .scan(1i32, |depth, c| {
                        *depth += i32::from(c == '(') - i32::from(c == ')');
                        (*depth > 0).then_some(c)
                    })
                    .collect();
                let words = body
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .filter(|lit| lit.chars().filter(char::is_ascii_alphabetic).count() >= 2)
                    .count();
                if words >= 2 {
                    offences.push(format!("{}: matches!({body})", path.display()));
                }
            }
        }
        assert!(offences.is_empty(), "word lists in code:\n{}", offences.join("\n"));
    }

    #[test]
    fn every_file_in_the_directory_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/lexicons/words");
        let on_disk: HashSet<String> = std::fs::read_dir(&dir)
            .expect("config/lexicons/words exists")
            .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".txt").map(str::to_string))
            .collect();
        let embedded: HashSet<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn sets_expand_includes_and_answer_lookups() {
        let words = Words::embedded();
        assert!(words.articles.contains("the"));
        assert!(!words.articles.contains("The"), "lookups are exact; callers lower-case");
        assert!(words.clause_words.contains("whom"), "through @relative_pronouns");
        assert!(words.verb_words.contains("must"), "through @modals");
        assert!(words.quantity_phrases.contains_pair("at", "least"));
        assert!(!words.quantity_phrases.contains_pair("at", "lea"));
        assert_eq!(words.possessive_pronouns.second_of("their"), Some("they"));
        assert_eq!(words.possessive_pronouns.second_of("the"), None);
        assert!(words.between_subject_and_verb.words().len() > MAX_LINEAR_WORDS);
    }
}
