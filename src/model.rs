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
    pub entities: Vec<EntityMention>,
    pub quotes: Vec<QuoteRecord>,
}
