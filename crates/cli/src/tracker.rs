//! `resplite tracker start|stop`: the dirty-key tracker of a migration run.

use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use resplite_migrate::Registry;
use resplite_migrate::subscriber::Channels;
use resplite_migrate::tracker::{TrackerOptions, run_tracker, stop_tracker};
use serde_json::json;

use crate::import::{Endpoints, RunArgs};
use crate::migration_report::{run_json, tracker_lines};
use crate::progress::{emit, run_live};

/// `resplite tracker` subcommands.
#[derive(Subcommand)]
pub(crate) enum TrackerCommand {
    /// Record every key the source changes until stopped (runs in the foreground).
    Start(StartArgs),
    /// Stop the run's tracker.
    Stop(RunArgs),
}

#[derive(Args)]
pub(crate) struct StartArgs {
    /// The migration run (created when new).
    #[arg(long)]
    run_id: String,
    #[command(flatten)]
    endpoints: Endpoints,
    /// keyevent (default) or keyspace notifications.
    #[arg(long, default_value = "keyevent")]
    channels: String,
    /// Add missing classes to the source's notify-keyspace-events with CONFIG SET.
    #[arg(long)]
    configure_notifications: bool,
    /// Run although the source's INFO lacks commandstats (FLUSHALL/FLUSHDB/SWAPDB would go
    /// unseen).
    #[arg(long)]
    allow_unseen_flushes: bool,
}

pub(crate) fn run(command: TrackerCommand) -> Result<()> {
    match command {
        TrackerCommand::Start(args) => start(args),
        TrackerCommand::Stop(args) => stop(args),
    }
}

fn start(args: StartArgs) -> Result<()> {
    let channels = match args.channels.as_str() {
        "keyevent" => Channels::Keyevent,
        "keyspace" => Channels::Keyspace,
        _ => bail!("--channels takes keyevent or keyspace"),
    };
    let (source, registry) = args.endpoints.open(&args.run_id, false)?;
    let options = TrackerOptions {
        channels,
        configure_notifications: args.configure_notifications,
        allow_unseen_flushes: args.allow_unseen_flushes,
    };
    let run = run_live(args.endpoints.json, tracker_lines, |stop, progress| {
        run_tracker(&source, &registry, &options, stop, progress)
    })?;
    emit(
        args.endpoints.json,
        json!({ "run": run_json(&run) }),
        &[format!(
            "tracker of run {} stopped; {} events recorded in all",
            run.run_id, run.dirty_keys_seen
        )],
    );
    Ok(())
}

fn stop(args: RunArgs) -> Result<()> {
    let registry = Registry::open_path(&args.to, &args.run_id, true)?;
    let stopped = stop_tracker(&registry, Duration::from_secs(5))?;
    let line = if stopped {
        "tracker stopped".to_owned()
    } else {
        "the tracker did not answer within 5 s; sent it SIGTERM".to_owned()
    };
    emit(args.json, json!({ "stopped": stopped }), &[line]);
    if !stopped {
        std::process::exit(1);
    }
    Ok(())
}
