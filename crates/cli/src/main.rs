//! The `resplite` command: `resplite serve` runs the server; later issues add `import` and
//! `tracker` for migrating from Redis.

mod serve;

use anyhow::Result;
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
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve::run(args),
    }
}
