//! The command registry: one table, sorted by name, of every command resplite serves.
//!
//! Dispatch, arity errors, `COMMAND` and the command list in the docs all come from this
//! table. Its rows live with their family, one module per `COMMAND DOCS` group (`hashes.rs`,
//! `lists.rs` …), each sorted by name; [`COMMANDS`] puts them together once, sorted, so
//! adding a command means adding one row to its family's module, whose group is the
//! command's [`group_of`] (the tests check no name is there twice; `cargo xtask tidy`
//! checks the docs list it).

use std::sync::LazyLock;

use crate::command::Handler;

mod bitmaps;
mod connection;
mod generic;
mod hashes;
mod hyperloglog;
mod lists;
mod pubsub;
mod server;
mod sets;
mod sorted_sets;
mod strings;
mod transactions;

/// Where the keys are among a command's arguments (Redis's first/last/step triple).
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyPositions {
    pub(crate) first: i32,
    pub(crate) last: i32,
    pub(crate) step: i32,
}

/// The family a command belongs to, as `COMMAND DOCS` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    Bitmap,
    Connection,
    Generic,
    Hash,
    HyperLogLog,
    List,
    Server,
    Set,
    PubSub,
    SortedSet,
    String,
    Transactions,
}

impl Group {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Bitmap => "bitmap",
            Group::Connection => "connection",
            Group::Generic => "generic",
            Group::Hash => "hash",
            Group::HyperLogLog => "hyperloglog",
            Group::List => "list",
            Group::Server => "server",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::String => "string",
            Group::Transactions => "transactions",
            Group::PubSub => "pubsub",
        }
    }
}

/// One command: its name, arity (negative means "at least"), flags and handler. The flags are
/// Redis's own for the command (the oracle compares them); dispatch reads `write`,
/// `readonly`, `admin`, `no_auth` and `fast` from them.
#[derive(Clone, Copy)]
pub(crate) struct CommandSpec {
    pub(crate) name: &'static str,
    pub(crate) arity: i32,
    pub(crate) flags: &'static [&'static str],
    /// Redis's ACL categories for the command (`COMMAND INFO`, `COMMAND LIST FILTERBY ACLCAT`).
    pub(crate) categories: &'static [&'static str],
    pub(crate) keys: KeyPositions,
    pub(crate) since: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) handler: Handler,
}

impl CommandSpec {
    /// Whether a request of `count` words (the name included) fits the arity.
    pub(crate) fn accepts_argument_count(&self, count: usize) -> bool {
        arity_accepts(self.arity, count)
    }
}

/// Whether `count` words fit Redis's `arity`: exactly that many, or when it is negative at
/// least its opposite.
pub(crate) fn arity_accepts(arity: i32, count: usize) -> bool {
    let wanted = arity.unsigned_abs() as usize;
    if arity >= 0 { count == wanted } else { count >= wanted }
}

/// Finds a command by name, ignoring ASCII case.
pub(crate) fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut lower = [0u8; 32];
    let lower = lower.get_mut(..name.len())?;
    for (target, byte) in lower.iter_mut().zip(name) {
        *target = byte.to_ascii_lowercase();
    }
    let lower = &*lower;
    COMMANDS
        .binary_search_by(|spec| spec.name.as_bytes().cmp(lower))
        .ok()
        .map(|index| &COMMANDS[index])
}

/// Each family's rows, with the group they belong to.
const FAMILIES: [(Group, &[CommandSpec]); 12] = [
    (Group::Bitmap, bitmaps::COMMANDS),
    (Group::Connection, connection::COMMANDS),
    (Group::Generic, generic::COMMANDS),
    (Group::Hash, hashes::COMMANDS),
    (Group::HyperLogLog, hyperloglog::COMMANDS),
    (Group::List, lists::COMMANDS),
    (Group::PubSub, pubsub::COMMANDS),
    (Group::Server, server::COMMANDS),
    (Group::Set, sets::COMMANDS),
    (Group::SortedSet, sorted_sets::COMMANDS),
    (Group::String, strings::COMMANDS),
    (Group::Transactions, transactions::COMMANDS),
];

/// The `COMMAND DOCS` group of a command: that of the family module holding its row.
pub(crate) fn group_of(spec: &CommandSpec) -> Group {
    FAMILIES
        .iter()
        .find(|(_, rows)| rows.binary_search_by(|row| row.name.cmp(spec.name)).is_ok())
        .map_or(Group::Generic, |(group, _)| *group)
}

/// Every command, sorted by name, in one table (so that a command's index is its offset in
/// it, which the command statistics use).
pub(crate) static COMMANDS: LazyLock<Vec<CommandSpec>> = LazyLock::new(|| {
    let mut all: Vec<CommandSpec> =
        FAMILIES.iter().flat_map(|(_, rows)| rows.iter().copied()).collect();
    all.sort_unstable_by_key(|spec| spec.name);
    all
});

#[cfg(test)]
mod tests {
    use super::{COMMANDS, CommandSpec, FAMILIES, group_of, lookup};

    /// Each name sorts strictly after the one before it (so none is there twice).
    fn assert_sorted_and_unique(rows: &[CommandSpec]) {
        for pair in rows.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
        }
    }

    #[test]
    fn table_is_sorted_and_unique() {
        assert_sorted_and_unique(&COMMANDS);
    }

    #[test]
    fn each_family_is_sorted_and_names_its_rows_group() {
        for (group, rows) in FAMILIES {
            assert_sorted_and_unique(rows);
            for spec in rows {
                assert_eq!(group_of(spec), group, "{}", spec.name);
            }
        }
        let rows: usize = FAMILIES.iter().map(|(_, rows)| rows.len()).sum();
        assert_eq!(rows, COMMANDS.len());
    }

    #[test]
    fn lookup_ignores_case_and_rejects_unknown_names() {
        assert_eq!(lookup(b"GeT").map(|spec| spec.name), Some("get"));
        assert!(lookup(b"nosuchcommand").is_none());
        assert!(lookup(&[b'a'; 64]).is_none());
    }
}
