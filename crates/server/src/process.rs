//! Facts about this process and machine for `INFO`: memory, CPU time, the OS, and the
//! database files. On Linux they come from `/proc`; elsewhere the figures are 0.

use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Linux's `USER_HZ`: the unit of the CPU times in `/proc/self/stat`. It is 100 on every
/// architecture Linux supports, whatever the kernel's internal tick rate.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// The page size `/proc/self/statm` counts in (4 KiB on the platforms resplite targets).
const PAGE_SIZE: u64 = 4096;

/// Resident memory now, in bytes.
pub(crate) fn resident_bytes() -> u64 {
    let statm = fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()).unwrap_or(0)
        * PAGE_SIZE
}

/// The most resident memory this process has had, in bytes (`VmHWM`).
pub(crate) fn peak_resident_bytes() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    kilobytes_field(&status, "VmHWM:").max(resident_bytes())
}

/// The machine's memory, in bytes.
pub(crate) fn total_system_memory() -> u64 {
    kilobytes_field(&fs::read_to_string("/proc/meminfo").unwrap_or_default(), "MemTotal:")
}

fn kilobytes_field(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kilobytes| kilobytes.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// CPU seconds this process has used: (system, user).
pub(crate) fn cpu_seconds() -> (f64, f64) {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name in parentheses may contain spaces; the fields after it are plain.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // After the name: state is field 3 of the whole line, utime 14 and stime 15.
    let ticks =
        |index: usize| fields.get(index).and_then(|value| value.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(12) / CLOCK_TICKS_PER_SECOND, ticks(11) / CLOCK_TICKS_PER_SECOND)
}

/// The kernel's name, release and machine, as Redis's `os` field shows them.
pub(crate) fn operating_system() -> String {
    let release = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        other => other,
    };
    format!("{os} {} {}", release.trim(), std::env::consts::ARCH).replace("  ", " ")
}

/// The database file's size and its write-ahead log's size, in bytes.
pub(crate) fn database_sizes(path: &Path) -> (u64, u64) {
    let size = |path: &Path| fs::metadata(path).map_or(0, |metadata| metadata.len());
    (size(path), size(&wal_path(path)))
}

/// When data last reached the database (its file or its write-ahead log), as Unix
/// seconds: every acknowledged write is on disk, so this is resplite's `LASTSAVE`.
pub(crate) fn last_write_time(path: &Path) -> Option<u64> {
    let modified = |path: &Path| fs::metadata(path).and_then(|metadata| metadata.modified()).ok();
    [modified(path), modified(&wal_path(path))]
        .into_iter()
        .flatten()
        .max()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map(|elapsed| elapsed.as_secs())
}

fn wal_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// Seconds since the Unix epoch now.
pub(crate) fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn this_process_has_memory_and_cpu_time() {
        let busy: u64 = (0..5_000_000u64).map(|n| n % 7).sum();
        assert!(busy > 0);
        let resident = resident_bytes();
        assert!(resident > 1024 * 1024);
        // The peak is read after the resident size: other tests' threads may grow the
        // process in between, and only the peak never shrinks.
        assert!(peak_resident_bytes() >= resident);
        assert!(total_system_memory() > resident_bytes());
        let (system, user) = cpu_seconds();
        assert!(system >= 0.0 && user > 0.0, "{system} {user}");
        assert!(operating_system().starts_with("Linux "));
    }

    #[test]
    fn database_files_are_measured() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        fs::write(&path, [0u8; 100]).unwrap();
        fs::write(dir.path().join("x.db-wal"), [0u8; 10]).unwrap();
        assert_eq!(database_sizes(&path), (100, 10));
        let now = unix_seconds(SystemTime::now());
        assert!(last_write_time(&path).is_some_and(|time| time.abs_diff(now) < 5));
        assert_eq!(last_write_time(&dir.path().join("missing.db")), None);
    }
}
