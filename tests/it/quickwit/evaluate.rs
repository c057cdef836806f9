//! A small, real evaluator of Quickwit's query syntax (the part quotewire writes) over the
//! documents a contract server holds: `field:"phrase"~N`, `field:prefix*`,
//! `field:[a TO b}` ranges on datetimes, `*`, `AND`, `OR`, `NOT`, `-` and parentheses.
//! Values are analysed with the field's tokenizer from the index config; an unknown field,
//! a term on a field that is not indexed, or a range on one that is not fast is an error,
//! as in Quickwit. Juxtaposed clauses without an operator are refused rather than guessed.

use serde_json::Value;

use super::contract::MappedField;

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    All,
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    Phrase { field: String, text: String, slop: usize },
    Prefix { field: String, prefix: String },
    Range { field: String, lower: Option<String>, upper: Option<String>, lower_inclusive: bool, upper_inclusive: bool },
}

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    fields: &'a std::collections::HashMap<String, MappedField>,
}

pub fn parse(query: &str, fields: &std::collections::HashMap<String, MappedField>) -> Result<Query, String> {
    let mut parser = Parser { chars: query.chars().collect(), at: 0, fields };
    let parsed = parser.or()?;
    parser.skip_spaces();
    if parser.at < parser.chars.len() {
        return Err(format!("unexpected `{}` at {}: join clauses with AND or OR", parser.rest(), parser.at));
    }
    Ok(parsed)
}

impl Parser<'_> {
    fn rest(&self) -> String {
        self.chars[self.at..].iter().take(20).collect()
    }

    fn skip_spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn keyword(&mut self, word: &str) -> bool {
        self.skip_spaces();
        let end = self.at + word.len();
        let matches = self.chars.len() >= end
            && self.chars[self.at..end].iter().collect::<String>() == word
            && self.chars.get(end).is_none_or(|c| c.is_whitespace() || *c == '(');
        if matches {
            self.at = end;
        }
        matches
    }

    fn or(&mut self) -> Result<Query, String> {
        let mut clauses = vec![self.and()?];
        while self.keyword("OR") {
            clauses.push(self.and()?);
        }
        Ok(if clauses.len() == 1 { clauses.pop().unwrap() } else { Query::Or(clauses) })
    }

    fn and(&mut self) -> Result<Query, String> {
        let mut clauses = vec![self.unary()?];
        while self.keyword("AND") {
            clauses.push(self.unary()?);
        }
        Ok(if clauses.len() == 1 { clauses.pop().unwrap() } else { Query::And(clauses) })
    }

    fn unary(&mut self) -> Result<Query, String> {
        self.skip_spaces();
        if self.keyword("NOT") {
            return Ok(Query::Not(Box::new(self.unary()?)));
        }
        if self.chars.get(self.at) == Some(&'-') {
            self.at += 1;
            return Ok(Query::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Query, String> {
        self.skip_spaces();
        match self.chars.get(self.at) {
            Some('(') => {
                self.at += 1;
                let inner = self.or()?;
                self.skip_spaces();
                if self.chars.get(self.at) != Some(&')') {
                    return Err(format!("missing `)` at {}", self.at));
                }
                self.at += 1;
                Ok(inner)
            }
            Some('*') => {
                self.at += 1;
                Ok(Query::All)
            }
            Some(_) => self.field_clause(),
            None => Err("the query ends too early".into()),
        }
    }

    fn field_clause(&mut self) -> Result<Query, String> {
        let start = self.at;
        while self.chars.get(self.at).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
            self.at += 1;
        }
        let field: String = self.chars[start..self.at].iter().collect();
        if self.chars.get(self.at) != Some(&':') {
            return Err(format!("expected `field:` at {start}, found `{}`", self.rest()));
        }
        self.at += 1;
        let mapped = self.fields.get(&field).ok_or(format!("field `{field}` does not exist in the doc mapping"))?;
        match self.chars.get(self.at) {
            Some('"') => {
                let text = self.quoted()?;
                let mut slop = 0;
                if self.chars.get(self.at) == Some(&'~') {
                    self.at += 1;
                    let digits = self.at;
                    while self.chars.get(self.at).is_some_and(char::is_ascii_digit) {
                        self.at += 1;
                    }
                    slop = self.chars[digits..self.at].iter().collect::<String>().parse().map_err(|_| "bad slop")?;
                }
                if !mapped.indexed {
                    return Err(format!("field `{field}` is not indexed"));
                }
                Ok(Query::Phrase { field, text, slop })
            }
            Some('[') | Some('{') => {
                let lower_inclusive = self.chars[self.at] == '[';
                self.at += 1;
                let body_start = self.at;
                while self.chars.get(self.at).is_some_and(|c| *c != ']' && *c != '}') {
                    self.at += 1;
                }
                let body: String = self.chars[body_start..self.at].iter().collect();
                let upper_inclusive = self.chars.get(self.at) == Some(&']');
                self.at += 1;
                let (lower, upper) = body.split_once(" TO ").ok_or(format!("a range needs ` TO `: `{body}`"))?;
                if !mapped.fast {
                    return Err(format!("range on `{field}`, which is not a fast field"));
                }
                let bound = |b: &str| (b.trim() != "*").then(|| b.trim().to_string());
                Ok(Query::Range { field, lower: bound(lower), upper: bound(upper), lower_inclusive, upper_inclusive })
            }
            _ => {
                let mut prefix = String::new();
                loop {
                    match self.chars.get(self.at) {
                        Some('\\') => {
                            prefix.extend(self.chars.get(self.at + 1));
                            self.at += 2;
                        }
                        Some('*') => {
                            self.at += 1;
                            break;
                        }
                        Some(c) if !c.is_whitespace() && *c != ')' => {
                            prefix.push(*c);
                            self.at += 1;
                        }
                        _ => {
                            return Err(format!(
                                "`{field}:{prefix}`: quotewire quotes values or ends prefixes with `*`"
                            ));
                        }
                    }
                }
                if !mapped.indexed {
                    return Err(format!("field `{field}` is not indexed"));
                }
                Ok(Query::Prefix { field, prefix })
            }
        }
    }

    fn quoted(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut text = String::new();
        loop {
            match self.chars.get(self.at) {
                Some('\\') => {
                    text.extend(self.chars.get(self.at + 1));
                    self.at += 2;
                }
                Some('"') => {
                    self.at += 1;
                    return Ok(text);
                }
                Some(c) => {
                    text.push(*c);
                    self.at += 1;
                }
                None => return Err("unclosed `\"`".into()),
            }
        }
    }
}

/// A crude English stemmer (the same on both sides, which is all matching needs).
fn stem(word: &str) -> String {
    for (suffix, keep) in [("ies", "i"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= 3
        {
            return format!("{base}{keep}");
        }
    }
    word.to_string()
}

/// Terms of `text` as the field's tokenizer makes them.
pub fn analyze(tokenizer: Option<&str>, text: &str) -> Vec<String> {
    let words = || {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && w.len() <= 40)
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    match tokenizer {
        Some("raw") | None => vec![text.to_string()],
        Some("quotewire_keyword") | Some("lowercase") => vec![text.to_lowercase()],
        Some("en_stem") => words().iter().map(|w| stem(w)).collect(),
        Some(_) => words(),
    }
}

fn values(doc: &Value, field: &str) -> Vec<String> {
    match &doc[field] {
        Value::Array(values) => values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

/// Whether `query` (terms) occurs in `terms` in order, with at most `slop` terms between.
fn occurs(terms: &[String], query: &[String], slop: usize) -> bool {
    if query.is_empty() {
        return false;
    }
    (0..terms.len()).any(|start| {
        if terms[start] != query[0] {
            return false;
        }
        let (mut at, mut gaps) = (start, 0);
        for q in &query[1..] {
            let Some(next) = terms[at + 1..].iter().position(|t| t == q) else { return false };
            gaps += next;
            at += next + 1;
        }
        gaps <= slop
    })
}

fn seconds(value: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(value).ok().map(|t| t.timestamp())
}

/// The score of `doc` for `query` (matching clauses), None when it does not match.
pub fn score(query: &Query, doc: &Value, fields: &std::collections::HashMap<String, MappedField>) -> Option<f32> {
    match query {
        Query::All => Some(0.0),
        Query::And(clauses) => clauses.iter().map(|c| score(c, doc, fields)).sum(),
        Query::Or(clauses) => {
            let scores: Vec<f32> = clauses.iter().filter_map(|c| score(c, doc, fields)).collect();
            (!scores.is_empty()).then(|| scores.iter().sum())
        }
        Query::Not(inner) => score(inner, doc, fields).is_none().then_some(0.0),
        Query::Phrase { field, text, slop } => {
            let tokenizer = fields[field].tokenizer.as_deref();
            let wanted = analyze(tokenizer, text);
            values(doc, field).iter().any(|v| occurs(&analyze(tokenizer, v), &wanted, *slop)).then_some(1.0)
        }
        Query::Prefix { field, prefix } => {
            let tokenizer = fields[field].tokenizer.as_deref();
            let prefix = prefix.to_lowercase();
            let words = |v: &str| analyze(Some("default"), v);
            let hit = values(doc, field).iter().any(|v| {
                let terms = if matches!(tokenizer, Some("raw") | None) { vec![v.clone()] } else { words(v) };
                terms.iter().any(|t| t.starts_with(&prefix))
            });
            hit.then_some(1.0)
        }
        Query::Range { field, lower, upper, lower_inclusive, upper_inclusive } => {
            let lower = lower.as_deref().map(|l| seconds(l).unwrap_or(i64::MAX));
            let upper = upper.as_deref().map(|u| seconds(u).unwrap_or(i64::MIN));
            let within = |t: i64| {
                lower.is_none_or(|l| if *lower_inclusive { t >= l } else { t > l })
                    && upper.is_none_or(|u| if *upper_inclusive { t <= u } else { t < u })
            };
            values(doc, field).iter().filter_map(|v| seconds(v)).any(within).then_some(1.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_keep_order_within_their_slop_and_stems_match_word_forms() {
        let terms: Vec<String> = analyze(Some("en_stem"), "The tariffs were never accepted by Huawei");
        assert!(occurs(&terms, &analyze(Some("en_stem"), "tariff"), 0));
        assert!(occurs(&terms, &analyze(Some("en_stem"), "never accepting"), 0));
        assert!(!occurs(&terms, &analyze(Some("en_stem"), "accepted never"), 0));
        assert!(!occurs(&terms, &analyze(Some("en_stem"), "tariffs accepted"), 1));
        assert!(occurs(&terms, &analyze(Some("en_stem"), "tariffs accepted"), 2));
    }
}
