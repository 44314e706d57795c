//! The `resplite` command: `resplite serve` runs the server; `resplite import` and
//! `resplite tracker` migrate a live Redis into a resplite database; `resplite check`
//! checks a database file against the storage invariants.

mod check;
mod import;
mod migration_report;
mod progress;
mod serve;
mod tracker;

use std::process::ExitCode;

use anyhow::Result;

/// mimalloc instead of the system allocator: the server allocates on its I/O threads and
/// frees on the writer and reader threads (and back), which glibc's per-thread arenas turn
/// into lock contention (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Parser, Subcommand};

/// A Redis-compatible server whose keyspace lives in SQLite.
#[derive(Parser)]
#[command(name = "resplite", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Redis protocol from a SQLite database file.
    Serve(serve::ServeArgs),
    /// Migrate a live Redis into a resplite database (see docs/migration.md).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Record the keys a live Redis changes during a migration.
    #[command(subcommand)]
    Tracker(tracker::TrackerCommand),
    /// Check a database file against the storage invariants.
    ///
    /// SQLite's integrity check, then resplite's own rules: collection lengths against their
    /// elements, no element without its key, key counts, list positions, element hashes.
    /// Prints one line per problem and exits with 1 when something is broken.
    Check(check::CheckArgs),
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args).map(|()| ExitCode::SUCCESS),
        Command::Import(command) => {
            init_migration_logging();
            import::run(command).map(|()| ExitCode::SUCCESS)
        }
        Command::Tracker(command) => {
            init_migration_logging();
            tracker::run(command).map(|()| ExitCode::SUCCESS)
        }
        Command::Check(args) => check::run(args),
    }
}

/// Warnings (such as tracker gaps) to stderr; `RUST_LOG` overrides the level.
fn init_migration_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
