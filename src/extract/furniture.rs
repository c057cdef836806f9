//! Page furniture: short lines that are never article text wherever they stand ("Advertisement",
//! "Image 1 of 8", "Share this article", a byline, a timestamp line).
//!
//! Owns the line-level judgement; must not look at the DOM. The word lists live in
//! [`super::hints`].

use std::sync::LazyLock;

use regex::Regex;

use super::hints;

/// Short furniture lines: "Advertisement", "Image 1 of 8", "Share this article", ...
pub fn is_furniture(text: &str) -> bool {
    let lower = text.to_lowercase();
    if hints::BOILERPLATE_PREFIXES.iter().any(|prefix| lower.starts_with(prefix)) {
        return true;
    }
    static IMAGE_COUNTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:image|photo|picture|slide)\s+\d+\s+(?:of|/)\s+\d+").expect("image counter regex is valid")
    });
    let line = lower.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace());
    IMAGE_COUNTER.is_match(&lower)
        || hints::BOILERPLATE_LINES.contains(&line)
        || is_byline_line(text)
        || is_timestamp_line(&lower)
}

/// "Updated at 1:23 p.m.", "Published May 14, 2019", "2018-08-16": a short line that only
/// dates the page.
fn is_timestamp_line(lower: &str) -> bool {
    if lower.chars().count() > hints::TIMESTAMP_MAX_CHARS {
        return false;
    }
    let has_digit = lower.chars().any(|c| c.is_ascii_digit());
    let opens_with_stamp = hints::TIMESTAMP_OPENERS.iter().any(|w| lower.starts_with(w));
    static DATE_ONLY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[ ,t]+\d{1,2}:\d{2}(?::\d{2})?)?$",
        )
        .expect("date-only regex is valid")
    });
    has_digit && (opens_with_stamp || DATE_ONLY.is_match(lower.trim()))
}

/// "By Jane Doe and John Roe", "Par Claire Martin": a short line opening with a byline word
/// followed by a capitalised name, not ending like a sentence.
fn is_byline_line(text: &str) -> bool {
    if text.chars().count() > hints::BYLINE_MAX_CHARS || text.ends_with('.') {
        return false;
    }
    let mut words = text.split_whitespace();
    let opener = words.next().unwrap_or("").to_lowercase();
    let opener = opener.trim_end_matches(':');
    hints::BYLINE_OPENERS.contains(&opener)
        && words.next().and_then(|w| w.chars().next()).is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byline_lines_are_dropped_but_prose_starting_with_by_is_kept() {
        assert!(is_byline_line("By Jane Doe and John Roe"));
        assert!(is_byline_line("Par Claire Martin"));
        assert!(!is_byline_line("By the end of the year, prices had doubled."));
        assert!(!is_byline_line("Byzantine politics"));
    }

    #[test]
    fn timestamp_and_label_lines_are_furniture() {
        assert!(is_furniture("Updated at 1:23 p.m."));
        assert!(is_furniture("2018-08-16"));
        assert!(is_furniture("Advert"));
        assert!(!is_furniture("Adverts for the campaign were banned on Monday."));
        assert!(!is_furniture("Updated guidance from the ministry says schools may reopen."));
        assert!(!is_furniture("In 2019, sales rose 4%."));
        assert!(!is_furniture("225.86"));
        assert!(!is_furniture("02-751-1500"));
    }
}
