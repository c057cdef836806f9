//! `quotewire train-ner` and `quotewire eval-ner`: retrain and score the shipped entity tagger.
//!
//! The training data is read from a path given on the command line (the development kit's
//! `datasets/ner-train/`); nothing is downloaded and nothing of it is copied into the project.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::nlp::ner::{self, NerModel, TrainConfig};

#[derive(Debug, Args)]
pub struct TrainNerArgs {
    /// Directory with `<source>.train.conll.gz` (and `.dev.` files for the report).
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "config/models/ner-en.bin")]
    pub out: PathBuf,
    /// Passes over the training data.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Seed of the deterministic document shuffle.
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct EvalNerArgs {
    /// Directory with `<source>.dev.conll.gz`.
    #[arg(long)]
    pub data: PathBuf,
    /// A model file (default: the shipped model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Also write gold and predicted CoNLL files per source here, for `score_ner.py`.
    #[arg(long)]
    pub predictions: Option<PathBuf>,
}

pub fn train(args: TrainNerArgs) -> anyhow::Result<ExitCode> {
    let defaults = TrainConfig::default();
    let config = TrainConfig {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        seed: args.seed.unwrap_or(defaults.seed),
        ..defaults
    };
    let started = std::time::Instant::now();
    let (model, report) = ner::train(&args.data, &config)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, model.to_bytes())?;
    println!("{report}");
    println!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
    if args.data.read_dir()?.flatten().any(|e| e.file_name().to_string_lossy().contains(".dev.")) {
        println!("{}", ner::evaluate(&model, &args.data)?);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn eval(args: EvalNerArgs) -> anyhow::Result<ExitCode> {
    let owned;
    let model = match &args.model {
        Some(path) => {
            owned = NerModel::from_bytes(&std::fs::read(path)?)?;
            &owned
        }
        None => NerModel::shipped()?,
    };
    println!("{}", ner::evaluate(model, &args.data)?);
    if let Some(dir) = &args.predictions {
        for path in ner::write_dev_predictions(model, &args.data, dir)? {
            println!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
