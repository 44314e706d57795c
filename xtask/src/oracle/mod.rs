//! `cargo xtask oracle`: replays `spec/oracle/*.txt` against a real Redis and resplite and
//! reports every line where their replies differ, and compares the arguments both servers
//! describe in `COMMAND DOCS` (`docs.rs`); with `--random N`, compares N commands drawn at
//! random instead (`random.rs`).

mod cases;
mod command_info;
mod docs;
mod introspection;
mod listener;
mod random;
mod runner;
mod session;
mod settings;
mod storage_check;
mod wire;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use resplite_resp::Protocol;

use crate::servers::ServerProcess;
use crate::{cargo_program, redis_install, redis8, workspace_root};
use cases::Case;
use runner::{Observed, Problem};

/// What `cargo xtask oracle` was asked to do.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// Compare Redis with a second Redis instead of resplite.
    pub(crate) redis_only: bool,
    /// Also run the files in `spec/oracle/pending/`.
    pub(crate) include_pending: bool,
    /// A resplite binary to use instead of building one.
    pub(crate) server: Option<PathBuf>,
    /// Only files whose names contain one of these.
    pub(crate) filters: Vec<String>,
    /// Instead of the case files: this many random commands (see `random.rs`).
    pub(crate) random_commands: Option<usize>,
    /// The seed of the random commands.
    pub(crate) seed: u64,
    /// Run the random commands after `HELLO 3`.
    pub(crate) resp3: bool,
    /// Replay `spec/oracle/redis8/` against a Redis 8 instead of the files against Redis 7.0.
    pub(crate) redis8: bool,
}

/// Case lines counted over a whole run.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
}

/// A parsed case file.
struct CaseFile {
    /// The path relative to `spec/oracle`, as shown in reports.
    name: String,
    cases: Vec<Case>,
    /// What the file's `CONFIG SET` lines change, put back after it runs.
    settings: Vec<Vec<u8>>,
}

pub(crate) fn run(options: &Options) -> Result<Summary> {
    let mut spec_dir = workspace_root().join("spec").join("oracle");
    if options.redis8 {
        spec_dir.push("redis8");
    }
    // Against a second Redis (or a Redis 8) the listed differences would all show as stale.
    let compares_redis_7 = !options.redis_only && !options.redis8;
    let check_docs =
        options.random_commands.is_none() && compares_redis_7 && is_selected(docs::NAME, options);
    let check_info = options.random_commands.is_none()
        && compares_redis_7
        && is_selected(command_info::NAME, options);
    let files = match options.random_commands {
        Some(_) => Vec::new(),
        None => load_case_files(&spec_dir, options, check_docs || check_info)?,
    };

    let redis_server = if options.redis8 {
        redis8::ensure_redis8()?
    } else {
        redis_install::ensure_redis_server()?
    };
    // The candidate is prepared first so a build failure does not leave Redis running idle.
    let candidate_binary = match (&options.server, options.redis_only) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => Some(build_resplite()?),
    };
    let reference = ServerProcess::redis("redis", &redis_server)?;
    let candidate = match &candidate_binary {
        None => ServerProcess::redis("redis-2", &redis_server)?,
        Some(binary) => ServerProcess::resplite("resplite", binary)?,
    };
    println!(
        "oracle: {} on port {} against {} on port {}",
        reference.name(),
        reference.port(),
        candidate.name(),
        candidate.port()
    );

    let started = Instant::now();
    let mut summary = Summary::default();
    for file in &files {
        run_file(file, &reference, &candidate, &mut summary);
    }
    if check_docs {
        docs::compare(&reference, &candidate, &mut summary);
    }
    if check_info {
        command_info::compare(&reference, &candidate, &mut summary);
    }
    if let Some(commands) = options.random_commands {
        let protocol = if options.resp3 { Protocol::Resp3 } else { Protocol::Resp2 };
        let checked_binary = candidate_binary.as_deref();
        let walk = random::Walk { commands, seed: options.seed, protocol, checked_binary };
        random::run(&reference, &candidate, walk, &mut summary);
    }
    if let Some(binary) = &candidate_binary {
        storage_check::run(binary, &candidate, &mut summary);
    }
    println!("({:.1}s)", started.elapsed().as_secs_f64());
    println!("oracle: {} passed, {} failed", summary.passed, summary.failed);
    Ok(summary)
}

/// Whether a case file (or the docs check) of this name is among those asked for.
fn is_selected(name: &str, options: &Options) -> bool {
    options.filters.is_empty()
        || options.filters.iter().any(|filter| name.contains(filter.as_str()))
}

/// Reads and parses every selected file up front, so a typo fails before servers start.
/// Selecting no file is an error unless the docs check was selected.
fn load_case_files(spec_dir: &Path, options: &Options, check_docs: bool) -> Result<Vec<CaseFile>> {
    let mut paths = case_paths(spec_dir)?;
    if options.include_pending {
        paths.extend(case_paths(&spec_dir.join("pending"))?);
    }
    let mut files = Vec::new();
    for path in paths {
        let name = path.strip_prefix(spec_dir).unwrap_or(&path).to_string_lossy().into_owned();
        if !is_selected(&name, options) {
            continue;
        }
        let contents =
            std::fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
        let cases = cases::parse(&name, &contents)?;
        let settings = settings::changed_by(&cases);
        files.push(CaseFile { name, cases, settings });
    }
    if files.is_empty() && !check_docs {
        bail!("no case files in {} match {:?}", spec_dir.display(), options.filters);
    }
    Ok(files)
}

/// The `*.txt` files directly inside `dir`, sorted by name.
fn case_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|extension| extension == "txt") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Builds the resplite binary with cargo and returns its path.
pub(crate) fn build_resplite() -> Result<PathBuf> {
    let root = workspace_root();
    println!("oracle: building resplite (cargo build -p resplite)");
    let status = Command::new(cargo_program())
        .args(["build", "--package", "resplite"])
        .current_dir(&root)
        .status()
        .context("could not run cargo")?;
    if !status.success() {
        bail!("building resplite failed ({status})");
    }
    let binary = crate::target_dir().join("debug").join("resplite");
    if !binary.is_file() {
        bail!("cargo built resplite but {} does not exist", binary.display());
    }
    Ok(binary)
}

/// Runs one file on both servers at once (so `!raw` and `!sleep` waits overlap) and prints
/// its mismatches and problems.
fn run_file(
    file: &CaseFile,
    reference: &ServerProcess,
    candidate: &ServerProcess,
    summary: &mut Summary,
) {
    let run_on = |server: &ServerProcess| {
        let port = server.port();
        settings::preserving(port, &file.settings, || runner::execute(port, &file.cases))
    };
    let (reference_run, candidate_run) = std::thread::scope(|scope| {
        let candidate_thread = scope.spawn(|| run_on(candidate));
        let reference_run = run_on(reference);
        let candidate_run = candidate_thread
            .join()
            .unwrap_or_else(|_| Err("the thread replaying the file panicked".to_owned()));
        (reference_run, candidate_run)
    });
    let counted = file.cases.iter().filter(|case| case.is_counted()).count();
    let (reference_run, candidate_run) = match (reference_run, candidate_run) {
        (Ok(reference_run), Ok(candidate_run)) => (reference_run, candidate_run),
        (reference_run, candidate_run) => {
            for (server, run) in [(reference, reference_run), (candidate, candidate_run)] {
                if let Err(reason) = run {
                    println!("{}: {}: {reason}", file.name, server.name());
                }
            }
            println!("{}: all {counted} cases failed", file.name);
            summary.failed += counted;
            return;
        }
    };

    let mut failed = 0;
    let observations = reference_run.observations.iter().zip(&candidate_run.observations);
    for (case, (reference_observed, candidate_observed)) in file.cases.iter().zip(observations) {
        let (Some(reference_observed), Some(candidate_observed)) =
            (reference_observed, candidate_observed)
        else {
            continue;
        };
        if runner::agree(&case.step, reference_observed, candidate_observed) {
            continue;
        }
        failed += 1;
        report_mismatch(
            file,
            case,
            (reference, reference_observed),
            (candidate, candidate_observed),
        );
    }
    let mut problems = 0;
    for (server, run) in [(reference, &reference_run), (candidate, &candidate_run)] {
        for problem in &run.problems {
            report_problem(file, server, problem);
            problems += 1;
        }
    }
    summary.passed += counted - failed;
    summary.failed += failed + problems;
    let problems_note = match problems {
        0 => String::new(),
        1 => ", and 1 problem".to_owned(),
        _ => format!(", and {problems} problems"),
    };
    println!("{}: {} passed, {failed} failed{problems_note}", file.name, counted - failed);
}

/// A problem counts as a failure of its own: it means replies went unchecked.
fn report_problem(file: &CaseFile, server: &ServerProcess, problem: &Problem) {
    let place = match problem.line {
        Some(line) => format!("{}:{line}", file.name),
        None => format!("{} (end)", file.name),
    };
    println!("PROBLEM {place}: {}: {}", server.name(), problem.message);
}

fn report_mismatch(
    file: &CaseFile,
    case: &Case,
    reference: (&ServerProcess, &Observed),
    candidate: (&ServerProcess, &Observed),
) {
    let width = reference.0.name().len().max(candidate.0.name().len()) + 1;
    println!("MISMATCH {}:{}: {}", file.name, case.line, case.text);
    for (server, observed) in [reference, candidate] {
        let label = format!("{}:", server.name());
        println!("    {label:width$} {}", runner::describe(observed));
    }
}
