//! `strata`: parses the command line and hands it to [`strata::cli::run`].

use std::process::ExitCode;

use clap::Parser;

/// jemalloc instead of glibc's malloc: with many threads (tokio workers, the blocking pool,
/// the index writer's threads) glibc keeps one arena per thread and does not give freed memory
/// back; the hostile-input test measured 190 MiB of such anonymous memory with glibc and
/// 68 MiB with its arenas capped, and the server must stay small under load (invariant 6).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = strata::cli::Cli::parse();
    match strata::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strata: {e}");
            ExitCode::FAILURE
        }
    }
}
