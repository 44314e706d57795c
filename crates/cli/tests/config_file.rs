//! `resplite serve --config`: a Redis-style config file applied at start-up, overridden by
//! the command line, reported by `CONFIG GET` and rewritten by `CONFIG REWRITE`.

mod common;

use std::fs;

use common::{ServerProcess, free_port, resplite};

fn config_get(connection: &mut redis::Connection, name: &str) -> String {
    let pair: Vec<String> = redis::cmd("CONFIG").arg("GET").arg(name).query(connection).unwrap();
    assert_eq!(pair.len(), 2, "{pair:?}");
    pair[1].clone()
}

#[test]
fn the_config_file_sets_parameters_and_the_command_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resplite.conf");
    let text = "# resplite settings\n\
                port 1\n\
                timeout 30\n\
                notify-keyspace-events \"KEA\"\n\
                maxclients 3\n\
                client-output-buffer-limit pubsub 64mb 16mb 60\n\
                slowlog-max-len 7\n\
                daemonize no\n";
    fs::write(&path, text).unwrap();
    let config = path.to_str().unwrap();
    let server =
        ServerProcess::start(&dir.path().join("conf.db"), &["--config", config, "--timeout", "5"]);
    let mut connection = server.connection();
    assert_eq!(config_get(&mut connection, "timeout"), "5");
    assert_eq!(config_get(&mut connection, "notify-keyspace-events"), "AKE");
    assert_eq!(config_get(&mut connection, "slowlog-max-len"), "7");
    assert_eq!(config_get(&mut connection, "port"), server.port.to_string());
    assert_eq!(config_get(&mut connection, "dbfilename"), "conf.db");
    assert!(
        config_get(&mut connection, "client-output-buffer-limit")
            .ends_with("pubsub 67108864 16777216 60")
    );
    let info: String = redis::cmd("INFO").arg("server").query(&mut connection).unwrap();
    assert!(info.contains(&format!("config_file:{}\r\n", path.display())), "{info}");

    // maxclients from the file is enforced (this connection is one of the three).
    let _second = server.connection();
    let _third = server.connection();
    let mut fourth = server.raw();
    let refused = common::read_until_closed(&mut fourth, std::time::Duration::from_secs(2));
    assert_eq!(refused, b"-ERR max number of clients reached\r\n");
    drop(_third);

    // CONFIG REWRITE keeps the comment and unknown lines and records the new values.
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("notify-keyspace-events")
        .arg("Ex")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .query(&mut connection)
        .unwrap();
    let _: () = redis::cmd("CONFIG").arg("REWRITE").query(&mut connection).unwrap();
    let rewritten = fs::read_to_string(&path).unwrap();
    assert!(rewritten.starts_with("# resplite settings\n"), "{rewritten}");
    assert!(rewritten.contains(&format!("\nport {}\n", server.port)), "{rewritten}");
    assert!(rewritten.contains("\ntimeout 5\n"), "{rewritten}");
    assert!(rewritten.contains("\nnotify-keyspace-events xE\n"), "{rewritten}");
    assert!(rewritten.contains("\ndaemonize no\n"), "{rewritten}");
    assert!(rewritten.ends_with("maxmemory-policy allkeys-lru\n"), "{rewritten}");
}

#[test]
fn a_bad_config_file_stops_the_start_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.conf");
    fs::write(&path, "timeout 10\n\nfrobnicate yes\n").unwrap();
    let output = resplite()
        .args(["serve", "--port", &free_port().to_string(), "--config"])
        .arg(&path)
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.conf, line 3: unknown option 'frobnicate'"), "stderr: {stderr}");
    assert!(!dir.path().join("x.db").exists(), "nothing was created");
}

#[test]
fn config_rewrite_without_a_config_file_is_redis_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("plain.db"), &[]);
    let mut connection = server.connection();
    let error = redis::cmd("CONFIG").arg("REWRITE").query::<()>(&mut connection).unwrap_err();
    assert!(error.to_string().contains("The server is running without a config file"), "{error}");
}

#[cfg(target_os = "linux")]
#[test]
fn the_writer_stops_spinning_when_writes_stop() {
    let dir = tempfile::tempdir().unwrap();
    // The longest window: a writer that kept spinning would spin through all of every
    // sweep interval (100 ms). It may spin through the first one after the last write.
    let server = ServerProcess::start(&dir.path().join("spin.db"), &["--writer-spin-us", "100000"]);
    let mut connection = server.connection();
    assert_eq!(config_get(&mut connection, "writer-spin-us"), "100000");
    // One client writing back to back keeps the gaps between the writer's jobs short, so the
    // writer spins between them; then the writes stop.
    for n in 0..3000 {
        let () = redis::cmd("SET").arg(n).arg(n).query(&mut connection).unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = cpu_ticks_of_thread(server.child.id(), "resplite-writer").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let after = cpu_ticks_of_thread(server.child.id(), "resplite-writer").unwrap();
    // A writer still spinning would use about 100 ticks (a whole CPU for a second).
    assert!(after - before < 20, "the idle writer used {} ticks in a second", after - before);

    let default = ServerProcess::start(&dir.path().join("default.db"), &[]);
    assert_eq!(config_get(&mut default.connection(), "writer-spin-us"), "1000");
}

/// User plus system CPU time, in clock ticks, of the thread of process `pid` named `name`.
#[cfg(target_os = "linux")]
fn cpu_ticks_of_thread(pid: u32, name: &str) -> Option<u64> {
    let stat = thread_file(pid, name, "stat")?;
    // The fields after the parenthesised name; utime and stime are the 14th and 15th.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields[11].parse::<u64>().ok()? + fields[12].parse::<u64>().ok()?)
}

/// `Cpus_allowed_list` of the thread of process `pid` named `name`.
#[cfg(target_os = "linux")]
fn allowed_cpus_of_thread(pid: u32, name: &str) -> Option<String> {
    let status = thread_file(pid, name, "status")?;
    let list = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:"))?;
    Some(list.trim().to_string())
}

/// The file `file` of `/proc` for the thread of process `pid` named `name`.
#[cfg(target_os = "linux")]
fn thread_file(pid: u32, name: &str, file: &str) -> Option<String> {
    for task in fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let task = task.unwrap().path();
        let Ok(comm) = fs::read_to_string(task.join("comm")) else { continue };
        if comm.trim_end() == name {
            return fs::read_to_string(task.join(file)).ok();
        }
    }
    None
}

#[cfg(target_os = "linux")]
#[test]
fn writer_cpulist_keeps_the_writer_thread_on_its_cpus() {
    // The first CPU this test may run on, which the server inherits (a container may
    // exclude CPU 0).
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let own = status.lines().find_map(|line| line.strip_prefix("Cpus_allowed_list:")).unwrap();
    let cpu = own.trim().split([',', '-']).next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("pinned.db"), &["--writer-cpulist", cpu]);
    assert_eq!(allowed_cpus_of_thread(server.child.id(), "resplite-writer").as_deref(), Some(cpu));
    let mut connection = server.connection();
    assert_eq!(config_get(&mut connection, "writer-cpulist"), cpu);
    let refused: redis::RedisResult<()> =
        redis::cmd("CONFIG").arg("SET").arg("writer-cpulist").arg("1").query(&mut connection);
    assert!(refused.unwrap_err().to_string().contains("can't set immutable config"));
    let () = redis::cmd("SET").arg("k").arg("v").query(&mut connection).unwrap();
    let value: String = redis::cmd("GET").arg("k").query(&mut connection).unwrap();
    assert_eq!(value, "v");

    // Without the option the writer may run on any CPU the process may use.
    let free = ServerProcess::start(&dir.path().join("free.db"), &[]);
    let process = allowed_cpus_of_thread(free.child.id(), "resplite").unwrap();
    assert_eq!(allowed_cpus_of_thread(free.child.id(), "resplite-writer"), Some(process));
}

#[test]
fn a_writer_cpulist_the_machine_cannot_honour_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let start = |cpus: &str| {
        resplite()
            .args(["serve", "--port", &free_port().to_string(), "--writer-cpulist", cpus])
            .arg("--db")
            .arg(dir.path().join("x.db"))
            .output()
            .unwrap()
    };
    let output = start("3-1");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("'3-1' is not a CPU range"), "stderr: {stderr}");
    // No machine this runs on has 1024 CPUs.
    let output = start("1023");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot keep the writer thread on CPUs 1023"), "stderr: {stderr}");
}
