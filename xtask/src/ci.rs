//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{cargo_program, clients, oracle, redis_install, redis8, workspace_root};

/// The cargo steps, cheapest first so the common mistakes fail fast.
const CARGO_STEPS: &[(&str, &[&str])] = &[
    ("format", &["fmt", "--all", "--", "--check"]),
    ("clippy", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    ("tests", &["test", "--workspace"]),
];

/// The random oracle runs, as (seed, RESP3?), and the commands drawn in each: fixed, so a
/// failure is reproducible with `cargo xtask oracle --random 20000 --seed S [--resp3]`.
const RANDOM_RUNS: [(u64, bool); 3] = [(1, false), (2, false), (3, true)];
const RANDOM_COMMANDS: usize = 20_000;

pub(crate) fn run() -> Result<()> {
    for (name, args) in CARGO_STEPS {
        println!("==> {name}: cargo {}", args.join(" "));
        let status = Command::new(cargo_program())
            .args(*args)
            .current_dir(workspace_root())
            .status()
            .with_context(|| format!("could not run cargo for the {name} step"))?;
        if !status.success() {
            bail!("ci: the {name} step failed ({status})");
        }
    }
    run_migration_tests()?;
    println!("==> oracle: cargo xtask oracle");
    let summary = oracle::run(&oracle::Options::default()).context("ci: the oracle step failed")?;
    if summary.failed > 0 {
        bail!("ci: the oracle step failed ({} mismatching cases)", summary.failed);
    }
    println!("==> oracle against Redis 8: cargo xtask oracle --redis8");
    let options = oracle::Options { redis8: true, ..oracle::Options::default() };
    let summary = oracle::run(&options).context("ci: the Redis 8 oracle step failed")?;
    if summary.failed > 0 {
        bail!("ci: the Redis 8 oracle step failed ({} mismatching cases)", summary.failed);
    }
    for (seed, resp3) in RANDOM_RUNS {
        let flag = if resp3 { " --resp3" } else { "" };
        println!(
            "==> random oracle: cargo xtask oracle --random {RANDOM_COMMANDS} --seed {seed}{flag}"
        );
        let options = oracle::Options {
            random_commands: Some(RANDOM_COMMANDS),
            seed,
            resp3,
            ..oracle::Options::default()
        };
        let summary = oracle::run(&options).context("ci: the random oracle step failed")?;
        if summary.failed > 0 {
            bail!("ci: the random oracle step failed ({} mismatching commands)", summary.failed);
        }
    }
    println!("==> clients: cargo xtask clients");
    let failed =
        clients::run(&clients::Options::default()).context("ci: the clients step failed")?;
    if failed > 0 {
        bail!("ci: the clients step failed ({failed} scenarios differ from Redis)");
    }
    println!("ci: all steps passed");
    Ok(())
}

/// The migration tests import from a real `redis-server`, so a plain `cargo test` skips them
/// (they are `#[ignore]`d with that reason); here Redis is installed when missing and they run.
fn run_migration_tests() -> Result<()> {
    let redis_server = redis_install::ensure_redis_server()?;
    let redis8_server = redis8::ensure_redis8()?;
    let args = ["test", "--workspace", "--test", "migration", "--", "--ignored"];
    println!("==> migration: cargo {}", args.join(" "));
    let status = Command::new(cargo_program())
        .args(args)
        .env("RESPLITE_TEST_REDIS_SERVER", &redis_server)
        .env("RESPLITE_TEST_REDIS8_SERVER", &redis8_server)
        .current_dir(workspace_root())
        .status()
        .context("could not run cargo for the migration step")?;
    if !status.success() {
        bail!("ci: the migration step failed ({status})");
    }
    Ok(())
}
