//! Entities from a token-classification (NER) model run by rust-bert (feature
//! `transformers`), for users who supply a local model directory (`config.json` with
//! `id2label`, `vocab.txt`, `model.safetensors` or `rust_model.ot`). It plugs into the
//! analyser as an [`EntityTagger`]: words in, labelled word ranges out.

use std::path::Path;
use std::sync::Mutex;

use rust_bert::pipelines::common::{ModelResource, ModelType};
use rust_bert::pipelines::token_classification::{
    LabelAggregationOption, TokenClassificationConfig, TokenClassificationModel,
};
use rust_bert::resources::LocalResource;
use tch::Device;

use super::bert::{model_type, set_threads, weights};
use super::{EmbedError, EntitySpan, bio_spans, join_words, required_file, word_at};
use crate::model::EntityLabel;
use crate::nlp::{EntityTagger, Token};

/// Sentences per forward pass of the tagger.
const TAGGER_BATCH_SIZE: usize = 16;

/// A transformer NER model as an [`EntityTagger`].
pub struct TransformerTagger {
    model: Mutex<TokenClassificationModel>,
}

impl TransformerTagger {
    /// Loads the token-classification model in `dir` (`threads` intra-op threads, 0: one per core).
    pub fn load(dir: &Path, threads: usize) -> Result<TransformerTagger, EmbedError> {
        let model_type = model_type(dir)?;
        if !matches!(model_type, ModelType::Bert | ModelType::DistilBert) {
            return Err(EmbedError::Load {
                dir: dir.to_path_buf(),
                message: "token classification supports bert and distilbert models (WordPiece vocab.txt)".into(),
            });
        }
        let lower_case = tokenizer_lower_case(dir);
        let config = TokenClassificationConfig {
            model_type,
            model_resource: ModelResource::Torch(Box::new(LocalResource::from(weights(dir)?))),
            config_resource: Box::new(LocalResource::from(required_file(dir, "config.json")?)),
            vocab_resource: Box::new(LocalResource::from(required_file(dir, "vocab.txt")?)),
            merges_resource: None,
            lower_case,
            strip_accents: None,
            add_prefix_space: None,
            device: Device::Cpu,
            kind: None,
            label_aggregation_function: LabelAggregationOption::First,
            batch_size: TAGGER_BATCH_SIZE,
        };
        set_threads(threads);
        let model = TokenClassificationModel::new(config)
            .map_err(|e| EmbedError::Load { dir: dir.to_path_buf(), message: e.to_string() })?;
        Ok(TransformerTagger { model: Mutex::new(model) })
    }
}

/// `do_lower_case` from `tokenizer_config.json` (false when absent: NER models are cased).
fn tokenizer_lower_case(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("tokenizer_config.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|j| j.get("do_lower_case").and_then(|v| v.as_bool()))
        .unwrap_or(false)
}

impl TransformerTagger {
    fn tag_sentences(&self, sentences: &[Vec<&str>]) -> Vec<Vec<EntitySpan>> {
        let joined: Vec<(String, Vec<usize>)> = sentences.iter().map(|words| join_words(words)).collect();
        let inputs: Vec<&str> = joined.iter().map(|(text, _)| text.as_str()).collect();
        let model = self.model.lock().unwrap_or_else(|p| p.into_inner());
        let predictions = model.predict(&inputs, true, false);
        predictions
            .into_iter()
            .zip(&joined)
            .zip(sentences)
            .map(|((tokens, (_, starts)), words)| {
                // The first model token in a word labels the word.
                let mut labels = vec![None; words.len()];
                for token in tokens {
                    if let Some(offset) = token.offset {
                        let word = word_at(starts, offset.begin as usize);
                        if let Some(slot) = labels.get_mut(word)
                            && slot.is_none()
                        {
                            *slot = Some(token.label);
                        }
                    }
                }
                let labels: Vec<&str> = labels.iter().map(|l| l.as_deref().unwrap_or("O")).collect();
                bio_spans(&labels)
            })
            .collect()
    }
}

impl EntityTagger for TransformerTagger {
    fn tag(&self, tokens: &[Token<'_>]) -> Vec<(std::ops::Range<usize>, EntityLabel)> {
        let words: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        self.tag_sentences(&[words]).pop().unwrap_or_default()
    }

    fn tag_document(&self, sentences: &[&[Token<'_>]]) -> Vec<Vec<(std::ops::Range<usize>, EntityLabel)>> {
        let words: Vec<Vec<&str>> = sentences.iter().map(|s| s.iter().map(|t| t.text).collect()).collect();
        self.tag_sentences(&words)
    }
}
