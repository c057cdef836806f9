//! `/api/v1/similar`: statements that say the same thing in other words, from the stored
//! statement vectors (`quotewire embed`). A stored statement's id works in every build; free
//! text needs the `transformers` feature, and a build without it answers 501 saying how to
//! get it. The page's "similar statements" view (`page/similar.rs`) shares the error mapping.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::api::segment;
use super::params::Params;
use super::{ApiError, AppState, blocking};
use crate::embed::EmbedError;
use crate::index::{SearchRequest, SearchResults};
use crate::similar::{SimilarError, SimilarHit, SimilarQuery, hybrid_search};

/// Similar statements per request unless `limit` says otherwise.
pub const DEFAULT_SIMILAR: usize = 10;
/// Most similar statements one request may ask for.
pub const MAX_SIMILAR: usize = 100;

/// What a similar-statement query found.
pub struct SimilarAnswer {
    pub model: String,
    /// Stored vectors searched.
    pub searched: usize,
    pub hits: Vec<SimilarHit>,
}

/// The status and message of a similar-statement failure.
pub fn similar_error(e: SimilarError) -> ApiError {
    let e = match e {
        SimilarError::Index(e) => return ApiError::from(e),
        other => other,
    };
    let status = match &e {
        SimilarError::EmptyQuery => StatusCode::BAD_REQUEST,
        SimilarError::UnknownStatement { .. } => StatusCode::NOT_FOUND,
        // Vectors and text queries need the feature: say how to rebuild.
        SimilarError::Embed(EmbedError::Unavailable) => StatusCode::NOT_IMPLEMENTED,
        SimilarError::NoVectors { .. } if !cfg!(feature = "transformers") => StatusCode::NOT_IMPLEMENTED,
        SimilarError::NoVectors { .. } => StatusCode::NOT_FOUND,
        SimilarError::ModelUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, e.to_string())
}

/// Runs a similar-statement query for `raw` (text or a statement id) on a blocking thread.
pub async fn find_similar(state: AppState, raw: String, limit: usize) -> Result<SimilarAnswer, ApiError> {
    blocking(move || {
        let store = state.store()?;
        let search = state.similar.clone();
        let (hits, searched) =
            search.similar(&*store, SimilarQuery::parse(&raw), limit.clamp(1, MAX_SIMILAR)).map_err(similar_error)?;
        Ok(SimilarAnswer { model: search.model().to_string(), searched, hits })
    })
    .await
}

#[derive(Debug, Serialize)]
struct SimilarLinks {
    #[serde(rename = "self")]
    this: String,
    original: String,
    stored: String,
    /// Statements similar to this one.
    similar: String,
}

#[derive(Debug, Serialize)]
struct ApiSimilarHit {
    #[serde(flatten)]
    hit: SimilarHit,
    links: SimilarLinks,
}

/// The API path of statements similar to the statement `id`.
pub fn similar_path(id: &str) -> String {
    format!("/api/v1/similar?{}", url::form_urlencoded::Serializer::new(String::new()).append_pair("q", id).finish())
}

pub async fn similar(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    params.only(&["q", "limit"])?;
    let query = params.query();
    let limit = match params.get("limit") {
        None => DEFAULT_SIMILAR,
        Some(_) => params.limit()?.clamp(1, MAX_SIMILAR),
    };
    let answer = find_similar(state, query.clone(), limit).await?;
    let hits: Vec<ApiSimilarHit> = answer
        .hits
        .into_iter()
        .map(|hit| {
            let links = SimilarLinks {
                this: format!("/api/v1/quotes/{}", segment(&hit.id)),
                original: hit.url.clone(),
                stored: format!("/stored/{}", segment(&hit.article_id)),
                similar: similar_path(&hit.id),
            };
            ApiSimilarHit { hit, links }
        })
        .collect();
    let body = serde_json::json!({
        "query": query,
        "model": answer.model,
        "vectors": answer.searched,
        "hits": hits,
    });
    Ok(Json(body).into_response())
}

/// Whether `/api/v1/search` ranks by words and meaning (`mode=hybrid`) or words alone
/// (`mode=lexical`, the default).
pub fn hybrid_mode(params: &Params) -> Result<bool, ApiError> {
    match params.get("mode") {
        None | Some("lexical") => Ok(false),
        Some("hybrid") => Ok(true),
        Some(raw) => Err(ApiError::bad_request(format!("unknown mode `{raw}`: expected lexical or hybrid"))),
    }
}

/// A hybrid search (see [`hybrid_search`]); runs on the calling (blocking) thread.
pub fn hybrid_results(state: &AppState, request: &SearchRequest) -> Result<SearchResults, ApiError> {
    let store = state.store()?;
    hybrid_search(&state.index, &*store, &state.similar, request).map_err(similar_error)
}
