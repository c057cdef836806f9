//! Attribution: turning quotation marks and reporting cues into quote records.
//!
//! Owns the walk over a document's sentences in order, and for each: direct quotes (speaker
//! and cue after the quote, before it with a colon or comma, inherited across a split quote,
//! from an introducing paragraph ending in a colon, or from the previous paragraph's
//! speaker), then reported speech (indirect and mixed: "X said (that) ...", "X denied ...",
//! "according to X, ...", "X declined to comment"). Scare quotes (short quoted spans with no
//! cue) are not statements. It must not find speakers itself (see `speakers`) or decide
//! stance words (see `stance`), and never panics: all indexing is checked.

use std::ops::Range;

use super::Document;
use super::lexicon::CueFrame;
use super::pages;
use super::speakers::{Speaker, SpeakerFinder};
use super::stance::{self, CueAt};
use crate::model::{PageKind, QuoteKind, QuoteRecord, SpeakerKind, Stance};

/// Quoted spans of this many words or fewer with no cue are scare quotes or titles.
const MAX_SCARE_QUOTE_WORDS: usize = 3;

/// How far (tokens) after a closing mark a speaker-and-cue may still attribute the quote.
const MAX_AFTER_QUOTE_TOKENS: usize = 14;

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

fn is_terminal(word: &str) -> bool {
    matches!(word, "." | "!" | "?" | "…" | "..." | ";")
}

fn is_punct(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
}

/// Words that start a time adverbial skipped between a cue and its content.
const TIME_STARTS: [&str; 20] = [
    "on",
    "last",
    "earlier",
    "later",
    "late",
    "this",
    "yesterday",
    "today",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "in",
    "at",
    "during",
    "after",
    "before",
];

struct Walker<'d, 'a> {
    doc: &'d Document<'a>,
    finder: SpeakerFinder<'d, 'a>,
    excluded: Vec<bool>,
    used_cue: Vec<bool>,
    /// Direct candidates per quote piece.
    direct: Vec<Option<QuoteRecord>>,
    consumed: Vec<bool>,
    handled_group: Vec<bool>,
    reported: Vec<QuoteRecord>,
    /// The last attribution given to a direct quote, with its paragraph.
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
            found = self.after_quote(q).or_else(|| self.before_quote(q));
            if found.is_some() {
                break;
            }
        }
        let open_tok = doc.token_at_or_after(doc.quotes[q0].open);
        let para = self.para_of_token(open_tok);
        if found.is_none() {
            found = self.inherited(q0, para);
        }
        let Some(att) = found else {
            for &q in &pieces {
                let content = doc.quotes[q].content.clone();
                if pieces.len() == 1 && is_scare_quote(doc, content.clone()) {
                    continue;
                }
                self.direct[q] =
                    Some(self.record(content, QuoteKind::Direct, None, Stance::Neutral, None, UNATTRIBUTED_CONFIDENCE));
            }
            return;
        };
        if let Some(c) = att.cue.as_ref().filter(|_| !att.reusable) {
            for k in c.at..c.end() {
                if let Some(u) = self.used_cue.get_mut(k) {
                    *u = true;
                }
            }
        }
        self.finder.remember(open_tok, &att.speaker);
        for &q in &pieces {
            let content = doc.quotes[q].content.clone();
            let content_tokens = doc.token_at_or_after(content.start)..doc.token_at_or_after(content.end);
            let stance = stance::stance_of(doc, att.cue.as_ref(), att.negated, content_tokens);
            self.direct[q] = Some(self.record(content, QuoteKind::Direct, Some(&att), stance, None, att.confidence));
        }
        let last_para = pieces.last().map_or(para, |&q| self.para_of_token(doc.token_at_or_after(doc.quotes[q].open)));
        self.last_direct = Some((last_para, att));
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
        while end < doc.tokens.len()
            && self.para_of_token(end) == para
            && doc.token_quote[end].is_none()
            && !is_terminal(doc.tok(end))
            && doc.tok(end) != ":"
        {
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
            let speaker = self.source_after(&c, end)?;
            let confidence = speaker_confidence(&speaker, 0.9) - penalty;
            return Some(Attribution { speaker, cue: Some(c), negated: false, confidence, reusable: new_sentence });
        }
        for k in a..end.min(a + MAX_AFTER_QUOTE_TOKENS) {
            let Some(c) = self.free_cue(k) else { continue };
            if c.frame() == CueFrame::According {
                let speaker = self.finder.source_after(c.end(), end)?;
                let confidence = speaker_confidence(&speaker, 0.85) - penalty;
                return Some(Attribution { speaker, cue: Some(c), negated: false, confidence, reusable: new_sentence });
            }
            let speaker = self.finder.before(a, k, true)?;
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
        let cue = (lo..hi).rev().find_map(|k| self.free_cue(k))?;
        let mut speaker = None;
        let mut content = self.content_start(&cue, end);
        if (cue.m.cue.inverts || cue.frame() == CueFrame::According)
            && let Some(s) = self.source_after(&cue, end)
        {
            content = skip_punct(doc, s.tokens.end, end);
            speaker = Some(s);
        }
        if content < end {
            return None; // words between cue and quote: reported speech, maybe mixed
        }
        if speaker.is_none() && cue.frame() != CueFrame::According {
            speaker = self.finder.before(lo, cue.at, false);
        }
        let speaker = speaker?;
        let negated = stance::negated(doc, speaker.tokens.end.min(cue.at), cue.at);
        let confidence = speaker_confidence(&speaker, 0.85);
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
        let c = stance::cue_at(self.doc, t)?;
        let used = (c.at..c.end()).any(|k| self.used_cue.get(k).copied().unwrap_or(true));
        (!used).then_some(c)
    }

    /// Where the reported content starts after a cue: past an addressee ("told reporters"),
    /// modifiers ("in a statement"), time adverbials ("on Tuesday"), punctuation and "that".
    fn content_start(&self, cue: &CueAt<'_>, end: usize) -> usize {
        let doc = self.doc;
        let mut k = cue.end();
        if cue.frame() == CueFrame::Tell && k < end {
            if let Some(e) = doc.token_entity[k] {
                k = doc.entity_tokens.get(e).map_or(k + 1, |r| r.end);
            } else if matches!(doc.low(k), "the" | "a" | "an") {
                let stop = (k + 1..(k + 5).min(end)).find(|&j| matches!(doc.low(j), "that" | "," | ":"));
                k = stop.unwrap_or(k + 2);
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
            if TIME_STARTS.contains(&w) {
                let stop = (k + 1..(k + 5).min(end)).find(|&j| matches!(doc.low(j), "," | "that" | ":"));
                if let Some(j) = stop {
                    k = j;
                    continue;
                }
                if matches!(w, "yesterday" | "today") || w.ends_with("day") {
                    k += 1;
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

    /// Reported speech in sentence `s`.
    fn reported_in(&mut self, s: usize) {
        let doc = self.doc;
        let Some(range) = doc.sentence_tokens.get(s).cloned() else { return };
        if doc.tokens.get(range.clone()).is_some_and(|t| super::tokens::is_title_case(t, doc.lex)) {
            return; // a headline
        }
        let send = range.end;
        let mut content_end = send;
        while content_end > range.start && is_terminal(doc.tok(content_end - 1)) {
            content_end -= 1;
        }
        let first_word = (range.start..send).find(|&k| !is_punct(doc.low(k))).unwrap_or(send);
        let mut lo = range.start;
        let mut k = range.start;
        while k < send {
            let Some(c) = self.free_cue(k) else {
                k += 1;
                continue;
            };
            match self.reported_at(&c, lo, first_word, content_end) {
                Some((record, at, speaker, resume)) => {
                    for u in c.at..c.end() {
                        if let Some(x) = self.used_cue.get_mut(u) {
                            *x = true;
                        }
                    }
                    self.finder.remember(at, &speaker);
                    self.reported.push(record);
                    k = resume.max(c.end());
                    lo = k;
                }
                None => k = c.end(),
            }
        }
    }

    /// A reported-speech record for cue `c`, with the speaker's token position, the
    /// speaker, and the token to resume scanning from.
    fn reported_at(
        &mut self,
        c: &CueAt<'d>,
        lo: usize,
        first_word: usize,
        content_end: usize,
    ) -> Option<(QuoteRecord, usize, Speaker, usize)> {
        let doc = self.doc;
        let frame = c.frame();
        let comma_before = |k: usize| k > lo && doc.tok(k - 1) == ",";
        let (speaker, content, negated): (Speaker, Range<usize>, bool) = match frame {
            CueFrame::According => {
                let speaker = self.finder.source_after(c.end(), content_end)?;
                let content = if c.at <= first_word {
                    skip_punct(doc, speaker.tokens.end, content_end)..content_end
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
                let speaker = self.finder.before(lo, c.at, false)?;
                (speaker, c.at..c.end(), false)
            }
            _ => {
                let participle = doc.low(c.at).ends_with("ing") && comma_before(c.at);
                let before = if participle { None } else { self.finder.before(lo, c.at, false) };
                let before = before.or_else(|| participle.then(|| self.recent_speaker(c.at)).flatten());
                match before {
                    Some(speaker) => {
                        let negated = stance::negated(doc, speaker.tokens.end.min(c.at), c.at);
                        let start = self.content_start(c, content_end);
                        if start < content_end {
                            (speaker, start..content_end, negated)
                        } else if !participle && speaker.tokens.start > first_word && comma_before(speaker.tokens.start)
                        {
                            // "The plan will fail, Smith said."
                            (speaker.clone(), first_word.max(lo)..speaker.tokens.start - 1, negated)
                        } else {
                            return None;
                        }
                    }
                    None if c.m.cue.inverts && comma_before(c.at) => {
                        // "The plan will fail, said Smith."
                        let speaker = self.finder.after(c.end(), content_end)?;
                        (speaker, first_word.max(lo)..c.at - 1, false)
                    }
                    None => return None,
                }
            }
        };
        if content.start >= content.end {
            return None;
        }
        if negated && c.m.cue.stance == Stance::Neutral && frame != CueFrame::Complete {
            return None; // "did not say ..." reports nothing said
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
        if frame != CueFrame::Complete && outside_words == 0 && !pieces.is_empty() {
            return None; // `Smith said, "..."`: a direct quote, attributed elsewhere
        }
        let needed = if frame == CueFrame::Object { 1 } else { 2 };
        if frame != CueFrame::Complete && outside_words + pieces.len() < needed {
            return None;
        }
        let mut span = doc.span(content.clone());
        let kind =
            if pieces.is_empty() || frame == CueFrame::Complete { QuoteKind::Indirect } else { QuoteKind::Mixed };
        if kind == QuoteKind::Mixed {
            for &q in &pieces {
                if let Some(x) = self.consumed.get_mut(q) {
                    *x = true;
                }
                // The sentence may end inside the quote: take in the whole quote.
                if let Some(p) = doc.quotes.get(q) {
                    span.end = span.end.max(p.outer().end).max(span.end);
                    span.start = span.start.min(p.open);
                }
            }
        }
        let span = doc.text.trim(span);
        let stance = stance::stance_of(doc, Some(c), negated, content.clone());
        let target = if frame == CueFrame::Object && !negated {
            stance::target_after(doc, content.start, content.end).map(|r| doc.text.slice(doc.span(r)).to_string())
        } else {
            None
        };
        let base = if speaker.resolved { 0.6 } else { 0.75 };
        let att = Attribution {
            speaker: speaker.clone(),
            cue: Some(*c),
            negated,
            confidence: speaker_confidence(&speaker, base),
            reusable: false,
        };
        let record = self.record(span, kind, Some(&att), stance, target, att.confidence);
        let resume = content.end.max(c.end());
        Some((record, speaker.tokens.start, speaker, resume))
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
