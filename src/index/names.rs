//! Canonical names of speakers and entities across articles.
//!
//! The analyser links mentions within one article ("Mr. Ren" → "Ren Zhengfei"); across
//! articles the same organisation is still written several ways ("Huawei Technologies Co.,
//! Ltd", "Huawei Technologies", "Huawei"). This file decides the one name they share: a
//! leading "the" and trailing legal forms and generic descriptors
//! (`config/lexicons/org_suffixes.txt`) are dropped from organisation names. People's names
//! are kept as written. Pure string functions; the index stores the result.

use std::collections::HashSet;
use std::sync::LazyLock;

static ORG_SUFFIXES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../config/lexicons/org_suffixes.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// Characters trimmed from both ends of a name and of each word when comparing with the
/// suffix list.
fn is_edge_punctuation(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | ':' | '"' | '\'' | '“' | '”' | '‘' | '’' | '(' | ')' | '[' | ']')
}

/// The name several spellings of one party share. `organisation` says whether legal forms
/// may be dropped (organisations and parties of unknown kind; never people).
pub fn canonical_name(name: &str, organisation: bool) -> String {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    if organisation {
        let bare = |w: &str| w.trim_matches(is_edge_punctuation).to_lowercase();
        if words.len() > 1 && bare(words[0]) == "the" {
            words.remove(0);
        }
        while words.len() > 1 && words.last().is_some_and(|w| ORG_SUFFIXES.contains(&bare(w))) {
            words.pop();
        }
    }
    // "Huawei Technologies Co., Ltd" leaves "Huawei" above; a trailing possessive or comma
    // and surrounding quotation marks are not part of a name ("Mr." keeps its period).
    let mut out = words.join(" ");
    for possessive in ["’s", "'s"] {
        if let Some(stripped) = out.strip_suffix(possessive) {
            out = stripped.to_string();
        }
    }
    out.trim_matches(|c: char| is_edge_punctuation(c) && c != '.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_table() {
        let cases = [
            ("Huawei Technologies Co., Ltd", true, "Huawei"),
            ("Huawei Technologies", true, "Huawei"),
            ("Huawei", true, "Huawei"),
            ("Huawei Newsroom", true, "Huawei"),
            ("ZTE Corp.", true, "ZTE"),
            ("the FCC", true, "FCC"),
            ("  Federal   Communications Commission ", true, "Federal Communications Commission"),
            ("Baltica Telecom", true, "Baltica Telecom"),
            ("Group", true, "Group"),
            ("Huawei's", true, "Huawei"),
            ("René Dufresne", false, "René Dufresne"),
            ("Mr. Carver", false, "Mr. Carver"),
            ("Huawei Technologies Co., Ltd.", true, "Huawei"),
            ("Acme Inc.", true, "Acme"),
            ("Ren Holding", false, "Ren Holding"),
            ("\"The Company\"", true, "Company"),
        ];
        for (name, organisation, expected) in cases {
            assert_eq!(canonical_name(name, organisation), expected, "{name}");
        }
    }
}
