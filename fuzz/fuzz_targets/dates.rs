//! Dates wherever pages and feeds give them: meta tags, `<time>`, JSON-LD, URL paths, feed
//! `pubDate` and sitemap `lastmod`; any text parses or is ignored, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let attribute = text.replace(['"', '<', '>', '&'], " ");
    let html = format!(
        "<html><head><meta property=\"article:published_time\" content=\"{attribute}\">\
         <script type=\"application/ld+json\">{{\"datePublished\": \"{attribute}\"}}</script></head>\
         <body><article><time datetime=\"{attribute}\">{attribute}</time><p>Published {attribute}.</p></article></body></html>"
    );
    let path: String = attribute.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    if let Ok(url) = Url::parse(&format!("http://127.0.0.1/{path}/story.html")) {
        let _ = quotewire::extract::extract(&html, Some(&url));
    }
    let base = Url::parse("http://127.0.0.1/feed.xml").unwrap();
    let feed = format!("<rss version=\"2.0\"><channel><title>t</title><item><link>/a</link><pubDate>{attribute}</pubDate></item></channel></rss>");
    let _ = quotewire::fetch::parse_feed(feed.as_bytes(), &base);
    let sitemap = format!("<urlset><url><loc>/a</loc><lastmod>{attribute}</lastmod></url></urlset>");
    let _ = quotewire::fetch::parse_sitemap(sitemap.as_bytes(), &base);
});
