//! Hybrid search (`search --hybrid`, `/api/v1/search?mode=hybrid`): the query's BM25 ranking
//! fused with the statements nearest in meaning to its free words. This module embeds the
//! words and finds the nearest stored vectors; `index` applies the query's filters to them
//! and fuses the two rankings by reciprocal rank.

use super::{SimilarError, SimilarSearch};
use crate::index::{HYBRID_DEPTH, SearchIndex, SearchRequest, SearchResults};
use crate::store::DocumentStore;

/// Runs `request` as a hybrid search. A query without free words (only fields) has no
/// meaning to compare and ranks by BM25 alone.
pub fn hybrid_search(
    index: &SearchIndex,
    store: &dyn DocumentStore,
    similar: &SimilarSearch,
    request: &SearchRequest,
) -> Result<SearchResults, SimilarError> {
    let text = index.meaning(&request.query)?;
    let nearest: Vec<String> = if text.trim().is_empty() {
        Vec::new()
    } else {
        let embedder = similar.embedder()?;
        let vector = embedder.embed(&[text.as_str()])?.pop().unwrap_or_default();
        let vectors = similar.vectors(store)?;
        vectors.nearest(&vector, HYBRID_DEPTH, None)?.into_iter().map(|(id, _)| id).collect()
    };
    Ok(index.hybrid_search(request, &nearest)?)
}
