//! Attribution: turning quotation marks and reporting cues into quote records.
//!
//! Owns the walk over a document's sentences in order (this file) and, for each sentence,
//! the rules that find its statements, one file per decision:
//! - `direct`: quotation-mark quotes with a cue next to them (after the quote, before it with
//!   a colon or comma, the sentence before ending in a speaker and cue), split quotes and
//!   quotes whose cue follows the writer's own lead-in (mixed);
//! - `cueless`: quotes and statements whose speaker is named without a reporting verb (a
//!   `Name:` label, an introducing colon, a signature line under the quote, the paragraph's
//!   latest speaker, the subject of the writer's sentence, "In a poll by X, ...");
//! - `reported`: reported speech, indirect and mixed ("X said (that) ...", "X denied ...",
//!   "according to X, ...", "X declined to comment", "..., X said", "..., said X") and reports
//!   nested in another report's content; every cue of a sentence gets its own clause;
//! - `sourceless`: reported content with no source in the text ("Asked whether ...", "is
//!   expected to", "reportedly");
//! - `nominal`: statements reported by a noun after a possessor ("Trump's claim that ...");
//! - `not_statements`: quoted text that is no statement (scare quotes, titles, names of
//!   works, slogans, bylined headlines, borrowed phrases, markup values);
//! - `clause` and `subject`: where a cue's content starts and ends, and which subject and
//!   verb form a clause has (passive, progressive, coordinated);
//! - `record`: the record built from what a rule found, with the rules' names.
//!
//! Invariants: each cue token and each quotation-mark piece belongs to at most one record
//! (`used_cue`, `consumed`); records come out in text order; each names the rule that
//! attributed it, whose base confidence is in [`crate::nlp::rules`]. It must not find speakers
//! itself (see `speakers`) or decide stance words (see `stance`), and never panics: all
//! indexing is checked.

mod clause;
mod cueless;
mod direct;
mod nominal;
mod not_statements;
mod record;
mod reported;
mod sourceless;
mod subject;

use super::Document;
use super::lexicon::CueFrame;
use super::pages;
use super::rules::{ContentRule, Rule};
use super::speakers::{Speaker, SpeakerFinder};
use super::stance::{self, CueAt, Judgement};
use crate::model::{PageKind, QuoteKind, SpeakerKind};

pub(crate) use record::{Draft, Found, build_record};

/// Who said a quote, and how sure we are.
#[derive(Debug, Clone)]
struct Attribution<'l> {
    speaker: Speaker,
    cue: Option<CueAt<'l>>,
    negated: bool,
    confidence: f32,
    /// The rule that found the speaker and cue.
    rule: Rule,
    /// The cue also introduces reported speech of its own (`"..." Smith said the ruling
    /// ignored evidence.`), so the reported-speech pass may use it again.
    reusable: bool,
}

/// Every quote of a document, in text order, with the rules that produced it.
pub(crate) fn attribute(doc: &Document<'_>, kind: PageKind, publisher: Option<&str>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut excluded = vec![false; doc.paragraphs.len()];
    let turns = if kind == PageKind::Transcript {
        Some(pages::transcript_turns(doc))
    } else {
        pages::interview_turns(doc, publisher)
    };
    if let Some((turns, in_turn)) = turns {
        found.extend(turns);
        excluded = in_turn;
    }
    let mut walker = Walker::new(doc, excluded);
    walker.run();
    found.extend(walker.finish());
    if kind == PageKind::PressRelease {
        let statements = pages::press_release_statements(doc, publisher, &found);
        found.extend(statements);
    }
    // The page's publisher is an organisation even where the tagger missed the name.
    if let Some(publisher) = publisher.filter(|p| !p.trim().is_empty()) {
        for r in found.iter_mut().map(|f| &mut f.record).filter(|r| r.speaker_kind == SpeakerKind::Unknown) {
            if r.speaker.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case(publisher.trim())) {
                r.speaker_kind = SpeakerKind::Organization;
                r.speaker_entity.get_or_insert_with(|| publisher.trim().to_string());
            }
        }
    }
    found.sort_by_key(|f| (f.record.start, f.record.end));
    found
}

/// Quotation-mark quotes only, unattributed (text in languages without lexicons).
pub(crate) fn bare_quotes(doc: &Document<'_>) -> Vec<Found> {
    doc.quotes
        .iter()
        .filter(|p| !not_statements::is_scare_quote(doc, p.content.clone()))
        .map(|p| {
            build_record(
                doc,
                Draft {
                    span: p.content.clone(),
                    kind: QuoteKind::Direct,
                    speaker: None,
                    cue: None,
                    stance: Judgement::neutral(),
                    target: None,
                    confidence: Rule::BareQuotationMarks.confidence(),
                    rule: Rule::BareQuotationMarks,
                    content: ContentRule::Quoted,
                },
            )
        })
        .collect()
}

/// The state of one walk over a document.
struct Walker<'d, 'a> {
    doc: &'d Document<'a>,
    finder: SpeakerFinder<'d, 'a>,
    excluded: Vec<bool>,
    used_cue: Vec<bool>,
    /// Direct candidates per quote piece.
    direct: Vec<Option<Found>>,
    /// Pieces whose speaker and cue follow them in the same sentence (`“...,” he claimed`).
    cue_after: Vec<bool>,
    consumed: Vec<bool>,
    handled_group: Vec<bool>,
    reported: Vec<Found>,
    /// The last attribution given to a direct quote or reported speech, with its paragraph.
    last_direct: Option<(usize, Attribution<'d>)>,
}

impl<'d, 'a> Walker<'d, 'a> {
    fn new(doc: &'d Document<'a>, excluded: Vec<bool>) -> Self {
        let groups = doc.quotes.iter().map(|q| q.group + 1).max().unwrap_or(0);
        Walker {
            doc,
            finder: SpeakerFinder::new(doc),
            excluded,
            used_cue: vec![false; doc.tokens.len()],
            direct: vec![None; doc.quotes.len()],
            cue_after: vec![false; doc.quotes.len()],
            consumed: vec![false; doc.quotes.len()],
            handled_group: vec![false; groups],
            reported: Vec::new(),
            last_direct: None,
        }
    }

    /// Walks the sentences in order: the quotation-mark quotes opening in each, then its
    /// reported speech and nominal statements.
    fn run(&mut self) {
        let doc = self.doc;
        let mut next_piece = 0;
        for s in 0..doc.sentences.len() {
            let para = doc.sentence_para[s];
            let sentence = doc.sentences[s].clone();
            while next_piece < doc.quotes.len() && doc.quotes[next_piece].open < sentence.end {
                let q = next_piece;
                next_piece += 1;
                let excluded = self.excluded.get(para).copied().unwrap_or(false);
                let group = doc.quotes[q].group;
                if excluded || self.handled_group.get(group).copied().unwrap_or(true) {
                    continue;
                }
                if let Some(h) = self.handled_group.get_mut(group) {
                    *h = true;
                }
                self.direct_group(q);
            }
            if !self.excluded.get(para).copied().unwrap_or(false) {
                self.reported_in(s);
                self.nominal_in(s);
            }
        }
    }

    /// The reported statements, then every direct quote not taken into a mixed one.
    fn finish(self) -> Vec<Found> {
        let mut out = self.reported;
        for (q, rec) in self.direct.into_iter().enumerate() {
            if let Some(rec) = rec
                && !self.consumed.get(q).copied().unwrap_or(false)
            {
                out.push(rec);
            }
        }
        out
    }

    /// The paragraph of token `t`.
    fn para_of_token(&self, t: usize) -> usize {
        self.doc.token_para.get(t).copied().unwrap_or(0)
    }

    /// The speaker right after cue `c`: any source phrase for "according to", a speaker
    /// mention otherwise.
    fn source_after(&self, c: &CueAt<'_>, end: usize) -> Option<Speaker> {
        if c.frame() == CueFrame::According {
            self.finder.source_after(c.end(), end)
        } else {
            self.finder.after(c.end(), end)
        }
    }

    /// An unused cue starting at token `t`.
    fn free_cue(&self, t: usize) -> Option<CueAt<'d>> {
        stance::cue_at(self.doc, t).filter(|c| !self.cue_used(c))
    }

    /// Whether a token of cue `c` already belongs to a quote.
    fn cue_used(&self, c: &CueAt<'_>) -> bool {
        (c.at..c.end()).any(|k| self.used_cue.get(k).copied().unwrap_or(true))
    }

    /// Marks the tokens of cue `c` as used, so no other quote takes it.
    fn mark_used(&mut self, c: &CueAt<'_>) {
        for k in c.at..c.end() {
            if let Some(u) = self.used_cue.get_mut(k) {
                *u = true;
            }
        }
    }
}
