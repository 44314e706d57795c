//! The registry's rows for the HyperLogLog commands, sorted by name.

use super::{CommandSpec, KeyPositions};
use crate::commands::hyperloglog;

pub(super) static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: &["write", "denyoom", "fast"],
        categories: &["@write", "@hyperloglog", "@fast"],
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        since: "2.8.9",
        summary: "Adds elements to a HyperLogLog; creates the key when missing.",
        handler: hyperloglog::pfadd,
    },
    CommandSpec {
        name: "pfcount",
        arity: -2,
        flags: &["readonly"],
        categories: &["@read", "@hyperloglog", "@slow"],
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        since: "2.8.9",
        summary: "Estimates the number of distinct elements in HyperLogLogs (their union).",
        handler: hyperloglog::pfcount,
    },
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: &["write", "denyoom"],
        categories: &["@write", "@hyperloglog", "@slow"],
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        since: "2.8.9",
        summary: "Merges HyperLogLogs into the first one.",
        handler: hyperloglog::pfmerge,
    },
];
