//! The oracle's check of `COMMAND INFO`: for every command and subcommand resplite lists,
//! the arity, the key positions (first key, last key, step), the flags and the ACL
//! categories must be Redis's. Clients that route by key, and tools that find the keys of a
//! command or tell reads from writes, read exactly these.
//!
//! Tips and key specifications are not compared: resplite gives neither
//! (docs/compatibility.md).

use std::collections::BTreeMap;

use resplite_resp::Frame;

use super::Summary;
use super::introspection::{self, ExpectedDifference, expect_frame, text};
use super::wire::Connection;
use crate::servers::ServerProcess;

/// What the check is called in reports and oracle filters.
pub(crate) const NAME: &str = "command-info";

/// Commands whose arity or key positions differ from Redis 7.0's on purpose.
const EXPECTED_DIFFERENCES: &[ExpectedDifference] = &[
    ("client|no-touch", "a Redis 7.2 subcommand that Redis 7.0 does not have"),
    ("client|setinfo", "a Redis 7.2 subcommand that Redis 7.0 does not have"),
    ("zrank", "takes WITHSCORE, from Redis 7.2, so its arity is -3"),
    ("zrevrank", "takes WITHSCORE, from Redis 7.2, so its arity is -3"),
];

/// Compares arity and key positions of everything the candidate lists with the reference's.
pub(crate) fn compare(reference: &ServerProcess, candidate: &ServerProcess, summary: &mut Summary) {
    let outcome = fetch(candidate.port(), &[]).and_then(|candidate_info| {
        let names: Vec<&str> = candidate_info.keys().map(String::as_str).collect();
        // Asked for by name, subcommands included (`COMMAND INFO object|encoding`), the
        // candidate must answer each as in its full list.
        if fetch_known(candidate.port(), &names)? != candidate_info {
            return Err("COMMAND INFO with names answers differently".to_owned());
        }
        Ok((fetch(reference.port(), &names)?, candidate_info))
    });
    let (reference_info, candidate_info) = match outcome {
        Ok(both) => both,
        Err(problem) => {
            println!("PROBLEM {NAME}: {problem}");
            summary.failed += 1;
            return;
        }
    };
    introspection::report(NAME, &reference_info, &candidate_info, EXPECTED_DIFFERENCES, summary);
}

/// Like [`fetch`], but every name must be answered with an entry of its own.
fn fetch_known(port: u16, names: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut connection = Connection::open(port).map_err(|error| format!("port {port}: {error}"))?;
    let entries = entries(&mut connection, names)?;
    for (name, entry) in names.iter().zip(&entries) {
        if !matches!(entry, Frame::Array(fields) if fields.first().map(text).as_deref() == Some(*name))
        {
            return Err(format!("COMMAND INFO {name} answers {entry:?}"));
        }
    }
    let mut shapes = BTreeMap::new();
    for entry in &entries {
        collect(entry, &mut shapes);
    }
    Ok(shapes)
}

/// `COMMAND INFO` of `names` (all commands when empty): every command and subcommand with
/// its shape.
fn fetch(port: u16, names: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let mut connection = Connection::open(port).map_err(|error| format!("port {port}: {error}"))?;
    let mut shapes = BTreeMap::new();
    for entry in &entries(&mut connection, names)? {
        collect(entry, &mut shapes);
    }
    Ok(shapes)
}

/// The entries `COMMAND INFO names…` answers, one per name (all commands when empty).
fn entries(connection: &mut Connection, names: &[&str]) -> Result<Vec<Frame>, String> {
    let mut request = vec![b"COMMAND".to_vec(), b"INFO".to_vec()];
    request.extend(names.iter().map(|name| name.as_bytes().to_vec()));
    match expect_frame(connection.command(&request))? {
        Frame::Array(entries) => Ok(entries),
        other => Err(format!("COMMAND INFO answered {other:?}")),
    }
}

/// Adds one `COMMAND INFO` entry, described as its arity, key positions and flags, and the
/// subcommands listed in its tenth field.
fn collect(entry: &Frame, shapes: &mut BTreeMap<String, String>) {
    let Frame::Array(fields) = entry else { return };
    let number = |index: usize| match fields.get(index) {
        Some(Frame::Integer(value)) => value.to_string(),
        other => format!("{other:?}"),
    };
    let words = |index: usize| {
        let mut words: Vec<String> = match fields.get(index) {
            Some(Frame::Array(words) | Frame::Set(words)) => words.iter().map(text).collect(),
            _ => Vec::new(),
        };
        words.sort();
        words.join(" ")
    };
    if let Some(name) = fields.first() {
        let description = format!(
            "arity {}, keys {} to {} step {}, flags [{}], categories [{}]",
            number(1),
            number(3),
            number(4),
            number(5),
            words(2),
            words(6)
        );
        shapes.insert(text(name).to_ascii_lowercase(), description);
    }
    if let Some(Frame::Array(subcommands) | Frame::Set(subcommands)) = fields.get(9) {
        for subcommand in subcommands {
            collect(subcommand, shapes);
        }
    }
}
