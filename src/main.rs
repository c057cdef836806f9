//! The `quotewire` binary: parse arguments, call the library, print the error chain, exit.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: the daemon runs for months with many threads
/// allocating per page, and glibc's per-thread arenas keep freed memory resident (measured
/// by the soak bench, see CONTRIBUTING.md); mimalloc returns it and is faster on the
/// allocation-heavy parse and analysis paths.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
