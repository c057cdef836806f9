//! Turning one fetched body into an article record: decode, extract, analyse.
//!
//! Pure CPU work, run on blocking threads; shared by ingestion and `quotewire extract`.

use sha2::{Digest, Sha256};
use url::Url;

use crate::extract::{self, ExtractError, simhash};
use crate::model::{Analysis, ArticleRecord, PublishedSource};
use crate::nlp::{AnalysisInput, Analyzer};

/// Hex SHA-256 of a body, used to skip unchanged pages.
pub fn content_hash(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

/// Stable article id: the first 16 hex digits of the SHA-256 of the canonical URL.
pub fn article_id(canonical_url: &str) -> String {
    hex(&Sha256::digest(canonical_url.as_bytes())[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What one body became.
#[derive(Debug)]
pub enum BuildOutcome {
    Article(Box<ArticleRecord>),
    /// A listing page, section front, error page or stub: its record keeps the page's metadata
    /// (title, date, language, kind, `not_article` with the reason) but no text or analysis,
    /// and it is stored with the page, not as an article.
    NotArticle(Box<ArticleRecord>),
}

/// Confidence of a date taken from the feed item when the page states none: feeds give the
/// item's publication time, but some give the time of the feed's last rebuild.
const FEED_DATE_CONFIDENCE: f32 = 0.7;

/// Builds article records; holds the analyzer so its lexicons load once.
pub struct ArticleBuilder {
    analyzer: Analyzer,
    strip_query_params: Vec<String>,
}

impl ArticleBuilder {
    pub fn new(analyzer: Analyzer, strip_query_params: Vec<String>) -> ArticleBuilder {
        ArticleBuilder { analyzer, strip_query_params }
    }

    /// Decodes, extracts and analyses a body fetched from `url`.
    pub fn build(
        &self,
        url: &Url,
        body: &[u8],
        content_type: Option<&str>,
        fetched_at: &str,
        feed_date: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<BuildOutcome, ExtractError> {
        extract::sniff_bytes(body)?;
        let decoded = extract::decode_html(body, content_type);
        extract::sniff_text(&decoded.text)?;
        let mut page = extract::extract(&decoded.text, Some(url))?;
        let not_article = page.not_article;
        let analysis = if not_article.is_none() {
            self.analyzer.analyze(&AnalysisInput {
                text: &page.text,
                language: &page.language,
                kind: page.kind,
                publisher: page.site.as_deref(),
            })
        } else {
            page.text.clear();
            Analysis::default()
        };
        let record = self.record(url, body, page, fetched_at, feed_date, analysis);
        Ok(match not_article {
            None => BuildOutcome::Article(Box::new(record)),
            Some(_) => BuildOutcome::NotArticle(Box::new(record)),
        })
    }

    /// The record of an extracted page: ids, dates with their provenance, the analysis.
    fn record(
        &self,
        url: &Url,
        body: &[u8],
        page: extract::ExtractedPage,
        fetched_at: &str,
        feed_date: Option<chrono::DateTime<chrono::Utc>>,
        analysis: Analysis,
    ) -> ArticleRecord {
        let canonical = self.canonical_url(url, page.canonical_url.as_deref());
        let (published, published_source, published_confidence) = match (page.published, feed_date) {
            (Some(date), _) => (Some(date.to_rfc3339()), page.published_source, Some(page.published_confidence)),
            (None, Some(date)) => (Some(date.to_rfc3339()), PublishedSource::Feed, Some(FEED_DATE_CONFIDENCE)),
            (None, None) => (None, PublishedSource::None, None),
        };
        let fingerprint = (page.not_article.is_none()).then(|| format!("{:016x}", simhash::simhash(&page.text)));
        ArticleRecord {
            id: article_id(canonical.as_str()),
            url: url.to_string(),
            canonical_url: Some(canonical.to_string()),
            site: page.site,
            title: page.title,
            authors: page.authors,
            published,
            published_source,
            published_confidence,
            modified: page.modified.map(|date| date.to_rfc3339()),
            language: page.language,
            kind: page.kind,
            text: page.text,
            fetched_at: fetched_at.to_string(),
            content_hash: content_hash(body),
            simhash: fingerprint,
            cluster: None,
            not_article: page.not_article,
            entities: analysis.entities,
            quotes: analysis.quotes,
        }
    }

    /// The page's declared canonical URL (`rel=canonical`, else `og:url`) when it stays on the
    /// same registrable domain (`www.` and `m.` variants of a site agree; a page cannot claim
    /// another site's identity), else the fetched URL; tracking parameters removed.
    pub fn canonical_url(&self, url: &Url, declared: Option<&str>) -> Url {
        let same_site = |c: &Url| match (c.scheme(), url.scheme()) {
            ("file", "file") => true,
            ("http" | "https", "http" | "https") => {
                crate::fetch::domain_key(c) == crate::fetch::domain_key(url)
                    && (c.host_str() == url.host_str() || c.port_or_known_default() == url.port_or_known_default())
            }
            _ => false,
        };
        let declared = declared.and_then(|c| url.join(c).ok()).filter(same_site);
        crate::fetch::canonicalize(declared.as_ref().unwrap_or(url), &self.strip_query_params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_hashes_are_stable() {
        assert_eq!(article_id("http://a.example/x"), article_id("http://a.example/x"));
        assert_ne!(article_id("http://a.example/x"), article_id("http://a.example/y"));
        assert_eq!(article_id("x").len(), 16);
        assert_eq!(content_hash(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn canonical_url_must_stay_on_the_same_host() {
        let builder = ArticleBuilder::new(Analyzer::new(), vec!["utm_*".into()]);
        let url = Url::parse("http://127.0.0.1:8/a?utm_source=x").unwrap();
        assert_eq!(builder.canonical_url(&url, Some("/a#top")).as_str(), "http://127.0.0.1:8/a");
        assert_eq!(builder.canonical_url(&url, Some("http://evil.example/a")).as_str(), "http://127.0.0.1:8/a");
        let mobile = Url::parse("https://m.example.co.uk/news/1?utm_medium=x").unwrap();
        assert_eq!(
            builder.canonical_url(&mobile, Some("https://www.example.co.uk/news/1")).as_str(),
            "https://www.example.co.uk/news/1"
        );
        assert_eq!(
            builder.canonical_url(&mobile, Some("https://other.co.uk/news/1")).as_str(),
            "https://m.example.co.uk/news/1"
        );
    }
}
