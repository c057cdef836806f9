//! `quotewire demo`: the offline tour. Serves the bundled corpus on loopback, ingests it
//! through the real fetcher (twice, to show the second run is incremental), then runs
//! sample searches.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use std::sync::Arc;

use super::ingest::open_workspace;
use super::progress::ProgressReporter;
use super::search::{header, render};
use super::{DataDir, UsageError, run_status};
use crate::config::{Config, Pipeline};
use crate::demo::{FixtureServer, default_corpus_dir};
use crate::index::{DocType, SearchRequest};
use crate::pipeline::{RunControl, RunOptions, RunStats, Workspace};

/// Searches the tour shows, with what each demonstrates.
const SAMPLE_SEARCHES: &[(&str, &str)] = &[
    ("speaker:huawei AND stance:deny", "Huawei's denials"),
    ("stance:decline", "who declined to comment"),
    ("speaker_kind:anonymous", "anonymous sources"),
    ("stance:warn AND \"security\"", "warnings about security"),
    ("kind:transcript", "statements from briefing transcripts"),
    ("language:fr", "French-language coverage"),
];

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The sample corpus (default: tests/fixtures/sites of this repository).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// The demo pipeline file.
    #[arg(long, default_value = "pipelines/demo.toml")]
    pub pipeline: PathBuf,
}

pub async fn run(args: DemoArgs, config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    let corpus = args.corpus.unwrap_or_else(default_corpus_dir);
    let server = FixtureServer::start(&corpus).await?;
    println!("serving the sample corpus on loopback:");
    for (site, origin) in server.origins() {
        println!("  {site:<18} {origin}");
    }
    let pipeline_path = if args.pipeline.exists() {
        args.pipeline.clone()
    } else {
        let project = std::env::current_exe().ok().as_deref().and_then(crate::config::project_of);
        project.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join(&args.pipeline)
    };
    let pipeline = Pipeline::load_with_vars(&pipeline_path, config, &|name| server.variable(name))
        .map_err(|e| UsageError(e.to_string()))?;
    // Ports change from one demo to the next, so the demo owns a fresh data directory.
    let demo_dir = DataDir::new(data.root.join("demo"));
    if demo_dir.root.exists() {
        std::fs::remove_dir_all(&demo_dir.root)?;
    }
    let workspace = open_workspace(&demo_dir, None, "demo", config)?;
    let control = crate::schedule::on_signals(config.run.shutdown_grace);
    println!("\nfirst run: everything is new");
    let first = demo_run(&workspace, &pipeline, &control).await?;
    println!("\nsecond run: incremental (conditional GETs, nothing new)");
    demo_run(&workspace, &pipeline, &control).await?;
    workspace.close()?;
    let disallowed: Vec<String> =
        server.requests().iter().filter(|r| r.path.starts_with("/private/")).map(|r| r.path.clone()).collect();
    println!("robots.txt: {} request(s) to disallowed paths", disallowed.len());

    let index = demo_dir.open_index()?;
    for (query, what) in SAMPLE_SEARCHES {
        let results = index.search(&SearchRequest::new(query, Some(DocType::Quote), 3))?;
        println!("\n== {what}: quotewire search '{query}' --type quote");
        println!("{}", header(&results, query));
        for hit in &results.hits {
            print!("{}", render(hit, false));
        }
    }
    let root = demo_dir.root.display();
    println!(
        "\nexplore further: quotewire --data-dir {root} search 'QUERY'  |  quotewire --data-dir {root} speaker Huawei\n\
         \x20                quotewire --data-dir {root} timeline 'speaker:huawei' --by year  |  quotewire --data-dir {root} serve\n\
         (the loopback URLs above close with the demo; `serve` links every hit to its stored copy)"
    );
    Ok(run_status(first.failed))
}

async fn demo_run(workspace: &Workspace, pipeline: &Pipeline, control: &RunControl) -> anyhow::Result<RunStats> {
    let progress = Arc::new(ProgressReporter::new(&pipeline.name, false));
    let stats = workspace.run(pipeline, progress.clone(), control, RunOptions::default()).await;
    progress.finish();
    let stats = stats?;
    println!("{}: {}", pipeline.name, stats.summary());
    Ok(stats)
}
