//! The JSON API, version 1 (and the original `/api/search`). Every handler checks its
//! parameters (`params.rs`), runs the index or store work on a blocking thread and answers
//! JSON; errors are `{"error", "status"}` with 400, 404, 409 or 500.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::params::Params;
use super::{ApiError, AppState, blocking};
use crate::index::{DocType, Interval, SearchHit, SearchRequest, Subject};
use crate::watch::{self, NewWatch, WatchType};

/// A path segment, percent-encoded.
pub fn segment(text: &str) -> String {
    let mut url = url::Url::parse("http://x/").unwrap_or_else(|_| unreachable!("a valid base URL"));
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.push(text);
    }
    url.path()[1..].to_string()
}

/// Where to find more about a hit.
#[derive(Debug, Serialize)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: String,
    /// The page as published (may be gone).
    pub original: String,
    /// The copy of the page the store kept.
    pub stored: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// A hit with its links.
#[derive(Debug, Serialize)]
pub struct ApiHit {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub links: Links,
}

impl From<SearchHit> for ApiHit {
    fn from(hit: SearchHit) -> ApiHit {
        let r = &hit.record;
        let this = match hit.doc_type {
            DocType::Quote => format!("/api/v1/quotes/{}", segment(&hit.id)),
            DocType::Article => format!("/api/v1/articles/{}", segment(&hit.id)),
        };
        let links = Links {
            this,
            original: r.url.clone(),
            stored: format!("/stored/{}", segment(&r.article_id)),
            cluster: r.statement.as_ref().map(|s| format!("/api/v1/clusters/{}", segment(s))),
            speaker: r.speaker_canonical.as_ref().map(|s| format!("/api/v1/speakers/{}", segment(s))),
        };
        ApiHit { hit, links }
    }
}

#[derive(Debug, Serialize)]
struct SearchPage {
    query: String,
    total: usize,
    offset: usize,
    limit: usize,
    collapsed: bool,
    hits: Vec<ApiHit>,
    /// The next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match blocking(move || Ok(state.index.num_docs()?)).await {
        Ok(documents) => Json(serde_json::json!({ "status": "ok", "documents": documents })).into_response(),
        Err(e) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.message).into_response(),
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response()
}

fn search_request(params: &Params, default_type: Option<DocType>) -> Result<SearchRequest, ApiError> {
    Ok(SearchRequest {
        query: params.query(),
        doc_type: params.doc_type(default_type)?,
        limit: params.limit()?,
        offset: params.offset()?,
        sort: params.sort()?,
        collapse: params.flag("collapse")?,
    })
}

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let params = Params::parse(raw.as_deref());
    params.only(&["q", "type", "limit", "offset", "sort", "collapse", "mode"])?;
    let request = search_request(&params, None)?;
    let hybrid = super::similar::hybrid_mode(&params)?;
    let results = blocking(move || match hybrid {
        true => super::similar::hybrid_results(&state, &request),
        false => Ok(state.search(&request)?),
    })
    .await?;
    let shown_to = results.offset + results.hits.len();
    let next = (results.limit > 0 && shown_to < results.total).then(|| {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("q", params.query()), ("offset", shown_to.to_string()), ("limit", results.limit.to_string())] {
            next.append_pair(k, &v);
        }
        for k in ["type", "sort", "collapse", "mode"] {
            if let Some(v) = params.get(k) {
                next.append_pair(k, v);
            }
        }
        format!("/api/v1/search?{}", next.finish())
    });
    let page = SearchPage {
        query: params.query(),
        total: results.total,
        offset: results.offset,
        limit: results.limit,
        collapsed: results.collapsed,
        hits: results.hits.into_iter().map(ApiHit::from).collect(),
        next,
    };
    Ok(Json(serde_json::to_value(page).map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?))
}

/// `/api/search`: the first API's shape (`{total, hits}`), kept for existing users.
pub async fn legacy_search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let request = search_request(&params, None)?;
    let results = blocking(move || Ok(state.search(&request)?)).await?;
    Ok(Json(serde_json::json!({ "total": results.total, "hits": results.hits })).into_response())
}

pub async fn facets(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    params.only(&["q", "type", "size", "facets"])?;
    let (query, doc_type, size) = (params.query(), params.doc_type(None)?, params.size()?);
    let names: Vec<String> = params
        .get("facets")
        .map(|f| f.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let known: Vec<&str> = crate::index::FACET_FIELDS.iter().map(|(n, _)| *n).collect();
    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(ApiError::bad_request(format!("unknown facet `{bad}`: expected some of {}", known.join(", "))));
    }
    let facets = blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(state.index.facets(&query, doc_type, &names, size)?)
    })
    .await?;
    Ok(Json(facets).into_response())
}

pub async fn timeline(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    params.only(&["q", "type", "by", "stances"])?;
    let (query, doc_type) = (params.query(), params.doc_type(None)?);
    let (interval, by_stance) = (params.interval(Interval::Month)?, params.flag("stances")?);
    let timeline = blocking(move || Ok(state.index.timeline(&query, doc_type, interval, by_stance)?)).await?;
    Ok(Json(timeline).into_response())
}

pub async fn quote(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let hit = blocking(move || Ok(state.index.document(&lookup)?)).await?;
    match hit {
        Some(hit) if hit.doc_type == DocType::Quote => Ok(Json(ApiHit::from(hit)).into_response()),
        _ => Err(ApiError::not_found(format!("no quote `{id}` (quote ids look like ARTICLE#q3, with # written %23)"))),
    }
}

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let article = blocking(move || Ok(state.read_store()?.article(&lookup)?)).await?;
    match article {
        Some(article) => Ok(Json(article).into_response()),
        None => Err(ApiError::not_found(format!("no article `{id}`"))),
    }
}

async fn summary(state: AppState, subject: Subject, name: String, raw: Option<String>) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    params.only(&["by"])?;
    let interval = params.interval(Interval::Year)?;
    let lookup = name.clone();
    let summary = blocking(move || Ok(state.index.summary(subject, &lookup, interval)?)).await?;
    match summary {
        Some(summary) => Ok(Json(summary).into_response()),
        None => {
            let what = if subject == Subject::Speaker { "speaker" } else { "entity" };
            Err(ApiError::not_found(format!("no {what} `{name}` in the index")))
        }
    }
}

pub async fn speaker(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    summary(state, Subject::Speaker, name, raw).await
}

pub async fn entity(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    summary(state, Subject::Entity, name, raw).await
}

pub async fn cluster(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let view = blocking(move || Ok(state.index.cluster(&lookup)?)).await?;
    match view {
        Some(view) => Ok(Json(view).into_response()),
        None => Err(ApiError::not_found(format!("no statement cluster `{id}`"))),
    }
}

fn watch_error(e: watch::WatchError) -> ApiError {
    use watch::WatchError as E;
    let status = match &e {
        E::NotFound(_) => StatusCode::NOT_FOUND,
        E::Busy(_) | E::Store(crate::store::StoreError::Conflict(_)) => StatusCode::CONFLICT,
        _ if e.is_usage() => StatusCode::BAD_REQUEST,
        E::Webhook(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, e.to_string())
}

pub async fn list_watches(State(state): State<AppState>) -> Result<Response, ApiError> {
    let watches = blocking(move || watch::list(&*state.read_store()?).map_err(watch_error)).await?;
    Ok(Json(watches).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchBody {
    name: String,
    query: String,
    #[serde(rename = "type", default)]
    doc_type: Option<String>,
    #[serde(default)]
    webhook: Option<String>,
}

pub async fn add_watch(State(state): State<AppState>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let body: WatchBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!("the body must be JSON {{\"name\", \"query\", \"type\"?, \"webhook\"?}}: {e}"))
    })?;
    let doc_type = match body.doc_type.as_deref() {
        None => WatchType::Quote,
        Some(raw) => WatchType::parse(raw)
            .ok_or_else(|| ApiError::bad_request(format!("unknown type `{raw}`: expected quote, article or all")))?,
    };
    let new = NewWatch { name: body.name, query: body.query, doc_type, webhook: body.webhook };
    let info = blocking(move || watch::add(&mut *state.store()?, &state.index, &new).map_err(watch_error)).await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

pub async fn get_watch(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let lookup = name.clone();
    let found = blocking(move || {
        Ok(watch::list(&*state.read_store()?).map_err(watch_error)?.into_iter().find(|w| w.name == lookup))
    })
    .await?;
    found.map(|w| Json(w).into_response()).ok_or_else(|| watch_error(watch::WatchError::NotFound(name)))
}

pub async fn remove_watch(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, ApiError> {
    blocking(move || watch::remove(&mut *state.store()?, &name).map_err(watch_error)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Runs a watch now: records its new matches and returns them (a watch with a webhook also
/// POSTs them there).
pub async fn run_watch(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let mut store = state.store()?;
    let mut lines = Vec::new();
    let report = watch::run(&mut *store, &state.index, &name, &mut lines).await.map_err(watch_error)?;
    let matches: Vec<serde_json::Value> =
        String::from_utf8_lossy(&lines).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    Ok(Json(serde_json::json!({ "report": report, "matches": matches })).into_response())
}
