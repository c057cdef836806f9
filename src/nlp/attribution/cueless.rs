//! Statements and quotes whose speaker is named without a reporting verb: a `Name:` label
//! (`Reid: “...”`, "Warren: Trump Is a Failure"), an introducing colon (`Olsen released the
//! following statement: “...”`), a signature line under a quote (`- Bernie Sanders.`), the
//! paragraph's previous speaker for a quote with no cue of its own, the subject of the
//! writer's sentence around a quote, and a sentence opening with its source document ("In a
//! new poll by X, ...").
//!
//! Invariant: these rules name a speaker but no cue, so their records have `cue: null` and a
//! lower base confidence than a quote with its cue (see [`crate::nlp::rules`]); a label that
//! names a section ("Photo:", "Q:") is never a speaker.

use std::ops::Range;

use super::clause::{is_punct, is_terminal, skip_punct, word_count};
use super::direct::MIN_MIXED_LEAD_WORDS;
use super::record::{Draft, Found, build_record, speaker_confidence};
use super::{Attribution, Walker};
use crate::model::SpeakerKind;
use crate::nlp::rules::{ContentRule, INHERITED_PENALTY, Rule, SpeakerRule};
use crate::nlp::speakers::Speaker;
use crate::nlp::stance;

/// Longest `Speaker:` label before a statement ("Joe Scarborough:", "Wash Post Fact-Check:").
const MAX_COLON_SPEAKER_TOKENS: usize = 5;

/// Fewest words after `Speaker:` for a statement rather than a label ("Photo: Reuters").
const MIN_COLON_STATEMENT_WORDS: usize = 3;

/// How far (tokens) the comma closing "In a new poll by X," may be.
const MAX_SOURCE_OPENER_TOKENS: usize = 14;

impl<'d> Walker<'d, '_> {
    /// A colon with no cue before a quote, ending the words `lo..hi`: `Reid: “...”` (a name
    /// label opening the sentence, the headline and interview convention; mid-paragraph only
    /// a known name counts), or `Clinton released the following statement: “...”` (the
    /// sentence's subject).
    pub(super) fn colon_intro(&self, lo: usize, hi: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        if hi <= lo + 1 || doc.tok(hi - 1) != ":" {
            return None;
        }
        let first = (lo..hi).find(|&k| !is_punct(doc.low(k)))?;
        let opens_para = first == 0 || self.para_of_token(first - 1) != self.para_of_token(first);
        let (speaker, rule) = match self.colon_label(first, hi - 1).filter(|s| opens_para || s.entity.is_some()) {
            Some(label) => (label, Rule::ColonLabel),
            None => (self.main_subject(first, hi - 1)?, Rule::ColonSubject),
        };
        let confidence = speaker_confidence(&speaker, rule.confidence());
        Some(Attribution { speaker, cue: None, negated: false, confidence, rule, reusable: false })
    }

    /// A quote with no cue of its own: the speaker of the previous quote in the paragraph
    /// (a quote split around its cue), or of the previous paragraph when this paragraph
    /// opens with the quote.
    pub(super) fn inherited(&self, q: usize, para: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let (last_para, last) = self.last_direct.as_ref()?;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        let opens_para = open_tok == 0 || self.para_of_token(open_tok - 1) != para;
        let mut att = last.clone();
        if *last_para == para {
            att.rule = Rule::InheritedSameParagraph;
            att.confidence = (att.confidence - INHERITED_PENALTY).max(att.rule.confidence());
            return Some(att);
        }
        if *last_para + 1 == para && opens_para {
            att.rule = Rule::InheritedNextParagraph;
            att.confidence = att.rule.confidence();
            return Some(att);
        }
        None
    }

    /// `"...”` followed by a paragraph `- Bernie Sanders.` or `—President Obama, tweeting
    /// after the speech.`: a signature line under a quote that ends its paragraph names its
    /// speaker.
    pub(super) fn signature_after(&self, q: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let close_tok = doc.token_at_or_after(doc.quotes[q].close?);
        let para = self.para_of_token(close_tok);
        // Past a period after the closing mark (`“...”.`) to the next paragraph's first token.
        let mut dash = close_tok + 1;
        while dash < doc.tokens.len() && self.para_of_token(dash) == para && is_terminal(doc.tok(dash)) {
            dash += 1;
        }
        if dash + 1 >= doc.tokens.len()
            || self.para_of_token(dash) != para + 1
            || !matches!(doc.tok(dash), "-" | "—" | "–" | "--")
        {
            return None;
        }
        let mut end = dash + 1;
        while end < doc.tokens.len() && self.para_of_token(end) == para + 1 && !is_punct(doc.low(end)) {
            end += 1;
        }
        let speaker = self.finder.subject_at(dash + 1).or_else(|| self.finder.after(dash + 1, end))?;
        let rule = Rule::Signature;
        let confidence = speaker_confidence(&speaker, rule.confidence());
        Some(Attribution { speaker, cue: None, negated: false, confidence, rule, reusable: false })
    }

    /// `Sanders credited Clinton's victory to "a closed primary, ..."`: a quote inside a
    /// sentence of the writer's own, with no cue for it, is the words of the sentence's
    /// subject when that subject is a person or an organisation.
    pub(super) fn sentence_subject(&self, q: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        let s = *doc.token_sentence.get(open_tok)?;
        let first = doc.sentence_tokens.get(s)?.start;
        let first = (first..open_tok).find(|&k| !is_punct(doc.low(k)))?;
        if word_count(doc, first..open_tok) < MIN_MIXED_LEAD_WORDS {
            return None;
        }
        let speaker = self.main_subject(first, open_tok)?;
        if !matches!(speaker.kind, SpeakerKind::Person | SpeakerKind::Organization) {
            return None;
        }
        let rule = Rule::SentenceSubject;
        let confidence = speaker_confidence(&speaker, rule.confidence());
        Some(Attribution { speaker, cue: None, negated: false, confidence, rule, reusable: false })
    }

    /// A statement without a reporting verb: `Speaker: statement` opening a paragraph
    /// ("Elizabeth Warren: Trump Is a ‘Proven Failure’", "Report: Walker to speak"), the
    /// headline and interview-label convention. Returns the record and the token after it.
    pub(super) fn colon_statement(&mut self, range: Range<usize>, content_end: usize) -> Option<(Found, Speaker)> {
        let doc = self.doc;
        let first = range.start;
        let opens_para = first == 0 || self.para_of_token(first - 1) != self.para_of_token(first);
        if !opens_para {
            return None;
        }
        let colon = (first + 1..range.end.min(first + MAX_COLON_SPEAKER_TOKENS + 1)).find(|&k| doc.tok(k) == ":")?;
        if word_count(doc, colon + 1..content_end) < MIN_COLON_STATEMENT_WORDS {
            return None;
        }
        let speaker = self.colon_label(first, colon)?;
        self.cueless_record(speaker, colon + 1..content_end, Rule::ColonStatement, ContentRule::AfterColon)
    }

    /// The speaker named by the label `first..colon` before a colon: a short run of
    /// capitalised words that is not a section label ("Photo", "Breaking"); the entity it
    /// names when it is one, the words as written otherwise.
    fn colon_label(&self, first: usize, colon: usize) -> Option<Speaker> {
        let doc = self.doc;
        if colon <= first || colon - first > MAX_COLON_SPEAKER_TOKENS {
            return None;
        }
        let name_like = (first..colon).all(|k| {
            let t = doc.tok(k);
            doc.token_quote[k].is_none()
                && (t.starts_with(char::is_uppercase) || matches!(t, "'s" | "’s" | "." | "-" | "&"))
        });
        let label = doc.text.slice(doc.span(first..colon)).to_lowercase();
        if !name_like || doc.words().not_speaker_labels.contains(&label) {
            return None;
        }
        Some(
            self.finder
                .subject_at(first)
                .filter(|s| s.tokens.end == colon)
                .unwrap_or_else(|| Speaker::as_written(doc, first..colon, SpeakerKind::Unknown, SpeakerRule::Label)),
        )
    }

    /// `In a new poll by X, 50 percent chose Clinton.`: a sentence opening with the document
    /// that is its source, set off by a comma, and no reporting verb. The document is the
    /// speaker.
    pub(super) fn in_source_statement(&mut self, first: usize, content_end: usize) -> Option<(Found, Speaker)> {
        let doc = self.doc;
        let words = doc.words();
        if doc.low(first) != "in"
            || !(words.articles.contains(doc.low(first + 1))
                || words.possessive_determiners.contains(doc.low(first + 1)))
        {
            return None;
        }
        let comma = (first + 2..content_end.min(first + MAX_SOURCE_OPENER_TOKENS)).find(|&k| doc.tok(k) == ",")?;
        let has_source = (first + 2..comma).any(|k| doc.words().source_document_nouns.contains(doc.low(k)));
        let statement_words = word_count(doc, comma + 1..content_end);
        if !has_source
            || statement_words < MIN_COLON_STATEMENT_WORDS
            || (first..comma).any(|k| doc.token_quote[k].is_some())
        {
            return None;
        }
        let speaker = Speaker::as_written(doc, first + 1..comma, SpeakerKind::Unknown, SpeakerRule::Label);
        self.cueless_record(speaker, comma + 1..content_end, Rule::InSource, ContentRule::AfterSourceOpener)
    }

    /// A record for a statement without a cue by `speaker` over the tokens `content` (past
    /// punctuation at its start).
    fn cueless_record(
        &mut self,
        speaker: Speaker,
        content: Range<usize>,
        rule: Rule,
        content_rule: ContentRule,
    ) -> Option<(Found, Speaker)> {
        let content = skip_punct(self.doc, content.start, content.end)..content.end;
        let (span, kind) = self.content_span(content.clone(), false)?;
        let stance = stance::stance_of(self.doc, None, false, content);
        let draft = Draft {
            span,
            kind,
            speaker: Some(&speaker),
            cue: None,
            stance,
            target: None,
            confidence: rule.confidence(),
            rule,
            content: content_rule,
        };
        Some((build_record(self.doc, draft), speaker))
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_no_quote, assert_rule_rows};

    /// Speakers named without a reporting verb.
    const TABLE: &[RuleRow] = &[
        (r#"Reid: "We will not back down.""#, "We will not back down.", Some("Reid"), "direct.colon_label"),
        (
            r#"Governor Mary Olsen released the following statement: "I have made mistakes.""#,
            "I have made mistakes.",
            Some("Mary Olsen"),
            "direct.colon_subject",
        ),
        (
            "\"We counted every bed, and we counted every night somebody slept outside.\"\n\n- Marcus Bell.",
            "We counted every bed, and we counted every night somebody slept outside.",
            Some("Marcus Bell"),
            "direct.signature",
        ),
        (
            r#"Senator Ruth Alvarez credited the new shelters to "a council that finally stopped pretending winter is a surprise.""#,
            "a council that finally stopped pretending winter is a surprise.",
            Some("Ruth Alvarez"),
            "direct.sentence_subject",
        ),
        (
            "Ana Ruiz said the count was fair.\n\n\"Nobody cheated, and nobody will.\"",
            "Nobody cheated, and nobody will.",
            Some("Ana Ruiz"),
            "direct.inherited.next_paragraph",
        ),
        (
            "Elizabeth Warren: Trump Is a Failure on Trade",
            "Trump Is a Failure on Trade",
            Some("Elizabeth Warren"),
            "cueless.colon_statement",
        ),
        (
            "In a new poll by Civic Pulse, 52 percent chose the mayor.",
            "52 percent chose the mayor",
            Some("a new poll by Civic Pulse"),
            "cueless.in_source",
        ),
    ];

    #[test]
    fn speakers_named_without_a_cue() {
        assert_rule_rows(TABLE);
    }

    #[test]
    fn section_labels_name_no_speaker() {
        assert_no_quote(&[
            (
                "Photo: Harbour workers at the Eastgate terminal on Monday.",
                "Harbour workers at the Eastgate terminal on Monday",
            ),
            (
                "Editor's note: This story has been updated with new figures.",
                "This story has been updated with new figures",
            ),
        ]);
    }
}
