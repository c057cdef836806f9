//! Charset decoding: BOMs, headers, `<meta>` and detection on any bytes, never a panic, and
//! the result is valid text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the Content-Type header the body came with.
    let (header, body) = match data.split_first() {
        Some((choice, rest)) => {
            let header = match choice % 6 {
                0 => None,
                1 => Some("text/html"),
                2 => Some("text/html; charset=utf-8"),
                3 => Some("text/html; charset=windows-1252"),
                4 => Some("text/html; charset=shift_jis"),
                _ => Some("text/html; charset=\"x-nonsense\"; q=0"),
            };
            (header, rest)
        }
        None => (None, data),
    };
    let decoded = quotewire::extract::decode_html(body, header);
    assert!(std::str::from_utf8(decoded.text.as_bytes()).is_ok());
});
