//! A Redis 8 to compare against for what Redis 7.0 lacks (the hash-field deadlines of Redis
//! 7.4), fetched from Debian 13 ("trixie") into the target directory.
//!
//! Debian 12 ships Redis 7.0 only, and trixie's Redis 8 needs a newer C library than Debian
//! 12's. So apt, pointed at trixie through a configuration of its own under
//! `target/redis8/apt` (nothing of the system's apt is read or changed, and no root is
//! needed), downloads `redis-tools` (which holds the server) and the libraries it needs;
//! `dpkg-deb` unpacks them under `target/redis8/root`, and a small script runs the server
//! through trixie's own dynamic loader with trixie's libraries. Later runs find the script
//! and reuse it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::target_dir;

/// The Debian release that has Redis 8.
const SUITE: &str = "deb http://deb.debian.org/debian trixie main";
/// The package whose `redis-check-rdb` is also the server (it looks at its name).
const PACKAGE: &str = "redis-tools";

/// The path of a runnable Redis 8 `redis-server`, fetching it first when needed.
pub(crate) fn ensure_redis8() -> Result<PathBuf> {
    let home = target_dir().join("redis8");
    let server = home.join("redis-server");
    if reports_redis8(&server) {
        return Ok(server);
    }
    println!("fetching Redis 8 from Debian trixie into {}", home.display());
    let apt = home.join("apt");
    let debs = home.join("debs");
    let root = home.join("root");
    for dir in [&apt, &debs, &root] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
        }
    }
    let options = apt_options(&apt)?;
    run("apt-get", &options, &["update"], &home)?;
    let packages = needed_packages(&options, &home)?;
    std::fs::create_dir_all(&debs)?;
    let mut download = vec!["download"];
    download.extend(packages.iter().map(String::as_str));
    run("apt-get", &options, &download, &debs)?;
    for entry in std::fs::read_dir(&debs)? {
        let deb = entry?.path();
        let status = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root).status()?;
        if !status.success() {
            bail!("`dpkg-deb -x {}` failed with {status}", deb.display());
        }
    }
    write_launcher(&server, &root)?;
    if !reports_redis8(&server) {
        bail!("the Redis unpacked under {} does not run", root.display());
    }
    Ok(server)
}

/// Whether `server` runs and says it is Redis 8.
fn reports_redis8(server: &Path) -> bool {
    Command::new(server)
        .arg("--version")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains(" v=8."))
}

/// The `-o` options that make apt read and write only under `apt`, for trixie alone.
fn apt_options(apt: &Path) -> Result<Vec<String>> {
    for dir in ["lists/partial", "archives/partial", "preferences.d"] {
        std::fs::create_dir_all(apt.join(dir))?;
    }
    std::fs::write(apt.join("sources.list"), format!("{SUITE}\n"))?;
    std::fs::write(apt.join("status"), "")?;
    let at = |name: &str| apt.join(name).display().to_string();
    Ok([
        ("Dir::Etc::SourceList", at("sources.list")),
        ("Dir::Etc::SourceParts", at("no-source-parts")),
        ("Dir::Etc::Preferences", at("preferences")),
        ("Dir::Etc::PreferencesParts", at("preferences.d")),
        ("Dir::State", apt.display().to_string()),
        ("Dir::State::Lists", at("lists")),
        ("Dir::State::status", at("status")),
        ("Dir::Cache", apt.display().to_string()),
        ("Dir::Cache::Archives", at("archives")),
        ("Debug::NoLocking", "1".to_owned()),
        ("APT::Architecture", "amd64".to_owned()),
        ("Acquire::Languages", "none".to_owned()),
    ]
    .into_iter()
    .flat_map(|(name, value)| ["-o".to_owned(), format!("{name}={value}")])
    .collect())
}

/// `redis-tools` and the libraries among everything it depends on, as apt resolves them
/// against an empty system (programs such as `adduser` are not needed to run the server).
fn needed_packages(options: &[String], home: &Path) -> Result<Vec<String>> {
    let output = Command::new("apt-cache")
        .args(options)
        .args(["depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts"])
        .args(["--no-breaks", "--no-replaces", "--no-enhances", "--no-pre-depends", PACKAGE])
        .current_dir(home)
        .output()
        .context("could not run apt-cache (Redis 8 is fetched with Debian's apt)")?;
    if !output.status.success() {
        bail!("`apt-cache depends {PACKAGE}` failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let mut packages: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.starts_with(' ') && !line.starts_with('<'))
        .filter(|name| *name == PACKAGE || name.starts_with("lib") || name.starts_with("zlib"))
        .map(str::to_owned)
        .collect();
    packages.sort();
    packages.dedup();
    Ok(packages)
}

/// Writes the script that runs the unpacked server with the unpacked loader and libraries.
fn write_launcher(server: &Path, root: &Path) -> Result<()> {
    let libraries = root.join("usr/lib/x86_64-linux-gnu");
    let script = format!(
        "#!/bin/sh\nexec '{loader}' --library-path '{libraries}' --argv0 redis-server \
         '{binary}' \"$@\"\n",
        loader = libraries.join("ld-linux-x86-64.so.2").display(),
        libraries = libraries.display(),
        binary = root.join("usr/bin/redis-check-rdb").display(),
    );
    std::fs::write(server, script)?;
    let status = Command::new("chmod").arg("755").arg(server).status()?;
    if !status.success() {
        bail!("could not make {} executable", server.display());
    }
    Ok(())
}

fn run(program: &str, options: &[String], args: &[&str], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let status = Command::new(program)
        .args(options)
        .args(args)
        .current_dir(dir)
        .status()
        .with_context(|| format!("could not run {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}
