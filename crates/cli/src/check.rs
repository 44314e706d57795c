//! `resplite check`: reads a database and reports what breaks the storage invariants.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use resplite_server::{Store, StoreOptions};

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// The database file to check [default: resplite.db].
    #[arg(long)]
    db: Option<PathBuf>,
    /// Report at most this many problems.
    #[arg(long, default_value_t = 100)]
    limit: usize,
}

/// Checks the file (it may be in use by a running server: the check reads one snapshot);
/// exits with 1 when something is broken.
pub(crate) fn run(args: CheckArgs) -> Result<ExitCode> {
    let path = args.db.unwrap_or_else(|| PathBuf::from("resplite.db"));
    if !path.is_file() {
        bail!("{} is not a file (resplite check does not create databases)", path.display());
    }
    let store = Store::open_with(StoreOptions::new(&path))
        .with_context(|| format!("could not open {}", path.display()))?;
    let limit = args.limit.max(1);
    let report = store.read(|reader| reader.check_invariants(limit))?;
    for violation in &report.violations {
        println!("{}: {}", violation.invariant, violation.detail);
    }
    let checked = format!("{} key rows, {} elements", report.keys, report.elements);
    if report.violations.is_empty() {
        println!("ok: {} ({checked})", path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        let shown = report.violations.len();
        let more = if shown == limit { " (the limit; there may be more)" } else { "" };
        println!("{}: {shown} problem(s){more} ({checked})", path.display());
        Ok(ExitCode::FAILURE)
    }
}
