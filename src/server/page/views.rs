//! Pages about one thing: a speaker, an entity, a statement cluster, and the stored copy
//! of an article's page (served sandboxed: no scripts, no requests to other sites).

use std::fmt::Write as _;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::html::{esc, facet, hit, layout, query_string, timeline_svg};
use super::{error_page, not_found};
use crate::index::{Interval, SearchRequest, Sort, Subject, Summary, quoted};
use crate::server::api::segment;
use crate::server::params::Params;
use crate::server::{ApiError, AppState, blocking};

/// Recent statements listed on a speaker or entity page.
const RECENT: usize = 20;
/// What a stored copy may do in the browser: nothing but show itself. `sandbox` without
/// `allow-scripts`/`allow-same-origin` runs no script and gives the page no origin;
/// `default-src 'none'` stops every request it would make (images, styles, trackers).
const STORED_COPY_POLICY: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

fn search_link(query: &str) -> String {
    format!("/?{}", query_string(&[("q", query.to_string())]))
}

fn summary_html(s: &Summary, recent: &[crate::index::SearchHit]) -> String {
    let mut b = String::from("<main><aside>");
    let field = if s.subject == Subject::Speaker { "speaker" } else { "entity" };
    let _ = write!(b, "<h3>Statements over time <span class=\"count\">by {}</span></h3>", s.timeline.interval.as_str());
    b.push_str(&timeline_svg(&s.timeline, &|start, _| {
        search_link(&format!(
            "{} AND published:{}",
            s.query,
            &start[..start.len().min(if s.timeline.interval == Interval::Year { 4 } else { 7 })]
        ))
    }));
    b.push_str(&facet("stance", &s.stances, &|v| search_link(&format!("{} AND stance:{v}", s.query))));
    if !s.speakers.is_empty() {
        b.push_str(&facet("speakers", &s.speakers, &|v| format!("/speakers/{}", segment(v))));
    }
    b.push_str(&facet("co-mentioned", &s.entities, &|v| format!("/entities/{}", segment(v))));
    b.push_str(&facet("outlets", &s.outlets, &|v| search_link(&format!("{} AND site:{}", s.query, quoted(v)))));
    b.push_str("</aside><section class=\"results\">");
    let _ = write!(b, "<h1 data-subject=\"{field}\">{}</h1>", esc(&s.name));
    b.push_str("<table class=\"summary\">");
    let _ =
        write!(b, "<tr><td>statements</td><td><a href=\"{}\">{}</a></td></tr>", esc(&search_link(&s.query)), s.quotes);
    if let Some(articles) = s.articles {
        let _ = write!(b, "<tr><td>articles</td><td>{articles}</td></tr>");
    }
    if !s.variants.is_empty() {
        let names: Vec<String> = s.variants.iter().map(|v| format!("{} ({})", esc(&v.value), v.count)).collect();
        let _ = write!(b, "<tr><td>written as</td><td class=\"variants-list\">{}</td></tr>", names.join(", "));
    }
    let stances: Vec<String> = s.stances.iter().map(|v| format!("{} {}", esc(&v.value), v.count)).collect();
    let _ = write!(b, "<tr><td>stances</td><td>{}</td></tr></table>", stances.join(" · "));
    for (label, statement) in [("First statement", &s.first), ("Latest statement", &s.last)] {
        if let Some(statement) = statement {
            let _ = write!(b, "<h3>{label}</h3>{}", hit(statement));
        }
    }
    let _ = write!(b, "<h3>Recent statements</h3>");
    for h in recent {
        b.push_str(&hit(h));
    }
    let _ = write!(b, "<p><a href=\"{}\">all statements →</a></p></section></main>", esc(&search_link(&s.query)));
    layout(&s.name, &b)
}

async fn summary_page(state: AppState, subject: Subject, name: String, raw: Option<String>) -> Response {
    let params = Params::parse(raw.as_deref());
    let interval = match params.interval(Interval::Year) {
        Ok(i) => i,
        Err(e) => return error_page(e),
    };
    let result = blocking(move || {
        let Some(summary) = state.index.summary(subject, &name, interval)? else {
            let what = if subject == Subject::Speaker { "statements by" } else { "mentions of" };
            return Err(ApiError::not_found(format!("No {what} “{name}” in the index.")));
        };
        let mut request = SearchRequest::new(&summary.query, Some(crate::index::DocType::Quote), RECENT);
        request.sort = Sort::Date;
        let recent = state.index.search(&request)?;
        Ok(summary_html(&summary, &recent.hits))
    })
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(e),
    }
}

pub async fn speaker_page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    summary_page(state, Subject::Speaker, name, raw).await
}

pub async fn entity_page(State(state): State<AppState>, Path(name): Path<String>, RawQuery(raw): RawQuery) -> Response {
    summary_page(state, Subject::Entity, name, raw).await
}

pub async fn cluster_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let result = blocking(move || {
        let Some(view) = state.index.cluster(&id)? else {
            return Err(ApiError::not_found(format!("No statement cluster “{id}”.")));
        };
        let mut b = String::from("<main><aside>");
        b.push_str(&facet("outlets", &view.outlets, &|v| search_link(&format!("cluster:{} AND site:{}", view.id, quoted(v)))));
        b.push_str("</aside><section class=\"results\">");
        let speaker = view.speaker.as_deref().unwrap_or("unknown speaker");
        let _ = write!(
            b,
            "<h1>{}</h1><blockquote>{}</blockquote><p class=\"meta\" id=\"reports\" data-reports=\"{}\">{} reports · first seen {}</p>",
            esc(speaker),
            esc(&view.text),
            view.reports,
            view.reports,
            esc(view.first_seen.as_deref().unwrap_or("undated"))
        );
        for h in &view.hits {
            b.push_str(&hit(h));
        }
        b.push_str("</section></main>");
        Ok(layout(&format!("{speaker}: one statement, {} reports", view.reports), &b))
    })
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(e),
    }
}

/// The stored copy of an article's page, as fetched. HTML is served under a sandboxing
/// content security policy; `?as=text` shows the source as plain text.
pub async fn stored_page(State(state): State<AppState>, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let as_text = Params::parse(raw.as_deref()).get("as") == Some("text");
    let lookup = id.clone();
    let body = blocking(move || Ok(state.read_store()?.raw_page_of_article(&lookup)?)).await;
    let stored = match body {
        Ok(Some(stored)) => stored,
        Ok(None) => return not_found(&format!("No stored copy of article {id}.")),
        Err(e) => return error_page(e),
    };
    let declared = stored.content_type.as_deref().unwrap_or("text/html");
    let html = !as_text && declared.to_ascii_lowercase().contains("html");
    let content_type = if html {
        // Keep the page's own charset when it declared one.
        if declared.to_ascii_lowercase().contains("charset") { declared.to_string() } else { "text/html".to_string() }
    } else {
        "text/plain; charset=utf-8".to_string()
    };
    let body = if html { stored.body } else { String::from_utf8_lossy(&stored.body).into_owned().into_bytes() };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    let value = |v: &str| HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("text/plain"));
    headers.insert(header::CONTENT_TYPE, value(&content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(STORED_COPY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
