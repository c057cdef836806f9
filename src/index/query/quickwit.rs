//! Our query language translated into Quickwit's query syntax, for the fields both indexes
//! share (the Quickwit mapping is generated from the same field table).
//!
//! A query is first compiled for the embedded index (`compile`), so every check and error
//! message is the same for both engines; only a query that compiles is translated. Each
//! clause becomes what compilation searches: a bare word the quote's text, speaker and cue
//! and an article's title, a `speaker:` the canonical key or the written names, dates
//! half-open RFC 3339 ranges. Values are quoted (Quickwit analyses a quoted value with the
//! field's tokenizer), prefixes escaped.

use super::super::analysis;
use super::super::names::canonical_name;
use super::parse::{self, Node, Term, Value};
use super::{EARLIEST_DATE, QueryError, dates, vocabulary};

/// `text` as a quoted Quickwit phrase (optionally with slop).
pub(crate) fn quoted(text: &str, slop: u32) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    if slop > 0 { format!("\"{escaped}\"~{slop}") } else { format!("\"{escaped}\"") }
}

/// A word with Quickwit's special characters escaped, followed by `*`.
fn prefix(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 1);
    for c in word.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('*');
    out
}

fn any(clauses: Vec<String>) -> String {
    if clauses.len() == 1 {
        clauses.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", clauses.join(" OR "))
    }
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Translates a query that already compiled (see the module docs).
pub fn translate(query: &str) -> Result<String, QueryError> {
    let node = parse::parse(query).map_err(|e| QueryError { message: e.message, column: Some(e.column) })?;
    node_query(&node)
}

fn node_query(node: &Node) -> Result<String, QueryError> {
    Ok(match node {
        Node::All => "*".to_string(),
        Node::Term(term) => term_query(term)?,
        Node::Not(inner) => format!("(* AND NOT {})", node_query(inner)?),
        Node::And(children) => {
            let mut parts = Vec::with_capacity(children.len() + 1);
            for child in children {
                match child {
                    Node::Not(inner) => parts.push(format!("NOT {}", node_query(inner)?)),
                    _ => parts.push(node_query(child)?),
                }
            }
            if children.iter().all(|c| matches!(c, Node::Not(_))) {
                parts.insert(0, "*".to_string());
            }
            format!("({})", parts.join(" AND "))
        }
        Node::Or(children) => any(children.iter().map(node_query).collect::<Result<_, _>>()?),
    })
}

fn term_query(term: &Term) -> Result<String, QueryError> {
    let Some(field) = term.field.as_deref() else { return Ok(free(&term.value)) };
    if field == "published" {
        return published(&term.value, term.column);
    }
    let (text, slop, is_prefix) = match &term.value {
        Value::Word { text, prefix } => (text.as_str(), 0, *prefix),
        Value::Phrase { text, slop } => (text.as_str(), *slop, false),
        Value::Range { .. } | Value::Compare { .. } => {
            let message = format!("`{field}:` takes a value; ranges are for `published:`");
            return Err(QueryError { message, column: Some(term.column) });
        }
    };
    let value = |f: &str| {
        if is_prefix { format!("{f}:{}", prefix(&text.to_lowercase())) } else { format!("{f}:{}", quoted(text, slop)) }
    };
    if vocabulary(field).is_some() {
        return Ok(format!("{field}:{}", quoted(&text.trim().to_lowercase(), 0)));
    }
    Ok(match field {
        "language" => format!("language:{}", quoted(&text.to_lowercase(), 0)),
        "url" | "cluster" => format!("{field}:{}", quoted(text.trim(), 0)),
        "speaker" | "entity" => {
            if is_prefix {
                value(field)
            } else {
                let key = analysis::keyword_value(&mut analysis::keyword_analyzer(), &canonical_name(text, true));
                any(vec![format!("{field}_key:{}", quoted(&key, 0)), value(field)])
            }
        }
        _ => value(field),
    })
}

/// A bare word or phrase: the quote's own fields, an article's text and title.
fn free(value: &Value) -> String {
    let (operand, stance) = match value {
        Value::Word { text, prefix: true } => (prefix(&text.to_lowercase()), None),
        Value::Word { text, prefix: false } if text == "*" => return "*".to_string(),
        Value::Word { text, .. } => {
            let lower = text.to_lowercase();
            let stance = vocabulary("stance").filter(|v| v.contains(&lower.as_str())).map(|_| lower);
            (quoted(text, 0), stance)
        }
        Value::Phrase { text, slop } => (quoted(text, *slop), None),
        Value::Range { .. } | Value::Compare { .. } => return "*".to_string(),
    };
    let clause = |field: &str| format!("{field}:{operand}");
    let mut clauses =
        vec![clause("text"), format!("({} AND type:\"article\")", clause("title")), clause("speaker"), clause("cue")];
    if let Some(stance) = stance {
        clauses.push(format!("stance:{}", quoted(&stance, 0)));
    }
    any(clauses)
}

fn published(value: &Value, column: usize) -> Result<String, QueryError> {
    let bounds = match value {
        Value::Word { text, .. } => dates::period(text).map(|p| (Some(p.start), Some(p.end))),
        Value::Range { lower, upper, inclusive_lower, inclusive_upper } => {
            dates::range(lower.as_deref(), upper.as_deref(), *inclusive_lower, *inclusive_upper)
        }
        Value::Compare { op, text } => dates::compare(*op, text),
        Value::Phrase { .. } => Err("`published:` takes a date".into()),
    };
    let (lower, upper) = bounds.map_err(|message| QueryError { message, column: Some(column) })?;
    let lower = lower.or(Some(EARLIEST_DATE).filter(|_| upper.is_none()));
    let lower = lower.map_or_else(|| "*".to_string(), rfc3339);
    let upper = upper.map_or_else(|| "*".to_string(), rfc3339);
    Ok(format!("published:[{lower} TO {upper}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_become_quickwit_clauses_on_the_same_fields() {
        let cases = [
            ("stance:Deny", "stance:\"deny\""),
            (
                "speaker:\"Huawei Technologies Co., Ltd\"",
                "(speaker_key:\"huawei\" OR speaker:\"Huawei Technologies Co., Ltd\")",
            ),
            ("site:reuters AND -kind:news", "(site:\"reuters\" AND NOT kind:\"news\")"),
            ("title:secur*", "title:secur*"),
            ("published:[2019-01-01 TO 2019-12-31]", "published:[2019-01-01T00:00:00Z TO 2020-01-01T00:00:00Z}"),
            ("published:>=2020", "published:[2020-01-01T00:00:00Z TO *}"),
            ("-type:article", "(* AND NOT type:\"article\")"),
            ("cue:\"said \\\"x\"", "cue:\"said \\\"x\""),
            ("*", "*"),
        ];
        for (query, expected) in cases {
            assert_eq!(translate(query).unwrap(), expected, "{query}");
        }
    }

    #[test]
    fn a_bare_word_searches_the_quote_fields_and_article_titles_and_a_stance_word_the_stance() {
        assert_eq!(
            translate("deny").unwrap(),
            "(text:\"deny\" OR (title:\"deny\" AND type:\"article\") OR speaker:\"deny\" OR cue:\"deny\" OR stance:\"deny\")"
        );
        assert_eq!(
            translate("\"trade war\"~2 OR tariffs").unwrap(),
            "((text:\"trade war\"~2 OR (title:\"trade war\"~2 AND type:\"article\") OR speaker:\"trade war\"~2 OR cue:\"trade war\"~2) OR (text:\"tariffs\" OR (title:\"tariffs\" AND type:\"article\") OR speaker:\"tariffs\" OR cue:\"tariffs\"))"
        );
    }
}
