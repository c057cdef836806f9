//! The query language of PRODUCT.md: parsing (`parse.rs`), field and value checks
//! (`vocab.rs`), dates (`dates.rs`) and compilation into tantivy queries (here).
//!
//! Compilation decides what each clause searches: a bare word matches a quote's own fields
//! (stemmed text, speaker, cue, stance) and an article's text and title; a phrase matches
//! the exact (unstemmed) copies of those fields; `speaker:` and `entity:` match the canonical
//! name and every variant; closed vocabularies are checked with the valid values in the
//! error. It also collects the words to highlight in hits.

mod dates;
mod meaning;
mod parse;
mod quickwit;
mod vocab;

pub use meaning::split;
pub use parse::{MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS};
pub(crate) use quickwit::quoted as quickwit_quoted;
pub use quickwit::translate as translate_for_quickwit;
pub use vocab::{QUERY_FIELDS, edit_distance, vocabulary};

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::Term as IndexTerm;
use tantivy::query::{AllQuery, BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::analysis;
use super::names::canonical_name;
use super::schema::Fields;
use parse::{Node, Term, Value};

/// A lower bound before any publication date (about 250 BC; dates are nanoseconds in an
/// i64 inside the index, so not much earlier), for open ranges.
const EARLIEST_DATE: i64 = -7_000_000_000;
/// Shortest prefix of a `word*` search: shorter ones expand to most of the dictionary.
const MIN_PREFIX_CHARS: usize = 2;

/// A query the user must fix, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub message: String,
    /// Char column (from 1) of the problem, when it has one.
    pub column: Option<usize>,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "{} (column {column})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Words of the query to mark in hits.
#[derive(Debug, Clone, Default)]
pub struct Highlights {
    /// Stemmed words (bare words and `text:`).
    pub stems: HashSet<String>,
    /// Exact words (phrases).
    pub exact: HashSet<String>,
    /// Exact prefixes (`secur*`).
    pub prefixes: Vec<String>,
    /// Exact words of `speaker:` values and bare words (marked in speaker names).
    pub speaker: HashSet<String>,
}

/// A query ready to run.
pub struct CompiledQuery {
    pub query: Box<dyn Query>,
    pub highlights: Highlights,
}

/// Parses and compiles `query` (empty or `*`: everything).
pub fn compile(query: &str, fields: &Fields) -> Result<CompiledQuery, QueryError> {
    let node = parse::parse(query).map_err(|e| QueryError { message: e.message, column: Some(e.column) })?;
    let mut compiler = Compiler {
        f: fields,
        stemmed: analysis::stemmed_analyzer(),
        exact: analysis::exact_analyzer(),
        keyword: analysis::keyword_analyzer(),
        highlights: Highlights::default(),
    };
    let query = compiler.node(&node, false)?;
    Ok(CompiledQuery { query, highlights: compiler.highlights })
}

struct Compiler<'a> {
    f: &'a Fields,
    stemmed: TextAnalyzer,
    exact: TextAnalyzer,
    keyword: TextAnalyzer,
    highlights: Highlights,
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(IndexTerm::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn any(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect()))
}

fn all(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect()))
}

/// A stem on a field of words and marked stems: words whose stem is themselves are
/// indexed as the word, the others under the marked stem.
fn stem_query(field: Field, stem: &str) -> Box<dyn Query> {
    any(vec![term_query(field, stem), term_query(field, &analysis::stem_term(stem))])
}

/// Words in sequence on one field: a term, or a phrase with `slop`.
fn sequence(field: Field, words: &[String], slop: u32) -> Box<dyn Query> {
    match words {
        [word] => term_query(field, word),
        _ => {
            let terms = words.iter().enumerate().map(|(i, w)| (i, IndexTerm::from_field_text(field, w))).collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
        }
    }
}

fn error(column: usize, message: String) -> QueryError {
    QueryError { message, column: Some(column) }
}

impl Compiler<'_> {
    fn node(&mut self, node: &Node, negated: bool) -> Result<Box<dyn Query>, QueryError> {
        match node {
            Node::All => Ok(Box::new(AllQuery)),
            Node::Term(term) => self.term(term, negated),
            Node::Not(inner) => {
                let inner = self.node(inner, !negated)?;
                Ok(Box::new(BooleanQuery::new(vec![(Occur::Must, Box::new(AllQuery)), (Occur::MustNot, inner)])))
            }
            Node::And(children) => {
                let mut clauses = Vec::with_capacity(children.len());
                for child in children {
                    match child {
                        Node::Not(inner) => clauses.push((Occur::MustNot, self.node(inner, !negated)?)),
                        _ => clauses.push((Occur::Must, self.node(child, negated)?)),
                    }
                }
                if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Ok(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Or(children) => {
                let mut clauses = Vec::with_capacity(children.len());
                for child in children {
                    clauses.push(self.node(child, negated)?);
                }
                Ok(any(clauses))
            }
        }
    }

    fn term(&mut self, term: &Term, negated: bool) -> Result<Box<dyn Query>, QueryError> {
        let column = term.column;
        let Some(field) = term.field.as_deref() else {
            return self.free(&term.value, column, negated);
        };
        if !QUERY_FIELDS.contains(&field) {
            let hint =
                vocab::suggest_field(field).map_or_else(|| ".".to_string(), |s| format!(", did you mean `{s}`?"));
            return Err(error(column, format!("unknown field `{field}`{hint} Fields: {}", QUERY_FIELDS.join(", "))));
        }
        if field == "published" {
            return self.published(&term.value, column);
        }
        let (text, slop, prefix) = match &term.value {
            Value::Word { text, prefix } => (text.as_str(), 0, *prefix),
            Value::Phrase { text, slop } => (text.as_str(), *slop, false),
            Value::Range { .. } | Value::Compare { .. } => {
                return Err(error(column, format!("`{field}:` takes a value; ranges are for `published:`")));
            }
        };
        if let Some(values) = vocabulary(field) {
            return self.closed(field, text, &values, column);
        }
        let f = self.f;
        match field {
            "language" => {
                let code = text.to_lowercase();
                if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                    return Err(error(
                        column,
                        format!("bad language `{text}`: write an ISO 639-1 code such as en, fr or de (und: unknown)"),
                    ));
                }
                Ok(term_query(f.language, &code))
            }
            "url" | "cluster" => {
                if prefix {
                    return Err(error(column, format!("`{field}:` takes a whole value, not a prefix")));
                }
                let target = if field == "url" { f.url } else { f.cluster };
                Ok(term_query(target, text.trim()))
            }
            "title" | "text" | "target" => {
                let (target, with_words) = match field {
                    "title" => (f.title, true),
                    "text" => (f.text, true),
                    _ => (f.target, false),
                };
                self.words(text, slop, prefix, &term.value, column, negated, target, with_words)
            }
            "speaker" | "entity" => {
                let (key_field, name_field) =
                    if field == "speaker" { (f.speaker_key, f.speaker) } else { (f.entity_key, f.entity) };
                let words = self.exact_words(text, column)?;
                if !negated && field == "speaker" {
                    self.highlights.speaker.extend(words.iter().cloned());
                }
                if prefix {
                    return self.prefix(name_field, &words, column);
                }
                let canonical = canonical_name(text, true);
                let key = analysis::keyword_value(&mut self.keyword, &canonical);
                Ok(any(vec![term_query(key_field, &key), sequence(name_field, &words, slop)]))
            }
            "site" | "cue" => {
                let target = if field == "site" { f.site } else { f.cue };
                let words = self.exact_words(text, column)?;
                if prefix {
                    return self.prefix(target, &words, column);
                }
                Ok(sequence(target, &words, slop))
            }
            other => Err(error(column, format!("field `{other}` cannot be searched"))),
        }
    }

    fn exact_words(&mut self, text: &str, column: usize) -> Result<Vec<String>, QueryError> {
        let words = tokens(&mut self.exact, text);
        if words.is_empty() {
            return Err(error(column, format!("`{text}` has no letters or digits to search for")));
        }
        Ok(words)
    }

    /// `word*` on an exact field: the last word is a prefix.
    fn prefix(&mut self, field: Field, words: &[String], column: usize) -> Result<Box<dyn Query>, QueryError> {
        let [word] = words else {
            return Err(error(column, "a prefix search (`secur*`) takes one word".into()));
        };
        if word.chars().count() < MIN_PREFIX_CHARS {
            return Err(error(column, format!("a prefix needs at least {MIN_PREFIX_CHARS} letters")));
        }
        let pattern = format!("{}.*", regex::escape(word));
        let query = RegexQuery::from_pattern(&pattern, field)
            .map_err(|e| error(column, format!("bad prefix `{word}`: {e}")))?;
        Ok(Box::new(query))
    }

    /// Words on a text field: stems for a word, exact words for a phrase when the field
    /// holds them (`with_words`: `title:`, `text:`; `target:` holds stems only).
    #[allow(clippy::too_many_arguments)]
    fn words(
        &mut self,
        text: &str,
        slop: u32,
        prefix: bool,
        value: &Value,
        column: usize,
        negated: bool,
        field: Field,
        with_words: bool,
    ) -> Result<Box<dyn Query>, QueryError> {
        let words = self.exact_words(text, column)?;
        if prefix {
            if !negated {
                self.highlights.prefixes.extend(words.iter().cloned());
            }
            return self.prefix(field, &words, column);
        }
        let phrase = matches!(value, Value::Phrase { .. }) || words.len() > 1;
        if phrase && with_words {
            if !negated {
                self.highlights.exact.extend(words.iter().cloned());
            }
            return Ok(sequence(field, &words, slop));
        }
        let stems = tokens(&mut self.stemmed, text);
        if !negated {
            self.highlights.stems.extend(stems.iter().cloned());
        }
        match (with_words, stems.as_slice()) {
            (true, [stem]) => Ok(stem_query(field, stem)),
            _ => Ok(sequence(field, &stems, slop)),
        }
    }

    /// A bare word or phrase: the document's own fields.
    fn free(&mut self, value: &Value, column: usize, negated: bool) -> Result<Box<dyn Query>, QueryError> {
        let f = self.f;
        let (text, slop, prefix, phrase) = match value {
            Value::Word { text, prefix } if text == "*" && !prefix => return Ok(Box::new(AllQuery)),
            Value::Word { text, prefix } => (text.as_str(), 0, *prefix, false),
            Value::Phrase { text, slop } => (text.as_str(), *slop, false, true),
            Value::Range { .. } | Value::Compare { .. } => {
                return Err(error(column, "a range needs a field: `published:[2019-01-01 TO 2019-12-31]`".into()));
            }
        };
        let words = self.exact_words(text, column)?;
        let article = || term_query(f.doc_type, "article");
        if prefix {
            if !negated {
                self.highlights.prefixes.extend(words.iter().cloned());
            }
            let text_prefix = self.prefix(f.text, &words, column)?;
            let title_prefix = self.prefix(f.title, &words, column)?;
            let speaker_prefix = self.prefix(f.speaker, &words, column)?;
            return Ok(any(vec![text_prefix, all(vec![title_prefix, article()]), speaker_prefix]));
        }
        if !negated {
            self.highlights.speaker.extend(words.iter().cloned());
        }
        // A phrase, or a "word" the analyzer splits ("5G-ready", "U.S."), is an exact sequence.
        if phrase || words.len() > 1 {
            if !negated {
                self.highlights.exact.extend(words.iter().cloned());
            }
            return Ok(any(vec![
                sequence(f.text, &words, slop),
                all(vec![sequence(f.title, &words, slop), article()]),
                sequence(f.speaker, &words, slop),
                sequence(f.cue, &words, slop),
            ]));
        }
        let stems = tokens(&mut self.stemmed, text);
        if !negated {
            self.highlights.stems.extend(stems.iter().cloned());
        }
        let stem = stems.first().cloned().unwrap_or_else(|| words[0].clone());
        let mut clauses = vec![
            stem_query(f.text, &stem),
            all(vec![stem_query(f.title, &stem), article()]),
            term_query(f.speaker, &words[0]),
            term_query(f.cue, &words[0]),
        ];
        if vocabulary("stance").is_some_and(|v| v.contains(&words[0].as_str())) {
            clauses.push(term_query(f.stance, &words[0]));
        }
        Ok(any(clauses))
    }

    /// A keyword field with a closed vocabulary.
    fn closed(
        &mut self,
        field: &str,
        text: &str,
        values: &[&str],
        column: usize,
    ) -> Result<Box<dyn Query>, QueryError> {
        let value = tokens(&mut self.keyword, text.trim()).pop().unwrap_or_default();
        if !values.contains(&value.as_str()) {
            return Err(error(
                column,
                format!(
                    "`{text}` is not a {field}{} Expected one of {}",
                    vocab::did_you_mean(&value, values),
                    values.join(", ")
                ),
            ));
        }
        let target = match field {
            "type" => self.f.doc_type,
            "stance" => self.f.stance,
            "speaker_kind" => self.f.speaker_kind,
            "quote_kind" => self.f.quote_kind,
            _ => self.f.kind,
        };
        Ok(term_query(target, &value))
    }

    fn published(&mut self, value: &Value, column: usize) -> Result<Box<dyn Query>, QueryError> {
        let bounds = match value {
            Value::Word { text, prefix: false } => dates::period(text).map(|p| (Some(p.start), Some(p.end))),
            Value::Range { lower, upper, inclusive_lower, inclusive_upper } => {
                dates::range(lower.as_deref(), upper.as_deref(), *inclusive_lower, *inclusive_upper)
            }
            Value::Compare { op, text } => dates::compare(*op, text),
            Value::Word { prefix: true, .. } | Value::Phrase { .. } => Err(
                "`published:` takes a date (2019-05-16), a period (2019-05) or a range ([2019-01-01 TO 2019-06-30])"
                    .into(),
            ),
        };
        let (lower, upper) = bounds.map_err(|message| error(column, message))?;
        // `[* TO *]`: any date (a range needs one bound; this one is before any record).
        let lower = if lower.is_none() && upper.is_none() { Some(EARLIEST_DATE) } else { lower };
        let bound = |t: Option<i64>, inclusive: bool| match t {
            None => Bound::Unbounded,
            Some(t) => {
                let term = IndexTerm::from_field_date(self.f.published, crate::index::schema::date_value(t));
                if inclusive { Bound::Included(term) } else { Bound::Excluded(term) }
            }
        };
        Ok(Box::new(RangeQuery::new(bound(lower, true), bound(upper, false))))
    }
}
