//! The index schema, its version file, its identity file and its analyzers.
//!
//! `text` and `title` hold words and their marked stems (`analysis.rs`): free words match
//! stems, phrases match words. Names (`speaker`, `entity`, `site`, `cue`) are exact words.
//! Closed vocabularies use the `keyword` analyzer (whole value, lower-cased) and are fast
//! fields for facets; `*_canonical` and `speaker_name` keep the written case for display.
//! Every field is defined once, in [`FIELDS`]: the embedded schema is built from it and the
//! Quickwit doc mapping generated from it, so the two cannot drift. Changing fields means
//! bumping `SCHEMA_VERSION`.

use std::path::Path;

use super::IndexError;
use super::analysis::{self, EXACT, KEYWORD, STEMMED, TEXT};
use tantivy::Index;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
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

/// The tokenizer that keeps a whole value as one term, as written (ids, URLs, clusters).
pub const RAW: &str = "raw";

/// A field's value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    U64,
    /// Seconds precision.
    Date,
}

/// How a text field is searched: the analyzer of its terms and whether positions are kept
/// (phrases need them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indexing {
    pub tokenizer: &'static str,
    pub positions: bool,
}

/// Whether a field is a column (for sorting, ranges, facets and collapsing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fast {
    No,
    /// A numeric or date column.
    Column,
    /// A text column of values passed through the named tokenizer (`raw`: as written).
    Normalized(&'static str),
}

/// One field of the index: the single definition both the embedded tantivy schema
/// ([`build`]) and the Quickwit doc mapping (`quickwit/mapping.rs`) are generated from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub field_type: FieldType,
    /// None: not searchable (numbers and dates are searched through their columns).
    pub indexing: Option<Indexing>,
    pub stored: bool,
    pub fast: Fast,
    /// Whether one document may hold several values (several names of one speaker, the
    /// entities of an article).
    pub multi: bool,
}

impl FieldSpec {
    const fn new(name: &'static str, field_type: FieldType) -> FieldSpec {
        FieldSpec { name, field_type, indexing: None, stored: false, fast: Fast::No, multi: false }
    }

    /// Text searched through `tokenizer`.
    const fn text(name: &'static str, tokenizer: &'static str, positions: bool) -> FieldSpec {
        FieldSpec { indexing: Some(Indexing { tokenizer, positions }), ..FieldSpec::new(name, FieldType::Text) }
    }

    /// A closed vocabulary: whole values, lower-cased, searched and counted (facets).
    const fn facet(name: &'static str) -> FieldSpec {
        FieldSpec::text(name, KEYWORD, false).fast(Fast::Normalized(KEYWORD))
    }

    /// Written-case values for display in facets; never queried.
    const fn display(name: &'static str) -> FieldSpec {
        FieldSpec::new(name, FieldType::Text).fast(Fast::Normalized(RAW))
    }

    const fn stored(self) -> FieldSpec {
        FieldSpec { stored: true, ..self }
    }

    const fn fast(self, fast: Fast) -> FieldSpec {
        FieldSpec { fast, ..self }
    }

    const fn multi(self) -> FieldSpec {
        FieldSpec { multi: true, ..self }
    }
}

/// Every field of the index, in schema order. Changing it means bumping `SCHEMA_VERSION`
/// (a test compares the built schema with `tests/fixtures/index/schema-v{N}.json`).
pub const FIELDS: &[FieldSpec] = &[
    FieldSpec::facet("type").stored(),
    // Unique per document, so not indexed (a term dictionary of a million ids costs every
    // commit and merge): documents are found through `article_id`.
    FieldSpec::new("id", FieldType::Text).stored(),
    FieldSpec::text("article_id", RAW, false).stored(),
    FieldSpec::text("url", RAW, false).stored(),
    // Order in which reports reached the index (watches report what is new). Ranges over
    // fast fields need no inverted index.
    FieldSpec::new("seq", FieldType::U64).fast(Fast::Column),
    // What a document reports (an article, or a quote by its article, speaker and words):
    // the same report indexed again keeps its `seq`, and watches remember reports by it.
    FieldSpec::new("key", FieldType::U64).fast(Fast::Column).stored(),
    FieldSpec::new("fetched", FieldType::Date).fast(Fast::Column),
    FieldSpec::text("title", TEXT, true).stored(),
    FieldSpec::text("text", TEXT, true).stored(),
    // The name as written, the linked entity and the canonical name.
    FieldSpec::text("speaker", EXACT, true).multi(),
    FieldSpec::text("speaker_key", KEYWORD, false),
    FieldSpec::display("speaker_canonical"),
    FieldSpec::display("speaker_name"),
    // "canonical \u{1f} as written": the spellings of each canonical speaker, for facets.
    FieldSpec::display("speaker_variant"),
    FieldSpec::facet("speaker_kind"),
    FieldSpec::facet("stance"),
    FieldSpec::facet("quote_kind"),
    FieldSpec::text("cue", EXACT, true),
    FieldSpec::text("target", STEMMED, true),
    FieldSpec::text("entity", EXACT, true).multi(),
    FieldSpec::text("entity_key", KEYWORD, false).multi(),
    FieldSpec::display("entity_canonical").multi(),
    // The site's name and the URL's host.
    FieldSpec::text("site", EXACT, true).multi(),
    FieldSpec::display("site_name"),
    FieldSpec::facet("kind"),
    FieldSpec::facet("language"),
    FieldSpec::new("published", FieldType::Date).stored().fast(Fast::Column),
    // Near-duplicate article cluster and statement cluster ids: `cluster:ID` finds either
    // (statement ids start with `s`, article ids are hex).
    FieldSpec::text("cluster", RAW, false).multi(),
    // The statement cluster of a quote again, as a column for collapsing.
    FieldSpec::display("statement"),
    // The record (quote or article summary) as JSON, returned with hits.
    FieldSpec::new("record", FieldType::Text).stored(),
];

/// The tantivy options of one field.
fn add_field(builder: &mut tantivy::schema::SchemaBuilder, spec: &FieldSpec) {
    match spec.field_type {
        FieldType::Text => {
            let mut options = TextOptions::default();
            if let Some(indexing) = spec.indexing {
                let record = if indexing.positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::Basic
                };
                options = options.set_indexing_options(
                    TextFieldIndexing::default().set_tokenizer(indexing.tokenizer).set_index_option(record),
                );
            }
            if spec.stored {
                options = options.set_stored();
            }
            if let Fast::Normalized(tokenizer) = spec.fast {
                options = options.set_fast(tokenizer);
            }
            builder.add_text_field(spec.name, options);
        }
        FieldType::U64 => {
            let mut options = NumericOptions::default();
            if spec.fast != Fast::No {
                options = options.set_fast();
            }
            if spec.stored {
                options = options.set_stored();
            }
            builder.add_u64_field(spec.name, options);
        }
        FieldType::Date => {
            let mut options = DateOptions::default().set_precision(DateTimePrecision::Seconds);
            if spec.fast != Fast::No {
                options = options.set_fast();
            }
            if spec.stored {
                options = options.set_stored();
            }
            builder.add_date_field(spec.name, options);
        }
    }
}

pub fn build() -> Schema {
    let mut builder = Schema::builder();
    for spec in FIELDS {
        add_field(&mut builder, spec);
    }
    builder.build()
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
pub(crate) fn write_atomically(path: &Path, content: &str) -> std::io::Result<()> {
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
    if let Some(id) = crate::ids::read_record(&path) {
        return Ok(id);
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, format!("{}\n", crate::ids::new_identity()))?;
    // `hard_link` fails when the identity exists: then the other process's one stands.
    let _ = std::fs::hard_link(&temporary, &path);
    let _ = std::fs::remove_file(&temporary);
    Ok(std::fs::read_to_string(&path)?.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_table_builds_the_schema_version_3_indexes_were_written_with() {
        let built = serde_json::to_value(build()).unwrap();
        let recorded: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/index/schema-v3.json")).unwrap();
        assert_eq!(SCHEMA_VERSION, 3, "a new version needs its own fixture");
        assert_eq!(built, recorded);
    }

    #[test]
    fn every_field_in_the_table_has_a_handle_and_only_text_fields_are_analysed() {
        let schema = build();
        assert!(Fields::new(&schema).is_ok());
        assert_eq!(schema.fields().count(), FIELDS.len());
        for spec in FIELDS {
            assert!(spec.indexing.is_none() || spec.field_type == FieldType::Text, "{}", spec.name);
            assert!(!matches!(spec.fast, Fast::Normalized(_)) || spec.field_type == FieldType::Text, "{}", spec.name);
        }
    }
}
