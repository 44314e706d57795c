//! Finding `redis-server`, and installing Debian's package when we are root and it is missing.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const PROGRAM: &str = "redis-server";

/// The path of a runnable `redis-server`, installing it first if that is possible.
pub(crate) fn ensure_redis_server() -> Result<PathBuf> {
    if let Some(path) = find_on_path(PROGRAM) {
        return Ok(path);
    }
    if !running_as_root() {
        bail!(
            "`{PROGRAM}` is not on PATH: install Debian's `redis-server` package \
             (`sudo apt-get install redis-server`)"
        );
    }
    println!("{PROGRAM} not found; installing Debian's redis-server package");
    run_apt(&["update"])?;
    run_apt(&["install", "-y", "redis-server"])?;
    find_on_path(PROGRAM)
        .with_context(|| format!("installed redis-server, but `{PROGRAM}` is still not on PATH"))
}

/// Looks `program` up in `PATH` the way a shell would.
pub(crate) fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| is_file(candidate))
}

fn is_file(path: &Path) -> bool {
    path.metadata().map(|metadata| metadata.is_file()).unwrap_or(false)
}

/// Asks `id -u`, since reading the effective uid directly would need unsafe code.
pub(crate) fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| output.status.success() && output.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

pub(crate) fn run_apt(args: &[&str]) -> Result<()> {
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", OsStr::new("noninteractive"))
        .status()
        .context("could not run apt-get")?;
    if !status.success() {
        bail!("`apt-get {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::find_on_path;

    #[test]
    fn finds_programs_every_system_has_and_not_made_up_ones() {
        assert!(find_on_path("sh").is_some());
        assert!(find_on_path("no-such-program-resplite-xtask").is_none());
    }
}
