//! What users may write: field names, the closed vocabularies of keyword fields, and
//! "did you mean" suggestions for near misses.

use crate::model::{PageKind, QuoteKind, SpeakerKind, Stance};

/// Field names users may write in queries.
pub const QUERY_FIELDS: &[&str] = &[
    "type",
    "title",
    "text",
    "speaker",
    "speaker_kind",
    "stance",
    "quote_kind",
    "cue",
    "target",
    "entity",
    "site",
    "kind",
    "language",
    "published",
    "url",
    "cluster",
];

/// The valid values of a field with a closed vocabulary, if it has one.
pub fn vocabulary(field: &str) -> Option<Vec<&'static str>> {
    Some(match field {
        "type" => vec!["article", "quote"],
        "stance" => Stance::ALL.iter().map(|s| s.as_str()).collect(),
        "speaker_kind" => [
            SpeakerKind::Person,
            SpeakerKind::Organization,
            SpeakerKind::Anonymous,
            SpeakerKind::Group,
            SpeakerKind::Unknown,
        ]
        .iter()
        .map(|k| k.as_str())
        .collect(),
        "quote_kind" => [QuoteKind::Direct, QuoteKind::Mixed, QuoteKind::Indirect].iter().map(|k| k.as_str()).collect(),
        "kind" => [PageKind::News, PageKind::PressRelease, PageKind::Transcript, PageKind::Other]
            .iter()
            .map(|k| k.as_str())
            .collect(),
        _ => return None,
    })
}

/// Optimal-string-alignment distance (Levenshtein with adjacent transpositions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The candidate `word` most likely stands for: within two edits, or sharing its first
/// three letters (`denial` → `deny`, `anon` → `anonymous`).
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    if word.chars().count() > 64 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (edit_distance(&word, c), common_prefix(&word, c), *c))
        .filter(|(distance, prefix, _)| {
            // Short words are two edits away from too much.
            let max_distance = if word.chars().count() <= 4 { 1 } else { 2 };
            *distance <= max_distance || *prefix >= 3
        })
        .min_by_key(|(distance, prefix, _)| (usize::MAX - prefix.min(&8), *distance))
        .map(|(_, _, c)| c)
}

/// Words people write for a field, and the field they mean.
const FIELD_SYNONYMS: &[(&str, &str)] = &[
    ("date", "published"),
    ("time", "published"),
    ("published_at", "published"),
    ("outlet", "site"),
    ("source", "site"),
    ("publisher", "site"),
    ("headline", "title"),
    ("body", "text"),
    ("quote", "text"),
    ("verb", "cue"),
    ("person", "speaker"),
    ("org", "entity"),
    ("lang", "language"),
];

/// The field an unknown field name most likely stands for.
pub fn suggest_field(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    FIELD_SYNONYMS
        .iter()
        .find(|(synonym, _)| *synonym == lower)
        .map(|(_, field)| *field)
        .or_else(|| suggest(name, QUERY_FIELDS))
}

/// ", did you mean `x`?" or a full stop.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    suggest(word, candidates).map_or_else(|| ".".to_string(), |s| format!(", did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_table() {
        let stances = vocabulary("stance").unwrap();
        let kinds = vocabulary("speaker_kind").unwrap();
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("speakr", QUERY_FIELDS, Some("speaker")),
            ("spaeker", QUERY_FIELDS, Some("speaker")),
            ("speaker_knid", QUERY_FIELDS, Some("speaker_kind")),
            ("publshed", QUERY_FIELDS, Some("published")),
            ("date", QUERY_FIELDS, None),
            ("site", &["type"], None),
            ("colour", QUERY_FIELDS, None),
            ("denial", &stances, Some("deny")),
            ("denies", &stances, Some("deny")),
            ("accusation", &stances, Some("accuse")),
            ("criticise", &stances, Some("criticize")),
            ("warning", &stances, Some("warn")),
            ("xyz", &stances, None),
            ("anon", &kinds, Some("anonymous")),
            ("org", &kinds, Some("organization")),
        ];
        for (word, candidates, expected) in cases {
            assert_eq!(suggest(word, candidates), *expected, "{word}");
        }
    }

    #[test]
    fn field_synonyms_point_at_the_field() {
        assert_eq!(suggest_field("date"), Some("published"));
        assert_eq!(suggest_field("Outlet"), Some("site"));
        assert_eq!(suggest_field("speakr"), Some("speaker"));
        assert_eq!(suggest_field("colour"), None);
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("speaker", "spaeker"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
