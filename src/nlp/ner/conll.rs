//! Reading the training corpus: gzipped (or plain) CoNLL files with one `token<TAB>tag` line
//! per token, blank lines between sentences, BIO (or IOB1) tags over PER/ORG/LOC/MISC.
//!
//! Owns parsing and the discovery of `<source>.<split>.conll.gz` files in a directory; it
//! reports malformed input as [`NerError::Conll`] naming the file and line and never panics.

use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::Path;

use super::NerError;

/// One gold sentence: tokens and entity spans (token range, type index 0..4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sentence {
    pub tokens: Vec<String>,
    pub spans: Vec<(Range<usize>, u8)>,
}

/// All sentences of one source file, in file order.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// File stem before `.<split>.conll.gz`, e.g. `wikigold`.
    pub source: String,
    pub sentences: Vec<Sentence>,
}

/// Finds `*.{split}.conll.gz` (or `*.{split}.conll`) files in `dir`, sorted by name, and reads
/// them.
pub(crate) fn read_split(dir: &Path, split: &str) -> Result<Vec<SourceFile>, NerError> {
    let entries = std::fs::read_dir(dir).map_err(|source| NerError::Io { path: dir.to_path_buf(), source })?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| NerError::Io { path: dir.to_path_buf(), source })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        for suffix in [format!(".{split}.conll.gz"), format!(".{split}.conll")] {
            if let Some(stem) = name.strip_suffix(&suffix) {
                found.push((stem.to_string(), entry.path()));
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(NerError::NoData { dir: dir.to_path_buf(), split: split.to_string() });
    }
    found
        .into_iter()
        .map(|(source, path)| {
            let sentences = read_file(&path)?;
            Ok(SourceFile { source, sentences })
        })
        .collect()
}

/// Reads one CoNLL file, gunzipping when the name ends in `.gz`.
pub(crate) fn read_file(path: &Path) -> Result<Vec<Sentence>, NerError> {
    let file = std::fs::File::open(path).map_err(|source| NerError::Io { path: path.to_path_buf(), source })?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    parse(BufReader::new(reader), path)
}

/// Parses CoNLL text; `path` is only used in error messages.
pub(crate) fn parse(reader: impl BufRead, path: &Path) -> Result<Vec<Sentence>, NerError> {
    let err = |line: usize, reason: String| NerError::Conll { path: path.to_path_buf(), line, reason };
    let mut sentences = Vec::new();
    let mut tokens: Vec<String> = Vec::new();
    let mut spans: Vec<(Range<usize>, u8)> = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    let mut flush = |tokens: &mut Vec<String>, spans: &mut Vec<(Range<usize>, u8)>, open: &mut Option<(usize, u8)>| {
        if let Some((start, ty)) = open.take() {
            spans.push((start..tokens.len(), ty));
        }
        if !tokens.is_empty() {
            sentences.push(Sentence { tokens: std::mem::take(tokens), spans: std::mem::take(spans) });
        }
    };
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|e| err(number, format!("cannot read line ({e})")))?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            flush(&mut tokens, &mut spans, &mut open);
            continue;
        }
        let mut columns = line.split(['\t', ' ']).filter(|c| !c.is_empty());
        let (Some(token), Some(mut tag)) = (columns.next(), columns.next()) else {
            return Err(err(number, format!("`{line}` has no tag column")));
        };
        if token == "-DOCSTART-" {
            flush(&mut tokens, &mut spans, &mut open);
            continue;
        }
        for extra in columns {
            tag = extra; // the last column is the tag, as in CoNLL-2003 layouts
        }
        let i = tokens.len();
        if tag == "O" {
            if let Some((start, ty)) = open.take() {
                spans.push((start..i, ty));
            }
        } else {
            let (prefix, label) =
                tag.split_once('-').ok_or_else(|| err(number, format!("tag `{tag}` is not O, B-X or I-X")))?;
            let ty = match label {
                "PER" => 0,
                "ORG" => 1,
                "LOC" => 2,
                "MISC" => 3,
                _ => {
                    return Err(err(number, format!("unknown entity type `{label}` (expected PER, ORG, LOC or MISC)")));
                }
            };
            let begins = match prefix {
                "B" => true,
                "I" => !matches!(open, Some((_, t)) if t == ty),
                _ => return Err(err(number, format!("tag `{tag}` has unknown prefix `{prefix}`"))),
            };
            if begins {
                if let Some((start, oty)) = open.take() {
                    spans.push((start..i, oty));
                }
                open = Some((i, ty));
            }
        }
        tokens.push(token.to_string());
    }
    flush(&mut tokens, &mut spans, &mut open);
    Ok(sentences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bio_and_iob1() {
        let text = "Ren\tB-PER\nZhengfei\tI-PER\nof\tO\nHuawei\tI-ORG\n\nParis\tB-LOC\n";
        let sentences = parse(text.as_bytes(), Path::new("x.conll")).unwrap();
        assert_eq!(sentences.len(), 2);
        assert_eq!(sentences[0].spans, vec![(0..2, 0), (3..4, 1)]);
        assert_eq!(sentences[1].spans, vec![(0..1, 2)]);
    }

    #[test]
    fn malformed_line_is_an_error_naming_file_and_line() {
        let text = "Ren\tB-PER\nZhengfei\n";
        let error = parse(text.as_bytes(), Path::new("bad.conll")).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("bad.conll"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn unknown_type_is_an_error() {
        let text = "Ren\tB-PERSON\n";
        let error = parse(text.as_bytes(), Path::new("bad.conll")).unwrap_err();
        assert!(error.to_string().contains("PERSON"));
    }
}
