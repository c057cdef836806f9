//! WARC input: archived HTTP responses from `.warc` and `.warc.gz` files (Common Crawl News,
//! Heritrix, wget, warcio).
//!
//! Owns reading WARC records (via the `warc` crate, streaming, so skipped bodies are never held
//! in memory), the HTTP message inside `response` records (status line and headers via
//! `httparse`, chunked transfer coding, gzip/deflate content coding, all capped) and the
//! per-file counts. Pure file reading: no network, no store, no HTML decoding or extraction;
//! callers filter by content type and decide what an archived page becomes.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use url::Url;
use warc::{RecordType, WarcHeader, WarcReader};

use super::FetchError;

/// Longest WARC header block accepted. Real ones are a few hundred bytes; the cap bounds the
/// memory spent on a file that is not WARC at all (the reader buffers until a blank line).
const MAX_WARC_HEADER_BYTES: u64 = 64 * 1024;

/// How much a response record may exceed the body cap before its body is not even read: room
/// for the HTTP status line, headers and chunk-size lines.
const HTTP_FRAMING_ALLOWANCE: usize = 64 * 1024;

/// Most HTTP response headers parsed in one archived response (real responses have 10–40).
const MAX_HTTP_HEADERS: usize = 256;

/// Read buffer for the (possibly compressed) file.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Bytes after a record's block: two CRLFs.
const RECORD_TRAILER_BYTES: u64 = 4;

const TRUNCATED: &str = "the file ends inside this record (truncated download?)";

/// One archived HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivedResponse {
    /// `WARC-Target-URI`.
    pub url: Url,
    /// HTTP status (always 2xx).
    pub status: u16,
    /// The HTTP `Content-Type` header as sent, if any.
    pub content_type: Option<String>,
    /// The HTTP body with transfer and content codings removed.
    pub body: Vec<u8>,
    /// `WARC-Date`: when the response was captured (always set; the `warc` crate requires it).
    pub date: Option<DateTime<Utc>>,
}

/// Counts of one WARC file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WarcSummary {
    /// Responses passed to the callback.
    pub responses: u64,
    /// 2xx responses not passed on, each logged as a warning: body over the cap, truncated by
    /// the crawler (`WARC-Truncated`), or an HTTP message that cannot be decoded. Other record
    /// types, non-2xx responses and non-HTTP captures (`dns:`) are ignored, not counted.
    pub skipped: u64,
}

/// Reads `response` records of a .warc or .warc.gz file (gzip detected by magic bytes,
/// multi-member gzip as Common Crawl writes it), calling `f` for each; non-response records and
/// non-2xx responses are skipped; records with bodies over `max_body_bytes` are skipped with a
/// counted warning; a malformed record ends with an error naming the file and record number, but
/// records already passed to `f` stay delivered.
///
/// Records are numbered from 1 in file order, counting every record type.
pub fn read_warc(
    path: &Path,
    max_body_bytes: usize,
    mut f: impl FnMut(ArchivedResponse),
) -> Result<WarcSummary, FetchError> {
    let file_error = |message: String| FetchError::File { path: path.display().to_string(), message };
    let file = std::fs::File::open(path).map_err(|e| file_error(e.to_string()))?;
    let mut file = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    let gzipped = file.fill_buf().map_err(|e| file_error(e.to_string()))?.starts_with(&GZIP_MAGIC);
    let source: Box<dyn BufRead> = if gzipped {
        Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(file)
    };
    let position = Rc::new(Position::default());
    let mut reader = WarcReader::new(Bounded { inner: source, position: Rc::clone(&position) });
    let mut records = reader.stream_records();
    let record_error = |number: u64, message: String| file_error(format!("WARC record {number}: {message}"));

    let mut summary = WarcSummary::default();
    let mut number = 0u64;
    // Offset (in the decompressed stream) where the last record, trailer included, ends.
    let mut record_end = 0u64;
    loop {
        position.limit.set(record_end.saturating_add(MAX_WARC_HEADER_BYTES));
        let item = records.next_item();
        let consumed = position.consumed.get();
        // An error while the reader was still inside the previous record (its body or its
        // trailer) is that record's; past it, the next one's.
        let failing = if consumed <= record_end { number.max(1) } else { number + 1 };
        let mut record = match item {
            None if consumed > record_end => return Err(record_error(number + 1, TRUNCATED.to_string())),
            None => return Ok(summary),
            Some(Err(e)) => return Err(record_error(failing, describe(e, consumed <= record_end, gzipped))),
            Some(Ok(record)) => record,
        };
        number += 1;
        let length = record.content_length();
        record_end = consumed.saturating_add(length).saturating_add(RECORD_TRAILER_BYTES);
        position.limit.set(record_end.saturating_add(MAX_WARC_HEADER_BYTES));
        if *record.warc_type() != RecordType::Response {
            continue;
        }
        let date = *record.date();
        if length > max_body_bytes.saturating_add(HTTP_FRAMING_ALLOWANCE) as u64 {
            // Not read: look at the status line only, so that large error pages are not counted.
            if peek_status(&mut record).is_none_or(|status| (200..300).contains(&status)) {
                tracing::warn!(
                    "{}: WARC record {number}: skipped, its {length}-byte block exceeds the {max_body_bytes}-byte cap",
                    path.display()
                );
                summary.skipped += 1;
            }
            continue;
        }
        let record = record.into_buffered().map_err(|e| record_error(number, read_failure(&e, gzipped)))?;
        let (headers, block) = record.into_raw_parts();
        if block.len() as u64 != length {
            return Err(record_error(number, TRUNCATED.to_string()));
        }
        match archived_response(&headers.headers, &block, max_body_bytes) {
            Ok(Some(mut response)) => {
                response.date = Some(date);
                summary.responses += 1;
                f(response);
            }
            Ok(None) => {}
            Err(reason) => {
                tracing::warn!("{}: WARC record {number}: skipped, {reason}", path.display());
                summary.skipped += 1;
            }
        }
    }
}

/// Turns a response record into an [`ArchivedResponse`]; `Ok(None)` for records that are
/// ignored by design (non-HTTP capture, non-2xx status), `Err` for 2xx responses that cannot be
/// used (the reason, for the warning).
fn archived_response(
    warc_headers: &std::collections::HashMap<WarcHeader, Vec<u8>>,
    block: &[u8],
    max_body_bytes: usize,
) -> Result<Option<ArchivedResponse>, String> {
    let Some(url) = warc_headers.get(&WarcHeader::TargetURI).and_then(|uri| target_url(uri)) else {
        return Ok(None);
    };
    let message = parse_http_head(block).map_err(|reason| format!("{url}: {reason}"))?;
    if !(200..300).contains(&message.status) {
        return Ok(None);
    }
    if warc_headers.contains_key(&WarcHeader::Truncated) {
        return Err(format!("{url}: the crawler truncated the body (WARC-Truncated)"));
    }
    let raw_body = &block[message.head_len.min(block.len())..];
    let too_large = || format!("{url}: body exceeds the {max_body_bytes}-byte cap");
    let body = if message.chunked {
        dechunk(raw_body, max_body_bytes).map_err(|e| match e {
            Decode::TooLarge => too_large(),
            Decode::Malformed(reason) => format!("{url}: {reason}"),
        })?
    } else {
        raw_body.to_vec()
    };
    let body = decode_content(body, message.content_encoding.as_deref(), max_body_bytes).map_err(|e| match e {
        Decode::TooLarge => too_large(),
        Decode::Malformed(reason) => format!("{url}: {reason}"),
    })?;
    if body.len() > max_body_bytes {
        return Err(too_large());
    }
    Ok(Some(ArchivedResponse { url, status: message.status, content_type: message.content_type, body, date: None }))
}

/// `WARC-Target-URI` as an http(s) URL. Tolerates the `<...>` brackets of the WARC 1.0 grammar
/// and raw non-ASCII bytes (percent-encoded as a browser would send them).
fn target_url(raw: &[u8]) -> Option<Url> {
    let mut text = String::with_capacity(raw.len());
    for &byte in raw {
        if byte.is_ascii() {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    let text = text.trim();
    let text = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')).unwrap_or(text).trim();
    let url = Url::parse(text).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// What the HTTP head of an archived response says about its body.
struct HttpHead {
    status: u16,
    /// Bytes of the status line and headers, blank line included.
    head_len: usize,
    chunked: bool,
    content_encoding: Option<String>,
    content_type: Option<String>,
}

fn parse_http_head(block: &[u8]) -> Result<HttpHead, String> {
    // httparse knows HTTP/1.x only; some archivers write `HTTP/2 200` for h2 captures. The head
    // is rewritten as HTTP/1.1 then (its length is corrected below).
    let (patched, shift) = match block.iter().position(|&b| b == b' ') {
        Some(space) if block.starts_with(b"HTTP/2") || block.starts_with(b"HTTP/3") => {
            let mut patched = b"HTTP/1.1".to_vec();
            patched.extend_from_slice(&block[space..]);
            (Some(patched), space as isize - 8)
        }
        _ => (None, 0),
    };
    let input = patched.as_deref().unwrap_or(block);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let parsed = httparse::ParserConfig::default()
        .allow_spaces_after_header_name_in_responses(true)
        .allow_obsolete_multiline_headers_in_responses(true)
        .allow_multiple_spaces_in_response_status_delimiters(true)
        .parse_response(&mut response, input);
    let head_len = match parsed {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Err("the HTTP header is incomplete".to_string()),
        Err(e) => return Err(format!("not an HTTP response ({e})")),
    };
    let status = response.code.ok_or("the HTTP status line has no status code")?;
    let header = |name: &'static str| {
        response
            .headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
    };
    let chunked = header("transfer-encoding")
        .flat_map(|v| v.split(',').map(|c| c.trim().to_ascii_lowercase()).collect::<Vec<_>>())
        .any(|coding| coding == "chunked");
    let content_encoding = header("content-encoding")
        .flat_map(|v| v.split(',').map(|c| c.trim().to_ascii_lowercase()).collect::<Vec<_>>())
        .filter(|coding| !coding.is_empty() && coding != "identity")
        .reduce(|a, b| format!("{a}, {b}"));
    let content_type = header("content-type").find(|v| !v.is_empty());
    Ok(HttpHead { status, head_len: head_len.saturating_add_signed(shift), chunked, content_encoding, content_type })
}

/// The status code of an HTTP message whose body is not read, from its first line.
fn peek_status(reader: &mut impl Read) -> Option<u16> {
    let mut first = Vec::new();
    reader.take(256).read_to_end(&mut first).ok()?;
    let line = first.split(|&b| b == b'\n').next()?;
    let mut parts = line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    parts.next().filter(|version| version.starts_with(b"HTTP/"))?;
    std::str::from_utf8(parts.next()?).ok()?.trim().parse().ok()
}

/// Why a body could not be decoded.
enum Decode {
    TooLarge,
    Malformed(String),
}

/// Removes `Transfer-Encoding: chunked` framing; trailers are ignored.
fn dechunk(mut data: &[u8], cap: usize) -> Result<Vec<u8>, Decode> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.iter().position(|&b| b == b'\n') else {
            return Err(Decode::Malformed("chunked body ends without its last chunk".to_string()));
        };
        let line = &data[..line_end];
        data = &data[line_end + 1..];
        let size_text = line.split(|&b| b == b';').next().unwrap_or_default();
        let size = std::str::from_utf8(size_text)
            .ok()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|s| usize::from_str_radix(s, 16).ok())
            .ok_or_else(|| {
                Decode::Malformed(format!("bad chunk size `{}`", String::from_utf8_lossy(size_text).trim()))
            })?;
        if size == 0 {
            return Ok(out);
        }
        if size > data.len() {
            return Err(Decode::Malformed("a chunk runs past the end of the record".to_string()));
        }
        if out.len().saturating_add(size) > cap {
            return Err(Decode::TooLarge);
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size..];
        data = data.strip_prefix(b"\r\n").or_else(|| data.strip_prefix(b"\n")).unwrap_or(data);
    }
}

/// Removes a `Content-Encoding` (gzip, x-gzip, deflate), inflating at most `cap` bytes.
fn decode_content(body: Vec<u8>, encoding: Option<&str>, cap: usize) -> Result<Vec<u8>, Decode> {
    let Some(encoding) = encoding else { return Ok(body) };
    match encoding {
        // Some archivers store the decoded body but keep the header: no gzip magic, no gzip.
        "gzip" | "x-gzip" if !body.starts_with(&GZIP_MAGIC) => Ok(body),
        "gzip" | "x-gzip" => inflate(flate2::read::MultiGzDecoder::new(&body[..]), cap, "gzip"),
        // `deflate` is meant to be zlib-wrapped, but many servers send raw deflate.
        "deflate" if is_zlib_header(&body) => inflate(flate2::read::ZlibDecoder::new(&body[..]), cap, "deflate"),
        "deflate" => inflate(flate2::read::DeflateDecoder::new(&body[..]), cap, "deflate"),
        other => Err(Decode::Malformed(format!("unsupported content encoding `{other}`"))),
    }
}

fn is_zlib_header(body: &[u8]) -> bool {
    match body {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

fn inflate(decoder: impl Read, cap: usize, name: &str) -> Result<Vec<u8>, Decode> {
    let mut out = Vec::new();
    decoder
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Decode::Malformed(format!("bad {name} body: {e}")))?;
    if out.len() > cap {
        return Err(Decode::TooLarge);
    }
    Ok(out)
}

fn describe(error: warc::Error, in_previous_record: bool, gzipped: bool) -> String {
    match error {
        warc::Error::ParseHeaders(_) if in_previous_record => {
            "the record does not end with CRLF CRLF (wrong Content-Length?)".to_string()
        }
        warc::Error::ParseHeaders(_) => "malformed WARC header (not a WARC file, or a corrupt record)".to_string(),
        warc::Error::MissingHeader(header) => format!("missing required header `{header}`"),
        warc::Error::MalformedHeader(header, reason) => format!("malformed header `{header}`: {reason}"),
        warc::Error::ReadData(e) => read_failure(&e, gzipped),
        warc::Error::ReadOverflow => "the block is longer than its Content-Length".to_string(),
        warc::Error::UnexpectedEOB => TRUNCATED.to_string(),
    }
}

fn read_failure(error: &std::io::Error, gzipped: bool) -> String {
    match error.kind() {
        std::io::ErrorKind::UnexpectedEof => TRUNCATED.to_string(),
        _ if gzipped => format!("bad gzip data: {error}"),
        _ => error.to_string(),
    }
}

/// How far the WARC reader has got in the decompressed stream, and how far it may go.
#[derive(Default)]
struct Position {
    consumed: Cell<u64>,
    limit: Cell<u64>,
}

/// A reader that counts consumed bytes and refuses to go past a limit, so a file without WARC
/// structure fails after [`MAX_WARC_HEADER_BYTES`] instead of being buffered whole.
struct Bounded<R> {
    inner: R,
    position: Rc<Position>,
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let room = self.position.limit.get().saturating_sub(self.position.consumed.get());
        let available = self.inner.fill_buf()?;
        if room == 0 && !available.is_empty() {
            return Err(std::io::Error::other(format!(
                "no WARC record header within {MAX_WARC_HEADER_BYTES} bytes (not a WARC file?)"
            )));
        }
        let n = usize::try_from(room).unwrap_or(usize::MAX).min(available.len());
        Ok(&available[..n])
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.position.consumed.set(self.position.consumed.get().saturating_add(amount as u64));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const PAGE: &[u8] = b"<html><head><title>Minister resigns</title></head><body><p>\"I take full responsibility,\" \
the minister said.</p></body></html>";

    fn record(warc_type: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Date: 2024-03-05T10:15:00Z\r\n\
             WARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\nWARC-Target-URI: {uri}\r\n\
             Content-Type: application/http; msgtype={warc_type}\r\nContent-Length: {}\r\n\r\n",
            block.len() + uri.len(),
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn warcinfo() -> Vec<u8> {
        let block = b"software: test\r\nformat: WARC File Format 1.0\r\n";
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Date: 2024-03-05T10:00:00Z\r\n\
             WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n\
             Content-Type: application/warc-fields\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http(status: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
        for header in headers {
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in body.chunks(chunk) {
            out.extend_from_slice(format!("{:x};ext=1\r\n", piece.len()).as_bytes());
            out.extend_from_slice(piece);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\nX-Trailer: 1\r\n\r\n");
        out
    }

    /// Writes `records` as one file, each record its own gzip member when `gzipped`.
    fn write_warc(dir: &tempfile::TempDir, name: &str, records: &[Vec<u8>], gzipped: bool) -> std::path::PathBuf {
        let bytes: Vec<u8> = records.iter().flat_map(|r| if gzipped { gzip(r) } else { r.clone() }).collect();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read_all(path: &Path, cap: usize) -> (Vec<ArchivedResponse>, Result<WarcSummary, FetchError>) {
        let mut delivered = Vec::new();
        let result = read_warc(path, cap, |r| delivered.push(r));
        (delivered, result)
    }

    fn sample_records() -> Vec<Vec<u8>> {
        let html = "Content-Type: text/html; charset=utf-8";
        vec![
            warcinfo(),
            record("request", "https://news.example/a", b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
            record("response", "https://news.example/a", &http("200 OK", &[html], PAGE)),
            record(
                "response",
                "<https://news.example/b>",
                &http("200 OK", &[html, "Transfer-Encoding: chunked"], &chunked(PAGE, 7)),
            ),
            record(
                "response",
                "https://news.example/c",
                &http("200 OK", &[html, "Content-Encoding: gzip", "Vary: Accept-Encoding"], &gzip(PAGE)),
            ),
            record("response", "https://news.example/missing", &http("404 Not Found", &[html], b"<p>no such page</p>")),
            record("response", "https://news.example/old", &http("301 Moved Permanently", &["Location: /a"], b"")),
            record(
                "response",
                "https://news.example/logo.png",
                &http("200 OK", &["Content-Type: image/png"], b"\x89PNG\r\n\x1a\n"),
            ),
            record(
                "response",
                "https://news.example/d",
                &http(
                    "200 OK",
                    &[html, "Transfer-Encoding: chunked", "Content-Encoding: gzip"],
                    &chunked(&gzip(PAGE), 10),
                ),
            ),
            record("response", "dns:news.example", b"20240305101500\nnews.example. 300 IN A 192.0.2.1\n"),
            record("metadata", "https://news.example/a", b"fetchTimeMs: 120\r\n"),
        ]
    }

    fn check_sample(delivered: &[ArchivedResponse], summary: WarcSummary) {
        assert_eq!(summary, WarcSummary { responses: 5, skipped: 0 });
        let urls: Vec<&str> = delivered.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.example/a",
                "https://news.example/b",
                "https://news.example/c",
                "https://news.example/logo.png",
                "https://news.example/d",
            ]
        );
        for response in delivered.iter().filter(|r| r.url.path() != "/logo.png") {
            assert_eq!(response.body, PAGE, "{}", response.url);
            assert_eq!(response.status, 200);
            assert_eq!(response.content_type.as_deref(), Some("text/html; charset=utf-8"));
            assert_eq!(response.date.map(|d| d.to_rfc3339()).as_deref(), Some("2024-03-05T10:15:00+00:00"));
        }
        assert_eq!(delivered[3].content_type.as_deref(), Some("image/png"));
        assert_eq!(delivered[3].body, b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn plain_warc_yields_decoded_2xx_responses_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_warc(&dir, "sample.warc", &sample_records(), false);
        let (delivered, result) = read_all(&path, 1024 * 1024);
        check_sample(&delivered, result.unwrap());
    }

    #[test]
    fn gzip_per_record_warc_is_read_like_plain() {
        let dir = tempfile::tempdir().unwrap();
        // Named .warc on purpose: gzip is detected by its magic bytes, not the file name.
        let path = write_warc(&dir, "sample.warc", &sample_records(), true);
        let (delivered, result) = read_all(&path, 1024 * 1024);
        check_sample(&delivered, result.unwrap());
    }

    #[test]
    fn oversized_bodies_are_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![b'x'; 100 * 1024];
        let bomb = gzip(&vec![b' '; 50 * 1024]);
        let records = [
            record("response", "https://news.example/big", &http("200 OK", &["Content-Type: text/html"], &big)),
            record("response", "https://news.example/big-404", &http("404 Not Found", &[], &big)),
            record("response", "https://news.example/bomb", &http("200 OK", &["Content-Encoding: gzip"], &bomb)),
            record(
                "response",
                "https://news.example/long-chunks",
                &http("200 OK", &["Transfer-Encoding: chunked"], &chunked(&vec![b'y'; 20 * 1024], 4096)),
            ),
            record("response", "https://news.example/a", &http("200 OK", &[], PAGE)),
        ];
        for gzipped in [false, true] {
            let path = write_warc(&dir, "big.warc", &records, gzipped);
            let (delivered, result) = read_all(&path, 10 * 1024);
            assert_eq!(result.unwrap(), WarcSummary { responses: 1, skipped: 3 });
            assert_eq!(delivered.len(), 1);
            assert_eq!(delivered[0].body, PAGE);
        }
    }

    #[test]
    fn undecodable_responses_are_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let records = [
            record("response", "https://news.example/1", b"<html>no HTTP head</html>"),
            record(
                "response",
                "https://news.example/2",
                &http("200 OK", &["Transfer-Encoding: chunked"], b"zz\r\nabc"),
            ),
            record("response", "https://news.example/3", &http("200 OK", &["Transfer-Encoding: chunked"], b"5\r\nab")),
            record(
                "response",
                "https://news.example/4",
                &http("200 OK", &["Content-Encoding: gzip"], &[0x1f, 0x8b, 8, 0, 1]),
            ),
            record("response", "https://news.example/5", &http("200 OK", &["Content-Encoding: br"], b"\x0b\x02\x80")),
            record("response", "https://news.example/6", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"),
            record("response", "https://news.example/7", &http("200 OK", &["Content-Type: text/html"], PAGE)),
        ];
        let path = write_warc(&dir, "odd.warc", &records, false);
        let (delivered, result) = read_all(&path, 1024 * 1024);
        assert_eq!(result.unwrap(), WarcSummary { responses: 1, skipped: 6 });
        assert_eq!(delivered[0].url.as_str(), "https://news.example/7");
    }

    #[test]
    fn crawler_truncated_http2_and_odd_uris_are_handled() {
        let dir = tempfile::tempdir().unwrap();
        let mut truncated = record("response", "https://news.example/t", &http("200 OK", &[], PAGE));
        let at = truncated.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        truncated.splice(at..at, b"WARC-Truncated: length\r\n".iter().copied());
        let mut h2 = b"HTTP/2 200\r\ncontent-type: text/html\r\n\r\n".to_vec();
        h2.extend_from_slice(PAGE);
        // A raw Latin-1 byte (not UTF-8) in the target URI.
        let mut latin1 = record("response", "https://news.example/caf\u{0}", &http("200 OK", &[], PAGE));
        if let Some(zero) = latin1.iter().position(|&b| b == 0) {
            latin1[zero] = 0xe9;
        }
        let records = [truncated, record("response", "https://news.example/h2", &h2), latin1];
        let path = write_warc(&dir, "odd.warc", &records, false);
        let (delivered, result) = read_all(&path, 1024 * 1024);
        assert_eq!(result.unwrap(), WarcSummary { responses: 2, skipped: 1 });
        assert_eq!(delivered[0].url.as_str(), "https://news.example/h2");
        assert_eq!(delivered[0].content_type.as_deref(), Some("text/html"));
        assert_eq!(delivered[0].body, PAGE);
        assert_eq!(delivered[1].url.as_str(), "https://news.example/caf%E9");
    }

    #[test]
    fn truncated_file_is_an_error_after_delivering_earlier_records() {
        let dir = tempfile::tempdir().unwrap();
        let html = ["Content-Type: text/html"];
        let records = [
            warcinfo(),
            record("response", "https://news.example/a", &http("200 OK", &html, PAGE)),
            record("response", "https://news.example/b", &http("200 OK", &html, PAGE)),
        ];
        let whole: Vec<u8> = records.concat();
        let third = records[0].len() + records[1].len();
        // Cut inside record 3's body or header: one response delivered. Cut inside its trailer:
        // its block is whole, so it is delivered before the error.
        for (cut, name, delivered_before_error) in [
            (whole.len() - 60, "mid-body.warc", 1),
            (third + 30, "mid-header.warc", 1),
            (whole.len() - 2, "mid-trailer.warc", 2),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &whole[..cut]).unwrap();
            let (delivered, result) = read_all(&path, 1024 * 1024);
            let message = result.unwrap_err().to_string();
            assert!(message.contains(name) && message.contains("WARC record 3"), "{message}");
            assert!(message.contains("truncated"), "{message}");
            assert_eq!(delivered.len(), delivered_before_error, "{name}");
        }
        // The same, gzip-compressed and cut inside the last member.
        let gzipped: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
        let path = dir.path().join("cut.warc.gz");
        std::fs::write(&path, &gzipped[..gzipped.len() - 40]).unwrap();
        let (delivered, result) = read_all(&path, 1024 * 1024);
        let message = result.unwrap_err().to_string();
        assert!(message.contains("cut.warc.gz") && message.contains("WARC record 3"), "{message}");
        assert_eq!(delivered.len(), 1);
    }

    #[test]
    fn malformed_records_are_errors_naming_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let good = record("response", "https://news.example/a", &http("200 OK", &[], PAGE));
        let mut wrong_length = record("response", "https://news.example/b", &http("200 OK", &[], PAGE));
        let text = String::from_utf8(wrong_length.clone()).unwrap();
        let declared = format!("Content-Length: {}", http("200 OK", &[], PAGE).len());
        wrong_length = text.replace(&declared, "Content-Length: 10").into_bytes();
        let no_date = String::from_utf8(good.clone()).unwrap().replace("WARC-Date: 2024-03-05T10:15:00Z\r\n", "");
        let cases: [(&str, Vec<u8>, &str); 4] = [
            ("length.warc", [good.clone(), wrong_length].concat(), "WARC record 2"),
            ("date.warc", [good.clone(), no_date.into_bytes()].concat(), "warc-date"),
            ("junk.warc", [good.clone(), b"junk\r\n\r\n".to_vec()].concat(), "WARC record 2"),
            ("page.warc", [good.clone(), vec![b'<'; 200_000]].concat(), "not a WARC file"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (delivered, result) = read_all(&path, 1024 * 1024);
            let message = result.unwrap_err().to_string();
            assert!(message.contains(name) && message.contains(expected), "{message}");
            assert_eq!(delivered.len(), 1, "{name}");
        }
    }

    #[test]
    fn empty_missing_and_non_warc_files() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.warc");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(read_all(&empty, 1024).1.unwrap(), WarcSummary::default());
        let missing = dir.path().join("missing.warc.gz");
        assert!(read_all(&missing, 1024).1.unwrap_err().to_string().contains("missing.warc.gz"));
        assert!(!missing.exists(), "reading must not create the file");
        let html = dir.path().join("page.html");
        std::fs::write(&html, PAGE).unwrap();
        let message = read_all(&html, 1024).1.unwrap_err().to_string();
        assert!(message.contains("WARC record 1"), "{message}");
        let bad_gzip = dir.path().join("bad.warc.gz");
        std::fs::write(&bad_gzip, b"\x1f\x8b\x08\x00garbage").unwrap();
        assert!(read_all(&bad_gzip, 1024).1.unwrap_err().to_string().contains("WARC record 1"));
    }

    #[test]
    fn dechunk_and_decode_edge_cases() {
        assert!(matches!(dechunk(b"", 10), Err(Decode::Malformed(_))));
        assert!(matches!(dechunk(b"ffffffffffffffffffff\r\n", 10), Err(Decode::Malformed(_))));
        assert!(matches!(dechunk(b"+5\r\nabcde\r\n0\r\n\r\n", 10), Err(Decode::Malformed(_))));
        assert!(matches!(dechunk(b"5\r\nabcde\r\n0\r\n\r\n", 4), Err(Decode::TooLarge)));
        assert_eq!(dechunk(b"3\nabc\n2 \nde\n0\n", 10).ok(), Some(b"abcde".to_vec()));
        assert_eq!(decode_content(PAGE.to_vec(), Some("gzip"), 10_000).ok().as_deref(), Some(PAGE));
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(PAGE).unwrap();
        assert_eq!(decode_content(zlib.finish().unwrap(), Some("deflate"), 10_000).ok().as_deref(), Some(PAGE));
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(PAGE).unwrap();
        assert_eq!(decode_content(raw.finish().unwrap(), Some("deflate"), 10_000).ok().as_deref(), Some(PAGE));
        assert_eq!(peek_status(&mut &b"HTTP/1.0  503 Busy\r\n"[..]), Some(503));
        assert_eq!(peek_status(&mut &b"garbage"[..]), None);
        assert!(target_url(b"dns:news.example").is_none());
        assert!(target_url(b"").is_none());
    }
}
