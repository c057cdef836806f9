//! Data-driven tests: realistic news paragraphs (written for this project) in, expected
//! quotes out. Each case names the pattern it covers; an expectation must match one record
//! exactly on text, speaker, kind and, where given, stance. The cases test attribution:
//! where the stance is `None` the case does not fix it (stances are tested by the stance
//! corpus, the stance set and the snapshot tests). Test-only; it must not hold analysis
//! logic.

mod quoted;
mod reported;

use crate::model::{Analysis, PageKind, QuoteKind, SpeakerKind, Stance};
use crate::nlp::{AnalysisInput, Analyzer};

/// One expected quote: text, speaker display name, speaker kind, quote kind, stance (`None`:
/// not checked).
pub(super) type Expected = (&'static str, Option<&'static str>, SpeakerKind, QuoteKind, Option<Stance>);

pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) kind: PageKind,
    pub(super) publisher: Option<&'static str>,
    pub(super) text: &'static str,
    pub(super) expected: &'static [Expected],
    /// Texts that must not come out as quotes (scare quotes, boilerplate).
    pub(super) absent: &'static [&'static str],
}

/// The case named `name`.
fn case(name: &str) -> &'static Case {
    quoted::QUOTED.iter().chain(reported::REPORTED).find(|c| c.name == name).expect("a case of that name")
}

fn run(case: &Case) -> Analysis {
    Analyzer::new().analyze(&AnalysisInput {
        text: case.text,
        language: "en",
        kind: case.kind,
        publisher: case.publisher,
    })
}

#[test]
fn case_names_are_unique() {
    let mut names = std::collections::HashSet::new();
    assert!(quoted::QUOTED.iter().chain(reported::REPORTED).all(|c| names.insert(c.name)));
}

#[test]
fn news_cases_give_the_expected_quotes() {
    let mut failures = Vec::new();
    for case in quoted::QUOTED.iter().chain(reported::REPORTED) {
        let analysis = run(case);
        crate::nlp::tests::assert_offsets_valid(case.text, &analysis);
        for (text, speaker, speaker_kind, kind, stance) in case.expected {
            let hit = analysis.quotes.iter().find(|q| q.text == *text);
            let ok = hit.is_some_and(|q| {
                q.speaker.as_deref() == *speaker
                    && q.speaker_kind == *speaker_kind
                    && q.kind == *kind
                    && stance.is_none_or(|s| q.stance == s)
            });
            if !ok {
                failures.push(format!(
                    "[{}] expected {text:?} by {speaker:?} ({speaker_kind:?}, {kind:?}, {stance:?}); got {:#?}",
                    case.name,
                    hit.map_or_else(
                        || analysis.quotes.iter().map(|q| (q.text.clone(), q.speaker.clone())).collect::<Vec<_>>(),
                        |q| vec![(format!("{q:?}"), None)]
                    )
                ));
            }
        }
        for text in case.absent {
            if analysis.quotes.iter().any(|q| q.text == *text) {
                failures.push(format!("[{}] {text:?} must not be a quote", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn pronoun_speaker_span_points_at_the_pronoun() {
    let case = case("pronoun after an intervening person resolves to the speaker");
    let analysis = run(case);
    let q = analysis.quotes.iter().find(|q| q.text.starts_with("This is about")).expect("quote");
    let span: String = case
        .text
        .chars()
        .skip(q.speaker_start.unwrap_or(0))
        .take(q.speaker_end.unwrap_or(0) - q.speaker_start.unwrap_or(0))
        .collect();
    assert_eq!(span, "she");
    assert_eq!(q.speaker_entity.as_deref(), Some("Gina Lorenzo"));
    assert!(q.confidence < 0.9, "a resolved pronoun is less certain than a name");
}

#[test]
fn every_quote_has_a_confidence_and_named_direct_quotes_rank_highest() {
    let analysis = run(case("quote split around its cue"));
    let first = analysis.quotes.iter().find(|q| q.text.starts_with("We are not")).expect("quote");
    assert!(first.confidence >= 0.85);
    assert!(analysis.quotes.iter().all(|q| q.confidence > 0.0 && q.confidence <= 1.0));
}
