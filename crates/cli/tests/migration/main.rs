//! Migrating a live Redis with the real `resplite import` and `resplite tracker` commands,
//! against a real `redis-server` started here on loopback.
//!
//! These need `redis-server`, so a plain `cargo test` skips them; `cargo xtask ci` installs
//! Redis when missing and runs them with `--ignored`.

mod changing_chunks;
#[path = "../common/mod.rs"]
mod common;
mod field_deadlines;
mod redis_source;
mod workload;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use redis_source::RedisSource;
use serde_json::Value;

use common::{ServerProcess, resplite};

/// A source Redis loaded with keys of every type, and a destination path in a fresh
/// directory.
struct Setup {
    source: RedisSource,
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Setup {
    fn new(keys_per_type: usize) -> Setup {
        let source = RedisSource::start();
        workload::load_every_type(&source, keys_per_type);
        let dir = tempfile::tempdir().unwrap();
        Setup { source, db: dir.path().join("dest.db"), _dir: dir }
    }
}

/// Runs `resplite <args>` to completion.
fn run(args: &[&str]) -> Output {
    resplite().args(args).output().expect("run resplite")
}

/// Runs `resplite <args> --json`, requires success and returns the document.
fn run_json(args: &[&str]) -> Value {
    let output = resplite().args(args).arg("--json").output().expect("run resplite");
    assert!(
        output.status.success(),
        "resplite {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "resplite {args:?} printed no JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// A `resplite tracker start` in the background; stopped through `tracker stop` or killed
/// when dropped.
struct Tracker {
    child: Child,
}

impl Tracker {
    fn start(source: &RedisSource, db: &Path, run_id: &str) -> Tracker {
        // Its log goes to a file beside the database, shown if it does not start in time.
        let log_path = db.with_file_name(format!("tracker-{run_id}.log"));
        let log = std::fs::File::create(&log_path).expect("create the tracker's log");
        let child = resplite()
            .args(["tracker", "start", "--run-id", run_id, "--from", &source.url(), "--to"])
            .arg(db)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the tracker");
        let mut tracker = Tracker { child };
        // It has taken the role once its pid is in the run row, and it listens once it has
        // proved the source's notifications and recorded the source's run id.
        let started = Instant::now();
        let mut last_status = String::from("(the database file does not exist yet)");
        while started.elapsed() < Duration::from_secs(15) {
            if db.exists() {
                let status = run(&[
                    "import",
                    "status",
                    "--run-id",
                    run_id,
                    "--to",
                    db.to_str().unwrap(),
                    "--json",
                ]);
                if status.status.success() {
                    let document: Value = serde_json::from_slice(&status.stdout).unwrap();
                    let run = &document["run"];
                    if run["tracker_pid"].is_number() && run["source_run_id"].is_string() {
                        return tracker;
                    }
                }
                last_status = format!(
                    "{}{}",
                    String::from_utf8_lossy(&status.stdout),
                    String::from_utf8_lossy(&status.stderr)
                );
            }
            sleep(Duration::from_millis(50));
        }
        let exit = tracker.child.try_wait();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        panic!(
            "the tracker did not start within 15 s (exit status: {exit:?})\n\
             last `import status`: {last_status}\ntracker log:\n{log}"
        );
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status(db: &Path, run_id: &str) -> Value {
    run_json(&["import", "status", "--run-id", run_id, "--to", db.to_str().unwrap()])
}

/// `resplite import verify --full`, which must find no difference, then `resplite check`,
/// which must find the file consistent.
fn verify_full(source: &RedisSource, db: &Path) -> Value {
    let output = run(&[
        "import",
        "verify",
        "--from",
        &source.url(),
        "--to",
        db.to_str().unwrap(),
        "--full",
        "--json",
    ]);
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    assert!(
        output.status.success(),
        "verify --full found differences: {document:#}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Beside matching the source, the imported file keeps the storage invariants.
    let checked = run(&["check", "--db", db.to_str().unwrap()]);
    assert!(
        checked.status.success(),
        "resplite check: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    document
}

fn bulk(source: &RedisSource, db: &Path, run_id: &str, extra: &[&str]) -> Value {
    let url = source.url();
    let mut args =
        vec!["import", "bulk", "--run-id", run_id, "--from", &url, "--to", db.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_json(&args)
}

/// An application writing to the source: `SET prefix:N` over `keys` keys, 100 a second,
/// until stopped (or for 90 s at most).
struct BackgroundWrites {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl BackgroundWrites {
    fn start(source: &RedisSource, prefix: &'static str, keys: u64) -> BackgroundWrites {
        let stop = Arc::new(AtomicBool::new(false));
        let (stopped, mut connection) = (Arc::clone(&stop), source.connection(0));
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            for index in 0u64.. {
                if stopped.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(90) {
                    break;
                }
                let _: redis::RedisResult<()> = redis::cmd("SET")
                    .arg(format!("{prefix}:{}", index % keys))
                    .arg(index)
                    .query(&mut connection);
                sleep(Duration::from_millis(10));
            }
        });
        BackgroundWrites { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
    }
}

/// Starts `resplite import cutover` of `run_id` in the background, its messages piped.
fn spawn_cutover(source: &RedisSource, db: &Path, run_id: &str, pause_timeout: &str) -> Child {
    resplite()
        .args(["import", "cutover", "--run-id", run_id, "--from", &source.url(), "--to"])
        .arg(db)
        .args(["--pause-timeout", pause_timeout])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the cutover")
}

/// After a failed cutover: the source takes writes again at once, and the run's error log
/// says that the cutover was tried and why it failed.
fn assert_unpaused_and_recorded(source: &RedisSource, db: &Path, run_id: &str, failure: &str) {
    let written = Instant::now();
    redis::cmd("SET").arg("after").arg("cutover").exec(&mut source.connection(0)).unwrap();
    assert!(written.elapsed() < Duration::from_millis(500));
    let report = status(db, run_id);
    assert!(
        report["recent_errors"].to_string().contains(&format!("cutover failed: {failure}")),
        "{report:#}"
    );
}

/// Waits for `child` to exit, for `limit` at most (then kills it and answers `None`).
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn live_migration_with_writes_during_bulk_ends_with_no_difference() {
    let setup = Setup::new(3_000);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let url = source.url();

    let preflight = run_json(&["import", "preflight", "--from", &url, "--to", db_arg]);
    assert_eq!(preflight["ok"], true, "{preflight:#}");
    assert_eq!(preflight["probe_ok"], true);

    let _tracker = Tracker::start(source, db, "live");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = workload::spawn_writer(source, stop.clone());
    let report = bulk(source, db, "live", &["--scan-count", "200", "--batch-keys", "100"]);
    assert_eq!(report["run"]["bulk_status"], "completed");
    // A pre-delta while the application still writes.
    run_json(&["import", "apply-dirty", "--run-id", "live", "--from", &url, "--to", db_arg]);
    sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(writes > 100, "the background writer made only {writes} changes");

    let before = status(db, "live");
    assert!(before["dirty_keys"]["dirty"].as_i64().unwrap_or(0) > 0, "{before:#}");
    let cutover = run_json(&[
        "import",
        "cutover",
        "--run-id",
        "live",
        "--from",
        &url,
        "--to",
        db_arg,
        "--pause-timeout",
        "60s",
    ]);
    assert!(cutover["downtime_ms"].as_u64().unwrap() < 30_000);
    // Still frozen: the whole keyspace must match, values, types and deadlines.
    let verified = verify_full(source, db);
    assert!(verified["source_keys_checked"].as_u64().unwrap() > 10_000, "{verified:#}");
    let after = status(db, "live");
    assert!(after["verdict"].as_str().unwrap().starts_with("cut over"), "{after:#}");
    redis::cmd("CLIENT").arg("UNPAUSE").exec(&mut source.connection(0)).unwrap();

    // Clients see the same data through resplite itself.
    drop(_tracker);
    let server = ServerProcess::start(db, &[]);
    workload::check_fidelity(source, &server);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn bulk_killed_at_a_random_moment_resumes_to_the_same_result() {
    let setup = Setup::new(4_000);
    let (source, db) = (&setup.source, &setup.db);
    let total: u64 = workload::total_keys(source);
    let db_arg = db.to_str().unwrap();
    let url = source.url();
    let mut child = resplite()
        .args(["import", "bulk", "--run-id", "crash", "--from", &url, "--to", db_arg])
        .args(["--scan-count", "50", "--batch-keys", "20", "--max-rps", "30000", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it at a varying moment once it has committed something.
    wait_for_status(db, "crash", |s| s["run"]["scanned_keys"].as_u64().unwrap_or(0) > 0);
    sleep(Duration::from_millis(u64::from(std::process::id() % 400)));
    let _ = Command::new("kill").args(["-KILL", &child.id().to_string()]).status();
    let _ = child.wait();
    let interrupted = status(db, "crash");
    let done_before = interrupted["run"]["scanned_keys"].as_u64().unwrap();
    assert!(done_before < total, "the copy finished before it was killed ({done_before} keys)");

    // The interrupted pass copies every database: resuming it for one is refused.
    let refused = run(&["import", "bulk", "--run-id", "crash", "--from", &url, "--to", db_arg]
        .into_iter()
        .chain(["--resume", "--db", "0"])
        .collect::<Vec<_>>());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("same --db"));
    let report = bulk(source, db, "crash", &["--resume"]);
    let run = &report["run"];
    assert_eq!(run["bulk_status"], "completed");
    // Counters are exact across the crash: each key counted once.
    assert_eq!(run["scanned_keys"].as_u64().unwrap(), total, "{run:#}");
    assert_eq!(run["migrated_keys"].as_u64().unwrap(), total, "{run:#}");
    verify_full(source, db);

    // A second pass over the same run changes nothing (idempotent replays).
    let again = bulk(source, db, "crash", &["--rescan"]);
    assert_eq!(again["run"]["migrated_keys"].as_u64().unwrap(), total);
    assert_eq!(again["run"]["pruned_keys"].as_u64().unwrap(), 0);
    verify_full(source, db);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn a_tracker_gap_blocks_cutover_until_a_rescan_covers_it() {
    let setup = Setup::new(300);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let url = source.url();
    let _tracker = Tracker::start(source, db, "gap");
    bulk(source, db, "gap", &[]);
    run_json(&["import", "apply-dirty", "--run-id", "gap", "--from", &url, "--to", db_arg]);
    assert_eq!(status(db, "gap")["safe"], true, "{:#}", status(db, "gap"));

    // A copied key that becomes a stream: deleted here and reported as skipped, not failed.
    let mut connection = source.connection(0);
    redis::cmd("DEL").arg("s:2").exec(&mut connection).unwrap();
    redis::cmd("XADD").arg("s:2").arg("*").arg("a").arg("1").exec(&mut connection).unwrap();
    wait_for_status(db, "gap", |s| s["dirty_keys"]["dirty"].as_i64().unwrap_or(0) > 0);
    let applied =
        run_json(&["import", "apply-dirty", "--run-id", "gap", "--from", &url, "--to", db_arg]);
    assert_eq!((&applied["skipped"], &applied["failed"]), (&1.into(), &0.into()), "{applied:#}");
    assert_eq!(status(db, "gap")["safe"], true, "{:#}", status(db, "gap"));

    // The source drops the subscriber (as it does past its output buffer limit); a key
    // deleted meanwhile could be missed, so the run is no longer safe.
    let killed: i64 =
        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query(&mut connection).unwrap();
    assert!(killed >= 1);
    redis::cmd("DEL").arg("s:1").exec(&mut connection).unwrap();
    sleep(Duration::from_millis(1500));
    let report = status(db, "gap");
    assert_eq!(report["safe"], false, "{report:#}");
    assert!(report["verdict"].as_str().unwrap().contains("gap"), "{report:#}");
    let refused = run(&["import", "cutover", "--run-id", "gap", "--from", &url, "--to", db_arg]);
    assert!(!refused.status.success(), "cutover went ahead over an uncovered gap");

    bulk(source, db, "gap", &["--rescan"]);
    run_json(&["import", "apply-dirty", "--run-id", "gap", "--from", &url, "--to", db_arg]);
    let report = status(db, "gap");
    assert_eq!(report["safe"], true, "{report:#}");
    verify_full(source, db);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn unsupported_types_are_counted_and_reported_never_silently_dropped() {
    let setup = Setup::new(20);
    let (source, db) = (&setup.source, &setup.db);
    let mut connection = source.connection(2);
    redis::cmd("XADD").arg("events").arg("*").arg("a").arg("1").exec(&mut connection).unwrap();
    let url = source.url();
    let preflight =
        run_json(&["import", "preflight", "--from", &url, "--to", db.to_str().unwrap()]);
    assert_eq!(preflight["type_sample"]["stream"], 1, "{preflight:#}");
    let report = bulk(source, db, "types", &[]);
    assert_eq!(report["run"]["skipped_keys"], 1);
    let verified = verify_full(source, db);
    assert_eq!(verified["by_kind"]["unsupported"], 1, "{verified:#}");

    // A copied key that the source turns into a stream must not keep its old value.
    redis::cmd("DEL").arg("s:1").exec(&mut source.connection(0)).unwrap();
    redis::cmd("XADD")
        .arg("s:1")
        .arg("*")
        .arg("a")
        .arg("1")
        .exec(&mut source.connection(0))
        .unwrap();
    let report = bulk(source, db, "types", &["--rescan"]);
    assert_eq!(report["run"]["skipped_keys"], 2);
    let verified = verify_full(source, db);
    assert_eq!(verified["by_kind"]["unsupported"], 2, "{verified:#}");
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn a_50_mb_hash_is_imported_with_bounded_memory() {
    let source = RedisSource::start();
    let dir = tempfile::tempdir().unwrap();
    let url = source.url();
    let import = |name: &str| {
        let db = dir.path().join(format!("{name}.db"));
        let child = resplite()
            .args(["import", "bulk", "--run-id", name, "--from", &url, "--to"])
            .arg(&db)
            // Small chunks keep what may wait for the committer (8 batches) small next to
            // the difference between the two hashes, even on a loaded machine.
            .args(["--chunk-elements", "200", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let peak = workload::peak_memory_until_exit(child);
        assert!(peak.success, "the import of {name} failed");
        (peak, db)
    };
    // The same import of a 5 MB hash, then of a 50 MB one: memory must not follow the size.
    workload::load_big_hash(&source, "big", 5_000, 1024);
    let (small, _) = import("small");
    redis::cmd("DEL").arg("big").exec(&mut source.connection(0)).unwrap();
    workload::load_big_hash(&source, "big", 50_000, 1024);
    let (large, db) = import("large");
    let grown_kb = large.anonymous_kb.saturating_sub(small.anonymous_kb);
    assert!(
        grown_kb < 16 * 1024,
        "importer heap: {} KB for 5 MB, {} KB for 50 MB",
        small.anonymous_kb,
        large.anonymous_kb
    );
    // Its largest part is a fixed 16 MiB SQLite page cache; far below the hash's size.
    assert!(large.anonymous_kb < 64 * 1024, "importer heap peaked at {} KB", large.anonymous_kb);
    assert!(large.resident_kb < 96 * 1024, "importer RSS peaked at {} KB", large.resident_kb);
    let verified = verify_full(&source, &db);
    assert_eq!(verified["source_keys_checked"], 1);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn one_shot_import_builds_a_new_file_and_refuses_to_overwrite() {
    let setup = Setup::new(200);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let url = source.url();
    let report = run_json(&["import", "run", "--from", &url, "--to", db_arg]);
    assert_eq!(report["keys"].as_u64().unwrap(), workload::total_keys(source));
    verify_full(source, db);
    let refused = run(&["import", "run", "--from", &url, "--to", db_arg]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    let leftovers: Vec<_> = std::fs::read_dir(setup._dir.path())
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().contains("importing"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    run_json(&["import", "run", "--from", &url, "--to", db_arg, "--force"]);
    verify_full(source, db);

    // `--force` replaces a resplite database, never a file of another kind.
    let other = setup._dir.path().join("notes.txt");
    std::fs::write(&other, "not a database\n").unwrap();
    let refused = run(&["import", "run", "--from", &url, "--to", other.to_str().unwrap()]
        .into_iter()
        .chain(["--force"])
        .collect::<Vec<_>>());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a resplite database"));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "not a database\n");
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn a_cutover_that_outlasts_its_pause_refuses_unpaused_and_leaves_a_record() {
    let setup = Setup::new(50);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let _tracker = Tracker::start(source, db, "slow");
    bulk(source, db, "slow", &[]);
    // About 100 writes a second over 1,000 keys, against a final apply throttled to 20 keys
    // a second: the apply cannot catch up within a one-second pause, and once the pause is
    // over it would chase the application's writes for ever.
    run_json(&["import", "set", "--run-id", "slow", "--to", db_arg, "--max-rps", "60"]);
    let writes = BackgroundWrites::start(source, "slow", 1000);
    sleep(Duration::from_millis(1000));
    let mut cutover = spawn_cutover(source, db, "slow", "1s");
    let finished = wait_at_most(&mut cutover, Duration::from_secs(60));
    let mut refusal = String::new();
    std::io::Read::read_to_string(cutover.stderr.as_mut().unwrap(), &mut refusal).unwrap();
    writes.stop();
    let finished = finished.expect("the cutover was still running a minute later");
    assert!(!finished.success());
    assert!(refusal.contains("ran out before the cutover finished"), "{refusal}");
    assert!(refusal.contains("the source was unpaused"), "{refusal}");
    assert_unpaused_and_recorded(source, db, "slow", "the pause");
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn ctrl_c_during_a_throttled_freeze_unpauses_the_source_at_once() {
    let setup = Setup::new(20);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let _tracker = Tracker::start(source, db, "calm");
    bulk(source, db, "calm", &[]);
    // 100 writes a second over 200 keys keep most of them dirty, and the applies take
    // batches of 100 keys (300 commands) at 60 commands a second: the final apply's second
    // batch waits five seconds for its budget, which is where Ctrl+C lands.
    let throttles = ["--max-rps", "60", "--batch-keys", "100"];
    run_json(&[&["import", "set", "--run-id", "calm", "--to", db_arg][..], &throttles].concat());
    let writes = BackgroundWrites::start(source, "calm", 200);
    sleep(Duration::from_millis(2000));
    let mut cutover = spawn_cutover(source, db, "calm", "60s");
    let (lines_sent, lines) = std::sync::mpsc::channel::<String>();
    let stderr = cutover.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let Ok(line) = line else { break };
            let _ = lines_sent.send(line);
        }
    });
    let mut printed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !printed.iter().any(|line: &String| line.contains("applying the remaining dirty keys")) {
        let timeout = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(timeout) {
            Ok(line) => printed.push(line),
            Err(_) => {
                let _ = cutover.kill();
                panic!("the cutover never reached its final apply: {printed:?}");
            }
        }
    }
    sleep(Duration::from_millis(2500));
    let interrupted = Instant::now();
    let _ = Command::new("kill").args(["-INT", &cutover.id().to_string()]).status();
    let finished = wait_at_most(&mut cutover, Duration::from_secs(30));
    let stopped_after = interrupted.elapsed();
    reader.join().unwrap();
    printed.extend(lines.try_iter());
    writes.stop();
    let finished = finished.expect("the cutover was still running 30 s after Ctrl+C");
    assert!(!finished.success());
    // It stops within a throttle's short wait, not after the batch it was waiting for.
    assert!(stopped_after < Duration::from_millis(2500), "{stopped_after:?} {printed:?}");
    let refusal = printed.join("\n");
    assert!(refusal.contains("stopped during the freeze; the source was unpaused"), "{refusal}");
    assert_unpaused_and_recorded(source, db, "calm", "the cutover was stopped");
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn preflight_warns_of_keys_in_databases_past_the_sixteen_served() {
    let source = RedisSource::start_with(&["--databases", "20"]);
    redis::cmd("SET").arg("far").arg("away").exec(&mut source.connection(18)).unwrap();
    redis::cmd("SET").arg("near").arg("by").exec(&mut source.connection(15)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dest.db");
    let url = source.url();
    let preflight =
        run_json(&["import", "preflight", "--from", &url, "--to", db.to_str().unwrap()]);
    let warnings = preflight["warnings"].to_string();
    assert!(warnings.contains("keys in database(s) 18:"), "{preflight:#}");
    assert!(!warnings.contains("15"), "{preflight:#}");
}

/// Waits (at most 30 s) until `ready` holds for the run's status document; a timeout shows
/// the last status seen (a run that failed records why).
fn wait_for_status(db: &Path, run_id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let output =
            run(&["import", "status", "--run-id", run_id, "--to", db.to_str().unwrap(), "--json"]);
        if let Ok(document) = serde_json::from_slice::<Value>(&output.stdout)
            && ready(&document)
        {
            return document;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "status never became ready; the last one: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        sleep(Duration::from_millis(50));
    }
}

fn control(db: &Path, run_id: &str, action: &[&str]) {
    let mut args = vec!["import"];
    args.extend_from_slice(action);
    args.extend_from_slice(&["--run-id", run_id, "--to", db.to_str().unwrap()]);
    run_json(&args);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn pause_resume_set_and_abort_reach_a_running_bulk_within_a_second() {
    let setup = Setup::new(4_000);
    let (source, db) = (&setup.source, &setup.db);
    let total = workload::total_keys(source);
    let db_arg = db.to_str().unwrap();
    let url = source.url();
    let spawn_bulk = |extra: &[&str]| {
        resplite()
            .args(["import", "bulk", "--run-id", "steer", "--from", &url, "--to", db_arg])
            .args(["--scan-count", "50", "--batch-keys", "20"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut bulk_process = spawn_bulk(&["--max-rps", "4000"]);
    wait_for_status(db, "steer", |s| s["run"]["scanned_keys"].as_u64().unwrap_or(0) > 0);
    control(db, "steer", &["pause"]);
    // In-flight batches land within a second; after that nothing moves.
    sleep(Duration::from_millis(1200));
    let paused = status(db, "steer")["run"]["scanned_keys"].as_u64().unwrap();
    sleep(Duration::from_millis(1000));
    assert_eq!(status(db, "steer")["run"]["scanned_keys"].as_u64().unwrap(), paused);
    assert!(paused < total);
    // Lifting the rate limit and resuming lets it finish quickly.
    control(db, "steer", &["set", "--max-rps", "0", "--batch-keys", "200"]);
    control(db, "steer", &["resume"]);
    let finished = wait_for_status(db, "steer", |s| s["run"]["bulk_status"] == "completed");
    assert_eq!(finished["run"]["scanned_keys"].as_u64().unwrap(), total);
    assert_eq!(finished["run"]["throttles"]["max_rps"], 0);
    assert!(bulk_process.wait().unwrap().success());

    // Abort stops a running copy, keeps what it did, and --resume finishes it.
    bulk_process = spawn_bulk(&["--rescan", "--max-rps", "3000"]);
    wait_for_status(db, "steer", |s| {
        s["run"]["bulk_status"] == "running" && s["run"]["scanned_keys"].as_u64().unwrap_or(0) > 0
    });
    let asked = Instant::now();
    control(db, "steer", &["abort"]);
    let status_code = bulk_process.wait().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(3), "abort took {:?}", asked.elapsed());
    assert!(!status_code.success());
    let aborted = status(db, "steer");
    assert_eq!(aborted["run"]["bulk_status"], "aborted", "{aborted:#}");
    let report = bulk(source, db, "steer", &["--resume"]);
    assert_eq!(report["run"]["scanned_keys"].as_u64().unwrap(), total);
    verify_full(source, db);
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn flushall_and_switched_off_notifications_are_gaps() {
    let setup = Setup::new(200);
    let (source, db) = (&setup.source, &setup.db);
    let db_arg = db.to_str().unwrap();
    let url = source.url();
    let _tracker = Tracker::start(source, db, "silent");
    bulk(source, db, "silent", &[]);
    run_json(&["import", "apply-dirty", "--run-id", "silent", "--from", &url, "--to", db_arg]);
    assert_eq!(status(db, "silent")["safe"], true);

    // Notifications switched off: a gap opens and stays open until they are back.
    let mut connection = source.connection(0);
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("notify-keyspace-events")
        .arg("")
        .exec(&mut connection)
        .unwrap();
    let report =
        wait_for_status(db, "silent", |s| s["gaps"].as_array().is_some_and(|g| !g.is_empty()));
    assert_eq!(report["safe"], false);
    assert_eq!(report["gaps"][0]["ended_at"], Value::Null, "{report:#}");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("notify-keyspace-events")
        .arg("AE")
        .exec(&mut connection)
        .unwrap();
    wait_for_status(db, "silent", |s| s["gaps"][0]["ended_at"].is_number());

    // FLUSHALL sends no per-key events; the tracker sees it in INFO commandstats.
    redis::cmd("FLUSHALL").exec(&mut connection).unwrap();
    let report = wait_for_status(db, "silent", |s| {
        s["gaps"].as_array().is_some_and(|gaps| {
            gaps.iter().any(|gap| gap["reason"].as_str().unwrap_or("").contains("FLUSHALL"))
        })
    });
    assert_eq!(report["safe"], false);

    // A rescan copies nothing and prunes everything: the destination is empty like the source.
    let rescan = bulk(source, db, "silent", &["--rescan"]);
    assert!(rescan["run"]["pruned_keys"].as_u64().unwrap() > 1000, "{rescan:#}");
    let report = wait_for_status(db, "silent", |s| s["safe"] == true);
    assert!(report["gaps"].as_array().unwrap().iter().all(|gap| gap["covered"] == true));
    let verified = verify_full(source, db);
    assert_eq!(verified["destination_keys_checked"], 0);

    // Stopping the tracker is clean, and leaves the run unsafe again.
    let stopped = run_json(&["tracker", "stop", "--run-id", "silent", "--to", db_arg]);
    assert_eq!(stopped["stopped"], true);
    let report = status(db, "silent");
    assert_eq!(report["safe"], false);
    assert_eq!(report["tracker_alive"], false);
}
