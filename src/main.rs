//! The `quotewire` binary: parse arguments, call the library, print the error chain, exit.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = quotewire::cli::Cli::parse();
    if !cli.is_service() {
        quotewire::cli::restore_sigpipe();
    }
    match quotewire::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            quotewire::cli::exit_code(&error)
        }
    }
}
