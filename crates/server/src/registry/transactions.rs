//! The registry's rows for the transaction commands (`MULTI`, `EXEC`, `WATCH` …), sorted by name.

use super::{CommandSpec, KeyPositions};
use crate::commands::transactions;

pub(super) static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        categories: &["@fast", "@transaction"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Discards a transaction.",
        handler: transactions::discard,
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: &["noscript", "loading", "stale", "skip_slowlog"],
        categories: &["@slow", "@transaction"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "1.2.0",
        summary: "Executes all commands in a transaction.",
        handler: transactions::exec,
    },
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        categories: &["@fast", "@transaction"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "1.2.0",
        summary: "Starts a transaction.",
        handler: transactions::multi,
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        categories: &["@fast", "@transaction"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.2.0",
        summary: "Forgets about all watched keys.",
        handler: transactions::unwatch,
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: &["noscript", "loading", "stale", "fast", "allow_busy"],
        categories: &["@fast", "@transaction"],
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        since: "2.2.0",
        summary: "Monitors changes to keys to determine the execution of a transaction.",
        handler: transactions::watch,
    },
];
