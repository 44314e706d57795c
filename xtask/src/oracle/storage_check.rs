//! After the oracle's commands: `resplite check` on the database the candidate wrote.
//!
//! The oracle compares replies; this makes sure the file behind them still keeps the
//! storage invariants (collection lengths, element rows, key counts, SQLite's own
//! integrity), which a wrong length could break without any reply showing it yet. The
//! check runs while the server is still up, as a user would run it (it reads a snapshot).

use std::path::Path;
use std::process::Command;

use super::Summary;
use crate::servers::ServerProcess;

/// Runs `binary check` on `candidate`'s database and counts it as one case.
pub(crate) fn run(binary: &Path, candidate: &ServerProcess, summary: &mut Summary) {
    let database = candidate.resplite_database();
    let output = Command::new(binary).arg("check").arg("--db").arg(&database).output();
    match output {
        Ok(output) if output.status.success() => {
            summary.passed += 1;
            print!("storage check: {}", String::from_utf8_lossy(&output.stdout));
        }
        Ok(output) => {
            summary.failed += 1;
            println!(
                "FAIL storage check ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Err(error) => {
            summary.failed += 1;
            println!("FAIL storage check: could not run {}: {error}", binary.display());
        }
    }
}
