//! `resplite serve`: options, logging, signals, and the server's lifetime.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use resplite_server::{Durability, Server, ServerConfig, StoreOptions};
use tracing_subscriber::EnvFilter;

/// Options of `resplite serve`.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The database file (created when missing).
    #[arg(long, env = "RESPLITE_DB", default_value = "resplite.db")]
    db: PathBuf,
    /// TCP port to listen on.
    #[arg(long, env = "RESPLITE_PORT", default_value_t = 6379)]
    port: u16,
    /// Address to listen on. Anything but loopback exposes the data to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// `normal`: acknowledged writes survive a crash of resplite; `full`: they also survive
    /// power loss (every commit is synced).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Normal)]
    durability: DurabilityArg,
    /// The most clients connected at once.
    #[arg(long, default_value_t = 10_000)]
    maxclients: usize,
    /// A password clients must give (`AUTH password`, or `HELLO 3 AUTH default password`)
    /// before any other command. Also read from `RESPLITE_REQUIREPASS`, which keeps it out
    /// of the process list.
    #[arg(long, env = "RESPLITE_REQUIREPASS", hide_env_values = true)]
    requirepass: Option<String>,
    /// Threads for network I/O (default: half the CPU cores, at least 1). SQLite work runs
    /// on its own threads, so these only read requests and write replies.
    #[arg(long)]
    io_threads: Option<usize>,
    /// Threads that run reads on their own read-only SQLite connections.
    #[arg(long, default_value_t = 2)]
    reader_threads: usize,
    /// Log level (error, warn, info, debug, trace); `RUST_LOG` overrides it.
    #[arg(long, default_value = "info")]
    log_level: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Normal,
    Full,
}

pub(crate) fn run(args: ServeArgs) -> Result<()> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&args.log_level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();

    let mut store = StoreOptions::new(&args.db);
    store.durability = match args.durability {
        DurabilityArg::Normal => Durability::Normal,
        DurabilityArg::Full => Durability::Full,
    };
    let mut config = ServerConfig::new(store);
    config.bind = args.bind;
    config.port = args.port;
    config.max_clients = args.maxclients;
    config.requirepass = args.requirepass.filter(|password| !password.is_empty());

    config.store.reader_threads = args.reader_threads.max(1);
    let io_threads = args.io_threads.unwrap_or_else(default_io_threads).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(io_threads)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        if !config.bind.is_loopback() && config.requirepass.is_none() {
            tracing::warn!(
                bind = %config.bind,
                "listening on a non-loopback address without authentication: anyone who can \
                 reach this address can read and change the data"
            );
        }
        let server = Server::bind(config).await?;
        let address = server.local_addr()?;
        tracing::info!(%address, db = %args.db.display(), "resplite is ready to accept connections");
        server.run(shutdown_signal()).await;
        Ok(())
    })
}

/// Half the cores: measured on two cores, one I/O thread beside the reader and writer
/// threads beat two (fewer cross-thread wake-ups per write; see docs/benchmarks.md).
fn default_io_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get() / 2).max(1)
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
