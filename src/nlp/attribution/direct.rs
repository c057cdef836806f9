//! Direct quotes with a cue next to them: the speaker and cue after the quote (`“...,”
//! Smith said`, `“...,” said Smith`, `“...” Smith said on Tuesday.`), before it with a colon
//! or comma (`Smith said: “...”`, `Said Smith, “...”`, `told reporters in a statement, “...”`),
//! or at the end of the sentence before (`Bystrom agreed. “...”`); a quote split around its
//! attribution; the writer's own words leading into a quote attributed after it (mixed).
//!
//! Invariants: all pieces of one quote group (a quote running over paragraphs) get one
//! attribution; a cue that attributes a quote is marked used (with the words between the
//! quote and it), so reported speech cannot take it again unless it starts a sentence of its
//! own; when no cue is found the `cueless` rules are asked, and a quote that is no statement
//! (`not_statements`) gets no record.

use super::Attribution;
use super::Walker;
use super::clause::{dateline_end, is_punct, is_terminal, skip_punct, word_count};
use super::not_statements::{is_embedded_phrase, is_markup_value, is_scare_quote, is_title, is_work_title};
use super::record::{Draft, speaker_confidence};
use crate::model::{EntityLabel, QuoteKind};
use crate::nlp::lexicon::CueFrame;
use crate::nlp::rules::{ContentRule, MIN_BORROWED_PHRASE_CONFIDENCE, NEW_SENTENCE_PENALTY, Rule};
use crate::nlp::speakers::{Reach, Speaker};
use crate::nlp::stance::{self, CueAt, Judgement};

/// Fewest words of the writer's own before a quote for the statement to count as mixed.
pub(super) const MIN_MIXED_LEAD_WORDS: usize = 2;

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

impl<'d> Walker<'d, '_> {
    /// Attributes every piece of the quote group starting at piece `q0`.
    pub(super) fn direct_group(&mut self, q0: usize) {
        let doc = self.doc;
        let group = doc.quotes[q0].group;
        let pieces: Vec<usize> = (q0..doc.quotes.len()).take_while(|&q| doc.quotes[q].group == group).collect();
        let mut found = self.cue_attribution(&pieces);
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
        if borrowed && found.as_ref().is_none_or(|a| a.confidence < MIN_BORROWED_PHRASE_CONFIDENCE)
            || title
            || is_markup_value(doc, &doc.quotes[q0])
        {
            return; // a title or phrase after "said on ABC's", or an attribute value in markup
        }
        match found {
            Some(att) => self.record_attributed(&pieces, para, att),
            None => self.record_unattributed(&pieces),
        }
    }

    /// The attribution of the first piece of `pieces` that has a cue after or before it.
    fn cue_attribution(&mut self, pieces: &[usize]) -> Option<Attribution<'d>> {
        for &q in pieces {
            let found = match self.after_quote(q) {
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
                return found;
            }
        }
        None
    }

    /// Records of quote pieces nobody is found to have said (scare quotes and borrowed
    /// phrases among them are skipped).
    fn record_unattributed(&mut self, pieces: &[usize]) {
        let doc = self.doc;
        for &q in pieces {
            let content = doc.quotes[q].content.clone();
            if pieces.len() == 1 && is_scare_quote(doc, content.clone()) || is_embedded_phrase(doc, &doc.quotes[q]) {
                continue;
            }
            let rule = Rule::Unattributed;
            self.direct[q] = Some(super::build_record(
                doc,
                Draft {
                    span: content,
                    kind: QuoteKind::Direct,
                    speaker: None,
                    cue: None,
                    stance: Judgement::neutral(),
                    target: None,
                    confidence: rule.confidence(),
                    rule,
                    content: ContentRule::Quoted,
                },
            ));
        }
    }

    /// Records of quote pieces attributed by `att`; its cue is used up.
    fn record_attributed(&mut self, pieces: &[usize], para: usize, att: Attribution<'d>) {
        let doc = self.doc;
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
        let open_tok = pieces.first().map_or(0, |&q| doc.token_at_or_after(doc.quotes[q].open));
        self.finder.remember(open_tok, &att.speaker);
        for &q in pieces {
            let mut content = doc.quotes[q].content.clone();
            let (mut kind, mut content_rule) = (QuoteKind::Direct, ContentRule::Quoted);
            if let Some(lead) = self.paraphrased_lead(q, &att) {
                // `Trump's misinformation may be "strategic," said Hemsley`: the writer's
                // words lead into the quoted ones, all of it attributed.
                content = doc.tokens[lead].start..doc.quotes[q].outer().end;
                (kind, content_rule) = (QuoteKind::Mixed, ContentRule::QuotedWithLead);
            }
            let content_tokens = doc.token_at_or_after(content.start)..doc.token_at_or_after(content.end);
            let stance = stance::stance_of(doc, att.cue.as_ref(), att.negated, content_tokens);
            self.direct[q] = Some(super::build_record(
                doc,
                Draft {
                    span: content,
                    kind,
                    speaker: Some(&att.speaker),
                    cue: att.cue.as_ref(),
                    stance,
                    target: None,
                    confidence: att.confidence,
                    rule: att.rule,
                    content: content_rule,
                },
            ));
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
        let (a, end) = self.after_quote_words(q)?;
        let last = doc.text.at(piece.content.end.saturating_sub(1));
        let new_sentence = matches!(last, '.' | '!' | '?') && doc.tok(a).chars().next().is_some_and(char::is_uppercase);
        let penalty = if new_sentence { NEW_SENTENCE_PENALTY } else { 0.0 };
        if let Some(c) = self.free_cue(a)
            && (c.m.cue.inverts || c.frame() == CueFrame::According)
        {
            // Right after the quote and its cue, any determiner phrase is the speaker
            // ("...,” said an Iowa Democrat).
            let speaker = self.finder.source_after(c.end(), end)?;
            let rule = Rule::AfterQuoteInverted;
            let confidence = speaker_confidence(&speaker, rule.confidence()) - penalty;
            return Some(Attribution {
                speaker,
                cue: Some(c),
                negated: false,
                confidence,
                rule,
                reusable: new_sentence,
            });
        }
        // `"...," Fred Kagan, director of the Critical Threats Project at the American
        // Enterprise Institute, said`: after a name, a long apposition may come first.
        let named = doc.token_entity[a].is_some() || doc.tok(a).starts_with(char::is_uppercase);
        let reach = if named { MAX_APPOSITION_AFTER_QUOTE_TOKENS } else { MAX_AFTER_QUOTE_TOKENS };
        for k in a..end.min(a + reach) {
            let Some(c) = self.free_cue(k) else { continue };
            if c.frame() == CueFrame::According {
                let speaker = self.finder.source_after(c.end(), end)?;
                let rule = Rule::AfterQuoteAccording;
                let confidence = speaker_confidence(&speaker, rule.confidence()) - penalty;
                let reusable = new_sentence;
                return Some(Attribution { speaker, cue: Some(c), negated: false, confidence, rule, reusable });
            }
            let Some(speaker) = self.speaker_after_quote(a, k) else {
                continue; // "the Indiana state firefighters union, said": a later cue may fit
            };
            let negated = stance::negated(doc, speaker.tokens.end, k);
            let rule = Rule::AfterQuoteSubject;
            let confidence = speaker_confidence(&speaker, rule.confidence()) - penalty;
            return Some(Attribution { speaker, cue: Some(c), negated, confidence, rule, reusable: new_sentence });
        }
        None
    }

    /// The words after the closing mark of piece `q` that may attribute it: from past a
    /// comma or dash to the end of the sentence (a parenthesis does not end it: "Harry Reid
    /// (D-Nev.) said"), as a token range `(first, end)`.
    fn after_quote_words(&self, q: usize) -> Option<(usize, usize)> {
        let doc = self.doc;
        let close_tok = doc.token_at_or_after(doc.quotes[q].close?);
        let para = self.para_of_token(close_tok);
        let mut a = close_tok + 1;
        while a < doc.tokens.len() && matches!(doc.tok(a), "," | "—" | "–" | "-" | "--") {
            a += 1;
        }
        let mut end = a;
        let mut in_parens = false;
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
        (a < end).then_some((a, end))
    }

    /// The speaker between a closing mark (words from `a`) and the cue at `k`: a name or
    /// phrase right after the quote (`"...," Smith, the mayor, said`), past an adverbial
    /// clause (`"...," as his father dreamed, Mr. Turry said`), the first person of a long
    /// subject (`"...," nuclear experts David Albright and Serena Kelleher-Vergantini of the
    /// Institute wrote`), or the whole phrase as written.
    fn speaker_after_quote(&self, a: usize, k: usize) -> Option<Speaker> {
        let doc = self.doc;
        let interrupted = || {
            let comma = (a + 1..k).rev().find(|&j| doc.tok(j) == ",")?;
            let clause = (a..comma).all(|j| stance::cue_at(doc, j).is_none() && !is_terminal(doc.tok(j)));
            let adverbial = doc.tok(a).starts_with(char::is_lowercase) && !doc.words().is_pronoun(doc.low(a));
            (clause && adverbial).then(|| self.finder.before(comma + 1, k, Reach::Tight)).flatten()
        };
        let first_person = || {
            let plain = (a..k).all(|j| !matches!(doc.tok(j), "," | ";" | ":") && !is_terminal(doc.tok(j)));
            (a..k)
                .find(|&j| doc.token_entity[j].is_some_and(|e| doc.entity_label(e) == Some(EntityLabel::Person)))
                .filter(|_| plain)
                .and_then(|j| self.finder.subject_at(j))
        };
        self.finder
            .before(a, k, Reach::Tight)
            .or_else(interrupted)
            .or_else(first_person)
            .or_else(|| self.finder.phrase_subject(a, k))
    }

    /// `Smith said: "..."` / `According to Smith, "..."` / an introducing paragraph that
    /// ends with a colon.
    fn before_quote(&self, q: usize) -> Option<Attribution<'d>> {
        let doc = self.doc;
        let (lo, hi, end) = self.before_quote_words(q)?;
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
            speaker = self.introducing_subject(&cue, lo);
        }
        let speaker = speaker?;
        let negated = stance::negated(doc, speaker.tokens.end.min(cue.at), cue.at);
        let rule = if past_words { Rule::BeforeQuotePastWords } else { Rule::BeforeQuote };
        let confidence = speaker_confidence(&speaker, rule.confidence());
        Some(Attribution { speaker, cue: Some(cue), negated, confidence, rule, reusable: false })
    }

    /// The words before piece `q` that may introduce it, as `(lo, hi, end)`: the clause
    /// `lo..hi` before the opening mark (or before the colon ending the previous paragraph:
    /// "Smith said:\n\n“...”"), and `end`, where words between the cue and the quote stop.
    fn before_quote_words(&self, q: usize) -> Option<(usize, usize, usize)> {
        let doc = self.doc;
        let open_tok = doc.token_at_or_after(doc.quotes[q].open);
        let para = self.para_of_token(open_tok);
        let mut hi = open_tok;
        let para_start = hi == 0 || self.para_of_token(hi - 1) != para;
        if para_start {
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
        Some((lo, hi, if para_start { hi + 1 } else { hi }))
    }

    /// The subject of a cue that introduces a quote (`Another commenter said, “...”`), or for
    /// a participle or coordinated cue (`..., saying, “...”`, `... and said, “...”`) the
    /// sentence's subject, the speaker of a closing attribution right before it (`...,
    /// Spicer said, adding, “...”`) or the paragraph's latest speaker.
    fn introducing_subject(&self, cue: &CueAt<'_>, lo: usize) -> Option<Speaker> {
        let doc = self.doc;
        let first = (lo..cue.at).find(|&k| !is_punct(doc.low(k))).unwrap_or(cue.at);
        let first = dateline_end(doc, first, cue.at).unwrap_or(first);
        let participle = doc.low(cue.at).ends_with("ing")
            && cue.at > first
            && (doc.low(cue.at - 1) == "," || doc.words().coordinators.contains(doc.low(cue.at - 1)));
        let coordinated = cue.at > first + 1 && doc.words().coordinators.contains(doc.low(cue.at - 1));
        if participle || coordinated {
            self.closing_before(first, cue.at)
                .or_else(|| self.main_subject(first, cue.at))
                .or_else(|| self.recent_speaker(cue.at))
        } else {
            self.finder.subject_before(lo, cue.at)
        }
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
        let speaker = self.finder.before(start, cue.at, Reach::Mention)?;
        let negated = stance::negated(doc, speaker.tokens.end.min(cue.at), cue.at);
        let rule = Rule::PreviousSentence;
        let confidence = speaker_confidence(&speaker, rule.confidence());
        Some(Attribution { speaker, cue: Some(cue), negated, confidence, rule, reusable: false })
    }
}

#[cfg(test)]
mod tests {
    use crate::nlp::tests::{RuleRow, assert_rule_rows};

    /// Each way a cue next to a quotation attributes it, and how the content is cut.
    const TABLE: &[RuleRow] = &[
        (r#""We will appeal," said Ana Ruiz."#, "We will appeal", Some("Ana Ruiz"), "direct.after_quote.inverted"),
        (
            r#""Prices will rise next year," Ana Ruiz, the bank's chief economist, said on Tuesday."#,
            "Prices will rise next year",
            Some("Ana Ruiz"),
            "direct.after_quote.subject",
        ),
        (
            r#""Talks have stalled," according to Ana Ruiz, the mediator."#,
            "Talks have stalled",
            Some("Ana Ruiz"),
            "direct.after_quote.inverted",
        ),
        (r#"Ana Ruiz said: "We will appeal.""#, "We will appeal.", Some("Ana Ruiz"), "direct.before_quote"),
        (r#"Said Ana Ruiz, "We will appeal.""#, "We will appeal.", Some("Ana Ruiz"), "direct.before_quote"),
        (
            r#"Ana Ruiz continued with an appeal to voters: "Turn out on Sunday and bring a friend.""#,
            "Turn out on Sunday and bring a friend.",
            Some("Ana Ruiz"),
            "direct.before_quote.past_words",
        ),
        (
            r#"Ana Ruiz agreed. "The count was fair and everyone knows it.""#,
            "The count was fair and everyone knows it.",
            Some("Ana Ruiz"),
            "direct.previous_sentence",
        ),
        (
            r#""The bridge is safe," said Ahmed Karim, "but not for much longer.""#,
            "but not for much longer.",
            Some("Ahmed Karim"),
            "direct.inherited.same_paragraph",
        ),
        (
            r#"The plan may be "a deliberate strategy," said Lena Park, a professor."#,
            r#"The plan may be "a deliberate strategy,""#,
            Some("Lena Park"),
            "content.quoted_with_lead",
        ),
        (r#""We will appeal," said Ana Ruiz."#, "We will appeal", Some("Ana Ruiz"), "content.quoted"),
    ];

    #[test]
    fn quotes_take_the_cue_next_to_them() {
        assert_rule_rows(TABLE);
    }
}
