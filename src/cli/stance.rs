//! `quotewire train-stance` and `quotewire eval-stance`: retrain the shipped stance model on
//! the project's stance corpus (`tests/fixtures/stance/corpus/`, original text written for
//! the project) and score the analyzer's stances on its fixed train or test split.
//!
//! Training reads the train split only; `--folds N` first estimates how the model does on
//! topics it has not seen (N models, each trained without a group of topics and scored on
//! them).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::nlp::Analyzer;
use crate::nlp::stance::corpus::{self, FoldBy, Part, StanceReport};
use crate::nlp::stance::{StanceModel, TrainConfig, train_on};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartArg {
    /// The items the model trains on (about 75%).
    Train,
    /// The fixed held-out items (about 25%).
    Test,
    All,
}

impl From<PartArg> for Part {
    fn from(p: PartArg) -> Part {
        match p {
            PartArg::Train => Part::Train,
            PartArg::Test => Part::Test,
            PartArg::All => Part::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FoldArg {
    Topic,
    Item,
}

#[derive(Debug, Args)]
pub struct TrainStanceArgs {
    /// Directory of the corpus's `*.jsonl` files.
    #[arg(long, default_value = "tests/fixtures/stance/corpus")]
    pub corpus: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "config/models/stance-en.bin")]
    pub out: PathBuf,
    /// Passes over the training statements.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Seed of the deterministic shuffle.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Also estimate accuracy on unseen topics with this many topic folds of the train split.
    #[arg(long)]
    pub folds: Option<usize>,
    /// Fold by whole topics (unseen topics) or by items (unseen items, as the test split).
    #[arg(long, value_enum, default_value_t = FoldArg::Topic)]
    pub fold_by: FoldArg,
    /// Print each statement a fold model gets wrong.
    #[arg(long)]
    pub show_errors: bool,
    /// Leave these topics (comma-separated) out of training, to study errors on them.
    #[arg(long, value_delimiter = ',')]
    pub skip_topics: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EvalStanceArgs {
    /// Directory of the corpus's `*.jsonl` files.
    #[arg(long, default_value = "tests/fixtures/stance/corpus")]
    pub corpus: PathBuf,
    #[arg(long, value_enum, default_value_t = PartArg::Test)]
    pub part: PartArg,
    /// A model file (default: the shipped model).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Only these topics (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub topics: Vec<String>,
    /// Also print each statement whose stance is wrong or that no quote found.
    #[arg(long)]
    pub show_errors: bool,
    /// Score a one-statement-per-line stance set instead (tests/fixtures/stance/statements.jsonl).
    #[arg(long)]
    pub statements: Option<PathBuf>,
}

pub fn train(args: TrainStanceArgs) -> anyhow::Result<ExitCode> {
    let items = corpus::read_corpus(&args.corpus)?;
    let defaults = TrainConfig::default();
    let config = TrainConfig {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        seed: args.seed.unwrap_or(defaults.seed),
        ..defaults
    };
    let started = std::time::Instant::now();
    if let Some(folds) = args.folds.filter(|&f| f > 1) {
        let groups = corpus::folds(
            &items,
            Part::Train,
            folds,
            match args.fold_by {
                FoldArg::Topic => FoldBy::Topic,
                FoldArg::Item => FoldBy::Item,
            },
        );
        let mut total = StanceReport::default();
        for (i, held) in groups.iter().enumerate() {
            let rest = groups.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, g)| g.iter().copied());
            let (model, _) = train_on(&Analyzer::new(), rest, &config);
            let analyzer = Analyzer::new().with_stance_model(model);
            if args.show_errors {
                for error in corpus::errors(&analyzer, held.iter().copied()) {
                    println!("{error}");
                }
            }
            let report = corpus::evaluate(&analyzer, held.iter().copied());
            println!("fold {}: accuracy {:.3} over {} found statements", i + 1, report.accuracy(), report.found);
            total.merge(&report);
        }
        println!("estimate over {folds} folds ({:?}) of the train split:\n{total}", args.fold_by);
    }
    let training = items.iter().filter(|i| Part::Train.keeps(&i.id) && !args.skip_topics.contains(&i.topic));
    let (model, report) = train_on(&Analyzer::new(), training, &config);
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, model.to_bytes())?;
    println!("{report}");
    println!("wrote {} in {:.1} s", args.out.display(), started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

pub fn eval(args: EvalStanceArgs) -> anyhow::Result<ExitCode> {
    let part = Part::from(args.part);
    let analyzer = match &args.model {
        Some(path) => Analyzer::new().with_stance_model(StanceModel::from_bytes(&std::fs::read(path)?)?),
        None => Analyzer::new(),
    };
    if let Some(path) = &args.statements {
        let lines = std::fs::read_to_string(path)?;
        let (report, found, targets) = corpus::evaluate_statement_lines(&analyzer, &lines)?;
        println!("{report}targets found {found}/{targets}");
        return Ok(ExitCode::SUCCESS);
    }
    let items = corpus::read_corpus(&args.corpus)?;
    let chosen =
        items.iter().filter(|i| part.keeps(&i.id) && (args.topics.is_empty() || args.topics.contains(&i.topic)));
    let chosen: Vec<_> = chosen.collect();
    if args.show_errors {
        for error in corpus::errors(&analyzer, chosen.iter().copied()) {
            println!("{error}");
        }
    }
    let report = corpus::evaluate(&analyzer, chosen);
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
