//! HTML extraction on any bytes: content sniffing, decoding and extraction (which never
//! panics, whatever the sniffer would say) give a result or an error, and the text returned
//! is what the records promise (no NUL characters).
#![no_main]

use libfuzzer_sys::fuzz_target;
use url::Url;

fuzz_target!(|data: &[u8]| {
    let url = Url::parse("http://127.0.0.1:8080/news/2024/05/01/story.html").unwrap();
    let _ = quotewire::extract::sniff_bytes(data);
    let decoded = quotewire::extract::decode_html(data, Some("text/html"));
    let _ = quotewire::extract::sniff_text(&decoded.text);
    if let Ok(page) = quotewire::extract::extract(&decoded.text, Some(&url)) {
        assert!(!page.text.contains('\0'));
    }
});
