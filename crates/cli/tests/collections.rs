//! Collections through the real binary: what the oracle cannot check against Redis 7.0
//! (options of later Redis versions), and collections surviving a restart.

mod common;

use common::ServerProcess;

#[test]
fn hscan_novalues_returns_fields_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("novalues.db"), &[]);
    let mut connection = server.connection();
    let _: i64 =
        redis::cmd("HSET").arg("h").arg(&["a", "1", "b", "2"]).query(&mut connection).unwrap();
    let (cursor, mut fields): (String, Vec<String>) =
        redis::cmd("HSCAN").arg("h").arg(0).arg("NOVALUES").query(&mut connection).unwrap();
    fields.sort();
    assert_eq!((cursor.as_str(), fields), ("0", vec!["a".to_owned(), "b".to_owned()]));
    let (_, pairs): (String, Vec<String>) =
        redis::cmd("HSCAN").arg("h").arg(0).arg("MATCH").arg("a").query(&mut connection).unwrap();
    assert_eq!(pairs, ["a", "1"]);
}

#[test]
fn collections_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("restart.db");
    {
        let server = ServerProcess::start(&path, &[]);
        let mut connection = server.connection();
        let fields: Vec<String> = (0..2_000).map(|index| format!("f{index}")).collect();
        let mut command = redis::cmd("HSET");
        command.arg("big");
        for field in &fields {
            command.arg(field).arg("v");
        }
        let added: i64 = command.query(&mut connection).unwrap();
        assert_eq!(added, 2_000);
        let _: i64 =
            redis::cmd("HSET").arg("small").arg("x").arg("1").query(&mut connection).unwrap();
        let _: i64 = redis::cmd("EXPIRE").arg("small").arg(1000).query(&mut connection).unwrap();
        server.signal("TERM");
    }
    let server = ServerProcess::start(&path, &[]);
    let mut connection = server.connection();
    let length: i64 = redis::cmd("HLEN").arg("big").query(&mut connection).unwrap();
    let value: String = redis::cmd("HGET").arg("small").arg("x").query(&mut connection).unwrap();
    let ttl: i64 = redis::cmd("TTL").arg("small").query(&mut connection).unwrap();
    assert_eq!((length, value.as_str()), (2_000, "1"));
    assert!((990..=1000).contains(&ttl), "ttl {ttl}");
}
