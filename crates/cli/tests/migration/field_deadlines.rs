//! Importing hash fields with deadlines (Redis 7.4) from a Redis 8 source.

use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::ServerProcess;
use crate::redis_source::RedisSource;
use crate::{Tracker, bulk, run, run_json, status, verify_full};

/// 2100-01-01 in Unix milliseconds: a deadline that never passes during the test.
const FAR: i64 = 4_102_444_800_000;

fn deadlines(connection: &mut redis::Connection, key: &str, fields: &[String]) -> Vec<i64> {
    redis::cmd("HPEXPIRETIME")
        .arg(key)
        .arg("FIELDS")
        .arg(fields.len())
        .arg(fields)
        .query(connection)
        .unwrap()
}

#[test]
#[ignore = "needs Redis 8; `cargo xtask ci` runs it"]
fn field_deadlines_are_imported_and_verified() {
    let source = RedisSource::start_redis8();
    let mut origin = source.connection(0);
    redis::cmd("HSET")
        .arg("small")
        .arg(&["a", "1", "b", "2", "c", "3"][..])
        .exec(&mut origin)
        .unwrap();
    redis::cmd("HPEXPIREAT")
        .arg("small")
        .arg(FAR)
        .arg("FIELDS")
        .arg(1)
        .arg("a")
        .exec(&mut origin)
        .unwrap();
    redis::cmd("HPEXPIREAT")
        .arg("small")
        .arg(FAR + 123)
        .arg("FIELDS")
        .arg(1)
        .arg("b")
        .exec(&mut origin)
        .unwrap();
    // Read in three chunks of about 1,000 fields; every seventh has a deadline of its own.
    let big: Vec<String> = (0..3000).map(|n| format!("f{n}")).collect();
    for chunk in big.chunks(500) {
        let mut command = redis::cmd("HSET");
        command.arg("big");
        for field in chunk {
            command.arg(field).arg("v");
        }
        command.exec(&mut origin).unwrap();
    }
    for (n, field) in big.iter().enumerate().step_by(7) {
        let at = FAR + n as i64;
        redis::cmd("HPEXPIREAT")
            .arg("big")
            .arg(at)
            .arg("FIELDS")
            .arg(1)
            .arg(field)
            .exec(&mut origin)
            .unwrap();
    }
    // A field about to expire: copied with its deadline, then gone on both sides.
    redis::cmd("HSET").arg("brief").arg(&["x", "1", "y", "2"][..]).exec(&mut origin).unwrap();
    redis::cmd("HPEXPIRE")
        .arg("brief")
        .arg(1500)
        .arg("FIELDS")
        .arg(1)
        .arg("x")
        .exec(&mut origin)
        .unwrap();
    let expires = Instant::now() + Duration::from_millis(1500);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fields.db");
    let url = source.url();
    run_json(&["import", "run", "--from", &url, "--to", db.to_str().unwrap()]);
    verify_full(&source, &db);

    let server = ServerProcess::start(&db, &[]);
    let mut imported = server.connection();
    let small: Vec<String> = ["a", "b", "c"].iter().map(|field| field.to_string()).collect();
    assert_eq!(deadlines(&mut imported, "small", &small), vec![FAR, FAR + 123, -1]);
    assert_eq!(deadlines(&mut imported, "big", &big), deadlines(&mut origin, "big", &big));
    let brief: Vec<String> = vec!["x".into(), "y".into()];
    assert_eq!(deadlines(&mut imported, "brief", &brief), deadlines(&mut origin, "brief", &brief));
    while Instant::now() < expires + Duration::from_millis(200) {
        sleep(Duration::from_millis(50));
    }
    let left: Vec<String> = redis::cmd("HKEYS").arg("brief").query(&mut imported).unwrap();
    assert_eq!(left, vec!["y"]);

    // A deadline lost in the destination is a difference that verify names.
    redis::cmd("HPERSIST").arg("big").arg("FIELDS").arg(1).arg("f700").exec(&mut imported).unwrap();
    drop(server);
    let output = run(&["import", "verify", "--from", &url, "--to", db.to_str().unwrap(), "--full"]);
    assert!(!output.status.success(), "verify missed a lost field deadline");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("f700"), "{printed}");
}

#[test]
#[ignore = "needs Redis 8; `cargo xtask ci` runs it"]
fn deadlines_given_during_a_live_migration_follow_through_the_tracker() {
    let source = RedisSource::start_redis8();
    let mut origin = source.connection(0);
    redis::cmd("HSET").arg("h").arg(&["a", "1", "b", "2", "c", "3"][..]).exec(&mut origin).unwrap();
    redis::cmd("HPEXPIREAT")
        .arg("h")
        .arg(FAR)
        .arg("FIELDS")
        .arg(1)
        .arg("c")
        .exec(&mut origin)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let url = source.url();
    let _tracker = Tracker::start(&source, &db, "fields");
    bulk(&source, &db, "fields", &[]);

    let seen = |db: &std::path::Path| status(db, "fields")["run"]["dirty_keys_seen"].as_i64();
    let seen_before = seen(&db).unwrap_or(0);
    // Changes that touch only deadlines are keyspace events (hexpire, hpersist) too.
    redis::cmd("HPEXPIREAT")
        .arg("h")
        .arg(FAR + 5)
        .arg("FIELDS")
        .arg(1)
        .arg("a")
        .exec(&mut origin)
        .unwrap();
    redis::cmd("HPERSIST").arg("h").arg("FIELDS").arg(1).arg("c").exec(&mut origin).unwrap();
    let give_up = Instant::now() + Duration::from_secs(10);
    while seen(&db).unwrap_or(0) < seen_before + 2 {
        assert!(Instant::now() < give_up, "the tracker never saw both changes");
        sleep(Duration::from_millis(50));
    }
    run_json(&[
        "import",
        "apply-dirty",
        "--run-id",
        "fields",
        "--from",
        &url,
        "--to",
        db.to_str().unwrap(),
    ]);
    verify_full(&source, &db);
    drop(_tracker);
    let server = ServerProcess::start(&db, &[]);
    let fields: Vec<String> = ["a", "b", "c"].iter().map(|field| field.to_string()).collect();
    assert_eq!(deadlines(&mut server.connection(), "h", &fields), vec![FAR + 5, -1, -1]);
}
