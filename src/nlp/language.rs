//! Which language to analyse a text in: English unless the text is confidently another
//! language.
//!
//! Entities and reported speech need the English lexicons, and a text analysed as another
//! language keeps only its quotation-mark quotes. A language detector is unreliable on a
//! headline, a caption or one sentence ("“No comment,” said Ana Ruiz." comes back as
//! Catalan), so a detected language other than English counts only when the detector is
//! confident and the text does not read as English; a text in which English function words
//! make up a large share of the words reads as English whatever a caller says. It must not
//! detect languages itself (that is `extract`'s job) or hold word lists.

use super::lexicon::EMBEDDED;

/// A detected language other than English is trusted from this confidence up (detectors
/// report 0.0-0.5 on short English sentences they mistake for Danish or French, 0.6-1.0 on
/// real French or German sentences).
pub const MIN_OTHER_LANGUAGE_CONFIDENCE: f64 = 0.5;

/// Text with fewer words than this is too short to be confidently another language.
pub const MIN_OTHER_LANGUAGE_WORDS: usize = 4;

/// English function words making up at least this share of the words: the text reads as
/// English (English prose runs at 35-50%, French and German at or under 10%).
const MIN_ENGLISH_SHARE: f64 = 0.25;

/// Words sampled for the English share; a few hundred are decisive.
const SAMPLE_WORDS: usize = 300;

/// Whether `language` (ISO 639-1, possibly with a region, or empty/`und`) is English or
/// unknown, which is analysed as English.
pub fn is_english(language: &str) -> bool {
    let l = language.trim();
    l.is_empty()
        || l.eq_ignore_ascii_case("en")
        || l.eq_ignore_ascii_case("und")
        || l.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("en-") || p.eq_ignore_ascii_case("en_"))
}

/// The language to analyse `text` in, from a detector's guess `detected` with its
/// `confidence` (0..1): the guess when it is English, or confident and the text is long
/// enough and does not read as English; `en` otherwise.
pub fn analysis_language(text: &str, detected: &str, confidence: f64) -> String {
    let words = text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(SAMPLE_WORDS).count();
    let other = !is_english(detected)
        && confidence >= MIN_OTHER_LANGUAGE_CONFIDENCE
        && words >= MIN_OTHER_LANGUAGE_WORDS
        && !reads_as_english(text);
    if other { detected.to_string() } else { "en".to_string() }
}

/// Whether English function words make up a large share of the words of `text`.
pub fn reads_as_english(text: &str) -> bool {
    english_share(text) >= MIN_ENGLISH_SHARE
}

/// The share of the first words of `text` that are English function words.
fn english_share(text: &str) -> f64 {
    let function_words = &EMBEDDED.words.english_function_words;
    let (mut words, mut hits) = (0usize, 0usize);
    let mut lower = String::new();
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(SAMPLE_WORDS) {
        words += 1;
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        hits += usize::from(function_words.contains(&lower));
    }
    if words == 0 { 0.0 } else { hits as f64 / words as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Detector guesses on short text, and what the analysis runs in.
    const TABLE: &[(&str, &str, f64, &str)] = &[
        // The README's example: a detector says Catalan with almost no confidence.
        ("\"No comment,\" said Ana Ruiz.", "ca", 0.03, "en"),
        ("ZTE declined to comment.", "fr", 0.11, "en"),
        ("\"We're going to keep working,\" the striker said after training.", "af", 0.48, "en"),
        // Confident, but English reads as English.
        ("The school board denied that teachers had been told to change grades.", "de", 0.9, "en"),
        // A headline of two words is not confidently anything.
        ("Ministerin tritt", "de", 1.0, "en"),
        ("«Nous allons gagner ce procès», a dit Jean Dupont, président de la société.", "fr", 0.94, "fr"),
        ("Die Regierung hat am Dienstag angekündigt, dass die neuen Regeln ab Januar gelten.", "de", 1.0, "de"),
        ("Le gouvernement a annoncé mardi que les nouvelles règles entreraient en vigueur.", "fr", 0.58, "fr"),
        ("Anything at all.", "en", 0.2, "en"),
        ("", "und", 0.0, "en"),
    ];

    #[test]
    fn only_confidently_other_languages_skip_english() {
        for &(text, detected, confidence, want) in TABLE {
            assert_eq!(
                analysis_language(text, detected, confidence),
                want,
                "{text:?} detected {detected} {confidence}"
            );
        }
    }

    #[test]
    fn english_variants_and_unknown_count_as_english() {
        for l in ["en", "EN", "en-GB", "en_US", "und", "", " "] {
            assert!(is_english(l), "{l:?}");
        }
        for l in ["fr", "de", "eng", "e"] {
            assert!(!is_english(l), "{l:?}");
        }
    }
}
