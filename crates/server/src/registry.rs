//! The command registry: one flat table, sorted by name, of every command resplite serves.
//!
//! Dispatch, arity errors, `COMMAND` and the command list in the docs all come from this
//! table, so adding a command means adding one row here (a test keeps it sorted and checks
//! the docs list it).

use crate::command::Handler;
use crate::commands::{
    bitmaps, client, command_info, connection, expiry, info, keys, lcs, server, strings,
};

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
    Server,
    String,
}

impl Group {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Bitmap => "bitmap",
            Group::Connection => "connection",
            Group::Generic => "generic",
            Group::Server => "server",
            Group::String => "string",
        }
    }

    pub(crate) fn acl_category(self) -> &'static str {
        match self {
            Group::Bitmap => "@bitmap",
            Group::Connection => "@connection",
            Group::Generic => "@keyspace",
            Group::Server => "@admin",
            Group::String => "@string",
        }
    }
}

/// One command: its name, arity (negative means "at least"), flags and handler.
pub(crate) struct CommandSpec {
    pub(crate) name: &'static str,
    pub(crate) arity: i32,
    pub(crate) flags: &'static [&'static str],
    pub(crate) keys: KeyPositions,
    pub(crate) group: Group,
    pub(crate) since: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) handler: Handler,
}

impl CommandSpec {
    /// Whether a request of `count` words (the name included) fits the arity.
    pub(crate) fn accepts_argument_count(&self, count: usize) -> bool {
        let arity = self.arity.unsigned_abs() as usize;
        if self.arity >= 0 { count == arity } else { count >= arity }
    }
}

const WRITE: &[&str] = &["write"];
const READ: &[&str] = &["readonly"];
const ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
const FAST: &[&str] = &["fast", "loading", "stale"];

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

/// Every command, sorted by name.
pub(crate) static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "append",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.0.0",
        summary: "Appends a string to the value of a key; creates the key when missing.",
        handler: strings::append,
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Bitmap,
        since: "2.6.0",
        summary: "Counts the set bits in a string.",
        handler: bitmaps::bitcount,
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: WRITE,
        keys: KeyPositions { first: 2, last: -1, step: 1 },
        group: Group::Bitmap,
        since: "2.6.0",
        summary: "Performs bitwise operations on strings and stores the result.",
        handler: bitmaps::bitop,
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Bitmap,
        since: "2.8.7",
        summary: "Finds the first set or clear bit in a string.",
        handler: bitmaps::bitpos,
    },
    CommandSpec {
        name: "client",
        arity: -2,
        flags: ADMIN,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Connection,
        since: "2.4.0",
        summary: "Connection identity and the list of clients.",
        handler: client::client,
    },
    CommandSpec {
        name: "command",
        arity: -1,
        flags: ADMIN,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "2.8.13",
        summary: "Describes the commands this server knows.",
        handler: command_info::command,
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 2, step: 1 },
        group: Group::Generic,
        since: "6.2.0",
        summary: "Copies the value of a key to a new key.",
        handler: keys::copy,
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: READ,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "1.0.0",
        summary: "Returns the number of keys in the database.",
        handler: server::dbsize,
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Decrements the integer value of a key by one.",
        handler: strings::decr,
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Decrements the integer value of a key by a number.",
        handler: strings::decrby,
    },
    CommandSpec {
        name: "del",
        arity: -2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Deletes one or more keys.",
        handler: keys::del,
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: FAST,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Connection,
        since: "1.0.0",
        summary: "Returns the given string.",
        handler: connection::echo,
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Counts how many of the given keys exist.",
        handler: keys::exists,
    },
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Sets the time to live of a key in seconds.",
        handler: expiry::expire,
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "1.2.0",
        summary: "Sets the expiration of a key to a Unix time in seconds.",
        handler: expiry::expireat,
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "7.0.0",
        summary: "Returns the expiration of a key as a Unix time in seconds.",
        handler: expiry::expiretime,
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: ADMIN,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "1.0.0",
        summary: "Deletes every key of every database.",
        handler: server::flushall,
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: ADMIN,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "1.0.0",
        summary: "Deletes every key of the current database.",
        handler: server::flushdb,
    },
    CommandSpec {
        name: "get",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Returns the string value of a key.",
        handler: strings::get,
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Bitmap,
        since: "2.2.0",
        summary: "Returns a bit of a string.",
        handler: bitmaps::getbit,
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "6.2.0",
        summary: "Returns the string value of a key and deletes the key.",
        handler: strings::getdel,
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "6.2.0",
        summary: "Returns the string value of a key and changes its expiration.",
        handler: strings::getex,
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.4.0",
        summary: "Returns a substring of a string value.",
        handler: strings::getrange,
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Sets a new string value and returns the previous one.",
        handler: strings::getset,
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Increments the integer value of a key by one.",
        handler: strings::incr,
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Increments the integer value of a key by a number.",
        handler: strings::incrby,
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.6.0",
        summary: "Increments the floating point value of a key by a number.",
        handler: strings::incrbyfloat,
    },
    CommandSpec {
        name: "info",
        arity: -1,
        flags: READ,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "1.0.0",
        summary: "Returns information and statistics about the server.",
        handler: info::info,
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Returns the keys matching a glob pattern.",
        handler: keys::keys,
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: READ,
        keys: KeyPositions { first: 1, last: 2, step: 1 },
        group: Group::String,
        since: "7.0.0",
        summary: "Finds the longest common subsequence of two strings.",
        handler: lcs::lcs,
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Returns the string values of several keys.",
        handler: strings::mget,
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: -1, step: 2 },
        group: Group::String,
        since: "1.0.1",
        summary: "Sets several keys to string values.",
        handler: strings::mset,
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: -1, step: 2 },
        group: Group::String,
        since: "1.0.1",
        summary: "Sets several keys only when none of them exists.",
        handler: strings::msetnx,
    },
    CommandSpec {
        name: "object",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 2, last: 2, step: 1 },
        group: Group::Generic,
        since: "2.2.3",
        summary: "Inspects how a value is stored.",
        handler: keys::object,
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "2.2.0",
        summary: "Removes the expiration of a key.",
        handler: expiry::persist,
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "2.6.0",
        summary: "Sets the time to live of a key in milliseconds.",
        handler: expiry::pexpire,
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "2.6.0",
        summary: "Sets the expiration of a key to a Unix time in milliseconds.",
        handler: expiry::pexpireat,
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "7.0.0",
        summary: "Returns the expiration of a key as a Unix time in milliseconds.",
        handler: expiry::pexpiretime,
    },
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: FAST,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Connection,
        since: "1.0.0",
        summary: "Answers PONG, or echoes the given message.",
        handler: connection::ping,
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.6.0",
        summary: "Sets a string value with a time to live in milliseconds.",
        handler: strings::psetex,
    },
    CommandSpec {
        name: "pttl",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "2.6.0",
        summary: "Returns the time to live of a key in milliseconds.",
        handler: expiry::pttl,
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: FAST,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Connection,
        since: "1.0.0",
        summary: "Closes the connection.",
        handler: connection::quit,
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: READ,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Returns a random key.",
        handler: keys::randomkey,
    },
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 2, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Renames a key, replacing any key of the new name.",
        handler: keys::rename,
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 2, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Renames a key only when the new name is free.",
        handler: keys::renamenx,
    },
    CommandSpec {
        name: "scan",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Generic,
        since: "2.8.0",
        summary: "Iterates over the keys of the database.",
        handler: keys::scan,
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: FAST,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Connection,
        since: "1.0.0",
        summary: "Selects the logical database of the connection.",
        handler: connection::select,
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Sets the string value of a key, with optional conditions and expiration.",
        handler: strings::set,
    },
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Bitmap,
        since: "2.2.0",
        summary: "Sets or clears a bit of a string.",
        handler: bitmaps::setbit,
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.0.0",
        summary: "Sets a string value with a time to live in seconds.",
        handler: strings::setex,
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Sets a string value only when the key does not exist.",
        handler: strings::setnx,
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.2.0",
        summary: "Overwrites part of a string value from an offset.",
        handler: strings::setrange,
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "2.2.0",
        summary: "Returns the length of a string value.",
        handler: strings::strlen,
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::String,
        since: "1.0.0",
        summary: "Returns a substring of a string value (old name of GETRANGE).",
        handler: strings::getrange,
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: WRITE,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "4.0.0",
        summary: "Swaps the contents of two databases.",
        handler: server::swapdb,
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: FAST,
        keys: KeyPositions { first: 0, last: 0, step: 0 },
        group: Group::Server,
        since: "2.6.0",
        summary: "Returns the server time.",
        handler: server::time,
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: READ,
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        group: Group::Generic,
        since: "3.2.1",
        summary: "Counts how many of the given keys exist (access times are not tracked).",
        handler: keys::touch,
    },
    CommandSpec {
        name: "ttl",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Returns the time to live of a key in seconds.",
        handler: expiry::ttl,
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: READ,
        keys: KeyPositions { first: 1, last: 1, step: 1 },
        group: Group::Generic,
        since: "1.0.0",
        summary: "Returns the type of the value of a key.",
        handler: keys::key_type,
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: WRITE,
        keys: KeyPositions { first: 1, last: -1, step: 1 },
        group: Group::Generic,
        since: "4.0.0",
        summary: "Deletes one or more keys.",
        handler: keys::del,
    },
];

#[cfg(test)]
mod tests {
    use super::{COMMANDS, lookup};

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in COMMANDS.windows(2) {
            assert!(pair[0].name < pair[1].name, "{} before {}", pair[0].name, pair[1].name);
        }
    }

    #[test]
    fn lookup_ignores_case_and_rejects_unknown_names() {
        assert_eq!(lookup(b"GeT").map(|spec| spec.name), Some("get"));
        assert!(lookup(b"nosuchcommand").is_none());
        assert!(lookup(&[b'a'; 64]).is_none());
    }
}
