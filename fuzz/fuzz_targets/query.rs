//! The query parser: any query string is a result or a pointed error, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quotewire::index::{DocType, SearchIndex, SearchRequest};

fuzz_target!(|data: &[u8]| {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    let index = INDEX.get_or_init(SearchIndex::in_memory);
    let query = String::from_utf8_lossy(data).into_owned();
    for doc_type in [None, Some(DocType::Quote)] {
        let _ = index.search(&SearchRequest::new(&query, doc_type, 10));
    }
});
