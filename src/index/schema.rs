//! The index schema, its version file, its identity file and its analyzers.
//!
//! `text` and `title` hold words and their marked stems (`analysis.rs`): free words match
//! stems, phrases match words. Names (`speaker`, `entity`, `site`, `cue`) are exact words.
//! Closed vocabularies use the `keyword` analyzer (whole value, lower-cased) and are fast
//! fields for facets; `*_canonical` and `speaker_name` keep the written case for display.
//! Changing fields means bumping `SCHEMA_VERSION`.

use std::path::Path;

use super::IndexError;
use super::analysis::{self, EXACT, KEYWORD, STEMMED, TEXT};
use tantivy::Index;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

/// Version of the schema below; stored beside the index.
pub const SCHEMA_VERSION: u32 = 3;
const VERSION_FILE: &str = "quotewire-schema-version";
/// A random id written when the index is created: a watch's cursor is only valid for the
/// index it was taken on (a rebuilt index numbers its documents again).
pub(super) const IDENTITY_FILE: &str = "quotewire-index-id";

/// Seconds since the epoch that a date field can hold: tantivy stores nanoseconds in an
/// i64, so about 1677-09-21 to 2262-04-11.
const DATE_SECONDS: std::ops::RangeInclusive<i64> = (i64::MIN / 1_000_000_000 + 1)..=(i64::MAX / 1_000_000_000 - 1);

/// A date field value for `seconds` since the epoch, clamped to what the field can hold (an
/// unclamped year 886 or 9999 overflows: a panic in debug builds, a wrong date in release).
/// Records never hold dates that far out; queries may ask for them (`published:[0886 TO *]`).
pub fn date_value(seconds: i64) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(seconds.clamp(*DATE_SECONDS.start(), *DATE_SECONDS.end()))
}

/// Field handles.
#[derive(Clone)]
pub struct Fields {
    pub doc_type: Field,
    pub id: Field,
    pub article_id: Field,
    pub url: Field,
    pub seq: Field,
    pub key: Field,
    pub fetched: Field,
    pub title: Field,
    pub text: Field,
    pub speaker: Field,
    pub speaker_key: Field,
    pub speaker_canonical: Field,
    pub speaker_name: Field,
    pub speaker_variant: Field,
    pub speaker_kind: Field,
    pub stance: Field,
    pub quote_kind: Field,
    pub cue: Field,
    pub target: Field,
    pub entity: Field,
    pub entity_key: Field,
    pub entity_canonical: Field,
    pub site: Field,
    pub site_name: Field,
    pub kind: Field,
    pub language: Field,
    pub published: Field,
    pub cluster: Field,
    pub statement: Field,
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
            seq: get("seq")?,
            key: get("key")?,
            fetched: get("fetched")?,
            title: get("title")?,
            text: get("text")?,
            speaker: get("speaker")?,
            speaker_key: get("speaker_key")?,
            speaker_canonical: get("speaker_canonical")?,
            speaker_name: get("speaker_name")?,
            speaker_variant: get("speaker_variant")?,
            speaker_kind: get("speaker_kind")?,
            stance: get("stance")?,
            quote_kind: get("quote_kind")?,
            cue: get("cue")?,
            target: get("target")?,
            entity: get("entity")?,
            entity_key: get("entity_key")?,
            entity_canonical: get("entity_canonical")?,
            site: get("site")?,
            site_name: get("site_name")?,
            kind: get("kind")?,
            language: get("language")?,
            published: get("published")?,
            cluster: get("cluster")?,
            statement: get("statement")?,
            record: get("record")?,
        })
    }
}

fn text_options(tokenizer: &str, positions: bool) -> TextOptions {
    let option = if positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::Basic };
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(option))
}

pub fn build() -> Schema {
    let keyword = text_options(KEYWORD, false);
    let facet = keyword.clone().set_fast(KEYWORD);
    let text = text_options(TEXT, true);
    let stemmed = text_options(STEMMED, true);
    let exact = text_options(EXACT, true);
    // Written-case values for display in facets; never queried.
    let display = TextOptions::default().set_fast("raw");
    let mut b = Schema::builder();
    b.add_text_field("type", facet.clone() | STORED);
    // Unique per document, so not indexed (a term dictionary of a million ids costs every
    // commit and merge): documents are found through `article_id`.
    b.add_text_field("id", STORED);
    b.add_text_field("article_id", STRING | STORED);
    b.add_text_field("url", STRING | STORED);
    // Order in which reports reached the index (watches report what is new). Ranges over
    // fast fields need no inverted index.
    b.add_u64_field("seq", NumericOptions::default().set_fast());
    // What a document reports (an article, or a quote by its article, speaker and words):
    // the same report indexed again keeps its `seq`, and watches remember reports by it.
    b.add_u64_field("key", NumericOptions::default().set_fast().set_stored());
    b.add_date_field("fetched", DateOptions::from(FAST).set_precision(DateTimePrecision::Seconds));
    b.add_text_field("title", text.clone() | STORED);
    b.add_text_field("text", text | STORED);
    b.add_text_field("speaker", exact.clone());
    b.add_text_field("speaker_key", keyword.clone());
    b.add_text_field("speaker_canonical", display.clone());
    b.add_text_field("speaker_name", display.clone());
    // "canonical \u{1f} as written": the spellings of each canonical speaker, for facets.
    b.add_text_field("speaker_variant", display.clone());
    b.add_text_field("speaker_kind", facet.clone());
    b.add_text_field("stance", facet.clone());
    b.add_text_field("quote_kind", facet.clone());
    b.add_text_field("cue", exact.clone());
    b.add_text_field("target", stemmed);
    b.add_text_field("entity", exact.clone());
    b.add_text_field("entity_key", keyword);
    b.add_text_field("entity_canonical", display.clone());
    b.add_text_field("site", exact);
    b.add_text_field("site_name", display);
    b.add_text_field("kind", facet.clone());
    b.add_text_field("language", facet);
    b.add_date_field("published", DateOptions::from(STORED | FAST).set_precision(DateTimePrecision::Seconds));
    // Near-duplicate article cluster and statement cluster ids: `cluster:ID` finds either
    // (statement ids start with `s`, article ids are hex).
    b.add_text_field("cluster", STRING);
    // The statement cluster of a quote again, as a column for collapsing.
    b.add_text_field("statement", TextOptions::default().set_fast("raw"));
    // The record (quote or article summary) as JSON, returned with hits.
    b.add_text_field("record", STORED);
    b.build()
}

pub fn register_analyzers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(KEYWORD, analysis::keyword_analyzer());
    tokenizers.register(TEXT, analysis::text_analyzer());
    tokenizers.register(STEMMED, analysis::stemmed_analyzer());
    tokenizers.register(EXACT, analysis::exact_analyzer());
    index.fast_field_tokenizer().register(KEYWORD, analysis::keyword_analyzer());
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

/// Writes `content` to `path` so that concurrent readers see the old file or the new one,
/// never a half-written one (a temporary file renamed into place).
fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, content)?;
    std::fs::rename(&temporary, path)
}

pub fn write_version(dir: &Path) -> std::io::Result<()> {
    let path = dir.join(VERSION_FILE);
    let content = format!("{SCHEMA_VERSION}\n");
    if std::fs::read_to_string(&path).is_ok_and(|existing| existing == content) {
        return Ok(());
    }
    write_atomically(&path, &content)
}

/// The index's identity, created on first use. Concurrent first uses agree: the identity
/// is linked into place only if none exists yet.
pub fn identity(dir: &Path) -> std::io::Result<String> {
    let path = dir.join(IDENTITY_FILE);
    if let Ok(id) = std::fs::read_to_string(&path)
        && !id.trim().is_empty()
    {
        return Ok(id.trim().to_string());
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, format!("{}\n", new_identity()))?;
    // `hard_link` fails when the identity exists: then the other process's one stands.
    let _ = std::fs::hard_link(&temporary, &path);
    let _ = std::fs::remove_file(&temporary);
    Ok(std::fs::read_to_string(&path)?.trim().to_string())
}

/// A fresh random identity (time and process mixed through SipHash's random keys).
pub fn new_identity() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}
