//! Natural-language analysis: who said what in an article's plain text.
//!
//! Owns the analysis stages and their order: sentences → tokens → entities → quotation
//! marks → attribution (direct, mixed and reported speech, with speakers and stance) →
//! page-kind rules (press releases, transcripts). Everything here is pure and synchronous
//! and never panics on any input; word lists live in `config/lexicons/` (closed word
//! classes one file per concept in `config/lexicons/words/`) and are embedded. Every rule
//! has a name and every confidence number sits in one table (`rules`); each quote carries
//! the names of the rules that produced it ([`Analyzer::analyze_explained`]). It must not
//! do I/O, know about storage or indexing, or depend on the HTML layer.
//!
//! Offsets in every record count Unicode scalar values (chars), end exclusive. Internally
//! all stages index a [`tokens::CharText`] by char and slice text through it, so byte/char
//! confusion cannot arise.
//!
//! Languages: entities and reported speech need the English lexicons, so text whose
//! `language` is not `en` (or empty/`und`, treated as English) and that does not read as
//! English gets no entities and only quotation-mark quotes, with no speaker, `unknown`
//! speaker kind and low confidence. [`analysis_language`] turns a detector's guess into the
//! language to analyse in: short or low-confidence text is English.

mod attribution;
mod entities;
mod language;
mod lexicon;
pub mod ner;
mod pages;
mod quotes;
mod rules;
mod sentences;
mod speakers;
pub mod stance;
mod tokens;

#[cfg(test)]
mod cases;
#[cfg(test)]
mod fixture_tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use crate::model::{Analysis, EntityLabel, EntityMention, PageKind};

pub use entities::{EntityTagger, RuleTagger};
pub use language::analysis_language;
pub use rules::QuoteRules;
pub use sentences::split_sentences;
pub use tokens::{Token, tokenize};

use lexicon::{EMBEDDED, Gender, Lexicons, Words};
use quotes::QuotePiece;
use stance::StanceModel;
use tokens::CharText;

/// Texts longer than this many chars are analysed only up to here: a bound on work per
/// document (about 500 pages of prose), far beyond any real article.
const MAX_ANALYZED_CHARS: usize = 2_000_000;

/// What to analyse.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInput<'a> {
    /// Plain article text, paragraphs separated by `"\n\n"`.
    pub text: &'a str,
    /// ISO 639-1 code ("en"). See the module docs for what non-English text gets.
    pub language: &'a str,
    /// Press releases make the publisher the speaker of its own sentences; transcripts
    /// attribute each `SPEAKER:` turn.
    pub kind: PageKind,
    /// Site or organisation name, the speaker of a press release's own statements.
    pub publisher: Option<&'a str>,
}

/// Finds entities and quotes in article text.
pub struct Analyzer {
    lexicons: &'static Lexicons,
    tagger: Box<dyn EntityTagger + Send + Sync>,
    stance: Cow<'static, StanceModel>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").finish_non_exhaustive()
    }
}

impl Analyzer {
    /// Builds an analyzer from the lexicons shipped in config/lexicons (embedded), with the
    /// trained entity tagger shipped in config/models (the rule-based tagger if it ever failed
    /// to load).
    pub fn new() -> Analyzer {
        match ner::NerModel::shipped() {
            Ok(model) => Analyzer::with_tagger(Box::new(model)),
            Err(e) => {
                tracing::warn!("{e}; using the rule-based entity tagger");
                Analyzer::with_rules()
            }
        }
    }

    /// An analyzer with the rule-based entity tagger.
    pub fn with_rules() -> Analyzer {
        Analyzer::with_tagger(Box::new(RuleTagger::new()))
    }

    /// Builds an analyzer that finds entities with `tagger` (e.g. a trained model).
    pub fn with_tagger(tagger: Box<dyn EntityTagger + Send + Sync>) -> Analyzer {
        Analyzer { lexicons: &EMBEDDED, tagger, stance: shipped_stance_model() }
    }

    /// The same analyzer deciding stances with `model` instead of the shipped one (a model
    /// being trained or evaluated).
    pub fn with_stance_model(self, model: StanceModel) -> Analyzer {
        Analyzer { stance: Cow::Owned(model), ..self }
    }

    /// Analyses plain article text (paragraphs separated by "\n\n").
    pub fn analyze(&self, input: &AnalysisInput<'_>) -> Analysis {
        self.analyze_explained(input).0
    }

    /// The quotes of `input` with the rules and stance evidence behind each (training reads
    /// the evidence).
    pub(crate) fn found(&self, input: &AnalysisInput<'_>) -> Vec<attribution::Found> {
        let text = clamp_text(input.text);
        let normalized = quotes::normalize_doubled_marks(text);
        let doc = Document::build(&normalized, self.lexicons, &self.stance, Some(&*self.tagger), input.kind);
        attribution::attribute(&doc, input.kind, input.publisher)
    }

    /// Like [`Analyzer::analyze`], with the rules that produced each quote (same order as
    /// `quotes`): what `analyze --explain` prints.
    pub fn analyze_explained(&self, input: &AnalysisInput<'_>) -> (Analysis, Vec<QuoteRules>) {
        let text = clamp_text(input.text);
        // A caller's language other than English counts only when the text does not read as
        // English (see `language`).
        let english = language::is_english(input.language) || language::reads_as_english(text);
        let normalized = quotes::normalize_doubled_marks(text);
        let doc =
            Document::build(&normalized, self.lexicons, &self.stance, english.then_some(&*self.tagger), input.kind);
        let found = if english {
            attribution::attribute(&doc, input.kind, input.publisher)
        } else {
            attribution::bare_quotes(&doc)
        };
        let (mut quotes, rules): (Vec<_>, Vec<_>) = found.into_iter().map(|f| (f.record, f.rules)).unzip();
        if let Cow::Owned(_) = normalized {
            // Quote texts come from the original, whose marks may differ inside the span.
            let original = CharText::new(text);
            for q in &mut quotes {
                q.text = original.slice(q.start..q.end).to_string();
            }
        }
        (Analysis { entities: doc.entities, quotes }, rules)
    }
}

/// The shipped stance model, or an empty one (rules alone decide) if it ever failed to load.
fn shipped_stance_model() -> Cow<'static, StanceModel> {
    match StanceModel::shipped() {
        Ok(model) => Cow::Borrowed(model),
        Err(e) => {
            tracing::warn!("{e}; stances come from rules alone");
            Cow::Owned(StanceModel::default())
        }
    }
}

/// Cuts `text` at [`MAX_ANALYZED_CHARS`] on a char boundary.
fn clamp_text(text: &str) -> &str {
    match text.char_indices().nth(MAX_ANALYZED_CHARS) {
        Some((b, _)) => text.get(..b).unwrap_or(text),
        None => text,
    }
}

/// One text, indexed for every stage: paragraphs, sentences, tokens, entities, quotes.
pub(crate) struct Document<'a> {
    pub text: CharText<'a>,
    pub lex: &'static Lexicons,
    /// The model that decides stances.
    pub stance: &'a StanceModel,
    pub paragraphs: Vec<Range<usize>>,
    pub sentences: Vec<Range<usize>>,
    /// Token index range of each sentence.
    pub sentence_tokens: Vec<Range<usize>>,
    pub sentence_para: Vec<usize>,
    pub tokens: Vec<Token<'a>>,
    /// Lower-cased token texts, for lexicon lookups.
    pub lower: Vec<String>,
    pub token_para: Vec<usize>,
    pub token_sentence: Vec<usize>,
    /// Entities in text order.
    pub entities: Vec<EntityMention>,
    /// Entity index covering each token.
    pub token_entity: Vec<Option<usize>>,
    /// Token index range of each entity.
    pub entity_tokens: Vec<Range<usize>>,
    /// Gender implied by titles, per canonical person name.
    pub genders: HashMap<String, Gender>,
    pub quotes: Vec<QuotePiece>,
    /// Quote piece whose marks enclose each token (the marks included).
    pub token_quote: Vec<Option<usize>>,
    /// Transcript speaker labels (char ranges), excluded from entities and attribution.
    pub labels: Vec<Range<usize>>,
}

impl<'a> Document<'a> {
    fn build(
        text: &'a str,
        lex: &'static Lexicons,
        stance: &'a StanceModel,
        tagger: Option<&(dyn EntityTagger + Send + Sync)>,
        kind: PageKind,
    ) -> Document<'a> {
        let chars = CharText::new(text);
        let paragraphs = split_paragraphs(&chars);
        let mut doc = Document {
            text: chars,
            lex,
            stance,
            paragraphs,
            sentences: Vec::new(),
            sentence_tokens: Vec::new(),
            sentence_para: Vec::new(),
            tokens: Vec::new(),
            lower: Vec::new(),
            token_para: Vec::new(),
            token_sentence: Vec::new(),
            entities: Vec::new(),
            token_entity: Vec::new(),
            entity_tokens: Vec::new(),
            genders: HashMap::new(),
            quotes: Vec::new(),
            token_quote: Vec::new(),
            labels: Vec::new(),
        };
        if kind == PageKind::Transcript {
            doc.labels = doc
                .paragraphs
                .iter()
                .filter_map(|p| pages::speaker_label(&doc.text, p.clone()).map(|(label, _)| label))
                .collect();
        }
        for (p, para) in doc.paragraphs.clone().into_iter().enumerate() {
            for sentence in sentences::split_chars(&doc.text, para, lex) {
                let toks = tokens::tokenize_chars(&doc.text, sentence.clone(), lex);
                let first = doc.tokens.len();
                let s = doc.sentences.len();
                for t in toks {
                    doc.lower.push(t.text.to_lowercase());
                    doc.token_para.push(p);
                    doc.token_sentence.push(s);
                    doc.tokens.push(t);
                }
                doc.sentence_tokens.push(first..doc.tokens.len());
                doc.sentence_para.push(p);
                doc.sentences.push(sentence);
            }
        }
        doc.quotes = quotes::find_quotes(&doc.text, &doc.paragraphs);
        doc.token_quote = vec![None; doc.tokens.len()];
        for (q, piece) in doc.quotes.iter().enumerate() {
            let outer = piece.outer();
            let from = doc.token_at_or_after(outer.start);
            for t in from..doc.tokens.len() {
                if doc.tokens[t].start >= outer.end {
                    break;
                }
                doc.token_quote[t] = Some(q);
            }
        }
        if let Some(tagger) = tagger {
            entities::find_entities(&mut doc, tagger);
        }
        doc.token_entity = vec![None; doc.tokens.len()];
        doc.entity_tokens = Vec::with_capacity(doc.entities.len());
        for (e, m) in doc.entities.iter().enumerate() {
            let from = doc.token_at_or_after(m.start);
            let mut to = from;
            while to < doc.tokens.len() && doc.tokens[to].end <= m.end {
                doc.token_entity[to] = Some(e);
                to += 1;
            }
            doc.entity_tokens.push(from..to);
        }
        doc
    }

    /// Index of the first token starting at or after char `pos`.
    pub(crate) fn token_at_or_after(&self, pos: usize) -> usize {
        self.tokens.partition_point(|t| t.start < pos)
    }

    /// Whether token `i` is an "-ly" adverb ("reportedly", "Separately,"): lower case, or
    /// capitalised only as the first word of its sentence; "Kelly" and "Beverly" are names,
    /// and so is a sentence's first word right before a cue ("Jolly said").
    pub(crate) fn ly_adverb(&self, i: usize) -> bool {
        let w = self.low(i);
        if w.len() <= 4 || !w.ends_with("ly") {
            return false;
        }
        if self.tok(i).starts_with(char::is_lowercase) {
            return true;
        }
        // Capitalised, an adverb only at the sentence start and not right before a
        // reporting verb: "Finally, ...", "Clearly the plan ...", but "Jolly said".
        let starts_sentence =
            self.token_sentence.get(i).and_then(|&s| self.sentence_tokens.get(s)).is_some_and(|r| r.start == i);
        let end = (i + 4).min(self.lower.len());
        starts_sentence
            && self.token_entity.get(i).copied().flatten().is_none()
            && (self.tok(i + 1) == "," || self.lex.cue_at(&self.lower[(i + 1).min(end)..end]).is_none())
    }

    /// The closed word lists of `config/lexicons/words/`.
    pub(crate) fn words(&self) -> &'static Words {
        &self.lex.words
    }

    /// The text of token `i`, or "" past the end.
    pub(crate) fn tok(&self, i: usize) -> &'a str {
        self.tokens.get(i).map_or("", |t| t.text)
    }

    /// The lower-cased text of token `i`, or "" past the end.
    pub(crate) fn low(&self, i: usize) -> &str {
        self.lower.get(i).map_or("", String::as_str)
    }

    /// Char span covering tokens `range` (empty at the first token's start when empty).
    pub(crate) fn span(&self, range: Range<usize>) -> Range<usize> {
        match (self.tokens.get(range.start), range.end.checked_sub(1).and_then(|e| self.tokens.get(e))) {
            (Some(a), Some(b)) if range.start < range.end => a.start..b.end,
            (Some(a), _) => a.start..a.start,
            _ => 0..0,
        }
    }

    /// Entity label of a mention by index.
    pub(crate) fn entity_label(&self, e: usize) -> Option<EntityLabel> {
        self.entities.get(e).map(|m| m.label)
    }
}

/// Paragraph ranges: text separated by blank lines (a newline, optional spaces, a newline).
fn split_paragraphs(text: &CharText<'_>) -> Vec<Range<usize>> {
    let n = text.len();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < n {
        if text.at(i) == '\n' {
            let mut j = i + 1;
            while j < n && text.at(j) != '\n' && text.at(j).is_whitespace() {
                j += 1;
            }
            if j < n && text.at(j) == '\n' {
                let r = text.trim(start..i);
                if !r.is_empty() {
                    out.push(r);
                }
                while j < n && text.at(j).is_whitespace() {
                    j += 1;
                }
                start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    let r = text.trim(start..n);
    if !r.is_empty() {
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QuoteRecord;

    /// `text.chars().skip(start).take(end - start)`, from a pre-split char vector so that
    /// checking thousands of records stays linear.
    fn chars(all: &[char], r: Range<usize>) -> String {
        all.get(r).map_or_else(String::new, |c| c.iter().collect())
    }

    /// Every offset of every record slices the text to the record's text.
    pub(crate) fn assert_offsets_valid(text: &str, analysis: &Analysis) {
        let all: Vec<char> = text.chars().collect();
        let n = all.len();
        for e in &analysis.entities {
            assert!(e.start < e.end && e.end <= n, "entity {e:?}");
            assert_eq!(chars(&all, e.start..e.end), e.text, "entity {e:?}");
            assert!(!e.canonical.is_empty());
        }
        for q in &analysis.quotes {
            check_quote(&all, n, q);
        }
    }

    fn check_quote(all: &[char], n: usize, q: &QuoteRecord) {
        assert!(q.start < q.end && q.end <= n, "quote {q:?}");
        assert_eq!(chars(all, q.start..q.end), q.text, "quote {q:?}");
        assert!((0.0..=1.0).contains(&q.confidence), "quote {q:?}");
        match (q.speaker_start, q.speaker_end) {
            (Some(s), Some(e)) => assert!(s < e && e <= n, "speaker span {q:?}"),
            (None, None) => {}
            _ => panic!("half a speaker span: {q:?}"),
        }
    }

    fn analyze(text: &str) -> Analysis {
        Analyzer::new().analyze(&AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None })
    }

    /// One analyzer for the rule tables of every module (loading the tagger is not free).
    static ANALYZER: std::sync::LazyLock<Analyzer> = std::sync::LazyLock::new(Analyzer::new);

    /// The quotes of English news `text` with the rules behind each.
    pub(crate) fn explained(text: &str) -> Vec<(QuoteRecord, QuoteRules)> {
        explained_as(text, PageKind::News, None)
    }

    /// Like [`explained`] for a page of `kind` by `publisher`.
    pub(crate) fn explained_as(text: &str, kind: PageKind, publisher: Option<&str>) -> Vec<(QuoteRecord, QuoteRules)> {
        let (analysis, rules) = ANALYZER.analyze_explained(&AnalysisInput { text, language: "en", kind, publisher });
        assert_offsets_valid(text, &analysis);
        analysis.quotes.into_iter().zip(rules).collect()
    }

    /// One row of a module's rule table: a text, a quote it must yield, that quote's speaker,
    /// and a rule name the quote must carry (as its cue, content, speaker or stance rule).
    pub(crate) type RuleRow = (&'static str, &'static str, Option<&'static str>, &'static str);

    /// Checks every row of a rule table, reporting all failures at once.
    pub(crate) fn assert_rule_rows(rows: &[RuleRow]) {
        let mut failures = Vec::new();
        for &(text, quote, speaker, rule) in rows {
            let quotes = explained(text);
            let hit = quotes.iter().find(|(q, _)| q.text == quote);
            let ok = hit.is_some_and(|(q, r)| {
                q.speaker.as_deref() == speaker && [r.cue, r.content, r.speaker, r.stance].contains(&rule)
            });
            if !ok {
                let got: Vec<String> = quotes
                    .iter()
                    .map(|(q, r)| {
                        format!("{:?} by {:?} [{} {} {} {}]", q.text, q.speaker, r.cue, r.content, r.speaker, r.stance)
                    })
                    .collect();
                failures.push(format!("{text:?}: want {quote:?} by {speaker:?} with {rule}; got {got:#?}"));
            }
        }
        assert!(failures.is_empty(), "{} rows failed:\n{}", failures.len(), failures.join("\n"));
    }

    /// Checks that no quote of each text has the given text.
    pub(crate) fn assert_no_quote(rows: &[(&str, &str)]) {
        for &(text, quote) in rows {
            let quotes = explained(text);
            assert!(quotes.iter().all(|(q, _)| q.text != quote), "{text:?} must not yield {quote:?}: {quotes:#?}");
        }
    }

    #[test]
    fn offsets_are_chars_on_non_ascii_text() {
        let text = "José Müller, the café’s owner in Zürich, said: “Ça va très bien — we’re growing.”\n\n\
                    “Nobody’s leaving,” Müller added. «Très bien», a dit François Hollande.\n\n\
                    Siemens AG denied the allegations 😀 on Tuesday.";
        let analysis = analyze(text);
        assert_offsets_valid(text, &analysis);
        assert!(analysis.quotes.iter().any(|q| q.text == "Ça va très bien — we’re growing."));
        assert!(
            analysis.quotes.iter().any(|q| q.text == "Nobody’s leaving" && q.speaker.as_deref() == Some("José Müller"))
        );
        assert!(analysis.entities.iter().any(|e| e.text == "Zürich"));
    }

    #[test]
    fn analyze_never_panics_and_offsets_stay_valid_on_odd_input() {
        let long = "He said \"it is fine,\" and she said “no.” ".repeat(3000);
        let odd = [
            "",
            " ",
            "\n\n\n",
            "\"",
            "“”",
            "“ ” ‘ ’ \" ' « » „",
            "\"\"\"\"\"\"",
            "said said said",
            "He said.",
            "“Unclosed quote\n\n“and another\n\n“and a third",
            "'",
            "''",
            "😀😀😀 “😀” said 😀.",
            "Mr. Mr. Mr.",
            "A:\n\nB:",
            "QUESTION:\n\nMR. PRICE: \n\n:",
            "according to",
            "according to ,",
            ", said",
            "“a” “b” “c” “d”",
            "\u{0}\u{1}\u{feff}\u{200b}",
            "Ünïcödé Çåpïtàls Said “Ü”.",
            long.as_str(),
        ];
        for text in odd {
            for kind in [PageKind::News, PageKind::PressRelease, PageKind::Transcript, PageKind::Other] {
                for language in ["en", "de", ""] {
                    let analysis =
                        Analyzer::new().analyze(&AnalysisInput { text, language, kind, publisher: Some("Acme") });
                    assert_offsets_valid(text, &analysis);
                }
            }
        }
    }

    #[test]
    fn non_english_text_gets_only_quotation_mark_quotes() {
        let text = "«Nous allons gagner ce procès», a déclaré Jean Dupont, président de la société.";
        let analysis =
            Analyzer::new().analyze(&AnalysisInput { text, language: "fr", kind: PageKind::News, publisher: None });
        assert!(analysis.entities.is_empty());
        assert_eq!(analysis.quotes.len(), 1);
        assert_eq!(analysis.quotes[0].text, "Nous allons gagner ce procès");
        assert_eq!(analysis.quotes[0].speaker, None);
    }

    #[test]
    fn paragraphs_split_on_blank_lines_only() {
        let t = CharText::new("a\nb\n\n  c\n \nd");
        let paras: Vec<&str> = split_paragraphs(&t).into_iter().map(|r| t.slice(r)).collect();
        assert_eq!(paras, ["a\nb", "c", "d"]);
    }
}
