//! The web page: server-rendered HTML that works without JavaScript. `/` is search with
//! field filters, a date range, facets as links and an SVG timeline; `views.rs` has the
//! speaker, entity and cluster pages and stored copies. Every URL is shareable: the page's
//! state is its query string.

mod html;
mod views;

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::params::Params;
use super::{ApiError, AppState, blocking};
use crate::index::{DocType, Interval, SearchRequest, Sort, quoted};
use html::{esc, facet, hit, layout, query_string, timeline_svg};

/// Hits per page unless `limit` says otherwise.
const PAGE_SIZE: usize = 20;
/// Largest page the page renders.
const MAX_PAGE_SIZE: usize = 100;
/// A month-by-month timeline longer than this is drawn by year.
const MAX_MONTH_BARS: usize = 60;
/// Values per facet in the sidebar.
const FACET_SIZE: usize = 8;
/// Facets in the sidebar, in order.
const SIDEBAR_FACETS: &[&str] =
    &["stance", "speaker", "entity", "site", "speaker_kind", "quote_kind", "kind", "language", "type"];

pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/", get(search_page))
        .route("/speakers/{name}", get(views::speaker_page))
        .route("/entities/{name}", get(views::entity_page))
        .route("/clusters/{id}", get(views::cluster_page))
        .route("/stored/{id}", get(views::stored_page))
}

/// A 404 page.
pub fn not_found(message: &str) -> Response {
    let body = format!(
        "<main><section class=\"results\"><h1>Not found</h1><p>{}</p><p><a href=\"/\">Search</a></p></section></main>",
        esc(message)
    );
    (StatusCode::NOT_FOUND, Html(layout("Not found", &body))).into_response()
}

/// An error as a page with its status.
fn error_page(e: ApiError) -> Response {
    if e.status == StatusCode::NOT_FOUND {
        return not_found(&e.message);
    }
    let body = format!(
        "<main><section class=\"results\"><p class=\"error\">{}</p><p><a href=\"/\">Search</a></p></section></main>",
        esc(&e.message)
    );
    (e.status, Html(layout("Error", &body))).into_response()
}

/// The search page's state, all of it in the URL.
#[derive(Debug, Clone, Default)]
struct PageQuery {
    q: String,
    /// quote (default), article or all.
    doc_type: String,
    sort: String,
    offset: usize,
    limit: usize,
    collapse: bool,
    from: String,
    to: String,
    stance: String,
    filters: Vec<String>,
}

impl PageQuery {
    fn parse(params: &Params) -> Result<PageQuery, ApiError> {
        let doc_type = params.get("type").unwrap_or("quote").to_string();
        params.doc_type(None)?;
        params.sort()?;
        let limit = params.limit()?;
        Ok(PageQuery {
            q: params.query(),
            doc_type,
            sort: params.get("sort").unwrap_or("relevance").to_string(),
            offset: params.offset()?,
            limit: if params.get("limit").is_some() { limit.clamp(1, MAX_PAGE_SIZE) } else { PAGE_SIZE },
            collapse: params.flag("collapse")?,
            from: params.get("from").unwrap_or("").to_string(),
            to: params.get("to").unwrap_or("").to_string(),
            stance: params.get("stance").unwrap_or("").to_string(),
            filters: params.all("f").into_iter().map(str::to_string).collect(),
        })
    }

    /// The query the index runs: the box, the filters, the stance and the date range.
    fn effective(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.trim().is_empty() {
            parts.push(format!("({})", self.q.trim()));
        }
        parts.extend(self.filters.iter().cloned());
        if !self.stance.is_empty() {
            parts.push(format!("stance:{}", self.stance));
        }
        if !self.from.is_empty() || !self.to.is_empty() {
            let end = |d: &str| if d.is_empty() { "*".to_string() } else { d.to_string() };
            parts.push(format!("published:[{} TO {}]", end(&self.from), end(&self.to)));
        }
        if parts.is_empty() { "*".into() } else { parts.join(" AND ") }
    }

    fn doc_type(&self) -> Option<DocType> {
        DocType::parse(&self.doc_type)
    }

    /// The page's URL with `change` applied.
    fn url(&self, change: impl FnOnce(&mut PageQuery)) -> String {
        let mut next = self.clone();
        change(&mut next);
        let mut pairs = vec![
            ("q", next.q.clone()),
            ("type", if next.doc_type == "quote" { String::new() } else { next.doc_type.clone() }),
            ("sort", if next.sort == "relevance" { String::new() } else { next.sort.clone() }),
            ("stance", next.stance.clone()),
            ("from", next.from.clone()),
            ("to", next.to.clone()),
            ("collapse", if next.collapse { "true".into() } else { String::new() }),
            ("offset", if next.offset == 0 { String::new() } else { next.offset.to_string() }),
            ("limit", if next.limit == PAGE_SIZE { String::new() } else { next.limit.to_string() }),
        ];
        pairs.extend(next.filters.iter().map(|f| ("f", f.clone())));
        let query = query_string(&pairs);
        if query.is_empty() { "/".into() } else { format!("/?{query}") }
    }
}

fn option(value: &str, label: &str, selected: &str) -> String {
    let mark = if value == selected { " selected" } else { "" };
    format!("<option value=\"{}\"{mark}>{}</option>", esc(value), esc(label))
}

/// The search form, filled with the page's state.
fn form(p: &PageQuery) -> String {
    let mut s = String::from("<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">");
    let _ = write!(
        s,
        "<input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"speaker:huawei AND stance:deny\" aria-label=\"query\" autofocus>",
        esc(&p.q)
    );
    s.push_str("<select name=\"type\" aria-label=\"type\">");
    for (v, l) in [("quote", "quotes"), ("article", "articles"), ("all", "all")] {
        s.push_str(&option(v, l, &p.doc_type));
    }
    s.push_str("</select><select name=\"stance\" aria-label=\"stance\">");
    s.push_str(&option("", "any stance", &p.stance));
    for stance in crate::model::Stance::ALL {
        s.push_str(&option(stance.as_str(), stance.as_str(), &p.stance));
    }
    s.push_str("</select><select name=\"sort\" aria-label=\"sort\">");
    for (v, l) in [("relevance", "best match"), ("date", "newest")] {
        s.push_str(&option(v, l, &p.sort));
    }
    let _ = write!(
        s,
        "</select><label class=\"meta\">from <input type=\"date\" name=\"from\" value=\"{}\"></label>\
         <label class=\"meta\">to <input type=\"date\" name=\"to\" value=\"{}\"></label>\
         <label class=\"meta\"><input type=\"checkbox\" name=\"collapse\" value=\"true\"{}> one per statement</label>",
        esc(&p.from),
        esc(&p.to),
        if p.collapse { " checked" } else { "" }
    );
    for f in &p.filters {
        let _ = write!(s, "<input type=\"hidden\" name=\"f\" value=\"{}\">", esc(f));
    }
    s.push_str("<button type=\"submit\">Search</button></form>");
    s.push_str(
        "<p class=\"meta\">Fields: speaker, entity, stance, speaker_kind, quote_kind, cue, site, kind, language, title, text, \
         published:[2019-05-01 TO 2019-05-31]; \"phrases\"~2, AND, OR, -, (…)</p>",
    );
    s
}

/// The search page and its status (400 for a bad query, shown on the page with the form).
fn search_html(p: &PageQuery, state: &AppState) -> Result<(StatusCode, String), ApiError> {
    let index = &state.index;
    let query = p.effective();
    let request = SearchRequest {
        query: query.clone(),
        doc_type: p.doc_type(),
        limit: p.limit,
        offset: p.offset,
        sort: if p.sort == "date" { Sort::Date } else { Sort::Relevance },
        collapse: p.collapse,
    };
    let mut body = String::from("<main><aside>");
    let mut results = String::from("<section class=\"results\">");
    results.push_str(&form(p));
    if !p.filters.is_empty() {
        results.push_str("<p class=\"filters meta\">filters: ");
        for (i, f) in p.filters.iter().enumerate() {
            let remove = p.url(|n| {
                n.filters.remove(i);
                n.offset = 0;
            });
            let _ = write!(results, "<a href=\"{}\" title=\"remove\">{} ✕</a>", esc(&remove), esc(f));
        }
        results.push_str("</p>");
    }
    match index.search(&request) {
        Err(e) if e.is_usage() => {
            let _ = write!(results, "<p class=\"error\">{}</p>", esc(&e.to_string()));
            body.push_str("</aside>");
            body.push_str(&results);
            body.push_str("</section></main>");
            return Ok((StatusCode::BAD_REQUEST, layout("Search", &body)));
        }
        Err(e) => return Err(e.into()),
        Ok(found) => {
            let noun = if found.collapsed { "statements" } else { "matches" };
            let shown = found.hits.len();
            let _ =
                write!(results, "<p class=\"meta\" id=\"total\" data-total=\"{}\">{} {noun}", found.total, found.total);
            if shown > 0 {
                let _ = write!(results, ", showing {}–{}", found.offset + 1, found.offset + shown);
            }
            results.push_str("</p>");
            for h in &found.hits {
                results.push_str(&hit(h));
            }
            results.push_str("<p class=\"pager\">");
            if p.offset > 0 {
                let prev = p.url(|n| n.offset = n.offset.saturating_sub(n.limit));
                let _ = write!(results, "<a rel=\"prev\" href=\"{}\">← previous</a>", esc(&prev));
            }
            if found.offset + shown < found.total {
                let next = p.url(|n| n.offset += n.limit);
                let _ = write!(results, "<a rel=\"next\" href=\"{}\">next →</a>", esc(&next));
            }
            results.push_str("</p>");
        }
    }
    results.push_str("</section>");
    let doc_type = p.doc_type();
    let mut timeline = index.timeline(&query, doc_type, Interval::Month, false)?;
    if timeline.buckets.len() > MAX_MONTH_BARS {
        timeline = index.timeline(&query, doc_type, Interval::Year, false)?;
    }
    let _ = write!(body, "<h3>Over time <span class=\"count\">by {}</span></h3>", timeline.interval.as_str());
    body.push_str(&timeline_svg(&timeline, &|start, end| {
        p.url(|n| {
            n.from = start.to_string();
            // The bar's period ends the day before the next bar starts.
            n.to = chrono::NaiveDate::parse_from_str(end, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.pred_opt())
                .map_or_else(|| p.to.clone(), |d| d.to_string());
            n.offset = 0;
        })
    }));
    let facets = index.facets(&query, doc_type, SIDEBAR_FACETS, FACET_SIZE)?;
    for name in SIDEBAR_FACETS {
        let Some(values) = facets.facets.get(*name) else { continue };
        body.push_str(&facet(name, values, &|value| {
            p.url(|n| {
                n.filters.push(format!("{name}:{}", quoted(value)));
                n.offset = 0;
            })
        }));
    }
    body.push_str("</aside>");
    body.push_str(&results);
    body.push_str("</main>");
    let title = if p.q.is_empty() { "Search".to_string() } else { p.q.clone() };
    Ok((StatusCode::OK, layout(&title, &body)))
}

async fn search_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref());
    let page = match PageQuery::parse(&params) {
        Ok(page) => page,
        Err(e) => return error_page(e),
    };
    match blocking(move || search_html(&page, &state)).await {
        Ok((status, html)) => (status, Html(html)).into_response(),
        Err(e) => error_page(e),
    }
}
