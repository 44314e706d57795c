//! `cargo xtask clients`: the client libraries people use, run against Redis and resplite.
//!
//! Each scenario drives the server through one client and prints one line per step: the
//! programs in `xtask/clients/` (redis-cli with arguments and interactively, redis-py,
//! node-redis 6 and 4, ioredis) take the port as their argument, and the redis-rs scenario
//! (`redis_rs.rs`) runs in this process.
//! The same scenario runs against a real Redis and against resplite; any line that differs
//! is a failure, so the scenarios hold no expected values of their own and test the
//! libraries' handshakes, reply parsing, pipelines, transactions and pub/sub end to end.
//!
//! The libraries are installed at pinned versions into `target/xtask-clients/` (from PyPI
//! and the npm registry) the first time, and reused after that.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod redis_rs;

use crate::redis_install;
use crate::servers::ServerProcess;
use crate::workspace_root;

/// The redis-py release the scenario runs with, and the hiredis parser it runs with once.
const PYTHON_PACKAGES: &[&str] = &["redis==8.2.0", "hiredis==3.5.0"];
/// The node-redis and ioredis releases their scenarios run with (node-redis 4, still in
/// wide use, beside the current one under the name `redis4`).
const NODE_PACKAGES: &[&str] = &["redis@6.4.0", "redis4@npm:redis@4.7.1", "ioredis@6.1.0"];
/// The longest a scenario may run against one server before it counts as hung.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(180);

/// One scenario: its name and how it runs.
struct Scenario {
    name: &'static str,
    runs: Runs,
}

enum Runs {
    /// `program` runs `script` from `xtask/clients/`, which gets the server's port and then
    /// `args` as its arguments and prints to standard output.
    Script { program: &'static str, script: &'static str, args: &'static [&'static str] },
    /// A function of this process, given the port: its output and whether it finished.
    InProcess(fn(u16) -> (String, bool)),
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "redis-cli",
        runs: Runs::Script { program: "bash", script: "redis_cli.sh", args: &[] },
    },
    Scenario {
        name: "redis-cli-interactive",
        runs: Runs::Script { program: "python3", script: "redis_cli_interactive.py", args: &[] },
    },
    Scenario {
        name: "redis-py",
        runs: Runs::Script { program: "python3", script: "redis_py.py", args: &[] },
    },
    Scenario {
        name: "redis-py-hiredis",
        runs: Runs::Script { program: "python3", script: "redis_py.py", args: &["hiredis"] },
    },
    Scenario {
        name: "node-redis",
        runs: Runs::Script { program: "node", script: "node_redis.mjs", args: &[] },
    },
    Scenario {
        name: "node-redis-4",
        runs: Runs::Script { program: "node", script: "node_redis4.mjs", args: &[] },
    },
    Scenario {
        name: "ioredis",
        runs: Runs::Script { program: "node", script: "ioredis.mjs", args: &[] },
    },
    Scenario { name: "redis-rs", runs: Runs::InProcess(redis_rs::run) },
];

/// What `cargo xtask clients` was asked for.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// The resplite binary to test; by default the debug build, built first.
    pub(crate) server: Option<PathBuf>,
    /// Only scenarios whose names contain one of these.
    pub(crate) filters: Vec<String>,
}

/// Runs the selected scenarios; returns how many of them differed.
pub(crate) fn run(options: &Options) -> Result<usize> {
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|scenario| {
            options.filters.is_empty()
                || options.filters.iter().any(|filter| scenario.name.contains(filter.as_str()))
        })
        .collect();
    if selected.is_empty() {
        bail!("no client scenario matches {:?}", options.filters);
    }
    let redis_server = redis_install::ensure_redis_server()?;
    if redis_install::find_on_path("redis-cli").is_none() {
        bail!("`redis-cli` is not on PATH: install Debian's `redis-tools` package");
    }
    let installed = install_libraries(&selected)?;
    let binary = match &options.server {
        Some(path) => path.clone(),
        None => crate::oracle::build_resplite()?,
    };
    let reference = ServerProcess::redis("redis", &redis_server)?;
    let candidate = ServerProcess::resplite("resplite", &binary)?;
    println!(
        "clients: redis on port {} against resplite on port {}",
        reference.port(),
        candidate.port()
    );
    let mut failed = 0;
    for scenario in selected {
        let started = Instant::now();
        let expected = run_scenario(scenario, &installed, &reference)?;
        if !expected.succeeded {
            bail!(
                "the {} scenario fails against Redis itself, so it is the scenario that is \
                 wrong:\n{}",
                scenario.name,
                expected.output
            );
        }
        let actual = run_scenario(scenario, &installed, &candidate)?;
        let differences = compare(&expected.output, &actual.output);
        let lines = expected.output.lines().count();
        if differences.is_empty() && actual.succeeded {
            println!(
                "clients: {} passed ({lines} lines, {:.1}s)",
                scenario.name,
                started.elapsed().as_secs_f64()
            );
            continue;
        }
        failed += 1;
        println!("clients: {} FAILED against resplite", scenario.name);
        if !actual.succeeded {
            println!("  the scenario did not finish; its last lines:");
            for line in last_lines(&actual.output, 10) {
                println!("    {line}");
            }
        }
        for difference in differences.iter().take(20) {
            println!("{difference}");
        }
    }
    Ok(failed)
}

/// Where the pinned libraries were installed.
struct Installed {
    python_path: PathBuf,
    node_path: PathBuf,
}

/// Installs the libraries the selected scenarios need, unless the pinned versions already are.
fn install_libraries(selected: &[&Scenario]) -> Result<Installed> {
    let root = crate::target_dir().join("xtask-clients");
    let installed =
        Installed { python_path: root.join("python"), node_path: root.join("node/node_modules") };
    let needs = |wanted: &str| {
        selected.iter().any(
            |scenario| matches!(scenario.runs, Runs::Script { program, .. } if program == wanted),
        )
    };
    if needs("python3") {
        require_program("python3", "python3 and python3-pip")?;
        install_once(&root, "python", &PYTHON_PACKAGES.join(" "), |dir| {
            let mut command = Command::new("python3");
            command
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .args(["--no-warn-script-location", "--root-user-action=ignore", "--target"])
                .arg(dir)
                .args(PYTHON_PACKAGES);
            command
        })?;
    }
    if needs("node") {
        require_program("node", "nodejs and npm")?;
        install_once(&root, "node", &NODE_PACKAGES.join(" "), |dir| {
            let mut command = Command::new("npm");
            command
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(dir)
                .args(NODE_PACKAGES);
            command
        })?;
    }
    Ok(installed)
}

/// Runs `install` into `root/name` unless a stamp there says `version` is already in place.
fn install_once(
    root: &Path,
    name: &str,
    version: &str,
    install: impl FnOnce(&Path) -> Command,
) -> Result<()> {
    let dir = root.join(name);
    let stamp = dir.join(".installed");
    if fs::read_to_string(&stamp).is_ok_and(|text| text == version) {
        return Ok(());
    }
    println!("clients: installing {version} into {}", dir.display());
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("could not clear {}", dir.display()))?;
    }
    fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut command = install(&dir);
    let status = command.status().with_context(|| format!("could not run {command:?}"))?;
    if !status.success() {
        bail!("installing {version} failed ({status}); the command was {command:?}");
    }
    fs::write(&stamp, version).context("could not write the install stamp")?;
    Ok(())
}

/// Fails with what to install when `program` is missing, after trying apt-get as root.
fn require_program(program: &str, packages: &str) -> Result<()> {
    if redis_install::find_on_path(program).is_some() {
        return Ok(());
    }
    let packages: Vec<&str> = packages.split(" and ").collect();
    if redis_install::running_as_root() {
        println!("clients: {program} not found; installing Debian's {}", packages.join(", "));
        redis_install::run_apt(&["update"])?;
        let mut args = vec!["install", "-y"];
        args.extend(&packages);
        redis_install::run_apt(&args)?;
    }
    if redis_install::find_on_path(program).is_none() {
        bail!("`{program}` is not on PATH: install Debian's {}", packages.join(" and "));
    }
    Ok(())
}

/// What one run of a scenario printed (stdout and stderr together) and whether it ended well.
struct Run {
    output: String,
    succeeded: bool,
}

fn run_scenario(scenario: &Scenario, installed: &Installed, server: &ServerProcess) -> Result<Run> {
    match scenario.runs {
        Runs::Script { program, script, args } => {
            run_script(program, script, args, installed, server)
        }
        Runs::InProcess(run) => {
            let (output, succeeded) = run(server.port());
            Ok(Run { output, succeeded })
        }
    }
}

fn run_script(
    program: &str,
    script: &str,
    args: &[&str],
    installed: &Installed,
    server: &ServerProcess,
) -> Result<Run> {
    let script = workspace_root().join("xtask").join("clients").join(script);
    let mut child = Command::new(program)
        .arg(&script)
        .arg(server.port().to_string())
        .args(args)
        .env("PYTHONPATH", &installed.python_path)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("NODE_PATH", &installed.node_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {program} {}", script.display()))?;
    // Both pipes are drained on threads so a chatty scenario never blocks on a full pipe.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + SCENARIO_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut output = stdout.map(joined).unwrap_or_default();
    output.push_str(&stderr.map(joined).unwrap_or_default());
    let succeeded = match status {
        Some(status) => status.success(),
        None => {
            output.push_str(&format!(
                "(killed after {}s against {})\n",
                SCENARIO_TIMEOUT.as_secs(),
                server.name()
            ));
            false
        }
    };
    Ok(Run { output, succeeded })
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn joined(handle: thread::JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// The lines where two outputs differ, each shown with the section it belongs to (the last
/// line before it starting with `==` or `---`), Redis's line first.
fn compare(expected: &str, actual: &str) -> Vec<String> {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut section = "";
    let mut differences = Vec::new();
    for index in 0..expected.len().max(actual.len()) {
        let wanted = expected.get(index).copied();
        let got = actual.get(index).copied();
        if let Some(line) = wanted.filter(|line| line.starts_with("==") || line.starts_with("---"))
        {
            section = line;
        }
        if wanted != got {
            differences.push(format!(
                "  line {} (in {section}):\n    redis:    {}\n    resplite: {}",
                index + 1,
                wanted.unwrap_or("(nothing)"),
                got.unwrap_or("(nothing)")
            ));
        }
    }
    differences
}

fn last_lines(text: &str, count: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn identical_outputs_have_no_differences() {
        assert!(compare("== a\nx: 1\n", "== a\nx: 1\n").is_empty());
    }

    #[test]
    fn a_differing_line_is_reported_with_its_section() {
        let differences = compare("== strings\nget: 1\nset: 2\n", "== strings\nget: 1\nset: 3\n");
        assert_eq!(differences.len(), 1);
        assert!(differences[0].contains("line 3 (in == strings)"), "{}", differences[0]);
        assert!(differences[0].contains("redis:    set: 2"), "{}", differences[0]);
        assert!(differences[0].contains("resplite: set: 3"), "{}", differences[0]);
    }

    #[test]
    fn a_shorter_output_is_reported() {
        let differences = compare("--- a\nOK\n(exit 0)\n", "--- a\nOK\n");
        assert_eq!(differences.len(), 1);
        assert!(differences[0].contains("(nothing)"), "{}", differences[0]);
    }
}
