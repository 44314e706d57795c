//! INFO, the command statistics, the slow log, DEBUG SLEEP and LASTSAVE, checked on the
//! real binary.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::ServerProcess;

/// An `INFO` reply as (section title, fields in order).
type Sections = Vec<(String, Vec<(String, String)>)>;

fn info(connection: &mut redis::Connection, sections: &[&str]) -> Sections {
    let text: String = redis::cmd("INFO").arg(sections).query(connection).unwrap();
    parse_info(&text)
}

/// Parses Redis's INFO layout strictly: `# Title` headers, `name:value` lines, CRLF line
/// ends, one blank line between sections and none at the end.
fn parse_info(text: &str) -> Sections {
    assert!(text.is_empty() || text.ends_with("\r\n"), "INFO must end with CRLF");
    let mut sections: Sections = Vec::new();
    let mut expect_header = true;
    for line in text.split("\r\n").take(text.matches("\r\n").count()) {
        assert!(!line.contains('\n'), "bare LF in {line:?}");
        if line.is_empty() {
            assert!(!expect_header, "two blank lines in a row");
            expect_header = true;
            continue;
        }
        if expect_header {
            let title = line.strip_prefix("# ").unwrap_or_else(|| panic!("header: {line:?}"));
            sections.push((title.to_string(), Vec::new()));
            expect_header = false;
            continue;
        }
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("field: {line:?}"));
        sections.last_mut().unwrap().1.push((name.to_string(), value.to_string()));
    }
    sections
}

fn titles(sections: &Sections) -> Vec<&str> {
    sections.iter().map(|(title, _)| title.as_str()).collect()
}

fn fields(sections: &Sections, title: &str) -> BTreeMap<String, String> {
    let (_, fields) = sections.iter().find(|(found, _)| found == title).unwrap();
    fields.iter().cloned().collect()
}

fn number(fields: &BTreeMap<String, String>, name: &str) -> f64 {
    let value = fields.get(name).unwrap_or_else(|| panic!("no field {name}"));
    value.parse().unwrap_or_else(|_| panic!("{name} is not a number: {value}"))
}

#[test]
fn info_has_redis_sections_in_order_with_real_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("info.db"), &[]);
    let mut connection = server.connection();
    for n in 0..20 {
        let _: () = redis::cmd("SET").arg(format!("k{n}")).arg("v").query(&mut connection).unwrap();
    }
    let _: () = redis::cmd("EXPIRE").arg("k0").arg(1000).query(&mut connection).unwrap();
    let _ = redis::cmd("INCR").arg("k1").query::<i64>(&mut connection).unwrap_err();
    let _ = redis::cmd("GET").query::<String>(&mut connection).unwrap_err();

    // Redis's order; INFO without arguments leaves out the two per-command sections.
    let every_section = [
        "Server",
        "Clients",
        "Memory",
        "Persistence",
        "Stats",
        "Replication",
        "CPU",
        "Modules",
        "Commandstats",
        "Errorstats",
        "Latencystats",
        "Cluster",
        "Keyspace",
    ];
    let default = info(&mut connection, &[]);
    let mut expected = every_section.to_vec();
    expected.retain(|title| !["Commandstats", "Latencystats"].contains(title));
    assert_eq!(titles(&default), expected);
    assert_eq!(titles(&info(&mut connection, &["default"])), titles(&default));
    let all = info(&mut connection, &["all"]);
    assert_eq!(titles(&all), every_section);
    assert_eq!(titles(&info(&mut connection, &["everything"])), titles(&all));
    assert_eq!(titles(&info(&mut connection, &["KEYSPACE", "server"])), ["Server", "Keyspace"]);
    assert_eq!(titles(&info(&mut connection, &["default", "commandstats"])).len(), 12);
    assert!(info(&mut connection, &["nosuchsection"]).is_empty());

    let server_fields = fields(&all, "Server");
    assert_eq!(server_fields["redis_version"], "7.0.15");
    assert_eq!(number(&server_fields, "tcp_port") as u16, server.port);
    assert_eq!(number(&server_fields, "process_id") as u32, server.child.id());
    assert_eq!(server_fields["run_id"].len(), 40);
    assert_eq!(server_fields["config_file"], "");

    let clients = fields(&all, "Clients");
    assert_eq!(number(&clients, "connected_clients"), 1.0);
    assert_eq!(number(&clients, "maxclients"), 10_000.0);

    let memory = fields(&all, "Memory");
    assert!(number(&memory, "used_memory_rss") > 1_000_000.0);
    assert!(number(&memory, "used_memory_peak") >= number(&memory, "used_memory"));
    assert!(memory["used_memory_human"].ends_with('M'), "{memory:?}");
    assert_eq!(memory["maxmemory_policy"], "noeviction");

    let persistence = fields(&all, "Persistence");
    assert_eq!(persistence["loading"], "0");
    assert!(number(&persistence, "resplite_database_bytes") > 0.0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as f64;
    assert!((now - number(&persistence, "rdb_last_save_time")).abs() < 60.0);

    let stats = fields(&all, "Stats");
    assert!(number(&stats, "total_commands_processed") >= 25.0);
    assert!(number(&stats, "total_connections_received") >= 1.0);
    assert!(number(&stats, "instantaneous_ops_per_sec") >= 0.0);
    assert_eq!(number(&stats, "total_error_replies"), 2.0);

    let replication = fields(&all, "Replication");
    assert_eq!(replication["role"], "master");
    assert_eq!(replication["connected_slaves"], "0");
    assert_eq!(replication["master_replid"].len(), 40);

    let cpu = fields(&all, "CPU");
    assert_eq!(cpu["used_cpu_user"].split('.').nth(1).map(str::len), Some(6));
    // CPU time is counted in 10 ms ticks: keep the server busy until one shows.
    let started = Instant::now();
    loop {
        let cpu = fields(&info(&mut connection, &["cpu"]), "CPU");
        if number(&cpu, "used_cpu_user") + number(&cpu, "used_cpu_sys") > 0.0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no CPU time reported: {cpu:?}");
    }

    let commands = fields(&all, "Commandstats");
    let set = &commands["cmdstat_set"];
    assert!(set.starts_with("calls=20,usec="), "{set}");
    assert!(set.ends_with(",rejected_calls=0,failed_calls=0"), "{set}");
    assert!(commands["cmdstat_incr"].ends_with("failed_calls=1"), "{commands:?}");
    assert!(
        commands["cmdstat_get"].contains("calls=0,")
            && commands["cmdstat_get"].contains("rejected_calls=1")
    );
    assert_eq!(fields(&all, "Errorstats")["errorstat_ERR"], "count=2");

    assert_eq!(fields(&all, "Keyspace")["db0"], "keys=20,expires=1,avg_ttl=0");
    assert_eq!(fields(&all, "Cluster")["cluster_enabled"], "0");

    // CONFIG RESETSTAT forgets the counts.
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut connection).unwrap();
    let reset = info(&mut connection, &["commandstats", "errorstats", "stats"]);
    let commands = fields(&reset, "Commandstats");
    assert!(!commands.contains_key("cmdstat_set"), "{commands:?}");
    assert!(commands.contains_key("cmdstat_config|resetstat"), "{commands:?}");
    assert!(fields(&reset, "Errorstats").is_empty());
    assert!(number(&fields(&reset, "Stats"), "total_commands_processed") <= 2.0);
}

/// Sends `request` on `stream` and reads one reply, a simple string or a bulk string;
/// answers the reply's bytes as sent.
fn round_trip(stream: &mut TcpStream, request: &[u8]) -> Vec<u8> {
    stream.write_all(request).unwrap();
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n") {
        stream.read_exact(&mut byte).unwrap();
        reply.push(byte[0]);
    }
    if let Some(length) = reply.strip_prefix(b"$") {
        let length: usize =
            std::str::from_utf8(&length[..length.len() - 2]).unwrap().parse().unwrap();
        let mut body = vec![0u8; length + 2];
        stream.read_exact(&mut body).unwrap();
        reply.extend_from_slice(&body);
    }
    reply
}

#[test]
fn info_counts_the_bytes_read_from_and_written_to_clients() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("traffic.db"), &[]);
    // One raw connection and nothing else, so every byte is accounted for.
    let mut stream = server.raw();
    let info_request = b"*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n";
    let before = round_trip(&mut stream, info_request);
    let value = "v".repeat(1000);
    let set_request = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000\r\n{value}\r\n");
    assert_eq!(round_trip(&mut stream, set_request.as_bytes()), b"+OK\r\n");
    let after = round_trip(&mut stream, info_request);
    let stats = |reply: &[u8]| {
        let text = String::from_utf8(reply.to_vec()).unwrap();
        let body = text.split_once("\r\n").unwrap().1.trim_end_matches("\r\n").to_owned();
        fields(&parse_info(&(body + "\r\n")), "Stats")
    };
    let (before_stats, after_stats) = (stats(&before), stats(&after));
    let grew = |name: &str| number(&after_stats, name) - number(&before_stats, name);
    // In: the SET and the second INFO (read before it answers). Out: the first INFO's whole
    // reply and the SET's (the second INFO's is written after it is made).
    assert_eq!(grew("total_net_input_bytes"), (set_request.len() + info_request.len()) as f64);
    assert_eq!(grew("total_net_output_bytes"), (before.len() + 5) as f64);
    assert_eq!(grew("total_writes_processed"), 2.0);
    let reads = grew("total_reads_processed");
    assert!((1.0..=1026.0).contains(&reads), "{reads}");
    assert!(number(&after_stats, "instantaneous_input_kbps") > 0.0, "{after_stats:?}");
    assert!(number(&after_stats, "instantaneous_output_kbps") > 0.0, "{after_stats:?}");
    assert_eq!(after_stats["total_net_repl_input_bytes"], "0");
    // CONFIG RESETSTAT zeroes them.
    let reset = b"*2\r\n$6\r\nCONFIG\r\n$9\r\nRESETSTAT\r\n";
    assert_eq!(round_trip(&mut stream, reset), b"+OK\r\n");
    let zeroed = stats(&round_trip(&mut stream, info_request));
    // Only the INFO request itself has been read since.
    assert_eq!(number(&zeroed, "total_net_input_bytes"), info_request.len() as f64);
    assert_eq!(number(&zeroed, "total_net_output_bytes"), 5.0);
}

#[test]
fn info_counts_keys_deleted_because_they_expired() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("expired.db"), &[]);
    let mut connection = server.connection();
    for key in ["a", "b", "c"] {
        let _: () =
            redis::cmd("SET").arg(key).arg("v").arg("PX").arg(1).query(&mut connection).unwrap();
    }
    let _: () =
        redis::cmd("SET").arg("kept").arg("v").arg("EX").arg(100).query(&mut connection).unwrap();
    // A write that meets an expired key deletes it; the sweeper deletes the others.
    thread::sleep(Duration::from_millis(20));
    let _: i64 = redis::cmd("APPEND").arg("a").arg("new").query(&mut connection).unwrap();
    let started = Instant::now();
    loop {
        let expired = number(&fields(&info(&mut connection, &["stats"]), "Stats"), "expired_keys");
        if expired == 3.0 {
            break;
        }
        assert!(expired < 3.0, "{expired} keys counted as expired");
        assert!(started.elapsed() < Duration::from_secs(10), "only {expired} counted");
        thread::sleep(Duration::from_millis(20));
    }
    let keys: i64 = redis::cmd("DBSIZE").query(&mut connection).unwrap();
    assert_eq!(keys, 2, "the new a and kept");
}

#[test]
fn debug_sleep_delays_only_its_client_and_enters_the_slow_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("sleep.db"), &[]);
    let mut sleeper = server.connection();
    let _: () = redis::cmd("CLIENT").arg("SETNAME").arg("sleepy").query(&mut sleeper).unwrap();
    let started = Instant::now();
    let sleeping = thread::spawn(move || {
        let reply: String =
            redis::cmd("DEBUG").arg("SLEEP").arg("0.5").query(&mut sleeper).unwrap();
        (reply, started.elapsed())
    });
    thread::sleep(Duration::from_millis(100));
    let mut other = server.connection();
    let ping_started = Instant::now();
    for n in 0..20 {
        let _: () = redis::cmd("SET").arg(format!("k{n}")).arg(n).query(&mut other).unwrap();
        let _: i64 = redis::cmd("GET").arg(format!("k{n}")).query(&mut other).unwrap();
    }
    assert!(ping_started.elapsed() < Duration::from_millis(300), "others were held up");
    let (reply, elapsed) = sleeping.join().unwrap();
    assert_eq!(reply, "OK");
    assert!(elapsed >= Duration::from_millis(500), "{elapsed:?}");

    let entries: redis::Value = redis::cmd("SLOWLOG").arg("GET").query(&mut other).unwrap();
    let redis::Value::Array(entries) = entries else { panic!("{entries:?}") };
    assert_eq!(entries.len(), 1, "{entries:?}");
    let redis::Value::Array(entry) = &entries[0] else { panic!() };
    let redis::Value::Int(micros) = entry[2] else { panic!() };
    assert!(micros >= 500_000, "{micros}");
    let words: Vec<String> = redis::from_redis_value(entry[3].clone()).unwrap();
    assert_eq!(words, ["DEBUG", "SLEEP", "0.5"]);
    let peer: String = redis::from_redis_value(entry[4].clone()).unwrap();
    assert!(peer.starts_with("127.0.0.1:"), "{peer}");
    let name: String = redis::from_redis_value(entry[5].clone()).unwrap();
    assert_eq!(name, "sleepy");
    let length: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut other).unwrap();
    assert_eq!(length, 1);

    let other_error = redis::cmd("DEBUG").arg("OBJECT").arg("k1").query::<String>(&mut other);
    assert!(other_error.unwrap_err().to_string().contains("Try DEBUG HELP"));
}

#[test]
fn lastsave_is_when_data_last_reached_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("lastsave.db"), &[]);
    let mut connection = server.connection();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut connection).unwrap();
    let last_save: i64 = redis::cmd("LASTSAVE").query(&mut connection).unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((now - last_save).abs() <= 2, "{last_save} vs {now}");
}

/// The entries of a map reply, whether it came as a RESP3 map or a RESP2 flat array.
fn map_entries(value: &redis::Value) -> Vec<(redis::Value, redis::Value)> {
    match value {
        redis::Value::Map(entries) => entries.clone(),
        redis::Value::Array(flat) => {
            flat.chunks_exact(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect()
        }
        other => panic!("not a map: {other:?}"),
    }
}

fn text(value: &redis::Value) -> String {
    redis::from_redis_value(value.clone()).unwrap()
}

#[test]
fn every_subcommand_that_command_docs_lists_is_served_and_counted_as_itself() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("docs.db"), &[]);
    let mut connection = server.connection();
    let docs: redis::Value = redis::cmd("COMMAND").arg("DOCS").query(&mut connection).unwrap();
    let mut subcommands = Vec::new();
    for (_, entry) in map_entries(&docs) {
        for (field, value) in map_entries(&entry) {
            if text(&field) == "subcommands" {
                subcommands.extend(map_entries(&value).iter().map(|(name, _)| text(name)));
            }
        }
    }
    assert!(subcommands.len() >= 40, "{subcommands:?}");
    assert!(subcommands.contains(&"pubsub|numpat".to_owned()), "{subcommands:?}");

    // Each is sent without arguments: an arity error is fine, an unknown subcommand is not.
    for name in &subcommands {
        let (container, subcommand) = name.split_once('|').unwrap();
        let reply = redis::cmd(container).arg(subcommand).query::<redis::Value>(&mut connection);
        if let Err(error) = reply {
            assert!(!error.to_string().contains("unknown subcommand"), "{name}: {error}");
        }
    }

    // Each subcommand counts under its own name; an unknown one or a wrong count is refused
    // before it runs, as in Redis: a rejected call of the subcommand, or only an error.
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut connection).unwrap();
    let _: i64 = redis::cmd("PUBSUB").arg("NUMPAT").query(&mut connection).unwrap();
    let _: i64 = redis::cmd("COMMAND").arg("COUNT").query(&mut connection).unwrap();
    let refused = redis::cmd("OBJECT").arg("HELP").arg("extra").query::<String>(&mut connection);
    assert!(refused.unwrap_err().to_string().contains("'object|help'"));
    let unknown = redis::cmd("CONFIG").arg("nosuch").query::<String>(&mut connection);
    assert!(
        unknown.unwrap_err().to_string().contains("unknown subcommand 'nosuch'. Try CONFIG HELP.")
    );
    let sections = info(&mut connection, &["commandstats", "errorstats"]);
    let stats = fields(&sections, "Commandstats");
    for name in ["cmdstat_pubsub|numpat", "cmdstat_command|count"] {
        let tally = stats.get(name).unwrap_or_else(|| panic!("{name} missing from {stats:?}"));
        assert!(tally.starts_with("calls=1,"), "{name}: {tally}");
    }
    let object_help = &stats["cmdstat_object|help"];
    assert!(object_help.starts_with("calls=0,"), "{object_help}");
    assert!(object_help.contains("rejected_calls=1,failed_calls=0"), "{object_help}");
    assert!(!stats.keys().any(|name| name.contains("nosuch")), "{stats:?}");
    assert!(!stats.contains_key("cmdstat_config"), "{stats:?}");
    assert_eq!(fields(&sections, "Errorstats")["errorstat_ERR"], "count=2");
}
