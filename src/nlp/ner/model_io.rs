//! The model file format: an 8-byte magic, then a gzip stream holding a format version, a
//! free-text description, the word lexicon, the name gazetteer and the feature weights.
//!
//! Keys of every table are written sorted and delta-encoded as LEB128 varints; a feature row
//! is a bitmask of its non-zero classes followed by zig-zag varint `i16` weights. Writing is
//! deterministic (sorted keys, fixed gzip header), so equal models give equal bytes. Reading
//! checks every length and never panics on corrupt input.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::scheme::NUM_CLASSES;
use super::table::KeyTable;
use super::{NerError, NerModel};

const MAGIC: &[u8; 8] = b"QWNER\x00\x01\n";

/// Bump when features, templates or layout change: old files are then rejected.
const FORMAT_VERSION: u32 = 2;

/// Refuse to inflate more than this (a model is a few tens of MB unpacked); protects against
/// corrupt or hostile files.
const MAX_PAYLOAD_BYTES: u64 = 512 << 20;

/// Refuse tables larger than this many entries.
const MAX_ENTRIES: usize = 50_000_000;

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i16) -> u64 {
    (((v as i32) << 1) ^ ((v as i32) >> 31)) as u32 as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn write_keys(out: &mut Vec<u8>, keys: &[u32]) {
    write_varint(out, keys.len() as u64);
    let mut prev = 0u32;
    for &k in keys {
        write_varint(out, u64::from(k - prev));
        prev = k;
    }
}

/// Serialises a model.
pub(crate) fn to_bytes(model: &NerModel) -> Vec<u8> {
    let mut payload = Vec::new();
    payload.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    write_model(&mut payload, model);
    let mut encoder = GzEncoder::new(MAGIC.to_vec(), Compression::best());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(&payload);
    encoder.finish().unwrap_or_default()
}

/// Writes one model's tables, then a flag byte and, when it is stacked, its first pass.
fn write_model(payload: &mut Vec<u8>, model: &NerModel) {
    write_varint(payload, model.description.len() as u64);
    payload.extend_from_slice(model.description.as_bytes());

    let words = model.words.sorted_entries();
    write_keys(payload, &words.iter().map(|e| e.0).collect::<Vec<_>>());
    for (_, v) in &words {
        write_varint(payload, u64::from(*v));
    }
    let names = model.names.sorted_entries();
    write_keys(payload, &names.iter().map(|e| e.0).collect::<Vec<_>>());
    payload.extend(names.iter().map(|(_, v)| *v as u8));

    let features = model.features.sorted_entries();
    write_keys(payload, &features.iter().map(|e| e.0).collect::<Vec<_>>());
    for (_, row) in &features {
        let start = *row as usize * NUM_CLASSES;
        let weights = &model.weights[start..start + NUM_CLASSES];
        let mut mask = 0u64;
        for (c, &w) in weights.iter().enumerate() {
            if w != 0 {
                mask |= 1 << c;
            }
        }
        write_varint(payload, mask);
        for &w in weights.iter().filter(|w| **w != 0) {
            write_varint(payload, zigzag(w));
        }
    }
    match &model.first_pass {
        Some(first) => {
            payload.push(1);
            write_model(payload, first);
        }
        None => payload.push(0),
    }
}

/// A bounds-checked reader over the inflated payload.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn bad(&self, what: &str) -> NerError {
        NerError::Model { reason: format!("truncated or corrupt {what} at byte {}", self.pos) }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&[u8], NerError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| self.bad(what))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn varint(&mut self, what: &str) -> Result<u64, NerError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.pos).ok_or_else(|| self.bad(what))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.bad(what))
    }

    fn count(&mut self, what: &str) -> Result<usize, NerError> {
        let n = self.varint(what)?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_ENTRIES && n <= self.bytes.len() - self.pos)
            .ok_or_else(|| self.bad(what))
    }

    fn keys(&mut self, what: &str) -> Result<Vec<u32>, NerError> {
        let n = self.count(what)?;
        let mut keys = Vec::with_capacity(n);
        let mut prev = 0u64;
        for _ in 0..n {
            let k = prev + self.varint(what)?;
            if k == 0 || k > u64::from(u32::MAX) || (k == prev && !keys.is_empty()) {
                return Err(self.bad(what));
            }
            keys.push(k as u32);
            prev = k;
        }
        Ok(keys)
    }
}

/// Parses a model written by [`to_bytes`].
pub(crate) fn from_bytes(bytes: &[u8]) -> Result<NerModel, NerError> {
    let Some(body) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(NerError::Model { reason: "not a quotewire NER model (bad magic bytes)".to_string() });
    };
    let mut payload = Vec::new();
    GzDecoder::new(body)
        .take(MAX_PAYLOAD_BYTES)
        .read_to_end(&mut payload)
        .map_err(|e| NerError::Model { reason: format!("cannot inflate model data ({e})") })?;
    let mut cur = Cursor { bytes: &payload, pos: 0 };
    let version = cur.take(4, "header")?;
    let version = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
    if version != FORMAT_VERSION {
        return Err(NerError::Model { reason: format!("format version {version}, this build reads {FORMAT_VERSION}") });
    }
    let model = read_model(&mut cur, 0)?;
    if cur.pos != payload.len() {
        return Err(cur.bad("trailing data"));
    }
    Ok(model)
}

/// Reads one model written by `write_model`; `depth` counts enclosing stacked models (a
/// first pass cannot itself be stacked).
fn read_model(cur: &mut Cursor<'_>, depth: usize) -> Result<NerModel, NerError> {
    let n = cur.count("description")?;
    let description = String::from_utf8_lossy(cur.take(n, "description")?).into_owned();

    let word_keys = cur.keys("word lexicon")?;
    let mut word_values = Vec::with_capacity(word_keys.len());
    for _ in 0..word_keys.len() {
        let v = cur.varint("word lexicon")?;
        word_values.push(u32::try_from(v).map_err(|_| cur.bad("word lexicon"))?);
    }
    let words = KeyTable::build(word_keys.iter().copied().zip(word_values));
    let name_keys = cur.keys("gazetteer")?;
    let raw = cur.take(name_keys.len(), "gazetteer")?;
    let names = KeyTable::build(name_keys.iter().zip(raw).map(|(k, v)| (*k, u32::from(*v))));

    let feature_keys = cur.keys("feature table")?;
    let mut weights = vec![0i16; feature_keys.len() * NUM_CLASSES];
    for row in weights.chunks_exact_mut(NUM_CLASSES) {
        let mask = cur.varint("feature row")?;
        if mask >> NUM_CLASSES != 0 {
            return Err(cur.bad("feature row"));
        }
        for (c, slot) in row.iter_mut().enumerate() {
            if mask & (1 << c) != 0 {
                let w = unzigzag(cur.varint("feature weight")?);
                *slot = i16::try_from(w).map_err(|_| cur.bad("feature weight"))?;
            }
        }
    }
    let first_pass = match cur.take(1, "pass flag")?[0] {
        0 => None,
        1 if depth == 0 => Some(Box::new(read_model(cur, depth + 1)?)),
        _ => return Err(cur.bad("pass flag")),
    };
    let features = KeyTable::build(feature_keys.iter().enumerate().map(|(row, k)| (*k, row as u32)));
    Ok(NerModel { description, features, weights, words, names, first_pass })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_round_trips() {
        for v in [0i16, 1, -1, 300, -300, i16::MAX, i16::MIN] {
            assert_eq!(unzigzag(zigzag(v)), i64::from(v));
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(from_bytes(b"").is_err());
        assert!(from_bytes(b"QWNER\x00\x01\nnot gzip").is_err());
        let mut bytes = to_bytes(&NerModel::empty());
        assert!(from_bytes(&bytes).is_ok());
        let n = bytes.len();
        bytes.truncate(n - 6);
        assert!(from_bytes(&bytes).is_err());
    }
}
