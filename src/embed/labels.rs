//! Token-classification labels to entity spans: the label names of common NER models mapped
//! to the entity classes of PRODUCT.md, BIO/BILOU sequences decoded into spans, and the
//! words of a sentence aligned with the char offsets a subword model reports.

use std::ops::Range;

use crate::model::EntityLabel;

/// A labelled range of word positions, end exclusive.
pub type EntitySpan = (Range<usize>, EntityLabel);

/// Entity types of common NER label sets (CoNLL-2003, OntoNotes, WikiNER) and the class each
/// maps to; types not listed (dates, numbers, money) are not entities here.
const TYPE_TABLE: &[(&str, EntityLabel)] = &[
    ("PER", EntityLabel::Person),
    ("PERSON", EntityLabel::Person),
    ("ORG", EntityLabel::Organization),
    ("ORGANIZATION", EntityLabel::Organization),
    ("ORGANISATION", EntityLabel::Organization),
    ("LOC", EntityLabel::Location),
    ("LOCATION", EntityLabel::Location),
    ("GPE", EntityLabel::Location),
    ("FAC", EntityLabel::Location),
    ("MISC", EntityLabel::Misc),
    ("NORP", EntityLabel::Misc),
    ("EVENT", EntityLabel::Misc),
    ("PRODUCT", EntityLabel::Misc),
    ("WORK_OF_ART", EntityLabel::Misc),
    ("LAW", EntityLabel::Misc),
    ("LANGUAGE", EntityLabel::Misc),
];

/// Where a label puts its word in a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Begin,
    Inside,
    End,
    Single,
}

/// Splits `B-PER`, `I-ORG`, `L-LOC`, `U-MISC`, `S-PER`, `E-ORG` or a bare `PER`.
fn parse(label: &str) -> Option<(Position, EntityLabel)> {
    let (position, kind) = match label.split_once(['-', '_']).filter(|(p, _)| p.len() == 1) {
        Some(("B", kind)) => (Position::Begin, kind),
        Some(("I", kind)) => (Position::Inside, kind),
        Some(("E" | "L", kind)) => (Position::End, kind),
        Some(("S" | "U", kind)) => (Position::Single, kind),
        _ => (Position::Inside, label),
    };
    Some((position, entity_label(kind)?))
}

/// The entity class of a label's type (`B-PER` and `PERSON` are both a person).
pub fn entity_label(label: &str) -> Option<EntityLabel> {
    let kind = match label.split_once('-') {
        Some((prefix, kind)) if prefix.len() == 1 => kind,
        _ => label,
    };
    TYPE_TABLE.iter().find(|(name, _)| name.eq_ignore_ascii_case(kind)).map(|(_, l)| *l)
}

/// Decodes one label per word into spans. Tolerant of the mistakes models make: an `I-`
/// without a `B-` starts a span, and a change of type ends one.
pub fn bio_spans(labels: &[&str]) -> Vec<EntitySpan> {
    let mut spans: Vec<EntitySpan> = Vec::new();
    let mut open: Option<(usize, EntityLabel)> = None;
    for (i, label) in labels.iter().enumerate() {
        let parsed = parse(label);
        let continues =
            matches!((parsed, open), (Some((Position::Inside | Position::End, kind)), Some((_, o))) if kind == o);
        if !continues && let Some((start, kind)) = open.take() {
            spans.push((start..i, kind));
        }
        match parsed {
            None => {}
            Some((Position::Single, kind)) => spans.push((i..i + 1, kind)),
            Some((Position::End, kind)) => {
                let start = open.take().map_or(i, |(s, _)| s);
                spans.push((start..i + 1, kind));
            }
            Some((Position::Begin | Position::Inside, kind)) if open.is_none() => open = Some((i, kind)),
            Some((Position::Begin | Position::Inside, _)) => {}
        }
    }
    if let Some((start, kind)) = open {
        spans.push((start..labels.len(), kind));
    }
    spans
}

/// The words of a sentence joined by single spaces, and where each word starts (in chars).
pub fn join_words(words: &[&str]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(words.len());
    let mut at = 0;
    for word in words {
        if !text.is_empty() {
            text.push(' ');
            at += 1;
        }
        starts.push(at);
        text.push_str(word);
        at += word.chars().count();
    }
    (text, starts)
}

/// The word a char offset of the joined sentence falls in.
pub fn word_at(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityLabel::*;

    #[test]
    fn label_types_map_to_entity_classes() {
        let table = [
            ("B-PER", Some(Person)),
            ("I-ORG", Some(Organization)),
            ("PERSON", Some(Person)),
            ("U-GPE", Some(Location)),
            ("B-NORP", Some(Misc)),
            ("B-DATE", None),
            ("O", None),
            ("", None),
        ];
        for (label, expected) in table {
            assert_eq!(entity_label(label), expected, "{label}");
        }
    }

    #[test]
    fn bio_sequences_decode_into_spans() {
        let table: &[(&[&str], Vec<EntitySpan>)] = &[
            (&["B-PER", "I-PER", "O", "B-ORG"], vec![(0..2, Person), (3..4, Organization)]),
            // An I- without a B- starts a span; a change of type ends one.
            (&["I-LOC", "I-LOC", "I-ORG"], vec![(0..2, Location), (2..3, Organization)]),
            // B- right after a span of the same type starts a new one.
            (&["B-PER", "B-PER"], vec![(0..1, Person), (1..2, Person)]),
            // BILOU.
            (&["B-ORG", "I-ORG", "L-ORG", "U-PER", "O"], vec![(0..3, Organization), (3..4, Person)]),
            // IO labels without prefixes.
            (&["O", "PER", "PER", "O", "LOC"], vec![(1..3, Person), (4..5, Location)]),
            // Types that are not entities here end a span and start none.
            (&["B-PER", "B-DATE", "I-DATE"], vec![(0..1, Person)]),
            (&[], vec![]),
        ];
        for (labels, expected) in table {
            assert_eq!(&bio_spans(labels), expected, "{labels:?}");
        }
    }

    #[test]
    fn char_offsets_map_back_to_words() {
        let (text, starts) = join_words(&["Ren", "Zhengfei", "said", "."]);
        assert_eq!(text, "Ren Zhengfei said .");
        assert_eq!(starts, vec![0, 4, 13, 18]);
        assert_eq!(word_at(&starts, 0), 0);
        assert_eq!(word_at(&starts, 6), 1);
        assert_eq!(word_at(&starts, 13), 2);
        assert_eq!(word_at(&starts, 18), 3);
    }
}
