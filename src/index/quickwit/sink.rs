//! The Quickwit sink: the embedded index's documents as NDJSON, sent in batches of at most
//! `max_batch_bytes`, with a checkpoint of the store sequence Quickwit acknowledged.
//!
//! An article's documents are built exactly as for the embedded index (`writer::Builder`),
//! then written as JSON with the article version's store sequence and content hash
//! ([`super::VERSION_FIELDS`]). A batch is sent before the article whose documents would
//! overflow it (an article larger than a batch is split between documents, never inside
//! one); one document larger than a batch can be is recorded as skipped (with its id and
//! size) and logged, never sent. After each acknowledged batch the checkpoint advances to
//! the last article whose documents were all acknowledged, so a restart resends nothing
//! acknowledged (except the start of an article too large for one batch, which readers
//! collapse as the same version). Statement clusters and report numbers cover the documents this sink built
//! (Quickwit cannot be asked for the clusters it holds).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::schema::{Schema, TantivyDocument, Value};
use tantivy::tokenizer::TextAnalyzer;

use super::super::schema::{self, Fields};
use super::super::statements::{MAX_SESSION_REPORTS, StatementClusters};
use super::super::writer::{Builder, Sequence};
use super::super::{IndexError, IndexSink, analysis};
use super::client::QuickwitClient;
use super::mapping::{STORE_SEQ_FIELD, VERSION_FIELD};
use super::{MAX_INGEST_BYTES, QuickwitConfig, QuickwitError};
use crate::metrics;
use crate::model::ArticleRecord;

/// What Quickwit acknowledged, kept in a small JSON file beside the data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub index_id: String,
    /// Every article up to this store sequence is acknowledged.
    pub through: u64,
    /// Documents Quickwit acknowledged in all.
    pub acknowledged_docs: u64,
    /// Ingest requests acknowledged in all.
    pub batches: u64,
    /// The highest report number (`seq`) given so far.
    pub last_report: u64,
}

impl Checkpoint {
    /// The checkpoint at `path` for `index_id`; none (or one for another index) starts at 0.
    pub fn load(path: &Path, index_id: &str) -> Result<Checkpoint, QuickwitError> {
        let fresh = Checkpoint { index_id: index_id.to_string(), ..Checkpoint::default() };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(fresh),
            Err(e) => return Err(checkpoint_error(path, e.to_string())),
        };
        let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(|e| checkpoint_error(path, e.to_string()))?;
        if checkpoint.index_id != index_id {
            tracing::warn!(path = %path.display(), "the Quickwit checkpoint is for index `{}`, not `{index_id}`: starting from the beginning", checkpoint.index_id);
            return Ok(fresh);
        }
        Ok(checkpoint)
    }

    /// Writes the checkpoint so that a crash leaves the old file or the new one.
    pub fn save(&self, path: &Path) -> Result<(), QuickwitError> {
        let fail = |e: std::io::Error| checkpoint_error(path, e.to_string());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&temporary, json + "\n").map_err(fail)?;
        std::fs::rename(&temporary, path).map_err(fail)
    }
}

fn checkpoint_error(path: &Path, message: String) -> QuickwitError {
    QuickwitError::Checkpoint { path: path.to_path_buf(), message }
}

/// A document that was not sent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDocument {
    pub id: String,
    pub bytes: usize,
    pub reason: String,
}

/// What the sink did, readable while it runs and after the indexer has dropped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkStats {
    pub checkpoint: Checkpoint,
    /// Documents sent in this session (acknowledged).
    pub sent_docs: u64,
    /// Documents Quickwit reported as rejected by its doc mapping.
    pub rejected_docs: u64,
    pub skipped: Vec<SkippedDocument>,
}

/// The Quickwit implementation of [`IndexSink`].
pub struct QuickwitSink {
    client: QuickwitClient,
    config: QuickwitConfig,
    schema: Schema,
    fields: Fields,
    /// Whether each field (by field id) may hold several values: JSON arrays in Quickwit.
    multi: Vec<bool>,
    statements: StatementClusters,
    keyword: TextAnalyzer,
    sequence: Sequence,
    pending: Vec<u8>,
    pending_docs: u64,
    /// The last article whose documents are all pending or acknowledged.
    complete_through: u64,
    stats: Arc<Mutex<SinkStats>>,
}

impl QuickwitSink {
    /// A sink resuming from the checkpoint in `config` (nothing is sent until articles come).
    pub fn open(config: QuickwitConfig) -> Result<QuickwitSink, QuickwitError> {
        let checkpoint = Checkpoint::load(&config.checkpoint, &config.index_id)?;
        let client = QuickwitClient::new(&config.base_url, config.retry, config.timeout)?;
        let schema = schema::build();
        // The schema was just built from the field table, so every field exists.
        let fields = Fields::new(&schema).unwrap_or_else(|e| unreachable!("{e}"));
        let config = QuickwitConfig { max_batch_bytes: config.max_batch_bytes.min(MAX_INGEST_BYTES), ..config };
        let multi = schema
            .fields()
            .map(|(_, entry)| schema::FIELDS.iter().any(|spec| spec.name == entry.name() && spec.multi))
            .collect();
        Ok(QuickwitSink {
            client,
            schema,
            fields,
            multi,
            statements: StatementClusters::new(None),
            keyword: analysis::keyword_analyzer(),
            sequence: Sequence::starting_after(checkpoint.last_report),
            pending: Vec::new(),
            pending_docs: 0,
            complete_through: checkpoint.through,
            stats: Arc::new(Mutex::new(SinkStats { checkpoint, ..SinkStats::default() })),
            config,
        })
    }

    /// The store sequence Quickwit acknowledged everything up to: where the indexer resumes.
    pub fn acknowledged_through(&self) -> u64 {
        self.lock_stats().checkpoint.through
    }

    /// A handle on the sink's figures (shared, so it outlives the sink).
    pub fn stats(&self) -> Arc<Mutex<SinkStats>> {
        Arc::clone(&self.stats)
    }

    /// Where the checkpoint is kept.
    pub fn checkpoint_path(&self) -> &PathBuf {
        &self.config.checkpoint
    }

    fn lock_stats(&self) -> std::sync::MutexGuard<'_, SinkStats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One document as a JSON line (without the newline).
    fn json_line(&self, doc: &TantivyDocument, sequence: u64, content_hash: &str) -> (String, Vec<u8>) {
        let mut object = serde_json::Map::new();
        let mut id = String::new();
        for (field, value) in doc.field_values() {
            let name = self.schema.get_field_name(field);
            let json = if let Some(text) = value.as_str() {
                if field == self.fields.id {
                    id = text.to_string();
                }
                serde_json::Value::from(text)
            } else if let Some(number) = value.as_u64() {
                serde_json::Value::from(number)
            } else if let Some(date) = value.as_datetime() {
                let seconds = date.into_timestamp_secs();
                let time = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default();
                serde_json::Value::from(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            } else {
                continue;
            };
            let multi = self.multi[field.field_id() as usize];
            match object.get_mut(name) {
                Some(serde_json::Value::Array(values)) => values.push(json),
                Some(_) => {}
                None if multi => {
                    object.insert(name.to_string(), serde_json::Value::Array(vec![json]));
                }
                None => {
                    object.insert(name.to_string(), json);
                }
            }
        }
        object.insert(STORE_SEQ_FIELD.to_string(), sequence.into());
        object.insert(VERSION_FIELD.to_string(), content_hash.into());
        (id, serde_json::to_vec(&object).unwrap_or_default())
    }

    /// Sends the pending batch; on acknowledgement the checkpoint advances.
    fn send(&mut self) -> Result<(), QuickwitError> {
        if self.pending.is_empty() {
            return self.save_through(self.complete_through);
        }
        let body = std::mem::take(&mut self.pending);
        let lines = std::mem::take(&mut self.pending_docs);
        let ack = self.client.ingest(&self.config.index_id, self.config.commit, body, lines)?;
        {
            let mut stats = self.lock_stats();
            stats.sent_docs += lines;
            stats.rejected_docs += ack.rejected;
            stats.checkpoint.acknowledged_docs += ack.docs;
            stats.checkpoint.batches += 1;
        }
        if ack.rejected > 0 {
            metrics::ERRORS.inc(&["index"]);
            tracing::error!(index = %self.config.index_id, rejected = ack.rejected, "Quickwit rejected documents its doc mapping does not fit: regenerate the index config with `quotewire quickwit config`");
        }
        self.save_through(self.complete_through)
    }

    fn save_through(&mut self, through: u64) -> Result<(), QuickwitError> {
        let last_report = self.sequence.last();
        let mut stats = self.lock_stats();
        stats.checkpoint.through = stats.checkpoint.through.max(through);
        stats.checkpoint.last_report = last_report;
        stats.checkpoint.save(&self.config.checkpoint)
    }
}

impl IndexSink for QuickwitSink {
    /// Without a store sequence, the version is ordered with the last sequence given.
    fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError> {
        self.upsert_at(self.complete_through, article)
    }

    fn upsert_at(&mut self, sequence: u64, article: &ArticleRecord) -> Result<(), IndexError> {
        let docs = Builder {
            f: &self.fields,
            statements: &mut self.statements,
            keyword: &mut self.keyword,
            sequence: &mut self.sequence,
        }
        .documents(article);
        let mut lines = Vec::with_capacity(docs.len());
        for doc in docs {
            let (id, line) = self.json_line(&doc, sequence, &article.content_hash);
            if line.len() + 1 > self.config.max_batch_bytes {
                metrics::ERRORS.inc(&["index"]);
                let reason = format!(
                    "{} bytes as JSON, more than one ingest request may carry ({} bytes)",
                    line.len() + 1,
                    self.config.max_batch_bytes
                );
                tracing::error!(document = %id, url = %article.url, "not sent to Quickwit: {reason}");
                self.lock_stats().skipped.push(SkippedDocument { id, bytes: line.len() + 1, reason });
                continue;
            }
            lines.push(line);
        }
        // An article's documents go in one request when they fit in one, so an acknowledged
        // request never holds part of an article and a restart resends nothing acknowledged.
        let article_bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
        if article_bytes <= self.config.max_batch_bytes
            && self.pending.len() + article_bytes > self.config.max_batch_bytes
        {
            self.send()?;
        }
        for line in lines {
            if self.pending.len() + line.len() + 1 > self.config.max_batch_bytes {
                self.send()?;
            }
            self.pending.extend_from_slice(&line);
            self.pending.push(b'\n');
            self.pending_docs += 1;
        }
        self.complete_through = self.complete_through.max(sequence);
        Ok(())
    }

    fn commit(&mut self) -> Result<(), IndexError> {
        self.send()?;
        if self.statements.session_reports() > MAX_SESSION_REPORTS {
            // Quickwit cannot be asked for its clusters: later reports start new ones.
            self.statements = StatementClusters::new(None);
        }
        Ok(())
    }

    fn commit_through(&mut self, sequence: u64) -> Result<(), IndexError> {
        self.complete_through = self.complete_through.max(sequence);
        self.commit()
    }

    /// Quickwit keeps what it was sent: clearing starts the checkpoint over, so everything
    /// is sent again as newer versions (readers keep the newest).
    fn clear(&mut self) -> Result<(), IndexError> {
        self.pending.clear();
        self.pending_docs = 0;
        self.complete_through = 0;
        let mut stats = self.lock_stats();
        stats.checkpoint.through = 0;
        stats.checkpoint.save(&self.config.checkpoint)?;
        Ok(())
    }
}
