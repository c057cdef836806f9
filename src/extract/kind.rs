//! Page kind: news, press release, transcript or other, from declared types, URL path segments,
//! title words and the shape of the text ("NAME:" speaker turns). Also splits run-together
//! speaker turns of transcripts into their own paragraphs.
//!
//! Owns the kind rules; must not touch the DOM or decide whether a page is an article.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::hints;
use super::metadata::Metadata;
use super::text::Paragraph;
use crate::model::PageKind;

/// Speaker turns (and distinct speakers) that make a page a transcript by its text alone.
const MIN_TURNS: usize = 3;
const MIN_SPEAKERS: usize = 2;

/// Share of paragraphs that must be speaker turns: a deals page with a few "New Release:"
/// lines is not a dialogue.
const MIN_TURN_SHARE: f64 = 0.25;

/// A speaker label opening a paragraph: "MR. SMITH:", "THE PRESIDENT:", "Q:",
/// "Secretary Blinken:", "Jen Psaki:". Capitalised labels are at most four words.
static SPEAKER_TURN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^((?:[A-Z][A-Z.'’\-]*)(?: [A-Z][A-Z.'’\-]*){0,4}|(?:[A-Z][\p{L}.'’\-]+)(?: (?:[A-Z][\p{L}.'’\-]+|de|van|von|al)){0,3})(?: \([^)]{1,40}\))?:\s+\S",
    )
    .expect("speaker turn regex is valid")
});

/// An all-caps speaker label inside a paragraph, where a turn was run into the previous one.
static INNER_TURN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\s((?:MR|MS|MRS|DR|THE|Q|A|SECRETARY|SENATOR|PRESIDENT|GENERAL|MINISTER|AMBASSADOR)\b[A-Z.'’\- ]{0,40}:\s)",
    )
    .expect("inner turn regex is valid")
});

/// The speaker label opening `paragraph`, if it reads as a transcript turn.
pub fn speaker_of(paragraph: &str) -> Option<&str> {
    let captures = SPEAKER_TURN.captures(paragraph)?;
    let label = captures.get(1)?.as_str();
    let lower = label.to_lowercase();
    if hints::NOT_SPEAKERS.contains(&lower.as_str()) {
        return None;
    }
    Some(label)
}

/// Decides the page kind.
pub fn classify(meta: &Metadata, url: Option<&Url>, paragraphs: &[Paragraph], is_article: bool) -> PageKind {
    if !is_article {
        return PageKind::Other;
    }
    let (turns, speakers) = count_turns(paragraphs);
    let has_turns =
        turns >= MIN_TURNS && speakers >= MIN_SPEAKERS && turns as f64 >= MIN_TURN_SHARE * paragraphs.len() as f64;
    let segments: Vec<String> = url
        .and_then(|u| u.path_segments())
        .map(|segments| segments.map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    let in_path = |list: &[&str]| segments.iter().any(|s| hints::is_one_of(s, list));
    let titles: Vec<String> =
        [meta.title.as_deref(), meta.h1.as_deref()].into_iter().flatten().map(str::to_lowercase).collect();
    let title_starts = |list: &[&str]| titles.iter().any(|t| list.iter().any(|w| t.starts_with(w)));
    let title_has = |list: &[&str]| titles.iter().any(|t| list.iter().any(|w| t.contains(w)));

    let transcript = has_turns
        || in_path(hints::TRANSCRIPT_PATH_SEGMENTS)
        || segments.iter().any(|s| s.contains("transcript"))
        || title_starts(hints::TRANSCRIPT_TITLE_STARTS)
        || title_has(hints::TRANSCRIPT_TITLE_PHRASES)
        || (in_path(hints::BRIEFING_PATH_SEGMENTS) && turns >= 2);
    if transcript {
        return PageKind::Transcript;
    }
    let declared_release = meta
        .ld_types
        .iter()
        .chain(meta.og_type.iter())
        .any(|t| t.contains("pressrelease") || t.contains("press_release"));
    let press_release = declared_release
        || in_path(hints::PRESS_RELEASE_PATH_SEGMENTS)
        || segments.iter().any(|s| s.contains("press-release") || s.contains("pressrelease"))
        || title_starts(hints::PRESS_RELEASE_TITLE_STARTS)
        || title_has(hints::PRESS_RELEASE_TITLE_PHRASES);
    if press_release { PageKind::PressRelease } else { PageKind::News }
}

/// Speaker-turn paragraphs and distinct speakers.
fn count_turns(paragraphs: &[Paragraph]) -> (usize, usize) {
    let mut speakers: Vec<String> = Vec::new();
    let mut turns = 0;
    for paragraph in paragraphs {
        if let Some(speaker) = speaker_of(&paragraph.text).filter(|s| counts_as_turn(s)) {
            turns += 1;
            let speaker = speaker.to_lowercase();
            if !speakers.contains(&speaker) {
                speakers.push(speaker);
            }
        }
    }
    (turns, speakers.len())
}

/// Whether a label is a transcript speaker: all caps, or opened by a title.
fn counts_as_turn(label: &str) -> bool {
    if !label.chars().any(char::is_lowercase) {
        return true;
    }
    let first = label.split([' ', '.']).next().unwrap_or("").to_lowercase();
    hints::SPEAKER_TITLES.contains(&first.as_str())
}

/// Splits paragraphs that hold several all-caps speaker turns, so each turn is a paragraph.
pub fn split_turns(paragraphs: Vec<Paragraph>) -> Vec<Paragraph> {
    let mut out = Vec::with_capacity(paragraphs.len());
    for paragraph in paragraphs {
        let starts: Vec<usize> =
            INNER_TURN.captures_iter(&paragraph.text).filter_map(|c| c.get(1).map(|m| m.start())).collect();
        if starts.is_empty() {
            out.push(paragraph);
            continue;
        }
        let mut from = 0;
        for start in starts.into_iter().chain([paragraph.text.len()]) {
            let piece = paragraph.text.get(from..start).unwrap_or("").trim();
            if !piece.is_empty() {
                out.push(Paragraph { text: piece.to_owned(), kind: paragraph.kind });
            }
            from = start;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text::BlockKind;

    fn paragraphs(texts: &[&str]) -> Vec<Paragraph> {
        texts.iter().map(|t| Paragraph { text: (*t).to_owned(), kind: BlockKind::Paragraph }).collect()
    }

    fn kind_of(url: &str, title: &str, texts: &[&str]) -> PageKind {
        let meta = Metadata { title: Some(title.to_owned()), ..Metadata::default() };
        let url = Url::parse(url).expect("test url is valid");
        classify(&meta, Some(&url), &paragraphs(texts), true)
    }

    #[test]
    fn speaker_labels() {
        assert_eq!(speaker_of("MR. SMITH: Thank you."), Some("MR. SMITH"));
        assert_eq!(speaker_of("Q: Will you resign?"), Some("Q"));
        assert_eq!(speaker_of("Secretary Blinken: Good morning."), Some("Secretary Blinken"));
        assert_eq!(speaker_of("Note: this story was updated."), None);
        assert_eq!(speaker_of("The minister said: nothing."), None);
    }

    #[test]
    fn speaker_turns_make_a_transcript() {
        let kind = kind_of(
            "https://gov.example/news/2020/1",
            "Daily update",
            &["MS. JONES: Good afternoon, everyone.", "Q: Is the minister resigning?", "MS. JONES: No, he is not."],
        );
        assert_eq!(kind, PageKind::Transcript);
    }

    #[test]
    fn results_and_name_lists_are_not_transcripts() {
        let kind = kind_of(
            "https://news.example/sports/roundup",
            "High school roundup",
            &[
                "Palm Bay: Smith scored 20 points in the win.",
                "Rockledge: Jones had 12 rebounds and 5 assists.",
                "Palm Bay: The Pirates improved to 5-2.",
            ],
        );
        assert_eq!(kind, PageKind::News);
        let kind = kind_of(
            "https://news.example/interview",
            "An interview",
            &["Prof. Carlos: Thank you.", "Dr. Smith: Welcome.", "Prof. Carlos: Let us begin."],
        );
        assert_eq!(kind, PageKind::Transcript);
    }

    #[test]
    fn url_and_title_cues() {
        assert_eq!(
            kind_of("https://gov.example/newsroom/press-releases/x", "Agency fines bank", &[]),
            PageKind::PressRelease
        );
        assert_eq!(
            kind_of("https://gov.example/news/x", "Statement by the Minister on trade", &[]),
            PageKind::PressRelease
        );
        assert_eq!(
            kind_of("https://wh.example/briefing-room/speeches-remarks/x", "Remarks", &[]),
            PageKind::Transcript
        );
        assert_eq!(kind_of("https://news.example/2019/05/14/briefing/x", "Your Tuesday briefing", &[]), PageKind::News);
        assert_eq!(kind_of("https://news.example/world/x", "Huawei denies spying claims", &[]), PageKind::News);
    }

    #[test]
    fn non_articles_are_other() {
        let meta = Metadata::default();
        assert_eq!(classify(&meta, None, &[], false), PageKind::Other);
    }

    #[test]
    fn run_together_turns_are_split() {
        let split =
            split_turns(paragraphs(&["MR. SMITH: Thank you all for coming. Q: Will you resign? MR. SMITH: No."]));
        let texts: Vec<&str> = split.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["MR. SMITH: Thank you all for coming.", "Q: Will you resign?", "MR. SMITH: No."]);
    }
}
