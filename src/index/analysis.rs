//! Analyzers: how text becomes index terms.
//!
//! Article and quote text (and titles) are indexed once with [`TEXT`]: every word as written
//! (lower-cased, accents folded) for exact phrases, and, at the same position, its English
//! stem behind [`STEM_MARK`] when the stem differs. A free word searches the stem (`security`
//! finds "securities"); a phrase searches the words (`"national security"` never matches
//! "national securities"). One pass over the text, one field, fewer terms than two fields.
//! Stems are cached per analyzer: news vocabulary repeats, Snowball is not free.

use std::collections::HashMap;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

/// Name of the whole-value, lower-cased, accent-folded analyzer.
pub const KEYWORD: &str = "keyword";
/// Words, lower-cased, accent-folded, no stemming.
pub const EXACT: &str = "exact";
/// Words and their marked stems (see the module docs).
pub const TEXT: &str = "text";
/// Stems only (`target:`).
pub const STEMMED: &str = "stemmed";
/// Prefix of stem terms; never part of a word the tokenizer emits.
pub const STEM_MARK: char = '\u{1}';
/// Tokens longer than this are dropped (base64 blobs, URLs run together): they never match
/// a word a person types and only bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 40;
/// Distinct words whose stems one analyzer remembers; the cache starts over beyond this.
const STEM_CACHE_WORDS: usize = 200_000;

/// Lower-cased, accent-folded words.
pub fn exact_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// English stems of lower-cased, accent-folded words.
pub fn stemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Words followed by their marked stems.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StemRepeat)
        .build()
}

/// Whole values, lower-cased and accent-folded.
pub fn keyword_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).filter(AsciiFoldingFilter).build()
}

/// `text` as the keyword analyzer indexes it.
pub fn keyword_value(keyword: &mut TextAnalyzer, text: &str) -> String {
    let mut stream = keyword.token_stream(text);
    if stream.advance() { stream.token().text.clone() } else { String::new() }
}

/// The term a stem is indexed under.
pub fn stem_term(stem: &str) -> String {
    format!("{STEM_MARK}{stem}")
}

/// Emits each token, then its marked stem at the same position when the stem differs.
#[derive(Clone)]
pub struct StemRepeat;

impl TokenFilter for StemRepeat {
    type Tokenizer<T: Tokenizer> = StemRepeatTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> StemRepeatTokenizer<T> {
        StemRepeatTokenizer { inner, stems: StemCache::default() }
    }
}

/// Stems already computed: word → stem, or None when the stem is the word.
#[derive(Clone)]
struct StemCache {
    stemmer: TextAnalyzer,
    known: HashMap<String, Option<String>>,
}

impl Default for StemCache {
    fn default() -> StemCache {
        let stemmer = TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build();
        StemCache { stemmer, known: HashMap::new() }
    }
}

impl StemCache {
    fn stem(&mut self, word: &str) -> Option<&str> {
        if !self.known.contains_key(word) {
            if self.known.len() >= STEM_CACHE_WORDS {
                self.known.clear();
            }
            let stem = keyword_value(&mut self.stemmer, word);
            let differs = (!stem.is_empty() && stem != word).then_some(stem);
            self.known.insert(word.to_string(), differs);
        }
        self.known.get(word).and_then(|s| s.as_deref())
    }
}

#[derive(Clone)]
pub struct StemRepeatTokenizer<T> {
    inner: T,
    stems: StemCache,
}

impl<T: Tokenizer> Tokenizer for StemRepeatTokenizer<T> {
    type TokenStream<'a> = StemRepeatStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemRepeatStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
            stem: None,
            current: Token::default(),
        }
    }
}

pub struct StemRepeatStream<'a, T> {
    tail: T,
    stems: &'a mut StemCache,
    /// The marked stem of the last word, emitted next.
    stem: Option<Token>,
    current: Token,
}

impl<T: TokenStream> TokenStream for StemRepeatStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(stem) = self.stem.take() {
            self.current = stem;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let word = self.tail.token();
        self.stem = self.stems.stem(&word.text).map(|stem| Token { text: stem_term(stem), ..word.clone() });
        self.current.clone_from(word);
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_with_their_marked_stems_at_the_same_position() {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream("National Securities data, Sécurité");
        let mut tokens = Vec::new();
        while stream.advance() {
            let t = stream.token();
            tokens.push((t.text.clone(), t.position));
        }
        let expected = [
            ("national", 0),
            ("\u{1}nation", 0),
            ("securities", 1),
            ("\u{1}secur", 1),
            ("data", 2),
            ("securite", 3),
            ("\u{1}securit", 3),
        ];
        let expected: Vec<(String, usize)> = expected.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(tokens, expected);
    }
}
