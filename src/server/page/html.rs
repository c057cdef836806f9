//! HTML building blocks: escaping, the page layout, marked text, hits, facet lists and the
//! SVG timeline. Every piece of data goes through [`esc`]; links to other sites only for
//! http(s) URLs.

use std::fmt::Write as _;
use std::ops::Range;

use crate::index::{FacetValue, SearchHit, Timeline};
use crate::server::api::segment;

/// `text` safe inside HTML text and double- or single-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A query string from pairs (values percent-encoded).
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

const STYLE: &str = "
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1d3557;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;text-decoration:none;font-weight:600}
main{display:flex;gap:1.5rem;padding:1rem 1.2rem;max-width:80rem;margin:auto}
aside{flex:0 0 17rem;font-size:.9rem}section.results{flex:1;min-width:0}
form.search{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.4rem 0}
form.search input[type=search]{flex:1 1 24rem;padding:.45rem;font-size:1rem}
.hit{background:#fff;border:1px solid #e3e3e3;border-radius:.4rem;padding:.7rem .9rem;margin:.6rem 0}
.meta,.count{color:#666;font-size:.85rem}.stance{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#e8ecff;font-size:.8rem}
blockquote{margin:.4rem 0;padding-left:.7rem;border-left:3px solid #a8dadc}
.context{color:#444;font-size:.92rem;margin:.2rem 0}.context .q{background:#f1faee;border-bottom:1px solid #a8dadc}
mark{background:#ffe066;padding:0 .1rem}.error{color:#a00;background:#fff0f0;padding:.5rem;border-radius:.3rem}
.facet h3{font-size:.95rem;margin:.9rem 0 .2rem}.facet ul{list-style:none;margin:0;padding:0}.facet li{margin:.1rem 0}
.variants{color:#777;font-size:.8rem}.filters a{margin-right:.5rem}.pager a{margin-right:1rem}
svg.timeline rect.bar{fill:#457b9d}svg.timeline a:hover rect.bar{fill:#e63946}svg.timeline text{font-size:10px;fill:#555}
table.summary td{padding:.1rem .6rem .1rem 0;vertical-align:top}
";

/// A whole page.
pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · quotewire</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head>\
         <body><header><a href=\"/\">quotewire</a> <span class=\"meta\" style=\"color:#ddd\">who said what</span></header>{body}</body></html>",
        esc(title)
    )
}

/// `text` with `marks` (char ranges) in `<mark>` and `emphasis` (a char range) in a span.
pub fn marked(text: &str, marks: &[Range<usize>], emphasis: Option<Range<usize>>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut cuts: Vec<usize> = vec![0, chars.len()];
    for r in marks.iter().chain(emphasis.iter()) {
        cuts.push(r.start.min(chars.len()));
        cuts.push(r.end.min(chars.len()));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::new();
    for pair in cuts.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        if start >= end {
            continue;
        }
        let piece = esc(&chars[start..end].iter().collect::<String>());
        let is_marked = marks.iter().any(|m| m.start <= start && end <= m.end);
        let is_emphasis = emphasis.as_ref().is_some_and(|e| e.start <= start && end <= e.end);
        let piece = if is_marked { format!("<mark>{piece}</mark>") } else { piece };
        out.push_str(&if is_emphasis { format!("<span class=\"q\">{piece}</span>") } else { piece });
    }
    out
}

/// A link to `url` when it is a web address, else the address as text.
fn external(url: &str, label: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") {
        format!("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", esc(url), esc(label))
    } else {
        format!("<span title=\"{}\">{}</span>", esc(url), esc(label))
    }
}

/// One hit: speaker, stance, the marked statement, its sentence, where and when, links.
pub fn hit(hit: &SearchHit) -> String {
    let r = &hit.record;
    let mut s = String::from("<div class=\"hit\">");
    match &r.quote {
        Some(q) => {
            let speaker = q.speaker.as_deref().unwrap_or("unknown speaker");
            let name = marked(speaker, &hit.speaker_highlights, None);
            let who = match &r.speaker_canonical {
                Some(canonical) => format!("<a class=\"speaker\" href=\"/speakers/{}\">{name}</a>", segment(canonical)),
                None => name,
            };
            let _ = write!(
                s,
                "<div><strong>{who}</strong> <span class=\"stance\">{}</span> <span class=\"meta\">{} · {}{}</span></div>",
                esc(q.stance.as_str()),
                esc(q.speaker_kind.as_str()),
                esc(q.kind.as_str()),
                q.cue.as_deref().map(|c| format!(" · “{}”", esc(c))).unwrap_or_default()
            );
            let _ =
                write!(s, "<blockquote class=\"snippet\">{}</blockquote>", marked(&hit.snippet, &hit.highlights, None));
            if let Some(context) = r.context.as_ref().filter(|_| r.context_adds()) {
                let _ = write!(
                    s,
                    "<p class=\"context\">{}</p>",
                    marked(&context.text, &hit.context_highlights, Some(context.start..context.end))
                );
            }
        }
        None => {
            let _ = write!(
                s,
                "<div><strong>{}</strong> <span class=\"meta\">article</span></div><p class=\"snippet\">{}</p>",
                esc(r.title.as_deref().unwrap_or("(untitled)")),
                marked(&hit.snippet, &hit.highlights, None)
            );
        }
    }
    let date = r.published.as_deref().map(|p| p.get(..10).unwrap_or(p)).unwrap_or("undated");
    let _ = write!(
        s,
        "<div class=\"meta\">{} · {} · {} · <a href=\"/stored/{}\">stored copy</a>",
        esc(&r.outlet()),
        esc(date),
        external(&r.url, "original"),
        segment(&r.article_id)
    );
    if let (Some(statement), Some(reports)) = (&r.statement, hit.reports)
        && reports > 1
    {
        let _ =
            write!(s, " · <a class=\"cluster\" href=\"/clusters/{}\">reported {reports} times</a>", segment(statement));
    }
    s.push_str("</div></div>");
    s
}

/// A facet as a list of links (`link` makes the href of a value).
pub fn facet(title: &str, values: &[FacetValue], link: &dyn Fn(&str) -> String) -> String {
    if values.is_empty() {
        return String::new();
    }
    let mut s = format!("<div class=\"facet\" data-facet=\"{}\"><h3>{}</h3><ul>", esc(title), esc(title));
    for v in values {
        let _ = write!(
            s,
            "<li><a href=\"{}\">{}</a> <span class=\"count\">{}</span>",
            esc(&link(&v.value)),
            esc(&v.value),
            v.count
        );
        let others: Vec<String> = v
            .variants
            .iter()
            .filter(|x| x.value != v.value)
            .map(|x| format!("{} ({})", esc(&x.value), x.count))
            .collect();
        if !others.is_empty() {
            let _ = write!(s, "<div class=\"variants\">as {}</div>", others.join(", "));
        }
        s.push_str("</li>");
    }
    s.push_str("</ul></div>");
    s
}

/// Size of the timeline drawing, in SVG units.
const SVG_WIDTH: usize = 260;
const SVG_HEIGHT: usize = 90;

/// The timeline as an SVG bar chart; each bar links to `link(start, end)` (its period).
pub fn timeline_svg(timeline: &Timeline, link: &dyn Fn(&str, &str) -> String) -> String {
    if timeline.buckets.is_empty() {
        return String::new();
    }
    let max = timeline.buckets.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let n = timeline.buckets.len();
    let slot = SVG_WIDTH as f64 / n as f64;
    let plot = (SVG_HEIGHT - 14) as f64;
    let mut s = format!(
        "<svg class=\"timeline\" role=\"img\" viewBox=\"0 0 {SVG_WIDTH} {SVG_HEIGHT}\" width=\"100%\" \
         aria-label=\"matches per {}\" data-buckets=\"{n}\">",
        timeline.interval.as_str()
    );
    for (i, bucket) in timeline.buckets.iter().enumerate() {
        let height = if bucket.count == 0 { 0.0 } else { (bucket.count as f64 / max * plot).max(1.0) };
        let end = timeline.buckets.get(i + 1).map_or_else(String::new, |b| b.start.clone());
        let _ = write!(
            s,
            "<a href=\"{}\"><rect class=\"bar\" data-count=\"{}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\"><title>{}: {}</title></rect></a>",
            esc(&link(&bucket.start, &end)),
            bucket.count,
            i as f64 * slot + slot * 0.1,
            plot - height,
            (slot * 0.8).max(0.5),
            height,
            esc(&bucket.start),
            bucket.count
        );
    }
    let first = &timeline.buckets[0].start;
    let last = &timeline.buckets[n - 1].start;
    let _ = write!(
        s,
        "<text x=\"0\" y=\"{}\">{}</text><text x=\"{SVG_WIDTH}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        SVG_HEIGHT - 2,
        esc(first),
        SVG_HEIGHT - 2,
        esc(last)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped() {
        assert_eq!(esc("<script>alert('x')</script>&\""), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
        assert_eq!(marked("a <b> c", &[Range { start: 2, end: 5 }], None), "a <mark>&lt;b&gt;</mark> c");
        assert_eq!(
            marked("he said no way", &[Range { start: 8, end: 10 }], Some(8..14)),
            "he said <span class=\"q\"><mark>no</mark></span><span class=\"q\"> way</span>"
        );
        assert!(external("javascript:alert(1)", "x").starts_with("<span"));
        assert!(external("https://e.example/?a=1&b=\"2\"", "x").contains("&amp;b=&quot;2&quot;"));
    }
}
