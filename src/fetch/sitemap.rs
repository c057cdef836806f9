//! Sitemaps: `<urlset>` (with `<lastmod>` and Google News `<news:publication_date>`),
//! `<sitemapindex>`, gzip-compressed sitemaps and plain-text sitemaps (one URL a line).
//!
//! Parsing only; following an index's child sitemaps is the pipeline's job.

use chrono::{DateTime, NaiveDate, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use super::{DiscoveredLink, FetchError};

/// Largest decompressed sitemap (the sitemaps.org limit is 50 MB uncompressed).
const MAX_SITEMAP_BYTES: usize = 50 * 1024 * 1024;

/// A parsed sitemap.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    Urls(Vec<DiscoveredLink>),
    Index(Vec<Url>),
}

/// Parses a sitemap body fetched from `sitemap_url`.
pub fn parse_sitemap(body: &[u8], sitemap_url: &Url) -> Result<Sitemap, FetchError> {
    let error = |message: String| FetchError::Sitemap { url: sitemap_url.to_string(), message };
    let inflated;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        inflated = gunzip_capped(body).map_err(error)?;
        &inflated[..]
    } else {
        body
    };
    let text = std::str::from_utf8(body).map_err(|e| error(format!("not UTF-8: {e}")))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('<') {
        return Ok(Sitemap::Urls(parse_text_sitemap(trimmed, sitemap_url)));
    }
    parse_xml(trimmed, sitemap_url).map_err(error)
}

fn gunzip_capped(body: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_SITEMAP_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("bad gzip data: {e}"))?;
    if out.len() > MAX_SITEMAP_BYTES {
        return Err(format!("decompresses to more than {MAX_SITEMAP_BYTES} bytes"));
    }
    Ok(out)
}

fn parse_text_sitemap(text: &str, base: &Url) -> Vec<DiscoveredLink> {
    text.lines()
        .filter_map(|line| base.join(line.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|url| DiscoveredLink { url, title: None, published: None })
        .collect()
}

fn parse_xml(text: &str, base: &Url) -> Result<Sitemap, String> {
    let mut reader = Reader::from_str(text);
    let mut root: Option<String> = None;
    let mut path: Vec<String> = Vec::new();
    let mut urls = Vec::new();
    let mut children = Vec::new();
    let mut loc: Option<String> = None;
    let mut date: Option<DateTime<Utc>> = None;
    let mut title: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                if root.is_none() {
                    root = Some(name.clone());
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                let Some(name) = path.pop() else {
                    return Err("unbalanced closing tag".to_string());
                };
                if path.len() == 1 && (name == "url" || name == "sitemap") {
                    if let Some(found) = loc.take().and_then(|l| base.join(l.trim()).ok()) {
                        if name == "sitemap" {
                            children.push(found);
                        } else {
                            urls.push(DiscoveredLink { url: found, title: title.take(), published: date.take() });
                        }
                    }
                    date = None;
                    title = None;
                }
            }
            Ok(Event::Text(t)) => {
                let value = t.unescape().map_err(|e| e.to_string())?.into_owned();
                record(&path, value, &mut loc, &mut date, &mut title);
            }
            Ok(Event::CData(t)) => {
                let value = String::from_utf8_lossy(&t).into_owned();
                record(&path, value, &mut loc, &mut date, &mut title);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("XML error at byte {}: {e}", reader.error_position())),
        }
    }
    if !path.is_empty() {
        return Err(format!("truncated: `<{}>` is never closed", path.join("><")));
    }
    match root.as_deref() {
        Some("urlset") => Ok(Sitemap::Urls(urls)),
        Some("sitemapindex") => Ok(Sitemap::Index(children)),
        Some(other) => Err(format!("root element is `<{other}>`, expected `<urlset>` or `<sitemapindex>`")),
        None => Err("empty document".to_string()),
    }
}

fn record(
    path: &[String],
    value: String,
    loc: &mut Option<String>,
    date: &mut Option<DateTime<Utc>>,
    title: &mut Option<String>,
) {
    match path.last().map(String::as_str) {
        Some("loc") if path.len() == 3 => *loc = Some(value),
        Some("lastmod") if date.is_none() => *date = parse_w3c_date(&value),
        Some("publication_date") => *date = parse_w3c_date(&value).or(*date),
        Some("title") => *title = Some(value.trim().to_string()),
        _ => {}
    }
}

/// W3C datetime as used by sitemaps: a date, or an RFC 3339 date-time; implausible ones
/// (year 0, year 9999) are dropped.
fn parse_w3c_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())
        })
        .and_then(super::feed::plausible_stated_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://127.0.0.1:1/sitemap.xml").unwrap()
    }

    #[test]
    fn urlset_with_lastmod_and_news_fields() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>http://127.0.0.1:1/a.html</loc><lastmod>2019-05-14</lastmod></url>
  <url><loc>http://127.0.0.1:1/b.html</loc>
    <news:news><news:publication_date>2019-05-16T08:00:00+02:00</news:publication_date><news:title>B &amp; C</news:title></news:news>
  </url>
</urlset>"#;
        let Sitemap::Urls(links) = parse_sitemap(xml, &base()).unwrap() else { panic!() };
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].published.unwrap().to_rfc3339(), "2019-05-14T00:00:00+00:00");
        assert_eq!(links[1].published.unwrap().to_rfc3339(), "2019-05-16T06:00:00+00:00");
        assert_eq!(links[1].title.as_deref(), Some("B & C"));
    }

    #[test]
    fn index_gzip_and_text_sitemaps() {
        let xml = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap(xml, &base()).unwrap(),
            Sitemap::Index(vec![Url::parse("http://127.0.0.1:1/s1.xml").unwrap()])
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"http://127.0.0.1:1/x\nhttp://127.0.0.1:1/y\n").unwrap();
        let Sitemap::Urls(links) = parse_sitemap(&gz.finish().unwrap(), &base()).unwrap() else { panic!() };
        assert_eq!(links.len(), 2);
    }

    #[test]
    fn malformed_sitemaps_are_errors_naming_the_url() {
        for bad in [
            &b"<urlset><url><loc>http://a/</loc></url>"[..],
            b"<html><body>hi</body></html>",
            b"<urlset></url>",
            b"\x1f\x8b\x08garbage",
        ] {
            let err = parse_sitemap(bad, &base()).unwrap_err();
            assert!(err.to_string().contains("sitemap.xml"), "{err}");
        }
    }
}
