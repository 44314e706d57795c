//! The oracle's check of `COMMAND DOCS`: every command and subcommand resplite describes
//! must have the same arguments (names, types, tokens, flags, nesting) as in Redis, since
//! redis-cli shows them to people as `help` text and as hints while a command is typed.
//!
//! Summaries are resplite's own words and are not compared, nor are the fields redis-cli
//! does not use (`since`, `deprecated_since`, `key_spec_index`). The few places where
//! resplite accepts more than Redis 7.0 are listed in [`EXPECTED_DIFFERENCES`] (and the
//! commands Redis 7.0 lacks altogether in `introspection.rs`), and must
//! still differ: a listed name whose arguments come to agree is reported too, so the list
//! never outlives its reason.

use std::collections::BTreeMap;

use resplite_resp::Frame;

use super::Summary;
use super::introspection::{self, ExpectedDifference, expect_frame, text};
use super::wire::Connection;
use crate::servers::ServerProcess;

/// What the check is called in reports and oracle filters.
pub(crate) const NAME: &str = "command-docs";

/// Commands and subcommands whose arguments differ from Redis 7.0's on purpose.
const EXPECTED_DIFFERENCES: &[ExpectedDifference] = &[
    ("client|no-touch", "a Redis 7.2 subcommand that Redis 7.0 does not have"),
    ("client|setinfo", "a Redis 7.2 subcommand that Redis 7.0 does not have"),
    ("zrank", "WITHSCORE, from Redis 7.2"),
    ("zrevrank", "WITHSCORE, from Redis 7.2"),
];

/// Compares the arguments of everything the candidate documents with the reference's.
pub(crate) fn compare(reference: &ServerProcess, candidate: &ServerProcess, summary: &mut Summary) {
    let outcome = fetch(candidate.port(), &[]).and_then(|candidate_docs| {
        let names: Vec<&str> = candidate_docs.keys().map(String::as_str).collect();
        let reference_docs = fetch(reference.port(), &names)?;
        // Asked for by name, subcommands included (`COMMAND DOCS client|list`), the
        // candidate must describe each the same as in its full list.
        let described_names = described(&candidate_docs);
        let every_name: Vec<&str> = described_names.keys().map(String::as_str).collect();
        let by_name = fetch(candidate.port(), &every_name)?;
        if !by_name.keys().eq(described_names.keys()) {
            return Err("COMMAND DOCS with names leaves some of them out".to_owned());
        }
        if described(&by_name) != described_names {
            return Err("COMMAND DOCS with names describes them differently".to_owned());
        }
        Ok((candidate_docs, reference_docs))
    });
    let (candidate_docs, reference_docs) = match outcome {
        Ok(both) => both,
        Err(problem) => {
            println!("PROBLEM {NAME}: {problem}");
            summary.failed += 1;
            return;
        }
    };

    let rendered = |docs: &BTreeMap<String, Frame>| -> BTreeMap<String, String> {
        described(docs).into_iter().map(|(name, lines)| (name, lines.join(" / "))).collect()
    };
    let (reference_arguments, candidate_arguments) =
        (rendered(&reference_docs), rendered(&candidate_docs));
    introspection::report(
        NAME,
        &reference_arguments,
        &candidate_arguments,
        EXPECTED_DIFFERENCES,
        summary,
    );
}

/// `COMMAND DOCS` of `names` (all commands when empty), as command name → its docs map.
fn fetch(port: u16, names: &[&str]) -> Result<BTreeMap<String, Frame>, String> {
    let mut connection = Connection::open(port).map_err(|error| format!("port {port}: {error}"))?;
    let words = |items: &[&str]| -> Vec<Vec<u8>> {
        items.iter().map(|item| item.as_bytes().to_vec()).collect()
    };
    // RESP3, so that maps arrive as maps.
    expect_frame(connection.command(&words(&["HELLO", "3"])))?;
    let mut request = vec!["COMMAND", "DOCS"];
    request.extend_from_slice(names);
    match expect_frame(connection.command(&words(&request)))? {
        Frame::Map(entries) => {
            Ok(entries.into_iter().map(|(name, docs)| (text(&name), docs)).collect())
        }
        other => Err(format!("port {port}: COMMAND DOCS answered {other:?}")),
    }
}

/// Every command and subcommand in `docs` with its arguments rendered one line each.
fn described(docs: &BTreeMap<String, Frame>) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for (name, entry) in docs {
        found.insert(name.to_ascii_lowercase(), arguments_of(entry));
        if let Some(Frame::Map(subcommands)) = field(entry, "subcommands") {
            for (subcommand, sub_entry) in subcommands {
                found.insert(text(subcommand).to_ascii_lowercase(), arguments_of(sub_entry));
            }
        }
    }
    found
}

/// The `arguments` of a docs map, flattened into lines of `depth name type token flags`.
fn arguments_of(entry: &Frame) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(Frame::Array(arguments)) = field(entry, "arguments") {
        render(arguments, 0, &mut lines);
    }
    lines
}

fn render(arguments: &[Frame], depth: usize, lines: &mut Vec<String>) {
    for argument in arguments {
        let word = |key| field(argument, key).map(text).unwrap_or_default();
        let flags = match field(argument, "flags") {
            Some(Frame::Set(flags) | Frame::Array(flags)) => {
                flags.iter().map(text).collect::<Vec<_>>().join(",")
            }
            _ => String::new(),
        };
        lines.push(format!(
            "{depth} {} {} {} [{flags}]",
            word("name"),
            word("type"),
            word("token")
        ));
        if let Some(Frame::Array(children)) = field(argument, "arguments") {
            render(children, depth + 1, lines);
        }
    }
}

/// The value under `key` in a map frame.
fn field<'a>(map: &'a Frame, key: &str) -> Option<&'a Frame> {
    let Frame::Map(entries) = map else { return None };
    entries.iter().find(|(name, _)| text(name) == key).map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::{EXPECTED_DIFFERENCES, arguments_of};
    use resplite_resp::Frame;

    fn map(fields: Vec<(&'static str, Frame)>) -> Frame {
        Frame::Map(fields.into_iter().map(|(key, value)| (Frame::bulk(key), value)).collect())
    }

    #[test]
    fn arguments_render_with_depth_type_token_and_flags() {
        let choice = map(vec![
            ("name", Frame::bulk("condition")),
            ("type", Frame::bulk("oneof")),
            ("since", Frame::bulk("2.6.12")),
            ("flags", Frame::Set(vec![Frame::simple("optional")])),
            (
                "arguments",
                Frame::Array(vec![map(vec![
                    ("name", Frame::bulk("nx")),
                    ("type", Frame::bulk("pure-token")),
                    ("token", Frame::bulk("NX")),
                ])]),
            ),
        ]);
        let entry =
            map(vec![("summary", Frame::bulk("x")), ("arguments", Frame::Array(vec![choice]))]);
        assert_eq!(
            arguments_of(&entry),
            ["0 condition oneof  [optional]", "1 nx pure-token NX []"]
        );
        assert!(arguments_of(&map(vec![("summary", Frame::bulk("x"))])).is_empty());
    }

    #[test]
    fn expected_differences_are_sorted_and_unique() {
        let names: Vec<&str> = EXPECTED_DIFFERENCES.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
