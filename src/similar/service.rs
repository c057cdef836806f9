//! A long-lived handle on statement vectors for servers: the loaded vectors of one model,
//! reloaded when the store's embedding counts change (the background stage adds vectors
//! while the server runs), and the embedder for text queries when this build has one.

use std::sync::{Arc, Mutex};

use super::{SimilarError, SimilarHit, SimilarQuery, StatementVectors};
use crate::embed::{EmbedError, Embedder};
use crate::store::DocumentStore;

/// Why text queries cannot be embedded by this server.
#[derive(Debug, Clone)]
enum Missing {
    /// The build has no transformer models.
    Feature,
    /// The model failed to load (the message says why and how to fix it).
    Model(String),
}

/// Statement vectors of one model, kept loaded between queries.
pub struct SimilarSearch {
    model: String,
    embedder: Result<Arc<dyn Embedder>, Missing>,
    loaded: Mutex<Option<Loaded>>,
}

struct Loaded {
    /// (articles embedded, vectors stored) when loaded: a change means a reload.
    counts: (u64, u64),
    vectors: Arc<StatementVectors>,
}

impl SimilarSearch {
    /// Vectors of `model` with `embedder` for text queries.
    pub fn with_embedder(embedder: Arc<dyn Embedder>) -> SimilarSearch {
        SimilarSearch { model: embedder.model().to_string(), embedder: Ok(embedder), loaded: Mutex::new(None) }
    }

    /// Stored vectors of `model` only: statement ids work, text queries say how to enable
    /// them (a build without the `transformers` feature).
    pub fn stored_only(model: &str) -> SimilarSearch {
        SimilarSearch { model: model.to_string(), embedder: Err(Missing::Feature), loaded: Mutex::new(None) }
    }

    /// Stored vectors of `model` only, because its embedder failed to load with `error`.
    pub fn model_failed(model: &str, error: &EmbedError) -> SimilarSearch {
        SimilarSearch {
            model: model.to_string(),
            embedder: Err(Missing::Model(error.to_string())),
            loaded: Mutex::new(None),
        }
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// The embedder for text queries, or why there is none.
    pub fn embedder(&self) -> Result<&dyn Embedder, SimilarError> {
        match &self.embedder {
            Ok(embedder) => Ok(embedder.as_ref()),
            Err(Missing::Feature) if cfg!(feature = "transformers") => Err(SimilarError::ModelUnavailable(
                "this server was started without one (`quotewire serve` loads `embed.model_dir`)".into(),
            )),
            Err(Missing::Feature) => Err(EmbedError::Unavailable.into()),
            Err(Missing::Model(message)) => Err(SimilarError::ModelUnavailable(message.clone())),
        }
    }

    /// The current vectors: loaded once, reloaded when the store's counts changed.
    pub fn vectors(&self, store: &dyn DocumentStore) -> Result<Arc<StatementVectors>, SimilarError> {
        let counts = store.embedding_counts(&self.model)?;
        let counts = (counts.articles_done, counts.vectors);
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(l) = loaded.as_ref().filter(|l| l.counts == counts) {
            return Ok(l.vectors.clone());
        }
        let vectors = Arc::new(StatementVectors::load(store, &self.model)?);
        *loaded = Some(Loaded { counts, vectors: vectors.clone() });
        Ok(vectors)
    }

    /// The statements most similar to `query` (see [`StatementVectors::similar`]), and how
    /// many vectors were searched.
    pub fn similar(
        &self,
        store: &dyn DocumentStore,
        query: SimilarQuery<'_>,
        limit: usize,
    ) -> Result<(Vec<SimilarHit>, usize), SimilarError> {
        if let SimilarQuery::Text(text) = query {
            if text.trim().is_empty() {
                return Err(SimilarError::EmptyQuery);
            }
            // Say what the build lacks before looking for vectors it could not have made.
            self.embedder()?;
        }
        let vectors = self.vectors(store)?;
        let hits = vectors.similar(store, self.embedder().ok(), query, limit)?;
        Ok((hits, vectors.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similar::tests::put_statements as put;
    use crate::store::SqliteStore;

    #[test]
    fn vectors_stored_after_loading_are_found_by_the_next_query() {
        let mut store = SqliteStore::in_memory().unwrap();
        put(&mut store, "a1", &["denies the claims"], &[&[1.0, 0.0]]);
        let search = SimilarSearch::stored_only("m");
        let (hits, searched) = search.similar(&store, SimilarQuery::Statement("a1#q0"), 5).unwrap();
        assert_eq!((hits.len(), searched), (0, 1));
        put(&mut store, "a2", &["rejects the allegations"], &[&[0.9, 0.1]]);
        let (hits, searched) = search.similar(&store, SimilarQuery::Statement("a1#q0"), 5).unwrap();
        assert_eq!(searched, 2);
        assert_eq!(hits[0].id, "a2#q0");
    }

    #[test]
    fn text_queries_say_what_the_server_lacks() {
        let store = SqliteStore::in_memory().unwrap();
        let err = SimilarSearch::stored_only("m").similar(&store, SimilarQuery::Text("we deny"), 5).unwrap_err();
        let expected = if cfg!(feature = "transformers") { "quotewire serve" } else { "--features transformers" };
        assert!(err.to_string().contains(expected), "{err}");
        let missing = EmbedError::MissingFile { dir: "/models/x".into(), file: "config.json".into() };
        let err = SimilarSearch::model_failed("m", &missing).similar(&store, SimilarQuery::Text("x"), 5).unwrap_err();
        assert!(matches!(err, SimilarError::ModelUnavailable(_)) && err.to_string().contains("config.json"), "{err}");
    }
}
