//! The record shapes of `PRODUCT.md`: articles, entity mentions and quotes.
//!
//! These types are the contract between stages and with users (`export`, `extract --json`,
//! the HTTP API). They hold data only; no stage logic lives here. Offsets (`start`, `end`)
//! count Unicode scalar values into the article text, end exclusive.

use serde::{Deserialize, Serialize};

/// Named-entity class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityLabel {
    #[serde(rename = "PER")]
    Person,
    #[serde(rename = "ORG")]
    Organization,
    #[serde(rename = "LOC")]
    Location,
    #[serde(rename = "MISC")]
    Misc,
}

impl EntityLabel {
    /// The label as written in records and queries (`PER`, `ORG`, `LOC`, `MISC`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "PER",
            Self::Organization => "ORG",
            Self::Location => "LOC",
            Self::Misc => "MISC",
        }
    }
}

/// One entity mention in an article's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityMention {
    pub text: String,
    pub label: EntityLabel,
    pub start: usize,
    pub end: usize,
    /// The canonical name this mention refers to ("Mr. Ren" -> "Ren Zhengfei").
    pub canonical: String,
}

/// How a statement is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Entirely inside quotation marks.
    Direct,
    /// Reported speech containing a partial quotation.
    Mixed,
    /// Reported speech without quotation marks (including stance statements).
    Indirect,
}

impl QuoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Mixed => "mixed",
            Self::Indirect => "indirect",
        }
    }
}

/// What kind of party a speaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerKind {
    Person,
    Organization,
    /// An unnamed source: "a U.S. official", "sources familiar with the matter".
    Anonymous,
    /// A collective: "lawmakers", "analysts", "critics".
    Group,
    Unknown,
}

impl SpeakerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organization => "organization",
            Self::Anonymous => "anonymous",
            Self::Group => "group",
            Self::Unknown => "unknown",
        }
    }
}

/// The stance labels of `PRODUCT.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Deny,
    Accuse,
    Warn,
    Criticize,
    Support,
    Confirm,
    Decline,
    Neutral,
}

impl Stance {
    pub const ALL: [Stance; 8] = [
        Self::Deny,
        Self::Accuse,
        Self::Warn,
        Self::Criticize,
        Self::Support,
        Self::Confirm,
        Self::Decline,
        Self::Neutral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Accuse => "accuse",
            Self::Warn => "warn",
            Self::Criticize => "criticize",
            Self::Support => "support",
            Self::Confirm => "confirm",
            Self::Decline => "decline",
            Self::Neutral => "neutral",
        }
    }

    /// Parses a label as written in PRODUCT.md (case-insensitive).
    pub fn parse(label: &str) -> Option<Stance> {
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(label))
    }
}

/// What decided a stance: the reporting cue, the statement's content, or both agreeing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StanceSource {
    Cue,
    /// Also the reading of records stored before the field existed.
    #[default]
    Content,
    Both,
}

impl StanceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cue => "cue",
            Self::Content => "content",
            Self::Both => "both",
        }
    }
}

/// One attributed statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRecord {
    /// The statement's content as it appears in the text (without the cue and speaker).
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: QuoteKind,
    /// Display name, resolved where possible ("Ren Zhengfei", "Huawei", "a U.S. official").
    pub speaker: Option<String>,
    pub speaker_kind: SpeakerKind,
    /// The mention in the text that names the speaker (may be a pronoun).
    pub speaker_start: Option<usize>,
    pub speaker_end: Option<usize>,
    /// Canonical entity of the speaker if linked.
    pub speaker_entity: Option<String>,
    /// The reporting verb or phrase as written ("said", "denies", "according to").
    pub cue: Option<String>,
    pub stance: Stance,
    /// What the stance is about, as text.
    pub target: Option<String>,
    /// Whose evidence the stance follows: the cue, the content or both.
    #[serde(default)]
    pub stance_source: StanceSource,
    /// 0..1
    pub confidence: f32,
}

/// What kind of page an article came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PageKind {
    #[default]
    News,
    PressRelease,
    Transcript,
    Other,
}

impl PageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::News => "news",
            Self::PressRelease => "press-release",
            Self::Transcript => "transcript",
            Self::Other => "other",
        }
    }
}

/// Where the publication date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PublishedSource {
    JsonLd,
    Meta,
    Time,
    Url,
    Text,
    Feed,
    #[default]
    None,
}

impl PublishedSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JsonLd => "json-ld",
            Self::Meta => "meta",
            Self::Time => "time",
            Self::Url => "url",
            Self::Text => "text",
            Self::Feed => "feed",
            Self::None => "none",
        }
    }
}

/// Why a page is not an article (its record keeps its metadata but no text or analysis, and it
/// stays out of the article index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotArticleReason {
    /// No visible text at all: a script-rendered shell, a frameset.
    Empty,
    /// Too little prose for an article: a stub, a gallery, a video page.
    TooShort,
    /// An error, "not found" or paywall page.
    ErrorPage,
    /// Mostly links: navigation, a link hub.
    LinkList,
    /// Many linked headlines: a section front, a tag page, search results.
    Listing,
}

impl NotArticleReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooShort => "too-short",
            Self::ErrorPage => "error-page",
            Self::LinkList => "link-list",
            Self::Listing => "listing",
        }
    }
}

/// The entities and quotes found in one text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Analysis {
    pub entities: Vec<EntityMention>,
    pub quotes: Vec<QuoteRecord>,
}

/// The article record of `PRODUCT.md`, as exported and indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    pub id: String,
    pub url: String,
    pub canonical_url: Option<String>,
    pub site: Option<String>,
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// RFC 3339.
    pub published: Option<String>,
    pub published_source: PublishedSource,
    /// How sure the publication date is, 0..1 (null without a date): a JSON-LD or meta date
    /// agreeing with the page's other evidence is near 1, a date found only in the text lower.
    #[serde(default)]
    pub published_confidence: Option<f32>,
    /// Last modification (RFC 3339), when the page states one apart from the publication date.
    #[serde(default)]
    pub modified: Option<String>,
    /// ISO 639-1, or `und` when unknown.
    pub language: String,
    pub kind: PageKind,
    pub text: String,
    /// RFC 3339.
    pub fetched_at: String,
    pub content_hash: String,
    /// SimHash of `text` (16 hex digits): near-duplicates across outlets differ in few bits.
    #[serde(default)]
    pub simhash: Option<String>,
    /// Near-duplicate cluster: the id of the first stored article this one nearly repeats
    /// (a wire story re-run by another outlet), or its own id.
    #[serde(default)]
    pub cluster: Option<String>,
    /// Null for articles; for other pages (listings, error pages, stubs) why they are not
    /// articles. Such records have no text, entities or quotes and are not indexed.
    #[serde(default)]
    pub not_article: Option<NotArticleReason>,
    pub entities: Vec<EntityMention>,
    pub quotes: Vec<QuoteRecord>,
}

/// The id of a statement: its article's id and its position among the article's quotes
/// (`0123456789abcdef#q2`), as indexed and as vectors are stored.
pub fn quote_id(article_id: &str, index: usize) -> String {
    format!("{article_id}#q{index}")
}

/// Splits a statement id into its article id and quote position.
pub fn parse_quote_id(id: &str) -> Option<(&str, usize)> {
    let (article, index) = id.rsplit_once("#q")?;
    Some((article, index.parse().ok()?))
}

/// Records for tests of the stages that store and search statements.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A stored-looking article with one statement by "Ana Ruiz" per text.
    pub fn article(id: &str, content_hash: &str, texts: &[&str]) -> ArticleRecord {
        ArticleRecord {
            id: id.to_string(),
            url: format!("http://127.0.0.1/{id}"),
            canonical_url: None,
            site: Some("Example News".into()),
            title: Some(format!("Story {id}")),
            authors: vec![],
            published: Some("2024-03-01T00:00:00Z".into()),
            published_source: PublishedSource::Meta,
            published_confidence: None,
            modified: None,
            language: "en".into(),
            kind: PageKind::News,
            text: String::new(),
            fetched_at: "2024-03-01T00:00:00Z".into(),
            content_hash: content_hash.to_string(),
            simhash: None,
            cluster: None,
            not_article: None,
            entities: vec![],
            quotes: texts
                .iter()
                .map(|t| QuoteRecord {
                    text: t.to_string(),
                    start: 0,
                    end: 0,
                    kind: QuoteKind::Direct,
                    speaker: Some("Ana Ruiz".into()),
                    speaker_kind: SpeakerKind::Person,
                    speaker_start: None,
                    speaker_end: None,
                    speaker_entity: None,
                    cue: Some("said".into()),
                    stance: Stance::Neutral,
                    target: None,
                    stance_source: StanceSource::Cue,
                    confidence: 0.9,
                })
                .collect(),
        }
    }
}
