//! Language of the main text: whatlang on a sample of the text, cross-checked with the page's
//! declared `<html lang>`, reported as ISO 639-1 ("en", "fr") or "und".
//!
//! Owns the ISO 639-3 to 639-1 mapping and the agreement rules; must not touch the DOM.

use whatlang::Lang;

/// How much text whatlang sees; detection is trigram-based and plateaus long before this.
const SAMPLE_CHARS: usize = 2_000;

/// Texts shorter than this are not detected; the declared language (if any) is used.
const MIN_DETECT_CHARS: usize = 20;

/// Confidence reported when text detection and the declared language agree.
const AGREEMENT_CONFIDENCE: f64 = 0.95;

/// Confidence reported when only the declared language is known.
const DECLARED_ONLY_CONFIDENCE: f64 = 0.5;

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
