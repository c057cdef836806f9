//! The query grammar: text → syntax tree, with positions for errors and hard bounds.
//!
//! ```text
//! query   := or
//! or      := and (("OR" | "||") and)*
//! and     := unary (("AND" | "&&")? unary)*          adjacent clauses are ANDed
//! unary   := ("-" | "+" | "NOT" | "!") unary | primary
//! primary := "(" or ")" | FIELD ":" value | value
//! value   := WORD | WORD* | "PHRASE"(~N)? | "(" or ")" | [A TO B] | {A TO B} | (>|>=|<|<=)WORD
//! ```
//! Bounds: [`MAX_QUERY_CHARS`], [`MAX_DEPTH`] and [`MAX_CLAUSES`] make any input (a megabyte
//! of text, ten thousand parentheses) an error in linear time instead of a stack overflow or
//! a query that takes the server down. Nothing here knows the index.

use std::fmt;

/// Longest query accepted, in characters: real queries are a few hundred at most.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// Deepest nesting of parentheses and negations; recursion stays far from the stack limit.
pub const MAX_DEPTH: usize = 20;
/// Most terms in one query: each becomes a posting-list scan.
pub const MAX_CLAUSES: usize = 64;
/// Largest phrase slop (`"a b"~N`): a bigger window is no longer a phrase.
pub const MAX_SLOP: u32 = 20;

/// A syntax error and where it is (char column, counted from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (column {})", self.message, self.column)
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `*` alone: every document.
    All,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Term(Term),
}

/// One `field:value` (or a bare value).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub field: Option<String>,
    /// Column of the field (or of the value when there is no field).
    pub column: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A word; `prefix` when written `word*`.
    Word {
        text: String,
        prefix: bool,
    },
    Phrase {
        text: String,
        slop: u32,
    },
    /// `[a TO b]` (inclusive) or `{a TO b}` (exclusive); `*` is an open end.
    Range {
        lower: Option<String>,
        upper: Option<String>,
        inclusive_lower: bool,
        inclusive_upper: bool,
    },
    /// `>x`, `>=x`, `<x`, `<=x`.
    Compare {
        op: Comparison,
        text: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    /// `+`: required, the default anyway.
    Plus,
    /// `name:` directly followed by its value.
    Field(String),
    Value(Value),
}

fn error(column: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError { column, message: message.into() }
}

/// Characters that end a bare word.
fn is_special(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '[' | ']' | '{' | '}')
}

/// Splits the query into tokens with their columns.
fn lex(chars: &[char]) -> Result<Vec<(usize, Token)>, SyntaxError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    // Whether the previous token was `field:` (its value follows without a space).
    let mut after_field = false;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            if after_field {
                return Err(error(column, "a field needs its value right after the colon (`speaker:huawei`)"));
            }
            i += 1;
            continue;
        }
        let was_field = std::mem::take(&mut after_field);
        match c {
            '(' => {
                tokens.push((column, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((column, Token::Close));
                i += 1;
            }
            '"' => {
                let (text, end) = read_phrase(chars, i)?;
                i = end;
                let mut slop = 0;
                if chars.get(i) == Some(&'~') {
                    let start = i + 1;
                    let mut j = start;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    let digits: String = chars[start..j].iter().collect();
                    slop = match digits.parse::<u32>() {
                        Ok(n) if n <= MAX_SLOP => n,
                        Ok(_) => return Err(error(i + 1, format!("phrase slop is at most {MAX_SLOP}"))),
                        Err(_) => return Err(error(i + 1, "`~` after a phrase needs a number (`\"a b\"~2`)")),
                    };
                    i = j;
                }
                tokens.push((column, Token::Value(Value::Phrase { text, slop })));
            }
            '[' | '{' if was_field => {
                let (token, end) = read_range(chars, i)?;
                tokens.push((column, token));
                i = end;
            }
            '[' | '{' => return Err(error(column, "a range needs a field (`published:[2019-01-01 TO 2019-12-31]`)")),
            ']' | '}' => return Err(error(column, format!("unexpected `{c}`"))),
            '-' | '!' if !was_field => {
                tokens.push((column, Token::Not));
                i += 1;
            }
            '+' if !was_field => {
                tokens.push((column, Token::Plus));
                i += 1;
            }
            '>' | '<' if was_field => {
                let or_equal = chars.get(i + 1) == Some(&'=');
                let op = match (c, or_equal) {
                    ('>', false) => Comparison::Greater,
                    ('>', true) => Comparison::GreaterOrEqual,
                    ('<', false) => Comparison::Less,
                    _ => Comparison::LessOrEqual,
                };
                let start = i + if or_equal { 2 } else { 1 };
                let (text, end) = read_word(chars, start);
                if text.is_empty() {
                    return Err(error(column, format!("`{c}` needs a value (`published:>=2019-01-01`)")));
                }
                tokens.push((column, Token::Value(Value::Compare { op, text })));
                i = end;
            }
            _ => {
                // `name:` starts a field when the name is an identifier (a value may hold colons).
                let name_end = (i..chars.len()).find(|&j| !(chars[j].is_ascii_alphanumeric() || chars[j] == '_'));
                let is_field =
                    !was_field && (c.is_ascii_alphabetic() || c == '_') && name_end.is_some_and(|j| chars[j] == ':');
                if let (true, Some(colon)) = (is_field, name_end) {
                    let name: String = chars[i..colon].iter().collect();
                    tokens.push((column, Token::Field(name.to_lowercase())));
                    i = colon + 1;
                    after_field = true;
                    if i >= chars.len() {
                        return Err(error(column, format!("field `{name}` needs a value after the colon")));
                    }
                    continue;
                }
                let (text, end) = read_word(chars, i);
                i = end;
                let token = match text.as_str() {
                    "AND" | "&&" => Token::And,
                    "OR" | "||" => Token::Or,
                    "NOT" => Token::Not,
                    _ => match text.strip_suffix('*') {
                        Some(stem) if !stem.is_empty() && !stem.ends_with('*') => {
                            Token::Value(Value::Word { text: stem.to_string(), prefix: true })
                        }
                        _ => Token::Value(Value::Word { text, prefix: false }),
                    },
                };
                tokens.push((column, token));
            }
        }
    }
    Ok(tokens)
}

/// A bare word from `start`, with `\` escapes; returns it and the index after it.
fn read_word(chars: &[char], start: usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = start;
    while i < chars.len() && !is_special(chars[i]) {
        if chars[i] == '\\' && i + 1 < chars.len() {
            text.push(chars[i + 1]);
            i += 2;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    (text, i)
}

/// A quoted phrase starting at the `"` at `start`.
fn read_phrase(chars: &[char], start: usize) -> Result<(String, usize), SyntaxError> {
    let mut text = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                text.push(chars[i + 1]);
                i += 2;
            }
            '"' => return Ok((text, i + 1)),
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(error(start + 1, "unclosed phrase: add the closing `\"`"))
}

/// `[a TO b]` or `{a TO b}` starting at `start`.
fn read_range(chars: &[char], start: usize) -> Result<(Token, usize), SyntaxError> {
    let inclusive_lower = chars[start] == '[';
    let mut i = start + 1;
    let mut parts = Vec::new();
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Err(error(start + 1, "unclosed range: write `[FROM TO UNTIL]`"));
        };
        if c == ']' || c == '}' {
            let inclusive_upper = c == ']';
            let [lower, to, upper] = parts.as_slice() else {
                return Err(error(start + 1, "a range is `[FROM TO UNTIL]`, with `*` for an open end"));
            };
            if to != "TO" {
                return Err(error(start + 1, "a range is `[FROM TO UNTIL]` (`TO` in capitals)"));
            }
            let open = |s: &String| (s != "*").then(|| s.clone());
            let range = Value::Range { lower: open(lower), upper: open(upper), inclusive_lower, inclusive_upper };
            let token = Token::Value(range);
            return Ok((token, i + 1));
        }
        let begin = i;
        while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], ']' | '}') {
            i += 1;
        }
        if parts.len() == 3 {
            return Err(error(begin + 1, "a range is `[FROM TO UNTIL]`, with `*` for an open end"));
        }
        parts.push(chars[begin..i].iter().collect::<String>());
    }
}

/// Parses a query into a tree, or says where it is wrong.
pub fn parse(query: &str) -> Result<Node, SyntaxError> {
    let length = query.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(error(
            MAX_QUERY_CHARS + 1,
            format!("query is {length} characters long, the limit is {MAX_QUERY_CHARS}"),
        ));
    }
    let chars: Vec<char> = query.chars().collect();
    let tokens = lex(&chars)?;
    if tokens.is_empty()
        || matches!(tokens.as_slice(), [(_, Token::Value(Value::Word { text, prefix: false }))] if text == "*")
    {
        return Ok(Node::All);
    }
    let mut parser = Parser { tokens, at: 0, end_column: length + 1, clauses: 0 };
    let node = parser.or(0, None)?;
    if let Some((column, token)) = parser.tokens.get(parser.at) {
        let what = if *token == Token::Close { "unmatched `)`".to_string() } else { "unexpected input".to_string() };
        return Err(error(*column, what));
    }
    Ok(node)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end_column: usize,
    clauses: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end_column, |(c, _)| *c)
    }

    fn deeper(&self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= MAX_DEPTH {
            Err(error(self.column(), format!("query nests deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(depth + 1)
        }
    }

    /// `field` is the field of an enclosing `field:( ... )` group.
    fn or(&mut self, depth: usize, field: Option<&(String, usize)>) -> Result<Node, SyntaxError> {
        let mut alternatives = vec![self.and(depth, field)?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            alternatives.push(self.and(depth, field)?);
        }
        Ok(if alternatives.len() == 1 { alternatives.remove(0) } else { Node::Or(alternatives) })
    }

    fn and(&mut self, depth: usize, field: Option<&(String, usize)>) -> Result<Node, SyntaxError> {
        let mut all = vec![self.unary(depth, field)?];
        loop {
            match self.peek() {
                None | Some(Token::Or) | Some(Token::Close) => break,
                Some(Token::And) => {
                    self.at += 1;
                    all.push(self.unary(depth, field)?);
                }
                Some(_) => all.push(self.unary(depth, field)?),
            }
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Node::And(all) })
    }

    fn unary(&mut self, depth: usize, field: Option<&(String, usize)>) -> Result<Node, SyntaxError> {
        match self.peek() {
            Some(Token::Not) => {
                let depth = self.deeper(depth)?;
                self.at += 1;
                Ok(Node::Not(Box::new(self.unary(depth, field)?)))
            }
            Some(Token::Plus) => {
                let depth = self.deeper(depth)?;
                self.at += 1;
                self.unary(depth, field)
            }
            _ => self.primary(depth, field),
        }
    }

    fn primary(&mut self, depth: usize, group: Option<&(String, usize)>) -> Result<Node, SyntaxError> {
        let column = self.column();
        let Some(token) = self.peek().cloned() else {
            return Err(error(column, "the query ends where a term was expected"));
        };
        self.at += 1;
        match token {
            Token::Open => {
                let depth = self.deeper(depth)?;
                let inner = self.or(depth, group)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(error(column, "unclosed `(`: add the closing `)`"));
                }
                self.at += 1;
                Ok(inner)
            }
            Token::Field(name) => {
                if let Some((outer, _)) = group {
                    return Err(error(column, format!("field `{name}` inside the group of field `{outer}`")));
                }
                let field = (name, column);
                match self.peek() {
                    Some(Token::Open | Token::Value(_)) => self.primary(depth, Some(&field)),
                    _ => Err(error(column, format!("field `{}` needs a value after the colon", field.0))),
                }
            }
            Token::Value(value) => self.term(group, column, value),
            Token::Close => Err(error(column, "unmatched `)`")),
            Token::And | Token::Or => Err(error(column, "an operator needs a term on each side")),
            Token::Not | Token::Plus => Err(error(column, "an operator needs a term after it")),
        }
    }

    fn term(&mut self, group: Option<&(String, usize)>, column: usize, value: Value) -> Result<Node, SyntaxError> {
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES {
            return Err(error(column, format!("more than {MAX_CLAUSES} terms in one query")));
        }
        let (field, column) = match group {
            Some((name, field_column)) => (Some(name.clone()), *field_column),
            None => (None, column),
        };
        Ok(Node::Term(Term { field, column, value }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(field: Option<&str>, text: &str) -> Node {
        Node::Term(Term {
            field: field.map(str::to_string),
            column: 0,
            value: Value::Word { text: text.into(), prefix: false },
        })
    }

    /// The tree without columns, for comparisons.
    fn strip(node: Node) -> Node {
        match node {
            Node::And(v) => Node::And(v.into_iter().map(strip).collect()),
            Node::Or(v) => Node::Or(v.into_iter().map(strip).collect()),
            Node::Not(n) => Node::Not(Box::new(strip(*n))),
            Node::Term(t) => Node::Term(Term { column: 0, ..t }),
            Node::All => Node::All,
        }
    }

    #[test]
    fn grammar_table() {
        let p = |q: &str| strip(parse(q).unwrap());
        assert_eq!(p("*"), Node::All);
        assert_eq!(p("  "), Node::All);
        assert_eq!(p("huawei"), word(None, "huawei"));
        assert_eq!(p("a b"), Node::And(vec![word(None, "a"), word(None, "b")]));
        assert_eq!(p("a AND b"), p("a b"));
        assert_eq!(p("a OR b c"), Node::Or(vec![word(None, "a"), Node::And(vec![word(None, "b"), word(None, "c")])]));
        assert_eq!(p("-a"), Node::Not(Box::new(word(None, "a"))));
        assert_eq!(p("NOT a"), p("-a"));
        assert_eq!(p("stance:deny"), word(Some("stance"), "deny"));
        assert_eq!(p("STANCE:deny"), word(Some("stance"), "deny"));
        assert_eq!(
            p("stance:(deny OR accuse)"),
            Node::Or(vec![word(Some("stance"), "deny"), word(Some("stance"), "accuse")])
        );
        assert_eq!(
            p("\"national security\"~2"),
            Node::Term(Term {
                field: None,
                column: 0,
                value: Value::Phrase { text: "national security".into(), slop: 2 }
            })
        );
        assert_eq!(
            p("published:[2019-05-01 TO *}"),
            Node::Term(Term {
                field: Some("published".into()),
                column: 0,
                value: Value::Range {
                    lower: Some("2019-05-01".into()),
                    upper: None,
                    inclusive_lower: true,
                    inclusive_upper: false
                }
            })
        );
        assert_eq!(
            p("published:>=2020"),
            Node::Term(Term {
                field: Some("published".into()),
                column: 0,
                value: Value::Compare { op: Comparison::GreaterOrEqual, text: "2020".into() }
            })
        );
        assert_eq!(
            p("secur*"),
            Node::Term(Term { field: None, column: 0, value: Value::Word { text: "secur".into(), prefix: true } })
        );
        assert_eq!(p("10:30"), word(None, "10:30"), "a colon after digits is part of the word");
        assert_eq!(p(r"a\:b"), word(None, "a:b"));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = |q: &str| parse(q).unwrap_err();
        assert_eq!(e("(a OR b").column, 1);
        assert!(e("(a OR b").message.contains("unclosed `(`"));
        assert_eq!(e("a )").column, 3);
        assert!(e("\"open").message.contains("unclosed phrase"));
        assert!(e("a AND").message.contains("ends where a term"));
        assert!(e("AND a").message.contains("operator"));
        assert!(e("stance: deny").message.contains("right after the colon"));
        assert!(e("published:[2019 2020]").message.contains("FROM TO UNTIL"));
        assert!(e("\"a b\"~x").message.contains("needs a number"));
        assert!(e("\"a b\"~99").message.contains("at most"));
        assert!(e("stance:(deny OR speaker:x)").message.contains("inside the group"));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_crash() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().message.contains("characters long"));
        let nested = format!("{}a{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&nested).unwrap_err().message.contains("nests deeper"));
        let negations = "-".repeat(1_000) + "a";
        assert!(parse(&negations).unwrap_err().message.contains("nests deeper"));
        let megabyte = "huawei ".repeat(150_000);
        assert!(parse(&megabyte).unwrap_err().message.contains("limit is"));
        let many = "a ".repeat(200);
        assert!(parse(&many).unwrap_err().message.contains("terms in one query"));
        for regex_like in [".*", "/.*/", "(a|b)+", "[a-z]+", "a{1,9999}", "^$", "\\", "\"\\", "*:*", "***"] {
            // Either a query or an error; never a panic.
            let _ = parse(regex_like);
        }
    }
}
