//! The forward pass of a BERT sentence-transformers model written directly on libtorch ops
//! (feature `transformers`): embeddings, the encoder layers with one fused query/key/value
//! projection and libtorch's fused attention kernel (`scaled_dot_product_attention`, what
//! Python transformers runs), exact GELU, mean pooling over real tokens and normalisation.
//! Weights come from the model directory's `model.safetensors`; tokenization is rust-bert's
//! WordPiece tokenizer with the directory's settings.
//!
//! It serves the models it can run exactly (`model_type` bert, mean pooling, no dense
//! layer, like all-MiniLM-L6-v2); [`BertEncoder::load`] answers `None` for any other, and the
//! caller falls back to rust-bert's pipeline. Nothing is ever downloaded.

use std::collections::HashMap;
use std::path::Path;

use rust_bert::pipelines::common::{ModelType, TokenizerOption};
use rust_tokenizers::tokenizer::TruncationStrategy;
use tch::{Kind, Tensor};

use super::{EmbedError, required_file};

/// One transformer layer's weights (linear weights as `[out, in]`, as stored).
struct Layer {
    qkv_weight: Tensor,
    qkv_bias: Tensor,
    attention_out_weight: Tensor,
    attention_out_bias: Tensor,
    attention_norm_weight: Tensor,
    attention_norm_bias: Tensor,
    up_weight: Tensor,
    up_bias: Tensor,
    down_weight: Tensor,
    down_bias: Tensor,
    output_norm_weight: Tensor,
    output_norm_bias: Tensor,
}

/// A loaded BERT encoder with its tokenizer.
pub(super) struct BertEncoder {
    tokenizer: TokenizerOption,
    /// Longest input in tokens (`sentence_bert_config.json`), special tokens included.
    max_length: usize,
    pad_id: i64,
    hidden: i64,
    heads: i64,
    norm_epsilon: f64,
    normalize: bool,
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    /// Every token is of type 0: the type embedding is one row added to all.
    token_type_embedding: Tensor,
    embedding_norm_weight: Tensor,
    embedding_norm_bias: Tensor,
    layers: Vec<Layer>,
}

fn read_json(dir: &Path, file: &str) -> Result<serde_json::Value, EmbedError> {
    let path = required_file(dir, file)?;
    let load_error =
        |message: String| EmbedError::Load { dir: dir.to_path_buf(), message: format!("{file}: {message}") };
    let text = std::fs::read_to_string(&path).map_err(|e| load_error(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| load_error(e.to_string()))
}

/// Whether the model in `dir` is one this forward pass computes exactly.
fn supported(dir: &Path) -> Result<bool, EmbedError> {
    let config = read_json(dir, "config.json")?;
    let pooling = read_json(dir, "1_Pooling/config.json")?;
    let modules = read_json(dir, "modules.json")?;
    let module_types: Vec<&str> = modules.as_array().into_iter().flatten().filter_map(|m| m["type"].as_str()).collect();
    let only_known_modules = module_types.iter().all(|t| {
        matches!(
            *t,
            "sentence_transformers.models.Transformer"
                | "sentence_transformers.models.Pooling"
                | "sentence_transformers.models.Normalize"
        )
    });
    let mean_pooling_only = pooling["pooling_mode_mean_tokens"] == true
        && ["cls_token", "max_tokens", "mean_sqrt_len_tokens"]
            .iter()
            .all(|m| pooling[format!("pooling_mode_{m}")] != true);
    Ok(config["model_type"] == "bert"
        && config["hidden_act"] == "gelu"
        && config["position_embedding_type"].as_str().is_none_or(|p| p == "absolute")
        && only_known_modules
        && mean_pooling_only)
}

impl BertEncoder {
    /// Loads the model in `dir`, or `None` when it is not one this forward pass serves.
    pub(super) fn load(dir: &Path) -> Result<Option<BertEncoder>, EmbedError> {
        if !supported(dir)? {
            return Ok(None);
        }
        let load_error = |message: String| EmbedError::Load { dir: dir.to_path_buf(), message };
        let config = read_json(dir, "config.json")?;
        let tokenizer_config = read_json(dir, "tokenizer_config.json")?;
        let sentence_config = read_json(dir, "sentence_bert_config.json")?;
        let modules = read_json(dir, "modules.json")?;
        let int =
            |key: &str| config[key].as_i64().ok_or_else(|| load_error(format!("config.json lacks a number `{key}`")));
        let (hidden, heads, layer_count) =
            (int("hidden_size")?, int("num_attention_heads")?, int("num_hidden_layers")?);
        if heads <= 0 || hidden % heads != 0 {
            return Err(load_error(format!("hidden size {hidden} does not split into {heads} heads")));
        }
        // As rust-bert's sentence-embedding pipeline (and sentence-transformers) reads them.
        let lower_case = tokenizer_config["do_lower_case"]
            .as_bool()
            .unwrap_or_else(|| sentence_config["do_lower_case"].as_bool().unwrap_or(false));
        let vocab = required_file(dir, "vocab.txt")?;
        let tokenizer = TokenizerOption::from_file(
            ModelType::Bert,
            &vocab.to_string_lossy(),
            None,
            lower_case,
            tokenizer_config["strip_accents"].as_bool(),
            tokenizer_config["add_prefix_space"].as_bool(),
        )
        .map_err(|e| load_error(e.to_string()))?;
        let pad_id = tokenizer.get_pad_id().unwrap_or(0);
        let max_length = sentence_config["max_seq_length"].as_u64().unwrap_or(512) as usize;
        let normalize =
            modules.as_array().into_iter().flatten().any(|m| m["type"] == "sentence_transformers.models.Normalize");

        let path = required_file(dir, "model.safetensors")?;
        let mut tensors: HashMap<String, Tensor> = Tensor::read_safetensors(&path)
            .map_err(|e| load_error(format!("model.safetensors: {e}")))?
            .into_iter()
            .map(|(name, tensor)| (name.strip_prefix("bert.").map(str::to_string).unwrap_or(name), tensor))
            .collect();
        let mut take = |name: &str| {
            tensors
                .remove(name)
                .map(|t| t.to_kind(Kind::Float))
                .ok_or_else(|| load_error(format!("model.safetensors lacks `{name}`")))
        };
        let word_embeddings = take("embeddings.word_embeddings.weight")?;
        let position_embeddings = take("embeddings.position_embeddings.weight")?;
        let token_type_embedding = take("embeddings.token_type_embeddings.weight")?.get(0);
        let embedding_norm_weight = take("embeddings.LayerNorm.weight")?;
        let embedding_norm_bias = take("embeddings.LayerNorm.bias")?;
        let mut layers = Vec::new();
        for i in 0..layer_count {
            let p = format!("encoder.layer.{i}");
            let mut part = |name: &str| take(&format!("{p}.{name}"));
            let (q, k, v) = (
                part("attention.self.query.weight")?,
                part("attention.self.key.weight")?,
                part("attention.self.value.weight")?,
            );
            let (qb, kb, vb) = (
                part("attention.self.query.bias")?,
                part("attention.self.key.bias")?,
                part("attention.self.value.bias")?,
            );
            layers.push(Layer {
                qkv_weight: Tensor::cat(&[q, k, v], 0).contiguous(),
                qkv_bias: Tensor::cat(&[qb, kb, vb], 0),
                attention_out_weight: part("attention.output.dense.weight")?,
                attention_out_bias: part("attention.output.dense.bias")?,
                attention_norm_weight: part("attention.output.LayerNorm.weight")?,
                attention_norm_bias: part("attention.output.LayerNorm.bias")?,
                up_weight: part("intermediate.dense.weight")?,
                up_bias: part("intermediate.dense.bias")?,
                down_weight: part("output.dense.weight")?,
                down_bias: part("output.dense.bias")?,
                output_norm_weight: part("output.LayerNorm.weight")?,
                output_norm_bias: part("output.LayerNorm.bias")?,
            });
        }
        Ok(Some(BertEncoder {
            tokenizer,
            max_length,
            pad_id,
            hidden,
            heads,
            norm_epsilon: config["layer_norm_eps"].as_f64().unwrap_or(1e-12),
            normalize,
            word_embeddings,
            position_embeddings,
            token_type_embedding,
            embedding_norm_weight,
            embedding_norm_bias,
            layers,
        }))
    }

    /// Length of every vector.
    pub(super) fn dimension(&self) -> usize {
        self.hidden as usize
    }

    /// Token ids of each text, truncated to the model's maximum length.
    pub(super) fn tokenize(&self, texts: &[&str]) -> Vec<Vec<i64>> {
        self.tokenizer
            .encode_list(texts, self.max_length, &TruncationStrategy::LongestFirst, 0)
            .into_iter()
            .map(|t| t.token_ids)
            .collect()
    }

    fn norm(&self, x: &Tensor, weight: &Tensor, bias: &Tensor) -> Tensor {
        x.layer_norm([self.hidden], Some(weight), Some(bias), self.norm_epsilon, false)
    }

    /// One unit vector (or pooled vector, for models without normalisation) per token
    /// sequence; sequences are padded to the longest of the batch.
    pub(super) fn forward(&self, batch: &[Vec<i64>]) -> Result<Vec<Vec<f32>>, tch::TchError> {
        let length = batch.iter().map(Vec::len).max().unwrap_or(0);
        if length == 0 {
            return Ok(vec![Vec::new(); batch.len()]);
        }
        let (b, l) = (batch.len() as i64, length as i64);
        let mut ids = Vec::with_capacity(batch.len() * length);
        let mut mask = Vec::with_capacity(batch.len() * length);
        for sequence in batch {
            ids.extend_from_slice(sequence);
            ids.extend(std::iter::repeat_n(self.pad_id, length - sequence.len()));
            mask.extend(std::iter::repeat_n(1.0f32, sequence.len()));
            mask.extend(std::iter::repeat_n(0.0f32, length - sequence.len()));
        }
        let _guard = tch::no_grad_guard();
        let ids = Tensor::f_from_slice(&ids)?.view([b, l]);
        let mask = Tensor::f_from_slice(&mask)?.view([b, l]);
        // Padding keys take no part in attention. (tch passes a missing mask as an undefined
        // tensor, which libtorch 2.4's attention refuses, so there is always one.)
        let attention_mask = mask.view([b, 1, 1, l]).to_kind(Kind::Bool);
        let positions = self.position_embeddings.narrow(0, 0, l);
        let x = Tensor::f_embedding(&self.word_embeddings, &ids, -1, false, false)?
            + positions
            + &self.token_type_embedding;
        let mut x = self.norm(&x, &self.embedding_norm_weight, &self.embedding_norm_bias);
        let head_size = self.hidden / self.heads;
        for layer in &self.layers {
            let qkv = x.linear(&layer.qkv_weight, Some(&layer.qkv_bias)).view([b, l, 3, self.heads, head_size]);
            let qkv = qkv.permute([2, 0, 3, 1, 4]);
            let (q, k, v) = (qkv.get(0), qkv.get(1), qkv.get(2));
            let context = Tensor::f_scaled_dot_product_attention(&q, &k, &v, Some(&attention_mask), 0.0, false, None)?;
            let context = context.transpose(1, 2).reshape([b, l, self.hidden]);
            let attended = context.linear(&layer.attention_out_weight, Some(&layer.attention_out_bias)) + &x;
            x = self.norm(&attended, &layer.attention_norm_weight, &layer.attention_norm_bias);
            let inner = x.linear(&layer.up_weight, Some(&layer.up_bias)).gelu("none");
            let output = inner.linear(&layer.down_weight, Some(&layer.down_bias)) + &x;
            x = self.norm(&output, &layer.output_norm_weight, &layer.output_norm_bias);
        }
        let weights = mask.unsqueeze(-1);
        let summed = (x * &weights).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
        let counts = weights.sum_dim_intlist([1i64].as_slice(), false, Kind::Float).clamp_min(1e-9);
        let mut pooled = summed / counts;
        if self.normalize {
            let norm = pooled.norm_scalaropt_dim(2, [1i64].as_slice(), true).clamp_min(1e-12);
            pooled /= norm;
        }
        Vec::<Vec<f32>>::try_from(pooled)
    }
}
