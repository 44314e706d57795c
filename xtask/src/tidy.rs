//! `cargo xtask tidy`: the project's conventions, checked (also run by `cargo test`).
//!
//! * every Rust file opens with a `//!` line saying what it is for;
//! * crates depend on each other only in the allowed direction;
//! * `spec/commands.md` lists exactly the commands the server's registry serves.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::workspace_root;

/// The workspace crates each crate may depend on (see ARCHITECTURE.md).
const ALLOWED_EDGES: &[(&str, &[&str])] = &[
    ("resp", &[]),
    ("store", &[]),
    ("server", &["resplite-resp", "resplite-store"]),
    // The tracker speaks RESP itself on its subscription (see crates/migrate/src/subscriber.rs).
    ("migrate", &["resplite-resp", "resplite-store"]),
    ("cli", &["resplite-server", "resplite-migrate"]),
];

pub(crate) fn run() -> Result<()> {
    let root = workspace_root();
    let mut problems = Vec::new();
    problems.extend(missing_module_docs(&root)?);
    problems.extend(forbidden_edges(&root)?);
    problems.extend(command_list_drift(&root)?);
    if problems.is_empty() {
        println!("tidy: all checks passed");
        return Ok(());
    }
    for problem in &problems {
        eprintln!("tidy: {problem}");
    }
    bail!("tidy: {} problem(s)", problems.len())
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, found)?;
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
    Ok(())
}

fn missing_module_docs(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for dir in ["crates", "xtask/src", "fuzz/fuzz_targets"] {
        let dir = root.join(dir);
        if dir.exists() {
            rust_files(&dir, &mut files)?;
        }
    }
    let mut problems = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file)?;
        let first = text.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
            problems
                .push(format!("{shown}: does not open with a `//!` line saying what it is for"));
        }
    }
    Ok(problems)
}

fn forbidden_edges(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (krate, allowed) in ALLOWED_EDGES {
        let manifest = root.join("crates").join(krate).join("Cargo.toml");
        let text = fs::read_to_string(&manifest)
            .with_context(|| format!("cannot read {}", manifest.display()))?;
        for dependency in workspace_dependencies(&text) {
            if !allowed.contains(&dependency.as_str()) {
                problems.push(format!("crates/{krate} must not depend on {dependency}"));
            }
        }
    }
    Ok(problems)
}

/// The `resplite-*` names in a manifest's `[dependencies]` section.
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("");
        if in_dependencies && name.starts_with("resplite-") {
            names.push(name.to_owned());
        }
    }
    names
}

fn command_list_drift(root: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(root.join("spec/commands.md"))
        .context("cannot read spec/commands.md")?;
    let documented: BTreeSet<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_ascii_lowercase)
        .collect();
    let served: BTreeSet<String> = resplite_server::command_names().map(str::to_owned).collect();
    let mut problems = Vec::new();
    for name in served.difference(&documented) {
        problems.push(format!("spec/commands.md does not list the command `{name}`"));
    }
    for name in documented.difference(&served) {
        problems.push(format!("spec/commands.md lists `{name}`, which the server does not serve"));
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::workspace_dependencies;

    #[test]
    fn the_tree_is_tidy() {
        super::run().unwrap();
    }

    #[test]
    fn finds_workspace_dependencies_only_in_the_dependencies_section() {
        let manifest = "[dependencies]\nresplite-store.workspace = true\ntokio = \"1\"\n\
                        resplite-resp = { path = \"x\" }\n[dev-dependencies]\nresplite-server = \"1\"\n";
        assert_eq!(workspace_dependencies(manifest), ["resplite-store", "resplite-resp"]);
    }
}
