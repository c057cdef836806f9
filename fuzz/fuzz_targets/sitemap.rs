//! Sitemaps (urlset, index, gzip, text): any bytes give links or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quotewire::fetch::{Sitemap, parse_sitemap};
use url::Url;

fuzz_target!(|data: &[u8]| {
    let base = Url::parse("http://127.0.0.1:8080/sitemap.xml").unwrap();
    if let Ok(Sitemap::Urls(links)) = parse_sitemap(data, &base) {
        for link in links {
            assert!(matches!(link.url.scheme(), "http" | "https"), "{}", link.url);
        }
    }
});
