//! Similar statements: "who else said this, in other words?"
//!
//! Owns the query side of statement vectors: loads the stored vectors of one model into a
//! [`VectorIndex`], turns a query (free text through an [`Embedder`], or a stored statement's
//! id through its stored vector) into the nearest statements, and joins each hit with its
//! statement and article from the store. It never computes stored vectors (the pipeline's
//! embedding stage does) and never writes.

use serde::Serialize;

use crate::embed::{EmbedError, Embedder};
use crate::model::{QuoteRecord, parse_quote_id};
use crate::store::{DocumentStore, StoreError};
use crate::vectors::{VectorError, VectorIndex, VectorIndexBuilder};

/// Most hits one query may ask for.
pub const MAX_SIMILAR: usize = 1_000;

/// Errors of similar-statement queries.
#[derive(Debug, thiserror::Error)]
pub enum SimilarError {
    #[error(
        "no statement vectors from model `{model}` are stored yet: run `quotewire embed` (a build with the `transformers` feature)"
    )]
    NoVectors { model: String },
    #[error("statement `{id}` has no stored vector from model `{model}`: run `quotewire embed`, or check the id")]
    UnknownStatement { id: String, model: String },
    #[error("an empty query: give a statement's text or id")]
    EmptyQuery,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vector(#[from] VectorError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// A query: free text, or the id of a stored statement (`0123456789abcdef#q2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimilarQuery<'a> {
    Text(&'a str),
    Statement(&'a str),
}

impl<'a> SimilarQuery<'a> {
    /// A statement id when `raw` looks like one, else text.
    pub fn parse(raw: &'a str) -> SimilarQuery<'a> {
        let trimmed = raw.trim();
        match parse_quote_id(trimmed) {
            Some((article, _)) if !article.is_empty() && !trimmed.contains(char::is_whitespace) => {
                SimilarQuery::Statement(trimmed)
            }
            _ => SimilarQuery::Text(raw),
        }
    }
}

/// One similar statement with where it was said.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarHit {
    pub id: String,
    /// Cosine similarity of the statement embeddings, -1 to 1.
    pub score: f32,
    pub article_id: String,
    pub url: String,
    pub title: Option<String>,
    pub site: Option<String>,
    pub published: Option<String>,
    pub quote: QuoteRecord,
}

/// The stored statement vectors of one model, ready for queries.
pub struct StatementVectors {
    model: String,
    index: VectorIndex,
}

impl StatementVectors {
    /// Loads every stored vector of `model`.
    pub fn load(store: &dyn DocumentStore, model: &str) -> Result<StatementVectors, SimilarError> {
        let mut builder: Option<VectorIndexBuilder> = None;
        let mut failure = None;
        store.for_each_quote_vector(model, &mut |id, vector| {
            if failure.is_some() {
                return;
            }
            let builder = builder.get_or_insert_with(|| VectorIndexBuilder::new(vector.len()));
            if let Err(e) = builder.push(id, vector) {
                failure = Some(e);
            }
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        let index = builder.ok_or_else(|| SimilarError::NoVectors { model: model.to_string() })?.finish();
        Ok(StatementVectors { model: model.to_string(), index })
    }

    /// Wraps an index built elsewhere (tests, benchmarks).
    pub fn from_index(model: &str, index: VectorIndex) -> StatementVectors {
        StatementVectors { model: model.to_string(), index }
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Adds or replaces one statement's vector (after the embedding stage stored it).
    pub fn insert(&mut self, id: &str, vector: &[f32]) -> Result<(), SimilarError> {
        Ok(self.index.insert(id, vector)?)
    }

    /// The query's vector: embedded text, or the stored vector of a statement.
    pub fn query_vector(
        &self,
        store: &dyn DocumentStore,
        embedder: Option<&dyn Embedder>,
        query: SimilarQuery<'_>,
    ) -> Result<Vec<f32>, SimilarError> {
        match query {
            SimilarQuery::Text(text) if text.trim().is_empty() => Err(SimilarError::EmptyQuery),
            SimilarQuery::Text(text) => {
                let embedder = embedder.ok_or(EmbedError::Unavailable)?;
                Ok(embedder.embed(&[text])?.pop().unwrap_or_default())
            }
            SimilarQuery::Statement(id) => store
                .quote_vector(id, &self.model)?
                .ok_or_else(|| SimilarError::UnknownStatement { id: id.to_string(), model: self.model.clone() }),
        }
    }

    /// The ids and scores of the `limit` statements nearest to `vector`, leaving out `skip`.
    pub fn nearest(
        &self,
        vector: &[f32],
        limit: usize,
        skip: Option<&str>,
    ) -> Result<Vec<(String, f32)>, SimilarError> {
        let limit = limit.clamp(1, MAX_SIMILAR);
        let hits = self.index.search(vector, limit, &|id| Some(id) == skip)?;
        Ok(hits.into_iter().map(|n| (n.id, n.score)).collect())
    }

    /// The statements most similar to `query`, best first, each with its article. A
    /// statement query leaves the statement itself out.
    pub fn similar(
        &self,
        store: &dyn DocumentStore,
        embedder: Option<&dyn Embedder>,
        query: SimilarQuery<'_>,
        limit: usize,
    ) -> Result<Vec<SimilarHit>, SimilarError> {
        let vector = self.query_vector(store, embedder, query)?;
        let skip = match query {
            SimilarQuery::Statement(id) => Some(id),
            SimilarQuery::Text(_) => None,
        };
        let mut hits = Vec::new();
        for (id, score) in self.nearest(&vector, limit, skip)? {
            if let Some(hit) = statement_hit(store, &id, score)? {
                hits.push(hit);
            }
        }
        Ok(hits)
    }
}

/// The stored statement `id` with its article, or None when it is gone (its article was
/// replaced after the vectors were loaded).
pub fn statement_hit(store: &dyn DocumentStore, id: &str, score: f32) -> Result<Option<SimilarHit>, SimilarError> {
    let Some((article_id, position)) = parse_quote_id(id) else { return Ok(None) };
    let Some(article) = store.article(article_id)? else { return Ok(None) };
    let Some(quote) = article.quotes.get(position).cloned() else { return Ok(None) };
    Ok(Some(SimilarHit {
        id: id.to_string(),
        score,
        article_id: article.id,
        url: article.url,
        title: article.title,
        site: article.site,
        published: article.published,
        quote,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::article;
    use crate::model::quote_id;
    use crate::store::{QuoteVector, SqliteStore};

    /// A store with statement vectors along three axes (stand-ins for three meanings).
    fn store() -> SqliteStore {
        let mut store = SqliteStore::in_memory().unwrap();
        let stored = [
            ("a1", vec!["denies the claims", "expects growth"], vec![[1.0, 0.1, 0.0], [0.0, 0.0, 1.0]]),
            ("a2", vec!["rejects the allegations"], vec![[0.9, 0.2, 0.05]]),
            ("a3", vec!["won the final"], vec![[0.0, 1.0, 0.1]]),
        ];
        for (id, texts, vectors) in stored {
            let a = article(id, &format!("h-{id}"), &texts);
            store.put_article(&a.url, &a).unwrap();
            let vectors: Vec<QuoteVector> = vectors
                .iter()
                .enumerate()
                .map(|(i, v)| QuoteVector { quote_id: quote_id(id, i), vector: v.to_vec() })
                .collect();
            assert!(store.put_embeddings(id, &a.content_hash, "m", &vectors).unwrap());
        }
        store
    }

    #[test]
    fn a_stored_statement_finds_its_paraphrase_first_and_not_itself() {
        let store = store();
        let vectors = StatementVectors::load(&store, "m").unwrap();
        assert_eq!(vectors.len(), 4);
        let hits = vectors.similar(&store, None, SimilarQuery::parse("a1#q0"), 2).unwrap();
        assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["a2#q0", "a3#q0"]);
        assert_eq!(hits[0].quote.text, "rejects the allegations");
        assert_eq!(hits[0].title.as_deref(), Some("Story a2"));
        assert!(hits[0].score > 0.95 && hits[1].score < 0.3, "{hits:?}");
    }

    #[test]
    fn queries_without_vectors_or_a_model_say_what_to_do() {
        let store = store();
        let err = StatementVectors::load(&store, "other-model").err().unwrap();
        assert!(err.to_string().contains("quotewire embed"), "{err}");
        let vectors = StatementVectors::load(&store, "m").unwrap();
        let err = vectors.similar(&store, None, SimilarQuery::parse("a9#q0"), 3).unwrap_err();
        assert!(matches!(err, SimilarError::UnknownStatement { .. }), "{err}");
        let err = vectors.similar(&store, None, SimilarQuery::parse("some words"), 3).unwrap_err();
        assert!(err.to_string().contains("--features transformers"), "{err}");
        let err = vectors.similar(&store, None, SimilarQuery::Text("  "), 3).unwrap_err();
        assert!(matches!(err, SimilarError::EmptyQuery));
    }

    #[test]
    fn statement_ids_and_text_are_told_apart() {
        assert_eq!(SimilarQuery::parse("0123456789abcdef#q2"), SimilarQuery::Statement("0123456789abcdef#q2"));
        assert_eq!(SimilarQuery::parse(" 0123456789abcdef#q2\n"), SimilarQuery::Statement("0123456789abcdef#q2"));
        assert_eq!(SimilarQuery::parse("we deny it #q2"), SimilarQuery::Text("we deny it #q2"));
        assert_eq!(SimilarQuery::parse("#q2"), SimilarQuery::Text("#q2"));
        assert_eq!(SimilarQuery::parse("Huawei denies the claims"), SimilarQuery::Text("Huawei denies the claims"));
    }
}
