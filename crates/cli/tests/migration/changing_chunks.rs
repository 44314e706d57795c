//! A large collection that changes on the source between two of the chunks `import bulk`
//! reads it in: deleted, it is not left partly copied; retyped, it is an error.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{self, ServerProcess, resplite};
use crate::redis_source::RedisSource;

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn a_collection_that_changes_type_between_its_chunks_is_an_error_not_a_partial_copy() {
    let source = RedisSource::start();
    let fields: Vec<(String, u32)> = (0..8_000).map(|index| (format!("f{index}"), index)).collect();
    redis::cmd("HSET").arg("changing").arg(&fields).exec(&mut source.connection(0)).unwrap();
    // In one transaction: a chunk read between a separate DEL and RPUSH would find no key at
    // all, which is another case (a key deleted while it is copied), not a change of type.
    let mut retype = redis::pipe();
    retype.atomic().cmd("DEL").arg("changing").cmd("RPUSH").arg("changing").arg("now").arg("a");
    let (report, db, _dir) = bulk_while_changing(&source, "changing", &retype);
    assert_eq!(report["run"]["error_keys"], 1, "{report:#}");
    assert_eq!(report["run"]["migrated_keys"], 0, "{report:#}");
    assert_not_copied(&db, "changing");
}

#[test]
#[ignore = "needs redis-server; `cargo xtask ci` runs it"]
fn a_collection_deleted_between_its_chunks_is_not_left_partly_copied() {
    let source = RedisSource::start();
    let items: Vec<String> = (0..8_000).map(|index| format!("item{index}")).collect();
    redis::cmd("RPUSH").arg("going").arg(&items).exec(&mut source.connection(0)).unwrap();
    let mut delete = redis::pipe();
    delete.cmd("DEL").arg("going");
    let (report, db, _dir) = bulk_while_changing(&source, "going", &delete);
    // The source no longer has the key, so neither does the copy, and nothing went wrong.
    assert_eq!(report["run"]["error_keys"], 0, "{report:#}");
    assert_eq!(report["run"]["migrated_keys"], 0, "{report:#}");
    assert_not_copied(&db, "going");
}

/// Runs a slow `import bulk` of `source` (chunks of 100 elements at 20 commands a second) and
/// sends `change` once the first chunks of `key` are in the destination; answers the bulk's
/// report and the destination (with the directory holding it).
fn bulk_while_changing(
    source: &RedisSource,
    key: &str,
    change: &redis::Pipeline,
) -> (Value, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dest.db");
    let (url, db_arg) = (source.url(), db.to_str().unwrap().to_owned());
    let child = resplite()
        .args(["import", "bulk", "--run-id", "changing", "--from", &url, "--to", &db_arg])
        .args(["--chunk-elements", "100", "--max-rps", "20", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The counters move only when the key is done, so look at the destination itself.
    let started = Instant::now();
    loop {
        let copied = db.exists().then(|| {
            let store = resplite_server::Store::open(&db).ok()?;
            store.read(|reader| reader.exists(0, &[key.as_bytes()])).ok()
        });
        if copied.flatten().unwrap_or(0) > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the copy never started");
        sleep(Duration::from_millis(20));
    }
    change.exec(&mut source.connection(0)).unwrap();
    let output = child.wait_with_output().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (report, db, dir)
}

/// No part of `key` is left in the destination, which is consistent.
fn assert_not_copied(db: &Path, key: &str) {
    let server = ServerProcess::start(db, &[]);
    let exists: i64 = redis::cmd("EXISTS").arg(key).query(&mut server.connection()).unwrap();
    assert_eq!(exists, 0);
    drop(server);
    let (consistent, checked) = common::check(db);
    assert!(consistent, "{checked}");
}
