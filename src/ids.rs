//! Fresh random identifiers: the identities of search indexes and stores (what lets an
//! index say which store it follows, and a reader tell two indexes apart), and the small
//! files that record one. No dependency for a one-off identifier: the time and the process
//! id are mixed through SipHash with the process's random keys.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;

/// 64 random bits as 16 hex digits; each call draws fresh keys.
pub fn new_identity() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

/// The identity recorded in the file at `path` (one line), if the file exists and holds one.
pub fn read_record(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|id| id.trim().to_string()).filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_its_trimmed_line_and_a_missing_or_blank_file_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id");
        // (file content or none, what is read)
        let cases: &[(Option<&str>, Option<&str>)] =
            &[(None, None), (Some(""), None), (Some(" \n"), None), (Some("ab12\n"), Some("ab12"))];
        for (content, read) in cases {
            match content {
                Some(content) => std::fs::write(&path, content).unwrap(),
                None => drop(std::fs::remove_file(&path)),
            }
            assert_eq!(read_record(&path).as_deref(), *read, "{content:?}");
        }
    }

    #[test]
    fn identities_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (new_identity(), new_identity());
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
