//! `resplite serve`: options, logging, signals, and the server's lifetime.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use resplite_server::{
    Durability, MAX_WRITER_SPIN_US, Server, ServerConfig, StoreOptions, parse_cpu_list,
};
use tracing_subscriber::EnvFilter;

/// Options of `resplite serve`. Options given here override the config file.
#[derive(Args)]
pub(crate) struct ServeArgs {
    /// A config file in Redis's `name value` format (see docs/configuration.md).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// The database file (created when missing) [default: resplite.db].
    #[arg(long, env = "RESPLITE_DB")]
    db: Option<PathBuf>,
    /// TCP port to listen on [default: 6379].
    #[arg(long, env = "RESPLITE_PORT")]
    port: Option<u16>,
    /// Address to listen on [default: 127.0.0.1]. Anything but loopback exposes the data to
    /// the network.
    #[arg(long)]
    bind: Option<IpAddr>,
    /// `normal`: acknowledged writes survive a crash of resplite; `full`: they also survive
    /// power loss (every commit is synced) [default: normal].
    #[arg(long, value_enum)]
    durability: Option<DurabilityArg>,
    /// The most clients connected at once [default: 10000].
    #[arg(long)]
    maxclients: Option<usize>,
    /// A password clients must give (`AUTH password`, or `HELLO 3 AUTH default password`)
    /// before any other command (empty: none). Also read from `RESPLITE_REQUIREPASS`, which
    /// keeps it out of the process list.
    #[arg(long, env = "RESPLITE_REQUIREPASS", hide_env_values = true)]
    requirepass: Option<String>,
    /// Close connections idle for this many seconds (0: never) [default: 0].
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u32>,
    /// Threads for network I/O (default: half the CPU cores, at least 1). SQLite work runs
    /// on its own threads, so these only read requests and write replies.
    #[arg(long)]
    io_threads: Option<usize>,
    /// Threads that run reads on their own read-only SQLite connections [default: 2].
    #[arg(long)]
    reader_threads: Option<usize>,
    /// Keep the writer thread on these CPUs, in Redis's CPU list syntax (`1`, `0-3`,
    /// `0-7:2`, `1,3`; Linux only) [default: wherever the kernel runs it]. See
    /// docs/configuration.md for when this helps.
    #[arg(long, value_name = "CPUS", value_parser = cpu_list)]
    writer_cpulist: Option<CpuList>,
    /// While writes come in close together, the writer thread keeps yielding the CPU and
    /// looking for the next one for up to this long before it sleeps (0: it always sleeps at
    /// once) [default: 1000]. Faster writes on busy servers, for CPU time while they last;
    /// see docs/configuration.md.
    #[arg(
        long,
        value_name = "MICROSECONDS",
        value_parser = clap::value_parser!(u64).range(0..=MAX_WRITER_SPIN_US)
    )]
    writer_spin_us: Option<u64>,
    /// Log level (error, warn, info, debug, trace); `RUST_LOG` overrides it [default: info,
    /// or the config file's `loglevel`].
    #[arg(long)]
    log_level: Option<String>,
}

/// The CPUs of `--writer-cpulist` (one value, so clap must not read it as several).
#[derive(Clone)]
struct CpuList(Vec<usize>);

fn cpu_list(text: &str) -> Result<CpuList, String> {
    parse_cpu_list(text).map(CpuList)
}

#[derive(Clone, Copy, ValueEnum)]
enum DurabilityArg {
    Normal,
    Full,
}

pub(crate) fn run(args: ServeArgs) -> Result<()> {
    let (config, warnings) = server_config(&args)?;
    let log_level = args.log_level.clone().unwrap_or_else(|| log_level_of(&config).into());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log_level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    for warning in warnings {
        tracing::warn!("config file: {warning}");
    }

    let io_threads = args.io_threads.unwrap_or_else(default_io_threads).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(io_threads)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let has_password = config
            .parameters
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("requirepass") && !value.is_empty());
        if !config.bind.is_loopback() && !has_password {
            tracing::warn!(
                bind = %config.bind,
                "listening on a non-loopback address without authentication: anyone who can \
                 reach this address can read and change the data"
            );
        }
        let db = config.store.path.clone();
        let server = Server::bind(config).await?;
        let address = server.local_addr()?;
        tracing::info!(%address, db = %db.display(), "resplite is ready to accept connections");
        server.run(shutdown_signal()).await;
        Ok(())
    })
}

/// The server's configuration: defaults, then the config file, then the command line.
/// Also returns the config file's warnings, to log once logging is set up.
fn server_config(args: &ServeArgs) -> Result<(ServerConfig, Vec<String>)> {
    let mut config = ServerConfig::new(StoreOptions::new("resplite.db"));
    let warnings = match &args.config {
        Some(path) => config.apply_config_file(path)?,
        None => Vec::new(),
    };
    if let Some(db) = &args.db {
        config.store.path = db.clone();
    }
    if let Some(port) = args.port {
        config.port = port;
    }
    if let Some(bind) = args.bind {
        config.bind = bind;
    }
    if let Some(durability) = args.durability {
        config.store.durability = match durability {
            DurabilityArg::Normal => Durability::Normal,
            DurabilityArg::Full => Durability::Full,
        };
    }
    if let Some(maxclients) = args.maxclients {
        config.max_clients = maxclients;
    }
    if let Some(reader_threads) = args.reader_threads {
        config.store.reader_threads = reader_threads.max(1);
    }
    if let Some(CpuList(cpus)) = &args.writer_cpulist {
        config.store.writer_cpus = Some(cpus.clone());
    }
    if let Some(micros) = args.writer_spin_us {
        config.store.writer_spin = Duration::from_micros(micros);
    }
    // Later parameters win, so these override the file's.
    if let Some(password) = &args.requirepass {
        config.parameters.push(("requirepass".into(), password.clone()));
    }
    if let Some(timeout) = args.timeout {
        config.parameters.push(("timeout".into(), timeout.to_string()));
    }
    Ok((config, warnings))
}

/// The log filter for the config file's Redis `loglevel`, when it has one.
fn log_level_of(config: &ServerConfig) -> &'static str {
    let level = config.parameters.iter().rev().find(|(name, _)| name == "loglevel");
    match level.map(|(_, value)| value.to_ascii_lowercase()).as_deref() {
        Some("debug") => "debug",
        Some("warning") => "warn",
        _ => "info",
    }
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
