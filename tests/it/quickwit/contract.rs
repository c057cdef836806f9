//! A loopback server that enforces Quickwit's documented REST contract for what quotewire
//! uses, and counts what it accepted:
//!
//! - `POST /api/v1/indexes` creates an index from an index config: `field_mappings` with
//!   known types, a `timestamp_field` that is a fast datetime, tokenizers that exist (custom
//!   ones of type `simple`, `regex` or `ngram` with the filters `remove_long`,
//!   `lower_caser`, `ascii_folding`),
//!   default search fields that are indexed (400 otherwise, 400 for a duplicate id).
//! - `POST /api/v1/{index}/ingest?commit=auto|wait_for|force`: an NDJSON body of at most
//!   10 MiB (413 above), each non-empty line a JSON object (400 naming the line otherwise),
//!   404 for an unknown index, 429 (or 503) while back-pressure is switched on. A strict doc
//!   mapping: a document with a field the mapping lacks, or a value of the wrong type (an
//!   array in a single-valued field, text in a number), is rejected and counted in
//!   `num_rejected_docs`; the rest are accepted. `auto` answers once the documents are
//!   kept (they become searchable at the next commit), `wait_for` answers once they are
//!   committed, `force` commits everything pending and answers. The answer is
//!   `{"num_docs_for_processing", "num_ingested_docs", "num_rejected_docs"}`.
//!
//! - `POST /api/v1/{index}/search` with `{"query", "max_hits", "start_offset", "sort_by"}`:
//!   evaluates the query (`evaluate.rs`) over the committed documents only, ranks by the
//!   number of matching clauses (or `-published`, newest first) and answers
//!   `{"num_hits", "hits", "elapsed_time_micros", "errors"}`, each hit holding the stored
//!   fields only; 400 for a query it cannot parse or a field that is not indexed.
//!
//! Every request is logged (body size, lines, commit mode, status) for the tests to check.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// Quickwit's default ingest payload limit (`max_content_length`, 10 MiB).
pub const PAYLOAD_LIMIT: usize = 10 * 1024 * 1024;
const BUILT_IN_TOKENIZERS: [&str; 6] = ["raw", "default", "en_stem", "whitespace", "chinese_compatible", "lowercase"];

/// One field of a created index's mapping.
#[derive(Debug, Clone)]
pub struct MappedField {
    pub value_type: String,
    pub multi: bool,
    pub tokenizer: Option<String>,
    pub indexed: bool,
    pub stored: bool,
    pub fast: bool,
}

#[derive(Debug, Default)]
pub struct ContractIndex {
    pub fields: HashMap<String, MappedField>,
    pub committed: Vec<Value>,
    pub pending: Vec<Value>,
}

/// One request the server answered.
#[derive(Debug, Clone)]
pub struct Logged {
    pub index: String,
    pub bytes: usize,
    pub lines: usize,
    pub commit: String,
    pub status: u16,
}

#[derive(Default)]
pub struct ContractState {
    pub indexes: Mutex<HashMap<String, ContractIndex>>,
    /// Ingest requests still to refuse with `refuse_status` (back-pressure).
    pub refuse_next: AtomicUsize,
    pub refuse_status: AtomicU16,
    /// Ingest requests to accept before refusing every further one (0: no such limit).
    pub accept_then_refuse: AtomicUsize,
    pub log: Mutex<Vec<Logged>>,
}

impl ContractState {
    /// Refuses the next `count` ingest requests with `status` (429 or 503).
    pub fn refuse(&self, count: usize, status: u16) {
        self.refuse_status.store(status, Ordering::SeqCst);
        self.refuse_next.store(count, Ordering::SeqCst);
    }

    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// Every document the index accepted, committed or not.
    pub fn accepted(&self, index: &str) -> Vec<Value> {
        let indexes = self.indexes.lock().unwrap();
        let index = &indexes[index];
        index.committed.iter().chain(&index.pending).cloned().collect()
    }

    pub fn committed(&self, index: &str) -> usize {
        self.indexes.lock().unwrap()[index].committed.len()
    }
}

/// The server, on its own runtime thread (the sink under test blocks its caller).
pub struct ContractServer {
    pub addr: SocketAddr,
    pub state: Arc<ContractState>,
    _runtime: tokio::runtime::Runtime,
}

impl ContractServer {
    pub fn start() -> ContractServer {
        let state = Arc::new(ContractState::default());
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let router = Router::new()
            .route("/api/v1/indexes", post(create_index))
            .route("/api/v1/{index}/ingest", post(ingest))
            .route("/api/v1/{index}/search", post(search))
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&state));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        ContractServer { addr, state, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Creates `index_id` through the API with quotewire's generated config.
    pub fn create_quotewire_index(&self, index_id: &str) {
        let config = quotewire::index::quickwit::index_config(index_id);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let status = runtime.block_on(async {
            reqwest::Client::new()
                .post(format!("{}api/v1/indexes", self.url()))
                .header("content-type", "application/json")
                .body(config.to_string())
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_eq!(status, reqwest::StatusCode::OK, "the generated config is a valid index config");
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "message": message.into() }))).into_response()
}

async fn create_index(State(state): State<Arc<ContractState>>, body: Bytes) -> Response {
    let config: Value = match serde_json::from_slice(&body) {
        Ok(config) => config,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("index config is not JSON/YAML: {e}")),
    };
    match parse_config(&config) {
        Ok((id, fields)) => {
            let mut indexes = state.indexes.lock().unwrap();
            if indexes.contains_key(&id) {
                return error(StatusCode::BAD_REQUEST, format!("index `{id}` already exists"));
            }
            indexes.insert(id.clone(), ContractIndex { fields, ..ContractIndex::default() });
            axum::Json(json!({ "index_config": { "index_id": id } })).into_response()
        }
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

/// Checks an index config as Quickwit does for the parts quotewire writes.
fn parse_config(config: &Value) -> Result<(String, HashMap<String, MappedField>), String> {
    let id = config["index_id"].as_str().ok_or("missing `index_id`")?.to_string();
    let mapping = &config["doc_mapping"];
    let custom: Vec<&str> =
        mapping["tokenizers"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect();
    for tokenizer in mapping["tokenizers"].as_array().into_iter().flatten() {
        if !["simple", "regex", "ngram"].contains(&tokenizer["type"].as_str().unwrap_or_default()) {
            return Err(format!("tokenizer {tokenizer}: unknown type"));
        }
        for filter in tokenizer["filters"].as_array().into_iter().flatten() {
            if !["remove_long", "lower_caser", "ascii_folding"].contains(&filter.as_str().unwrap_or_default()) {
                return Err(format!("tokenizer {tokenizer}: unknown filter {filter}"));
            }
        }
    }
    let mut fields = HashMap::new();
    for field in mapping["field_mappings"].as_array().ok_or("missing `doc_mapping.field_mappings`")? {
        let name = field["name"].as_str().ok_or("a field mapping without `name`")?;
        let value_type = field["type"].as_str().ok_or(format!("`{name}` has no `type`"))?;
        let (base, multi) = match value_type.strip_prefix("array<").and_then(|t| t.strip_suffix('>')) {
            Some(base) => (base, true),
            None => (value_type, false),
        };
        if !["text", "u64", "i64", "f64", "bool", "datetime", "json", "bytes", "ip"].contains(&base) {
            return Err(format!("`{name}`: unknown type `{value_type}`"));
        }
        if let Some(tokenizer) = field["tokenizer"].as_str()
            && !BUILT_IN_TOKENIZERS.contains(&tokenizer)
            && !custom.contains(&tokenizer)
        {
            return Err(format!("`{name}`: unknown tokenizer `{tokenizer}`"));
        }
        if field.get("tokenizer").is_some() && base != "text" {
            return Err(format!("`{name}`: only text fields have a tokenizer"));
        }
        let mapped = MappedField {
            value_type: base.to_string(),
            multi,
            tokenizer: field["tokenizer"].as_str().map(str::to_string),
            indexed: field["indexed"] != json!(false),
            stored: field["stored"] != json!(false),
            fast: field["fast"].is_object() || field["fast"] == json!(true),
        };
        if fields.insert(name.to_string(), mapped).is_some() {
            return Err(format!("`{name}` is mapped twice"));
        }
    }
    if let Some(timestamp) = mapping["timestamp_field"].as_str() {
        let field = mapping["field_mappings"].as_array().into_iter().flatten().find(|f| f["name"] == timestamp);
        let fast_datetime = field.is_some_and(|f| f["type"] == "datetime" && f["fast"] == json!(true));
        if !fast_datetime {
            return Err(format!("timestamp field `{timestamp}` must be a fast datetime field"));
        }
    }
    for name in config["search_settings"]["default_search_fields"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        let field = mapping["field_mappings"].as_array().into_iter().flatten().find(|f| f["name"] == name);
        if !field.is_some_and(|f| f["indexed"] != json!(false)) {
            return Err(format!("default search field `{name}` is not an indexed field"));
        }
    }
    Ok((id, fields))
}

/// Why a document does not fit the strict mapping, if it does not.
fn misfit(fields: &HashMap<String, MappedField>, doc: &serde_json::Map<String, Value>) -> Option<String> {
    for (name, value) in doc {
        let Some(field) = fields.get(name) else { return Some(format!("no field `{name}` in the doc mapping")) };
        let values: Vec<&Value> = match value {
            Value::Array(values) if field.multi => values.iter().collect(),
            Value::Array(_) => return Some(format!("`{name}` holds one value, got an array")),
            value => vec![value],
        };
        for value in values {
            let fits = match field.value_type.as_str() {
                "text" => value.is_string(),
                "u64" => value.is_u64(),
                "datetime" => {
                    value.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()) || value.is_i64()
                }
                _ => true,
            };
            if !fits {
                return Some(format!("`{name}`: {value} is not a {}", field.value_type));
            }
        }
    }
    None
}

async fn ingest(
    State(state): State<Arc<ContractState>>,
    Path(index_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let commit = params.get("commit").cloned().unwrap_or_else(|| "auto".into());
    let lines: Vec<&[u8]> = body.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).collect();
    let response = answer(&state, &index_id, &commit, body.len(), &lines);
    state.log.lock().unwrap().push(Logged {
        index: index_id,
        bytes: body.len(),
        lines: lines.len(),
        commit,
        status: response.status().as_u16(),
    });
    response
}

fn answer(state: &ContractState, index_id: &str, commit: &str, bytes: usize, lines: &[&[u8]]) -> Response {
    if !["auto", "wait_for", "force"].contains(&commit) {
        return error(StatusCode::BAD_REQUEST, format!("unknown commit mode `{commit}`"));
    }
    let mut indexes = state.indexes.lock().unwrap();
    let Some(index) = indexes.get_mut(index_id) else {
        return error(StatusCode::NOT_FOUND, format!("index `{index_id}` not found"));
    };
    if bytes > PAYLOAD_LIMIT {
        return error(StatusCode::PAYLOAD_TOO_LARGE, format!("payload of {bytes} bytes exceeds {PAYLOAD_LIMIT}"));
    }
    let refusing = state.refuse_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let accept_limit = state.accept_then_refuse.load(Ordering::SeqCst);
    let accepted_so_far = state.log.lock().unwrap().iter().filter(|l| l.status == 200).count();
    if refusing || (accept_limit > 0 && accepted_so_far >= accept_limit) {
        let status =
            StatusCode::from_u16(state.refuse_status.load(Ordering::SeqCst)).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        return error(status, "too many requests: the ingest queue is full");
    }
    let mut docs = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(doc)) => docs.push(doc),
            Ok(_) => return error(StatusCode::BAD_REQUEST, format!("line {}: not a JSON object", n + 1)),
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("line {}: {e}", n + 1)),
        }
    }
    let mut rejected = 0;
    for doc in docs {
        if misfit(&index.fields, &doc).is_some() {
            rejected += 1;
        } else {
            index.pending.push(Value::Object(doc));
        }
    }
    if commit != "auto" {
        let pending = std::mem::take(&mut index.pending);
        index.committed.extend(pending);
    }
    axum::Json(json!({
        "num_docs_for_processing": lines.len(),
        "num_ingested_docs": lines.len() - rejected,
        "num_rejected_docs": rejected,
    }))
    .into_response()
}

async fn search(
    State(state): State<Arc<ContractState>>,
    Path(index_id): Path<String>,
    axum::Json(request): axum::Json<Value>,
) -> Response {
    let indexes = state.indexes.lock().unwrap();
    let Some(index) = indexes.get(&index_id) else {
        return error(StatusCode::NOT_FOUND, format!("index `{index_id}` not found"));
    };
    let query = match super::evaluate::parse(request["query"].as_str().unwrap_or("*"), &index.fields) {
        Ok(query) => query,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let mut matches: Vec<(f32, usize, &Value)> = index
        .committed
        .iter()
        .enumerate()
        .filter_map(|(n, doc)| super::evaluate::score(&query, doc, &index.fields).map(|s| (s, n, doc)))
        .collect();
    match request["sort_by"].as_str() {
        Some("-published") => {
            matches.sort_by(|a, b| b.2["published"].as_str().cmp(&a.2["published"].as_str()).then(a.1.cmp(&b.1)))
        }
        Some(other) => return error(StatusCode::BAD_REQUEST, format!("cannot sort by `{other}`")),
        None => matches.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))),
    }
    let start = request["start_offset"].as_u64().unwrap_or(0) as usize;
    let max_hits = request["max_hits"].as_u64().unwrap_or(20) as usize;
    let hits: Vec<Value> = matches
        .iter()
        .skip(start)
        .take(max_hits)
        .map(|(_, _, doc)| {
            let stored: serde_json::Map<String, Value> = doc
                .as_object()
                .unwrap()
                .iter()
                .filter(|(name, _)| index.fields[name.as_str()].stored)
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            Value::Object(stored)
        })
        .collect();
    axum::Json(json!({ "num_hits": matches.len(), "hits": hits, "elapsed_time_micros": 0, "errors": [] }))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strict_mapping_refuses_unknown_fields_and_wrong_shapes() {
        let config = quotewire::index::quickwit::index_config("quotes");
        let (_, fields) = parse_config(&config).unwrap();
        let doc = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(misfit(&fields, &doc(json!({"type": "quote", "speaker": ["Ana"]}))), None);
        assert!(misfit(&fields, &doc(json!({"nickname": "x"}))).is_some());
        assert!(misfit(&fields, &doc(json!({"type": ["quote"]}))).is_some());
        assert!(misfit(&fields, &doc(json!({"seq": "seven"}))).is_some());
        assert!(misfit(&fields, &doc(json!({"published": "last tuesday"}))).is_some());
    }
}
