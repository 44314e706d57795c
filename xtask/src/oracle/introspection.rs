//! What the oracle's checks of `COMMAND DOCS` (`docs.rs`) and `COMMAND INFO`
//! (`command_info.rs`) share: reading replies, and comparing one description per command
//! and subcommand with Redis's, apart from a list of differences kept on purpose.

use std::collections::BTreeMap;

use bytes::Bytes;
use resplite_resp::Frame;

use super::Summary;
use super::wire::Reply;

/// A command or subcommand (`client|list`) that differs from Redis 7.0 on purpose, and why.
pub(super) type ExpectedDifference = (&'static str, &'static str);

/// Commands resplite serves that Redis 7.0 does not have at all: they differ from it in
/// every check, for that one reason (`spec/oracle/redis8/` compares them with Redis 8).
const NEWER_THAN_REDIS_7_0: &[&str] = &[
    "hexpire",
    "hexpireat",
    "hexpiretime",
    "hpersist",
    "hpexpire",
    "hpexpireat",
    "hpexpiretime",
    "hpttl",
    "httl",
];
const NEWER_REASON: &str = "a Redis 7.4 command that Redis 7.0 does not have";

/// Compares each of the candidate's descriptions with the reference's under the same name,
/// prints every mismatch, and counts one case per name the candidate describes. A listed
/// difference must still differ (and still be described), so the list never outlives its
/// reason.
pub(super) fn report(
    check: &str,
    reference: &BTreeMap<String, String>,
    candidate: &BTreeMap<String, String>,
    expected_differences: &[ExpectedDifference],
    summary: &mut Summary,
) {
    let mut failed = 0;
    for (name, description) in candidate {
        let reference_description = reference.get(name);
        let newer = NEWER_THAN_REDIS_7_0.contains(&name.as_str()).then_some(&("", NEWER_REASON));
        let expected = expected_differences.iter().find(|(listed, _)| listed == name).or(newer);
        match (reference_description == Some(description), expected) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((_, reason))) => {
                failed += 1;
                println!(
                    "STALE {check}: {name} agrees with Redis but is listed as differing ({reason})"
                );
            }
            (false, None) => {
                failed += 1;
                println!("MISMATCH {check}: {name}");
                let reference_text =
                    reference_description.map_or("(not described)", String::as_str);
                println!("    redis:    {reference_text}");
                println!("    resplite: {description}");
            }
        }
    }
    let passed = candidate.len() - failed;
    for (listed, _) in expected_differences {
        if !candidate.contains_key(*listed) {
            failed += 1;
            println!(
                "STALE {check}: {listed} is listed as differing but resplite does not describe it"
            );
        }
    }
    summary.passed += passed;
    summary.failed += failed;
    println!("{check}: {passed} passed, {failed} failed");
}

/// The frame of a reply, or why there is none.
pub(super) fn expect_frame(reply: Reply) -> Result<Frame, String> {
    match reply {
        Reply::Frame(Frame::Error(message)) => Err(String::from_utf8_lossy(&message).into_owned()),
        Reply::Frame(frame) => Ok(frame),
        other => Err(format!("no reply: {other:?}")),
    }
}

/// The text of a bulk or simple string; empty for anything else.
pub(super) fn text(frame: &Frame) -> String {
    let bytes: &Bytes = match frame {
        Frame::Bulk(bytes) | Frame::Simple(bytes) => bytes,
        _ => return String::new(),
    };
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::report;
    use crate::oracle::Summary;

    fn table(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries.iter().map(|(name, text)| ((*name).to_owned(), (*text).to_owned())).collect()
    }

    #[test]
    fn mismatches_and_stale_listed_differences_fail() {
        let reference = table(&[("get", "a"), ("set", "b"), ("zrank", "c")]);
        let mut summary = Summary::default();
        report("t", &reference, &table(&[("get", "a"), ("set", "x")]), &[], &mut summary);
        assert_eq!((summary.passed, summary.failed), (1, 1));

        let mut summary = Summary::default();
        let listed = [("zrank", "on purpose"), ("gone", "no longer described")];
        let candidate = table(&[("get", "a"), ("zrank", "d"), ("new", "e")]);
        report("t", &reference, &candidate, &listed, &mut summary);
        // `new` is not described by Redis; `gone` is listed but not described.
        assert_eq!((summary.passed, summary.failed), (2, 2));

        let mut summary = Summary::default();
        report("t", &reference, &table(&[("zrank", "c")]), &listed[..1], &mut summary);
        assert_eq!((summary.passed, summary.failed), (0, 1));
    }
}
