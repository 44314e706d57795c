//! The one-shot import, for small datasets or when downtime is acceptable: copy everything
//! into a new file and put it in place only when complete.
//!
//! The copy is built in a temporary file next to the target and renamed over it only after
//! the key counts match, so a failed or interrupted run leaves no half-written database (and
//! an existing target untouched). It does not track changes: the source should not be
//! written while it runs, which the count check detects.

use std::fs;
use std::path::{Path, PathBuf};

use resplite_store::Store;

use crate::bulk::{BulkOptions, BulkProgress, run_bulk};
use crate::error::{MigrateError, Result};
use crate::registry::{Registry, importer_options};
use crate::source::{Source, server_facts};

/// What a one-shot import did.
#[derive(Clone, Debug)]
pub struct OneShotReport {
    /// Keys written.
    pub keys: u64,
    /// Keys of types resplite does not store.
    pub skipped: u64,
    /// Value bytes written.
    pub bytes: u64,
    /// The database file now in place.
    pub target: PathBuf,
}

/// Imports the whole source into `target`. Refuses a target that is not a resplite
/// database, and one that holds keys unless `force`.
pub fn import_once(
    source: &Source,
    target: &Path,
    force: bool,
    options: &BulkOptions,
    interrupt: &dyn Fn() -> bool,
    on_progress: &mut dyn FnMut(&BulkProgress),
) -> Result<OneShotReport> {
    if target.exists() {
        // Opening it refuses a file that is not a resplite database: `force` replaces a
        // database that holds keys, never a file of another kind.
        let keys = Store::open(target)?.read(|reader| reader.keyspace_stats())?;
        if !force && keys.iter().any(|db| db.keys > 0) {
            return Err(MigrateError::Refused(format!(
                "{} already holds keys; pass --force to replace it",
                target.display()
            )));
        }
    }
    let temporary = temporary_path(target);
    remove_database_files(&temporary)?;
    let outcome = build(source, &temporary, options, interrupt, on_progress);
    let report = match outcome {
        Ok(report) => report,
        Err(error) => {
            let _ = remove_database_files(&temporary);
            return Err(error);
        }
    };
    // The old file's write-ahead log must not be replayed into the new file.
    remove_sidecars(target)?;
    fs::rename(&temporary, target).map_err(|error| file_error(target, error))?;
    remove_sidecars(&temporary)?;
    Ok(OneShotReport { target: target.to_path_buf(), ..report })
}

fn build(
    source: &Source,
    path: &Path,
    options: &BulkOptions,
    interrupt: &dyn Fn() -> bool,
    on_progress: &mut dyn FnMut(&BulkProgress),
) -> Result<OneShotReport> {
    let store = Store::open_with(importer_options(path))?;
    let registry = Registry::open(store.clone(), "one-shot")?;
    let report = run_bulk(source, &registry, options, interrupt, on_progress)?;
    let written: u64 = store.read(|reader| reader.keyspace_stats())?.iter().map(|db| db.keys).sum();
    let mut connection = source.connect(0)?;
    let facts = server_facts(&mut connection)?;
    let chosen = |counts: &std::collections::BTreeMap<u32, u64>| -> u64 {
        match &options.dbs {
            Some(dbs) => dbs.iter().map(|db| counts.get(db).copied().unwrap_or(0)).sum(),
            None => counts.values().sum(),
        }
    };
    let (in_source, expiring) = (chosen(&facts.keyspace), chosen(&facts.expiring));
    let skipped = report.run.skipped_keys as u64;
    if report.run.error_keys > 0 {
        return Err(MigrateError::Refused(format!(
            "{} key(s) failed to import ({}); nothing was replaced",
            report.run.error_keys,
            report.run.last_error.as_deref().unwrap_or("see the log")
        )));
    }
    // Redis counts keys past their deadline until it reclaims them, and keys expire on
    // either side while the copy runs: only keys with a deadline may account for a shortfall.
    let copied = written + skipped;
    if copied > in_source || in_source - copied > expiring {
        return Err(MigrateError::Refused(format!(
            "count check failed: the source has {in_source} keys, the import wrote {written} and \
             skipped {skipped}; was the source written meanwhile? (use the tracked migration \
             for a live source); nothing was replaced"
        )));
    }
    drop(registry);
    drop(store);
    Ok(OneShotReport {
        keys: written,
        skipped,
        bytes: report.run.migrated_bytes as u64,
        target: path.to_path_buf(),
    })
}

fn temporary_path(target: &Path) -> PathBuf {
    let name =
        target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.importing"))
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_sidecars(path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        match fs::remove_file(sidecar(path, suffix)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(file_error(path, error));
            }
            _ => {}
        }
    }
    Ok(())
}

fn remove_database_files(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(file_error(path, error));
        }
        _ => {}
    }
    remove_sidecars(path)
}

fn file_error(path: &Path, error: std::io::Error) -> MigrateError {
    MigrateError::File(format!("{}: {error}", path.display()))
}
