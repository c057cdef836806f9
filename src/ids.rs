//! Fresh random identifiers: the identities of search indexes and stores (what lets an
//! index say which store it follows, and a reader tell two indexes apart). No dependency
//! for a one-off identifier: the time and the process id are mixed through SipHash with the
//! process's random keys.

use std::hash::{BuildHasher, Hasher};

/// 64 random bits as 16 hex digits; each call draws fresh keys.
pub fn new_identity() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (new_identity(), new_identity());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
