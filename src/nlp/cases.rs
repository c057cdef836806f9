//! Data-driven tests: realistic news paragraphs (written for this project) in, expected
//! quotes out. Each case names the pattern it covers; an expectation must match one record
//! exactly on text, speaker, kind and stance. Test-only; it must not hold analysis logic.

use crate::model::{Analysis, PageKind, QuoteKind, SpeakerKind, Stance};
use crate::nlp::{AnalysisInput, Analyzer};

/// One expected quote: text, speaker display name, speaker kind, quote kind, stance.
type Expected = (&'static str, Option<&'static str>, SpeakerKind, QuoteKind, Stance);

struct Case {
    name: &'static str,
    kind: PageKind,
    publisher: Option<&'static str>,
    text: &'static str,
    expected: &'static [Expected],
    /// Texts that must not come out as quotes (scare quotes, boilerplate).
    absent: &'static [&'static str],
}

use QuoteKind::{Direct, Indirect, Mixed};
use SpeakerKind::{Anonymous, Group, Organization, Person};

const CASES: &[Case] = &[
    Case {
        name: "speaker after the quote, title in apposition, never asserted against a claim",
        kind: PageKind::News,
        publisher: None,
        text: "Huawei Technologies Co. on Tuesday rejected accusations that its equipment could be used for spying.\n\n\
               “We have never been asked to hand over data, and we never would,” Ren Zhengfei, the company’s founder, told reporters in Shenzhen.",
        expected: &[
            (
                "accusations that its equipment could be used for spying",
                Some("Huawei Technologies Co"),
                Organization,
                Indirect,
                Stance::Deny,
            ),
            (
                "We have never been asked to hand over data, and we never would",
                Some("Ren Zhengfei"),
                Person,
                Direct,
                Stance::Deny,
            ),
        ],
        absent: &[],
    },
    Case {
        name: "pronoun after an intervening person resolves to the speaker",
        kind: PageKind::News,
        publisher: None,
        text: "Commerce Secretary Gina Lorenzo said the export rules were necessary. Her deputy, Mark Ellison, drafted them last year with help from industry lawyers.\n\n\
               \"This is about protecting American networks,\" she said.",
        expected: &[
            ("the export rules were necessary", Some("Gina Lorenzo"), Person, Indirect, Stance::Neutral),
            ("This is about protecting American networks", Some("Gina Lorenzo"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "quote split around its cue",
        kind: PageKind::News,
        publisher: None,
        text: "\"We are not going to walk away from this market,\" said Maria Okafor, chief executive of Lagos-based Tinde Mobile. \"Our customers depend on us.\"",
        expected: &[
            ("We are not going to walk away from this market", Some("Maria Okafor"), Person, Direct, Stance::Neutral),
            ("Our customers depend on us.", Some("Maria Okafor"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "quote continuing across paragraphs after a colon introduction",
        kind: PageKind::News,
        publisher: None,
        text: "The mayor, Linda Castro, was blunt about the budget. She told the council:\n\n\
               “We cannot keep borrowing against the future. Every dollar we defer today is a dollar our children will pay back with interest.\n\n\
               “I will not sign a budget that does that,” she added.",
        expected: &[
            (
                "We cannot keep borrowing against the future. Every dollar we defer today is a dollar our children will pay back with interest.",
                Some("Linda Castro"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            ("I will not sign a budget that does that", Some("Linda Castro"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "speaker named only in the next sentence",
        kind: PageKind::News,
        publisher: None,
        text: "\"We will appeal this decision.\" Omar Haddad, the lawyer representing the families, said the ruling ignored key evidence.",
        expected: &[
            ("We will appeal this decision.", Some("Omar Haddad"), Person, Direct, Stance::Neutral),
            ("the ruling ignored key evidence", Some("Omar Haddad"), Person, Indirect, Stance::Neutral),
        ],
        absent: &[],
    },
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
                Stance::Criticize,
            ),
            ("his party had backed a similar bill in 2019", Some("Tomas Weber"), Person, Indirect, Stance::Neutral),
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
                Stance::Neutral,
            ),
            ("declined to comment", Some("ZTE"), Organization, Indirect, Stance::Decline),
            (
                "did not respond to a request for comment",
                Some("Nordvik Telecom"),
                Organization,
                Indirect,
                Stance::Decline,
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
            ("the talks had stalled", Some("A senior U.S. official"), Anonymous, Indirect, Stance::Neutral),
            ("the tariffs could push consumer prices higher", Some("Analysts"), Group, Indirect, Stance::Warn),
            ("the law is too vague to enforce", Some("Critics"), Group, Indirect, Stance::Neutral),
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
                Stance::Accuse,
            ),
            ("the allegations", Some("Huawei"), Organization, Indirect, Stance::Deny),
            (
                "it had complied with every law in the markets where it operates",
                Some("Huawei"),
                Organization,
                Indirect,
                Stance::Neutral,
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
            Stance::Deny,
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
        name: "speaker before the quote with a colon, and a told-reporters clause",
        kind: PageKind::News,
        publisher: None,
        text: "Prime Minister Lena Varga said: \"Our borders remain open to trade.\" Varga told reporters the government would publish its plan next week.",
        expected: &[
            ("Our borders remain open to trade.", Some("Lena Varga"), Person, Direct, Stance::Neutral),
            ("the government would publish its plan next week", Some("Lena Varga"), Person, Indirect, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "press release statements of the publisher, boilerplate skipped",
        kind: PageKind::PressRelease,
        publisher: Some("Acme Robotics"),
        text: "Acme Robotics Unveils Warehouse Assistant\n\n\
               SPRINGFIELD, March 3, 2024 -- Acme Robotics today announced a warehouse robot that sorts parcels twice as fast as current systems. The robot will ship to customers in June.\n\n\
               \"Our customers asked for speed, and we delivered,\" said Dana Whitfield, chief executive of Acme Robotics.\n\n\
               About Acme Robotics\n\n\
               Acme Robotics builds machines for logistics companies.\n\n\
               Media contact: press@acme.example",
        expected: &[
            (
                "a warehouse robot that sorts parcels twice as fast as current systems",
                Some("Acme Robotics"),
                Organization,
                Indirect,
                Stance::Neutral,
            ),
            (
                "The robot will ship to customers in June",
                Some("Acme Robotics"),
                Organization,
                Indirect,
                Stance::Neutral,
            ),
            (
                "Our customers asked for speed, and we delivered",
                Some("Dana Whitfield"),
                Person,
                Direct,
                Stance::Neutral,
            ),
        ],
        absent: &["Acme Robotics builds machines for logistics companies", "Media contact: press@acme.example"],
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
                Stance::Neutral,
            ),
            ("the economy is getting worse", Some("42 percent"), Group, Indirect, Stance::Neutral),
            ("the state would hire 300 nurses", Some("Ellen Park"), Person, Indirect, Stance::Neutral),
            ("the budget remained tight", Some("Ellen Park"), Person, Indirect, Stance::Warn),
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
            ("the curfew", Some("Lin Osei"), Person, Indirect, Stance::Support),
            ("it had cut night-time crime by a third", Some("Lin Osei"), Person, Indirect, Stance::Neutral),
            ("The new rules will hurt small shops", Some("Peter Njoroge"), Person, Indirect, Stance::Neutral),
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
                Stance::Decline,
            ),
            ("strikes over the summer", Some("The pilots' union"), Organization, Indirect, Stance::Warn),
            ("he would watch the replay first", Some("the manager"), Person, Indirect, Stance::Neutral),
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
        name: "transcript turns",
        kind: PageKind::Transcript,
        publisher: None,
        text: "Department Press Briefing\n\n\
               MR. PRICE: Good afternoon, everyone. We have a few announcements at the top.\n\n\
               We remain deeply concerned by the reports from the region.\n\n\
               QUESTION: Can you say more about the sanctions?\n\n\
               THE SPOKESPERSON: Not at this time.",
        expected: &[
            (
                "Good afternoon, everyone. We have a few announcements at the top.",
                Some("Mr. Price"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            (
                "We remain deeply concerned by the reports from the region.",
                Some("Mr. Price"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            ("Can you say more about the sanctions?", Some("reporter"), Group, Direct, Stance::Neutral),
            ("Not at this time.", Some("The spokesperson"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "typewriter quotation marks, a split quote, a descriptor subject and a party tag",
        kind: PageKind::News,
        publisher: None,
        text: "The vote was closer than expected.\n\n\
               ''We knew it would be tight,'' said Dana Whitfield, the campaign manager, ''and it was.''\n\n\
               Another volunteer said, \"Nobody slept last night.\"\n\n\
               \"The count was fair,\" Senate Majority Leader Tom Albers (R-Ohio) said in a statement.",
        expected: &[
            ("We knew it would be tight", Some("Dana Whitfield"), Person, Direct, Stance::Neutral),
            ("and it was.", Some("Dana Whitfield"), Person, Direct, Stance::Neutral),
            ("Nobody slept last night.", Some("Another volunteer"), Anonymous, Direct, Stance::Neutral),
            ("The count was fair", Some("Tom Albers"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "wire dateline, a name in apposition, an interrupting attribution, an addressee at the end",
        kind: PageKind::News,
        publisher: None,
        text: "LYON, March 3 (Reuters) - The country's largest farm union leader, Marie Dufour, backed the new tariff plan on Tuesday, saying imports had undercut local growers.\n\n\
               If the tariffs pass, Dufour said, prices will stabilise within a year.\n\n\
               The plan includes a fund for small farms, Agriculture Minister Paul Renaud told a parliamentary committee.",
        expected: &[
            ("imports had undercut local growers", Some("Marie Dufour"), Person, Indirect, Stance::Neutral),
            (
                "If the tariffs pass, Dufour said, prices will stabilise within a year",
                Some("Marie Dufour"),
                Person,
                Indirect,
                Stance::Neutral,
            ),
            ("The plan includes a fund for small farms", Some("Paul Renaud"), Person, Indirect, Stance::Neutral),
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
            ("The Budget Will Balance Itself by Spring", Some("Hale"), Person, Indirect, Stance::Neutral),
            ("whether she would sign the bill", None, SpeakerKind::Unknown, Indirect, Stance::Neutral),
            ("she had not read it", Some("Hale"), Person, Indirect, Stance::Neutral),
            (
                "The legislature is expected to vote on the measure next week",
                None,
                SpeakerKind::Unknown,
                Indirect,
                Stance::Neutral,
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
            Stance::Neutral,
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
                Stance::Neutral,
            ),
            ("it would raise prices", Some("Ann Walsh"), Person, Indirect, Stance::Warn),
            ("to block the measure", Some("Ann Walsh"), Person, Indirect, Stance::Neutral),
            (
                "in a race against Walsh, Ortiz would support a smaller tax cut",
                Some("Tom Reyes"),
                Person,
                Indirect,
                Stance::Support,
            ),
        ],
        absent: &[],
    },
    Case {
        name: "speakers introduced by a colon, a participle, the sentence before, a possessive or a long appositive",
        kind: PageKind::News,
        publisher: None,
        text: "Walsh: 'We will not back down'\n\n\
               In 2014, Governor Mary Olsen released the following statement:\n\n\
               \"I have made mistakes, and I am sorry for them.\"\n\n\
               Senator Ann Walsh defended the tariff plan on Monday, saying, \"Our farmers cannot wait another year.\"\n\n\
               Iowa State University's Dana Berg agreed. \"The farm vote is in play for the first time in a decade.\"\n\n\
               \"It will pass the Senate,\" Fremont County's Lee Tanaka said.\n\n\
               \"Nobody here trusts the polls,\" Carla Diaz, the chair of the Idaho state farmers union, said on a call with reporters.",
        expected: &[
            ("We will not back down", Some("Walsh"), Person, Direct, Stance::Neutral),
            ("I have made mistakes, and I am sorry for them.", Some("Mary Olsen"), Person, Direct, Stance::Neutral),
            ("Our farmers cannot wait another year.", Some("Ann Walsh"), Person, Direct, Stance::Neutral),
            (
                "The farm vote is in play for the first time in a decade.",
                Some("Dana Berg"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            ("It will pass the Senate", Some("Lee Tanaka"), Person, Direct, Stance::Neutral),
            ("Nobody here trusts the polls", Some("Carla Diaz"), Person, Direct, Stance::Neutral),
        ],
        absent: &["farmers union"],
    },
    Case {
        name: "a quote after a new sentence's own report keeps the paragraph's speaker",
        kind: PageKind::News,
        publisher: None,
        text: "\"That is a problem for the party,\" said Representative Joan Pruitt (D-Ky.), a member of the leadership. \
               \"I would love to see him endorse, and I think he will.\" Representative Tom Berry said the endorsement would come in June.",
        expected: &[
            ("That is a problem for the party", Some("Joan Pruitt"), Person, Direct, Stance::Neutral),
            (
                "I would love to see him endorse, and I think he will.",
                Some("Joan Pruitt"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            ("the endorsement would come in June", Some("Tom Berry"), Person, Indirect, Stance::Neutral),
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
            ("to cut the state income tax", Some("Mary Olsen"), Person, Indirect, Stance::Neutral),
            (
                "the cut would pay for itself drew scorn from economists",
                Some("Mary Olsen"),
                Person,
                Indirect,
                Stance::Neutral,
            ),
            (
                "it had funded the campaign did little to calm the debate",
                Some("the union"),
                SpeakerKind::Unknown,
                Indirect,
                Stance::Deny,
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
            ("the tariff would hurt farmers", Some("Jolly"), SpeakerKind::Unknown, Indirect, Stance::Neutral),
            ("the federal rules should be delayed", Some("Several governors"), Group, Indirect, Stance::Neutral),
            ("it ignored safety", Some("Both unions"), Group, Indirect, Stance::Neutral),
            ("the vote would be held in March", Some("Dana Berg"), Person, Indirect, Stance::Neutral),
            (
                "about half of the cost came from the tax cuts",
                Some("The budget office"),
                Organization,
                Indirect,
                Stance::Neutral,
            ),
            ("the state would appeal", Some("Olsen"), Person, Indirect, Stance::Neutral),
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
            ("him a coward", Some("she"), SpeakerKind::Unknown, Indirect, Stance::Neutral),
            ("the subsidy would stay", Some("Olsen"), Person, Indirect, Stance::Neutral),
            ("she would not support the bill", Some("Olsen"), Person, Indirect, Stance::Neutral),
            ("prices would rise", Some("Olsen"), Person, Indirect, Stance::Warn),
            ("the bill a disaster", Some("Peter Lund"), Person, Indirect, Stance::Neutral),
            ("it did not have the money", Some("The farm bureau"), Organization, Indirect, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "a quote after reported speech keeps its speaker; long appositions and roles after a quote",
        kind: PageKind::News,
        publisher: None,
        text: "Olsen \"did well with rural voters\" in the primary, said state university professor Dana Berg. \
               \"That was her base from the start.\"\n\n\
               \"Nobody expected the turnout,\" Peter Lund, director of the Farm Policy Project at the state \
               agricultural college in Moscow, said on Tuesday.\n\n\
               \"We will not know for weeks,\" said undecided Republican voter Mary Ortiz of Boise.",
        expected: &[
            ("That was her base from the start.", Some("Dana Berg"), Person, Direct, Stance::Neutral),
            ("Nobody expected the turnout", Some("Peter Lund"), Person, Direct, Stance::Neutral),
            ("We will not know for weeks", Some("Mary Ortiz"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "ages and home towns in apposition, adverbial participles, the topic after 'said of'",
        kind: PageKind::News,
        publisher: None,
        text: "Dana Berg, 34, of Twin Falls, Idaho, said she had not decided how to vote.\n\n\
               Besides attacking the tariff, Governor Mary Olsen asserted that the state budget was safe.\n\n\
               Peter Lund, a former aide to Ms. Olsen and now the head of the farm bureau in Twin Falls, \
               said of Ms. Olsen: \"She listens to farmers.\"",
        expected: &[
            ("she had not decided how to vote", Some("Dana Berg"), Person, Indirect, Stance::Neutral),
            ("the tariff", Some("Mary Olsen"), Person, Indirect, Stance::Criticize),
            ("the state budget was safe", Some("Mary Olsen"), Person, Indirect, Stance::Neutral),
            ("She listens to farmers.", Some("Peter Lund"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "titles in quotation marks after a preposition are not statements",
        kind: PageKind::News,
        publisher: None,
        text: "Olsen said on \"Meet the Press.\" that she would run again. \
               She told the story in her memoir \"A Farmer's Daughter.\"",
        expected: &[("she would run again", Some("Olsen"), Person, Indirect, Stance::Neutral)],
        absent: &["Meet the Press.", "A Farmer's Daughter."],
    },
    Case {
        name: "coordinated cues after a non-reporting verb, 'while another says', approximate groups",
        kind: PageKind::News,
        publisher: None,
        text: "The Agriculture Department has reviewed about 1,500 of the claims and says it will pay most of them. \
               One survey says wheat prices will fall, while another says they will hold. \
               About 9 percent said they had no preference.\n\n\
               Said Dana Berg, who has farmed near Boise for 30 years, \"Nobody here trusts the polls.\"",
        expected: &[
            ("it will pay most of them", Some("Agriculture Department"), Organization, Indirect, Stance::Neutral),
            ("they will hold", Some("another"), Group, Indirect, Stance::Neutral),
            ("they had no preference", Some("About 9 percent"), Group, Indirect, Stance::Neutral),
            ("Nobody here trusts the polls.", Some("Dana Berg"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
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
            ("the drought was over", Some("Mary Olsen"), Person, Indirect, Stance::Neutral),
            ("the rain had come too late", Some("Peter Lund"), Person, Indirect, Stance::Neutral),
            ("the tariff will pass", Some("Ann Walsh"), Person, Indirect, Stance::Neutral),
            ("the subsidy was too small", Some("many"), Group, Indirect, Stance::Neutral),
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
        expected: &[("the farm bill will pass", Some("Peter Lund"), Person, Indirect, Stance::Neutral)],
        absent: &["delegates in the primary", "Peter Lund, who chairs the farm committee, wrote a memoir", "a memoir"],
    },
    Case {
        name: "'reads' attributes quotations only; 'the' before a role",
        kind: PageKind::News,
        publisher: None,
        text: "\"The state may not collect the fee,\" the ruling reads.\n\n\
               Lund reads the farm report every morning.\n\n\
               \"Prices will fall,\" the economist Dana Berg, a former adviser to the governor, wrote.",
        expected: &[
            ("The state may not collect the fee", Some("the ruling"), SpeakerKind::Unknown, Direct, Stance::Neutral),
            ("Prices will fall", Some("Dana Berg"), Person, Direct, Stance::Neutral),
        ],
        absent: &["the farm report every morning"],
    },
    Case {
        name: "openers before the subject: a place in apposition, a party tag and a relative clause",
        kind: PageKind::News,
        publisher: None,
        text: "Speaking at a town hall in Twin Falls, Idaho, Olsen went after Walsh, calling him a coward.\n\n\
               Speaking later on the same show, Peter Lund (R-Idaho), who has endorsed Olsen, said the tariff \
               would hurt farmers.",
        expected: &[
            ("him a coward", Some("Olsen"), Person, Indirect, Stance::Neutral),
            ("the tariff would hurt farmers", Some("Peter Lund"), Person, Indirect, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "'as X puts it', 'goes on to say', a coordinated participle before a quote",
        kind: PageKind::News,
        publisher: None,
        text: "As the Statesman's Dana Berg puts it, \"The farm vote decides Idaho.\"\n\n\
               Olsen praised the farmers and adding, \"They carried this state.\"",
        expected: &[
            ("The farm vote decides Idaho.", Some("Dana Berg"), Person, Direct, Stance::Neutral),
            ("They carried this state.", Some("Olsen"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "an inverted 'agrees' after a quote",
        kind: PageKind::News,
        publisher: None,
        text: "\"The tariff is a mistake,\" agrees Dana Berg, 30, of Twin Falls, Idaho.",
        expected: &[("The tariff is a mistake", Some("Dana Berg"), Person, Direct, Stance::Neutral)],
        absent: &[],
    },
    Case {
        name: "manner-of-speaking verbs after a quote, a long subject phrase, a title before a name",
        kind: PageKind::News,
        publisher: None,
        text: "The council rejected the transit levy on Monday.\n\n\
               “They had a year to read the plan and they still voted blind,” Councillor Anita Brooks fumed after the vote.\n\n\
               “We will bring it back in the spring,” the deputy mayor and transport committee chair told reporters.\n\n\
               Former Transport Minister Daniel Kwame backed the levy last year, saying, “A city that cannot move cannot grow.”",
        expected: &[
            (
                "They had a year to read the plan and they still voted blind",
                Some("Anita Brooks"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            (
                "We will bring it back in the spring",
                Some("the deputy mayor and transport committee chair"),
                SpeakerKind::Unknown,
                Direct,
                Stance::Neutral,
            ),
            ("A city that cannot move cannot grow.", Some("Daniel Kwame"), Person, Direct, Stance::Neutral),
        ],
        absent: &[],
    },
    Case {
        name: "a quote inside the writer's sentence takes the subject; a signature line names the speaker",
        kind: PageKind::News,
        publisher: None,
        text: "Senator Ruth Alvarez credited the new shelters to \"a city council that finally stopped pretending winter is a surprise every single year.\"\n\n\
               \"We counted every bed, and we counted every night somebody slept outside anyway.\"\n\n\
               - Marcus Bell.\n\n\
               Bell runs the largest shelter in the district.",
        expected: &[
            (
                "a city council that finally stopped pretending winter is a surprise every single year.",
                Some("Ruth Alvarez"),
                Person,
                Direct,
                Stance::Neutral,
            ),
            (
                "We counted every bed, and we counted every night somebody slept outside anyway.",
                Some("Marcus Bell"),
                Person,
                Direct,
                Stance::Neutral,
            ),
        ],
        absent: &[],
    },
    Case {
        name: "a cue right before a quote beats a report in the next sentence; a colon quote with its own cue",
        kind: PageKind::News,
        publisher: None,
        text: "Asked about the strike, Helen Park confirmed the talks had stalled and said, “Nobody is walking away from the table.” The union then released a statement of its own.\n\n\
               Governor Tom Reyes insisted that the budget was balanced: “There is no hole in this budget,” he claimed.",
        expected: &[
            ("Nobody is walking away from the table.", Some("Helen Park"), Person, Direct, Stance::Neutral),
            ("the budget was balanced", Some("Tom Reyes"), Person, Indirect, Stance::Neutral),
            ("There is no hole in this budget", Some("Tom Reyes"), Person, Direct, Stance::Neutral),
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
                Stance::Neutral,
            ),
            ("the merger would cost 900 jobs", Some("the chairman"), Person, Indirect, Stance::Warn),
            ("the allegations", Some("Tinde Mobile"), Organization, Indirect, Stance::Deny),
        ],
        absent: &[],
    },
];

fn run(case: &Case) -> Analysis {
    Analyzer::new().analyze(&AnalysisInput {
        text: case.text,
        language: "en",
        kind: case.kind,
        publisher: case.publisher,
    })
}

#[test]
fn news_cases_give_the_expected_quotes() {
    let mut failures = Vec::new();
    for case in CASES {
        let analysis = run(case);
        crate::nlp::tests::assert_offsets_valid(case.text, &analysis);
        for (text, speaker, speaker_kind, kind, stance) in case.expected {
            let hit = analysis.quotes.iter().find(|q| q.text == *text);
            let ok = hit.is_some_and(|q| {
                q.speaker.as_deref() == *speaker
                    && q.speaker_kind == *speaker_kind
                    && q.kind == *kind
                    && q.stance == *stance
            });
            if !ok {
                failures.push(format!(
                    "[{}] expected {text:?} by {speaker:?} ({speaker_kind:?}, {kind:?}, {stance:?}); got {:#?}",
                    case.name,
                    hit.map_or_else(
                        || analysis.quotes.iter().map(|q| (q.text.clone(), q.speaker.clone())).collect::<Vec<_>>(),
                        |q| vec![(format!("{q:?}"), None)]
                    )
                ));
            }
        }
        for text in case.absent {
            if analysis.quotes.iter().any(|q| q.text == *text) {
                failures.push(format!("[{}] {text:?} must not be a quote", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn pronoun_speaker_span_points_at_the_pronoun() {
    let case = &CASES[1];
    let analysis = run(case);
    let q = analysis.quotes.iter().find(|q| q.text.starts_with("This is about")).expect("quote");
    let span: String = case
        .text
        .chars()
        .skip(q.speaker_start.unwrap_or(0))
        .take(q.speaker_end.unwrap_or(0) - q.speaker_start.unwrap_or(0))
        .collect();
    assert_eq!(span, "she");
    assert_eq!(q.speaker_entity.as_deref(), Some("Gina Lorenzo"));
    assert!(q.confidence < 0.9, "a resolved pronoun is less certain than a name");
}

#[test]
fn every_quote_has_a_confidence_and_named_direct_quotes_rank_highest() {
    let analysis = run(&CASES[2]);
    let first = analysis.quotes.iter().find(|q| q.text.starts_with("We are not")).expect("quote");
    assert!(first.confidence >= 0.85);
    assert!(analysis.quotes.iter().all(|q| q.confidence > 0.0 && q.confidence <= 1.0));
}
