//! The HTTP API against its OpenAPI description: the routes the router serves are the
//! routes the file describes, and every route's answers (successes and errors) have a
//! documented status and a body that validates against the documented schema.

use std::collections::BTreeSet;
use std::sync::Arc;

use quotewire::index::SearchIndex;
use quotewire::server::{AppState, api_routes, router};
use serde_json::{Value, json};

use crate::support::*;

/// The subset of JSON Schema the OpenAPI file uses: $ref, type, enum, required,
/// properties, additionalProperties, items, oneOf, allOf.
struct Spec {
    doc: Value,
}

impl Spec {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/schemas/");
                let target = &self.doc["components"]["schemas"][name];
                assert!(!target.is_null(), "unresolved {reference}");
                self.resolve(target)
            }
            None => schema,
        }
    }

    fn type_matches(kind: &str, value: &Value) -> bool {
        match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("unknown schema type {other}"),
        }
    }

    fn validate(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(options) = schema["oneOf"].as_array() {
            let fits = options.iter().filter(|o| {
                let mut e = Vec::new();
                self.validate(o, value, at, &mut e);
                e.is_empty()
            });
            if fits.count() != 1 {
                errors.push(format!("{at}: matches no single oneOf option"));
            }
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.validate(part, value, at, errors);
        }
        let kinds: Vec<&str> = match &schema["type"] {
            Value::String(k) => vec![k.as_str()],
            Value::Array(ks) => ks.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !kinds.is_empty() && !kinds.iter().any(|k| Self::type_matches(k, value)) {
            errors.push(format!("{at}: expected {kinds:?}, found {value}"));
            return;
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} not in {allowed:?}"));
        }
        if let Some(object) = value.as_object() {
            for required in schema["required"].as_array().into_iter().flatten() {
                if !object.contains_key(required.as_str().unwrap()) {
                    errors.push(format!("{at}: missing `{required}`"));
                }
            }
            for (key, item) in object {
                let property = &schema["properties"][key];
                if !property.is_null() {
                    self.validate(property, item, &format!("{at}.{key}"), errors);
                } else if schema["additionalProperties"].is_object() {
                    self.validate(&schema["additionalProperties"], item, &format!("{at}.{key}"), errors);
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, item) in array.iter().enumerate() {
                self.validate(items, item, &format!("{at}[{i}]"), errors);
            }
        }
    }

    /// The documented response of `method path` for `status`.
    fn response(&self, method: &str, path: &str, status: u16) -> &Value {
        let operation = &self.doc["paths"][path][method];
        assert!(!operation.is_null(), "{method} {path} is not documented");
        let response = &operation["responses"][status.to_string()];
        assert!(!response.is_null(), "{method} {path} answered {status}, which is not documented");
        response
    }

    fn operations(&self) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.insert((method.clone(), path.clone()));
            }
        }
        out
    }
}

struct Checker {
    spec: Spec,
    base: String,
    client: reqwest::Client,
    exercised: BTreeSet<(String, String)>,
}

impl Checker {
    /// Sends a request for the documented `path` (a concrete `url`), checks the answer
    /// against the file and returns status and body.
    async fn call(&mut self, method: &str, path: &str, url: &str, body: Option<Value>, expect: u16) -> Value {
        let full = format!("{}{url}", self.base);
        let mut request = match method {
            "get" => self.client.get(&full),
            "post" => self.client.post(&full),
            "delete" => self.client.delete(&full),
            other => panic!("{other}"),
        };
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
        let text = response.text().await.unwrap();
        assert_eq!(status, expect, "{method} {url}: {text}");
        let documented = self.spec.response(method, path, status).clone();
        self.exercised.insert((method.to_string(), path.to_string()));
        let Some(schema) = documented["content"]["application/json"]["schema"].as_object() else {
            assert!(text.is_empty(), "{method} {url}: undocumented body {text}");
            return Value::Null;
        };
        assert_eq!(content_type.as_deref(), Some("application/json"), "{method} {url}");
        let value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {url}: {e}: {text}"));
        let mut errors = Vec::new();
        self.spec.validate(&Value::Object(schema.clone()), &value, &format!("{method} {url}"), &mut errors);
        assert!(errors.is_empty(), "{errors:#?}");
        value
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_as_the_openapi_file_says() {
    let (data, _server) = corpus_data().await;
    let index = Arc::new(SearchIndex::open_or_create(&data.path().join("tantivy")).unwrap());
    let addr = serve(router(AppState::new(index, Some(data.path().join("store.sqlite"))))).await;
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("src/server/openapi.json")).unwrap()).unwrap();
    let spec = Spec { doc: spec };
    let routes: BTreeSet<(String, String)> =
        api_routes().into_iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(routes, spec.operations(), "the router and openapi.json list the same routes");
    let mut c =
        Checker { spec, base: format!("http://{addr}"), client: reqwest::Client::new(), exercised: BTreeSet::new() };

    let served: Value = c.call("get", "/api/v1/openapi.json", "/api/v1/openapi.json", None, 200).await;
    assert_eq!(served, c.spec.doc, "the served file is the checked file");
    let health = c.call("get", "/healthz", "/healthz", None, 200).await;
    assert!(health["documents"].as_u64().unwrap() > 100);
    c.call("get", "/api/health", "/api/health", None, 200).await;

    let path = "/api/v1/search";
    let page = c
        .call("get", path, "/api/v1/search?q=speaker%3Ahuawei%20AND%20stance%3Adeny&type=quote&limit=2", None, 200)
        .await;
    assert!(page["total"].as_u64().unwrap() > 2);
    assert!(page["next"].as_str().unwrap().contains("offset=2"));
    let hit = page["hits"][0].clone();
    assert_eq!(hit["quote"]["stance"], "deny");
    assert_eq!(hit["speaker_canonical"], "Huawei");
    let zero = c.call("get", path, "/api/v1/search?q=*&limit=0", None, 200).await;
    assert_eq!(zero["hits"].as_array().unwrap().len(), 0, "limit=0 counts without hits");
    let bad = c.call("get", path, "/api/v1/search?q=x&limit=abc", None, 400).await;
    assert!(bad["error"].as_str().unwrap().contains("`limit` must be a whole number"));
    let bad = c.call("get", path, "/api/v1/search?q=speakr%3Ax", None, 400).await;
    assert!(bad["error"].as_str().unwrap().contains("did you mean `speaker`?"));
    let bad = c.call("get", path, "/api/v1/search?q=stance%3Adenial", None, 400).await;
    assert!(bad["error"].as_str().unwrap().contains("deny, accuse"));
    c.call("get", path, "/api/v1/search?q=x&type=podcast", None, 400).await;
    let collapsed = c.call("get", path, "/api/v1/search?q=*&type=quote&collapse=true&sort=date", None, 200).await;
    assert_eq!(collapsed["collapsed"], true);

    let legacy = c.call("get", "/api/search", "/api/search?q=stance%3Adecline&type=quote", None, 200).await;
    assert!(legacy["total"].as_u64().unwrap() >= 3);
    c.call("get", "/api/search", "/api/search?q=colour%3Ared", None, 400).await;

    let path = "/api/v1/facets";
    let facets = c.call("get", path, "/api/v1/facets?q=stance%3Adeny&type=quote&size=3", None, 200).await;
    assert_eq!(facets["facets"]["stance"][0]["value"], "deny");
    assert!(facets["facets"]["speaker"].as_array().unwrap().len() <= 3);
    c.call("get", path, "/api/v1/facets?facets=colour", None, 400).await;
    c.call("get", path, "/api/v1/facets?size=0", None, 400).await;

    let path = "/api/v1/timeline";
    let timeline = c.call("get", path, "/api/v1/timeline?q=speaker%3Ahuawei&by=year&stances=true", None, 200).await;
    assert_eq!(timeline["interval"], "year");
    c.call("get", path, "/api/v1/timeline?by=fortnight", None, 400).await;

    let path = "/api/v1/quotes/{id}";
    let quote_url = hit["links"]["self"].as_str().unwrap().to_string();
    assert!(quote_url.contains("%23"), "{quote_url}");
    let quote = c.call("get", path, &quote_url, None, 200).await;
    assert_eq!(quote["id"], hit["id"]);
    c.call("get", path, "/api/v1/quotes/nope%23q1", None, 404).await;

    let path = "/api/v1/articles/{id}";
    let article_id = hit["article_id"].as_str().unwrap();
    let article = c.call("get", path, &format!("/api/v1/articles/{article_id}"), None, 200).await;
    assert!(article["quotes"].as_array().unwrap().len() > 1);
    c.call("get", path, "/api/v1/articles/0000", None, 404).await;

    let path = "/api/v1/speakers/{name}";
    let speaker = c.call("get", path, "/api/v1/speakers/Huawei%20Technologies%20Co.%2C%20Ltd", None, 200).await;
    assert_eq!(speaker["name"], "Huawei");
    assert!(speaker["variants"].as_array().unwrap().len() >= 3);
    c.call("get", path, "/api/v1/speakers/Nobody%20Atall", None, 404).await;
    c.call("get", path, "/api/v1/speakers/Huawei?by=fortnight", None, 400).await;
    let path = "/api/v1/entities/{name}";
    let entity = c.call("get", path, "/api/v1/entities/ZTE", None, 200).await;
    assert!(entity["articles"].as_u64().unwrap() >= 1);
    c.call("get", path, "/api/v1/entities/Nowhere%20Land", None, 404).await;

    let path = "/api/v1/clusters/{id}";
    let repeated =
        c.call("get", "/api/v1/search", "/api/v1/search?q=*&type=quote&collapse=true&limit=200", None, 200).await;
    let cluster = repeated["hits"].as_array().unwrap().iter().find(|h| h["reports"].as_u64().unwrap_or(0) > 1).unwrap();
    let view = c.call("get", path, cluster["links"]["cluster"].as_str().unwrap(), None, 200).await;
    assert_eq!(view["reports"], cluster["reports"]);
    c.call("get", path, "/api/v1/clusters/ffff", None, 404).await;

    let (list, one, run) = ("/api/v1/watches", "/api/v1/watches/{name}", "/api/v1/watches/{name}/run");
    assert_eq!(c.call("get", list, list, None, 200).await, json!([]));
    let body = json!({ "name": "denials", "query": "stance:deny", "webhook": "https://hooks.example/x?token=SECRET" });
    let added = c.call("post", list, list, Some(body.clone()), 201).await;
    assert_eq!(added["webhook"], "https://hooks.example/x?…", "the secret is never shown");
    c.call("post", list, list, Some(body), 409).await;
    c.call("post", list, list, Some(json!({ "name": "bad", "query": "stance:denial" })), 400).await;
    c.call("post", list, list, Some(json!({ "name": "x y", "query": "huawei" })), 400).await;
    c.call("post", list, list, Some(json!({ "name": "plain", "query": "huawei", "type": "article" })), 201).await;
    let listed = c.call("get", list, list, None, 200).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(!listed.to_string().contains("SECRET"));
    c.call("get", one, "/api/v1/watches/plain", None, 200).await;
    c.call("get", one, "/api/v1/watches/nope", None, 404).await;
    let ran = c.call("post", run, "/api/v1/watches/plain/run", None, 200).await;
    assert_eq!(ran["report"]["recorded"], 0, "a new watch reports only what arrives after it");
    c.call("post", run, "/api/v1/watches/nope/run", None, 404).await;
    c.call("delete", one, "/api/v1/watches/plain", None, 204).await;
    c.call("delete", one, "/api/v1/watches/plain", None, 404).await;

    assert_eq!(c.exercised, c.spec.operations(), "every documented operation was called");

    // Unknown paths: JSON under /api, a page elsewhere; never an empty body.
    let client = reqwest::Client::new();
    let api404 = client.get(format!("http://{addr}/api/v1/nothing")).send().await.unwrap();
    assert_eq!(api404.status(), 404);
    let body: Value = serde_json::from_str(&api404.text().await.unwrap()).unwrap();
    assert!(body["error"].as_str().unwrap().contains("openapi.json"));
    let page404 = client.get(format!("http://{addr}/nothing")).send().await.unwrap();
    assert_eq!(page404.status(), 404);
    assert!(page404.text().await.unwrap().contains("There is no page at /nothing"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_works_without_javascript_and_escapes_everything() {
    let (data, server) = corpus_data().await;
    let index = Arc::new(SearchIndex::open_or_create(&data.path().join("tantivy")).unwrap());
    let addr = serve(router(AppState::new(index, Some(data.path().join("store.sqlite"))))).await;
    drop(server); // the sites are gone, as after a demo: stored copies still open
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move {
            let r = client.get(format!("http://{addr}{path}")).send().await.unwrap();
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            (status, headers, r.text().await.unwrap())
        }
    };
    let (status, _, page) = get("/?q=speaker%3Ahuawei+AND+stance%3Adeny".into()).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script"), "no JavaScript needed");
    assert!(page.contains("<form class=\"search\" method=\"get\" action=\"/\""));
    assert!(page.contains("<mark>Huawei</mark>"), "the matched speaker is marked");
    assert!(page.contains("<svg class=\"timeline\""));
    assert!(page.contains("data-facet=\"stance\""));
    assert!(page.contains("href=\"/stored/"), "hits link to the stored copy");
    assert!(page.contains("href=\"/speakers/Huawei\""));
    // Facet links narrow the search and are shareable URLs.
    let facet_link = page
        .split("data-facet=\"site\"")
        .nth(1)
        .and_then(|rest| rest.split("href=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let (status, _, narrowed) = get(facet_link.clone()).await;
    assert_eq!(status, 200, "{facet_link}");
    assert!(narrowed.contains("filters: "), "{facet_link}");

    let (status, _, hostile) = get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22%3E%3Cimg".into()).await;
    assert!(status == 200 || status == 400);
    assert!(!hostile.contains("<script>alert(1)") && !hostile.contains("\"><img"), "query text is escaped");
    assert!(hostile.contains("&lt;script&gt;"));

    let (status, _, bad) = get("/?q=stance%3Adenial".into()).await;
    assert_eq!(status, 400);
    assert!(bad.contains("class=\"error\"") && bad.contains("did you mean `deny`?"));
    let (_, _, paged) = get("/?q=*&type=all&limit=5".into()).await;
    assert!(paged.contains("rel=\"next\""), "more than one page links to the next");
    let (status, _, _) = get("/?limit=abc".into()).await;
    assert_eq!(status, 400);

    let stored = page.split("href=\"/stored/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (status, headers, copy) = get(format!("/stored/{stored}")).await;
    assert_eq!(status, 200);
    assert!(copy.contains("quotewire test fixture"), "the page as fetched");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (_, headers, _) = get(format!("/stored/{stored}?as=text")).await;
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    let (status, _, missing) = get("/stored/0000".into()).await;
    assert_eq!(status, 404);
    assert!(missing.contains("No stored copy"));

    let (status, _, speaker) = get("/speakers/Huawei%20Technologies".into()).await;
    assert_eq!(status, 200);
    assert!(speaker.contains("written as") && speaker.contains("Huawei Technologies Co., Ltd"));
    assert!(speaker.contains("First statement") && speaker.contains("<svg class=\"timeline\""));
    let (status, _, _) = get("/entities/ZTE".into()).await;
    assert_eq!(status, 200);
    let cluster = page.split("href=\"/clusters/").nth(1).map(|r| r.split('"').next().unwrap().to_string());
    if let Some(cluster) = cluster {
        let (status, _, view) = get(format!("/clusters/{cluster}")).await;
        assert_eq!(status, 200);
        assert!(view.contains("data-reports="));
    }
    let (status, _, _) = get("/clusters/nope".into()).await;
    assert_eq!(status, 404);
}
