//! The `resplite` command: `resplite serve` runs the server; `resplite import` and
//! `resplite tracker` migrate a live Redis into a resplite database.

mod import;
mod migration_report;
mod progress;
mod serve;
mod tracker;

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
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Import(command) => {
            init_migration_logging();
            import::run(command)
        }
        Command::Tracker(command) => {
            init_migration_logging();
            tracker::run(command)
        }
    }
}

/// Warnings (such as tracker gaps) to stderr; `RUST_LOG` overrides the level.
fn init_migration_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
