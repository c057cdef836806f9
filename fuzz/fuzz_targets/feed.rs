//! Feeds (RSS, Atom, JSON Feed): any bytes give links or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let base = Url::parse("http://127.0.0.1:8080/feed.xml").unwrap();
    if let Ok(links) = quotewire::fetch::parse_feed(data, &base) {
        for link in links {
            assert!(matches!(link.url.scheme(), "http" | "https"), "{}", link.url);
        }
    }
});
