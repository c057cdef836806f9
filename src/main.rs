//! The `quotewire` binary: parse arguments, call the library, print the error chain, exit.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: the daemon runs for months with many threads
/// allocating per page, and glibc's per-thread arenas keep freed memory resident (measured
/// by the soak bench, see CONTRIBUTING.md); mimalloc returns it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, mimalloc v3's
/// `mimalloc.h`; the sys crate names no constant for it): how long freed pages stay
/// resident. The default, 1,000 ms in v3's `options.c`, lets a burst of large transient
/// buffers (a streamed 100 MB body read in 64 KiB chunks) pile up; 0 returns them at once.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn return_freed_memory_at_once() {
    // SAFETY: sets a plain integer option; mimalloc reads it when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    return_freed_memory_at_once();
    let cli = quotewire::cli::Cli::parse_with_sources();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_with_a_one_second_default() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an integer option.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
        return_freed_memory_at_once();
        // SAFETY: as above.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 0);
    }
}
