//! robots.txt: rules and `Sitemap:` lines from any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in ["/", "/private/x.html", "/news/2024/story?id=1", "/%E2%82%AC"] {
        let _ = quotewire::fetch::robots_allows(data, "quotewire/0.1 (+https://example.invalid)", &format!("http://127.0.0.1{path}"));
    }
    for url in quotewire::fetch::sitemaps_in_robots(&String::from_utf8_lossy(data)) {
        assert!(matches!(url.scheme(), "http" | "https"), "{url}");
    }
});
