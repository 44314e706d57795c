//! `resplite import …`: the steps of a migration from a live Redis (see docs/migration.md).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use resplite_migrate::apply::{ApplyOptions, apply_dirty};
use resplite_migrate::bulk::{BulkOptions, run_bulk};
use resplite_migrate::control::{self, Throttles};
use resplite_migrate::cutover::{CutoverOptions, cutover};
use resplite_migrate::oneshot::import_once;
use resplite_migrate::preflight::preflight;
use resplite_migrate::status::status;
use resplite_migrate::subscriber::Channels;
use resplite_migrate::verify::{Sample, VerifyOptions, verify};
use resplite_migrate::{Registry, Source};
use serde_json::json;

use crate::migration_report::{
    apply_lines, bulk_json, bulk_lines, preflight_json, preflight_lines, run_json, status_json,
    status_lines, verify_json, verify_lines,
};
use crate::progress::{
    Live, emit, human_bytes, interrupt_flag, parse_bytes, parse_duration, run_live,
};

/// `resplite import` subcommands.
#[derive(Subcommand)]
pub(crate) enum ImportCommand {
    /// Inspect the source: version, keys, types, notifications; suggest throttles.
    Preflight(PreflightArgs),
    /// Copy every key (resumable; run the tracker first).
    Bulk(BulkArgs),
    /// Re-read the keys the tracker saw change.
    ApplyDirty(ApplyArgs),
    /// Compare source and destination key by key.
    Verify(VerifyArgs),
    /// Show a run's progress and whether it is safe to cut over.
    Status(RunArgs),
    /// Ask a running bulk or apply-dirty to pause.
    Pause(RunArgs),
    /// Let a paused bulk or apply-dirty continue.
    Resume(RunArgs),
    /// Ask a running bulk or apply-dirty to stop (what it did is kept).
    Abort(RunArgs),
    /// Change throttles of a run, also while a step runs.
    Set(SetArgs),
    /// Freeze the source's writes, apply the last changes, verify, report the downtime.
    Cutover(CutoverArgs),
    /// One-shot import into a new file, for sources not being written.
    Run(OneShotArgs),
}

/// The source and destination of most steps.
#[derive(Args)]
pub(crate) struct Endpoints {
    /// The source: redis://[user:password@]host:port[/db].
    #[arg(long, value_name = "URI")]
    pub(crate) from: String,
    /// The destination resplite database file.
    #[arg(long, value_name = "DB")]
    pub(crate) to: PathBuf,
    /// Print one JSON document instead of human output.
    #[arg(long)]
    pub(crate) json: bool,
}

impl Endpoints {
    /// The source, and the registry of `run_id` in the destination (which must exist unless
    /// the step may create the run).
    pub(crate) fn open(&self, run_id: &str, must_exist: bool) -> Result<(Source, Registry)> {
        Ok((Source::new(&self.from)?, Registry::open_path(&self.to, run_id, must_exist)?))
    }
}

#[derive(Args)]
pub(crate) struct RunArgs {
    /// The migration run.
    #[arg(long)]
    pub(crate) run_id: String,
    /// The destination resplite database file.
    #[arg(long, value_name = "DB")]
    pub(crate) to: PathBuf,
    /// Print one JSON document instead of human output.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Throttles, all adjustable later with `resplite import set`.
#[derive(Args, Default)]
pub(crate) struct ThrottleArgs {
    /// SCAN COUNT hint.
    #[arg(long)]
    scan_count: Option<i64>,
    /// Concurrent readers of the source (1-64).
    #[arg(long)]
    max_concurrency: Option<i64>,
    /// Most commands per second sent to the source (0: no limit).
    #[arg(long)]
    max_rps: Option<i64>,
    /// Most keys per destination transaction.
    #[arg(long)]
    batch_keys: Option<i64>,
    /// Most value bytes per destination transaction (e.g. 64MB).
    #[arg(long, value_parser = parse_bytes)]
    batch_bytes: Option<i64>,
}

impl ThrottleArgs {
    fn throttles(&self) -> Throttles {
        Throttles {
            scan_count: self.scan_count,
            max_concurrency: self.max_concurrency,
            max_rps: self.max_rps,
            batch_keys: self.batch_keys,
            batch_bytes: self.batch_bytes,
        }
    }
}

#[derive(Args)]
pub(crate) struct PreflightArgs {
    #[command(flatten)]
    endpoints: Endpoints,
    /// Which notifications the tracker will use: keyevent or keyspace.
    #[arg(long, default_value = "keyevent", value_parser = parse_channels)]
    channels: Channels,
}

#[derive(Args)]
pub(crate) struct BulkArgs {
    /// The migration run (created when new).
    #[arg(long)]
    run_id: String,
    #[command(flatten)]
    endpoints: Endpoints,
    #[command(flatten)]
    throttles: ThrottleArgs,
    /// Continue an interrupted copy from its checkpoint.
    #[arg(long)]
    resume: bool,
    /// Copy everything again after a completed copy, deleting keys the source no longer has
    /// (covers tracker gaps).
    #[arg(long)]
    rescan: bool,
    /// Which logical databases: a number, or `all`.
    #[arg(long, default_value = "all")]
    db: String,
    /// Elements per chunk when reading a large collection.
    #[arg(long, default_value_t = 1000)]
    chunk_elements: usize,
}

#[derive(Args)]
pub(crate) struct ApplyArgs {
    /// The migration run.
    #[arg(long)]
    run_id: String,
    #[command(flatten)]
    endpoints: Endpoints,
    #[command(flatten)]
    throttles: ThrottleArgs,
    /// Repeat until no dirty key is left, including new ones (use with writes frozen).
    #[arg(long)]
    until_clean: bool,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The migration run (differences are also logged to it).
    #[arg(long)]
    run_id: Option<String>,
    #[command(flatten)]
    endpoints: Endpoints,
    /// How many keys: a count (10000), a share (0.5%), or `full`.
    #[arg(long, default_value = "10000", conflicts_with = "full")]
    sample: String,
    /// Check every key in both directions.
    #[arg(long)]
    full: bool,
    /// The largest accepted difference between deadlines, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    ttl_tolerance_ms: i64,
    /// The most differences printed (all are counted).
    #[arg(long, default_value_t = 20)]
    max_report: usize,
}

#[derive(Args)]
pub(crate) struct SetArgs {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    throttles: ThrottleArgs,
}

#[derive(Args)]
pub(crate) struct CutoverArgs {
    /// The migration run.
    #[arg(long)]
    run_id: String,
    #[command(flatten)]
    endpoints: Endpoints,
    /// The longest the source's writes stay paused (CLIENT PAUSE timeout), e.g. 120s.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pause_timeout: Duration,
    /// Random keys verified each way after the final apply (0: none).
    #[arg(long, default_value_t = 1000)]
    verify_sample: u64,
    /// Lift the pause when done instead of keeping it until its timeout.
    #[arg(long)]
    unpause: bool,
}

#[derive(Args)]
pub(crate) struct OneShotArgs {
    #[command(flatten)]
    endpoints: Endpoints,
    #[command(flatten)]
    throttles: ThrottleArgs,
    /// Replace a destination that already holds keys.
    #[arg(long)]
    force: bool,
}

fn parse_channels(text: &str) -> Result<Channels, String> {
    match text {
        "keyevent" => Ok(Channels::Keyevent),
        "keyspace" => Ok(Channels::Keyspace),
        _ => Err("use keyevent or keyspace".into()),
    }
}

fn parse_dbs(text: &str) -> Result<Option<Vec<u32>>> {
    if text == "all" {
        return Ok(None);
    }
    match text.parse() {
        Ok(db) => Ok(Some(vec![db])),
        Err(_) => bail!("--db takes a database number or `all`"),
    }
}

pub(crate) fn run(command: ImportCommand) -> Result<()> {
    match command {
        ImportCommand::Preflight(args) => run_preflight(args),
        ImportCommand::Bulk(args) => run_bulk_command(args),
        ImportCommand::ApplyDirty(args) => run_apply(args),
        ImportCommand::Verify(args) => run_verify(args),
        ImportCommand::Status(args) => run_status(args),
        ImportCommand::Pause(args) => run_control(args, "pause"),
        ImportCommand::Resume(args) => run_control(args, "resume"),
        ImportCommand::Abort(args) => run_control(args, "abort"),
        ImportCommand::Set(args) => run_set(args),
        ImportCommand::Cutover(args) => run_cutover(args),
        ImportCommand::Run(args) => run_one_shot(args),
    }
}

fn run_preflight(args: PreflightArgs) -> Result<()> {
    let source = Source::new(&args.endpoints.from)?;
    let report = preflight(&source, &args.endpoints.to, args.channels)?;
    emit(args.endpoints.json, preflight_json(&report), &preflight_lines(&report));
    if !report.problems.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}

fn run_bulk_command(args: BulkArgs) -> Result<()> {
    let (source, registry) = args.endpoints.open(&args.run_id, false)?;
    let options = BulkOptions {
        dbs: parse_dbs(&args.db)?,
        resume: args.resume,
        rescan: args.rescan,
        chunk_elements: args.chunk_elements,
        throttles: args.throttles.throttles(),
    };
    let report = run_live(args.endpoints.json, bulk_lines, |stop, progress| {
        run_bulk(&source, &registry, &options, stop, progress)
    })?;
    emit(args.endpoints.json, bulk_json(&report), &bulk_lines(&report.progress));
    Ok(())
}

fn run_apply(args: ApplyArgs) -> Result<()> {
    let (source, registry) = args.endpoints.open(&args.run_id, true)?;
    let options = ApplyOptions {
        until_clean: args.until_clean,
        barrier: args.until_clean,
        chunk_elements: 0,
        throttles: args.throttles.throttles(),
    };
    let (run, progress) = run_live(args.endpoints.json, apply_lines, |stop, progress| {
        apply_dirty(&source, &registry, &options, stop, progress)
    })?;
    let document = json!({ "run": run_json(&run), "applied": progress.applied,
        "deleted": progress.deleted, "skipped": progress.skipped, "failed": progress.failed,
        "changed_meanwhile": progress.changed_meanwhile, "remaining": progress.remaining });
    emit(args.endpoints.json, document, &apply_lines(&progress));
    Ok(())
}

fn run_verify(args: VerifyArgs) -> Result<()> {
    let source = Source::new(&args.endpoints.from)?;
    let sample = if args.full {
        Sample::Full
    } else {
        match Sample::parse(&args.sample) {
            Some(sample) => sample,
            None => bail!("--sample takes a count (10000), a share (0.5%) or full"),
        }
    };
    let run_id = args.run_id.clone().unwrap_or_else(|| "verify".into());
    let registry = Registry::open_path(&args.endpoints.to, &run_id, true)?;
    let options = VerifyOptions {
        sample,
        ttl_tolerance_ms: args.ttl_tolerance_ms,
        max_reported: args.max_report,
        dbs: None,
    };
    let live = Live::new(args.endpoints.json, None);
    let outcome = verify(&source, registry.store(), &options, &mut |report| {
        live.update(
            None,
            format!(
                "{} source keys, {} destination keys checked, {} differences",
                report.source_keys_checked,
                report.destination_keys_checked,
                report.difference_count()
            ),
        );
    });
    live.finish();
    let report = outcome?;
    if args.run_id.is_some() && report.difference_count() > 0 {
        let message = format!("verify found {} difference(s)", report.difference_count());
        registry.record_error("verify", None, &message)?;
    }
    emit(args.endpoints.json, verify_json(&report), &verify_lines(&report));
    if report.difference_count() > 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn run_status(args: RunArgs) -> Result<()> {
    let registry = Registry::open_path(&args.to, &args.run_id, true)?;
    let report = status(&registry)?;
    emit(args.json, status_json(&report), &status_lines(&report));
    Ok(())
}

fn run_control(args: RunArgs, action: &str) -> Result<()> {
    let registry = Registry::open_path(&args.to, &args.run_id, true)?;
    let run = match action {
        "pause" => control::pause(&registry)?,
        "resume" => control::resume(&registry)?,
        _ => control::abort(&registry)?,
    };
    let worker = control::live_worker(&run);
    let note = match &worker {
        Some(worker) => format!("{worker} will {action} within a second"),
        None => format!(
            "no bulk or apply-dirty is running; the next one starts with control {}",
            run.control
        ),
    };
    emit(args.json, json!({ "run": run_json(&run), "worker": worker }), &[note]);
    Ok(())
}

fn run_set(args: SetArgs) -> Result<()> {
    let registry = Registry::open_path(&args.run.to, &args.run.run_id, true)?;
    let run = control::set_throttles(&registry, &args.throttles.throttles())?;
    let line = format!(
        "throttles: scan-count {} max-concurrency {} max-rps {} batch-keys {} batch-bytes {}",
        run.scan_count,
        run.max_concurrency,
        run.max_rps,
        run.batch_keys,
        human_bytes(run.batch_bytes as u64)
    );
    emit(args.run.json, json!({ "run": run_json(&run) }), &[line]);
    Ok(())
}

fn run_cutover(args: CutoverArgs) -> Result<()> {
    let (source, registry) = args.endpoints.open(&args.run_id, true)?;
    let options = CutoverOptions {
        pause_timeout: args.pause_timeout,
        verify_sample: args.verify_sample,
        unpause_after: args.unpause,
        ..CutoverOptions::default()
    };
    let interrupted = interrupt_flag();
    let stop = || interrupted.load(Ordering::Relaxed);
    let json_output = args.endpoints.json;
    let report = cutover(&source, &registry, &options, &stop, &mut |step| {
        if !json_output {
            eprintln!("cutover: {step}");
        }
    })?;
    let downtime_ms = report.downtime.as_millis() as u64;
    let mut lines = vec![
        format!("cutover complete: writes were frozen for {downtime_ms} ms"),
        format!(
            "applied {} key(s) before the freeze and {} during it; verified {} + {} keys, no difference",
            report.before_freeze.applied + report.before_freeze.deleted,
            report.during_freeze.applied + report.during_freeze.deleted,
            report.verification.source_keys_checked,
            report.verification.destination_keys_checked
        ),
    ];
    if report.still_paused {
        lines.push(format!(
            "the source's writes stay paused until the {} s pause ends: switch clients to resplite now",
            args.pause_timeout.as_secs()
        ));
    }
    let document = json!({ "run": run_json(&report.run), "downtime_ms": downtime_ms,
        "still_paused": report.still_paused, "verification": verify_json(&report.verification) });
    emit(json_output, document, &lines);
    Ok(())
}

fn run_one_shot(args: OneShotArgs) -> Result<()> {
    let source = Source::new(&args.endpoints.from)?;
    let options = BulkOptions { throttles: args.throttles.throttles(), ..BulkOptions::default() };
    let report = run_live(args.endpoints.json, bulk_lines, |stop, progress| {
        import_once(&source, &args.endpoints.to, args.force, &options, stop, progress)
    })?;
    let line = format!(
        "imported {} keys ({}) into {}; {} skipped (unsupported types)",
        report.keys,
        human_bytes(report.bytes),
        report.target.display(),
        report.skipped
    );
    let document = json!({ "keys": report.keys, "skipped": report.skipped, "bytes": report.bytes,
        "target": report.target.display().to_string() });
    emit(args.endpoints.json, document, &[line]);
    Ok(())
}
