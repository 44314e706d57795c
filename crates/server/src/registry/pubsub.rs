//! The registry's rows for the publish/subscribe commands, sorted by name.

use super::{CommandSpec, KeyPositions};
use crate::commands::pubsub;

pub(super) static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Listens for messages published to channels that match one or more patterns.",
        handler: pubsub::psubscribe,
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: &["pubsub", "loading", "stale", "fast"],
        categories: &["@pubsub", "@fast"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Posts a message to a channel.",
        handler: pubsub::publish,
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        flags: &[],
        categories: &["@slow"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.8.0",
        summary: "Introspects the pub/sub channels and patterns.",
        handler: pubsub::pubsub,
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Stops listening to messages published to channels that match one or more patterns.",
        handler: pubsub::punsubscribe,
    },
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: &["pubsub", "noscript", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Listens for messages published to channels.",
        handler: pubsub::subscribe,
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: &["pubsub", "noscript", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        since: "2.0.0",
        summary: "Stops listening to messages posted to channels.",
        handler: pubsub::unsubscribe,
    },
];
