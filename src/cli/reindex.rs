//! `quotewire reindex`: rebuild the search index from the store, without fetching.

use std::process::ExitCode;

use super::DataDir;
use crate::config::Config;
use crate::index::{IndexSink, SearchIndex};
use crate::store::DocumentStore;

pub fn run(config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    let store = data.open_store()?;
    let path = data.index_path();
    let index = match SearchIndex::open_or_create(&path) {
        Ok(index) => index,
        Err(crate::index::IndexError::Version { .. }) => {
            // An index from another schema version is rebuilt from scratch.
            std::fs::remove_dir_all(&path)?;
            SearchIndex::open_or_create(&path)?
        }
        Err(e) => return Err(e.into()),
    };
    let mut sink = index.writer(config.index.writer_memory_bytes)?;
    sink.clear()?;
    // Stored statement vectors merge paraphrased reports into one statement cluster.
    let model = crate::embed::model_name(&crate::embed::model_dir(None, &config.embed.model_dir));
    let vectors = store.embedding_counts(&model)?.vectors;
    if vectors > 0 {
        let lookup = data.open_store()?;
        sink.set_statement_vectors(Box::new(move |id| lookup.quote_vector(id, &model).ok().flatten()));
    }
    let articles = store.articles()?;
    let mut quotes = 0;
    for article in &articles {
        sink.upsert_article(article)?;
        quotes += article.quotes.len();
    }
    sink.commit()?;
    let paraphrases =
        if vectors > 0 { format!(" (paraphrases compared: {vectors} statement vectors)") } else { String::new() };
    println!("reindexed {} articles, {quotes} quotes{paraphrases}", articles.len());
    Ok(ExitCode::SUCCESS)
}
