//! The Quickwit index config, generated from the field table of the embedded index
//! (`schema::FIELDS`), so the two indexes cannot drift apart.
//!
//! Each field keeps its name, value type, stored/fast/indexed flags and positions; each
//! analyzer maps to the nearest Quickwit tokenizer ([`quickwit_tokenizer`]). Quickwit is
//! append-only, so its documents carry two fields of their own ([`VERSION_FIELDS`]): the
//! store sequence of the article version they came from and its content hash; searches keep
//! the newest version of each article. The mapping is `strict`: a document with a field the
//! mapping lacks is rejected rather than silently dropped.

use serde_json::{Value, json};

use super::super::analysis::{EXACT, KEYWORD, STEMMED, TEXT};
use super::super::schema::{FIELDS, Fast, FieldSpec, FieldType, RAW};

/// The Quickwit config format version the generated config is written for.
pub const CONFIG_VERSION: &str = "0.8";
/// Store sequence of the article version a document belongs to (newer versions have higher
/// numbers).
pub const STORE_SEQ_FIELD: &str = "store_seq";
/// Content hash of the article version a document belongs to.
pub const VERSION_FIELD: &str = "version";
/// The fields only the Quickwit index has: documents are immutable versions of an article.
pub const VERSION_FIELDS: [&str; 2] = [STORE_SEQ_FIELD, VERSION_FIELD];
/// The timestamp field (Quickwit prunes splits by it): every document has a fetch time,
/// not every one a publication date.
pub const TIMESTAMP_FIELD: &str = "fetched";
/// Fields a query's free words search (as the embedded query language does: text, titles,
/// speakers and cues).
pub const DEFAULT_SEARCH_FIELDS: [&str; 4] = ["text", "title", "speaker", "cue"];
/// Our custom tokenizers' names in the generated config.
const KEYWORD_TOKENIZER: &str = "quotewire_keyword";
const EXACT_TOKENIZER: &str = "quotewire_exact";

/// The Quickwit tokenizer standing in for one of our analyzers. Whole values and exact
/// words are reproduced by custom tokenizers (Quickwit's `remove_long` drops tokens over
/// 255 bytes where ours drops them over 40: only blobs no one searches for differ); our text analyzer (each word and, at the same
/// position, its stem) has no Quickwit equivalent and maps to `en_stem`: free words match by
/// stem as here, phrases match stems rather than exact words.
pub fn quickwit_tokenizer(analyzer: &str) -> Option<&'static str> {
    match analyzer {
        RAW => Some("raw"),
        KEYWORD => Some(KEYWORD_TOKENIZER),
        EXACT => Some(EXACT_TOKENIZER),
        TEXT | STEMMED => Some("en_stem"),
        _ => None,
    }
}

/// The Quickwit normalizer of a text column.
fn fast_normalizer(tokenizer: &str) -> &'static str {
    if tokenizer == RAW { "raw" } else { "lowercase" }
}

fn field_mapping(spec: &FieldSpec) -> Value {
    let base_type = match spec.field_type {
        FieldType::Text => "text",
        FieldType::U64 => "u64",
        FieldType::Date => "datetime",
    };
    let value_type = if spec.multi { format!("array<{base_type}>") } else { base_type.to_string() };
    let mut mapping = json!({ "name": spec.name, "type": value_type, "stored": spec.stored });
    let object = mapping.as_object_mut().expect("a JSON object");
    match (spec.field_type, spec.indexing) {
        (FieldType::Text, Some(indexing)) => {
            let tokenizer = quickwit_tokenizer(indexing.tokenizer).unwrap_or("default");
            object.insert("indexed".into(), json!(true));
            object.insert("tokenizer".into(), json!(tokenizer));
            object.insert("record".into(), json!(if indexing.positions { "position" } else { "basic" }));
            object.insert("fieldnorms".into(), json!(true));
        }
        _ => {
            object.insert("indexed".into(), json!(false));
        }
    }
    match spec.fast {
        Fast::No => {
            object.insert("fast".into(), json!(false));
        }
        Fast::Column => {
            object.insert("fast".into(), json!(true));
        }
        Fast::Normalized(tokenizer) => {
            object.insert("fast".into(), json!({ "normalizer": fast_normalizer(tokenizer) }));
        }
    }
    if spec.field_type == FieldType::Date {
        object.insert("input_formats".into(), json!(["rfc3339", "unix_timestamp"]));
        object.insert("output_format".into(), json!("rfc3339"));
        object.insert("fast_precision".into(), json!("seconds"));
    }
    mapping
}

/// The field mappings: every field of the embedded schema, then the version fields.
pub fn field_mappings() -> Vec<Value> {
    let mut mappings: Vec<Value> = FIELDS.iter().map(field_mapping).collect();
    mappings.push(json!({
        "name": STORE_SEQ_FIELD, "type": "u64", "stored": true, "indexed": true, "fast": true
    }));
    mappings.push(json!({
        "name": VERSION_FIELD, "type": "text", "stored": true, "indexed": true, "tokenizer": "raw",
        "record": "basic", "fast": { "normalizer": "raw" }
    }));
    mappings
}

/// The index config for `index_id`, as `POST /api/v1/indexes` and `quickwit index create
/// --index-config` take it (JSON is YAML too).
pub fn index_config(index_id: &str) -> Value {
    json!({
        "version": CONFIG_VERSION,
        "index_id": index_id,
        "doc_mapping": {
            "mode": "strict",
            "store_source": false,
            "timestamp_field": TIMESTAMP_FIELD,
            "field_mappings": field_mappings(),
            "tokenizers": [
                {
                    "name": KEYWORD_TOKENIZER,
                    "type": "regex",
                    "pattern": "(?s).+",
                    "filters": ["lower_caser", "ascii_folding"]
                },
                {
                    "name": EXACT_TOKENIZER,
                    "type": "simple",
                    "filters": ["remove_long", "lower_caser", "ascii_folding"]
                }
            ]
        },
        "search_settings": { "default_search_fields": DEFAULT_SEARCH_FIELDS },
        "indexing_settings": { "commit_timeout_secs": 30 }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::index::schema;
    use tantivy::schema::FieldType as TantivyType;

    fn mappings_by_name() -> HashMap<String, Value> {
        field_mappings().into_iter().map(|m| (m["name"].as_str().unwrap().to_string(), m)).collect()
    }

    /// Checks the generated mapping against the tantivy schema the embedded index is built
    /// with (not against the table both come from), so a field added to one side only fails.
    #[test]
    fn every_field_of_the_embedded_schema_appears_in_the_mapping_with_a_compatible_type() {
        let mappings = mappings_by_name();
        let schema = schema::build();
        for (_, entry) in schema.fields() {
            let name = entry.name();
            let mapping = mappings.get(name).unwrap_or_else(|| panic!("`{name}` is missing from the Quickwit mapping"));
            let mapped = mapping["type"].as_str().unwrap();
            let base = mapped.strip_prefix("array<").and_then(|t| t.strip_suffix('>')).unwrap_or(mapped);
            let expected = match entry.field_type() {
                TantivyType::Str(_) => "text",
                TantivyType::U64(_) => "u64",
                TantivyType::Date(_) => "datetime",
                other => panic!("`{name}`: no Quickwit type for {other:?}"),
            };
            assert_eq!(base, expected, "`{name}`");
            assert_eq!(mapping["stored"], json!(entry.is_stored()), "`{name}` stored");
            assert_eq!(mapping["fast"] != json!(false), entry.is_fast(), "`{name}` fast");
            if let TantivyType::Str(options) = entry.field_type() {
                match options.get_indexing_options() {
                    Some(indexing) => {
                        assert_eq!(mapping["indexed"], json!(true), "`{name}` indexed");
                        let tokenizer = quickwit_tokenizer(indexing.tokenizer()).unwrap_or_else(|| {
                            panic!("`{name}`: analyzer `{}` has no Quickwit tokenizer", indexing.tokenizer())
                        });
                        assert_eq!(mapping["tokenizer"], json!(tokenizer), "`{name}` tokenizer");
                        let positions = indexing.index_option().has_positions();
                        assert_eq!(mapping["record"], json!(if positions { "position" } else { "basic" }), "`{name}`");
                    }
                    None => assert_eq!(mapping["indexed"], json!(false), "`{name}` indexed"),
                }
            }
        }
        assert_eq!(mappings.len(), schema.fields().count() + VERSION_FIELDS.len(), "no field the embedded index lacks");
        for name in VERSION_FIELDS {
            assert!(mappings.contains_key(name), "{name}");
        }
    }

    #[test]
    fn the_config_names_its_timestamp_and_search_fields_from_the_mapping() {
        let config = index_config("quotes");
        assert_eq!(config["index_id"], "quotes");
        let mappings = mappings_by_name();
        let timestamp = &mappings[config["doc_mapping"]["timestamp_field"].as_str().unwrap()];
        assert_eq!((timestamp["type"].as_str(), &timestamp["fast"]), (Some("datetime"), &json!(true)));
        for field in config["search_settings"]["default_search_fields"].as_array().unwrap() {
            assert_eq!(mappings[field.as_str().unwrap()]["indexed"], json!(true), "{field}");
        }
        let custom: Vec<&str> = config["doc_mapping"]["tokenizers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        for mapping in mappings.values() {
            if let Some(tokenizer) = mapping["tokenizer"].as_str() {
                assert!(["raw", "en_stem"].contains(&tokenizer) || custom.contains(&tokenizer), "{tokenizer}");
            }
        }
    }
}
