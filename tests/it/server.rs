//! The HTTP API over an index built from the fixture corpus.

use std::sync::Arc;

use quotewire::config::Source;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_searches_and_explains_bad_queries() {
    let data = tempfile::tempdir().unwrap();
    let dir = repo().join("tests/fixtures/sites/globe-wire/technology");
    let stats = ingest(&ad_hoc(vec![Source::Dir { path: dir }]), data.path()).await;
    assert_eq!(stats.articles, 4);
    let index = Arc::new(open_index(data.path()));
    let addr = serve(quotewire::server::router(quotewire::server::AppState::new(index, None))).await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move { client.get(format!("http://{addr}{path}")).send().await.unwrap() }
    };

    let response = get("/api/search?q=speaker%3Ahuawei%20AND%20stance%3Adeny&type=quote&limit=5".into()).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(body["total"].as_u64().unwrap() >= 1, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["type"], "quote");
    assert_eq!(hit["quote"]["stance"], "deny");
    assert!(hit["quote"]["speaker"].as_str().unwrap().contains("Huawei"));
    assert!(hit["url"].as_str().unwrap().starts_with("file://"));

    let response = get("/api/search?q=colour%3Ared".into()).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert!(body["error"].as_str().unwrap().contains("unknown field `colour`"), "{body}");

    assert_eq!(get("/api/search?q=x&type=podcast".into()).await.status(), 400);
    assert_eq!(get("/api/health".into()).await.status(), 200);
    let page = get("/?q=stance%3Adeny".into()).await.text().await.unwrap();
    assert!(page.contains("data-total="), "the page is rendered by the server");
}
