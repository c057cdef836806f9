//! The "similar statements" page (`/similar?q=ID|TEXT`): statements nearest in meaning to a
//! stored statement (each hit's "similar statements" link) or to typed text, with their
//! similarity. Errors (no vectors yet, a build without models) are pages saying what to do.

use std::fmt::Write as _;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::html::{esc, hit, layout};
use super::{PAGE_SIZE, error_page};
use crate::server::params::Params;
use crate::server::similar::find_similar;
use crate::server::{AppState, blocking};
use crate::similar::SimilarQuery;

pub async fn similar_page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref());
    let query = params.query();
    let form = format!(
        "<form class=\"search\" method=\"get\" action=\"/similar\"><input type=\"search\" name=\"q\" value=\"{}\" \
         placeholder=\"a statement, or a statement id\" aria-label=\"statement\"><button>Find similar statements</button></form>",
        esc(&query)
    );
    if query.trim().is_empty() {
        let body = format!("<main><section class=\"results\"><h1>Similar statements</h1>{form}</section></main>");
        return Html(layout("Similar statements", &body)).into_response();
    }
    let answer = match find_similar(state.clone(), query.clone(), PAGE_SIZE).await {
        Ok(answer) => answer,
        Err(e) => return error_page(e),
    };
    let result = blocking(move || {
        let mut b = format!("<main><section class=\"results\"><h1>Similar statements</h1>{form}");
        if let SimilarQuery::Statement(id) = SimilarQuery::parse(&query)
            && let Some(original) = state.index.document(id)?
        {
            let _ = write!(b, "<div class=\"original\">{}</div><h2>Said in other words</h2>", hit(&original));
        }
        let _ = write!(
            b,
            "<p class=\"count\">{} statements nearest in meaning among {} (model {})</p>",
            answer.hits.len(),
            answer.searched,
            esc(&answer.model)
        );
        for similar in &answer.hits {
            // The index's view of the statement: speaker and cluster links, context.
            let Some(found) = state.index.document(&similar.id)? else { continue };
            let _ = write!(
                b,
                "<div class=\"similar\" data-similarity=\"{:.3}\"><span class=\"meta\">similarity {:.2}</span>{}</div>",
                similar.score,
                similar.score,
                hit(&found)
            );
        }
        b.push_str("</section></main>");
        Ok(layout("Similar statements", &b))
    })
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(e) => error_page(e),
    }
}
