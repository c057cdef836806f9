//! The index schema, its version file and its analyzers.
//!
//! Keyword fields (`type`, `stance`, `speaker_kind`, `kind`, `quote_kind`, `language`) use the
//! `keyword` analyzer (whole value, lower-cased) so queries are case-insensitive; names and
//! text use tantivy's default analyzer. Changing fields means bumping `SCHEMA_VERSION`.

use std::path::Path;

use tantivy::Index;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};

use super::IndexError;

/// Version of the schema below; stored beside the index.
pub const SCHEMA_VERSION: u32 = 2;
const VERSION_FILE: &str = "quotewire-schema-version";
/// Name of the whole-value, lower-cased analyzer.
pub const KEYWORD: &str = "keyword";

/// Field handles.
#[derive(Clone)]
pub struct Fields {
    pub doc_type: Field,
    pub id: Field,
    pub article_id: Field,
    pub url: Field,
    pub title: Field,
    pub text: Field,
    pub speaker: Field,
    pub speaker_kind: Field,
    pub stance: Field,
    pub quote_kind: Field,
    pub entity: Field,
    pub site: Field,
    pub kind: Field,
    pub language: Field,
    pub published: Field,
    pub cluster: Field,
    pub record: Field,
}

impl Fields {
    pub fn new(schema: &Schema) -> Result<Fields, String> {
        let get = |name: &str| schema.get_field(name).map_err(|e| format!("schema lacks `{name}`: {e}"));
        Ok(Fields {
            doc_type: get("type")?,
            id: get("id")?,
            article_id: get("article_id")?,
            url: get("url")?,
            title: get("title")?,
            text: get("text")?,
            speaker: get("speaker")?,
            speaker_kind: get("speaker_kind")?,
            stance: get("stance")?,
            quote_kind: get("quote_kind")?,
            entity: get("entity")?,
            site: get("site")?,
            kind: get("kind")?,
            language: get("language")?,
            published: get("published")?,
            cluster: get("cluster")?,
            record: get("record")?,
        })
    }
}

pub fn build() -> Schema {
    let keyword = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(KEYWORD).set_index_option(IndexRecordOption::Basic),
    );
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut b = Schema::builder();
    b.add_text_field("type", keyword.clone() | STORED);
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("article_id", STRING | STORED);
    b.add_text_field("url", STRING | STORED);
    b.add_text_field("title", text.clone() | STORED);
    b.add_text_field("text", text.clone() | STORED);
    b.add_text_field("speaker", text.clone() | STORED);
    b.add_text_field("speaker_kind", keyword.clone());
    b.add_text_field("stance", keyword.clone());
    b.add_text_field("quote_kind", keyword.clone());
    b.add_text_field("entity", text.clone());
    b.add_text_field("site", text);
    b.add_text_field("kind", keyword.clone());
    b.add_text_field("language", keyword);
    b.add_date_field("published", DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds));
    // Near-duplicate cluster (an article id): `cluster:ID` finds every outlet's copy.
    b.add_text_field("cluster", STRING);
    // The record (quote or article summary) as JSON, returned with hits.
    b.add_text_field("record", STORED);
    b.build()
}

pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(KEYWORD, TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).build());
}

/// Refuses an index written with another schema version.
pub fn check_version(dir: &Path) -> Result<(), IndexError> {
    let path = dir.join(VERSION_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let found: u32 = text.trim().parse().unwrap_or(0);
    if found == SCHEMA_VERSION {
        Ok(())
    } else {
        Err(IndexError::Version { path: dir.to_path_buf(), found, expected: SCHEMA_VERSION })
    }
}

pub fn write_version(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join(VERSION_FILE), format!("{SCHEMA_VERSION}\n"))
}
