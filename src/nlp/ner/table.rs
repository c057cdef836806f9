//! A read-only open-addressing hash table from non-zero `u32` keys to `u32` values: the
//! run-time index of feature rows and lexicon entries.
//!
//! Keys are already good hashes (see `features::fold`), so the slot is a multiplicative hash
//! of the key and probing is linear; a key and its value share a slot, so a lookup touches
//! one cache line. A small filter of the keys (a blocked Bloom filter, not stored in model
//! files) answers most lookups of absent keys without touching the large slot array. Built
//! once when a model loads; never resized.

/// Maps `u32` keys (never 0) to `u32` values.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    /// `[key, value]` per slot; key 0 marks an empty slot.
    slots: Vec<[u32; 2]>,
    shift: u32,
    /// Two bits per key in one word of 64; a clear bit proves the key absent.
    filter: Vec<u64>,
    filter_shift: u32,
    len: usize,
}

/// Filter bits per slot of the table (at least twice as many slots as keys, so at least 8
/// bits per key: about 5% of absent keys pass the filter).
const FILTER_BITS_PER_SLOT: usize = 4;

impl KeyTable {
    /// Builds a table from unique non-zero keys; a repeated key keeps its first value.
    pub fn build(pairs: impl ExactSizeIterator<Item = (u32, u32)>) -> Self {
        let capacity = (pairs.len().max(8) * 2).next_power_of_two();
        let bits = capacity.trailing_zeros();
        // At least two words, so the filter's shift stays below 32 for tiny tables.
        let filter_words = (capacity * FILTER_BITS_PER_SLOT / 64).max(2);
        let mut table = KeyTable {
            slots: vec![[0, 0]; capacity],
            shift: 32 - bits,
            filter: vec![0; filter_words],
            filter_shift: 32 - filter_words.trailing_zeros(),
            len: 0,
        };
        let mask = capacity - 1;
        for (key, value) in pairs {
            if key == 0 {
                continue;
            }
            let mut slot = table.slot(key);
            loop {
                if table.slots[slot][0] == 0 {
                    table.slots[slot] = [key, value];
                    let (word, bits) = table.filter_bits(key);
                    table.filter[word] |= bits;
                    table.len += 1;
                    break;
                }
                if table.slots[slot][0] == key {
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        table
    }

    fn slot(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b1) >> self.shift) as usize
    }

    /// The filter word of `key` and its two bits there (hashes independent of the slot's).
    fn filter_bits(&self, key: u32) -> (usize, u64) {
        let word = (key.wrapping_mul(0x85eb_ca6b) >> self.filter_shift) as usize;
        let a = key.wrapping_mul(0xc2b2_ae35) >> 26;
        let b = key.wrapping_mul(0x27d4_eb2f) >> 26;
        (word, (1u64 << a) | (1u64 << b))
    }

    /// False when `key` is certainly absent.
    #[inline]
    fn may_contain(&self, key: u32) -> bool {
        let (word, bits) = self.filter_bits(key);
        self.filter.get(word).is_some_and(|w| w & bits == bits)
    }

    /// The value stored for `key`.
    #[inline]
    pub fn get(&self, key: u32) -> Option<u32> {
        if !self.may_contain(key) {
            return None;
        }
        self.probe(key)
    }

    /// Finds `key` in the slots (without asking the filter).
    #[inline]
    fn probe(&self, key: u32) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(key);
        loop {
            let [k, value] = self.slots[slot];
            if k == key {
                return Some(value);
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The values stored for each of `keys`, in `out`. Faster than [`KeyTable::get`] one key
    /// at a time for large tables: keys the filter rules out are never looked up, the filter
    /// words are prefetched before any is read, and the slot of every other key is prefetched before any is probed, so the cache misses
    /// overlap instead of stalling one after another.
    pub fn get_many(&self, keys: &[u32], out: &mut Vec<Option<u32>>) {
        out.clear();
        if self.slots.is_empty() {
            out.resize(keys.len(), None);
            return;
        }
        // The filter itself is larger than the nearest cache: fetch its words first.
        for &k in keys {
            if let Some(word) = self.filter.get(self.filter_bits(k).0) {
                prefetch(word);
            }
        }
        // `Some(0)` marks a key that may be present, until probed below.
        out.extend(keys.iter().map(|&k| self.may_contain(k).then_some(0)));
        for (&k, _) in keys.iter().zip(out.iter()).filter(|(_, found)| found.is_some()) {
            prefetch(&self.slots[self.slot(k)]);
        }
        for (&k, found) in keys.iter().zip(out.iter_mut()) {
            if found.is_some() {
                *found = self.probe(k);
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Entries sorted by key.
    pub fn sorted_entries(&self) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = self.slots.iter().filter(|s| s[0] != 0).map(|s| (s[0], s[1])).collect();
        out.sort_unstable();
        out
    }
}

/// Asks the CPU to bring the cache line holding `item` closer (a hint: it changes no result,
/// and on other architectures does nothing).
#[inline(always)]
pub(crate) fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch never faults and reads nothing the program sees; the pointer
        // comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((item as *const T).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let pairs: Vec<(u32, u32)> = (1..1000u32).map(|k| (k.wrapping_mul(7919), k)).collect();
        let table = KeyTable::build(pairs.iter().copied());
        assert_eq!(table.len(), pairs.len());
        for (k, v) in &pairs {
            assert_eq!(table.get(*k), Some(*v));
        }
        assert_eq!(table.get(3), None);
        let mut found = Vec::new();
        table.get_many(&[pairs[5].0, 3, pairs[7].0], &mut found);
        assert_eq!(found, vec![Some(pairs[5].1), None, Some(pairs[7].1)]);
        let all: Vec<u32> = pairs.iter().map(|p| p.0).collect();
        table.get_many(&all, &mut found);
        assert!(pairs.iter().zip(&found).all(|(p, f)| *f == Some(p.1)));
    }
}
