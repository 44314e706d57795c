//! `cargo xtask bench`: resplite's throughput as ratios to a real Redis measured in the same
//! run, and its memory after loading a million keys.
//!
//! Three servers run side by side: Redis in memory (`--save '' --appendonly no`), Redis with
//! an append-only file synced every second (the durable comparison) and resplite (release
//! build, default settings); `--writer-cpulist CPUS` adds a fourth, resplite with its writer
//! thread kept on those CPUs. Every scenario runs `redis-benchmark` against each server in
//! turn, round after round, so background noise hits all of them alike; the table shows the
//! median of the rounds. Beside `SET` and `HSET` the first scenario also runs each with a
//! value that changes at every request ([`CHANGING_WRITES`]).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::BytesMut;
use resplite_resp::encode_command;

use crate::redis_install::{ensure_redis_server, find_on_path};
use crate::servers::ServerProcess;
use crate::{cargo_program, workspace_root};

/// How a benchmark run is shaped.
pub(crate) struct Options {
    /// Rounds per scenario; the median is reported.
    pub(crate) rounds: usize,
    /// Keys loaded before the memory reading.
    pub(crate) memory_keys: usize,
    /// The `redis-benchmark -t` list.
    pub(crate) tests: String,
    /// Run the collection-size benchmark (`bench_sizes`) instead of the throughput one.
    pub(crate) sizes: bool,
    /// Elements of the large collections of the size benchmark.
    pub(crate) elements: usize,
    /// Run the blocked-clients and fan-out benchmark (`bench_clients`) instead.
    pub(crate) clients: bool,
    /// Also measure a second resplite started with `--writer-cpulist` and these CPUs.
    pub(crate) writer_cpulist: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rounds: 3,
            memory_keys: 1_000_000,
            tests: DEFAULT_TESTS.to_owned(),
            sizes: false,
            elements: 1_000_000,
            clients: false,
            writer_cpulist: None,
        }
    }
}

/// One `redis-benchmark` shape: clients, pipeline depth and request count.
struct Scenario {
    name: &'static str,
    clients: u32,
    pipeline: u32,
    requests: u32,
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "-c 50 -P 1", clients: 50, pipeline: 1, requests: 100_000 },
    Scenario { name: "-c 50 -P 16", clients: 50, pipeline: 16, requests: 1_000_000 },
    Scenario { name: "-c 1 -P 1", clients: 1, pipeline: 1, requests: 20_000 },
];

/// The strings and collections tests of `redis-benchmark` that resplite is measured on.
const DEFAULT_TESTS: &str =
    "set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,spop,hset,zadd,zpopmin,lrange_100,lrange_300";

/// A write of the first scenario whose value changes at every request: `redis-benchmark`'s
/// own `SET` and `HSET` write one value throughout, so once every key (or field) holds it, an
/// overwrite changes no byte, and SQLite then writes no page. Run alongside `test` when the
/// test list has it, on keys of their own so that the standard tests keep their meaning.
struct ChangingWrite {
    /// The `-t` test it stands beside.
    test: &'static str,
    /// Its row in the table.
    label: &'static str,
    /// The command, with `redis-benchmark`'s placeholders.
    command: &'static [&'static str],
}

const CHANGING_WRITES: &[ChangingWrite] = &[
    ChangingWrite {
        test: "set",
        label: "SET (a new value each time)",
        command: &["SET", "changing:__rand_int__", "v__rand_int__"],
    },
    ChangingWrite {
        test: "hset",
        label: "HSET (a new value each time)",
        command: &["HSET", "changinghash", "element:__rand_int__", "v__rand_int__"],
    },
];

pub(crate) fn run(options: &Options) -> Result<()> {
    let redis_server = ensure_redis_server()?;
    let resplite = build_release()?;
    if options.sizes {
        return crate::bench_sizes::run(&redis_server, &resplite, options.elements);
    }
    let benchmark = find_on_path("redis-benchmark")
        .context("`redis-benchmark` is not on PATH: install Debian's `redis-tools` package")?;
    if options.clients {
        return crate::bench_clients::run(&redis_server, &resplite, &benchmark);
    }
    let mut servers = vec![
        ServerProcess::redis("redis", &redis_server)?,
        ServerProcess::redis_with(
            "redis-aof",
            &redis_server,
            &["--appendonly", "yes", "--appendfsync", "everysec"],
        )?,
        ServerProcess::resplite("resplite", &resplite)?,
    ];
    if let Some(cpus) = &options.writer_cpulist {
        let extra_args = ["--writer-cpulist", cpus.as_str()];
        servers.push(ServerProcess::resplite_with("resplite-pinned", &resplite, &extra_args)?);
    }
    println!("bench: {} round(s) per scenario, tests {}, -r 100000", options.rounds, options.tests);
    // (scenario, test, server) -> one requests/s figure per round
    let mut results: BTreeMap<(usize, String, usize), Vec<f64>> = BTreeMap::new();
    for round in 1..=options.rounds {
        for (scenario_index, scenario) in SCENARIOS.iter().enumerate() {
            for (server_index, server) in servers.iter().enumerate() {
                let port = server.port();
                let mut figures = run_benchmark(&benchmark, port, scenario, &options.tests)?;
                if scenario_index == 0 {
                    figures.extend(run_changing_writes(
                        &benchmark,
                        port,
                        scenario,
                        &options.tests,
                    )?);
                }
                for (test, rate) in figures {
                    results.entry((scenario_index, test, server_index)).or_default().push(rate);
                }
            }
            println!("bench: round {round}, {} done", scenario.name);
        }
    }
    print_throughput(&results, options.writer_cpulist.as_deref());
    drop(servers);
    print_memory(&redis_server, &resplite, options.memory_keys)?;
    Ok(())
}

pub(crate) fn build_release() -> Result<PathBuf> {
    println!("bench: building resplite (release)");
    let status = Command::new(cargo_program())
        .args(["build", "--release", "-p", "resplite"])
        .current_dir(workspace_root())
        .status()
        .context("could not run cargo build")?;
    if !status.success() {
        bail!("building resplite failed ({status})");
    }
    Ok(workspace_root().join("target/release/resplite"))
}

/// Runs one scenario against one server; answers (test name, requests per second) pairs.
fn run_benchmark(
    benchmark: &Path,
    port: u16,
    scenario: &Scenario,
    tests: &str,
) -> Result<Vec<(String, f64)>> {
    benchmark_tests(benchmark, port, tests, scenario.clients, scenario.pipeline, scenario.requests)
}

/// Runs the [`CHANGING_WRITES`] whose test is in `tests`, in `scenario`'s shape; answers
/// (label, requests per second) pairs.
fn run_changing_writes(
    benchmark: &Path,
    port: u16,
    scenario: &Scenario,
    tests: &str,
) -> Result<Vec<(String, f64)>> {
    let shape = (scenario.clients, scenario.pipeline, scenario.requests);
    let mut figures = Vec::new();
    for write in CHANGING_WRITES {
        if !tests.split(',').any(|test| test.eq_ignore_ascii_case(write.test)) {
            continue;
        }
        let rates = run_redis_benchmark(benchmark, port, shape, write.command)?;
        let Some((_, rate)) = rates.first() else {
            bail!("redis-benchmark printed no figure for {}", write.command.join(" "));
        };
        figures.push((write.label.to_owned(), *rate));
    }
    Ok(figures)
}

/// Runs `redis-benchmark -t tests -c clients -P pipeline -n requests` against a server.
pub(crate) fn benchmark_tests(
    benchmark: &Path,
    port: u16,
    tests: &str,
    clients: u32,
    pipeline: u32,
    requests: u32,
) -> Result<Vec<(String, f64)>> {
    run_redis_benchmark(benchmark, port, (clients, pipeline, requests), &["-t", tests])
}

/// Runs `redis-benchmark` with `-r 100000`, the `(clients, pipeline, requests)` shape and
/// `what` (`-t` and its tests, or a command) against a server; answers its figures.
fn run_redis_benchmark(
    benchmark: &Path,
    port: u16,
    (clients, pipeline, requests): (u32, u32, u32),
    what: &[&str],
) -> Result<Vec<(String, f64)>> {
    let output = Command::new(benchmark)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-r", "100000", "--csv"])
        .args(["-c", &clients.to_string(), "-P", &pipeline.to_string()])
        .args(["-n", &requests.to_string()])
        .args(what)
        .output()
        .context("could not run redis-benchmark")?;
    if !output.status.success() {
        bail!("redis-benchmark failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(parse_csv(&String::from_utf8_lossy(&output.stdout)))
}

/// Reads `redis-benchmark --csv` output: a header line, then `"TEST","rps",…` per test.
fn parse_csv(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(',').map(|field| field.trim_matches('"'));
            let test = fields.next()?;
            let rate: f64 = fields.next()?.parse().ok()?;
            Some((test.to_owned(), rate))
        })
        .collect()
}

pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

/// Prints the table; with `pinned`, two more columns for the resplite whose writer thread
/// keeps to those CPUs.
fn print_throughput(results: &BTreeMap<(usize, String, usize), Vec<f64>>, pinned: Option<&str>) {
    println!();
    let (pinned_header, pinned_rule) = match pinned {
        Some(cpus) => (format!(" writer on CPUs {cpus} | vs memory |"), "---:|---:|"),
        None => (String::new(), ""),
    };
    println!(
        "| scenario | test | Redis (memory) | Redis (AOF everysec) | resplite | vs memory | vs AOF \
         |{pinned_header}"
    );
    println!("|---|---|---:|---:|---:|---:|---:|{pinned_rule}");
    let mut rows: Vec<(usize, &String)> =
        results.keys().map(|(scenario, test, _)| (*scenario, test)).collect();
    rows.dedup();
    for (scenario, test) in rows {
        let figure = |server: usize| {
            results.get(&(scenario, test.clone(), server)).map_or(0.0, |values| median(values))
        };
        let (memory, aof, resplite) = (figure(0), figure(1), figure(2));
        let ratio = |base: f64| if base > 0.0 { resplite / base } else { 0.0 };
        let pinned_cells = match pinned {
            Some(_) => {
                let figure = figure(3);
                let ratio = if memory > 0.0 { figure / memory } else { 0.0 };
                format!(" {figure:.0} | {ratio:.2}x |")
            }
            None => String::new(),
        };
        println!(
            "| {} | {test} | {memory:.0} | {aof:.0} | {resplite:.0} | {:.2}x | {:.2}x |{pinned_cells}",
            SCENARIOS[scenario].name,
            ratio(memory),
            ratio(aof)
        );
    }
}

/// Loads `keys` small keys into a fresh Redis and a fresh resplite and prints their memory.
fn print_memory(redis_server: &Path, resplite: &Path, keys: usize) -> Result<()> {
    println!();
    println!("| after loading {keys} keys | resident (VmRSS) | peak (VmHWM) | load time |");
    println!("|---|---:|---:|---:|");
    for server in [
        ServerProcess::redis("redis-memory", redis_server)?,
        ServerProcess::resplite("resplite-memory", resplite)?,
    ] {
        let started = Instant::now();
        load_keys(server.port(), keys)?;
        let elapsed = started.elapsed();
        let (resident, peak) = memory_of(server.pid())?;
        println!(
            "| {} | {:.1} MB | {:.1} MB | {:.1} s |",
            server.name(),
            resident as f64 / 1024.0,
            peak as f64 / 1024.0,
            elapsed.as_secs_f64()
        );
    }
    Ok(())
}

/// Writes `key:<n>` = `value:<n>` for n below `keys`, pipelined in batches, reading every reply.
fn load_keys(port: u16, keys: usize) -> Result<()> {
    const BATCH: usize = 1000;
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = BytesMut::new();
    let mut reply = vec![0u8; 64 * 1024];
    for start in (0..keys).step_by(BATCH) {
        request.clear();
        let end = (start + BATCH).min(keys);
        for index in start..end {
            let (key, value) = (format!("key:{index}"), format!("value:{index}"));
            encode_command(&["SET", key.as_str(), value.as_str()], &mut request);
        }
        stream.write_all(&request)?;
        // Every reply is "+OK\r\n"; read exactly that many bytes.
        let mut expected = (end - start) * 5;
        while expected > 0 {
            let want = expected.min(reply.len());
            let read = stream.read(&mut reply[..want])?;
            if read == 0 {
                bail!("the server closed the connection while loading keys");
            }
            if reply[..read].contains(&b'-') {
                bail!("the server answered an error while loading keys");
            }
            expected -= read;
        }
    }
    Ok(())
}

/// The CPU time (user and system) a process has used so far, in seconds.
pub(crate) fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .context("could not read /proc (the CPU reading needs Linux)")?;
    // The command name is in parentheses and may hold spaces; count fields after it.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index).and_then(|field| field.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let (user, system) = (ticks(11).unwrap_or(0.0), ticks(12).unwrap_or(0.0));
    Ok((user + system) / CLOCK_TICKS_PER_SECOND)
}

/// Linux's `USER_HZ`, the unit of `/proc/PID/stat`'s times, 100 on every common platform.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// VmRSS and VmHWM of a process, in kB.
fn memory_of(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("could not read /proc (the memory reading needs Linux)")?;
    Ok((status_field_kb(&status, "VmRSS:"), status_field_kb(&status, "VmHWM:")))
}

/// A `kB` field of `/proc/PID/status` (0 when missing).
pub(crate) fn status_field_kb(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find(|line| line.starts_with(name))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{median, parse_csv};

    #[test]
    fn parses_redis_benchmark_csv() {
        let text = "\"test\",\"rps\",\"avg_latency_ms\"\n\"SET\",\"123456.79\",\"0.2\"\n\"MSET (10 keys)\",\"50000.00\",\"1.0\"\n";
        let figures = parse_csv(text);
        assert_eq!(
            figures,
            vec![("SET".to_owned(), 123456.79), ("MSET (10 keys)".to_owned(), 50000.0)]
        );
    }

    #[test]
    fn median_picks_the_middle_value() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[]), 0.0);
    }
}
