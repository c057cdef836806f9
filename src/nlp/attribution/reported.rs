//! Reported speech, indirect and mixed: "X said (that) ...", "X denied the allegations",
//! "according to X, ...", "..., according to X", "X declined to comment", "..., X said",
//! "..., said X", "If ..., X said, ...", "Besides attacking ..., X asserted ...", and reports
//! nested in another report's content ("Smith said Jones claimed ...").
//!
//! Invariants: every free cue of a sentence is tried in order, each within its own clause (a
//! later cue that opens a clause ends the content of the earlier one, see `clause`); a cue
//! whose clause yields a statement is used up; a cue that reports nothing (a passive "was
//! accused", a reduced relative "a man claiming", a noun "50 states", a question "asked
//! whether he blamed", a negated plain cue "did not say") gives no record. A nested report is
//! never surer than the report it sits in.

use std::ops::Range;

use super::clause::{Clause, bad_content_start, comma_before, dateline_end, is_punct, skip_punct, word_count};
use super::record::{Draft, Found, build_record, speaker_confidence};
use super::{Attribution, Walker};
use crate::model::{EntityLabel, QuoteKind, Stance};
use crate::nlp::lexicon::CueFrame;
use crate::nlp::rules::{ContentRule, NESTED_PENALTY, REPORTED_RESOLVED_CONFIDENCE, Rule, WEAK_CUE_PENALTY};
use crate::nlp::speakers::{Reach, Speaker};
use crate::nlp::stance::{self, CueAt};

/// Words a statement must still have after an inverted attribution in its middle ("The
/// paradox, says Anthony, a historian, is that ...") to run on past it.
pub(super) const MIN_RESUMED_WORDS: usize = 4;

/// Fewest words of the writer's own before a subject set off by a comma for the statement
/// to run from the sentence start ("The plan will fail, Smith said.").
const MIN_LEAD_WORDS: usize = 2;

/// Most words of a plain cue's object that make it a thing written, not a statement ("wrote
/// a children's book").
const MAX_WRITTEN_OBJECT_WORDS: usize = 3;

/// What a reporting rule found at a cue.
struct Claim {
    speaker: Speaker,
    /// Token range of the content.
    content: Range<usize>,
    negated: bool,
    rule: Rule,
    content_rule: ContentRule,
}

/// A reported-speech record, its speaker and the token to resume scanning from.
pub(super) struct Report {
    pub found: Found,
    pub speaker: Speaker,
    pub resume: usize,
}

impl<'d> Walker<'d, '_> {
    /// Reported speech in sentence `s`: every free cue in order, each with its own clause
    /// (a second cue joined by "and", "but" or a comma ends the content of the first).
    pub(super) fn reported_in(&mut self, s: usize) {
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
        if all_cues.is_empty()
            && let Some((found, speaker)) = self
                .colon_statement(range.clone(), content_end)
                .or_else(|| self.in_source_statement(first_word, content_end))
        {
            self.finder.remember(speaker.tokens.start, &speaker);
            self.reported.push(found);
            return;
        }
        // "Sanders plans to remain a Democrat, Devine said.": a closing attribution owns the
        // whole sentence before it, other cues included.
        if cues.len() > 1
            && let Some(c) = cues.last()
            && self.closing_attribution(c, first_word, content_end)
        {
            let ctx = Clause { lo: range.start, first_word, bound: content_end, content_end, last: None };
            if let Some(report) = self.reported_at(c, &ctx) {
                self.mark_used(c);
                self.finder.remember(report.speaker.tokens.start, &report.speaker);
                self.reported.push(report.found);
                self.last_report(c, report.speaker);
                return;
            }
        }
        self.each_cue_clause(&cues, &all_cues, range.start, first_word, content_end);
    }

    /// Reports at each of `cues` in turn, from `lo`, each within its own clause; a cue inside
    /// the content of the report before it is tried as a nested report.
    fn each_cue_clause(
        &mut self,
        cues: &[CueAt<'d>],
        all_cues: &[CueAt<'d>],
        mut lo: usize,
        first_word: usize,
        content_end: usize,
    ) {
        let doc = self.doc;
        let mut last: Option<Speaker> = None;
        // Token range of the last record's content: a cue inside it may report a statement of
        // its own ("Smith said Jones claimed the vote was rigged").
        let mut outer: Option<(Range<usize>, f32)> = None;
        for c in cues {
            if c.at < lo {
                if let Some((o, confidence)) = outer.clone().filter(|(o, _)| o.start < c.at && c.at < o.end) {
                    self.nested_at(c, o, confidence, all_cues, first_word);
                }
                continue;
            }
            let bound = self.clause_end(c, all_cues, content_end);
            let ctx = Clause { lo, first_word, bound, content_end, last: last.as_ref() };
            if let Some((found, resume)) = self.sourceless_at(c, &ctx) {
                self.mark_used(c);
                self.reported.push(found);
                lo = resume.max(c.end());
                continue;
            }
            if let Some(Report { found, speaker, resume }) = self.reported_at(c, &ctx) {
                self.mark_used(c);
                self.finder.remember(speaker.tokens.start, &speaker);
                let start = doc.token_at_or_after(found.record.start);
                outer = (found.record.kind == QuoteKind::Indirect).then_some((start..resume, found.record.confidence));
                self.reported.push(found);
                lo = resume.max(c.end());
                self.last_report(c, speaker.clone());
                last = Some(speaker);
            }
        }
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
        if let Some(Report { mut found, speaker, .. }) = self.reported_at(c, &ctx) {
            self.mark_used(c);
            self.finder.remember(speaker.tokens.start, &speaker);
            // No surer than the report it is nested in.
            let rule = Rule::Nested;
            found.record.confidence =
                (found.record.confidence.min(outer_confidence) - NESTED_PENALTY).max(rule.confidence());
            found.rules.cue = rule.name();
            self.reported.push(found);
        }
    }

    /// Remembers the speaker of reported speech at cue `c` as the paragraph's latest, so a
    /// quote that follows without a cue of its own is theirs (`..., said Professor Beck.
    /// “That was more her constituency.”`).
    fn last_report(&mut self, c: &CueAt<'d>, speaker: Speaker) {
        let para = self.para_of_token(c.at);
        let rule = Rule::LatestReport;
        let att =
            Attribution { speaker, cue: Some(*c), negated: false, confidence: rule.confidence(), rule, reusable: true };
        self.last_direct = Some((para, att));
    }

    /// A reported-speech record for cue `c` within the clause `ctx`.
    fn reported_at(&mut self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Report> {
        let claim = match c.frame() {
            CueFrame::According => self.according_claim(c, ctx)?,
            CueFrame::Complete => self.complete_claim(c, ctx)?,
            _ if self.adverbial_participle(c, ctx) => self.adverbial_participle_claim(c, ctx)?,
            _ => self.verb_claim(c, ctx)?,
        };
        self.report(c, claim)
    }

    /// The record of a claim at cue `c`, unless it states nothing ("did not say ...").
    fn report(&mut self, c: &CueAt<'d>, claim: Claim) -> Option<Report> {
        let doc = self.doc;
        let Claim { speaker, content, negated, rule, content_rule } = claim;
        let frame = c.frame();
        if content.start >= content.end {
            return None;
        }
        if negated && c.m.cue.stance == Stance::Neutral && frame != CueFrame::Complete {
            return None; // "did not say ..." reports nothing said
        }
        let (span, kind) = self.content_span(content.clone(), frame == CueFrame::Complete)?;
        let stance = stance::stance_of(doc, Some(c), negated, content.clone());
        let target = if frame == CueFrame::Object && !negated && rule != Rule::AdverbialParticiple {
            stance::target_after(doc, content.start, content.end).map(|r| doc.text.slice(doc.span(r)).to_string())
        } else {
            None
        };
        let base = if rule == Rule::AdverbialParticiple {
            rule.confidence()
        } else {
            let base = if speaker.resolved { REPORTED_RESOLVED_CONFIDENCE } else { rule.confidence() };
            if c.m.cue.weak { base - WEAK_CUE_PENALTY } else { base }
        };
        let confidence = speaker_confidence(&speaker, base);
        let draft = Draft {
            span,
            kind,
            speaker: Some(&speaker),
            cue: Some(c),
            stance,
            target,
            confidence,
            rule,
            content: content_rule,
        };
        let found = build_record(doc, draft);
        Some(Report { found, speaker, resume: content.end.max(c.end()) })
    }

    /// "According to Smith, ...", "..., according to Smith.", "..., according to Smith, was
    /// ...": the source after the cue, the content before or after it.
    fn according_claim(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Claim> {
        let doc = self.doc;
        let (lo, first_word, bound) = (ctx.lo, ctx.first_word, ctx.bound);
        let clause_start = (first_word.max(lo)..c.at).find(|&k| !is_punct(doc.low(k))).unwrap_or(c.at);
        let speaker = self.finder.source_after(c.end(), ctx.content_end).or_else(|| {
            // "..., according to early returns.": content first, the source closes it.
            (c.at > clause_start && comma_before(doc, c.at, lo))
                .then(|| self.finder.closing_source(c.end(), ctx.content_end))
                .flatten()
        })?;
        let rest = skip_punct(doc, speaker.tokens.end, bound.max(speaker.tokens.end));
        let (content, content_rule) = if c.at <= clause_start {
            // "According to Kerpen, it appears that ...": a later cue right after the source
            // is part of what the source says.
            let end = if rest < bound { bound } else { ctx.content_end };
            (rest..end.max(speaker.tokens.end), ContentRule::AccordingAfterSource)
        } else if comma_before(doc, c.at, lo) && rest < bound && doc.tok(speaker.tokens.end) == "," {
            // "At the heart of it, according to Ross, was a decision ...": the source
            // interrupts the statement.
            (first_word.max(lo)..bound, ContentRule::AccordingInterrupted)
        } else {
            let mut e = c.at;
            while e > lo && is_punct(doc.low(e - 1)) {
                e -= 1;
            }
            (first_word.max(lo)..e, ContentRule::AccordingBeforeCue)
        };
        Some(Claim { speaker, content, negated: false, rule: Rule::ReportedAccording, content_rule })
    }

    /// "ZTE declined to comment", "... and did not respond to requests for comment": the cue
    /// phrase is the statement, with what was declined.
    fn complete_claim(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Claim> {
        let speaker = self
            .finder
            .subject_before(ctx.lo, c.at)
            .or_else(|| self.coordinated(c.at, ctx.lo).then(|| ctx.last.cloned()).flatten())?;
        // "declined to say whether ...", "declined to comment for this article": what was
        // declined is part of it.
        let content = c.at..ctx.bound.max(c.end());
        Some(Claim {
            speaker,
            content,
            negated: false,
            rule: Rule::ReportedComplete,
            content_rule: ContentRule::CuePhrase,
        })
    }

    /// Whether the -ing cue `c` right after a sentence-opening "besides", "after", "while"
    /// ... heads an adverbial clause ("Besides attacking the former president, Mr. Trump
    /// asserted ...").
    fn adverbial_participle(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> bool {
        let doc = self.doc;
        doc.low(c.at).ends_with("ing")
            && c.at > ctx.lo
            && c.at == ctx.first_word + 1
            && doc.words().adverbial_openers.contains(doc.low(c.at - 1))
    }

    /// The adverbial clause of cue `c` up to its comma, said by the subject of the main
    /// clause after the comma.
    fn adverbial_participle_claim(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Claim> {
        let doc = self.doc;
        let comma = (c.end()..ctx.content_end).find(|&k| doc.tok(k) == "," && doc.token_quote[k].is_none())?;
        let speaker = self.main_subject(comma + 1, ctx.content_end)?;
        Some(Claim {
            speaker,
            content: c.end()..comma,
            negated: false,
            rule: Rule::AdverbialParticiple,
            content_rule: ContentRule::AdverbialParticiple,
        })
    }

    /// A reporting verb with its subject before it or inverted after it: "Smith said ...",
    /// "..., saying ...", "The plan will fail, said Smith.", "If ..., Smith said, ...".
    fn verb_claim(&mut self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Claim> {
        let doc = self.doc;
        let lo = ctx.lo;
        let word = doc.low(c.at);
        // "..., saying he would not and suggesting that ...": a second participle.
        let participle = word.ends_with("ing")
            && (comma_before(doc, c.at, lo)
                || ctx.last.is_some() && doc.words().coordinators.contains(doc.low(c.at - 1))
                // "picked up from his daughter by saying he is ready"
                || c.at > lo && doc.low(c.at - 1) == "by");
        // "the Super PAC backing Bush", "those supporting deportation": a stated position,
        // whose holder is the noun phrase before.
        let position = c.frame() == CueFrame::Object && matches!(c.m.cue.stance, Stance::Support | Stance::Criticize);
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
        if let Some(claim) = self.inverted_claim(c, ctx) {
            return Some(claim);
        }
        let subject = self.verb_subject(c, ctx, participle)?;
        if subject.tokens.start > 0 && doc.words().question_complementizers.contains(doc.low(subject.tokens.start - 1))
        {
            return None; // "asked whether he blamed ...": a question, not a statement
        }
        let negated = stance::negated(doc, subject.tokens.end.min(c.at), c.at);
        let (content, rule, content_rule) = self.verb_content(c, ctx, &subject, participle)?;
        Some(Claim { speaker: subject, content, negated, rule, content_rule })
    }

    /// "The plan will fail, said Smith.": an inverting cue after a comma with its speaker
    /// after it; the statement may go on after the speaker and an appositive ("The paradox,
    /// says Anthony, a historian, is ...").
    fn inverted_claim(&self, c: &CueAt<'d>, ctx: &Clause<'_>) -> Option<Claim> {
        let doc = self.doc;
        if !(c.m.cue.inverts && comma_before(doc, c.at, ctx.lo)) {
            return None;
        }
        let speaker = self.finder.after(c.end(), ctx.content_end).filter(|sp| {
            let next = doc.low(sp.tokens.end);
            sp.tokens.end >= ctx.content_end
                || matches!(next, "," | ";" | "—")
                || doc.words().place_time_prepositions.contains(next)
        })?;
        let bound = ctx.bound;
        let resumes = doc.tok(speaker.tokens.end) == ","
            && word_count(doc, speaker.tokens.end + 1..bound) > MIN_RESUMED_WORDS
            && (speaker.tokens.end + 1..bound).any(|k| doc.tok(k) == ",");
        let end = if resumes { bound } else { c.at - 1 };
        let content = ctx.first_word.max(ctx.lo)..end;
        Some(Claim {
            speaker,
            content,
            negated: false,
            rule: Rule::ReportedInverted,
            content_rule: ContentRule::Inverted,
        })
    }

    /// The subject of the reporting verb `c`: the phrase before it, or for a participle or a
    /// coordinated cue the clause's earlier speaker, the sentence's subject or the
    /// paragraph's latest speaker. Noun homographs ("states", "fears") need a name or a
    /// plural subject right before them.
    fn verb_subject(&self, c: &CueAt<'d>, ctx: &Clause<'_>, participle: bool) -> Option<Speaker> {
        let doc = self.doc;
        let lo = ctx.lo;
        let subject = if participle {
            None
        } else if c.noun()
            && (doc.tok(c.end()).starts_with(char::is_uppercase) && doc.lex.title(doc.tok(c.end())).is_some()
                || c.at > lo
                    && doc.token_entity[c.at - 1].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Location)))
        {
            // "state Sen. Ralph Alvarado", "Washington state": the noun.
            return None;
        } else if c.noun() {
            // "states", "fears": a verb after a name or a plural subject only.
            self.finder.before(lo, c.at, Reach::Mention).or_else(|| {
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
        subject.or_else(|| {
            if participle || self.coordinated(c.at, lo) {
                ctx.last
                    .cloned()
                    .or_else(|| self.main_subject(ctx.first_word, c.at))
                    .or_else(|| self.recent_speaker(c.at))
            } else {
                None
            }
        })
    }

    /// The content of the reporting verb `c` whose subject is `subject`: after the cue, or
    /// from the sentence start when the attribution interrupts it ("If the law conflicts,
    /// Rubio said, Christians must ...") or closes it ("The plan will fail, Smith said.").
    fn verb_content(
        &self,
        c: &CueAt<'d>,
        ctx: &Clause<'_>,
        subject: &Speaker,
        participle: bool,
    ) -> Option<(Range<usize>, Rule, ContentRule)> {
        let doc = self.doc;
        let (lo, first_word, bound) = (ctx.lo, ctx.first_word, ctx.bound);
        let frame = c.frame();
        let mut start = self.content_start(c, bound);
        if c.m.cue.stance != Stance::Neutral && doc.words().stance_topic_prepositions.contains(doc.low(start)) {
            start += 1; // "warned of strikes", "expressed concern about ..."
        }
        // The subject, with any title or role before it, follows a comma.
        let title_start = self.finder.role_start(subject.tokens.start, lo);
        let lead_words = word_count(doc, first_word.max(lo)..title_start.saturating_sub(1));
        let before_subject = !participle
            && title_start > first_word
            && title_start >= lo
            && comma_before(doc, title_start, lo)
            && lead_words >= MIN_LEAD_WORDS;
        // "said that in a race ...": after "that", any word may start the clause.
        let good_start = |k: usize| (k > c.end() && doc.low(k - 1) == "that") || !bad_content_start(doc, k, frame);
        // "If the law conflicts, Rubio said, Christians must ignore it.": the attribution
        // interrupts the statement, which runs from the sentence start.
        let interrupts = before_subject && start < bound && doc.tok(c.end()) == ",";
        if interrupts && good_start(start) {
            Some((first_word.max(lo)..bound, Rule::ReportedInterrupted, ContentRule::Interrupted))
        } else if frame == CueFrame::Clause
            && start == c.end()
            && doc.words().articles.contains(doc.low(start))
            && word_count(doc, start..bound) <= MAX_WRITTEN_OBJECT_WORDS
        {
            None // "wrote a children's book": an object, not a statement
        } else if start < bound && good_start(start) {
            Some((start..bound, Rule::ReportedAfterCue, ContentRule::AfterCue))
        } else if before_subject && (start >= bound || frame != CueFrame::Object) {
            // "The plan will fail, Smith said (on Tuesday)."
            Some((first_word.max(lo)..title_start - 1, Rule::ReportedBeforeSubject, ContentRule::BeforeSubject))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_no_quote, assert_rule_rows};

    /// Each reporting rule, with the content it cuts.
    const TABLE: &[RuleRow] = &[
        ("Ana Ruiz said the vote was fair.", "the vote was fair", Some("Ana Ruiz"), "reported.after_cue"),
        (
            "If the law passes, Ana Ruiz said, prices will rise.",
            "If the law passes, Ana Ruiz said, prices will rise",
            Some("Ana Ruiz"),
            "reported.interrupted",
        ),
        ("The plan will fail, Ana Ruiz said.", "The plan will fail", Some("Ana Ruiz"), "reported.before_subject"),
        ("The plan will fail, said Ana Ruiz.", "The plan will fail", Some("Ana Ruiz"), "reported.inverted"),
        (
            "According to the ministry, exports fell 4 percent.",
            "exports fell 4 percent",
            Some("the ministry"),
            "content.according_after_source",
        ),
        (
            "Exports fell 4 percent in May, according to the ministry.",
            "Exports fell 4 percent in May",
            Some("the ministry"),
            "content.according_before_cue",
        ),
        ("ZTE declined to comment.", "declined to comment", Some("ZTE"), "reported.complete"),
        (
            "Besides attacking the tariff, Governor Mary Olsen asserted that the budget was safe.",
            "the tariff",
            Some("Mary Olsen"),
            "reported.adverbial_participle",
        ),
        (
            "A company spokesman said Tinde Mobile denied the allegations.",
            "the allegations",
            Some("Tinde Mobile"),
            "reported.nested",
        ),
    ];

    #[test]
    fn reporting_rules_attribute_and_cut_content() {
        assert_rule_rows(TABLE);
    }

    #[test]
    fn cues_that_report_nothing_give_no_record() {
        assert_no_quote(&[
            ("The mayor did not say when the road would reopen.", "when the road would reopen"),
            ("Ana Ruiz was accused of fraud by her former partner.", "of fraud by her former partner"),
            ("A man claiming to be a doctor was arrested on Friday.", "to be a doctor was arrested on Friday"),
            ("Ana Ruiz wrote a memoir.", "a memoir"),
        ]);
    }
}
