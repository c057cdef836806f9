//! A read-only open-addressing hash table from non-zero `u32` keys to `u32` values: the
//! run-time index of feature rows and lexicon entries.
//!
//! Keys are already good hashes (see `features::fold`), so the slot is a multiplicative hash
//! of the key and probing is linear; a key and its value share a slot, so a lookup touches
//! one cache line. Built once when a model loads; never resized.

/// Maps `u32` keys (never 0) to `u32` values.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    /// `[key, value]` per slot; key 0 marks an empty slot.
    slots: Vec<[u32; 2]>,
    shift: u32,
    len: usize,
}

impl KeyTable {
    /// Builds a table from unique non-zero keys; a repeated key keeps its first value.
    pub fn build(pairs: impl ExactSizeIterator<Item = (u32, u32)>) -> Self {
        let capacity = (pairs.len().max(8) * 2).next_power_of_two();
        let bits = capacity.trailing_zeros();
        let mut table = KeyTable { slots: vec![[0, 0]; capacity], shift: 32 - bits, len: 0 };
        let mask = capacity - 1;
        for (key, value) in pairs {
            if key == 0 {
                continue;
            }
            let mut slot = table.slot(key);
            loop {
                if table.slots[slot][0] == 0 {
                    table.slots[slot] = [key, value];
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

    /// The value stored for `key`.
    #[inline]
    pub fn get(&self, key: u32) -> Option<u32> {
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
    /// at a time for large tables: every key's slot is read before any is probed, so the
    /// cache misses overlap instead of stalling one after another.
    pub fn get_many(&self, keys: &[u32], out: &mut Vec<Option<u32>>) {
        out.clear();
        if self.slots.is_empty() {
            out.resize(keys.len(), None);
            return;
        }
        let touched = keys.iter().fold(0u32, |acc, &k| acc ^ self.slots[self.slot(k)][0]);
        std::hint::black_box(touched);
        out.extend(keys.iter().map(|&k| self.get(k)));
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
    }
}
