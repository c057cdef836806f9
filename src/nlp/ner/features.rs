//! Feature extraction for the tagger: stable hashing, per-token descriptions (case, shape,
//! affixes), the lexicons built from the training data (word statistics and an entity-name
//! gazetteer), document-level context, and the feature templates themselves.
//!
//! Every feature is a `u32` key made by a fixed hash (FNV-1a plus a splitmix finaliser) of a
//! template id and a value, so the same text gives the same keys on every platform and run.
//! This module must not hold weights or decide tags.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Longest gazetteer entry, in tokens.
pub(crate) const MAX_GAZ_TOKENS: usize = 6;

/// Most char trigrams kept per token.
pub(crate) const MAX_GRAMS: usize = 10;

/// Tokens longer than this (in chars) are described by their first and last chars only, so
/// a pathological token cannot make hashing slow.
const MAX_TOKEN_CHARS: usize = 64;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The splitmix64 finaliser.
pub(crate) fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Order-sensitive combination of two hashes.
pub(crate) fn combine(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A 64-bit hash folded to the `u32` keys used by all tables (never 0, which marks empty
/// slots).
pub(crate) fn fold(h: u64) -> u32 {
    let k = ((h >> 32) ^ h) as u32;
    if k == 0 { 1 } else { k }
}

/// A feature key: template id and value.
fn key(template: u64, value: u64) -> u32 {
    fold(combine(mix(template + 1), value))
}

/// Hasher for maps keyed by already-hashed `u32` keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(crate) type KeyMap<V> = HashMap<u32, V, BuildHasherDefault<KeyHasher>>;
pub(crate) type KeySet = HashSet<u32, BuildHasherDefault<KeyHasher>>;

/// Case classes of a token.
pub(crate) mod case {
    pub const PUNCT: u8 = 0;
    pub const LOWER: u8 = 1;
    pub const INIT_CAP: u8 = 2;
    pub const ALL_CAPS: u8 = 3;
    pub const SINGLE_CAP: u8 = 4;
    pub const MIXED_LOWER: u8 = 5;
    pub const DIGIT: u8 = 6;
    pub const OTHER: u8 = 7;

    /// Whether the class looks like a name (capitalised).
    pub fn is_capitalised(c: u8) -> bool {
        matches!(c, INIT_CAP | ALL_CAPS | SINGLE_CAP)
    }
}

/// What the templates need to know about one token.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokenInfo {
    pub lower: u64,
    pub form: u64,
    pub shape: u64,
    pub short_shape: u64,
    /// Prefixes of 1..=4 chars then suffixes of 1..=4 chars of the lower-cased token; 0 where
    /// the token is shorter.
    pub affixes: [u64; 8],
    /// Hashes of the char trigrams inside the lower-cased token (for tokens of 5 to
    /// [`MAX_GRAM_CHARS`] chars; 0 where absent): subword cues for unseen names.
    pub grams: [u64; MAX_GRAMS],
    pub case: u8,
    /// Key of the lower-cased form in the lexicons.
    pub lower_key: u32,
    /// Word-lexicon value (0 = unknown); see [`word_value`].
    pub word: u32,
}

/// The lexicons a feature extractor consults (the shipped tables at run time; fold-excluded
/// counts while training).
pub(crate) trait Lexicon {
    /// Word statistics and clusters for a lower-cased token key (see [`word_value`]), 0 when
    /// unknown.
    fn word(&self, lower_key: u32) -> u32;
    /// Type bitmask for a lower-cased token sequence key, 0 when not a known name.
    fn gazetteer(&self, span_key: u32) -> u8;
    /// [`Lexicon::gazetteer`] of each of `span_keys`, in `out` (a lexicon held in a large
    /// table answers a batch faster than key by key).
    fn gazetteer_many(&self, span_keys: &[u32], out: &mut Vec<u8>) {
        out.clear();
        out.extend(span_keys.iter().map(|&k| self.gazetteer(k)));
    }
}

/// Char class for shapes.
fn shape_char(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_lowercase() {
        'x'
    } else if c.is_ascii_digit() || c.is_numeric() {
        'd'
    } else if c.is_alphabetic() {
        'a'
    } else {
        c
    }
}

/// Describes a token; `lex` supplies the word statistics.
pub(crate) fn describe(token: &str, lex: &impl Lexicon) -> TokenInfo {
    let mut chars: Vec<char> = token.chars().collect();
    if chars.len() > MAX_TOKEN_CHARS {
        let tail = chars.split_off(chars.len() - MAX_TOKEN_CHARS / 2);
        chars.truncate(MAX_TOKEN_CHARS / 2);
        chars.extend(tail);
    }
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let mut buf = [0u8; 4];
    let hash_chars = |cs: &[char], buf: &mut [u8; 4]| {
        let mut h = FNV_OFFSET;
        for c in cs {
            for &b in c.encode_utf8(buf).as_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(FNV_PRIME);
            }
        }
        h
    };
    let lower_hash = hash_chars(&lower, &mut buf);
    let form_hash = hash_chars(&chars, &mut buf);
    let mut affixes = [0u64; 8];
    for k in 1..=4usize {
        if lower.len() >= k {
            affixes[k - 1] = hash_chars(&lower[..k], &mut buf);
            affixes[3 + k] = hash_chars(&lower[lower.len() - k..], &mut buf);
        }
    }
    let mut grams = [0u64; MAX_GRAMS];
    if lower.len() >= 5 && lower.iter().all(|c| c.is_alphabetic()) {
        for (slot, w) in grams.iter_mut().zip(lower.windows(3).skip(1)) {
            *slot = hash_chars(w, &mut buf);
        }
    }
    // Shapes: long keeps runs up to 4, short collapses runs.
    let (mut shape, mut short) = (FNV_OFFSET, FNV_OFFSET);
    let mut last = '\0';
    let mut run = 0usize;
    for &c in &chars {
        let s = shape_char(c);
        if s == last {
            run += 1;
        } else {
            run = 1;
            short = (short ^ s as u64).wrapping_mul(FNV_PRIME);
        }
        if run <= 4 {
            shape = (shape ^ s as u64).wrapping_mul(FNV_PRIME);
        }
        last = s;
    }
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let uppers = chars.iter().filter(|c| c.is_uppercase()).count();
    let case = match chars.first() {
        None => case::PUNCT,
        Some(c) if c.is_uppercase() => {
            if letters >= 2 && uppers == letters {
                case::ALL_CAPS
            } else if letters == 1 {
                case::SINGLE_CAP
            } else {
                case::INIT_CAP
            }
        }
        Some(c) if c.is_lowercase() => {
            if uppers > 0 {
                case::MIXED_LOWER
            } else {
                case::LOWER
            }
        }
        Some(c) if c.is_numeric() => case::DIGIT,
        Some(_) if letters > 0 => case::OTHER,
        Some(_) => case::PUNCT,
    };
    let lower_key = fold(lower_hash);
    TokenInfo {
        lower: lower_hash,
        form: form_hash,
        shape,
        short_shape: short,
        affixes,
        grams,
        case,
        lower_key,
        word: lex.word(lower_key),
    }
}

/// Packs word statistics into a lexicon value.
///
/// `caprate` is 1..=6 (how often the word is capitalised away from sentence starts; 0 when
/// seen too rarely) and `label` 0 (unknown) or 1 + 3 * dominant label (O, PER, ORG, LOC,
/// MISC) + share bucket. Bits 16..24 and 24..32 hold the fine and coarse word cluster (0 for
/// none), see [`with_clusters`].
pub(crate) fn word_value(caprate: u8, label: u8) -> u32 {
    u32::from(caprate) | (u32::from(label) << 8)
}

/// Adds fine and coarse cluster ids (each 0..=255) to a word value.
pub(crate) fn with_clusters(value: u32, fine: u8, coarse: u8) -> u32 {
    (value & 0xffff) | (u32::from(fine) << 16) | (u32::from(coarse) << 24)
}

fn label_of(word: u32) -> u64 {
    u64::from((word >> 8) & 0xff)
}

fn fine_cluster(word: u32) -> u64 {
    u64::from((word >> 16) & 0xff)
}

fn coarse_cluster(word: u32) -> u64 {
    u64::from(word >> 24)
}

/// Word counts gathered from training text, turned into a lexicon value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordCounts {
    /// Occurrences away from the sentence start, and how many of them were capitalised.
    pub non_initial: u32,
    pub capitalised: u32,
    /// Token labels: O, PER, ORG, LOC, MISC.
    pub labels: [u32; 5],
}

impl WordCounts {
    pub fn add(&mut self, other: &WordCounts) {
        self.non_initial += other.non_initial;
        self.capitalised += other.capitalised;
        for (a, b) in self.labels.iter_mut().zip(other.labels) {
            *a += b;
        }
    }

    pub fn sub(&mut self, other: &WordCounts) {
        self.non_initial -= other.non_initial;
        self.capitalised -= other.capitalised;
        for (a, b) in self.labels.iter_mut().zip(other.labels) {
            *a -= b;
        }
    }

    /// The lexicon value for these counts (0 when too rare to say anything).
    pub fn value(&self) -> u32 {
        let caprate = if self.non_initial < 2 {
            0
        } else {
            let r = f64::from(self.capitalised) / f64::from(self.non_initial);
            match r {
                _ if self.capitalised == 0 => 1,
                r if r < 0.2 => 2,
                r if r < 0.5 => 3,
                r if r < 0.8 => 4,
                r if r < 1.0 => 5,
                _ => 6,
            }
        };
        let total: u32 = self.labels.iter().sum();
        let label = if total < 2 {
            0
        } else {
            let (best, &count) =
                self.labels.iter().enumerate().max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i))).unwrap_or((0, &0));
            let share = f64::from(count) / f64::from(total);
            let bucket = if share < 0.6 {
                0
            } else if share < 0.9 {
                1
            } else {
                2
            };
            1 + 3 * best as u8 + bucket
        };
        word_value(caprate, label)
    }
}

/// Entity-name counts per type (PER, ORG, LOC, MISC) for one lower-cased token sequence.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NameCounts(pub [u32; 4]);

impl NameCounts {
    /// Bitmask of the types that account for at least a quarter of the mentions.
    pub fn value(&self) -> u8 {
        let total: u32 = self.0.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut mask = 0;
        for (t, &c) in self.0.iter().enumerate() {
            if c * 4 >= total {
                mask |= 1 << t;
            }
        }
        mask
    }
}

/// Key of a lower-cased token sequence, built token by token.
pub(crate) fn span_key_step(acc: u64, lower: u64) -> u64 {
    combine(acc, lower)
}

/// Start value for [`span_key_step`].
pub(crate) const SPAN_KEY_START: u64 = 0x005e_ed0f_9a2e;

/// Text-only facts about a whole document, gathered before tagging.
#[derive(Debug, Default)]
pub(crate) struct DocText {
    /// Lower-cased keys of words seen written in lower case.
    lower_seen: KeySet,
    /// Lower-cased keys of words seen capitalised away from a sentence start.
    cap_inside: KeySet,
}

impl DocText {
    pub fn new(sentences: &[Vec<TokenInfo>]) -> Self {
        let mut doc = DocText::default();
        for sentence in sentences {
            for (i, t) in sentence.iter().enumerate() {
                if t.case == case::LOWER {
                    doc.lower_seen.insert(t.lower_key);
                } else if i > 0 && case::is_capitalised(t.case) {
                    doc.cap_inside.insert(t.lower_key);
                }
            }
        }
        doc
    }
}

/// Entity types remembered from earlier sentences of a document (predicted labels).
#[derive(Debug, Default)]
pub(crate) struct DocMemory {
    /// Lower-cased key -> last entity type index (0..4) it was tagged with, or 4 when it was
    /// only ever seen outside entities.
    seen: KeyMap<u8>,
}

impl DocMemory {
    pub fn get(&self, t: &TokenInfo) -> Option<u8> {
        if case::is_capitalised(t.case) { self.seen.get(&t.lower_key).copied() } else { None }
    }

    /// Records the predicted types (type index per token, 4 for outside).
    pub fn record(&mut self, infos: &[TokenInfo], types: impl Iterator<Item = u8>) {
        for (t, ty) in infos.iter().zip(types) {
            if !case::is_capitalised(t.case) {
                continue;
            }
            let slot = self.seen.entry(t.lower_key).or_insert(4);
            if ty < 4 {
                *slot = ty;
            }
        }
    }
}

// Template ids. Changing any of these changes every model: bump the model format version.
const T_BIAS: u64 = 0;
const T_W0: u64 = 1;
const T_FORM0: u64 = 2;
const T_WM1: u64 = 3;
const T_WP1: u64 = 4;
const T_WM2: u64 = 5;
const T_WP2: u64 = 6;
const T_SHAPE0: u64 = 7;
const T_SHORT0: u64 = 8;
const T_SHORTM1: u64 = 9;
const T_SHORTP1: u64 = 10;
const T_SHORT3: u64 = 11;
const T_AFFIX: u64 = 12; // 12..=19
const T_BIGRAM_L: u64 = 20;
const T_BIGRAM_R: u64 = 21;
const T_WM1_SHORT0: u64 = 22;
const T_SHORT0_WP1: u64 = 23;
const T_FIRST: u64 = 24;
const T_CAPRATE: u64 = 25;
const T_LEX0: u64 = 26;
const T_LEXM1: u64 = 27;
const T_LEXP1: u64 = 28;
const T_GAZ: u64 = 29;
const T_DOC_LOWER: u64 = 30;
const T_DOC_CAP_INSIDE: u64 = 31;
const T_SENT_CASE: u64 = 32;
const T_CASE_WINDOW: u64 = 33;
const T_CLUSTER0: u64 = 34;
const T_CLUSTER0_COARSE: u64 = 35;
const T_CLUSTERM1: u64 = 36;
const T_CLUSTERP1: u64 = 37;
const T_CLUSTER3: u64 = 38;
const T_P1: u64 = 40;
const T_P1_W0: u64 = 42;
const T_P1_SHORT0: u64 = 43;
const T_DOCMEM: u64 = 44;
const T_DOCMEM_SHORT: u64 = 45;
const T_RUN_FIRST: u64 = 46;
const T_RUN_LAST: u64 = 47;
const T_RUN_BEFORE: u64 = 48;
const T_RUN_AFTER: u64 = 49;
const T_RUN_POSITION: u64 = 50;
const T_RUN_LAST_SUFFIX: u64 = 51;
const T_GRAM: u64 = 52;
const T_S_CLASS0: u64 = 60;
const T_S_CLASSM1: u64 = 61;
const T_S_CLASSP1: u64 = 62;
const T_S_WINDOW: u64 = 63;
const T_S_CLASS0_SHORT: u64 = 64;
const T_S_CLASS0_W0: u64 = 65;
const T_S_SPAN: u64 = 66;
const T_S_TOKEN_VOTE: u64 = 67;
const T_S_SPAN_VOTE: u64 = 68;
const T_S_PART_VOTE: u64 = 69;

const BOS: u64 = 0x00b0_5b05;
const EOS: u64 = 0x00e0_5e05;

/// Sentence case: 0 ordinary, 1 mostly upper case (headings), 2 no capitals (social media).
fn sentence_case(infos: &[TokenInfo]) -> u64 {
    let alpha = infos.iter().filter(|t| !matches!(t.case, case::PUNCT | case::DIGIT)).count();
    let caps = infos.iter().filter(|t| t.case == case::ALL_CAPS).count();
    let capitalised = infos.iter().skip(1).filter(|t| case::is_capitalised(t.case)).count();
    if alpha >= 3 && caps * 10 >= alpha * 6 {
        1
    } else if alpha >= 4 && capitalised == 0 {
        2
    } else {
        0
    }
}

/// Lower-case words that may join capitalised words into one name ("Bank of England").
const CONNECTORS: [&str; 12] = ["of", "the", "de", "del", "da", "du", "la", "von", "van", "der", "and", "&"];

/// The hash `describe` gives a lower-case word.
fn lower_hash(word: &str) -> u64 {
    word.bytes().fold(FNV_OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// For each token, the run of capitalised words (possibly joined by connectors) of at least
/// two tokens that it belongs to, if any.
fn capitalised_runs(infos: &[TokenInfo]) -> Vec<Option<std::ops::Range<usize>>> {
    let connectors: [u64; 12] = CONNECTORS.map(lower_hash);
    let n = infos.len();
    let mut out = vec![None; n];
    let mut i = 0;
    while i < n {
        if !case::is_capitalised(infos[i].case) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        loop {
            if end < n && case::is_capitalised(infos[end].case) {
                end += 1;
            } else if end + 1 < n && connectors.contains(&infos[end].lower) && case::is_capitalised(infos[end + 1].case)
            {
                end += 2;
            } else {
                break;
            }
        }
        if end - start >= 2 {
            for slot in &mut out[start..end] {
                *slot = Some(start..end);
            }
        }
        i = end;
    }
    out
}

/// Which static templates [`static_features`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Templates {
    /// Every static template.
    All,
    /// Only those that look beyond the token itself: the tagger adds the
    /// [`word_features`] once per distinct word of a document instead.
    Context,
}

/// Appends the features that depend on nothing but the token itself (its text and lexicon
/// value), so they are the same wherever the word occurs.
pub(crate) fn word_features(t: &TokenInfo, out: &mut Vec<u32>) {
    let case0 = u64::from(t.case);
    out.push(key(T_BIAS, 0));
    out.push(key(T_W0, t.lower));
    out.push(key(T_FORM0, t.form));
    out.push(key(T_SHAPE0, t.shape));
    out.push(key(T_SHORT0, t.short_shape));
    for (k, &a) in t.affixes.iter().enumerate() {
        if a != 0 {
            out.push(key(T_AFFIX + k as u64, a));
        }
    }
    for &g in t.grams.iter().take_while(|&&g| g != 0) {
        out.push(key(T_GRAM, g));
    }
    out.push(key(T_LEX0, label_of(t.word) * 16 + case0));
    out.push(key(T_CLUSTER0, fine_cluster(t.word) * 16 + case0));
    out.push(key(T_CLUSTER0_COARSE, coarse_cluster(t.word) * 16 + case0));
}

/// Writes the features of every token of a sentence that do not depend on predicted tags
/// (with [`Templates::Context`], leaving out the [`word_features`]): token `i`'s keys are
/// `out[offsets[i]..offsets[i + 1]]`.
pub(crate) fn static_features(
    infos: &[TokenInfo],
    lex: &impl Lexicon,
    doc: &DocText,
    templates: Templates,
    out: &mut Vec<u32>,
    offsets: &mut Vec<usize>,
) {
    out.clear();
    offsets.clear();
    let n = infos.len();
    // Gazetteer matches: longest known name starting at each token. The keys of every span
    // of up to MAX_GAZ_TOKENS tokens, start by start, are looked up in one batch.
    let mut span_keys: Vec<u32> = Vec::with_capacity(n * MAX_GAZ_TOKENS);
    for start in 0..n {
        let mut acc = SPAN_KEY_START;
        for t in &infos[start..n.min(start + MAX_GAZ_TOKENS)] {
            acc = span_key_step(acc, t.lower);
            span_keys.push(fold(acc));
        }
    }
    let mut masks = Vec::with_capacity(span_keys.len());
    lex.gazetteer_many(&span_keys, &mut masks);
    let mut gaz: Vec<(usize, u32)> = Vec::new();
    let mut next_mask = masks.iter();
    for start in 0..n {
        let mut best: Option<(usize, u8)> = None;
        for len in 0..n.min(start + MAX_GAZ_TOKENS) - start {
            let mask = next_mask.next().copied().unwrap_or(0);
            if mask != 0 {
                best = Some((len + 1, mask));
            }
        }
        if let Some((len, mask)) = best {
            for j in 0..len {
                let part = if len == 1 {
                    3
                } else if j == 0 {
                    0
                } else if j + 1 == len {
                    2
                } else {
                    1
                };
                gaz.push((start + j, key(T_GAZ, u64::from(mask) * 8 + part)));
            }
        }
    }
    gaz.sort_unstable();
    let runs = capitalised_runs(infos);
    let sent_case = sentence_case(infos);
    let pad = |j: isize| -> Option<&TokenInfo> { if j < 0 { None } else { infos.get(j as usize) } };
    let lower_or = |j: isize, edge: u64| pad(j).map_or(edge, |t| t.lower);
    let short_or = |j: isize, edge: u64| pad(j).map_or(edge, |t| t.short_shape);
    let mut g = 0;
    for (i, t) in infos.iter().enumerate() {
        offsets.push(out.len());
        let ii = i as isize;
        let wm1 = lower_or(ii - 1, BOS);
        let wp1 = lower_or(ii + 1, EOS);
        let sm1 = short_or(ii - 1, BOS);
        let sp1 = short_or(ii + 1, EOS);
        let first = u64::from(i == 0);
        let case0 = u64::from(t.case);
        if templates == Templates::All {
            word_features(t, out);
        }
        out.push(key(T_WM1, wm1));
        out.push(key(T_WP1, wp1));
        out.push(key(T_WM2, lower_or(ii - 2, BOS)));
        out.push(key(T_WP2, lower_or(ii + 2, EOS)));
        out.push(key(T_SHORTM1, sm1));
        out.push(key(T_SHORTP1, sp1));
        out.push(key(T_SHORT3, combine(combine(sm1, t.short_shape), sp1)));
        out.push(key(T_BIGRAM_L, combine(wm1, t.lower)));
        out.push(key(T_BIGRAM_R, combine(t.lower, wp1)));
        out.push(key(T_WM1_SHORT0, combine(wm1, t.short_shape)));
        out.push(key(T_SHORT0_WP1, combine(t.short_shape, wp1)));
        out.push(key(T_FIRST, first * 16 + case0));
        let caprate = u64::from(t.word & 0xff);
        out.push(key(T_CAPRATE, (caprate * 2 + first) * 16 + case0));
        out.push(key(T_LEXM1, pad(ii - 1).map_or(255, |p| label_of(p.word))));
        out.push(key(T_LEXP1, pad(ii + 1).map_or(255, |p| label_of(p.word))));
        let fine_m1 = pad(ii - 1).map_or(300, |p| fine_cluster(p.word));
        let fine_p1 = pad(ii + 1).map_or(300, |p| fine_cluster(p.word));
        let coarse_m1 = pad(ii - 1).map_or(300, |p| coarse_cluster(p.word));
        let coarse_p1 = pad(ii + 1).map_or(300, |p| coarse_cluster(p.word));
        let coarse0 = coarse_cluster(t.word);
        out.push(key(T_CLUSTERM1, fine_m1));
        out.push(key(T_CLUSTERP1, fine_p1));
        out.push(key(T_CLUSTER3, (coarse_m1 * 512 + coarse0) * 512 + coarse_p1));
        while g < gaz.len() && gaz[g].0 < i {
            g += 1;
        }
        while g < gaz.len() && gaz[g].0 == i {
            out.push(gaz[g].1);
            g += 1;
        }
        if case::is_capitalised(t.case) {
            let lower_seen = u64::from(doc.lower_seen.contains(&t.lower_key));
            out.push(key(T_DOC_LOWER, lower_seen * 2 + first));
            if i == 0 {
                let inside = u64::from(doc.cap_inside.contains(&t.lower_key));
                out.push(key(T_DOC_CAP_INSIDE, inside));
            }
        }
        out.push(key(T_SENT_CASE, sent_case * 16 + case0));
        if let Some(run) = runs.get(i).and_then(|r| r.clone()) {
            let len = run.end - run.start;
            let (head, tail) = (&infos[run.start], &infos[run.end - 1]);
            let position = if i == run.start {
                0
            } else if i + 1 == run.end {
                2
            } else {
                1
            };
            out.push(key(T_RUN_FIRST, head.lower));
            out.push(key(T_RUN_LAST, tail.lower));
            out.push(key(T_RUN_BEFORE, lower_or(run.start as isize - 1, BOS)));
            out.push(key(T_RUN_AFTER, lower_or(run.end as isize, EOS)));
            out.push(key(T_RUN_POSITION, len.min(6) as u64 * 4 + position));
            out.push(key(T_RUN_LAST_SUFFIX, tail.affixes[6]));
        }
        let cm1 = pad(ii - 1).map_or(15, |p| u64::from(p.case));
        let cp1 = pad(ii + 1).map_or(15, |p| u64::from(p.case));
        out.push(key(T_CASE_WINDOW, (cm1 * 16 + case0) * 16 + cp1));
    }
    offsets.push(out.len());
}

/// Appends the features from the document memory (labels given to the same word in earlier
/// sentences).
pub(crate) fn memory_features(t: &TokenInfo, memory: Option<u8>, out: &mut Vec<u32>) {
    if let Some(ty) = memory {
        out.push(key(T_DOCMEM, u64::from(ty)));
        out.push(key(T_DOCMEM_SHORT, combine(u64::from(ty), t.short_shape)));
    }
}

/// The transition feature of the bare pair (previous class `prev`, this token's class): the
/// first of [`transition_keys`], the same for every token.
pub(crate) fn bare_transition_key(prev: u8) -> u32 {
    key(T_P1, u64::from(prev))
}

/// The transition feature pairing the previous class `prev` with token `t`'s word: the
/// second of [`transition_keys`].
pub(crate) fn word_transition_key(t: &TokenInfo, prev: u8) -> u32 {
    key(T_P1_W0, combine(u64::from(prev), t.lower))
}

/// The transition feature pairing the previous class `prev` with a token's short shape: the
/// third of [`transition_keys`].
pub(crate) fn shape_transition_key(short_shape: u64, prev: u8) -> u32 {
    key(T_P1_SHORT0, combine(u64::from(prev), short_shape))
}

/// The transition features of token `t` when the previous class is `prev` (a class or
/// [`START_CLASS`]): they score the pair (previous class, this token's class).
pub(crate) fn transition_keys(t: &TokenInfo, prev: u8) -> [u32; 3] {
    [bare_transition_key(prev), word_transition_key(t, prev), shape_transition_key(t.short_shape, prev)]
}

/// "Previous class" of the first token; transitions are indexed 0..=START_CLASS.
pub(crate) const START_CLASS: u8 = super::scheme::NUM_CLASSES as u8;

/// Document-wide tallies of the first pass's labels, for the second pass: per lower-cased
/// word the types given to its capitalised occurrences (4 = outside), per entity string its
/// types, and per word the types of the multi-token entities it is part of.
#[derive(Debug, Default)]
pub(crate) struct DocVotes {
    tokens: KeyMap<[u16; 5]>,
    spans: KeyMap<[u16; 4]>,
    parts: KeyMap<[u16; 4]>,
}

impl DocVotes {
    /// Tallies first-pass classes (`classes[s][i]`) over a document.
    pub fn new(sentences: &[Vec<TokenInfo>], classes: &[Vec<u8>]) -> Self {
        let mut votes = DocVotes::default();
        for (infos, classes) in sentences.iter().zip(classes) {
            for (t, &c) in infos.iter().zip(classes) {
                if case::is_capitalised(t.case) {
                    let ty = super::scheme::type_of(c).unwrap_or(4);
                    votes.tokens.entry(t.lower_key).or_default()[ty as usize] += 1;
                }
            }
            for (range, ty) in super::scheme::classes_to_spans(classes) {
                let Some(span) = infos.get(range.clone()) else { continue };
                let acc = span.iter().fold(SPAN_KEY_START, |acc, t| span_key_step(acc, t.lower));
                votes.spans.entry(fold(acc)).or_default()[ty as usize] += 1;
                if span.len() >= 2 {
                    for t in span {
                        votes.parts.entry(t.lower_key).or_default()[ty as usize] += 1;
                    }
                }
            }
        }
        votes
    }
}

/// The most voted index and a bucket saying how clear the vote is (0 tie-ish, 1 majority,
/// 2 unanimous); `None` without votes.
fn vote<const N: usize>(counts: &[u16; N]) -> Option<(u64, u64)> {
    let total: u32 = counts.iter().map(|&c| u32::from(c)).sum();
    if total == 0 {
        return None;
    }
    let (best, &count) = counts.iter().enumerate().max_by_key(|&(i, c)| (*c, std::cmp::Reverse(i)))?;
    let count = u32::from(count);
    let bucket = if count == total {
        2
    } else if count * 3 >= total * 2 {
        1
    } else {
        0
    };
    Some((best as u64, bucket))
}

/// Appends, for every token of a sentence, the second-pass features built from the first
/// pass's classes of this sentence and the document-wide votes. Token `i`'s keys are
/// `out[i]`.
pub(crate) fn stacked_features(infos: &[TokenInfo], classes: &[u8], votes: &DocVotes, out: &mut [Vec<u32>]) {
    let n = infos.len().min(classes.len()).min(out.len());
    let class_at = |j: isize| -> u64 { if j < 0 || j as usize >= n { 100 } else { u64::from(classes[j as usize]) } };
    let spans = super::scheme::classes_to_spans(&classes[..n]);
    let mut span_of: Vec<Option<(std::ops::Range<usize>, u8)>> = vec![None; n];
    for (range, ty) in &spans {
        for slot in span_of.get_mut(range.clone()).into_iter().flatten() {
            *slot = Some((range.clone(), *ty));
        }
    }
    for (i, t) in infos.iter().enumerate().take(n) {
        let keys = &mut out[i];
        let ii = i as isize;
        let c0 = class_at(ii);
        keys.push(key(T_S_CLASS0, c0));
        keys.push(key(T_S_CLASSM1, class_at(ii - 1) * 128 + c0));
        keys.push(key(T_S_CLASSP1, c0 * 128 + class_at(ii + 1)));
        keys.push(key(
            T_S_WINDOW,
            ((class_at(ii - 2) * 128 + class_at(ii - 1)) * 128 + class_at(ii + 1)) * 128 + class_at(ii + 2),
        ));
        keys.push(key(T_S_CLASS0_SHORT, combine(c0, t.short_shape)));
        keys.push(key(T_S_CLASS0_W0, combine(c0, t.lower)));
        let own_type = super::scheme::type_of(classes[i]).unwrap_or(4);
        if case::is_capitalised(t.case)
            && let Some(mut counts) = votes.tokens.get(&t.lower_key).copied()
        {
            // Votes of the other occurrences only.
            counts[own_type as usize] = counts[own_type as usize].saturating_sub(1);
            if let Some((best, bucket)) = vote(&counts) {
                keys.push(key(T_S_TOKEN_VOTE, (best * 4 + bucket) * 8 + u64::from(own_type)));
            }
        }
        if let Some(mut counts) = votes.parts.get(&t.lower_key).copied() {
            if let Some((range, ty)) = &span_of[i]
                && range.len() >= 2
            {
                counts[*ty as usize] = counts[*ty as usize].saturating_sub(1);
            }
            if let Some((best, bucket)) = vote(&counts) {
                keys.push(key(
                    T_S_PART_VOTE,
                    (best * 4 + bucket) * 8 + u64::from(own_type) * 2 + u64::from(case::is_capitalised(t.case)),
                ));
            }
        }
        if let Some((range, ty)) = &span_of[i] {
            let len = range.len();
            let position = if len == 1 {
                3
            } else if i == range.start {
                0
            } else if i + 1 == range.end {
                2
            } else {
                1
            };
            keys.push(key(T_S_SPAN, (u64::from(*ty) * 8 + len.min(6) as u64) * 4 + position));
            if let Some(span) = infos.get(range.clone()) {
                let acc = span.iter().fold(SPAN_KEY_START, |acc, t| span_key_step(acc, t.lower));
                if let Some(mut counts) = votes.spans.get(&fold(acc)).copied() {
                    counts[*ty as usize] = counts[*ty as usize].saturating_sub(1);
                    if let Some((best, bucket)) = vote(&counts) {
                        keys.push(key(T_S_SPAN_VOTE, (best * 4 + bucket) * 8 + u64::from(*ty)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FixedLexicon;

    impl Lexicon for FixedLexicon {
        fn word(&self, lower_key: u32) -> u32 {
            with_clusters(word_value((lower_key % 7) as u8, (lower_key % 13) as u8), 3, 1)
        }
        fn gazetteer(&self, span_key: u32) -> u8 {
            u8::from(span_key.is_multiple_of(3))
        }
    }

    #[test]
    fn context_and_word_templates_make_up_all_static_features() {
        let text = "Mr Smith of Acme Corp , said on Tuesday in New York that prices rose 5 % .";
        let infos: Vec<TokenInfo> = text.split(' ').map(|t| describe(t, &FixedLexicon)).collect();
        let doc = DocText::new(std::slice::from_ref(&infos));
        let (mut all, mut all_offsets) = (Vec::new(), Vec::new());
        static_features(&infos, &FixedLexicon, &doc, Templates::All, &mut all, &mut all_offsets);
        let (mut context, mut context_offsets) = (Vec::new(), Vec::new());
        static_features(&infos, &FixedLexicon, &doc, Templates::Context, &mut context, &mut context_offsets);
        for (i, t) in infos.iter().enumerate() {
            let mut expected = all[all_offsets[i]..all_offsets[i + 1]].to_vec();
            let mut split = context[context_offsets[i]..context_offsets[i + 1]].to_vec();
            word_features(t, &mut split);
            expected.sort_unstable();
            split.sort_unstable();
            assert_eq!(split, expected, "token {i}");
        }
    }

    #[test]
    fn transition_keys_are_the_bare_word_and_shape_keys() {
        let t = describe("Paris", &FixedLexicon);
        for prev in 0..=START_CLASS {
            assert_eq!(
                transition_keys(&t, prev),
                [bare_transition_key(prev), word_transition_key(&t, prev), shape_transition_key(t.short_shape, prev)]
            );
        }
    }
}
