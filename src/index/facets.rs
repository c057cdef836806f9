//! Facets: the most frequent speakers, entities, stances, outlets, page kinds, languages,
//! speaker kinds, quote kinds and document types of any query's matches, counted with
//! tantivy's terms aggregations over fast fields. Speakers are counted by canonical name,
//! each with the variants written in the articles.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::Searcher;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::Count;
use tantivy::query::Query;

use super::IndexError;
use super::writer::VARIANT_SEPARATOR;

/// Facet names (as in queries) and the fast field each counts.
pub const FACET_FIELDS: &[(&str, &str)] = &[
    ("speaker", "speaker_canonical"),
    ("entity", "entity_canonical"),
    ("stance", "stance"),
    ("site", "site_name"),
    ("kind", "kind"),
    ("language", "language"),
    ("speaker_kind", "speaker_kind"),
    ("quote_kind", "quote_kind"),
    ("type", "type"),
];
/// Most values one facet may list.
pub const MAX_FACET_SIZE: usize = 100;
/// Variants listed under each canonical speaker.
const VARIANTS: usize = 5;
/// Spellings counted for the speaker facet, per value shown: the top spellings of the top
/// speakers are among the top spellings overall.
const VARIANT_BUCKETS_PER_VALUE: usize = 10;
/// Memory an aggregation may use before it fails instead of exhausting the machine.
const AGGREGATION_MEMORY_BYTES: u64 = 256 * 1024 * 1024;

/// One value of a facet and how many matches have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// Spellings counted under this canonical name (speakers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<FacetValue>,
}

/// Facet counts of one query.
#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    pub total: u64,
    pub facets: BTreeMap<String, Vec<FacetValue>>,
}

/// Terms aggregations for `names` (facet names) with `size` values each.
fn request(names: &[&str], size: usize) -> Result<Aggregations, IndexError> {
    let mut json = serde_json::Map::new();
    for (name, field) in FACET_FIELDS.iter().filter(|(n, _)| names.contains(n)) {
        json.insert((*name).to_string(), serde_json::json!({ "terms": { "field": field, "size": size } }));
        if *name == "speaker" {
            let variants = serde_json::json!({ "terms": { "field": "speaker_variant", "size": size * VARIANT_BUCKETS_PER_VALUE } });
            json.insert("speaker_variants".to_string(), variants);
        }
    }
    serde_json::from_value(serde_json::Value::Object(json))
        .map_err(|e| IndexError::Corrupt(format!("facet request: {e}")))
}

fn buckets(result: &serde_json::Value) -> Vec<FacetValue> {
    let Some(buckets) = result["buckets"].as_array() else { return Vec::new() };
    buckets
        .iter()
        .filter_map(|b| {
            let value = match &b["key"] {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let count = b["doc_count"].as_u64()?;
            Some(FacetValue { value, count, variants: Vec::new() })
        })
        .collect()
}

fn buckets_of(result: &serde_json::Value) -> Vec<FacetValue> {
    if result.is_null() { Vec::new() } else { buckets(result) }
}

/// Files each "canonical␟spelling" count under its canonical speaker. A speaker written one
/// way only gets no list.
fn attach_variants(speakers: &mut [FacetValue], pairs: Vec<FacetValue>) {
    for pair in pairs {
        let Some((canonical, spelling)) = pair.value.split_once(VARIANT_SEPARATOR) else { continue };
        if let Some(speaker) = speakers.iter_mut().find(|s| s.value == canonical)
            && speaker.variants.len() < VARIANTS
        {
            speaker.variants.push(FacetValue { value: spelling.to_string(), count: pair.count, variants: Vec::new() });
        }
    }
    for speaker in speakers {
        if speaker.variants.len() == 1 && speaker.variants[0].value == speaker.value {
            speaker.variants.clear();
        }
    }
}

/// Counts the facets `names` (all when empty) of the documents matching `query`.
pub fn count(searcher: &Searcher, query: &dyn Query, names: &[&str], size: usize) -> Result<Facets, IndexError> {
    let all: Vec<&str> = FACET_FIELDS.iter().map(|(n, _)| *n).collect();
    let names = if names.is_empty() { &all[..] } else { names };
    let size = size.clamp(1, MAX_FACET_SIZE);
    let limits = AggregationLimitsGuard::new(Some(AGGREGATION_MEMORY_BYTES), None);
    let context = AggContextParams::new(limits, searcher.index().tokenizers().clone());
    let collector = AggregationCollector::from_aggs(request(names, size)?, context);
    let (total, results) = searcher.search(query, &(Count, collector))?;
    let json = serde_json::to_value(&results).map_err(|e| IndexError::Corrupt(format!("facet result: {e}")))?;
    let mut facets = BTreeMap::new();
    for name in names {
        let mut values = buckets_of(&json[*name]);
        if *name == "speaker" {
            attach_variants(&mut values, buckets_of(&json["speaker_variants"]));
        }
        facets.insert((*name).to_string(), values);
    }
    Ok(Facets { total: total as u64, facets })
}
