//! A query split for hybrid search: its free words (what the statement should mean, for the
//! embedding) and its filters (every top-level `AND` clause that is not a free word:
//! `speaker:`, `published:`, negations...), which vector candidates must match too.

use tantivy::query::Query;

use super::parse::{self, Node, Term, Value};
use super::{Compiler, QueryError, analysis};
use crate::index::schema::Fields;

/// A query's meaning and its filters.
pub struct QueryParts {
    /// The free words and phrases, in order (empty: the query has none).
    pub text: String,
    /// The other top-level clauses, compiled; None when there are none.
    pub filter: Option<Box<dyn Query>>,
}

/// A bare word or phrase (or one under `text:`): part of what the query means.
fn free_text(node: &Node) -> Option<&str> {
    match node {
        Node::Term(Term { field, value: Value::Word { text, prefix: false } | Value::Phrase { text, .. }, .. })
            if field.as_deref().is_none_or(|f| f == "text") =>
        {
            Some(text)
        }
        _ => None,
    }
}

/// The free words anywhere in `node` except under a negation.
fn positive_words<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match node {
        Node::And(children) | Node::Or(children) => children.iter().for_each(|c| positive_words(c, out)),
        Node::Not(_) | Node::All => {}
        Node::Term(_) => out.extend(free_text(node)),
    }
}

/// Splits `query` (checked as [`super::compile`] checks it).
pub fn split(query: &str, fields: &Fields) -> Result<QueryParts, QueryError> {
    let node = parse::parse(query).map_err(|e| QueryError { message: e.message, column: Some(e.column) })?;
    let (words, filters): (Vec<&str>, Vec<Node>) = match &node {
        Node::And(children) => {
            let words = children.iter().filter_map(free_text).collect();
            (words, children.iter().filter(|c| free_text(c).is_none()).cloned().collect())
        }
        other => {
            // A single clause, an `OR` or a negation: its free words carry the meaning and
            // the lexical side alone applies the rest.
            let mut words = Vec::new();
            positive_words(other, &mut words);
            let filters = if words.is_empty() && !matches!(other, Node::All) { vec![other.clone()] } else { vec![] };
            (words, filters)
        }
    };
    let filter = if filters.is_empty() {
        None
    } else {
        let mut compiler = Compiler {
            f: fields,
            stemmed: analysis::stemmed_analyzer(),
            exact: analysis::exact_analyzer(),
            keyword: analysis::keyword_analyzer(),
            highlights: Default::default(),
        };
        Some(compiler.node(&Node::And(filters), false)?)
    };
    Ok(QueryParts { text: words.join(" "), filter })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_words_carry_the_meaning_and_the_rest_filters() {
        let fields = Fields::new(&crate::index::schema::build()).unwrap();
        let table = [
            ("company rejects the allegations", "company rejects the allegations", false),
            ("speaker:huawei AND rejects \"the claims\"", "rejects the claims", true),
            ("rejects -speaker:zte published:2020", "rejects", true),
            ("text:denies", "denies", false),
            ("speaker:huawei", "", true),
            ("denies OR rejects -claims", "denies rejects", false),
            ("(denies OR rejects) AND -huawei", "", true),
            ("secur* stance:deny", "", true),
            ("*", "", false),
        ];
        for (query, text, filtered) in table {
            let parts = split(query, &fields).unwrap();
            assert_eq!((parts.text.as_str(), parts.filter.is_some()), (text, filtered), "{query}");
        }
        assert!(split("speakr:x denies", &fields).is_err(), "filters are checked like any query");
    }
}
