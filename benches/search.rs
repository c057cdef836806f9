//! Search at scale: a generated but realistic index of 1,000,000 quotes (200,000 articles
//! from 60 outlets over eleven years; 2,400 people, 300 organisations written several
//! ways, anonymous sources and groups; stance templates with varied slots; one statement in
//! ten re-run by another outlet), then:
//!
//! - indexing throughput (quotes per second, wall clock, through `IndexSink`) and index size;
//! - latency percentiles (p50, p99, one query at a time) of free-text, phrase, filtered,
//!   faceted and timeline queries through `SearchIndex`, each a whole request as the API
//!   serves it (hits with snippets; all facets; a month timeline), in wall-clock time and in
//!   this thread's CPU time (queries run on one thread: on a busy shared machine the CPU
//!   time is what an idle one would show as latency). The load average is printed.
//!
//! Targets (2-core machine): filtered p50 ≤ 5 ms and p99 ≤ 50 ms; facets and timelines
//! p99 ≤ 100 ms; ≥ 20,000 quotes/s indexing. Run in release: `cargo bench --bench search`.
//! Options after `--`: `--quotes N` (default 1000000), `--queries N` per kind (default 300),
//! `--writer-mb N` (default: the config default), `--keep DIR` (build the index there and
//! keep it).

use std::time::{Duration, Instant};

#[allow(dead_code)]
mod common;
use common::cpu_nanos;

use quotewire::config::Config;
use quotewire::index::{DocType, IndexSink, Interval, SearchIndex, SearchRequest, Sort};
use quotewire::model::{
    ArticleRecord, EntityLabel, EntityMention, PageKind, PublishedSource, QuoteKind, QuoteRecord, SpeakerKind, Stance,
    StanceSource,
};

/// Quotes per generated article.
const QUOTES_PER_ARTICLE: usize = 5;
/// Share of statements (in tenths) re-run by a second outlet.
const RERUN_TENTHS: u64 = 1;

/// SplitMix64: a small, fast, deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A skewed pick: low indexes far more often (a few speakers say most).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64).powf(u) - 1.0) as usize % n
    }
}

const FIRST: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Karin", "Luis", "Maya",
    "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara", "Zoltan", "Amir",
    "Beatriz", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Marek", "Nadia",
    "Omar", "Priya", "Ruth", "Sami", "Tomas", "Uma", "Viktor", "Wen", "Ximena",
];
const LAST: &[&str] = &[
    "Berg",
    "Okafor",
    "Tanaka",
    "Marsh",
    "Dufresne",
    "Lindqvist",
    "Raman",
    "Calloway",
    "Whitcomb",
    "Estévez",
    "Kask",
    "Novak",
    "Haddad",
    "Moreau",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Nakamura",
    "Silva",
    "Park",
    "Jensen",
    "Ivanova",
    "O'Brien",
    "Fischer",
    "Costa",
    "Yilmaz",
    "Petrov",
    "Sato",
    "Müller",
    "Garcia",
    "Nguyen",
    "Kim",
    "Ali",
    "Chopra",
    "Adeyemi",
    "Larsen",
    "Dubois",
    "Horvat",
    "Mensah",
    "Vargas",
    "Ortiz",
    "Bauer",
    "Laine",
    "Popescu",
    "Andersen",
    "Koch",
    "Demir",
    "Reyes",
    "Santos",
    "Weber",
];
const ORG_STEMS: &[&str] = &[
    "Huawei",
    "Norvex",
    "Baltica",
    "Kessler",
    "Hanlong",
    "Azur",
    "Prairie",
    "Tri-Valley",
    "Brabant",
    "Northway",
    "Meridian",
    "Orbis",
    "Solvay",
    "Tessera",
    "Vantor",
    "Kestrel",
    "Lumen",
    "Corvid",
    "Aster",
    "Helix",
];
const ORG_KINDS: &[&str] = &[
    "Telecom",
    "Networks",
    "Photonics",
    "Systems",
    "Mobile",
    "Semiconductor",
    "Cloud",
    "Energy",
    "Capital",
    "Labs",
    "Wireless",
    "Optics",
    "Robotics",
    "Data",
];
const LEGAL: &[&str] = &["", "", " Technologies", " Co., Ltd", " Group", " Inc.", " Holdings"];
const AGENCIES: &[&str] = &[
    "the Commerce Department",
    "the FCC",
    "the European Commission",
    "the National Cyber Security Centre",
    "the Ministry of Industry",
    "the Federal Network Agency",
    "the trade ministry",
    "the competition authority",
];
const ANONYMOUS: &[&str] = &[
    "a senior official",
    "people familiar with the matter",
    "a person close to the company",
    "an EU diplomat",
    "a government spokesperson",
    "two officials",
];
const GROUPS: &[&str] = &["analysts", "lawmakers", "rural carriers", "consumer groups", "industry groups", "investors"];
const COUNTRIES: &[&str] = &[
    "China",
    "the United States",
    "Germany",
    "France",
    "the United Kingdom",
    "Japan",
    "India",
    "Brazil",
    "Norvania",
    "Poland",
    "Sweden",
    "Canada",
    "Australia",
    "South Korea",
    "Italy",
    "Spain",
];
const TOPICS: &[&str] = &[
    "5G security",
    "user data",
    "export controls",
    "chip supplies",
    "the spectrum auction",
    "network equipment",
    "cloud contracts",
    "subsidy funds",
    "the merger",
    "undersea cables",
    "satellite licences",
    "price increases",
    "the data breach",
    "supply chains",
    "the procurement rules",
    "encryption standards",
    "antitrust fines",
    "the trade blacklist",
    "rip-and-replace funding",
    "roaming charges",
];
const THINGS: &[&str] = &[
    "equipment",
    "software updates",
    "base stations",
    "routers",
    "customer records",
    "chips",
    "licences",
    "contracts",
    "networks",
    "devices",
    "data centres",
    "core systems",
];
const VERBS_BY_STANCE: &[(Stance, &[&str])] = &[
    (Stance::Deny, &["denied", "rejected", "dismissed", "refuted"]),
    (Stance::Accuse, &["accused", "alleged", "charged"]),
    (Stance::Warn, &["warned", "cautioned", "urged"]),
    (Stance::Criticize, &["criticised", "condemned", "attacked"]),
    (Stance::Support, &["welcomed", "praised", "backed"]),
    (Stance::Confirm, &["confirmed", "acknowledged"]),
    (Stance::Decline, &["declined to comment on"]),
    (Stance::Neutral, &["said", "told reporters", "noted"]),
];

/// The content of a statement with `stance` about `topic`.
fn content(rng: &mut Rng, stance: Stance, topic: &str) -> String {
    let (country, thing, other) = (rng.pick(COUNTRIES), rng.pick(THINGS), rng.pick(COUNTRIES));
    let year = 2015 + rng.below(12);
    match stance {
        Stance::Deny => match rng.below(3) {
            0 => format!("its {thing} had never been used to collect {topic} for {country}"),
            1 => format!("the allegations about {topic} were unfounded and politically motivated"),
            _ => format!("any suggestion that it shared {thing} with the government of {country}"),
        },
        Stance::Accuse => match rng.below(2) {
            0 => format!("{country} of using {thing} to spy on {other} and of hiding the scale of {topic}"),
            _ => format!("the regulator of ignoring repeated warnings about {topic} since {year}"),
        },
        Stance::Warn => match rng.below(3) {
            0 => format!("a ban on {thing} from {country} would cost operators billions and delay {topic}"),
            1 => format!("operators should replace their {thing} before {year} to avoid disruption"),
            _ => format!("the rules on {topic} could push smaller suppliers out of the market"),
        },
        Stance::Criticize => format!("the decision on {topic} as short-sighted and damaging for {country}"),
        Stance::Support => format!("the plan for {topic} as a realistic timetable for replacing {thing}"),
        Stance::Confirm => format!("it had received a letter from {country} about {topic} in {year}"),
        Stance::Decline => format!("{topic} while the review of its {thing} continues"),
        Stance::Neutral => match rng.below(3) {
            0 => format!("the company employs about {} people in {country}", 100 * (1 + rng.below(90))),
            1 => format!("talks on {topic} with {country} would resume after the summer"),
            _ => format!("the {thing} would be installed in {other} by {year}"),
        },
    }
}

/// Who speaks: a display name, its kind and its canonical entity.
struct Speaker {
    name: String,
    kind: SpeakerKind,
    entity: Option<String>,
}

struct Corpus {
    people: Vec<String>,
    organisations: Vec<String>,
    outlets: Vec<String>,
}

impl Corpus {
    fn new() -> Corpus {
        let people = FIRST.iter().flat_map(|f| LAST.iter().map(move |l| format!("{f} {l}"))).collect();
        let organisations = ORG_STEMS.iter().flat_map(|s| ORG_KINDS.iter().map(move |k| format!("{s} {k}"))).collect();
        let outlets = (0..60)
            .map(|i| {
                format!(
                    "{} {}",
                    ["Globe", "Metro", "Daily", "Evening", "Coastal", "Capital"][i % 6],
                    [
                        "Wire", "Ledger", "Post", "Herald", "Courier", "Tribune", "Times", "Observer", "Review",
                        "Gazette"
                    ][i / 6]
                )
            })
            .collect();
        Corpus { people, organisations, outlets }
    }

    fn speaker(&self, rng: &mut Rng) -> Speaker {
        match rng.below(20) {
            0..=9 => {
                let name = self.people[rng.skewed(self.people.len())].clone();
                Speaker { entity: Some(name.clone()), name, kind: SpeakerKind::Person }
            }
            10..=15 => {
                let base = &self.organisations[rng.skewed(self.organisations.len())];
                let name = format!("{base}{}", rng.pick(LEGAL));
                Speaker { entity: Some(name.clone()), name, kind: SpeakerKind::Organization }
            }
            16 => {
                let name = rng.pick(AGENCIES).to_string();
                Speaker {
                    entity: Some(name.trim_start_matches("the ").to_string()),
                    name,
                    kind: SpeakerKind::Organization,
                }
            }
            17 | 18 => Speaker { name: rng.pick(ANONYMOUS).to_string(), kind: SpeakerKind::Anonymous, entity: None },
            _ => Speaker { name: rng.pick(GROUPS).to_string(), kind: SpeakerKind::Group, entity: None },
        }
    }
}

/// A statement waiting to be re-run by another outlet, and when it was first published.
type Rerun = (String, Speaker, Stance, chrono::NaiveDate);

/// One generated article with its quotes; `reruns` holds statements for other outlets.
fn article(i: usize, rng: &mut Rng, corpus: &Corpus, reruns: &mut Vec<Rerun>) -> ArticleRecord {
    let mut rerun = if rng.below(10) < RERUN_TENTHS as usize { reruns.pop() } else { None };
    let date = match &rerun {
        // Outlets re-run a statement within days.
        Some((_, _, _, first)) => *first + chrono::Duration::days(rng.below(4) as i64),
        None => {
            chrono::NaiveDate::from_ymd_opt(2014, 1, 1).unwrap() + chrono::Duration::days(rng.below(11 * 365) as i64)
        }
    };
    let outlet = &corpus.outlets[rng.skewed(corpus.outlets.len())];
    let topic = rng.pick(TOPICS);
    let mut text = format!(
        "{} {} over {topic}, officials said on {}. ",
        rng.pick(COUNTRIES),
        rng.pick(&[
            "moved to tighten rules",
            "opened an inquiry",
            "announced new measures",
            "signalled a change of course"
        ]),
        date.format("%A")
    );
    let mut quotes = Vec::with_capacity(QUOTES_PER_ARTICLE);
    let mut entities = Vec::new();
    for q in 0..QUOTES_PER_ARTICLE {
        let (statement, speaker, stance) = match rerun.take() {
            Some((statement, speaker, stance, _)) => (statement, speaker, stance),
            None => {
                let stance = VERBS_BY_STANCE[rng.below(VERBS_BY_STANCE.len())].0;
                (content(rng, stance, topic), corpus.speaker(rng), stance)
            }
        };
        let verb = rng.pick(VERBS_BY_STANCE.iter().find(|(s, _)| *s == stance).map_or(&["said"][..], |(_, v)| v));
        let direct = rng.below(3) == 0 && matches!(stance, Stance::Neutral | Stance::Warn | Stance::Deny);
        let speaker_start = text.chars().count() + usize::from(direct) * (statement.chars().count() + 4);
        let (sentence, offset) = if direct {
            (format!("\"{}\", {} {verb}. ", capitalise(&statement), speaker.name), 1)
        } else {
            (
                format!("{} {verb} {statement}. ", capitalise(&speaker.name)),
                speaker.name.chars().count() + verb.chars().count() + 2,
            )
        };
        let start = text.chars().count() + offset;
        let quote_text = if direct { capitalise(&statement) } else { statement.clone() };
        if let Some(entity) = &speaker.entity {
            entities.push(EntityMention {
                text: speaker.name.clone(),
                label: if speaker.kind == SpeakerKind::Person {
                    EntityLabel::Person
                } else {
                    EntityLabel::Organization
                },
                start: speaker_start,
                end: speaker_start + speaker.name.chars().count(),
                canonical: entity.clone(),
            });
        }
        quotes.push(QuoteRecord {
            end: start + quote_text.chars().count(),
            text: quote_text,
            start,
            kind: if direct { QuoteKind::Direct } else { QuoteKind::Indirect },
            speaker: Some(speaker.name.clone()),
            speaker_kind: speaker.kind,
            speaker_start: Some(speaker_start),
            speaker_end: Some(speaker_start + speaker.name.chars().count()),
            speaker_entity: speaker.entity.clone(),
            cue: Some(verb.to_string()),
            stance,
            target: None,
            stance_source: StanceSource::Cue,
            confidence: 0.8,
        });
        text.push_str(&sentence);
        if q == 1 || q == 3 {
            text.push_str(&background(rng, topic));
        }
        if rng.below(QUOTES_PER_ARTICLE) == 0 && reruns.len() < 1_000 {
            reruns.push((statement, speaker, stance, date));
        }
    }
    let country = rng.pick(COUNTRIES);
    let at = text.chars().count();
    text.push_str(&format!("Shares of suppliers in {country} were little changed."));
    entities.push(EntityMention {
        text: country.to_string(),
        label: EntityLabel::Location,
        start: at + 23,
        end: at + 23 + country.chars().count(),
        canonical: country.trim_start_matches("the ").to_string(),
    });
    ArticleRecord {
        id: format!("{i:016x}"),
        url: format!("https://{}.example/{}/{i}", outlet.to_lowercase().replace(' ', "-"), date.format("%Y/%m/%d")),
        canonical_url: None,
        site: Some(outlet.clone()),
        title: Some(format!("{} and {topic}: what {} said", rng.pick(COUNTRIES), rng.pick(ORG_STEMS))),
        authors: vec![],
        published: Some(format!("{}T{:02}:00:00+00:00", date, 6 + rng.below(14))),
        published_source: PublishedSource::JsonLd,
        published_confidence: None,
        modified: None,
        language: "en".into(),
        kind: if rng.below(10) == 0 { PageKind::PressRelease } else { PageKind::News },
        text,
        fetched_at: "2025-01-01T00:00:00Z".into(),
        content_hash: format!("{i:x}"),
        simhash: None,
        cluster: None,
        not_article: None,
        entities,
        quotes,
    }
}

/// A paragraph of background (about 80 words): what news articles carry between quotes.
fn background(rng: &mut Rng, topic: &str) -> String {
    let (thing, group, country, other) = (rng.pick(THINGS), rng.pick(GROUPS), rng.pick(COUNTRIES), rng.pick(COUNTRIES));
    let (year, share) = (2012 + rng.below(12), 5 + rng.below(60));
    format!(
        "The dispute over {topic} has weighed on the market for {thing} for months. {} said a decision was expected \
         before {}, but the timetable has slipped before. {country} buys about {share} per cent of its {thing} from \
         suppliers in {other}, according to figures published in {year}, and replacing them would take years. \
         Several operators have already begun trials with alternative vendors, while others have asked for \
         compensation and more time to comply with the rules.\n\n",
        capitalise(group),
        year + 1 + rng.below(4),
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

struct Args {
    quotes: usize,
    queries: usize,
    writer_mb: Option<usize>,
    keep: Option<std::path::PathBuf>,
}

fn args() -> Args {
    let mut out = Args { quotes: 1_000_000, queries: 300, writer_mb: None, keep: None };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv.windows(2) {
        match pair[0].as_str() {
            "--quotes" => out.quotes = pair[1].parse().expect("--quotes N"),
            "--queries" => out.queries = pair[1].parse().expect("--queries N"),
            "--writer-mb" => out.writer_mb = Some(pair[1].parse().expect("--writer-mb N")),
            "--keep" => out.keep = Some(pair[1].clone().into()),
            _ => {}
        }
    }
    out
}

fn main() {
    let args = args();
    let corpus = Corpus::new();
    let mut rng = Rng(0x5eed);
    let mut reruns = Vec::new();
    let articles: Vec<ArticleRecord> =
        (0..args.quotes.div_ceil(QUOTES_PER_ARTICLE)).map(|i| article(i, &mut rng, &corpus, &mut reruns)).collect();
    let quotes: usize = articles.iter().map(|a| a.quotes.len()).sum();
    let words: usize = articles.iter().map(|a| a.text.split_whitespace().count()).sum();
    println!(
        "generated {} articles, {quotes} quotes, {:.0} words per article, {} outlets, {} people, {} organisations",
        articles.len(),
        words as f64 / articles.len() as f64,
        corpus.outlets.len(),
        corpus.people.len(),
        corpus.organisations.len()
    );

    let temporary = tempfile::tempdir().expect("a temporary directory");
    let dir = args.keep.clone().unwrap_or_else(|| temporary.path().join("tantivy"));
    let _ = std::fs::remove_dir_all(&dir);
    let index = SearchIndex::open_or_create(&dir).expect("index opens");
    let memory = args.writer_mb.map_or(Config::default().index.writer_memory_bytes, |mb| mb * 1024 * 1024);
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let mut sink = index.writer(memory).expect("writer");
    for a in &articles {
        sink.upsert_article(a).expect("indexed");
    }
    sink.commit().expect("committed");
    let seconds = started.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds() - cpu_before;
    drop(sink);
    drop(articles);
    let size = dir_size(&dir);
    println!(
        "indexing: {quotes} quotes (+ their articles) in {seconds:.1} s = {:.0} quotes/s (writer memory {} MB); \
         {cpu:.1} CPU-seconds on all threads = {:.0} quotes per CPU-second; index size {:.0} MB ({:.0} bytes per quote)",
        quotes as f64 / seconds,
        memory / (1024 * 1024),
        quotes as f64 / cpu,
        size as f64 / 1e6,
        size as f64 / quotes as f64
    );
    println!("load average while indexing: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());

    let index = SearchIndex::open_or_create(&dir).expect("index reopens");
    println!("searcher: {} documents in {} segments", index.num_docs().unwrap(), index_segments(&dir));
    println!("load average before queries: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    let mut rng = Rng(0xbe7c4);
    let people = &corpus.people;
    let organisations = &corpus.organisations;
    let stances: Vec<&str> = Stance::ALL.iter().map(|s| s.as_str()).collect();
    type Query<'a> = Box<dyn Fn(&mut Rng) -> String + 'a>;
    let free: Query = Box::new(|r: &mut Rng| {
        let topic = r.pick(TOPICS).split_whitespace().last().unwrap_or("data").to_string();
        if r.below(2) == 0 { topic } else { format!("{topic} {}", r.pick(THINGS).split_whitespace().next().unwrap()) }
    });
    let phrase: Query = Box::new(|r: &mut Rng| format!("\"{}\"", r.pick(TOPICS).trim_start_matches("the ")));
    let filtered: Query = Box::new(move |r: &mut Rng| match r.below(3) {
        0 => format!("speaker:\"{}\" AND stance:{}", people[r.skewed(people.len())], stances[r.below(stances.len())]),
        1 => format!(
            "speaker:\"{}\" AND published:[{} TO {}]",
            organisations[r.skewed(organisations.len())],
            2014 + r.below(6),
            2020 + r.below(5)
        ),
        _ => format!(
            "stance:{} AND speaker_kind:anonymous AND published:{}-{:02}",
            stances[r.below(stances.len())],
            2014 + r.below(11),
            1 + r.below(12)
        ),
    });
    let broad: Query = Box::new(move |r: &mut Rng| match r.below(4) {
        0 => format!("stance:{}", ["deny", "warn", "accuse", "decline"][r.below(4)]),
        1 => format!("speaker:\"{}\"", organisations[r.skewed(organisations.len())]),
        2 => r.pick(TOPICS).split_whitespace().last().unwrap_or("data").to_string(),
        _ => format!("entity:\"{}\"", r.pick(COUNTRIES).trim_start_matches("the ")),
    });
    type Run = fn(&SearchIndex, &str) -> usize;
    let kinds: [(&str, &Query<'_>, Run); 5] = [
        ("free text (top 10 by relevance)", &free, |i, q| {
            i.search(&SearchRequest::new(q, Some(DocType::Quote), 10)).unwrap().total
        }),
        ("phrase (top 10 by relevance)", &phrase, |i, q| {
            i.search(&SearchRequest::new(q, Some(DocType::Quote), 10)).unwrap().total
        }),
        ("filtered (speaker/stance/date, newest 10)", &filtered, |i, q| {
            let mut request = SearchRequest::new(q, Some(DocType::Quote), 10);
            request.sort = Sort::Date;
            i.search(&request).unwrap().total
        }),
        ("faceted (all 9 facets, 10 values)", &broad, |i, q| {
            i.facets(q, Some(DocType::Quote), &[], 10).unwrap().total as usize
        }),
        ("timeline (by month, split by stance)", &broad, |i, q| {
            i.timeline(q, Some(DocType::Quote), Interval::Month, true).unwrap().total as usize
        }),
    ];
    for (name, generate, run) in kinds {
        // Warm the caches the way a running server has them.
        for _ in 0..20 {
            run(&index, &generate(&mut rng));
        }
        let mut times = Vec::with_capacity(args.queries);
        let mut cpu_times = Vec::with_capacity(args.queries);
        let mut matches = Vec::with_capacity(args.queries);
        for _ in 0..args.queries {
            let query = generate(&mut rng);
            let (started, cpu) = (Instant::now(), cpu_nanos());
            matches.push(run(&index, &query));
            times.push(started.elapsed());
            if let (Some(before), Some(after)) = (cpu, cpu_nanos()) {
                cpu_times.push(Duration::from_nanos(after.saturating_sub(before)));
            }
        }
        times.sort();
        cpu_times.sort();
        matches.sort_unstable();
        println!(
            "{name:<42} wall p50 {:>6.2} ms p99 {:>6.2} ms | CPU p50 {:>6.2} ms p99 {:>6.2} ms | median {} matches",
            percentile(&times, 0.50),
            percentile(&times, 0.99),
            percentile(&cpu_times, 0.50),
            percentile(&cpu_times, 0.99),
            matches[matches.len() / 2],
        );
    }
}

/// CPU time of this process, all threads (utime + stime of /proc/self/stat).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn index_segments(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|e| e.filter_map(Result::ok).filter(|f| f.file_name().to_string_lossy().ends_with(".store")).count())
        .unwrap_or(0)
}
