//! Cases of reported speech only: indirect and mixed statements, stance verbs, nominal
//! cues, questions and raising verbs, and text that must not become a quote.

use super::Case;
use crate::model::{PageKind, QuoteKind, SpeakerKind, Stance};

use QuoteKind::{Indirect, Mixed};
use SpeakerKind::{Anonymous, Group, Organization, Person};

pub(super) const REPORTED: &[Case] = &[
    Case {
        name: "mixed quote and a negated cue",
        kind: PageKind::News,
        publisher: None,
        text: "Opposition leader Tomas Weber said the pension plan was \"reckless and unfunded\" and would hurt retirees. Weber did not deny that his party had backed a similar bill in 2019.",
        expected: &[
            (
                "the pension plan was \"reckless and unfunded\" and would hurt retirees",
                Some("Tomas Weber"),
                Person,
                Mixed,
                Some(Stance::Criticize),
            ),
            ("his party had backed a similar bill in 2019", Some("Tomas Weber"), Person, Indirect, None),
        ],
        absent: &["reckless and unfunded"],
    },
    Case {
        name: "declined to comment, did not respond, according to",
        kind: PageKind::News,
        publisher: None,
        text: "According to people familiar with the matter, the merger could be announced as early as Friday. ZTE declined to comment. \
               Nordvik Telecom did not respond to a request for comment.",
        expected: &[
            (
                "the merger could be announced as early as Friday",
                Some("people familiar with the matter"),
                Anonymous,
                Indirect,
                None,
            ),
            ("declined to comment", Some("ZTE"), Organization, Indirect, Some(Stance::Decline)),
            (
                "did not respond to a request for comment",
                Some("Nordvik Telecom"),
                Organization,
                Indirect,
                Some(Stance::Decline),
            ),
        ],
        absent: &[],
    },
    Case {
        name: "anonymous official and groups",
        kind: PageKind::News,
        publisher: None,
        text: "A senior U.S. official, speaking on condition of anonymity, said the talks had stalled. \
               Analysts warned that the tariffs could push consumer prices higher. \
               Critics say the law is too vague to enforce.",
        expected: &[
            ("the talks had stalled", Some("A senior U.S. official"), Anonymous, Indirect, Some(Stance::Neutral)),
            ("the tariffs could push consumer prices higher", Some("Analysts"), Group, Indirect, Some(Stance::Warn)),
            ("the law is too vague to enforce", Some("Critics"), Group, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "stance verbs with targets and the company resolved to the organisation",
        kind: PageKind::News,
        publisher: None,
        text: "Senator Ann Reyes accused Beijing of stealing trade secrets from American firms. \
               Huawei denies the allegations. The company said it had complied with every law in the markets where it operates.",
        expected: &[
            (
                "Beijing of stealing trade secrets from American firms",
                Some("Ann Reyes"),
                Person,
                Indirect,
                Some(Stance::Accuse),
            ),
            ("the allegations", Some("Huawei"), Organization, Indirect, Some(Stance::Deny)),
            (
                "it had complied with every law in the markets where it operates",
                Some("Huawei"),
                Organization,
                Indirect,
                None,
            ),
        ],
        absent: &[],
    },
    Case {
        name: "pronoun indirect speech with never is a denial",
        kind: PageKind::News,
        publisher: None,
        text: "Ren Zhengfei spoke to a small group of journalists at the company campus. He said the company had never handed data to any government.",
        expected: &[(
            "the company had never handed data to any government",
            Some("Ren Zhengfei"),
            Person,
            Indirect,
            Some(Stance::Deny),
        )],
        absent: &[],
    },
    Case {
        name: "scare quotes and titles are not statements",
        kind: PageKind::News,
        publisher: None,
        text: "The so-called \"digital sovereignty\" push has been debated for years. She appeared on \"Meet the Press\" on Sunday.",
        expected: &[],
        absent: &["digital sovereignty", "Meet the Press"],
    },
    Case {
        name: "any noun phrase as subject, polls and coordinated cues split the content",
        kind: PageKind::News,
        publisher: None,
        text: "The airline said Thursday that the co-pilot had logged 2,766 flying hours. \
               In the survey, 42 percent say the economy is getting worse. \
               Governor Ellen Park said the state would hire 300 nurses, but warned that the budget remained tight.",
        expected: &[
            (
                "the co-pilot had logged 2,766 flying hours",
                Some("The airline"),
                SpeakerKind::Unknown,
                Indirect,
                Some(Stance::Neutral),
            ),
            ("the economy is getting worse", Some("42 percent"), Group, Indirect, None),
            ("the state would hire 300 nurses", Some("Ellen Park"), Person, Indirect, Some(Stance::Neutral)),
            ("the budget remained tight", Some("Ellen Park"), Person, Indirect, Some(Stance::Warn)),
        ],
        absent: &[],
    },
    Case {
        name: "participle clause and content before an inverted speaker",
        kind: PageKind::News,
        publisher: None,
        text: "Mayor Lin Osei defended the curfew, saying it had cut night-time crime by a third. \
               The new rules will hurt small shops, said Peter Njoroge, who runs a bakery on Market Street.",
        expected: &[
            ("the curfew", Some("Lin Osei"), Person, Indirect, Some(Stance::Support)),
            ("it had cut night-time crime by a third", Some("Lin Osei"), Person, Indirect, None),
            ("The new rules will hurt small shops", Some("Peter Njoroge"), Person, Indirect, Some(Stance::Neutral)),
        ],
        absent: &[],
    },
    Case {
        name: "declining with a question, warning of, and a question that is not a statement",
        kind: PageKind::News,
        publisher: None,
        text: "The ministry declined to say whether the ambassador would return. \
               The pilots' union warned of strikes over the summer. \
               Asked whether he blamed the referee, the manager said he would watch the replay first.",
        expected: &[
            (
                "declined to say whether the ambassador would return",
                Some("The ministry"),
                Organization,
                Indirect,
                Some(Stance::Decline),
            ),
            ("strikes over the summer", Some("The pilots' union"), Organization, Indirect, Some(Stance::Warn)),
            ("he would watch the replay first", Some("the manager"), Person, Indirect, Some(Stance::Neutral)),
        ],
        absent: &["the referee"],
    },
    Case {
        name: "nouns that look like cues and borrowed phrases are not statements",
        kind: PageKind::News,
        publisher: None,
        text: "Trade between the United States and Mexico grew in all 50 states last year. \
               Critics have called the plan a “slow-motion bailout” for the banks. \
               She appeared on ABC’s “This Week” on Sunday.",
        expected: &[],
        absent: &["and Mexico grew in all 50 states last year", "slow-motion bailout", "This Week"],
    },
    Case {
        name: "wire dateline, a name in apposition, an interrupting attribution, an addressee at the end",
        kind: PageKind::News,
        publisher: None,
        text: "LYON, March 3 (Reuters) - The country's largest farm union leader, Marie Dufour, backed the new tariff plan on Tuesday, saying imports had undercut local growers.\n\n\
               If the tariffs pass, Dufour said, prices will stabilise within a year.\n\n\
               The plan includes a fund for small farms, Agriculture Minister Paul Renaud told a parliamentary committee.",
        expected: &[
            ("imports had undercut local growers", Some("Marie Dufour"), Person, Indirect, None),
            (
                "If the tariffs pass, Dufour said, prices will stabilise within a year",
                Some("Marie Dufour"),
                Person,
                Indirect,
                None,
            ),
            ("The plan includes a fund for small farms", Some("Paul Renaud"), Person, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "a speaker label before a colon, a question put to someone, a raising verb",
        kind: PageKind::News,
        publisher: None,
        text: "Governor Hale: The Budget Will Balance Itself by Spring.\n\n\
               Asked whether she would sign the bill, Hale said she had not read it. \
               The legislature is expected to vote on the measure next week.",
        expected: &[
            ("The Budget Will Balance Itself by Spring", Some("Hale"), Person, Indirect, None),
            ("whether she would sign the bill", None, SpeakerKind::Unknown, Indirect, Some(Stance::Neutral)),
            ("she had not read it", Some("Hale"), Person, Indirect, Some(Stance::Neutral)),
            (
                "The legislature is expected to vote on the measure next week",
                None,
                SpeakerKind::Unknown,
                Indirect,
                Some(Stance::Neutral),
            ),
        ],
        absent: &["Photo"],
    },
    Case {
        name: "the writer's words leading into a quote attributed after it are a mixed quote",
        kind: PageKind::News,
        publisher: None,
        text: "Voters trust friends more than news outlets. The candidate's silence may be \"a deliberate strategy,\" said Lena Park, a professor of political communication.",
        expected: &[(
            "The candidate's silence may be \"a deliberate strategy,\"",
            Some("Lena Park"),
            Person,
            Mixed,
            None,
        )],
        absent: &[],
    },
    Case {
        name: "closing attributions own the sentence, relative pronouns, infinitives, modal cues",
        kind: PageKind::News,
        publisher: None,
        text: "After two terms as mayor, Ortiz plans to run for the Senate next year, her adviser Tom Reyes said.\n\n\
               The bill was opposed by Senator Ann Walsh of Oregon, who warned that it would raise prices. \
               Walsh vowed to block the measure. \
               Reyes said that in a race against Walsh, Ortiz would support a smaller tax cut.",
        expected: &[
            (
                "After two terms as mayor, Ortiz plans to run for the Senate next year",
                Some("Tom Reyes"),
                Person,
                Indirect,
                Some(Stance::Neutral),
            ),
            ("it would raise prices", Some("Ann Walsh"), Person, Indirect, Some(Stance::Warn)),
            ("to block the measure", Some("Ann Walsh"), Person, Indirect, None),
            (
                "in a race against Walsh, Ortiz would support a smaller tax cut",
                Some("Tom Reyes"),
                Person,
                Indirect,
                None,
            ),
        ],
        absent: &[],
    },
    Case {
        name: "statements reported by a noun after a possessor",
        kind: PageKind::News,
        publisher: None,
        text: "Voters in Iowa were divided over Governor Mary Olsen's proposal to cut the state income tax. \
               Her repeated claims that the cut would pay for itself drew scorn from economists, \
               and the union's denial that it had funded the campaign did little to calm the debate. \
               His speech to voters was short.",
        expected: &[
            ("to cut the state income tax", Some("Mary Olsen"), Person, Indirect, None),
            ("the cut would pay for itself drew scorn from economists", Some("Mary Olsen"), Person, Indirect, None),
            (
                "it had funded the campaign did little to calm the debate",
                Some("the union"),
                SpeakerKind::Unknown,
                Indirect,
                Some(Stance::Deny),
            ),
        ],
        absent: &["voters was short"],
    },
    Case {
        name: "subjects a rule could miss: -ly names, narrowing appositions, noun phrases before a participle",
        kind: PageKind::News,
        publisher: None,
        text: "Jolly said the tariff would hurt farmers. \
               Several governors, including Olsen, said the federal rules should be delayed. \
               Both unions stiffened their opposition to the plan, saying that it ignored safety. \
               In her email, Dana Berg told members of the county farm board that the vote would be held in March. \
               The budget office said about half of the cost came from the tax cuts. \
               Olsen said during her speech Tuesday that the state would appeal.",
        expected: &[
            ("the tariff would hurt farmers", Some("Jolly"), SpeakerKind::Unknown, Indirect, Some(Stance::Neutral)),
            ("the federal rules should be delayed", Some("Several governors"), Group, Indirect, None),
            ("it ignored safety", Some("Both unions"), Group, Indirect, None),
            ("the vote would be held in March", Some("Dana Berg"), Person, Indirect, Some(Stance::Neutral)),
            (
                "about half of the cost came from the tax cuts",
                Some("The budget office"),
                Organization,
                Indirect,
                Some(Stance::Neutral),
            ),
            ("the state would appeal", Some("Olsen"), Person, Indirect, Some(Stance::Neutral)),
        ],
        absent: &[],
    },
    Case {
        name: "participles after a sentence adverb, a quote's comma or a first participle; roles with 'former'",
        kind: PageKind::News,
        publisher: None,
        text: "Then she turned on Walsh, calling him a coward. \
               Olsen stressed that \"the farmers come first,\" suggesting that the subsidy would stay. \
               Olsen fired back, saying she would not support the bill and warning that prices would rise. \
               Farm groups went further, with former Idaho Gov. Peter Lund calling the bill a disaster. \
               The farm bureau wrote to the governor's office that it did not have the money.",
        expected: &[
            ("him a coward", Some("she"), SpeakerKind::Unknown, Indirect, None),
            ("the subsidy would stay", Some("Olsen"), Person, Indirect, Some(Stance::Neutral)),
            ("she would not support the bill", Some("Olsen"), Person, Indirect, Some(Stance::Neutral)),
            ("prices would rise", Some("Olsen"), Person, Indirect, Some(Stance::Warn)),
            ("the bill a disaster", Some("Peter Lund"), Person, Indirect, None),
            ("it did not have the money", Some("The farm bureau"), Organization, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "titles in quotation marks after a preposition are not statements",
        kind: PageKind::News,
        publisher: None,
        text: "Olsen said on \"Meet the Press.\" that she would run again. \
               She told the story in her memoir \"A Farmer's Daughter.\"",
        expected: &[("she would run again", Some("Olsen"), Person, Indirect, Some(Stance::Neutral))],
        absent: &["Meet the Press.", "A Farmer's Daughter."],
    },
    Case {
        name: "participles after long openers, 'by saying', irregular past verbs, long parentheses, absolute 'with'",
        kind: PageKind::News,
        publisher: None,
        text: "In a speech to the state farm bureau in Twin Falls on Tuesday night, Governor Mary Olsen struck a \
               hopeful tone, saying the drought was over. \
               Peter Lund answered the governor by saying the rain had come too late. \
               Senator Ann Walsh (an Idaho Republican who has farmed wheat near Boise for thirty years) says the \
               tariff will pass. \
               Farmers were split, with many saying the subsidy was too small.",
        expected: &[
            ("the drought was over", Some("Mary Olsen"), Person, Indirect, Some(Stance::Neutral)),
            ("the rain had come too late", Some("Peter Lund"), Person, Indirect, None),
            ("the tariff will pass", Some("Ann Walsh"), Person, Indirect, Some(Stance::Neutral)),
            ("the subsidy was too small", Some("many"), Group, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "nouns and adjectives that look like cues: 'state Sen.', 'Idaho state', 'pledged delegates', 'wrote a book'",
        kind: PageKind::News,
        publisher: None,
        text: "Olsen won 200 pledged delegates in the primary. \
               Idaho state Sen. Peter Lund, who chairs the farm committee, wrote a memoir. \
               Lund states that the farm bill will pass.",
        expected: &[("the farm bill will pass", Some("Peter Lund"), Person, Indirect, Some(Stance::Neutral))],
        absent: &["delegates in the primary", "Peter Lund, who chairs the farm committee, wrote a memoir", "a memoir"],
    },
    Case {
        name: "openers before the subject: a place in apposition, a party tag and a relative clause",
        kind: PageKind::News,
        publisher: None,
        text: "Speaking at a town hall in Twin Falls, Idaho, Olsen went after Walsh, calling him a coward.\n\n\
               Speaking later on the same show, Peter Lund (R-Idaho), who has endorsed Olsen, said the tariff \
               would hurt farmers.",
        expected: &[
            ("him a coward", Some("Olsen"), Person, Indirect, None),
            ("the tariff would hurt farmers", Some("Peter Lund"), Person, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "a report nested in another report is a statement of its own",
        kind: PageKind::News,
        publisher: None,
        text: "Two board members said the chairman had warned that the merger would cost 900 jobs.\n\n\
               A company spokesman said Tinde Mobile denied the allegations.",
        expected: &[
            (
                "the chairman had warned that the merger would cost 900 jobs",
                Some("Two board members"),
                Group,
                Indirect,
                Some(Stance::Neutral),
            ),
            ("the merger would cost 900 jobs", Some("the chairman"), Person, Indirect, Some(Stance::Warn)),
            ("the allegations", Some("Tinde Mobile"), Organization, Indirect, Some(Stance::Deny)),
        ],
        absent: &[],
    },
];
