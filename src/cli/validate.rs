//! `quotewire validate`: check pipeline and config files, reporting every error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::config::{Config, Pipeline};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Pipeline files, or configuration files (any `.toml` directly under a `config/`
    /// directory, such as `config/default.toml`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

fn is_config_file(path: &std::path::Path) -> bool {
    path.parent().and_then(|p| p.file_name()).is_some_and(|dir| dir == "config")
}

pub fn run(args: ValidateArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let mut bad = 0;
    for file in &args.files {
        let result = if is_config_file(file) {
            Config::load(Some(file)).map(|_| "configuration".to_string())
        } else {
            Pipeline::load(file, config).map(|p| format!("pipeline `{}` with {} source(s)", p.name, p.sources.len()))
        };
        match result {
            Ok(what) => println!("ok: {} ({what})", file.display()),
            Err(e) => {
                bad += 1;
                eprintln!("error: {e}");
            }
        }
    }
    Ok(if bad == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
