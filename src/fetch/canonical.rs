//! URL canonicalisation: one article reached through several URLs is stored once.
//!
//! Lower-cases scheme and host (the `url` crate does), drops the fragment, default ports,
//! tracking parameters (configurable, `prefix*` patterns) and an empty query. Idempotent.

use url::Url;

/// Returns the canonical form of `url`, removing query parameters matching `strip`.
pub fn canonicalize(url: &Url, strip: &[String]) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| !strip.iter().any(|pattern| matches(pattern, key)))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url
}

fn matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.len() >= prefix.len() && key[..prefix.len()].eq_ignore_ascii_case(prefix),
        None => key.eq_ignore_ascii_case(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip() -> Vec<String> {
        vec!["utm_*".into(), "fbclid".into(), "gclid".into()]
    }

    #[test]
    fn tracking_parameters_and_fragments_are_dropped() {
        let url = Url::parse("HTTP://News.Example.COM:80/a/b?utm_source=rss&id=7&FBCLID=x#top").unwrap();
        assert_eq!(canonicalize(&url, &strip()).as_str(), "http://news.example.com/a/b?id=7");
        let url = Url::parse("https://e.example/a?utm_medium=feed&utm_source=rss").unwrap();
        assert_eq!(canonicalize(&url, &strip()).as_str(), "https://e.example/a");
    }

    #[test]
    fn canonicalisation_is_idempotent() {
        for raw in [
            "http://a.example/x?b=1&utm_x=2#f",
            "https://a.example:8443/%7Euser/?q=a%20b&gclid=1",
            "http://127.0.0.1:8080/p?z=1&a=2",
        ] {
            let once = canonicalize(&Url::parse(raw).unwrap(), &strip());
            assert_eq!(canonicalize(&once, &strip()), once, "{raw}");
        }
    }
}
