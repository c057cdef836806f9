//! Quotation-mark spans: where quoted text starts and ends.
//!
//! Owns the pairing of quotation marks (“…”, "…", ‘…’, '…', „…“, «…», » … «, ‹…›, 「…」),
//! apostrophe disambiguation, nesting (inner marks stay inside the outer quote) and the news
//! convention that an unclosed quote continues when the next paragraph opens with a mark.
//! It must not decide who said a quote or whether it is a statement. Offsets are chars.
//!
//! The typewriter convention of wire and archive text — two apostrophes (`''…''`) or two
//! backticks and two apostrophes (``` ``…'' ```) for a double quotation mark — is rewritten to
//! `"` by [`normalize_doubled_marks`] before analysis, keeping every offset.

use std::borrow::Cow;
use std::ops::Range;

use super::tokens::CharText;

/// One quoted piece inside a single paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QuotePiece {
    /// Char offset of the opening mark.
    pub open: usize,
    /// The quoted content, trimmed of whitespace and a trailing comma.
    pub content: Range<usize>,
    /// Char offset of the closing mark; `None` when the quote runs on into the next paragraph.
    pub close: Option<usize>,
    /// Pieces of one quote running over several paragraphs share a group number.
    pub group: usize,
}

impl QuotePiece {
    /// The span from the opening mark to just past the closing mark (or the content end).
    pub(crate) fn outer(&self) -> Range<usize> {
        self.open..self.close.map_or(self.content.end, |c| c + 1)
    }
}

/// How a mark closes, once opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// “ … ” and „ … “/”.
    CurlyDouble,
    Straight,
    CurlySingle,
    StraightSingle,
    Guillemet,
    ReversedGuillemet,
    SingleGuillemet,
    Corner,
}

impl Family {
    fn closes(self, c: char) -> bool {
        match self {
            // Scraped text mixes straight and curly marks ("…” / “…"): either closes.
            Family::CurlyDouble => matches!(c, '”' | '“' | '"'),
            Family::Straight => matches!(c, '"' | '”'),
            Family::CurlySingle => c == '’',
            Family::StraightSingle => c == '\'',
            Family::Guillemet => c == '»',
            Family::ReversedGuillemet => c == '«',
            Family::SingleGuillemet => c == '›',
            Family::Corner => c == '」',
        }
    }

    fn is_single(self) -> bool {
        matches!(self, Family::CurlySingle | Family::StraightSingle)
    }
}

/// The family a char opens at position `i`, if it can open a quote there.
fn opens(text: &CharText<'_>, i: usize, end: usize) -> Option<Family> {
    let c = text.at(i);
    let prev = text.before(i);
    let next = if i + 1 < end { text.at(i + 1) } else { '\0' };
    let boundary_before = !prev.is_alphanumeric();
    match c {
        '“' => Some(Family::CurlyDouble),
        '„' => Some(Family::CurlyDouble),
        '«' => Some(Family::Guillemet),
        '»' if boundary_before && next != '\0' => Some(Family::ReversedGuillemet),
        '‹' => Some(Family::SingleGuillemet),
        '「' => Some(Family::Corner),
        '"' if boundary_before && !next.is_whitespace() && next != '\0' => Some(Family::Straight),
        '‘' if boundary_before && (next.is_alphanumeric() || matches!(next, '"' | '“' | '…' | '.')) => {
            Some(Family::CurlySingle)
        }
        '\'' if boundary_before && next.is_alphanumeric() => Some(Family::StraightSingle),
        _ => None,
    }
}

/// Whether the mark at `i` closes an open quote of `family`.
fn closes(text: &CharText<'_>, i: usize, end: usize, family: Family) -> bool {
    let c = text.at(i);
    if !family.closes(c) {
        return false;
    }
    if family.is_single() {
        // An apostrophe inside a word ("don’t", "O’Brien") never closes.
        let next = if i + 1 < end { text.at(i + 1) } else { '\0' };
        let prev = text.before(i);
        return !next.is_alphanumeric() && !prev.is_whitespace();
    }
    true
}

/// Rewrites doubled apostrophes and backticks used as a double quotation mark to `"` plus a
/// space, so that byte and char offsets stay the same: an opening ` ``Word` or ` ''Word`
/// becomes ` \u{20}"Word`, a closing `word,''` becomes `word," `. In a run of three apostrophes
/// the pair is the outer mark (`'''Yes` opens a double then a single quote; `no,'''` closes a
/// single then a double). Apostrophe pairs inside words and lone apostrophes are left alone.
pub(crate) fn normalize_doubled_marks(text: &str) -> Cow<'_, str> {
    if !text.contains("''") && !text.contains("``") {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'\'' && b != b'`' {
            i += 1;
            continue;
        }
        let mut run = i;
        while run < bytes.len() && bytes[run] == b {
            run += 1;
        }
        let len = run - i;
        if len >= 2 {
            let before = text[..i].chars().next_back();
            let after = text[run..].chars().next();
            let open_side = before.is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '—' | '-'));
            let word_after = after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '$' | '.' | '‘'));
            let close_side = before.is_some_and(|c| !c.is_whitespace());
            let end_after =
                after.is_none_or(|c| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | ')' | '?' | '!'));
            if open_side && word_after {
                // The first two marks open the double quote.
                out[i] = b' ';
                out[i + 1] = b'"';
            } else if b == b'\'' && close_side && end_after {
                // The last two marks close it.
                out[run - 2] = b'"';
                out[run - 1] = b' ';
            }
        }
        i = run;
    }
    // Only ASCII bytes were swapped for ASCII bytes, so the result is still UTF-8.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// Finds quoted pieces in the given paragraphs (char ranges, in order).
pub(crate) fn find_quotes(text: &CharText<'_>, paragraphs: &[Range<usize>]) -> Vec<QuotePiece> {
    let mut pieces: Vec<QuotePiece> = Vec::new();
    let mut groups = 0usize;
    // An unclosed piece from the previous paragraph, waiting for a continuation mark.
    let mut pending: Option<QuotePiece> = None;
    for para in paragraphs {
        let end = para.end.min(text.len());
        let mut i = para.start.min(end);
        while i < end && text.at(i).is_whitespace() {
            i += 1;
        }
        let mut open: Option<(usize, Family, usize)> = None; // (mark, family, group)
        if let Some(piece) = pending.take()
            && i < end
            && let Some(family) = opens(text, i, end)
        {
            open = Some((i, family, piece.group));
            pieces.push(piece);
            i += 1;
        }
        while i < end {
            match open {
                Some((mark, family, group)) => {
                    if closes(text, i, end, family) {
                        push_piece(text, &mut pieces, mark, i, Some(i), group);
                        open = None;
                    }
                }
                None => {
                    if let Some(family) = opens(text, i, end) {
                        open = Some((i, family, groups));
                        groups += 1;
                    }
                }
            }
            i += 1;
        }
        if let Some((mark, _, group)) = open {
            // Unclosed at the paragraph end: kept only if the next paragraph continues it.
            pending = make_piece(text, mark, end, None, group);
        }
    }
    pieces
}

fn make_piece(
    text: &CharText<'_>,
    mark: usize,
    content_end: usize,
    close: Option<usize>,
    group: usize,
) -> Option<QuotePiece> {
    let mut content = text.trim(mark + 1..content_end);
    while content.end > content.start && matches!(text.at(content.end - 1), ',' | ' ') {
        content.end -= 1;
    }
    content = text.trim(content);
    (!content.is_empty()).then_some(QuotePiece { open: mark, content, close, group })
}

fn push_piece(
    text: &CharText<'_>,
    pieces: &mut Vec<QuotePiece>,
    mark: usize,
    content_end: usize,
    close: Option<usize>,
    group: usize,
) {
    if let Some(p) = make_piece(text, mark, content_end, close, group) {
        pieces.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(text: &str) -> Vec<String> {
        let t = CharText::new(text);
        let paras = paragraphs_of(&t);
        find_quotes(&t, &paras).into_iter().map(|p| t.slice(p.content).to_string()).collect()
    }

    fn paragraphs_of(t: &CharText<'_>) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < t.len() {
            if t.at(i) == '\n' && t.at(i + 1) == '\n' {
                out.push(start..i);
                start = i + 2;
                i += 2;
            } else {
                i += 1;
            }
        }
        out.push(start..t.len());
        out
    }

    #[test]
    fn every_common_mark_pair_is_found() {
        assert_eq!(quotes("He said “yes, now,” then."), ["yes, now"]);
        assert_eq!(quotes("He said \"yes\" then."), ["yes"]);
        assert_eq!(quotes("He said ‘yes’ then."), ["yes"]);
        assert_eq!(quotes("He said 'yes' then."), ["yes"]);
        assert_eq!(quotes("Er sagte „ja“ dann."), ["ja"]);
        assert_eq!(quotes("Il a dit « oui » puis."), ["oui"]);
        assert_eq!(quotes("Il a dit «oui» puis."), ["oui"]);
        assert_eq!(quotes("Han sa »ja« da."), ["ja"]);
    }

    #[test]
    fn straight_and_curly_double_marks_close_each_other() {
        assert_eq!(quotes("He said \"we won.” Then."), ["we won."]);
        assert_eq!(quotes("He said “we won.\" Then."), ["we won."]);
    }

    #[test]
    fn apostrophes_do_not_open_or_close() {
        assert_eq!(quotes("Reuters' report said it don't matter."), Vec::<String>::new());
        assert_eq!(quotes("‘We don’t know,’ he said of Reuters’ story."), ["We don’t know"]);
    }

    #[test]
    fn nested_quotes_stay_inside() {
        assert_eq!(quotes("“He called it ‘a lie’ today,” she said."), ["He called it ‘a lie’ today"]);
        assert_eq!(quotes("\"He said 'no' to me,\" she said."), ["He said 'no' to me"]);
    }

    #[test]
    fn quotes_continue_across_paragraphs_only_when_reopened() {
        let text = "“First part.\n\n“Second part,” he said.";
        let t = CharText::new(text);
        let found = find_quotes(&t, &paragraphs_of(&t));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].group, found[1].group);
        assert_eq!(found[0].close, None);
        assert_eq!(quotes("“Dangling start\n\nNo mark here."), Vec::<String>::new());
    }

    #[test]
    fn doubled_apostrophes_and_backticks_are_double_marks() {
        let norm = |t: &str| normalize_doubled_marks(t).into_owned();
        assert_eq!(norm("''Yes, now,'' said Ann."), " \"Yes, now,\"  said Ann.");
        assert_eq!(norm("He said ``no.''"), "He said  \"no.\" ");
        assert_eq!(norm("''Go 'home,''' he said."), " \"Go 'home,'\"  he said.");
        assert_eq!(norm("rock 'n' roll and the students' book"), "rock 'n' roll and the students' book");
        let text = "''It is over,'' said Ann. ''We won.''";
        let fixed = norm(text);
        assert_eq!(fixed.len(), text.len());
        assert_eq!(fixed.chars().count(), text.chars().count());
        assert_eq!(quotes(&fixed), ["It is over", "We won."]);
    }

    #[test]
    fn unbalanced_marks_never_panic() {
        for text in ["“", "”", "\"", "'", "«»", "“”", "»", "‘’’‘", "a\"b\"c"] {
            let _ = quotes(text);
        }
    }
}
