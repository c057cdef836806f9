//! `quotewire train-stance-embedding`: train the embedding stance classifier
//! (`nlp::stance::embedding`) on the stance corpus's train split and print it beside the
//! analyzer's own stances, by item-fold cross-validation on the train split and once on the
//! fixed test split. Needs a build with the `transformers` feature (the statements are
//! embedded with the sentence-embedding model).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::embed;
use crate::nlp::stance::corpus;
use crate::nlp::stance::embedding::{self, Comparison, EMBEDDING_STANCE_MODEL, EmbeddingTrainConfig};

#[derive(Debug, Args)]
pub struct TrainStanceEmbeddingArgs {
    /// Directory of the corpus's `*.jsonl` files.
    #[arg(long, default_value = "tests/fixtures/stance/corpus")]
    pub corpus: PathBuf,
    /// Where to write the classifier.
    #[arg(long, default_value = EMBEDDING_STANCE_MODEL)]
    pub out: PathBuf,
    /// Item folds of the train split (out-of-fold decisions and the cross-validation).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Sentence-embedding model directory (default: `$QUOTEWIRE_EMBEDDING_MODEL`, else the
    /// directory `.ci/setup-transformers.sh` fills).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// libtorch threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Full-batch training steps.
    #[arg(long)]
    pub steps: Option<usize>,
    /// L2 penalty on the weights.
    #[arg(long)]
    pub l2: Option<f32>,
    /// Adam's step size.
    #[arg(long)]
    pub learning_rate: Option<f32>,
    /// Factor on the embedding's values.
    #[arg(long)]
    pub embedding_scale: Option<f32>,
    /// Factor on the analyzer's one-hot decision (0: the embedding alone).
    #[arg(long)]
    pub decision_scale: Option<f32>,
    /// Also score the fixed test split (leave it off while choosing settings).
    #[arg(long)]
    pub test: bool,
}

fn print_comparison(title: &str, comparison: &Comparison) {
    println!("{title}, rules only (the analyzer's stance):\n{}", comparison.rules);
    println!("{title}, with the embedding classifier:\n{}", comparison.embedding);
}

pub fn train(args: TrainStanceEmbeddingArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let items = corpus::read_corpus(&args.corpus)?;
    let dir = embed::model_dir(args.model.as_deref(), std::path::Path::new(embed::DEFAULT_MODEL_DIR));
    let embedder = embed::load_embedder(&dir, args.threads, embed::DEFAULT_BATCH_SIZE)?;
    let defaults = EmbeddingTrainConfig::default();
    let config = EmbeddingTrainConfig {
        steps: args.steps.unwrap_or(defaults.steps),
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        l2: args.l2.unwrap_or(defaults.l2),
        embedding_scale: args.embedding_scale.unwrap_or(defaults.embedding_scale),
        decision_scale: args.decision_scale.unwrap_or(defaults.decision_scale),
    };
    let run = embedding::train_and_evaluate(&items, embedder.as_ref(), args.folds, &config)?;
    print_comparison(&format!("{} item folds of the train split", args.folds), &run.cross_validation);
    if args.test {
        print_comparison("test split", &run.test);
    }
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, run.model.to_bytes())?;
    println!(
        "learnt from {} train statements; wrote {} in {:.1} s",
        run.examples,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
