//! Cases whose statements include quotation-mark quotes (direct, split, multi-paragraph,
//! transcripts), most with reported speech around them.

use super::Case;
use crate::model::{PageKind, QuoteKind, SpeakerKind, Stance};

use QuoteKind::{Direct, Indirect};
use SpeakerKind::{Anonymous, Group, Organization, Person};

pub(super) const QUOTED: &[Case] = &[
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
                Some(Stance::Deny),
            ),
            (
                "We have never been asked to hand over data, and we never would",
                Some("Ren Zhengfei"),
                Person,
                Direct,
                Some(Stance::Deny),
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
            ("the export rules were necessary", Some("Gina Lorenzo"), Person, Indirect, None),
            ("This is about protecting American networks", Some("Gina Lorenzo"), Person, Direct, None),
        ],
        absent: &[],
    },
    Case {
        name: "quote split around its cue",
        kind: PageKind::News,
        publisher: None,
        text: "\"We are not going to walk away from this market,\" said Maria Okafor, chief executive of Lagos-based Tinde Mobile. \"Our customers depend on us.\"",
        expected: &[
            ("We are not going to walk away from this market", Some("Maria Okafor"), Person, Direct, None),
            ("Our customers depend on us.", Some("Maria Okafor"), Person, Direct, None),
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
                None,
            ),
            ("I will not sign a budget that does that", Some("Linda Castro"), Person, Direct, None),
        ],
        absent: &[],
    },
    Case {
        name: "speaker named only in the next sentence",
        kind: PageKind::News,
        publisher: None,
        text: "\"We will appeal this decision.\" Omar Haddad, the lawyer representing the families, said the ruling ignored key evidence.",
        expected: &[
            ("We will appeal this decision.", Some("Omar Haddad"), Person, Direct, Some(Stance::Neutral)),
            ("the ruling ignored key evidence", Some("Omar Haddad"), Person, Indirect, None),
        ],
        absent: &[],
    },
    Case {
        name: "speaker before the quote with a colon, and a told-reporters clause",
        kind: PageKind::News,
        publisher: None,
        text: "Prime Minister Lena Varga said: \"Our borders remain open to trade.\" Varga told reporters the government would publish its plan next week.",
        expected: &[
            ("Our borders remain open to trade.", Some("Lena Varga"), Person, Direct, None),
            (
                "the government would publish its plan next week",
                Some("Lena Varga"),
                Person,
                Indirect,
                Some(Stance::Neutral),
            ),
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
                None,
            ),
            (
                "The robot will ship to customers in June",
                Some("Acme Robotics"),
                Organization,
                Indirect,
                Some(Stance::Neutral),
            ),
            ("Our customers asked for speed, and we delivered", Some("Dana Whitfield"), Person, Direct, None),
        ],
        absent: &["Acme Robotics builds machines for logistics companies", "Media contact: press@acme.example"],
    },
    Case {
        name: "transcript turns; a question from the floor states nothing",
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
                None,
            ),
            ("We remain deeply concerned by the reports from the region.", Some("Mr. Price"), Person, Direct, None),
            ("Not at this time.", Some("The spokesperson"), Person, Direct, None),
        ],
        absent: &["Can you say more about the sanctions?"],
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
            ("We knew it would be tight", Some("Dana Whitfield"), Person, Direct, None),
            ("and it was.", Some("Dana Whitfield"), Person, Direct, None),
            ("Nobody slept last night.", Some("Another volunteer"), Anonymous, Direct, None),
            ("The count was fair", Some("Tom Albers"), Person, Direct, None),
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
            ("We will not back down", Some("Walsh"), Person, Direct, None),
            ("I have made mistakes, and I am sorry for them.", Some("Mary Olsen"), Person, Direct, None),
            ("Our farmers cannot wait another year.", Some("Ann Walsh"), Person, Direct, None),
            (
                "The farm vote is in play for the first time in a decade.",
                Some("Dana Berg"),
                Person,
                Direct,
                Some(Stance::Neutral),
            ),
            ("It will pass the Senate", Some("Lee Tanaka"), Person, Direct, Some(Stance::Neutral)),
            ("Nobody here trusts the polls", Some("Carla Diaz"), Person, Direct, None),
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
            ("That is a problem for the party", Some("Joan Pruitt"), Person, Direct, None),
            ("I would love to see him endorse, and I think he will.", Some("Joan Pruitt"), Person, Direct, None),
            ("the endorsement would come in June", Some("Tom Berry"), Person, Indirect, Some(Stance::Neutral)),
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
            ("That was her base from the start.", Some("Dana Berg"), Person, Direct, None),
            ("Nobody expected the turnout", Some("Peter Lund"), Person, Direct, None),
            ("We will not know for weeks", Some("Mary Ortiz"), Person, Direct, None),
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
            ("she had not decided how to vote", Some("Dana Berg"), Person, Indirect, Some(Stance::Neutral)),
            ("the tariff", Some("Mary Olsen"), Person, Indirect, Some(Stance::Criticize)),
            ("the state budget was safe", Some("Mary Olsen"), Person, Indirect, None),
            ("She listens to farmers.", Some("Peter Lund"), Person, Direct, Some(Stance::Neutral)),
        ],
        absent: &[],
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
            ("it will pay most of them", Some("Agriculture Department"), Organization, Indirect, Some(Stance::Neutral)),
            ("they will hold", Some("another"), Group, Indirect, Some(Stance::Neutral)),
            ("they had no preference", Some("About 9 percent"), Group, Indirect, Some(Stance::Neutral)),
            ("Nobody here trusts the polls.", Some("Dana Berg"), Person, Direct, None),
        ],
        absent: &[],
    },
    Case {
        name: "'reads' attributes quotations only; 'the' before a role",
        kind: PageKind::News,
        publisher: None,
        text: "\"The state may not collect the fee,\" the ruling reads.\n\n\
               Lund reads the farm report every morning.\n\n\
               \"Prices will fall,\" the economist Dana Berg, a former adviser to the governor, wrote.",
        expected: &[
            ("The state may not collect the fee", Some("the ruling"), SpeakerKind::Unknown, Direct, None),
            ("Prices will fall", Some("Dana Berg"), Person, Direct, None),
        ],
        absent: &["the farm report every morning"],
    },
    Case {
        name: "'as X puts it', 'goes on to say', a coordinated participle before a quote",
        kind: PageKind::News,
        publisher: None,
        text: "As the Statesman's Dana Berg puts it, \"The farm vote decides Idaho.\"\n\n\
               Olsen praised the farmers and adding, \"They carried this state.\"",
        expected: &[
            ("The farm vote decides Idaho.", Some("Dana Berg"), Person, Direct, Some(Stance::Neutral)),
            ("They carried this state.", Some("Olsen"), Person, Direct, None),
        ],
        absent: &[],
    },
    Case {
        name: "an inverted 'agrees' after a quote",
        kind: PageKind::News,
        publisher: None,
        text: "\"The tariff is a mistake,\" agrees Dana Berg, 30, of Twin Falls, Idaho.",
        expected: &[("The tariff is a mistake", Some("Dana Berg"), Person, Direct, None)],
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
            ("They had a year to read the plan and they still voted blind", Some("Anita Brooks"), Person, Direct, None),
            (
                "We will bring it back in the spring",
                Some("the deputy mayor and transport committee chair"),
                SpeakerKind::Unknown,
                Direct,
                Some(Stance::Neutral),
            ),
            ("A city that cannot move cannot grow.", Some("Daniel Kwame"), Person, Direct, None),
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
                None,
            ),
            (
                "We counted every bed, and we counted every night somebody slept outside anyway.",
                Some("Marcus Bell"),
                Person,
                Direct,
                None,
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
            ("Nobody is walking away from the table.", Some("Helen Park"), Person, Direct, Some(Stance::Neutral)),
            ("the budget was balanced", Some("Tom Reyes"), Person, Indirect, None),
            ("There is no hole in this budget", Some("Tom Reyes"), Person, Direct, None),
        ],
        absent: &[],
    },
];
