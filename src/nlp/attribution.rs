//! Attribution: turning quotation marks and reporting cues into quote records.
//!
//! Owns the walk over a document's sentences in order, and for each: direct quotes (speaker
//! and cue after the quote, before it with a colon or comma, a `Name:` label, the sentence
//! before when it ends in a speaker and cue, inherited across a split quote, from an
//! introducing paragraph ending in a colon, from a signature line under the quote ("- Bernie
//! Sanders."), from the paragraph's latest speaker, direct or reported, or from the subject
//! of the writer's sentence around the quote), then reported speech (indirect and mixed: "X
//! said (that) ...", "X denied ...", "according to X, ...", "X declined to comment", "...,
//! X said", "..., said X", and reports nested in another report's content), then statements
//! reported by a noun after a possessor ("Trump's claim that ..."). Every cue of a sentence
//! gets its own clause: a later cue joined by "and", "but" or a comma (", saying ...", "but
//! warned ...") ends the content of the earlier one and inherits its subject. Passive cues
//! ("was accused"), reduced relatives ("a man claiming"), questions ("asked whether he
//! blamed") and cue words read as nouns ("50 states") report nothing. Scare quotes, titles,
//! names of works and slogans, bylined headlines and short borrowed phrases inside the
//! writer's own sentence are not statements. It must not find speakers itself (see
//! `speakers`) or decide stance words (see `stance`), and never panics: all indexing is
//! checked.

use std::ops::Range;

use super::Document;
use super::lexicon::CueFrame;
use super::pages;
use super::quotes::QuotePiece;
use super::speakers::{Speaker, SpeakerFinder};
use super::stance::{self, CueAt};
use crate::model::{EntityLabel, PageKind, QuoteKind, QuoteRecord, SpeakerKind, Stance};

/// Quoted spans of this many words or fewer with no cue are scare quotes or titles.
const MAX_SCARE_QUOTE_WORDS: usize = 3;

/// Longest Title Case name of a work or slogan in quotation marks ("Crippled America: How
/// to Make America Great Again").
const MAX_WORK_TITLE_WORDS: usize = 10;

/// Longest title in quotation marks after a preposition ("on “Meet the Press”").
const MAX_TITLE_WORDS: usize = 6;

/// Unattributed quoted spans of this many words or fewer inside a sentence are borrowed
/// phrases, not statements.
const MAX_EMBEDDED_PHRASE_WORDS: usize = 7;

/// Words a statement must still have after an inverted attribution in its middle ("The
/// paradox, says Anthony, a historian, is that ...") to run on past it.
const MIN_RESUMED_WORDS: usize = 4;

/// Longest subject between the comma and a closing cue ("..., the former secretary of
/// state said.").
const MAX_CLOSING_SUBJECT_TOKENS: usize = 8;

/// Fewest words of the writer's own before a quote for the statement to count as mixed.
const MIN_MIXED_LEAD_WORDS: usize = 2;

/// Longest `Speaker:` label before a statement ("Joe Scarborough:", "Wash Post Fact-Check:").
const MAX_COLON_SPEAKER_TOKENS: usize = 5;

/// Fewest words after `Speaker:` for a statement rather than a label ("Photo: Reuters").
const MIN_COLON_STATEMENT_WORDS: usize = 3;

/// Confidence of a statement whose speaker is named but that has no reporting verb
/// ("Warren: ...", "In a poll by X, ...").
const CUELESS_CONFIDENCE: f32 = 0.5;

/// Base confidence of a statement reported by a noun ("his claim that ...").
const NOMINAL_CONFIDENCE: f32 = 0.45;

/// Less confidence for a report nested in another one ("Smith said Jones claimed ...").
const NESTED_PENALTY: f32 = 0.15;

/// Confidence of what a person is said to seem to say or want ("Rubio seemed to urge ...").
const SEEMING_CONFIDENCE: f32 = 0.4;

/// Confidence of content reported without a source in the text.
const SOURCELESS_CONFIDENCE: f32 = 0.3;

/// Most tokens between the two pieces of a quote split around its attribution
/// (`“...,” said the former secretary of state, “...”`).
const MAX_SPLIT_GAP_TOKENS: usize = 16;

/// How far (tokens) back from the end of the sentence before a quote its speaker-and-cue
/// may stand ("Bystrom agreed on Tuesday. “...”").
const MAX_TRAILING_CUE_TOKENS: usize = 6;

/// How far (tokens) after a closing mark a speaker-and-cue may still attribute the quote.
const MAX_AFTER_QUOTE_TOKENS: usize = 14;

/// The same reach when a name follows the closing mark, for a long apposition between it
/// and the cue.
const MAX_APPOSITION_AFTER_QUOTE_TOKENS: usize = 30;

/// Longest addressee between a "told" cue and the quote it introduces ("told the mayors who
/// gathered in Indianapolis, “...”").
const MAX_ADDRESSEE_TOKENS: usize = 16;

/// Longest phrase of manner or occasion between a cue and the quote it introduces ("replied
/// evenly, “...”", "concluded so eloquently and timelessly, “...”").
const MAX_MANNER_TOKENS: usize = 7;

/// How far (tokens) the verb after a noun-phrase subject may be ("The attorney general of
/// the state of New York is suing ...").
const MAX_SUBJECT_PHRASE_TOKENS: usize = 12;

/// Base confidence of a quote signed by a dash line under it (`- Bernie Sanders.`).
const SIGNATURE_CONFIDENCE: f32 = 0.75;

/// Base confidence of a quote given to the subject of the sentence around it, with no cue.
const SUBJECT_CONFIDENCE: f32 = 0.45;

/// Confidence of a quote with no speaker at all.
const UNATTRIBUTED_CONFIDENCE: f32 = 0.3;

/// Who said a quote, and how sure we are.
#[derive(Debug, Clone)]
struct Attribution<'l> {
    speaker: Speaker,
    cue: Option<CueAt<'l>>,
    negated: bool,
    confidence: f32,
    /// The cue also introduces reported speech of its own (`"..." Smith said the ruling
    /// ignored evidence.`), so the reported-speech pass may use it again.
    reusable: bool,
}

/// Every quote of a document, in text order.
pub(crate) fn attribute(doc: &Document<'_>, kind: PageKind, publisher: Option<&str>) -> Vec<QuoteRecord> {
    let mut records = Vec::new();
    let mut excluded = vec![false; doc.paragraphs.len()];
    if kind == PageKind::Transcript {
        let (turns, in_turn) = pages::transcript_turns(doc);
        records.extend(turns);
        excluded = in_turn;
    }
    let mut walker = Walker::new(doc, excluded);
    walker.run();
    records.extend(walker.finish());
    if kind == PageKind::PressRelease {
        let statements = pages::press_release_statements(doc, publisher, &records);
        records.extend(statements);
    }
    // The page's publisher is an organisation even where the tagger missed the name.
    if let Some(publisher) = publisher.filter(|p| !p.trim().is_empty()) {
        for r in records.iter_mut().filter(|r| r.speaker_kind == SpeakerKind::Unknown) {
            if r.speaker.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case(publisher.trim())) {
                r.speaker_kind = SpeakerKind::Organization;
                r.speaker_entity.get_or_insert_with(|| publisher.trim().to_string());
            }
        }
    }
    records.sort_by_key(|r| (r.start, r.end));
    records
}

/// Quotation-mark quotes only, unattributed (text in languages without lexicons).
pub(crate) fn bare_quotes(doc: &Document<'_>) -> Vec<QuoteRecord> {
    doc.quotes
        .iter()
        .filter(|p| !is_scare_quote(doc, p.content.clone()))
        .map(|p| QuoteRecord {
            text: doc.text.slice(p.content.clone()).to_string(),
            start: p.content.start,
            end: p.content.end,
            kind: QuoteKind::Direct,
            speaker: None,
            speaker_kind: SpeakerKind::Unknown,
            speaker_start: None,
            speaker_end: None,
            speaker_entity: None,
            cue: None,
            stance: Stance::Neutral,
            target: None,
            confidence: UNATTRIBUTED_CONFIDENCE,
        })
        .collect()
}

/// Short quoted content without sentence punctuation: a title or scare quote.
fn is_scare_quote(doc: &Document<'_>, content: Range<usize>) -> bool {
    let words = doc.text.slice(content.clone()).split_whitespace().count();
    let last = if content.end > content.start { doc.text.at(content.end - 1) } else { '\0' };
    words <= MAX_SCARE_QUOTE_WORDS && !matches!(last, '.' | '!' | '?')
}

/// Quoted words inside a sentence of the writer's own ("called the plan “a disaster”"):
/// with no cue of their own they are a phrase borrowed inside another statement or a
/// scare quote, not a statement by themselves.
fn is_embedded_phrase(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let words = doc.text.slice(piece.content.clone()).split_whitespace().count();
    let mut i = piece.open;
    while i > 0 && doc.text.at(i - 1).is_whitespace() && doc.text.at(i - 1) != '\n' {
        i -= 1;
    }
    let prev = doc.text.before(i);
    words <= MAX_EMBEDDED_PHRASE_WORDS && !matches!(prev, '\0' | '\n' | '.' | '!' | '?' | ':' | '"' | '“' | '”')
}

/// A title in quotation marks ("said on “Fox News Sunday.”", "in his memoir “An American
/// Son.”"): a few capitalised words after a preposition or possessive, not a statement.
fn is_title(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let text = doc.text.slice(piece.content.clone());
    let words: Vec<&str> = text.split_whitespace().collect();
    let titled = words.iter().all(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.is_empty() || w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) || doc.lex.is_function_word(w)
    });
    let open_tok = doc.token_at_or_after(piece.open);
    let prev = if open_tok > 0 { doc.low(open_tok - 1) } else { "" };
    let after_preposition = doc.words().title_introducers.contains(prev);
    !words.is_empty() && words.len() <= MAX_TITLE_WORDS && titled && after_preposition
}

/// A quoted name of a work or slogan with no cue of its own: Title Case words (`the “Make
/// America Great Again” hat`, `the show “Broad City”`), or a headline followed by its byline
/// or link (`"Posthumous books could come with a lot of dollar signs," by Carey Dunne:
/// http://...`).
fn is_work_title(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    let text = doc.text.slice(piece.content.clone());
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let capital = |w: &str| w.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    let capitalised = words.iter().filter(|w| capital(w)).count();
    // `“Donald Trump.”` opening its own sentence is a statement, names or not.
    let open_tok = doc.token_at_or_after(piece.open);
    let opens_sentence = open_tok == 0
        || doc.token_sentence.get(open_tok) != doc.token_sentence.get(open_tok - 1)
        || doc.token_quote[open_tok - 1].is_some();
    let sentence = opens_sentence && text.trim_end().ends_with(['.', '!', '?']);
    let title_case = !sentence
        && words.len() >= 2
        && words.len() <= MAX_WORK_TITLE_WORDS
        && capitalised >= 2
        && words.iter().all(|w| capital(w) || doc.lex.is_function_word(w));
    let byline = piece.close.is_some_and(|close| {
        let after = doc.token_at_or_after(close) + 1;
        let k = skip_punct(doc, after, (after + 2).min(doc.tokens.len()));
        k < doc.tokens.len()
            && doc.token_para.get(k) == doc.token_para.get(after.saturating_sub(1))
            && (doc.low(k) == "by" || doc.low(k).starts_with("http"))
    });
    title_case || byline
}

/// `name="value"`: a quoted attribute value in leftover markup.
fn is_markup_value(doc: &Document<'_>, piece: &QuotePiece) -> bool {
    doc.text.before(piece.open) == '='
}

fn is_terminal(word: &str) -> bool {
    matches!(word, "." | "!" | "?" | "…" | "..." | ";")
}

fn is_punct(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
}

struct Walker<'d, 'a> {
    doc: &'d Document<'a>,
    finder: SpeakerFinder<'d, 'a>,
    excluded: Vec<bool>,
    used_cue: Vec<bool>,
    /// Direct candidates per quote piece.
    direct: Vec<Option<QuoteRecord>>,
    /// Pieces whose speaker and cue follow them in the same sentence (`“...,” he claimed`).
    cue_after: Vec<bool>,
    consumed: Vec<bool>,
    handled_group: Vec<bool>,
    reported: Vec<QuoteRecord>,
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

    fn finish(self) -> Vec<QuoteRecord> {
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

    fn para_of_token(&self, t: usize) -> usize {
        self.doc.token_para.get(t).copied().unwrap_or(0)
    }

    /// Attributes every piece of the quote group starting at piece `q0`.
    fn direct_group(&mut self, q0: usize) {
        let doc = self.doc;
        let group = doc.quotes[q0].group;
        let pieces: Vec<usize> = (q0..doc.quotes.len()).take_while(|&q| doc.quotes[q].group == group).collect();
        let mut found = None;
        for &q in &pieces {
            found = match self.after_quote(q) {
                // `Hayek ... said, “...” The star then recalled ...`: a cue right before the
                // quote beats one in the next sentence.
                Some(after) if after.reusable => {
                    Some(self.before_quote(q).filter(|b| self.introduces(b, q)).unwrap_or(after))
                }
                Some(after) => {
                    self.cue_after[q] = true;
                    Some(after)
                }
                None => self.before_quote(q),
            };
            if found.is_some() {
                break;
            }
        }
        let open_tok = doc.token_at_or_after(doc.quotes[q0].open);
        let para = self.para_of_token(open_tok);
        let split_rest = q0 > 0 && self.direct[q0 - 1].is_some() && self.split_around_cue(q0 - 1, q0);
        let introduced = found.as_ref().is_some_and(|a| self.introduces(a, q0));
        let borrowed = !split_rest && !introduced && pieces.len() == 1 && is_embedded_phrase(doc, &doc.quotes[q0]);
        let own_cue = found.is_some();
        if found.is_none() && !borrowed {
            found = pieces
                .last()
                .and_then(|&q| self.signature_after(q))
                .or_else(|| self.inherited(q0, para))
                .or_else(|| self.sentence_subject(q0));
        } else if found.as_ref().is_some_and(|a| a.reusable)
            && let Some(prev) =
                self.inherited(q0, para).filter(|_| self.last_direct.as_ref().is_some_and(|(p, _)| *p == para))
        {
            // `“...,” said Clyburn. “I would love ...” Rep. Israel said the party ...`: a
            // new sentence after the quote reports on its own; the quote continues the
            // paragraph's speaker.
            found = Some(prev);
        }
        let title = pieces.len() == 1
            && !introduced
            && (is_title(doc, &doc.quotes[q0]) || !own_cue && is_work_title(doc, &doc.quotes[q0]));
        if borrowed && found.as_ref().is_none_or(|a| a.confidence < 0.85)
            || title
            || is_markup_value(doc, &doc.quotes[q0])
        {
            return; // a title or phrase after "said on ABC's", or an attribute value in markup
        }
        let Some(att) = found else {
            for &q in &pieces {
                let content = doc.quotes[q].content.clone();
                if pieces.len() == 1 && is_scare_quote(doc, content.clone()) || is_embedded_phrase(doc, &doc.quotes[q])
                {
                    continue;
                }
                self.direct[q] =
                    Some(self.record(content, QuoteKind::Direct, None, Stance::Neutral, None, UNATTRIBUTED_CONFIDENCE));
            }
            return;
        };
        if let Some(c) = att.cue.as_ref().filter(|_| !att.reusable) {
            self.mark_used(c);
            // `"...," Hanify, the president of the Indiana state union, said`: nothing
            // between the quote and its cue reports anything.
            if let Some(close) =
                pieces.iter().filter_map(|&q| doc.quotes[q].close).rfind(|&cl| cl < doc.tokens[c.at].start)
            {
                let from = doc.token_at_or_after(close) + 1;
                if c.at > from && c.at - from <= MAX_APPOSITION_AFTER_QUOTE_TOKENS {
                    for u in &mut self.used_cue[from..c.at] {
                        *u = true;
                    }
                }
            }
        }
        self.finder.remember(open_tok, &att.speaker);
        for &q in &pieces {
            let mut content = doc.quotes[q].content.clone();
            let mut kind = QuoteKind::Direct;
            if let Some(lead) = self.paraphrased_lead(q, &att) {
                // `Trump's misinformation may be "strategic," said Hemsley`: the writer's
                // words lead into the quoted ones, all of it attributed.
                content = doc.tokens[lead].start..doc.quotes[q].outer().end;
                kind = QuoteKind::Mixed;
            }
            let content_tokens = doc.token_at_or_after(content.start)..doc.token_at_or_after(content.end);
            let stance = stance::stance_of(doc, att.cue.as_ref(), att.negated, content_tokens);
            self.direct[q] = Some(self.record(content, kind, Some(&att), stance, None, att.confidence));
        }
        let last_para = pieces.last().map_or(para, |&q| self.para_of_token(doc.token_at_or_after(doc.quotes[q].open)));
        self.last_direct = Some((last_para, att));
    }

    /// "Smith said, “...”": the attribution's cue stands right before the mark of piece `q`,
    /// with only a comma or colon between.
    fn introduces(&self, att: &Attribution<'_>, q: usize) -> bool {
        let doc = self.doc;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        att.cue
            .as_ref()
            .is_some_and(|c| c.end() <= open_tok && (c.end()..open_tok).all(|k| matches!(doc.tok(k), "," | ":")))
    }

    /// The first token of the writer's own words that lead into quote piece `q` within its
    /// sentence, when its attribution follows the quote and no cue stands before it: at least
    /// [`MIN_MIXED_LEAD_WORDS`] words, none quoted.
    fn paraphrased_lead(&self, q: usize, att: &Attribution<'_>) -> Option<usize> {
        let doc = self.doc;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        let cue_after = att.cue.as_ref().is_some_and(|c| c.at > open_tok);
        let s = *doc.token_sentence.get(open_tok)?;
        let start = doc.sentence_tokens.get(s)?.start;
        if !cue_after || start >= open_tok {
            return None;
        }
        let lead = start..open_tok;
        let words = word_count(doc, lead.clone());
        let plain = lead.clone().all(|k| doc.token_quote[k].is_none() && stance::cue_at(doc, k).is_none());
        (words >= MIN_MIXED_LEAD_WORDS && plain).then_some(start)
    }

    /// Whether piece `q` continues piece `p` of the same sentence across its attribution:
    /// `“...,” said Smith, “and ...”` (only a cue phrase and commas between them).
    fn split_around_cue(&self, p: usize, q: usize) -> bool {
        let doc = self.doc;
        let Some(close) = doc.quotes[p].close else { return false };
        let from = doc.token_at_or_after(close) + 1;
        let to = doc.token_at_or_after(doc.quotes[q].open);
        from < to
            && to - from <= MAX_SPLIT_GAP_TOKENS
            && (from..to).all(|k| doc.token_quote[k].is_none() && !is_terminal(doc.tok(k)))
            && (from..to).any(|k| self.used_cue.get(k).copied().unwrap_or(false))
    }

    /// `"...," Smith said.` / `"...," said Smith.` / `"..." Smith said on Tuesday.`
    fn after_quote(&self, q: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let piece = &doc.quotes[q];
        let close = piece.close?;
        let close_tok = doc.token_at_or_after(close);
        let para = self.para_of_token(close_tok);
        let mut a = close_tok + 1;
        while a < doc.tokens.len() && matches!(doc.tok(a), "," | "—" | "–" | "-" | "--") {
            a += 1;
        }
        let mut end = a;
        let mut in_parens = false; // "Harry Reid (D-Nev.) said": the period is not an end
        while end < doc.tokens.len()
            && self.para_of_token(end) == para
            && doc.token_quote[end].is_none()
            && (in_parens || !is_terminal(doc.tok(end)) && doc.tok(end) != ":")
        {
            match doc.tok(end) {
                "(" => in_parens = true,
                ")" => in_parens = false,
                _ => {}
            }
            end += 1;
        }
        if a >= end {
            return None;
        }
        let last = doc.text.at(piece.content.end.saturating_sub(1));
        let new_sentence = matches!(last, '.' | '!' | '?') && doc.tok(a).chars().next().is_some_and(char::is_uppercase);
        let penalty = if new_sentence { 0.15 } else { 0.0 };
        if let Some(c) = self.free_cue(a)
            && (c.m.cue.inverts || c.frame() == CueFrame::According)
        {
            // Right after the quote and its cue, any determiner phrase is the speaker
            // ("...,” said an Iowa Democrat).
            let speaker = self.finder.source_after(c.end(), end)?;
            let confidence = speaker_confidence(&speaker, 0.9) - penalty;
            return Some(Attribution { speaker, cue: Some(c), negated: false, confidence, reusable: new_sentence });
        }
        // `"...," Fred Kagan, director of the Critical Threats Project at the American
        // Enterprise Institute, said`: after a name, a long apposition may come first.
        let named = doc.token_entity[a].is_some() || doc.tok(a).starts_with(char::is_uppercase);
        let reach = if named { MAX_APPOSITION_AFTER_QUOTE_TOKENS } else { MAX_AFTER_QUOTE_TOKENS };
        for k in a..end.min(a + reach) {
            let Some(c) = self.free_cue(k) else { continue };
            if c.frame() == CueFrame::According {
                let speaker = self.finder.source_after(c.end(), end)?;
                let confidence = speaker_confidence(&speaker, 0.85) - penalty;
                return Some(Attribution { speaker, cue: Some(c), negated: false, confidence, reusable: new_sentence });
            }
            // `"...," as his father dreamed, Mr. Turry said`: an adverbial clause may come
            // between the quote and its speaker.
            let interrupted = || {
                let comma = (a + 1..k).rev().find(|&j| doc.tok(j) == ",")?;
                let clause = (a..comma).all(|j| stance::cue_at(doc, j).is_none() && !is_terminal(doc.tok(j)));
                let adverbial = doc.tok(a).starts_with(char::is_lowercase) && !doc.words().is_pronoun(doc.low(a));
                (clause && adverbial).then(|| self.finder.before(comma + 1, k, true)).flatten()
            };
            // `"...," nuclear experts David Albright and Serena Kelleher-Vergantini of the
            // Institute for Science wrote`: the first person of a long subject.
            let first_person = || {
                let plain = (a..k).all(|j| !matches!(doc.tok(j), "," | ";" | ":") && !is_terminal(doc.tok(j)));
                (a..k)
                    .find(|&j| doc.token_entity[j].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))
                    .filter(|_| plain)
                    .and_then(|j| self.finder.subject_at(j))
            };
            let Some(speaker) = self
                .finder
                .before(a, k, true)
                .or_else(interrupted)
                .or_else(first_person)
                .or_else(|| self.finder.phrase_subject(a, k))
            else {
                continue; // "the Indiana state firefighters union, said": a later cue may fit
            };
            let negated = stance::negated(doc, speaker.tokens.end, k);
            let confidence = speaker_confidence(&speaker, 0.9) - penalty;
            return Some(Attribution { speaker, cue: Some(c), negated, confidence, reusable: new_sentence });
        }
        None
    }

    /// `Smith said: "..."` / `According to Smith, "..."` / an introducing paragraph that
    /// ends with a colon.
    fn before_quote(&self, q: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let piece = &doc.quotes[q];
        let open_tok = doc.token_at_or_after(piece.open);
        let para = self.para_of_token(open_tok);
        let mut hi = open_tok;
        let para_start = hi == 0 || self.para_of_token(hi - 1) != para;
        if para_start {
            // "Smith said:\n\n“...": the previous paragraph introduces the quote.
            if hi == 0 || doc.tok(hi - 1) != ":" {
                return None;
            }
            hi -= 1;
        }
        let hi_para = self.para_of_token(hi.saturating_sub(1));
        let mut lo = hi;
        while lo > 0
            && self.para_of_token(lo - 1) == hi_para
            && doc.token_quote[lo - 1].is_none()
            && !is_terminal(doc.tok(lo - 1))
        {
            lo -= 1;
        }
        let end = if para_start { hi + 1 } else { hi };
        let colon = hi > lo && doc.tok(hi - 1) == ":";
        let Some(cue) = (lo..hi).rev().find_map(|k| self.free_cue(k)) else {
            return self.colon_intro(lo, end).or_else(|| self.previous_sentence_cue(q, lo));
        };
        let mut speaker = None;
        let mut content = self.content_start(&cue, end);
        // "Said Smith: “...”", "..., said Smith, “...”": the speaker follows a cue that opens
        // its clause; "Hollande Says Trump ‘...’" has its subject before.
        let opens_clause = cue.at <= lo || is_punct(doc.low(cue.at - 1));
        if (cue.m.cue.inverts && opens_clause || cue.frame() == CueFrame::According)
            && let Some(s) = self.source_after(&cue, end)
        {
            content = skip_punct(doc, s.tokens.end, end);
            // "Said Dorothy Poynter, who grew up with Ali, “...”": an apposition closed by
            // the comma before the quote.
            if doc.tok(s.tokens.end) == "," && end > s.tokens.end + 2 && doc.tok(end - 1) == "," {
                content = end;
            }
            speaker = Some(s);
        }
        // "told the Washington Post in a written statement, “...”": an addressee and its
        // modifiers, closed by a comma, still introduce the quote. So do adverbs and short
        // phrases of manner or occasion: "Sanders replied evenly, “...”", "Emanuel
        // acknowledged, however, “...”".
        let reach = if cue.frame() == CueFrame::Tell { MAX_ADDRESSEE_TOKENS } else { MAX_MANNER_TOKENS };
        let addressed = matches!(cue.frame(), CueFrame::Tell | CueFrame::Clause | CueFrame::Quote)
            && end > content + 1
            && end - content <= reach
            && doc.tok(end - 1) == ","
            && (content..end - 1).all(|k| {
                let w = doc.low(k);
                doc.token_quote[k].is_none()
                    && !is_terminal(w)
                    && stance::cue_at(doc, k).is_none()
                    && (cue.frame() == CueFrame::Tell
                        || !doc.words().is_pronoun(w) && w != "that" && !doc.words().be_forms.contains(w))
            });
        if addressed {
            content = end;
        }
        let past_words = content < end;
        // "He continued with an appeal to voters: “...”": a colon hands the quote to the cue
        // even past words of the writer's own.
        if past_words && !colon {
            return None; // words between cue and quote: reported speech, maybe mixed
        }
        if speaker.is_none() && cue.frame() != CueFrame::According {
            let first = (lo..cue.at).find(|&k| !is_punct(doc.low(k))).unwrap_or(cue.at);
            let first = dateline_end(doc, first, cue.at).unwrap_or(first);
            // "..., saying, “...”", "... and adding, “...”"
            let participle = doc.low(cue.at).ends_with("ing")
                && cue.at > first
                && (doc.low(cue.at - 1) == "," || doc.words().coordinators.contains(doc.low(cue.at - 1)));
            // "Park confirmed the talks had stalled and said, “...”": a coordinated cue
            // shares the clause's subject.
            let coordinated = cue.at > first + 1 && doc.words().coordinators.contains(doc.low(cue.at - 1));
            speaker = if participle || coordinated {
                // "..., saying, “...”": the subject of the sentence, or of a closing
                // attribution right before the participle ("..., Spicer said, adding, “...”").
                self.closing_before(first, cue.at)
                    .or_else(|| self.main_subject(first, cue.at))
                    .or_else(|| self.recent_speaker(cue.at))
            } else {
                // The cue leads straight into the quote: its subject is the speaker, whatever
                // noun heads it ("Another commenter said, “...”").
                self.finder.subject_before(lo, cue.at)
            };
        }
        let speaker = speaker?;
        let negated = stance::negated(doc, speaker.tokens.end.min(cue.at), cue.at);
        let confidence = speaker_confidence(&speaker, if past_words { 0.7 } else { 0.85 });
        Some(Attribution { speaker, cue: Some(cue), negated, confidence, reusable: false })
    }

    /// A colon with no cue before a quote, ending the words `lo..hi`: `Reid: “...”` (a name
    /// label opening the sentence, the headline and interview convention; mid-paragraph only
    /// a known name counts), or `Clinton released the following statement: “...”` (the
    /// sentence's subject).
    fn colon_intro(&self, lo: usize, hi: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        if hi <= lo + 1 || doc.tok(hi - 1) != ":" {
            return None;
        }
        let first = (lo..hi).find(|&k| !is_punct(doc.low(k)))?;
        let opens_para = first == 0 || self.para_of_token(first - 1) != self.para_of_token(first);
        let (speaker, base) = match self.colon_label(first, hi - 1).filter(|s| opens_para || s.entity.is_some()) {
            Some(label) => (label, 0.7),
            None => (self.main_subject(first, hi - 1)?, 0.6),
        };
        let confidence = speaker_confidence(&speaker, base);
        Some(Attribution { speaker, cue: None, negated: false, confidence, reusable: false })
    }

    /// `Bystrom agreed. “...”`: a quote opening the sentence right after one that ends in
    /// a speaker and cue with nothing reported takes that speaker and cue.
    fn previous_sentence_cue(&self, q: usize, lo: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        if lo != open_tok
            || lo == 0
            || !is_terminal(doc.tok(lo - 1))
            || self.para_of_token(lo - 1) != self.para_of_token(lo)
        {
            return None;
        }
        let term = lo - 1;
        let mut start = term;
        while start > 0
            && self.para_of_token(start - 1) == self.para_of_token(term)
            && doc.token_quote[start - 1].is_none()
            && !is_terminal(doc.tok(start - 1))
        {
            start -= 1;
        }
        let cue = (start..term).rev().take(MAX_TRAILING_CUE_TOKENS).find_map(|k| self.free_cue(k))?;
        if cue.frame() == CueFrame::According || self.content_start(&cue, term) < term {
            return None;
        }
        let speaker = self.finder.before(start, cue.at, false)?;
        let negated = stance::negated(doc, speaker.tokens.end.min(cue.at), cue.at);
        let confidence = speaker_confidence(&speaker, 0.7);
        Some(Attribution { speaker, cue: Some(cue), negated, confidence, reusable: false })
    }

    /// A quote with no cue of its own: the speaker of the previous quote in the paragraph
    /// (a quote split around its cue), or of the previous paragraph when this paragraph
    /// opens with the quote.
    fn inherited(&self, q: usize, para: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let (last_para, last) = self.last_direct.as_ref()?;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        let opens_para = open_tok == 0 || self.para_of_token(open_tok - 1) != para;
        let mut att = last.clone();
        if *last_para == para {
            att.confidence = (att.confidence - 0.1).max(0.4);
            return Some(att);
        }
        if *last_para + 1 == para && opens_para {
            att.confidence = 0.5;
            return Some(att);
        }
        None
    }

    /// `"...”` followed by a paragraph `- Bernie Sanders.` or `—President Obama, tweeting
    /// after the speech.`: a signature line under a quote that ends its paragraph names its
    /// speaker.
    fn signature_after(&self, q: usize) -> Option<Attribution<'d>> {
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
        let confidence = speaker_confidence(&speaker, SIGNATURE_CONFIDENCE);
        Some(Attribution { speaker, cue: None, negated: false, confidence, reusable: false })
    }

    /// `Sanders credited Clinton's victory to "a closed primary, ..."`: a quote inside a
    /// sentence of the writer's own, with no cue for it, is the words of the sentence's
    /// subject when that subject is a person or an organisation.
    fn sentence_subject(&self, q: usize) -> Option<Attribution<'d>> {
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
        let confidence = speaker_confidence(&speaker, SUBJECT_CONFIDENCE);
        Some(Attribution { speaker, cue: None, negated: false, confidence, reusable: false })
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

    /// Where the reported content starts after a cue: past an addressee ("told reporters"),
    /// modifiers ("in a statement"), time adverbials ("on Tuesday"), punctuation and "that".
    fn content_start(&self, cue: &CueAt<'_>, end: usize) -> usize {
        let doc = self.doc;
        let mut k = cue.end();
        if cue.frame() == CueFrame::Clause
            && doc.words().addressee_prepositions.contains(doc.low(k))
            && let Some(j) = self.addressee_that(k + 1, (k + 10).min(end), end)
        {
            k = j; // "wrote to Sanders' Senate office that ...", "wrote for The Informer that"
        }
        if cue.frame() == CueFrame::Tell && k < end {
            // "told members of the AFL-CIO executive council that ...": a longer addressee
            // runs to "that".
            if let Some(j) = self.addressee_that(k + 1, (k + 12).min(end), end) {
                k = j;
            } else if let Some(e) = doc.token_entity[k] {
                k = doc.entity_tokens.get(e).map_or(k + 1, |r| r.end);
                // "told The Star-Ledger of Newark last week she would ...": past the
                // addressee's place and a time phrase to a pronoun.
                if doc.words().addressee_continuations.contains(doc.low(k))
                    && let Some(j) = (k + 1..(k + 8).min(end))
                        .take_while(|&j| doc.token_quote[j].is_none() && !is_punct(doc.low(j)))
                        .find(|&j| doc.words().is_pronoun(doc.low(j)))
                {
                    k = j;
                }
            } else if doc.words().articles.contains(doc.low(k)) {
                // "told a news conference they are ...": a pronoun starts the content.
                let stop = (k + 1..(k + 5).min(end)).find(|&j| {
                    matches!(doc.low(j), "that" | "," | ":") || (j > k + 1 && doc.words().is_pronoun(doc.low(j)))
                });
                // "told a Senate panel." ends the sentence: the addressee is all there is.
                k = stop.unwrap_or(if end <= k + 5 { end } else { k + 2 });
            } else if !matches!(doc.low(k), "that" | "," | ":") {
                k += 1;
            }
        }
        let mut steps = 0;
        while k < end && steps < 8 {
            steps += 1;
            let w = doc.low(k);
            if matches!(w, "," | ":" | "—" | "–" | "-" | "--") {
                k += 1;
                continue;
            }
            let m = stance::modifier_at(doc, k, end);
            if m > 0 {
                k += m;
                continue;
            }
            if doc.words().quantity_phrases.contains_pair(w, doc.low(k + 1)) {
                break; // "reported at least six planes ...": a quantity, not a place
            }
            if doc.words().time_phrase_starts.contains(w) {
                // "noted in a guest column in Saturday's New York Times that ...", "said on
                // ABC's “This Week” that ...": phrases, a quoted title among them, up to "that".
                let that = (k + 1..(k + 16).min(end))
                    .take_while(|&j| {
                        doc.token_quote[j].is_some()
                            || !matches!(doc.tok(j), "," | ";" | ":" | "." | "—") && stance::cue_at(doc, j).is_none()
                    })
                    .find(|&j| doc.low(j) == "that" && j + 1 < end && !is_punct(doc.low(j + 1)));
                if let Some(j) = that {
                    k = j;
                    continue;
                }
                // "said Thursday during a taping in Buffalo, New York, that ..."
                let that = (k + 1..(k + 16).min(end))
                    .take_while(|&j| doc.token_quote[j].is_none() && !is_terminal(doc.tok(j)))
                    .find(|&j| doc.tok(j) == "," && doc.low(j + 1) == "that");
                if let Some(j) = that {
                    k = j + 1;
                    continue;
                }
                // "said during his victory speech Tuesday that ..."
                let stop = (k + 1..(k + 8).min(end)).find(|&j| matches!(doc.low(j), "," | "that" | ":"));
                if let Some(j) = stop {
                    k = j;
                    continue;
                }
                if doc.words().relative_days.contains(w) || w.ends_with("day") {
                    k += 1;
                    continue;
                }
                let next = doc.low(k + 1);
                if doc.words().time_determiners.contains(w)
                    && (next.ends_with("day") || doc.words().time_units.contains(next))
                {
                    k += 2; // "told reporters on Thursday he ..."
                    continue;
                }
            }
            if w == "that" {
                k += 1;
            }
            break;
        }
        k
    }

    /// The "that" ending an addressee between `from` and `to` (no quote, punctuation or
    /// pronoun before it), with words after it before `end`.
    fn addressee_that(&self, from: usize, to: usize, end: usize) -> Option<usize> {
        let doc = self.doc;
        (from..to)
            .take_while(|&j| {
                doc.token_quote[j].is_none() && !is_punct(doc.low(j)) && !doc.words().is_pronoun(doc.low(j))
            })
            .find(|&j| doc.low(j) == "that" && j + 1 < end)
    }

    /// The tokens of sentence `s` and where its content ends (before terminal punctuation).
    fn sentence_bounds(&self, s: usize) -> Option<(Range<usize>, usize)> {
        let doc = self.doc;
        let range = doc.sentence_tokens.get(s).cloned()?;
        let mut content_end = range.end;
        while content_end > range.start && is_terminal(doc.tok(content_end - 1)) {
            content_end -= 1;
        }
        Some((range, content_end))
    }

    /// Reported speech in sentence `s`: every free cue in order, each with its own clause
    /// (a second cue joined by "and", "but" or a comma ends the content of the first).
    fn reported_in(&mut self, s: usize) {
        let doc = self.doc;
        let Some((range, content_end)) = self.sentence_bounds(s) else { return };
        let send = range.end;
        let first_word = (range.start..send).find(|&k| !is_punct(doc.low(k))).unwrap_or(send);
        let first_word = dateline_end(doc, first_word, send).unwrap_or(first_word);
        // Every cue of the sentence ends the clause before it; only free ones report.
        let mut all_cues: Vec<CueAt<'d>> = Vec::new();
        let mut k = range.start;
        while k < send {
            match stance::cue_at(doc, k) {
                Some(c) => {
                    k = c.end();
                    all_cues.push(c);
                }
                None => k += 1,
            }
        }
        let cues: Vec<CueAt<'d>> =
            all_cues.iter().filter(|c| c.frame() != CueFrame::Quote && !self.cue_used(c)).copied().collect();
        let mut lo = range.start;
        let mut last: Option<Speaker> = None;
        if all_cues.is_empty()
            && let Some((record, speaker)) = self
                .colon_statement(range.clone(), content_end)
                .or_else(|| self.in_source_statement(first_word, content_end))
        {
            self.finder.remember(speaker.tokens.start, &speaker);
            self.reported.push(record);
            return;
        }
        // "Sanders plans to remain a Democrat, Devine said.": a closing attribution owns the
        // whole sentence before it, other cues included.
        if cues.len() > 1
            && let Some(c) = cues.last()
            && self.closing_attribution(c, first_word, content_end)
        {
            let ctx = Clause { lo, first_word, bound: content_end, content_end, last: None };
            if let Some((record, at, speaker, _)) = self.reported_at(c, &ctx) {
                self.mark_used(c);
                self.finder.remember(at, &speaker);
                self.reported.push(record);
                self.last_report(c, speaker);
                return;
            }
        }
        // Token range of the last record's content: a cue inside it may report a statement of
        // its own ("Smith said Jones claimed the vote was rigged").
        let mut outer: Option<(Range<usize>, f32)> = None;
        for c in &cues {
            if c.at < lo {
                if let Some((o, confidence)) = outer.clone().filter(|(o, _)| o.start < c.at && c.at < o.end) {
                    self.nested_at(c, o, confidence, &all_cues, first_word);
                }
                continue;
            }
            let bound = self.clause_end(c, &all_cues, content_end);
            let ctx = Clause { lo, first_word, bound, content_end, last: last.as_ref() };
            if let Some((record, resume)) = self.sourceless_at(c, &ctx) {
                self.mark_used(c);
                self.reported.push(record);
                lo = resume.max(c.end());
                continue;
            }
            if let Some((record, at, speaker, resume)) = self.reported_at(c, &ctx) {
                self.mark_used(c);
                self.finder.remember(at, &speaker);
                let start = doc.token_at_or_after(record.start);
                outer = (record.kind == QuoteKind::Indirect).then_some((start..resume, record.confidence));
                self.reported.push(record);
                lo = resume.max(c.end());
                self.last_report(c, speaker.clone());
                last = Some(speaker);
            }
        }
    }

    /// Where the clause of cue `c` ends: at the boundary before the first later cue of the
    /// sentence that opens a clause of its own, or at `end`.
    fn clause_end(&self, c: &CueAt<'_>, all_cues: &[CueAt<'_>], end: usize) -> usize {
        all_cues
            .iter()
            .filter(|n| n.at > c.at && !self.modal_cue(n, c.end()) && !self.tense_shift(c, n))
            .find_map(|n| self.clause_boundary(n, c.end(), end))
            .unwrap_or(end)
    }

    /// Reported speech at cue `c` nested in the content `outer` of an earlier report: its
    /// subject and content lie inside that content.
    fn nested_at(
        &mut self,
        c: &CueAt<'d>,
        outer: Range<usize>,
        outer_confidence: f32,
        all_cues: &[CueAt<'d>],
        first_word: usize,
    ) {
        let doc = self.doc;
        // Only cues that take a reported clause: nested objects ("backed Clinton", "support
        // from the oil companies") are mostly the outer speaker's words.
        let takes_clause = matches!(c.frame(), CueFrame::Clause | CueFrame::Tell);
        // "The report found that Clinton denied ...": an object cue with a stance of its own
        // (not support, whose objects are mostly people and plans) reports too.
        let stance_object =
            c.frame() == CueFrame::Object && !matches!(c.m.cue.stance, Stance::Neutral | Stance::Support);
        // "ignoring repeated warnings": a participle or preposition before the word makes it
        // an adjective, not a cue.
        let prev = doc.low(c.at.saturating_sub(1));
        if self.cue_used(c)
            || !(takes_clause || stance_object)
            || c.m.cue.weak
            || prev.ends_with("ing")
            || doc.words().nested_cue_blockers.contains(prev)
        {
            return;
        }
        let bound = self.clause_end(c, all_cues, outer.end);
        let ctx = Clause {
            lo: outer.start,
            first_word: first_word.max(outer.start),
            bound,
            content_end: outer.end,
            last: None,
        };
        if let Some((mut record, at, speaker, _)) = self.reported_at(c, &ctx) {
            self.mark_used(c);
            self.finder.remember(at, &speaker);
            // No surer than the report it is nested in.
            record.confidence = (record.confidence.min(outer_confidence) - NESTED_PENALTY).max(0.05);
            self.reported.push(record);
        }
    }

    /// Remembers the speaker of reported speech at cue `c` as the paragraph's latest, so a
    /// quote that follows without a cue of its own is theirs (`..., said Professor Beck.
    /// “That was more her constituency.”`).
    fn last_report(&mut self, c: &CueAt<'d>, speaker: Speaker) {
        let para = self.para_of_token(c.at);
        let att = Attribution { speaker, cue: Some(*c), negated: false, confidence: 0.6, reusable: true };
        self.last_direct = Some((para, att));
    }

    /// Statements reported by a noun after a possessor in sentence `s` ("Trump's claim
    /// that ...", "his promise to build ...", "her criticism of the deal"): the possessor
    /// is the speaker; the content runs from the introducer to the clause end.
    fn nominal_in(&mut self, s: usize) {
        let Some((range, content_end)) = self.sentence_bounds(s) else { return };
        let mut k = range.start;
        while k < content_end {
            let Some(found) = self.nominal_at(range.start, k, content_end) else {
                k += 1;
                continue;
            };
            let (record, speaker, resume) = found;
            self.finder.remember(speaker.tokens.start, &speaker);
            self.reported.push(record);
            k = resume.max(k + 1);
        }
    }

    /// The nominal statement whose noun is at token `k`, with its speaker and the token
    /// after its content.
    fn nominal_at(&mut self, lo: usize, k: usize, content_end: usize) -> Option<(QuoteRecord, Speaker, usize)> {
        let doc = self.doc;
        let noun = doc.lex.nominal_cue(doc.low(k))?;
        if doc.token_quote[k].is_some() || self.used_cue.get(k).copied().unwrap_or(true) {
            return None;
        }
        // Inside what someone else is reported to say, the noun is part of that statement.
        let at = doc.tokens.get(k)?.start;
        if self.reported.iter().rev().take(8).any(|r| r.start <= at && at < r.end) {
            return None;
        }
        let intro = k + 1;
        if intro >= content_end || !noun.introducers.iter().any(|w| w == doc.low(intro)) {
            return None;
        }
        if doc.low(intro) == "to" && !infinitive_follows(doc, intro) {
            return None; // "his speech to voters"
        }
        // The possessor, past at most two modifiers: "his repeated claims that".
        let speaker = (0..=2).find_map(|skip| {
            let at = k.checked_sub(skip)?;
            let plain = (at..k).all(|j| {
                let w = doc.tok(j);
                w.starts_with(char::is_lowercase) && !doc.lex.is_function_word(w) && doc.token_quote[j].is_none()
            });
            plain.then(|| self.finder.possessor_before(lo, at)).flatten()
        })?;
        let start = if doc.low(intro) == "to" { intro } else { intro + 1 };
        let end = (start..content_end)
            .find(|&j| matches!(doc.tok(j), "," | ";" | ":" | "—" | "–" | "(") && doc.token_quote[j].is_none())
            .unwrap_or(content_end);
        if word_count(doc, start..end) < 1 {
            return None;
        }
        let (span, kind) = self.content_span(start..end, false)?;
        let stance = stance::stance_of(doc, None, false, start..end);
        let stance = if noun.stance == Stance::Neutral { stance } else { noun.stance };
        let confidence = speaker_confidence(&speaker, NOMINAL_CONFIDENCE);
        let mut record = self.speaker_record(span, kind, (&speaker, None), stance, None, confidence);
        record.cue = Some(doc.text.slice(doc.span(k..intro)).to_string());
        Some((record, speaker, end))
    }

    /// Marks the tokens of cue `c` as used, so no other quote takes it.
    fn mark_used(&mut self, c: &CueAt<'_>) {
        for k in c.at..c.end() {
            if let Some(u) = self.used_cue.get_mut(k) {
                *u = true;
            }
        }
    }

    /// Whether speech cue `c` closes its sentence after a comma and its subject ("..., Devine
    /// said on Tuesday.", "..., according to a poll."): nothing but time and manner phrases
    /// follow a speech cue, and at least [`MIN_RESUMED_WORDS`] words precede the comma.
    fn closing_attribution(&self, c: &CueAt<'_>, first_word: usize, content_end: usize) -> bool {
        let doc = self.doc;
        if c.frame() == CueFrame::According {
            // "..., according to an analysis by Crowdpac."
            let words_before = word_count(doc, first_word..c.at);
            return c.at > first_word && doc.tok(c.at - 1) == "," && words_before >= MIN_RESUMED_WORDS;
        }
        if c.m.cue.weak || !matches!(c.frame(), CueFrame::Clause | CueFrame::Tell) {
            return false;
        }
        let Some(comma) = (first_word..c.at).rev().take(MAX_CLOSING_SUBJECT_TOKENS + 1).find(|&k| doc.tok(k) == ",")
        else {
            return false;
        };
        let words_before = word_count(doc, first_word..comma);
        let subject_between = (comma + 1..c.at).all(|k| doc.token_quote[k].is_none() && !is_punct(doc.low(k)));
        words_before >= MIN_RESUMED_WORDS
            && subject_between
            && comma + 1 < c.at
            && self.content_start(c, content_end) >= content_end
    }

    /// Whether cue `n` after "and"/"but" is in the present while the earlier cue `c` is in
    /// the past ("said the group is not an advocacy group and supports candidates"): a verb
    /// of the reported content, not a second report.
    fn tense_shift(&self, c: &CueAt<'_>, n: &CueAt<'_>) -> bool {
        let doc = self.doc;
        let w = doc.low(c.at);
        let past = w.ends_with("ed") || doc.words().past_reporting_verbs.contains(w);
        let v = doc.low(n.at);
        let present = v.ends_with('s') && !v.ends_with("ss") && !v.ends_with("us");
        past && present && n.at > 0 && doc.words().coordinators.contains(doc.low(n.at - 1))
    }

    /// Whether cue `n` is governed by a modal or "to" ("..., he would support the former",
    /// "vowed to oppose"): part of an earlier cue's reported content, not a report of its
    /// own that ends that content.
    fn modal_cue(&self, n: &CueAt<'_>, after: usize) -> bool {
        let doc = self.doc;
        let b = hedges_before(doc, n.at, after);
        b > after && doc.words().cue_governors.contains(doc.low(b - 1))
    }

    /// Where the clause of cue `n` starts when it is a clause of its own after `after`:
    /// ", saying ...", "but said ...", "and added ...", ", according to ...", ", he said".
    fn clause_boundary(&self, n: &CueAt<'_>, after: usize, end: usize) -> Option<usize> {
        let doc = self.doc;
        if n.at >= end {
            return None;
        }
        let mut b = n.at;
        while b > after && is_adverbial(doc, b - 1) {
            b -= 1;
        }
        if b <= after {
            return None;
        }
        let prev = doc.low(b - 1);
        if doc.words().coordinators.contains(prev) {
            let at = if b >= after + 2 && doc.tok(b - 2) == "," { b - 2 } else { b - 1 };
            return (at > after).then_some(at);
        }
        if prev == "," || prev == "—" || prev == ";" {
            return Some(b - 1);
        }
        if prev == "by" && doc.low(n.at).ends_with("ing") {
            return Some(b - 1); // "answered the governor by saying ..."
        }
        // ", he said" / ", Smith said" inside the sentence.
        let comma = (after..b).rev().take(8).find(|&j| doc.tok(j) == ",")?;
        // ", while another says ...": a conjunction may open the new clause.
        let start = comma + 1 + usize::from(doc.words().clause_openers.contains(doc.low(comma + 1)));
        self.finder.before(start, n.at, true).map(|_| comma)
    }

    /// A reported-speech record for cue `c`, with the speaker's token position, the
    /// speaker, and the token to resume scanning from.
    fn reported_at(&mut self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<(QuoteRecord, usize, Speaker, usize)> {
        let doc = self.doc;
        let frame = c.frame();
        let lo = ctx.lo;
        let first_word = ctx.first_word;
        let bound = ctx.bound;
        // `...together," suggesting`: the comma may sit inside the closing mark.
        let comma_before = |k: usize| {
            k > lo
                && (doc.tok(k - 1) == ","
                    || (k > lo + 1 && matches!(doc.tok(k - 1), "\"" | "”" | "’" | "'") && doc.tok(k - 2) == ","))
        };
        let (speaker, content, negated): (Speaker, Range<usize>, bool) = match frame {
            CueFrame::According => {
                let clause_start = (first_word.max(lo)..c.at).find(|&k| !is_punct(doc.low(k))).unwrap_or(c.at);
                let speaker = self.finder.source_after(c.end(), ctx.content_end).or_else(|| {
                    // "..., according to early returns.": content first, the source closes it.
                    (c.at > clause_start && comma_before(c.at))
                        .then(|| self.finder.closing_source(c.end(), ctx.content_end))
                        .flatten()
                })?;
                let rest = skip_punct(doc, speaker.tokens.end, bound.max(speaker.tokens.end));
                let content = if c.at <= clause_start {
                    // "According to Kerpen, it appears that ...": a later cue right after the
                    // source is part of what the source says.
                    let end = if rest < bound { bound } else { ctx.content_end };
                    rest..end.max(speaker.tokens.end)
                } else if comma_before(c.at) && rest < bound && doc.tok(speaker.tokens.end) == "," {
                    // "At the heart of it, according to Ross, was a decision ...": the source
                    // interrupts the statement.
                    first_word.max(lo)..bound
                } else {
                    let mut e = c.at;
                    while e > lo && is_punct(doc.low(e - 1)) {
                        e -= 1;
                    }
                    first_word.max(lo)..e
                };
                (speaker, content, false)
            }
            CueFrame::Complete => {
                let speaker = self
                    .finder
                    .subject_before(lo, c.at)
                    .or_else(|| self.coordinated(c.at, lo).then(|| ctx.last.cloned()).flatten())?;
                // "declined to say whether ...", "declined to comment for this article": what
                // was declined is part of it.
                (speaker, c.at..bound.max(c.end()), false)
            }
            _ => {
                let word = doc.low(c.at);
                // "..., saying he would not and suggesting that ...": a second participle.
                let participle = word.ends_with("ing")
                    && (comma_before(c.at)
                        || ctx.last.is_some() && doc.words().coordinators.contains(doc.low(c.at - 1))
                        // "picked up from his daughter by saying he is ready"
                        || c.at > lo && doc.low(c.at - 1) == "by");
                // "the Super PAC backing Bush", "those supporting deportation": a stated
                // position, whose holder is the noun phrase before.
                let position =
                    frame == CueFrame::Object && matches!(c.m.cue.stance, Stance::Support | Stance::Criticize);
                // "Besides attacking the former president, Mr. Trump asserted ...": the
                // subject of the main clause after the comma.
                let adverbial = word.ends_with("ing")
                    && c.at > lo
                    && c.at == first_word + 1
                    && doc.words().adverbial_openers.contains(doc.low(c.at - 1));
                if adverbial {
                    let comma =
                        (c.end()..ctx.content_end).find(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none())?;
                    let subject = self.main_subject(comma + 1, ctx.content_end)?;
                    let content = c.end()..comma;
                    let (span, kind) = self.content_span(content.clone(), false)?;
                    let stance = stance::stance_of(doc, Some(c), false, content.clone());
                    let confidence = speaker_confidence(&subject, 0.6);
                    let record = self.speaker_record(span, kind, (&subject, Some(c)), stance, None, confidence);
                    return Some((record, subject.tokens.start, subject, comma));
                }
                if word.ends_with("ing")
                    && !participle
                    && !position
                    && !self.progressive(c.at, lo)
                    && !self.absolute_with(c.at, lo)
                {
                    return None; // "a man claiming ...", "a PAC supporting ...": not a report
                }
                if self.passive(c.at, lo) {
                    return None; // "was accused of", "is expected to"
                }
                let inverted = if c.m.cue.inverts && comma_before(c.at) {
                    self.finder.after(c.end(), ctx.content_end).filter(|sp| {
                        let next = doc.low(sp.tokens.end);
                        sp.tokens.end >= ctx.content_end
                            || matches!(next, "," | ";" | "—")
                            || doc.words().place_time_prepositions.contains(next)
                    })
                } else {
                    None
                };
                if let Some(speaker) = inverted {
                    // "The plan will fail, said Smith." The statement may go on after the
                    // speaker and an appositive: "The paradox, says Anthony, a historian, is ..."
                    let resumes = doc.tok(speaker.tokens.end) == ","
                        && word_count(doc, speaker.tokens.end + 1..bound) > MIN_RESUMED_WORDS
                        && (speaker.tokens.end + 1..bound).any(|k| doc.tok(k) == ",");
                    let end = if resumes { bound } else { c.at - 1 };
                    (speaker, first_word.max(lo)..end, false)
                } else {
                    let subject = if participle {
                        None
                    } else if c.noun()
                        && (doc.tok(c.end()).starts_with(char::is_uppercase)
                            && doc.lex.title(doc.tok(c.end())).is_some()
                            || c.at > lo
                                && doc.token_entity[c.at - 1]
                                    .is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Location)))
                    {
                        // "state Sen. Ralph Alvarado", "Washington state": the noun.
                        return None;
                    } else if c.noun() {
                        // "states", "fears": a verb after a name or a plural subject only.
                        self.finder.before(lo, c.at, false).or_else(|| {
                            self.finder.subject_before(lo, c.at).filter(|sp| {
                                let last = doc.tok(sp.tokens.end.saturating_sub(1));
                                sp.tokens.end == c.at
                                    && last.ends_with('s')
                                    && !last.ends_with("ss")
                                    && last.chars().next().is_some_and(char::is_alphabetic)
                            })
                        })
                    } else {
                        self.finder.subject_before(lo, c.at)
                    };
                    let subject = subject.or_else(|| {
                        if participle || self.coordinated(c.at, lo) {
                            ctx.last
                                .cloned()
                                .or_else(|| self.main_subject(first_word, c.at))
                                .or_else(|| self.recent_speaker(c.at))
                        } else {
                            None
                        }
                    })?;
                    if subject.tokens.start > 0
                        && doc.words().question_complementizers.contains(doc.low(subject.tokens.start - 1))
                    {
                        return None; // "asked whether he blamed ...": a question, not a statement
                    }
                    let negated = stance::negated(doc, subject.tokens.end.min(c.at), c.at);
                    let mut start = self.content_start(c, bound);
                    if c.m.cue.stance != Stance::Neutral
                        && doc.words().stance_topic_prepositions.contains(doc.low(start))
                    {
                        start += 1; // "warned of strikes", "expressed concern about ..."
                    }
                    // The subject, with any title or role before it, follows a comma.
                    let title_start = self.finder.role_start(subject.tokens.start, lo);
                    let lead_words = word_count(doc, first_word.max(lo)..title_start.saturating_sub(1));
                    let before_subject = !participle
                        && title_start > first_word
                        && title_start >= lo
                        && comma_before(title_start)
                        && lead_words >= 2;
                    // "said that in a race ...": after "that", any word may start the clause.
                    let good_start =
                        |k: usize| (k > c.end() && doc.low(k - 1) == "that") || !bad_content_start(doc, k, frame);
                    // "If the law conflicts, Rubio said, Christians must ignore it.": the
                    // attribution interrupts the statement, which runs from the sentence start.
                    let interrupts = before_subject && start < bound && doc.tok(c.end()) == ",";
                    if interrupts && good_start(start) {
                        (subject, first_word.max(lo)..bound, negated)
                    } else if frame == CueFrame::Clause
                        && start == c.end()
                        && doc.words().articles.contains(doc.low(start))
                        && word_count(doc, start..bound) <= 3
                    {
                        return None; // "wrote a children's book": an object, not a statement
                    } else if start < bound && good_start(start) {
                        (subject, start..bound, negated)
                    } else if before_subject && (start >= bound || frame != CueFrame::Object) {
                        // "The plan will fail, Smith said (on Tuesday)."
                        let end = title_start - 1;
                        (subject, first_word.max(lo)..end, negated)
                    } else {
                        return None;
                    }
                }
            }
        };
        if content.start >= content.end {
            return None;
        }
        if negated && c.m.cue.stance == Stance::Neutral && frame != CueFrame::Complete {
            return None; // "did not say ..." reports nothing said
        }
        let (span, kind) = self.content_span(content.clone(), frame == CueFrame::Complete)?;
        let stance = stance::stance_of(doc, Some(c), negated, content.clone());
        let target = if frame == CueFrame::Object && !negated {
            stance::target_after(doc, content.start, content.end).map(|r| doc.text.slice(doc.span(r)).to_string())
        } else {
            None
        };
        let mut base = if speaker.resolved { 0.6 } else { 0.75 };
        if c.m.cue.weak {
            base -= 0.15;
        }
        let confidence = speaker_confidence(&speaker, base);
        let record = self.speaker_record(span, kind, (&speaker, Some(c)), stance, target, confidence);
        let resume = content.end.max(c.end());
        Some((record, speaker.tokens.start, speaker, resume))
    }

    /// The subject of the sentence starting at `first`, for a participle cue at `cue`
    /// ("In May, a federal judge sided with them, saying ..."): a name, pronoun or speaker
    /// description at the start, or right after an opening adverbial set off by a comma.
    fn main_subject(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        // "Then he cut into Bush, calling ...": a sentence adverb before the subject.
        let mut first = first;
        // "But a few days later, Trump reversed himself", "Hours later, ...": a time phrase
        // set off by a comma.
        if let Some(comma) = (first + 1..cue.min(first + 6)).find(|&k| doc.tok(k) == ",")
            && doc.words().time_phrase_ends.contains(doc.low(comma - 1))
        {
            first = comma + 1;
        }
        while first + 1 < cue && (doc.words().sentence_adverbs.contains(doc.low(first)) || doc.tok(first) == ",") {
            first += 1;
        }
        if doc.token_quote.get(first).copied().flatten().is_some() {
            // `"...," McCain said, citing ...`: the quote's speaker, not its first word.
            return self.recent_speaker(cue);
        }
        let at = |k: usize| {
            self.finder.subject_at(k).or_else(|| self.finder.after(k, cue)).or_else(|| self.noun_phrase_subject(k, cue))
        };
        at(first).or_else(|| {
            // An opening adverbial or participial phrase set off by a comma: "In a victory
            // speech in Westchester County on Tuesday night, Mr. Trump ...", "Having thanked
            // the crowd, he ...".
            let w = doc.low(first);
            let opener = doc.words().time_phrase_starts.contains(w)
                || w.ends_with("ing")
                || doc.words().sentence_openers.contains(w);
            if !opener {
                return None;
            }
            // "Speaking at a town hall in Salem, New Hampshire, Trump went after Bush": the
            // subject after the last comma of the opener, not a place in apposition.
            (first + 1..cue.min(first + 18))
                .filter(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none())
                .filter_map(|k| at(k + 1))
                .find(|s| doc.tok(s.tokens.end) != "," || s.kind == SpeakerKind::Person)
        })
    }

    /// The speaker of a closing attribution (", Spicer said,") that ends right before the
    /// participle at `cue`, looking no further left than `first`.
    fn closing_before(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        let k = cue.checked_sub(2).filter(|&k| k > first && doc.tok(k + 1) == ",")?;
        let c = stance::cue_at(doc, k)?;
        if c.end() != k + 1 {
            return None;
        }
        let comma = (first..k).rev().take(MAX_CLOSING_SUBJECT_TOKENS + 1).find(|&j| doc.tok(j) == ",")?;
        self.finder.before(comma + 1, k, true)
    }

    /// Any noun phrase opening the clause at `first` and followed by its verb before `cue`
    /// ("Both parents stiffened ...", "The Wisconsin Republican did give ...", "Republicans,
    /// who hold a majority, have blocked ..."): the phrase up to an apposition's comma, an
    /// auxiliary or a lower-case past-tense verb.
    fn noun_phrase_subject(&self, first: usize, cue: usize) -> Option<Speaker> {
        let doc = self.doc;
        let verb = (first + 1..cue.min(first + MAX_SUBJECT_PHRASE_TOKENS)).find(|&j| {
            let w = doc.low(j);
            doc.tok(j) == ","
                || (doc.tok(j).starts_with(char::is_lowercase)
                    && (doc.words().be_forms.contains(w)
                        || doc.words().subject_end_auxiliaries.contains(w)
                        || doc.words().irregular_past_verbs.contains(w)
                        || (w.ends_with("ed") && !doc.words().articles.contains(doc.low(j - 1)))))
        })?;
        self.finder.subject_before(first, verb).filter(|s| {
            s.tokens.start == first || (s.tokens.start == first + 1 && doc.words().articles.contains(doc.low(first)))
        })
    }

    /// The cue at `t` continues a clause whose subject came earlier: "... and added",
    /// "..., but said" (adverbs and auxiliaries may sit in between).
    fn coordinated(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let mut b = t;
        while b > lo && is_adverbial(doc, b - 1) {
            b -= 1;
        }
        let w = doc.low(b.saturating_sub(1));
        b > lo && (w == "," || w == "then" || doc.words().coordinators.contains(w))
    }

    /// "with Cruz repeatedly calling Trump his friend", "with Senator McCain telling
    /// reporters ...": an -ing cue whose subject follows "with".
    fn absolute_with(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        self.finder.subject_before(lo, t).is_some_and(|s| {
            let k = self.finder.role_start(s.tokens.start, lo); // "with Republican Senator John McCain"
            k > lo && doc.low(k - 1) == "with"
        })
    }

    /// "is saying", "has been arguing": an -ing cue after a form of "be" or a verb of
    /// continuing.
    fn progressive(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let mut b = t;
        while b > lo && is_adverbial(doc, b - 1) && !doc.words().be_forms.contains(doc.low(b - 1)) {
            b -= 1;
        }
        b > lo
            && (doc.words().be_forms.contains(doc.low(b - 1))
                || doc.words().continuation_verbs.contains(doc.low(b - 1)))
    }

    /// A passive cue ("was accused", "is expected", "were told"): the subject is not the
    /// speaker.
    fn passive(&self, t: usize, lo: usize) -> bool {
        let doc = self.doc;
        let word = doc.low(t);
        if word.ends_with("ing") || doc.words().never_passive_cues.contains(word) {
            return false;
        }
        let b = hedges_before(doc, t, lo);
        b > lo && doc.words().be_forms.contains(doc.low(b - 1))
    }

    /// The speaker most recently attributed in the paragraph of token `t`
    /// (", adding that ...").
    fn recent_speaker(&self, t: usize) -> Option<Speaker> {
        let para = self.para_of_token(t);
        let (last_para, att) = self.last_direct.as_ref()?;
        let mut s = att.speaker.clone();
        s.tokens = s.tokens.clone();
        (*last_para == para).then_some(s)
    }

    /// The char span and kind of reported content over `content` tokens: mixed when it
    /// touches quoted pieces (which it takes in whole and consumes), indirect otherwise.
    /// `None` when the content is only a direct quote attributed elsewhere or empty;
    /// `complete` cues ("declined to comment") are statements by themselves.
    fn content_span(&mut self, content: Range<usize>, complete: bool) -> Option<(Range<usize>, QuoteKind)> {
        let doc = self.doc;
        // `Trump asserted that France had lost its identity: “France is no longer France,” he
        // claimed.`: a quote with its own speaker after it ends the content before it.
        let own_speaker = |t: usize| {
            let q = doc.token_quote[t]?;
            (self.cue_after.get(q).copied().unwrap_or(false) && t > 0 && doc.tok(t - 1) == ":").then_some(t)
        };
        let mut content = content;
        if let Some(cut) = content.clone().find_map(own_speaker).filter(|&t| t > content.start + 1) {
            let mut end = cut;
            while end > content.start && is_punct(doc.low(end - 1)) {
                end -= 1;
            }
            content.end = end;
        }
        // Words outside quotation marks, and the quote pieces the content touches.
        let mut outside_words = 0;
        let mut pieces: Vec<usize> = Vec::new();
        for t in content.clone() {
            match doc.token_quote[t] {
                Some(q) if pieces.last() != Some(&q) => pieces.push(q),
                Some(_) => {}
                None if !is_punct(doc.low(t)) && doc.low(t) != "that" => outside_words += 1,
                None => {}
            }
        }
        if !complete && outside_words == 0 && !pieces.is_empty() {
            return None; // `Smith said, "..."`: a direct quote, attributed elsewhere
        }
        if !complete && outside_words + pieces.len() < 1 {
            return None;
        }
        let mut span = doc.span(content);
        let kind = if pieces.is_empty() || complete { QuoteKind::Indirect } else { QuoteKind::Mixed };
        if kind == QuoteKind::Mixed {
            for &q in &pieces {
                if let Some(x) = self.consumed.get_mut(q) {
                    *x = true;
                }
                // The sentence may end inside the quote: take in the whole quote.
                if let Some(p) = doc.quotes.get(q) {
                    span.end = span.end.max(p.outer().end);
                    span.start = span.start.min(p.open);
                }
            }
        }
        Some((doc.text.trim(span), kind))
    }

    /// A statement without a reporting verb: `Speaker: statement` opening a paragraph
    /// ("Elizabeth Warren: Trump Is a ‘Proven Failure’", "Report: Walker to speak"), the
    /// headline and interview-label convention. Returns the record and the token after it.
    fn colon_statement(&mut self, range: Range<usize>, content_end: usize) -> Option<(QuoteRecord, Speaker)> {
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
        self.cueless_record(speaker, colon + 1, content_end)
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
                .unwrap_or_else(|| Speaker::as_written(doc, first..colon, SpeakerKind::Unknown)),
        )
    }

    /// `In a new poll by X, 50 percent chose Clinton.`: a sentence opening with the document
    /// that is its source, set off by a comma, and no reporting verb. The document is the
    /// speaker.
    fn in_source_statement(&mut self, first: usize, content_end: usize) -> Option<(QuoteRecord, Speaker)> {
        let doc = self.doc;
        let w = doc.words();
        if doc.low(first) != "in"
            || !(w.articles.contains(doc.low(first + 1)) || w.possessive_determiners.contains(doc.low(first + 1)))
        {
            return None;
        }
        let comma = (first + 2..content_end.min(first + 14)).find(|&k| doc.tok(k) == ",")?;
        let has_source = (first + 2..comma).any(|k| doc.words().source_document_nouns.contains(doc.low(k)));
        let words = word_count(doc, comma + 1..content_end);
        if !has_source || words < MIN_COLON_STATEMENT_WORDS || (first..comma).any(|k| doc.token_quote[k].is_some()) {
            return None;
        }
        let speaker = Speaker::as_written(doc, first + 1..comma, SpeakerKind::Unknown);
        self.cueless_record(speaker, comma + 1, content_end)
    }

    /// A record for a statement without a cue by `speaker`, from token `from` (past
    /// punctuation) to `content_end`.
    fn cueless_record(&mut self, speaker: Speaker, from: usize, content_end: usize) -> Option<(QuoteRecord, Speaker)> {
        let content = skip_punct(self.doc, from, content_end)..content_end;
        let (span, kind) = self.content_span(content.clone(), false)?;
        let stance = stance::stance_of(self.doc, None, false, content);
        Some((self.speaker_record(span, kind, (&speaker, None), stance, None, CUELESS_CONFIDENCE), speaker))
    }

    /// Reported content with no source in the text: a question put to someone ("Asked
    /// whether he would run, ...", "when asked about the deal") and raising verbs ("Trump is
    /// expected to speak", "the party seemed to be shrinking"): the record has no speaker.
    fn sourceless_at(&mut self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<(QuoteRecord, usize)> {
        let doc = self.doc;
        let word = doc.low(c.at);
        let prev = if c.at > ctx.lo { doc.low(c.at - 1) } else { "" };
        // The form of "be" before the cue, past adverbs and "not" ("is not widely expected").
        let b = hedges_before(doc, c.at, ctx.lo);
        let be_before = b > ctx.lo && doc.words().be_forms.contains(doc.low(b - 1));
        let mut subject = None;
        let content = if word == "reportedly" {
            // "The group reportedly spent $1.5 million": the whole clause is reported.
            let start = ctx.first_word.max(ctx.lo);
            start..ctx.bound
        } else if word == "asked"
            && (c.at == ctx.first_word || be_before || prev == "," || doc.words().asked_openers.contains(prev))
        {
            // The question: from the wh-word to the clause's comma.
            let mut q = c.end();
            if doc.low(q) == "by" {
                q = (q + 1..ctx.bound.min(q + 8)).find(|&k| doc.words().question_openers.contains(doc.low(k)))?;
            }
            // "Asked at a briefing Monday in Washington about ...", "Asked specifically
            // what ...": the question opens within a few words; "When asked to confirm
            // ...": a request is a question too.
            let opens = |k: usize| {
                doc.words().question_openers.contains(doc.low(k)) || (doc.low(k) == "to" && infinitive_follows(doc, k))
            };
            q = (q..ctx.bound.min(q + 12))
                .take_while(|&k| doc.tok(k) != "," && doc.token_quote[k].is_none() && !is_terminal(doc.tok(k)))
                .find(|&k| opens(k))?;
            let start = if doc.low(q) == "about" { q + 1 } else { q };
            let end =
                (start..ctx.bound).find(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none()).unwrap_or(ctx.bound);
            start..end
        } else if doc.words().raising_verbs.contains(word)
            || (doc.words().expectation_words.contains(word) && be_before)
        {
            // "X seemed to ...": the subject and what is said of it.
            if doc.low(c.end()) != "to" || c.m.cue.stance != Stance::Neutral {
                return None;
            }
            let start = ctx.first_word.max(ctx.lo);
            if start >= c.at {
                return None;
            }
            // "Rubio seemed to urge the opposite tactic": a person seeming to say or want
            // something is its source; "that approach seems to have backfired" has none.
            subject = doc
                .words()
                .raising_verbs
                .contains(word)
                .then(|| self.finder.before(start, c.at, false))
                .flatten()
                .filter(|sp| sp.kind == SpeakerKind::Person);
            start..ctx.bound
        } else {
            return None;
        };
        if content.start >= content.end {
            return None;
        }
        let (span, kind) = self.content_span(content.clone(), false)?;
        // A question or an expectation takes no stance of its own.
        let record = match &subject {
            Some(sp) => self.speaker_record(span, kind, (sp, Some(c)), Stance::Neutral, None, SEEMING_CONFIDENCE),
            None => self.record(span, kind, None, Stance::Neutral, None, SOURCELESS_CONFIDENCE),
        };
        Some((record, content.end))
    }

    fn record(
        &self,
        span: Range<usize>,
        kind: QuoteKind,
        att: Option<&Attribution<'_>>,
        stance: Stance,
        target: Option<String>,
        confidence: f32,
    ) -> QuoteRecord {
        build_record(self.doc, span, kind, att.map(|a| (&a.speaker, a.cue.as_ref())), stance, target, confidence)
    }

    /// A record of a speaker's statement at `span`, reported by a cue when there is one.
    fn speaker_record(
        &self,
        span: Range<usize>,
        kind: QuoteKind,
        who: (&Speaker, Option<&CueAt<'_>>),
        stance: Stance,
        target: Option<String>,
        confidence: f32,
    ) -> QuoteRecord {
        build_record(self.doc, span, kind, Some(who), stance, target, confidence)
    }
}

/// Where a cue's clause may reach, and what came before it in the sentence.
struct Clause<'s> {
    /// No speaker or content before this token (the previous record's end).
    lo: usize,
    /// The sentence's first word.
    first_word: usize,
    /// Where this cue's content must end (the next cue's own clause).
    bound: usize,
    /// The sentence end, before terminal punctuation.
    content_end: usize,
    /// The speaker of the previous record in the sentence, for "..., saying" and "and added".
    last: Option<&'s Speaker>,
}

/// Words (tokens other than punctuation) in `range`.
fn word_count(doc: &Document<'_>, range: Range<usize>) -> usize {
    range.filter(|&k| !is_punct(doc.low(k))).count()
}

/// The first of the hedging words right before token `t`, not before `lo`: "-ly" adverbs,
/// "also", "not", "never", "still", "widely" ("is not widely expected", "would never support").
fn hedges_before(doc: &Document<'_>, t: usize, lo: usize) -> usize {
    let mut b = t;
    while b > lo && (doc.ly_adverb(b - 1) || doc.words().hedges.contains(doc.low(b - 1))) {
        b -= 1;
    }
    b
}

/// Whether token `k` may sit between a subject and its verb without changing who speaks:
/// adverbs (an "-ly" adverb, "also", "n't") and auxiliaries.
fn is_adverbial(doc: &Document<'_>, k: usize) -> bool {
    let word = doc.low(k);
    doc.ly_adverb(k) || doc.words().cue_adverbials.contains(word) || word.ends_with("n't") || word.ends_with("n’t")
}

/// Words that cannot start reported content right after a plain cue: "wrote on Facebook",
/// "told Reuters in an interview", "asked about": a circumstance, not a statement.
fn bad_content_start(doc: &Document<'_>, k: usize, frame: CueFrame) -> bool {
    let w = doc.low(k);
    if w == "to" && infinitive_follows(doc, k) {
        return false; // "vowed to take the fight", "wants to emerge"
    }
    let next = doc.low(k + 1);
    let words = doc.words();
    if w == "about" && (next.starts_with(|c: char| c.is_ascii_digit()) || words.quantity_words.contains(next)) {
        return false; // "said about half of the cost ...": an approximation, not a topic
    }
    if words.quantity_phrases.contains_pair(w, next) {
        return false; // "reported at least six planes ..."
    }
    match frame {
        CueFrame::Object => words.object_circumstance_openers.contains(w),
        _ => words.circumstance_openers.contains(w),
    }
}

/// Whether "to" at `k` introduces an infinitive ("to take") rather than a noun phrase ("to
/// the states"): the next word is a lower-case word that does not start a noun phrase.
fn infinitive_follows(doc: &Document<'_>, k: usize) -> bool {
    let next = doc.tok(k + 1);
    let low = doc.low(k + 1);
    next.starts_with(char::is_lowercase) && !doc.words().noun_phrase_starts.contains(low)
}

/// The first token after a wire dateline starting at `start` ("PARIS, Aug 31 (Reuters) -",
/// "WASHINGTON (AP) —"): an upper-case place name, then up to a dozen tokens to a dash.
fn dateline_end(doc: &Document<'_>, start: usize, end: usize) -> Option<usize> {
    let first = doc.tok(start);
    let caps = first.chars().count() >= 3 && first.chars().all(|c| c.is_uppercase() || c == '.' || c == '-');
    if !caps {
        return None;
    }
    let dash = (start + 1..end.min(start + 12)).find(|&k| matches!(doc.tok(k), "-" | "—" | "–" | "--"))?;
    (dash + 1 < end).then_some(dash + 1)
}

/// Confidence of an attribution from its base and the kind of speaker mention.
fn speaker_confidence(speaker: &Speaker, base: f32) -> f32 {
    let adjust = match speaker.kind {
        SpeakerKind::Person | SpeakerKind::Organization if speaker.resolved => -0.15,
        SpeakerKind::Person | SpeakerKind::Organization => 0.0,
        SpeakerKind::Anonymous | SpeakerKind::Group => -0.1,
        SpeakerKind::Unknown => -0.35,
    };
    (base + adjust).clamp(0.05, 1.0)
}

fn skip_punct(doc: &Document<'_>, mut k: usize, end: usize) -> usize {
    while k < end && is_punct(doc.low(k)) && doc.token_quote[k].is_none() {
        k += 1;
    }
    k
}

/// A quote record for the char span `span`.
pub(crate) fn build_record(
    doc: &Document<'_>,
    span: Range<usize>,
    kind: QuoteKind,
    speaker: Option<(&Speaker, Option<&CueAt<'_>>)>,
    stance: Stance,
    target: Option<String>,
    confidence: f32,
) -> QuoteRecord {
    let (speaker, cue) = match speaker {
        Some((s, c)) => (Some(s), c),
        None => (None, None),
    };
    let speaker_span = speaker.map(|s| doc.span(s.tokens.clone()));
    QuoteRecord {
        text: doc.text.slice(span.clone()).to_string(),
        start: span.start,
        end: span.end,
        kind,
        speaker: speaker.map(|s| s.name.clone()),
        speaker_kind: speaker.map_or(SpeakerKind::Unknown, |s| s.kind),
        speaker_start: speaker_span.as_ref().filter(|r| r.start < r.end).map(|r| r.start),
        speaker_end: speaker_span.as_ref().filter(|r| r.start < r.end).map(|r| r.end),
        speaker_entity: speaker.and_then(|s| s.entity.clone()),
        cue: cue.map(|c| doc.text.slice(doc.span(c.at..c.end())).to_string()),
        stance,
        target,
        confidence: confidence.clamp(0.0, 1.0),
    }
}
