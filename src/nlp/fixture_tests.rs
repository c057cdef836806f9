//! Snapshot tests of the whole analysis: every text in `tests/fixtures/analyze/` is analysed
//! as `quotewire analyze --explain` would (language detected unless a header gives it) and
//! the output (language, entities, quotes with their rules) is compared with its insta
//! snapshot in `snapshots/`, so a lost quote, a new spurious one or a changed speaker, span
//! or stance shows as a readable diff. Test-only; it must not hold analysis logic.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::model::PageKind;
use crate::nlp::{AnalysisInput, Analyzer};

/// The fixture files, sorted by name.
fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/analyze");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/analyze exists")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

/// The analysis of one fixture, as pretty JSON.
fn render(analyzer: &Analyzer, file: &Path) -> String {
    let raw = std::fs::read_to_string(file).expect("fixture reads");
    let (mut kind, mut publisher, mut language) = (PageKind::News, None, None);
    let mut text_start = 0;
    for line in raw.lines() {
        let Some(header) = line.strip_prefix("# ") else { break };
        let (key, value) = header.split_once(':').expect("`# key: value` header");
        let value = value.trim().to_string();
        match key.trim() {
            "kind" => kind = serde_json::from_value(json!(value)).expect("known page kind"),
            "publisher" => publisher = Some(value),
            "language" => language = Some(value),
            other => panic!("unknown fixture header `{other}`"),
        }
        text_start += line.len() + 1;
    }
    let text = raw[text_start..].trim_end();
    let language = language.unwrap_or_else(|| {
        let (detected, confidence) = crate::extract::detect_language(text);
        crate::nlp::analysis_language(text, &detected, confidence)
    });
    let input = AnalysisInput { text, language: &language, kind, publisher: publisher.as_deref() };
    let (analysis, rules) = analyzer.analyze_explained(&input);
    crate::nlp::tests::assert_offsets_valid(text, &analysis);
    let quotes: Vec<_> = analysis
        .quotes
        .iter()
        .zip(&rules)
        .map(|(q, r)| {
            let mut value = serde_json::to_value(q).expect("quote serialises");
            value["rules"] = serde_json::to_value(r).expect("rules serialise");
            value
        })
        .collect();
    let output = json!({ "language": language, "entities": analysis.entities, "quotes": quotes });
    serde_json::to_string_pretty(&output).expect("output serialises")
}

#[test]
fn fixture_texts_match_their_snapshots() {
    let analyzer = Analyzer::new();
    let files = fixtures();
    assert!(files.len() >= 20, "the fixture folder holds {} texts", files.len());
    for file in files {
        let name = file.file_stem().and_then(|s| s.to_str()).expect("file name").to_string();
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, render(&analyzer, &file));
        });
    }
}
