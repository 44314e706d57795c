//! `resplite check`: a healthy file passes, a broken one is reported with exit code 1, and a
//! missing one is an error that creates nothing.

mod common;

use common::{ServerProcess, check, resplite};

#[test]
fn a_file_written_by_the_server_passes_and_a_broken_length_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("checked.db");
    let server = ServerProcess::start(&db, &[]);
    let mut connection = server.connection();
    let _: () =
        redis::cmd("HSET").arg("h").arg("a").arg(1).arg("b").arg(2).query(&mut connection).unwrap();
    let _: () = redis::cmd("ZADD").arg("z").arg(1).arg("x").query(&mut connection).unwrap();
    let _: () = redis::cmd("RPUSH").arg("l").arg("p").arg("q").query(&mut connection).unwrap();

    // While the server runs, as a user would check a live file.
    let (passed, report) = check(&db);
    assert!(passed, "{report}");
    assert_eq!(
        report.lines().last().unwrap(),
        format!("ok: {} (3 key rows, 5 elements)", db.display())
    );

    corrupt(&db, "UPDATE keys SET length = 7 WHERE key = CAST('h' AS BLOB)");
    let (passed, report) = check(&db);
    assert!(!passed, "{report}");
    assert!(report.contains("collection length: id="), "{report}");
    assert!(report.contains("length=7 counted=2"), "{report}");
    assert!(report.trim_end().ends_with("1 problem(s) (3 key rows, 5 elements)"), "{report}");
}

#[test]
fn a_missing_file_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("absent.db");
    let output = resplite().args(["check", "--db"]).arg(&db).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a file"));
    assert!(!db.exists());
}

/// Breaks the file behind the server's back: raw SQL through a second store on it.
fn corrupt(db: &std::path::Path, sql: &'static str) {
    let store = resplite_server::Store::open(db).unwrap();
    assert_eq!(store.write(move |writer| writer.execute_sql(sql, &[])).unwrap(), 1);
}
