//! Near-duplicate detection across outlets: a 64-bit SimHash (Charikar 2002) of an article's text.
//!
//! Owns text normalisation for fingerprinting, the fixed shingle hash and the near-duplicate
//! threshold. Pure: no network, no store, no clustering (grouping articles by fingerprint is the
//! pipeline's job). The fingerprint is a stable, documented function of the text alone, so values
//! may be stored and compared across runs, machines and releases; changing it needs a stored-data
//! migration.

/// Texts whose SimHashes differ in at most this many bits are near-duplicates.
///
/// Each SimHash bit differs between two texts with probability θ/π, θ being the angle between
/// their shingle-count vectors, so the expected distance is 64·θ/π with binomial spread. A wire
/// story re-run by another outlet (new headline and byline, a sentence or two edited) changes
/// 5–15 % of its 3-shingles, about 5–10 bits for a 500-word story. Different stories share
/// almost no 3-shingles, even on the same topic, and differ like random hashes (32 ± 4 bits): the
/// chance that an unrelated pair lands within 12 bits is P(Binomial(64, ½) ≤ 12) ≈ 2·10⁻⁷.
///
/// Measured on the 91 article bodies of `shared/datasets/article-extraction` (42–3,553 words), each
/// given a new headline, byline and one rewritten sentence: 82 of 91 within 12 bits (median 7;
/// the misses are mostly under 200 words, where one sentence is a large share of the text); all
/// 4,095 pairs of different articles 20 bits or more apart. The 3 bits of Manku et al. (WWW 2007)
/// suit near-identical whole pages and would have caught 15 of the 91 edited copies.
pub const NEAR_DUPLICATE_BITS: u32 = 12;

/// Words per shingle.
const SHINGLE_WORDS: usize = 3;

/// FNV-1a 64-bit offset basis and prime (the published FNV constants).
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Separates the words of a shingle inside the hash input (U+001F UNIT SEPARATOR, never part of
/// a word), so that ("ab", "c") and ("a", "bc") hash differently.
const WORD_SEPARATOR: u8 = 0x1f;

/// 64-bit SimHash over word 3-shingles of normalised text.
///
/// Normalisation: words are maximal runs of Unicode alphanumeric characters (`char::is_alphanumeric`),
/// lower-cased with Unicode case mapping; everything else (punctuation, quotes, whitespace, markup
/// left-overs) separates words. Each shingle of three consecutive words is hashed with FNV-1a 64
/// over the words' UTF-8 bytes separated by 0x1F, then mixed with the MurmurHash3 `fmix64`
/// finaliser (plain FNV-1a's high bits depend weakly on the last bytes, and SimHash needs every
/// bit to be an even coin). Every shingle occurrence weighs 1; bit i of the result is set when more
/// shingle hashes have bit i set than not.
///
/// A text of one or two words is hashed as a single shingle of those words; a text without words
/// hashes to 0.
pub fn simhash(text: &str) -> u64 {
    let words = normalized_words(text);
    if words.is_empty() {
        return 0;
    }
    let mut counts = [0i64; 64];
    let mut add = |shingle: &[String]| {
        let hash = shingle_hash(shingle);
        for (bit, count) in counts.iter_mut().enumerate() {
            if hash >> bit & 1 == 1 {
                *count += 1;
            } else {
                *count -= 1;
            }
        }
    };
    if words.len() < SHINGLE_WORDS {
        add(&words);
    } else {
        words.windows(SHINGLE_WORDS).for_each(&mut add);
    }
    counts.iter().enumerate().filter(|(_, count)| **count > 0).fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

/// Number of differing bits between two SimHashes.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Lower-cased Unicode word tokens of `text`.
fn normalized_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn shingle_hash(words: &[String]) -> u64 {
    let mut hash = FNV_OFFSET_BASIS;
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            hash = fnv1a_step(hash, WORD_SEPARATOR);
        }
        for &byte in word.as_bytes() {
            hash = fnv1a_step(hash, byte);
        }
    }
    fmix64(hash)
}

fn fnv1a_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
}

/// MurmurHash3's 64-bit finaliser: a bijection in which every output bit depends on every input bit.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIRE_STORY: &str = "\
LONDON (Wire) — Britain's biggest port operator said on Tuesday it would invest 1.2 billion pounds \
in new cranes and automated berths over the next five years, betting that trade volumes through \
the North Sea will recover after two years of decline.

The company, which runs terminals in Felixstowe, Southampton and Liverpool, said the programme \
would add capacity for roughly 2 million additional containers a year and create about 900 jobs, \
most of them at its east-coast sites.

\"We are building for the trade Britain will have in 2030, not the trade it had last winter,\" \
chief executive Margaret Ellison told reporters at a briefing in London. \"Shipping lines have \
told us clearly that they want deeper berths and faster turnarounds, and this is our answer.\"

The announcement comes as ports across northern Europe compete for a shrinking pool of \
transatlantic and Asian services. Rotterdam and Antwerp-Bruges have both unveiled expansion \
plans this year, and shipping lines have been consolidating their routes to cut costs.

Unions welcomed the new jobs but said they would resist any attempt to replace existing crane \
drivers with remote-controlled equipment. \"Automation cannot be an excuse to cut the workforce \
by the back door,\" said Tom Hadley, a regional organiser for the dock workers' union. The company \
said no compulsory redundancies were planned.

Analysts said the investment was larger than expected. \"This is a confident bet on a recovery \
that has not yet shown up in the numbers,\" said Priya Natarajan, a transport analyst at Calder \
Securities. Container volumes at British ports fell 4 percent last year, according to industry \
figures, after a 6 percent drop the year before.

The programme includes two new deep-water berths at Felixstowe capable of handling the largest \
container ships now in service, which carry more than 24,000 containers. Work on the first berth \
is due to start next spring, subject to approval by the harbour authority, and the company said \
it expected both to be operating by the end of 2028.

In Southampton, the company plans to replace eleven ageing ship-to-shore cranes and extend its \
rail terminal so that more containers can leave the port by train rather than by road. Liverpool \
will get a new automated gate system intended to cut waiting times for lorries, which industry \
groups have complained can exceed three hours at peak periods.

Environmental groups gave the plan a cautious welcome. \"Moving freight from road to rail is \
exactly what is needed, but dredging for deeper berths has to be done without destroying the \
estuary's wildlife,\" said Helen Morcombe of the Coastal Trust.

The government said it supported the plan and would speed up planning decisions for port \
infrastructure. A spokesperson for the transport ministry said the investment showed \
\"continued confidence in Britain as a trading nation\".

Shares in the company rose 3.1 percent in early trading, outperforming a flat FTSE 250 index. \
The company will publish its full-year results next month, when it is expected to give more \
detail on how the programme will be financed.";

    fn republished() -> String {
        let story = WIRE_STORY
            .replace(
                "Shares in the company rose 3.1 percent in early trading, outperforming a flat FTSE 250 index.",
                "The shares closed 2.8 percent higher on the day, the biggest gain in the index.",
            )
            .replace("LONDON (Wire) — ", "");
        format!("Port giant bets £1.2bn on trade rebound\n\nBy Sarah Jennings, Business Reporter\n\n{story}")
    }

    const OTHER_STORY_SAME_TOPIC: &str = "\
Dock workers at Britain's largest container port will stage a 48-hour strike next week over pay \
and the introduction of remote-controlled cranes, their union said on Thursday, threatening \
disruption to supply chains already strained by a shortage of lorry drivers.

The union said 1,900 members had voted in favour of action after the port operator offered a pay \
rise of 4 percent, below the rate of inflation. \"Our members keep the country supplied and they \
will not accept a real-terms pay cut,\" said general secretary Anne McBride.

The company said it was disappointed by the decision and that contingency plans were in place. \
It said the new cranes would not lead to compulsory redundancies and that talks remained open.

Shipping lines warned that vessels could be diverted to Rotterdam and Antwerp if the strike went \
ahead, as happened during a walkout two years ago. Retailers said they had built up stocks ahead \
of the busy autumn season but that a prolonged dispute would cause shortages.

The transport ministry urged both sides to return to talks. \"A strike at the port is in nobody's \
interest,\" a spokesperson said. Container volumes at British ports fell 4 percent last year, \
according to industry figures.";

    #[test]
    fn republished_wire_story_is_a_near_duplicate() {
        let distance = hamming(simhash(WIRE_STORY), simhash(&republished()));
        assert!(distance <= NEAR_DUPLICATE_BITS, "distance {distance}");
    }

    #[test]
    fn different_story_on_the_same_topic_is_not_a_near_duplicate() {
        let distance = hamming(simhash(WIRE_STORY), simhash(OTHER_STORY_SAME_TOPIC));
        assert!(distance > 2 * NEAR_DUPLICATE_BITS, "distance {distance}");
        let distance = hamming(simhash(&republished()), simhash(OTHER_STORY_SAME_TOPIC));
        assert!(distance > NEAR_DUPLICATE_BITS, "distance {distance}");
    }

    #[test]
    fn normalisation_ignores_case_punctuation_and_spacing() {
        assert_eq!(simhash("The minister said: \"We will act.\""), simhash("the MINISTER said we   will\nact"),);
        assert_eq!(
            normalized_words("Ökonomie-Minister ÉLYSÉE’s 2024 plan"),
            ["ökonomie", "minister", "élysée", "s", "2024", "plan"]
        );
        assert_ne!(simhash("a b c d"), simhash("d c b a"));
    }

    #[test]
    fn empty_and_short_texts_do_not_panic() {
        assert_eq!(simhash(""), 0);
        assert_eq!(simhash("  — … \"\" \n\t"), 0);
        assert_ne!(simhash("Hello"), 0);
        assert_ne!(simhash("Hello world"), simhash("Hello"));
        assert_ne!(simhash("one two three"), 0);
        let _ = simhash("\u{0}\u{FFFF}\u{10FFFF}İ𝔘");
    }

    #[test]
    fn hash_is_stable() {
        // Pinned values: if these change, stored fingerprints are no longer comparable.
        assert_eq!(shingle_hash(&["a".to_string()]), fmix64(0xaf63_dc4c_8601_ec8c));
        // Checked against an independent Python implementation of the documented algorithm.
        assert_eq!(simhash("The quick brown fox jumps over the lazy dog"), 0xfb9b_805a_c243_396b);
        assert_eq!(simhash("Der Außenminister sagte: „Wir handeln.“"), 0x2dfc_f24b_4e91_91cb);
        assert_eq!(simhash("Élysée"), 0x748e_9800_e90c_98e4);
    }

    #[test]
    fn hamming_counts_differing_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0b1011, 0b0001), 2);
        assert_eq!(hamming(0, u64::MAX), 64);
    }
}
