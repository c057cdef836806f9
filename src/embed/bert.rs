//! Sentence embeddings with rust-bert on libtorch (feature `transformers`), from a local
//! sentence-transformers model directory: `model.safetensors` (or a converted
//! `rust_model.ot`), `config.json`, `vocab.txt`, `tokenizer_config.json`, `modules.json`,
//! `sentence_bert_config.json` and `1_Pooling/config.json`. Nothing is ever downloaded.
//!
//! BERT models with mean pooling (all-MiniLM-L6-v2 among them) run through the project's own
//! forward pass (`encoder`: fused attention, batches cut by token count), which is faster
//! than rust-bert's; every other model runs through rust-bert's pipeline.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{SentenceEmbeddingsConfig, SentenceEmbeddingsModel};
use rust_bert::resources::LocalResource;
use tch::Device;

use super::encoder::BertEncoder;
use super::{DEFAULT_BATCH_SIZE, EmbedError, Embedder, length_sorted_batches, required_file};

/// What runs the model.
enum Engine {
    /// The project's forward pass (BERT with mean pooling).
    Encoder(Box<BertEncoder>),
    /// rust-bert's sentence-embedding pipeline (every other model).
    Pipeline(Box<SentenceEmbeddingsModel>),
}

/// A sentence-transformers model on libtorch; loaded once and reused for every batch.
pub struct BertEmbedder {
    /// libtorch runs one forward pass at a time on the intra-op threads set at load.
    model: Mutex<Engine>,
    name: String,
    dimension: usize,
    batch_size: usize,
}

fn resource(path: PathBuf) -> Box<LocalResource> {
    Box::new(LocalResource::from(path))
}

/// The transformer type named by `config.json` (`"model_type": "bert"`).
pub(super) fn model_type(dir: &Path) -> Result<ModelType, EmbedError> {
    let path = required_file(dir, "config.json")?;
    let load_error = |message: String| EmbedError::Load { dir: dir.to_path_buf(), message };
    let text = std::fs::read_to_string(&path).map_err(|e| load_error(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| load_error(format!("config.json: {e}")))?;
    match json.get("model_type").and_then(|v| v.as_str()) {
        Some("bert") => Ok(ModelType::Bert),
        Some("distilbert") => Ok(ModelType::DistilBert),
        Some("roberta") => Ok(ModelType::Roberta),
        Some("xlm-roberta") => Ok(ModelType::XLMRoberta),
        Some("albert") => Ok(ModelType::Albert),
        Some("t5") => Ok(ModelType::T5),
        other => Err(load_error(format!(
            "config.json names model_type {other:?}: expected one of bert, distilbert, roberta, xlm-roberta, albert, t5"
        ))),
    }
}

/// The weights file: safetensors as shipped, or a converted libtorch file.
pub(super) fn weights(dir: &Path) -> Result<PathBuf, EmbedError> {
    required_file(dir, "model.safetensors").or_else(|e| required_file(dir, "rust_model.ot").map_err(|_| e))
}

/// Sets libtorch's intra-op threads (0: one per core). Process-wide, as libtorch has it.
pub(super) fn set_threads(threads: usize) {
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    tch::set_num_threads(i32::try_from(threads).unwrap_or(1));
}

impl BertEmbedder {
    /// Loads the model in `dir` on the CPU with `threads` intra-op threads (0: one per core).
    pub fn load(dir: &Path, threads: usize) -> Result<BertEmbedder, EmbedError> {
        set_threads(threads);
        let name = super::model_name(dir);
        if let Some(encoder) = BertEncoder::load(dir)? {
            let dimension = encoder.dimension();
            return Ok(BertEmbedder {
                model: Mutex::new(Engine::Encoder(Box::new(encoder))),
                name,
                dimension,
                batch_size: DEFAULT_BATCH_SIZE,
            });
        }
        BertEmbedder::load_rust_bert(dir, threads)
    }

    /// Loads the model in `dir` into rust-bert's pipeline whatever its type (what
    /// [`BertEmbedder::load`] does for models the project's forward pass does not serve).
    pub fn load_rust_bert(dir: &Path, threads: usize) -> Result<BertEmbedder, EmbedError> {
        set_threads(threads);
        let name = super::model_name(dir);
        let transformer_type = model_type(dir)?;
        let merges = match transformer_type {
            ModelType::Roberta => Some(resource(required_file(dir, "merges.txt")?) as _),
            _ => None,
        };
        let vocab = match transformer_type {
            ModelType::Roberta => required_file(dir, "vocab.json")?,
            ModelType::XLMRoberta | ModelType::T5 => {
                required_file(dir, "sentencepiece.bpe.model").or_else(|_| required_file(dir, "spiece.model"))?
            }
            _ => required_file(dir, "vocab.txt")?,
        };
        let config = SentenceEmbeddingsConfig {
            modules_config_resource: resource(required_file(dir, "modules.json")?),
            transformer_type,
            transformer_config_resource: resource(required_file(dir, "config.json")?),
            transformer_weights_resource: resource(weights(dir)?),
            pooling_config_resource: resource(required_file(dir, "1_Pooling/config.json")?),
            dense_config_resource: dir
                .join("2_Dense/config.json")
                .is_file()
                .then(|| resource(dir.join("2_Dense/config.json")) as _),
            dense_weights_resource: dir
                .join("2_Dense/model.safetensors")
                .is_file()
                .then(|| resource(dir.join("2_Dense/model.safetensors")) as _),
            sentence_bert_config_resource: resource(required_file(dir, "sentence_bert_config.json")?),
            tokenizer_config_resource: resource(required_file(dir, "tokenizer_config.json")?),
            tokenizer_vocab_resource: resource(vocab),
            tokenizer_merges_resource: merges,
            device: Device::Cpu,
            kind: None,
        };
        let model = SentenceEmbeddingsModel::new(config)
            .map_err(|e| EmbedError::Load { dir: dir.to_path_buf(), message: e.to_string() })?;
        let dimension = model
            .get_embedding_dim()
            .ok()
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(|| EmbedError::Load { dir: dir.to_path_buf(), message: "no embedding dimension".into() })?;
        Ok(BertEmbedder {
            model: Mutex::new(Engine::Pipeline(Box::new(model))),
            name,
            dimension,
            batch_size: DEFAULT_BATCH_SIZE,
        })
    }

    /// Sentences per forward pass (default [`DEFAULT_BATCH_SIZE`]).
    pub fn with_batch_size(mut self, batch_size: usize) -> BertEmbedder {
        self.batch_size = batch_size.max(1);
        self
    }
}

impl Embedder for BertEmbedder {
    fn model(&self) -> &str {
        &self.name
    }

    fn dimension(&self) -> usize {
        self.dimension
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let engine = self.model.lock().unwrap_or_else(|p| p.into_inner());
        let model = match &*engine {
            Engine::Encoder(encoder) => return embed_with(encoder, texts, self.batch_size),
            Engine::Pipeline(model) => model,
        };
        let mut out = vec![Vec::new(); texts.len()];
        for batch in length_sorted_batches(texts, self.batch_size) {
            let inputs: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            let vectors = model
                .encode(&inputs)
                .map_err(|e| EmbedError::Inference { batch: inputs.len(), message: e.to_string() })?;
            for (i, vector) in batch.into_iter().zip(vectors) {
                out[i] = vector;
            }
        }
        Ok(out)
    }
}

/// Embeds `texts` with the project's forward pass: all are tokenized first, then cut into
/// batches of similar token counts (longest first), so a batch pads to within a few tokens
/// of each member.
fn embed_with(encoder: &BertEncoder, texts: &[&str], batch_size: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
    let tokens = encoder.tokenize(texts);
    let mut order: Vec<usize> = (0..tokens.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(tokens[i].len()));
    let mut out = vec![Vec::new(); texts.len()];
    for batch in order.chunks(batch_size.max(1)) {
        let sequences: Vec<Vec<i64>> = batch.iter().map(|&i| tokens[i].clone()).collect();
        let vectors = encoder
            .forward(&sequences)
            .map_err(|e| EmbedError::Inference { batch: batch.len(), message: e.to_string() })?;
        for (&i, vector) in batch.iter().zip(vectors) {
            out[i] = vector;
        }
    }
    Ok(out)
}
