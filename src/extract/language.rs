//! Language of the main text: whatlang on a sample of the text, cross-checked with the page's
//! declared `<html lang>`, reported as ISO 639-1 ("en", "fr") or "und".
//!
//! Function words ("the", "der", "les") are checked first: when those of one language make up a
//! large share of the text, far ahead of every other language's, and no declared language
//! contradicts them, that is the answer, with no trigram model run (whatlang scores every
//! candidate language's profile, which costs as much as parsing a small page). Otherwise
//! whatlang decides as below.
//!
//! Owns the ISO 639-3 to 639-1 mapping and the agreement rules; must not touch the DOM.

use std::collections::HashMap;
use std::sync::LazyLock;

use whatlang::Lang;

/// How much text whatlang sees; detection is trigram-based and plateaus long before this.
const SAMPLE_CHARS: usize = 1_000;

/// Texts shorter than this are not detected; the declared language (if any) is used.
const MIN_DETECT_CHARS: usize = 20;

/// Confidence reported when text detection and the declared language agree.
const AGREEMENT_CONFIDENCE: f64 = 0.95;

/// Confidence reported when function words alone decide (no declaration to agree with).
const FUNCTION_WORDS_ONLY_CONFIDENCE: f64 = 0.9;

/// Confidence reported when only the declared language is known.
const DECLARED_ONLY_CONFIDENCE: f64 = 0.5;

/// Words sampled for the function-word check; a few hundred words are decisive.
const FUNCTION_WORD_SAMPLE: usize = 300;

/// Fewer words than this and the function-word check abstains.
const MIN_FUNCTION_WORD_SAMPLE: usize = 30;

/// The declared language is confirmed when its function words are at least this share of the
/// words (running prose in these languages sits at 30-50%; lists and other languages far lower)...
const MIN_FUNCTION_WORD_SHARE: f64 = 0.2;

/// ...and every other language's share is at most this fraction of it.
const MAX_RIVAL_SHARE: f64 = 0.5;

/// The most frequent function words of the languages most pages are in. A word shared by
/// several languages ("de", "que") counts for each.
const FUNCTION_WORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "with", "was", "on", "are", "as", "by", "this",
            "have", "from", "be", "at", "he", "said", "not", "were", "has", "an", "which", "they", "their", "will",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "des", "et", "est", "une", "du", "dans", "pour", "que", "qui", "sur", "pas", "au",
            "avec", "ce", "sont", "il", "ont", "mais", "plus", "par", "aux", "de", "un", "en",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "sich", "des", "auf", "ein", "eine",
            "dem", "zu", "für", "im", "auch", "wird", "sie", "es", "werden", "wurde", "in",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "del", "y", "que", "en", "por", "con", "una", "para", "se", "es", "al", "su", "lo",
            "como", "más", "fue", "pero", "sus", "ha", "de", "la", "un",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "della", "e", "per", "non", "una", "con", "sono", "gli", "del", "le", "nel", "alla",
            "è", "anche", "più", "dei", "ha", "si", "la", "un", "in",
        ],
    ),
    (
        "pt",
        &[
            "o", "os", "da", "do", "das", "dos", "que", "em", "para", "com", "uma", "não", "é", "por", "no", "na",
            "se", "mais", "foi", "ao", "como", "de", "um", "e", "a",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "van", "en", "is", "dat", "op", "te", "niet", "zijn", "met", "voor", "die", "ook",
            "als", "bij", "maar", "er", "aan", "om", "werd", "in",
        ],
    ),
];

/// Each function word with a bit per language of [`FUNCTION_WORDS`] it belongs to.
static FUNCTION_WORD_LANGUAGES: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (index, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
        for word in *words {
            *map.entry(*word).or_insert(0u8) |= 1 << index;
        }
    }
    map
});

/// The language code and how sure we are (0..1).
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    pub code: String,
    pub confidence: f64,
}

impl Language {
    fn undetermined() -> Language {
        Language { code: "und".to_owned(), confidence: 0.0 }
    }
}

/// Detects the language of `text`, using `declared` (`<html lang>` primary subtag) to confirm
/// or, when detection is unreliable, to decide.
pub fn detect_language(text: &str, declared: Option<&str>) -> Language {
    let declared = declared.filter(|code| is_iso_639_1(code));
    match (declared, function_word_language(text)) {
        (Some(declared), Some(found)) if found == declared => {
            return Language { code: declared.to_owned(), confidence: AGREEMENT_CONFIDENCE };
        }
        (None, Some(found)) => return Language { code: found.to_owned(), confidence: FUNCTION_WORDS_ONLY_CONFIDENCE },
        _ => {}
    }
    let sample_end = text.char_indices().nth(SAMPLE_CHARS).map_or(text.len(), |(i, _)| i);
    let sample = &text[..sample_end];
    let detected = if sample.chars().filter(|c| c.is_alphabetic()).count() >= MIN_DETECT_CHARS {
        whatlang::detect(sample)
    } else {
        None
    };
    let detected =
        detected.and_then(|info| iso_639_1(info.lang()).map(|code| (code, info.confidence(), info.is_reliable())));
    match (detected, declared) {
        (Some((code, confidence, _)), Some(declared)) if code == declared => {
            Language { code: code.to_owned(), confidence: confidence.max(AGREEMENT_CONFIDENCE) }
        }
        (Some((code, confidence, true)), _) => Language { code: code.to_owned(), confidence },
        (_, Some(declared)) => Language { code: declared.to_owned(), confidence: DECLARED_ONLY_CONFIDENCE },
        (Some((code, confidence, false)), None) => Language { code: code.to_owned(), confidence },
        (None, None) => Language::undetermined(),
    }
}

/// The language whose function words make up a large share of the text, well ahead of every
/// other language's (see the module docs); `None` when the words do not decide.
fn function_word_language(text: &str) -> Option<&'static str> {
    let mut hits = [0usize; FUNCTION_WORDS.len()];
    let mut words = 0;
    let mut lower = String::new();
    for word in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).take(FUNCTION_WORD_SAMPLE) {
        words += 1;
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        if let Some(mask) = FUNCTION_WORD_LANGUAGES.get(lower.as_str()) {
            for (index, hit) in hits.iter_mut().enumerate() {
                if mask & (1 << index) != 0 {
                    *hit += 1;
                }
            }
        }
    }
    if words < MIN_FUNCTION_WORD_SAMPLE {
        return None;
    }
    let (best, best_hits) = hits.iter().copied().enumerate().max_by_key(|(_, h)| *h)?;
    let share = |hits: usize| hits as f64 / words as f64;
    let clear = share(best_hits) >= MIN_FUNCTION_WORD_SHARE
        && hits.iter().enumerate().all(|(i, &h)| i == best || share(h) <= share(best_hits) * MAX_RIVAL_SHARE);
    clear.then(|| FUNCTION_WORDS.get(best).map(|(code, _)| *code)).flatten()
}

fn is_iso_639_1(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// ISO 639-1 code of a whatlang language (all of whatlang's 69 that have one).
pub fn iso_639_1(lang: Lang) -> Option<&'static str> {
    Some(match lang {
        Lang::Eng => "en",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Nld => "nl",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Pol => "pl",
        Lang::Ces => "cs",
        Lang::Slk => "sk",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Bul => "bg",
        Lang::Mkd => "mk",
        Lang::Bel => "be",
        Lang::Ron => "ro",
        Lang::Hun => "hu",
        Lang::Fin => "fi",
        Lang::Est => "et",
        Lang::Lav => "lv",
        Lang::Lit => "lt",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Nob => "nb",
        Lang::Ell => "el",
        Lang::Tur => "tr",
        Lang::Ara => "ar",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pes => "fa",
        Lang::Urd => "ur",
        Lang::Hin => "hi",
        Lang::Ben => "bn",
        Lang::Pan => "pa",
        Lang::Guj => "gu",
        Lang::Ori => "or",
        Lang::Tam => "ta",
        Lang::Tel => "te",
        Lang::Kan => "kn",
        Lang::Mal => "ml",
        Lang::Mar => "mr",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Vie => "vi",
        Lang::Tha => "th",
        Lang::Khm => "km",
        Lang::Mya => "my",
        Lang::Ind => "id",
        Lang::Jav => "jv",
        Lang::Tgl => "tl",
        Lang::Kat => "ka",
        Lang::Hye => "hy",
        Lang::Aze => "az",
        Lang::Uzb => "uz",
        Lang::Amh => "am",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Epo => "eo",
        Lang::Cat => "ca",
        Lang::Tuk => "tk",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRENCH: &str = "Le gouvernement a annoncé mardi une nouvelle série de mesures pour \
        soutenir les entreprises touchées par la crise, selon un communiqué publié à Paris.";
    const ENGLISH: &str = "The government announced on Tuesday a new series of measures to \
        support companies hit by the crisis, according to a statement released in London.";

    #[test]
    fn french_text_is_fr() {
        let language = detect_language(FRENCH, None);
        assert_eq!(language.code, "fr");
        assert!(language.confidence > 0.5);
    }

    #[test]
    fn agreement_with_declared_raises_confidence() {
        let language = detect_language(ENGLISH, Some("en"));
        assert_eq!(language.code, "en");
        assert!(language.confidence >= AGREEMENT_CONFIDENCE);
    }

    #[test]
    fn reliable_text_detection_beats_wrong_declaration() {
        assert_eq!(detect_language(FRENCH, Some("en")).code, "fr");
    }

    #[test]
    fn function_words_decide_clear_cases() {
        let english = format!("{ENGLISH} {ENGLISH} {ENGLISH}");
        let french = format!("{FRENCH} {FRENCH} {FRENCH}");
        assert_eq!(function_word_language(&english), Some("en"));
        assert_eq!(function_word_language(&french), Some("fr"));
        assert_eq!(function_word_language(ENGLISH), None, "too few words to decide");
        assert_eq!(function_word_language(&"Bundesrat Haushalt Zukunft ".repeat(20)), None);
        assert_eq!(detect_language(&french, Some("en")).code, "fr");
        assert_eq!(detect_language(&english, Some("en")).confidence, AGREEMENT_CONFIDENCE);
        assert_eq!(detect_language(&english, None).confidence, FUNCTION_WORDS_ONLY_CONFIDENCE);
    }

    #[test]
    fn short_text_uses_declared_or_und() {
        assert_eq!(detect_language("Hi", Some("de")).code, "de");
        assert_eq!(detect_language("Hi", None).code, "und");
        assert_eq!(detect_language("", Some("english")).code, "und");
    }

    #[test]
    fn every_whatlang_language_maps() {
        for lang in Lang::all() {
            assert!(iso_639_1(*lang).is_some(), "{lang:?}");
        }
    }
}
