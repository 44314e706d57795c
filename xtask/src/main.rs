//! `cargo xtask`: the project's own automation, written in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask oracle [--redis-only] [--pending] [--server PATH] [FILTER...]` replays
//!   `spec/oracle/*.txt` against a real Redis and resplite and diffs the replies;
//!   `--random N [--seed S] [--resp3]` compares N randomly drawn commands instead;
//!   `--redis8` replays `spec/oracle/redis8/*.txt` against a Redis 8 instead (`redis8.rs`).
//! - `cargo xtask clients [--server PATH] [FILTER...]` runs the client scenarios in
//!   `xtask/clients/` (redis-cli, redis-py, node-redis, ioredis) and on the redis-rs crate
//!   against Redis and resplite and diffs what they print.
//! - `cargo xtask ci` runs everything CI runs: fmt, clippy, tests, then the oracle (case
//!   files and three random runs) and the client scenarios.
//! - `cargo xtask bench [--rounds N] [--keys N] [--tests LIST] [--writer-cpulist CPUS]`
//!   measures throughput against real Redis; `cargo xtask bench --sizes [--elements N]`
//!   compares single-element operations on small and large collections.
//! - `cargo xtask tidy` checks the project's conventions.

mod bench;
mod bench_clients;
mod bench_import;
mod bench_sizes;
mod ci;
mod clients;
mod oracle;
mod redis8;
mod redis_install;
mod servers;
mod tidy;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  oracle [options] [FILTER...]  replay spec/oracle/*.txt against Redis and resplite, then
                                compare the arguments both describe in COMMAND DOCS
      --redis-only              compare Redis with a second Redis (checks the cases)
      --pending                 also run spec/oracle/pending/*.txt
      --server PATH             the resplite binary to test (default: build target/debug/resplite)
      --random N                instead of the files: N commands drawn at random, compared
      --seed S                  the seed of --random (default 0)
      --resp3                   run --random after HELLO 3
      --redis8                  replay spec/oracle/redis8/*.txt (what Redis 7.0 lacks) against
                                a Redis 8 fetched from Debian trixie into target/redis8
      FILTER                    only files (or `command-docs`) whose names contain one of
                                these words
  clients [options] [FILTER...] run the client scenarios (redis-cli, redis-py, node-redis,
                                ioredis, redis-rs) against Redis and resplite, diff the output
      --server PATH             the resplite binary to test (default: build target/debug/resplite)
      FILTER                    only scenarios whose names contain one of these words
  ci                            cargo fmt --check, clippy -D warnings, tests, migration tests
                                (against redis-server), the oracle (and --redis8), then the
                                client scenarios
  bench [options]               redis-benchmark against Redis and resplite: ratios, memory
      --rounds N                rounds per scenario, median reported (default 3)
      --keys N                  keys loaded for the memory reading (default 1000000)
      --tests LIST              the redis-benchmark -t list (default: strings and collections)
      --writer-cpulist CPUS     also measure resplite --writer-cpulist CPUS (a fourth server)
      --sizes                   instead: operations on 10- and N-element collections
      --elements N              N for --sizes (default 1000000)
      --clients                 instead: 1,000 blocked clients (idle CPU, GET/SET with them)
                                and pub/sub fan-out to 100 subscribers
  bench-import [options]        resplite import bulk from a loaded Redis: keys/s, MB/s, peak RSS
      --keys N                  small keys of mixed types (default 1000000)
      --hash-mb N               size of the large-hash case in MB (default 200)
      --server PATH             a resplite binary to measure (repeat to compare several in
                                one run; default: build target/release/resplite)
  tidy                          module docs, crate edges, the command list in spec/commands.md
  help                          this text";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::FAILURE);
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "oracle" => {
            let options = parse_oracle_options(&rest)?;
            let summary = oracle::run(&options)?;
            Ok(if summary.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        "clients" => {
            let failed = clients::run(&parse_clients_options(&rest)?)?;
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        "ci" => {
            if !rest.is_empty() {
                bail!("`ci` takes no arguments\n\n{USAGE}");
            }
            ci::run()?;
            Ok(ExitCode::SUCCESS)
        }
        "bench" => {
            bench::run(&parse_bench_options(&rest)?)?;
            Ok(ExitCode::SUCCESS)
        }
        "bench-import" => {
            bench_import::run(&parse_bench_import_options(&rest)?)?;
            Ok(ExitCode::SUCCESS)
        }
        "tidy" => {
            tidy::run()?;
            Ok(ExitCode::SUCCESS)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn parse_bench_import_options(args: &[String]) -> Result<bench_import::Options> {
    let mut options = bench_import::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize> {
            let value = args.next().with_context(|| format!("{name} needs a number"))?;
            value.parse().with_context(|| format!("{name} needs a number, not {value:?}"))
        };
        match arg.as_str() {
            "--keys" => options.keys = number("--keys")?,
            "--hash-mb" => options.hash_mb = number("--hash-mb")?,
            "--server" => {
                let path = args.next().context("--server needs a path to a resplite binary")?;
                options.servers.push(PathBuf::from(path));
            }
            other => bail!("unknown bench-import option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(options)
}

fn parse_clients_options(args: &[String]) -> Result<clients::Options> {
    let mut options = clients::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => {
                let path = args.next().context("--server needs a path to a resplite binary")?;
                options.server = Some(PathBuf::from(path));
            }
            other if other.starts_with("--") => {
                bail!("unknown clients option `{other}`\n\n{USAGE}")
            }
            filter => options.filters.push(filter.to_owned()),
        }
    }
    Ok(options)
}

fn parse_oracle_options(args: &[String]) -> Result<oracle::Options> {
    let mut options = oracle::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--redis-only" => options.redis_only = true,
            "--pending" => options.include_pending = true,
            "--server" => {
                let path = args.next().context("--server needs a path to a resplite binary")?;
                options.server = Some(PathBuf::from(path));
            }
            "--random" => {
                let count = args.next().and_then(|count| count.parse().ok());
                options.random_commands = Some(count.context("--random needs a number")?);
            }
            "--resp3" => options.resp3 = true,
            "--redis8" => options.redis8 = true,
            "--seed" => {
                let seed = args.next().and_then(|seed| seed.parse().ok());
                options.seed = seed.context("--seed needs a number")?;
            }
            flag if flag.starts_with('-') => bail!("unknown option `{flag}`\n\n{USAGE}"),
            filter => options.filters.push(filter.to_owned()),
        }
    }
    Ok(options)
}

fn parse_bench_options(args: &[String]) -> Result<bench::Options> {
    let mut options = bench::Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize> {
            args.next()
                .and_then(|value| value.parse().ok())
                .with_context(|| format!("{name} needs a positive number"))
        };
        match arg.as_str() {
            "--rounds" => options.rounds = number("--rounds")?.max(1),
            "--keys" => options.memory_keys = number("--keys")?,
            "--elements" => options.elements = number("--elements")?.max(10),
            "--sizes" => options.sizes = true,
            "--clients" => options.clients = true,
            "--tests" => {
                options.tests = args.next().context("--tests needs a list such as get,set")?.clone()
            }
            "--writer-cpulist" => {
                let cpus = args.next().context("--writer-cpulist needs CPUs such as 1 or 0-3")?;
                options.writer_cpulist = Some(cpus.clone());
            }
            other => bail!("unknown option `{other}`\n\n{USAGE}"),
        }
    }
    Ok(options)
}

/// The workspace root: xtask lives one directory below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}

/// Where cargo puts build output (`CARGO_TARGET_DIR`, relative to the workspace, or
/// `target/`).
fn target_dir() -> PathBuf {
    let root = workspace_root();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// The cargo that started us, so nested builds use the same toolchain.
fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_oracle_options;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| (*arg).to_owned()).collect()
    }

    #[test]
    fn oracle_options_mix_flags_and_filters() {
        let options =
            parse_oracle_options(&strings(&["keys", "--redis-only", "--server", "/bin/x", "scan"]))
                .unwrap();
        assert!(options.redis_only);
        assert!(!options.include_pending && !options.redis8);
        assert_eq!(options.filters, ["keys", "scan"]);
        assert_eq!(options.server.unwrap().to_str(), Some("/bin/x"));
        let options = parse_oracle_options(&strings(&["--redis8", "hash"])).unwrap();
        assert!(options.redis8 && !options.redis_only);
        assert_eq!(options.filters, ["hash"]);
    }

    #[test]
    fn oracle_options_reject_unknown_flags_and_missing_values() {
        assert!(parse_oracle_options(&strings(&["--verbose"])).is_err());
        assert!(parse_oracle_options(&strings(&["--server"])).is_err());
    }
}
