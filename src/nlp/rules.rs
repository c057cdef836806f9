//! The analysis rules by name: which rule attributed a statement (with the base confidence it
//! gives), which rule cut its content, found its speaker and decided its stance.
//!
//! Owns the one table of attribution rules and their base confidences ([`Rule::info`]), the
//! adjustments applied on top of them (the kind of speaker mention, a weak cue, a nested
//! report), and the names `analyze --explain` prints. It must not hold analysis logic:
//! rules live in `attribution/`, `speakers/`, `stance` and `pages`, and ask this table how
//! sure their kind of evidence makes them. Every confidence number of the analysis is here.

use serde::Serialize;

use crate::model::SpeakerKind;

/// An attribution rule: the pattern that tied a statement to its speaker (and cue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    AfterQuoteInverted,
    AfterQuoteAccording,
    AfterQuoteSubject,
    BeforeQuote,
    BeforeQuotePastWords,
    PreviousSentence,
    ColonLabel,
    ColonSubject,
    Signature,
    SentenceSubject,
    InheritedSameParagraph,
    InheritedNextParagraph,
    Unattributed,
    LatestReport,
    ReportedAfterCue,
    ReportedInterrupted,
    ReportedBeforeSubject,
    ReportedInverted,
    ReportedAccording,
    ReportedComplete,
    AdverbialParticiple,
    Nested,
    ColonStatement,
    InSource,
    Nominal,
    Question,
    Expectation,
    Reportedly,
    SeemingPerson,
    TranscriptTurn,
    AnswerTurn,
    QuestionTurn,
    PressRelease,
    BareQuotationMarks,
}

impl Rule {
    /// The rule table: the name `--explain` prints and the base confidence of a statement the
    /// rule attributes, before the speaker adjustment. The comment over each row shows the
    /// pattern as a reader would see it in text.
    const fn info(self) -> (&'static str, f32) {
        match self {
            // “...,” said Smith.
            Rule::AfterQuoteInverted => ("direct.after_quote.inverted", 0.9),
            // “...,” according to Smith.
            Rule::AfterQuoteAccording => ("direct.after_quote.according", 0.85),
            // “...,” Smith, the mayor, said.
            Rule::AfterQuoteSubject => ("direct.after_quote.subject", 0.9),
            // Smith said: “...” / Said Smith, “...”
            Rule::BeforeQuote => ("direct.before_quote", 0.85),
            // He ended with an appeal to voters: “...”
            Rule::BeforeQuotePastWords => ("direct.before_quote.past_words", 0.7),
            // Bystrom agreed. “...”
            Rule::PreviousSentence => ("direct.previous_sentence", 0.7),
            // Reid: “...”
            Rule::ColonLabel => ("direct.colon_label", 0.7),
            // Olsen released the following statement: “...”
            Rule::ColonSubject => ("direct.colon_subject", 0.6),
            // “...” ⏎ - Bernie Sanders.
            Rule::Signature => ("direct.signature", 0.75),
            // Alvarez credited the shelters to “...”
            Rule::SentenceSubject => ("direct.sentence_subject", 0.45),
            // The paragraph's previous attribution, less INHERITED_PENALTY, never below this.
            // “...,” she said. “...”
            Rule::InheritedSameParagraph => ("direct.inherited.same_paragraph", 0.4),
            // ..., she said. ⏎ “...”
            Rule::InheritedNextParagraph => ("direct.inherited.next_paragraph", 0.5),
            // “...” with no speaker in reach
            Rule::Unattributed => ("direct.unattributed", 0.3),
            // What a later cue-less quote in the paragraph inherits from reported speech.
            // ..., said Beck. “...”
            Rule::LatestReport => ("reported.latest_speaker", 0.6),
            // Smith said (that) ...
            Rule::ReportedAfterCue => ("reported.after_cue", 0.75),
            // If the law passes, Smith said, prices will rise.
            Rule::ReportedInterrupted => ("reported.interrupted", 0.75),
            // The plan will fail, Smith said.
            Rule::ReportedBeforeSubject => ("reported.before_subject", 0.75),
            // The plan will fail, said Smith.
            Rule::ReportedInverted => ("reported.inverted", 0.75),
            // According to Smith, ... / ..., according to Smith.
            Rule::ReportedAccording => ("reported.according", 0.75),
            // ZTE declined to comment.
            Rule::ReportedComplete => ("reported.complete", 0.75),
            // Besides attacking the tariff, Olsen ...
            Rule::AdverbialParticiple => ("reported.adverbial_participle", 0.6),
            // The inner report's confidence, no higher than the outer one's, less NESTED_PENALTY,
            // never below this.
            // Smith said Jones denied the report.
            Rule::Nested => ("reported.nested", 0.05),
            // Warren: Trump is a failure
            Rule::ColonStatement => ("cueless.colon_statement", 0.5),
            // In a new poll by X, 50 percent chose ...
            Rule::InSource => ("cueless.in_source", 0.5),
            // Olsen's claim that ...
            Rule::Nominal => ("nominal.possessor", 0.45),
            // Asked whether he would run, ...
            Rule::Question => ("sourceless.question", 0.3),
            // The vote is expected to ... / the party seemed to ...
            Rule::Expectation => ("sourceless.expectation", 0.3),
            // The group reportedly spent $1.5 million.
            Rule::Reportedly => ("sourceless.reportedly", 0.3),
            // Rubio seemed to urge ...
            Rule::SeemingPerson => ("sourceless.seeming_person", 0.4),
            // MR. PRICE: ...
            Rule::TranscriptTurn => ("pages.transcript_turn", 0.9),
            // An interview's "A: ..." (or a transcript's), said by the interviewee the
            // introduction names.
            Rule::AnswerTurn => ("pages.answer_turn", 0.8),
            // The sentences of "Q: ..." that state something, said by the interviewer.
            Rule::QuestionTurn => ("pages.question_turn", 0.5),
            // a press release's own sentence
            Rule::PressRelease => ("pages.press_release", 0.6),
            // “...” in text without English lexicons
            Rule::BareQuotationMarks => ("bare.quotation_marks", 0.3),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        self.info().0
    }

    /// The rule's base confidence.
    pub(crate) fn confidence(self) -> f32 {
        self.info().1
    }
}

/// Less confidence when the attribution after a quote starts a new sentence (`“...” Smith
/// said the ruling ...`).
pub(crate) const NEW_SENTENCE_PENALTY: f32 = 0.15;

/// Less confidence for a quote that inherits the paragraph's previous attribution.
pub(crate) const INHERITED_PENALTY: f32 = 0.1;

/// Base confidence of reported speech whose speaker is a resolved pronoun or reference (the
/// speaker adjustment then applies as well).
pub(crate) const REPORTED_RESOLVED_CONFIDENCE: f32 = 0.6;

/// Less confidence for a verb of thought, perception or intent ("believes", "wants").
pub(crate) const WEAK_CUE_PENALTY: f32 = 0.15;

/// Less confidence for a report nested in another one.
pub(crate) const NESTED_PENALTY: f32 = 0.15;

/// A quoted phrase inside the writer's sentence counts as a statement only when its
/// attribution is at least this sure.
pub(crate) const MIN_BORROWED_PHRASE_CONFIDENCE: f32 = 0.85;

/// Stance (see `stance`): a stance cue's own label holds unless the model scores another
/// label at least this much higher (log-odds), so "confirmed the company had never shared
/// data" can be a denial but a plain "warned that ..." stays a warning.
pub(crate) const CUE_OVERRIDE_MARGIN: f32 = 2.0;

/// Lowest and highest confidence of an attributed statement.
pub(crate) const CONFIDENCE_RANGE: (f32, f32) = (0.05, 1.0);

/// The adjustment for the kind of speaker mention: a name is surest; a resolved pronoun or
/// reference, a description and an unknown phrase less so.
pub(crate) fn speaker_adjustment(kind: SpeakerKind, resolved: bool) -> f32 {
    match kind {
        SpeakerKind::Person | SpeakerKind::Organization if resolved => -0.15,
        SpeakerKind::Person | SpeakerKind::Organization => 0.0,
        SpeakerKind::Anonymous | SpeakerKind::Group => -0.1,
        SpeakerKind::Unknown => -0.35,
    }
}

/// How a statement's content span was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentRule {
    /// The words inside the quotation marks.
    Quoted,
    /// The writer's words leading into a quote attributed after it (mixed).
    QuotedWithLead,
    /// From after the cue (past an addressee, modifiers, time phrases and "that") to the end
    /// of its clause.
    AfterCue,
    /// From the sentence start, across an attribution in its middle.
    Interrupted,
    /// From the sentence start to the comma before a closing attribution.
    BeforeSubject,
    /// Before an inverted cue ("..., said Smith"), or resumed after it.
    Inverted,
    /// After "according to X,".
    AccordingAfterSource,
    /// Around "..., according to X, ...".
    AccordingInterrupted,
    /// Before ", according to X".
    AccordingBeforeCue,
    /// The cue phrase itself and what it declines ("declined to comment on ...").
    CuePhrase,
    /// Between an adverbial -ing cue and the comma.
    AdverbialParticiple,
    /// After a `Speaker:` label.
    AfterColon,
    /// After an opening "In a poll by X,".
    AfterSourceOpener,
    /// The question after "asked".
    Question,
    /// The subject and what is said of it ("X is expected to ...").
    Expectation,
    /// From the introducer after a nominal cue to the end of the clause.
    NominalIntroducer,
    /// A transcript or interview paragraph after its label.
    Turn,
    /// A press release's own sentence, past its dateline.
    ReleaseSentence,
}

impl ContentRule {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ContentRule::Quoted => "content.quoted",
            ContentRule::QuotedWithLead => "content.quoted_with_lead",
            ContentRule::AfterCue => "content.after_cue",
            ContentRule::Interrupted => "content.interrupted",
            ContentRule::BeforeSubject => "content.before_subject",
            ContentRule::Inverted => "content.inverted",
            ContentRule::AccordingAfterSource => "content.according_after_source",
            ContentRule::AccordingInterrupted => "content.according_interrupted",
            ContentRule::AccordingBeforeCue => "content.according_before_cue",
            ContentRule::CuePhrase => "content.cue_phrase",
            ContentRule::AdverbialParticiple => "content.adverbial_participle",
            ContentRule::AfterColon => "content.after_colon",
            ContentRule::AfterSourceOpener => "content.after_source_opener",
            ContentRule::Question => "content.question",
            ContentRule::Expectation => "content.expectation",
            ContentRule::NominalIntroducer => "content.nominal_introducer",
            ContentRule::Turn => "content.turn",
            ContentRule::ReleaseSentence => "content.release_sentence",
        }
    }
}

/// What kind of mention named the speaker, and how it was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeakerRule {
    /// A tagged person, organisation or place name.
    Entity,
    /// A pronoun resolved to an earlier speaker or mention.
    Pronoun,
    /// A pronoun with no antecedent, kept as written.
    UnresolvedPronoun,
    /// "who"/"which" after a name or description.
    Relative,
    /// "the company", "the ministry": the last matching organisation.
    OrgReference,
    /// A description headed by a speaker noun ("a senior U.S. official").
    Description,
    /// Any short noun phrase before the cue ("the airline", "42 percent").
    SubjectPhrase,
    /// The whole phrase between a quote and its cue.
    PhraseAfterQuote,
    /// Capitalised words the tagger missed.
    CapitalisedName,
    /// The source after "according to" ("a company presentation").
    SourcePhrase,
    /// A label before a colon, or a document opening the sentence, as written.
    Label,
    /// The publisher of a press release.
    Publisher,
    /// The person an interview's introduction names, for its answers.
    Interviewee,
    /// The interviewer (or the publication) asking an interview's questions.
    Interviewer,
}

impl SpeakerRule {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SpeakerRule::Entity => "speaker.entity",
            SpeakerRule::Pronoun => "speaker.pronoun",
            SpeakerRule::UnresolvedPronoun => "speaker.unresolved_pronoun",
            SpeakerRule::Relative => "speaker.relative",
            SpeakerRule::OrgReference => "speaker.org_reference",
            SpeakerRule::Description => "speaker.description",
            SpeakerRule::SubjectPhrase => "speaker.subject_phrase",
            SpeakerRule::PhraseAfterQuote => "speaker.phrase_after_quote",
            SpeakerRule::CapitalisedName => "speaker.capitalised_name",
            SpeakerRule::SourcePhrase => "speaker.source_phrase",
            SpeakerRule::Label => "speaker.label",
            SpeakerRule::Publisher => "speaker.publisher",
            SpeakerRule::Interviewee => "speaker.interviewee",
            SpeakerRule::Interviewer => "speaker.interviewer",
        }
    }
}

/// What decided a statement's stance (see `stance` for the precedence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StanceRule {
    /// The cue's own stance ("denied", "warned"), which the content alone would not give.
    Cue,
    /// The cue's stance, which the content alone gives too.
    CueAndContent,
    /// The content's evidence (a neutral or missing cue, or content overriding the cue).
    Content,
    /// A negated cue ("did not deny"): its own stance excluded, the content decided.
    NegatedCue,
    /// A declining cue ("declined to comment") decides by itself.
    DecliningCue,
    /// Content that refuses to comment ("No comment") is a decline.
    Refusal,
    /// A stance marker in the content, when no stance model is loaded.
    ContentMarker,
    /// A nominal cue's stance ("her denial that ...").
    NominalCue,
    /// Neutral by rule: a question, an expectation, a quote in another language.
    None,
}

impl StanceRule {
    pub(crate) fn name(self) -> &'static str {
        match self {
            StanceRule::Cue => "stance.cue",
            StanceRule::CueAndContent => "stance.cue_and_content",
            StanceRule::Content => "stance.content",
            StanceRule::NegatedCue => "stance.negated_cue",
            StanceRule::DecliningCue => "stance.declining_cue",
            StanceRule::Refusal => "stance.refusal",
            StanceRule::ContentMarker => "stance.content_marker",
            StanceRule::NominalCue => "stance.nominal_cue",
            StanceRule::None => "stance.none",
        }
    }
}

/// The rules that produced one quote, by name, as `analyze --explain` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteRules {
    /// The attribution rule: how the statement, its cue and its speaker were tied together.
    pub cue: &'static str,
    /// How the content span was cut.
    pub content: &'static str,
    /// What kind of mention named the speaker (`none` without a speaker).
    pub speaker: &'static str,
    /// What decided the stance.
    pub stance: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every attribution rule (a new variant must be added here: the match in `info` has
    /// one row per variant).
    const ALL: [Rule; 34] = [
        Rule::AfterQuoteInverted,
        Rule::AfterQuoteAccording,
        Rule::AfterQuoteSubject,
        Rule::BeforeQuote,
        Rule::BeforeQuotePastWords,
        Rule::PreviousSentence,
        Rule::ColonLabel,
        Rule::ColonSubject,
        Rule::Signature,
        Rule::SentenceSubject,
        Rule::InheritedSameParagraph,
        Rule::InheritedNextParagraph,
        Rule::Unattributed,
        Rule::LatestReport,
        Rule::ReportedAfterCue,
        Rule::ReportedInterrupted,
        Rule::ReportedBeforeSubject,
        Rule::ReportedInverted,
        Rule::ReportedAccording,
        Rule::ReportedComplete,
        Rule::AdverbialParticiple,
        Rule::Nested,
        Rule::ColonStatement,
        Rule::InSource,
        Rule::Nominal,
        Rule::Question,
        Rule::Expectation,
        Rule::Reportedly,
        Rule::SeemingPerson,
        Rule::TranscriptTurn,
        Rule::AnswerTurn,
        Rule::QuestionTurn,
        Rule::PressRelease,
        Rule::BareQuotationMarks,
    ];

    #[test]
    fn every_rule_has_a_unique_name_and_a_confidence_in_range() {
        let mut names = std::collections::HashSet::new();
        for rule in ALL {
            assert!(names.insert(rule.name()), "{} twice", rule.name());
            assert!((CONFIDENCE_RANGE.0..=CONFIDENCE_RANGE.1).contains(&rule.confidence()), "{}", rule.name());
        }
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn names_are_dotted_module_and_pattern() {
        for rule in ALL {
            let module = rule.name().split('.').next().unwrap_or("");
            assert!(
                ["direct", "reported", "cueless", "nominal", "sourceless", "pages", "bare"].contains(&module),
                "{}",
                rule.name()
            );
        }
        assert_eq!(Rule::AfterQuoteSubject.name(), "direct.after_quote.subject");
        assert_eq!(Rule::Nominal.confidence(), 0.45);
    }

    #[test]
    fn names_mentions_surest_and_unknown_phrases_least_sure() {
        let name = speaker_adjustment(SpeakerKind::Person, false);
        let pronoun = speaker_adjustment(SpeakerKind::Person, true);
        let anonymous = speaker_adjustment(SpeakerKind::Anonymous, false);
        let unknown = speaker_adjustment(SpeakerKind::Unknown, false);
        assert!(name > pronoun && pronoun < anonymous && anonymous > unknown);
    }
}
