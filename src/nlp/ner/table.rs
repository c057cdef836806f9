//! A read-only open-addressing hash table from non-zero `u32` keys to `u32` values: the
//! run-time index of feature rows and lexicon entries.
//!
//! Keys are already good hashes (see `features::fold`), so the slot is a multiplicative hash
//! of the key and probing is linear. Built once when a model loads; never resized.

/// Maps `u32` keys (never 0) to `u32` values.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyTable {
    keys: Vec<u32>,
    values: Vec<u32>,
    shift: u32,
    len: usize,
}

impl KeyTable {
    /// Builds a table from unique non-zero keys; a repeated key keeps its first value.
    pub fn build(pairs: impl ExactSizeIterator<Item = (u32, u32)>) -> Self {
        let capacity = (pairs.len().max(8) * 2).next_power_of_two();
        let bits = capacity.trailing_zeros();
        let mut table = KeyTable { keys: vec![0; capacity], values: vec![0; capacity], shift: 32 - bits, len: 0 };
        let mask = capacity - 1;
        for (key, value) in pairs {
            if key == 0 {
                continue;
            }
            let mut slot = table.slot(key);
            loop {
                if table.keys[slot] == 0 {
                    table.keys[slot] = key;
                    table.values[slot] = value;
                    table.len += 1;
                    break;
                }
                if table.keys[slot] == key {
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
        if self.keys.is_empty() {
            return None;
        }
        let mask = self.keys.len() - 1;
        let mut slot = self.slot(key);
        loop {
            let k = self.keys[slot];
            if k == key {
                return Some(self.values[slot]);
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Entries sorted by key.
    pub fn sorted_entries(&self) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> =
            self.keys.iter().zip(&self.values).filter(|(k, _)| **k != 0).map(|(k, v)| (*k, *v)).collect();
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
    }
}
