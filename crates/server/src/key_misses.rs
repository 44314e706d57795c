//! Keyspace notifications of class `m`: the `keymiss` event, for each key a command looked
//! up and did not find, reported by exactly the commands that report it in Redis 7.0.
//!
//! Redis fires `keymiss` from its read lookup, so plain reads report it, and so do writes
//! that read a key before writing (`SET … GET`, `GETDEL`, the sources of `SINTERSTORE`),
//! while writes that only create or change a key (`INCR`, `LPUSH`, `DEL`) and lookups that
//! do not count as reads (`OBJECT`, `RANDOMKEY`, `SCAN`) never do. Which keys a command
//! looks up is told here from its arguments, once its handler accepted them; the operation
//! it decided is wrapped to check those keys first and emit an event for each one missing
//! (a key named twice is looked up, and reported, twice), up to the first key of a type the
//! command refuses, where Redis's lookups end with the error. Only done while `m` can
//! publish: otherwise deciding a command costs one flag check more.

use bytes::Bytes;
use resplite_store::{Db, KeyType, Reader, StoreError, parse_i64};

use crate::args::is_word;
use crate::command::{CommandResult, Outcome};
use crate::keyspace_events;
use crate::settings::notify::{KEY_MISS, KEYEVENT, KEYSPACE};

/// Which arguments of a command are the keys it looks up for reading.
enum LookedUp {
    /// The argument at this index.
    Key(usize),
    /// Every argument from this index on.
    From(usize),
    /// The arguments from the first index to the second.
    Between(usize, usize),
    /// A count at this index, then that many keys.
    Counted(usize),
    /// The key (argument 1) of `SET`, only when it has the `GET` option.
    SetWithGet,
    /// The key (argument 1) of `BITFIELD`, only when it has no `SET` or `INCRBY` (a write
    /// looks its key up for writing, which reports no miss).
    BitFieldOfGets,
}

/// Which keys found end a command's lookups: Redis checks each key's type as it looks it
/// up, and a key of the wrong type ends the command before the keys after it are looked up
/// (and reported). Commands over one key, and those that check types only after all their
/// lookups (`MGET`, `EXISTS`, `TOUCH`, `LCS`), accept any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Accepts {
    /// Every type: nothing found ends the lookups.
    Any,
    /// Sets (the set algebra).
    Sets,
    /// Sets and sorted sets (the sorted-set algebra).
    SetsAndSortedSets,
    /// Strings (`BITOP`'s sources).
    Strings,
    /// Strings that are HyperLogLogs whose registers can be read (`PFMERGE`, `PFCOUNT`).
    HyperLogLogs,
}

/// The keys a command looks up for reading, in order, and which of them it accepts.
pub(crate) struct Lookups {
    keys: Vec<Bytes>,
    accepts: Accepts,
}

/// Which keys `command`'s lookups accept (see [`Accepts`]).
fn accepts(command: &str) -> Accepts {
    match command {
        "sinter" | "sunion" | "sdiff" | "sinterstore" | "sunionstore" | "sdiffstore"
        | "sintercard" => Accepts::Sets,
        "zunion" | "zinter" | "zdiff" | "zintercard" | "zunionstore" | "zinterstore"
        | "zdiffstore" => Accepts::SetsAndSortedSets,
        "bitop" => Accepts::Strings,
        "pfmerge" | "pfcount" => Accepts::HyperLogLogs,
        _ => Accepts::Any,
    }
}

/// The keys `command` reads, as Redis looks them up; `None` for a command that reports no
/// misses.
fn looked_up(command: &str) -> Option<LookedUp> {
    Some(match command {
        "zrangestore" => LookedUp::Key(2),
        "mget" | "exists" | "touch" | "sinter" | "sunion" | "sdiff" | "pfcount" => {
            LookedUp::From(1)
        }
        // PFMERGE reads its destination too, before its sources.
        "pfmerge" => LookedUp::From(1),
        "sinterstore" | "sunionstore" | "sdiffstore" => LookedUp::From(2),
        "bitop" => LookedUp::From(3),
        "lcs" => LookedUp::Between(1, 2),
        "sintercard" | "zunion" | "zinter" | "zdiff" | "zintercard" => LookedUp::Counted(1),
        "zunionstore" | "zinterstore" | "zdiffstore" => LookedUp::Counted(2),
        "set" => LookedUp::SetWithGet,
        "bitfield" => LookedUp::BitFieldOfGets,
        "get" | "getrange" | "substr" | "strlen" | "getbit" | "bitcount" | "bitpos" | "getex"
        | "getdel" | "getset" | "llen" | "lrange" | "lindex" | "lpos" | "hget" | "hmget"
        | "hgetall" | "hkeys" | "hvals" | "hlen" | "hexists" | "hstrlen" | "hrandfield"
        | "hscan" | "httl" | "hpttl" | "hexpiretime" | "hpexpiretime" | "scard" | "smembers"
        | "sismember" | "smismember" | "srandmember" | "sscan" | "zcard" | "zscore" | "zmscore"
        | "zrange" | "zrangebyscore" | "zrangebylex" | "zrevrange" | "zrevrangebyscore"
        | "zrevrangebylex" | "zrank" | "zrevrank" | "zcount" | "zlexcount" | "zrandmember"
        | "zscan" | "type" | "ttl" | "pttl" | "expiretime" | "pexpiretime" | "copy"
        | "bitfield_ro" | "sort" | "sort_ro" => LookedUp::Key(1),
        _ => return None,
    })
}

/// The keys to check for misses, when the configured `flags` publish `keymiss` and `command`
/// reports misses; taken from the request (the command name first) before its handler
/// consumes it.
pub(crate) fn keys_to_check(flags: u32, command: &str, request: &[Bytes]) -> Option<Lookups> {
    if !reported(flags) {
        return None;
    }
    let keys = match looked_up(command)? {
        LookedUp::Key(index) => request.get(index..=index).unwrap_or_default().to_vec(),
        LookedUp::From(index) => request.get(index..).unwrap_or_default().to_vec(),
        LookedUp::Between(first, last) => {
            request.get(first..=last.min(request.len().saturating_sub(1)))?.to_vec()
        }
        LookedUp::Counted(index) => {
            let count = usize::try_from(parse_i64(request.get(index)?)?).ok()?;
            request.get(index + 1..).unwrap_or_default().iter().take(count).cloned().collect()
        }
        LookedUp::SetWithGet => {
            let get = request.iter().skip(3).any(|arg| is_word(arg, "get"));
            if !get {
                return None;
            }
            request.get(1..=1).unwrap_or_default().to_vec()
        }
        LookedUp::BitFieldOfGets => {
            // The handler accepted the operations, so these words can only be operations.
            let writes =
                request.iter().skip(2).any(|arg| is_word(arg, "set") || is_word(arg, "incrby"));
            if writes {
                return None;
            }
            request.get(1..=1).unwrap_or_default().to_vec()
        }
    };
    Some(Lookups { keys, accepts: accepts(command) })
}

/// Whether the configured `flags` publish `keymiss` events anywhere.
pub(crate) fn reported(flags: u32) -> bool {
    flags & KEY_MISS != 0 && flags & (KEYSPACE | KEYEVENT) != 0
}

/// Wraps the read or write `decided` so that it first reports which of the looked-up keys
/// are missing (in `db`), as the command's lookups would in Redis. Other outcomes read
/// nothing.
pub(crate) fn report_misses(decided: CommandResult, db: Db, lookups: Lookups) -> CommandResult {
    Ok(match decided? {
        Outcome::Read(operation) => Outcome::Read(Box::new(move |reader| {
            emit_misses(reader, db, &lookups)?;
            operation(reader)
        })),
        Outcome::Write(mut operation) => Outcome::Write(Box::new(move |writer| {
            emit_misses(writer, db, &lookups)?;
            operation(writer)
        })),
        other => other,
    })
}

/// Emits `keymiss` for each looked-up key missing from `db`, in order, up to the first key
/// of a type the command does not accept (where Redis's lookups end with an error).
fn emit_misses(reader: &Reader<'_>, db: Db, lookups: &Lookups) -> Result<(), StoreError> {
    if !keyspace_events::wants(KEY_MISS) {
        return Ok(());
    }
    for key in &lookups.keys {
        let accepted = match (reader.key_type(db, key)?, lookups.accepts) {
            (None, _) => {
                keyspace_events::emit(KEY_MISS, "keymiss", db, key);
                true
            }
            (Some(_), Accepts::Any) => true,
            (Some(kind), Accepts::Sets) => kind == KeyType::Set,
            (Some(kind), Accepts::SetsAndSortedSets) => {
                matches!(kind, KeyType::Set | KeyType::ZSet)
            }
            (Some(kind), Accepts::Strings) => kind == KeyType::String,
            (Some(kind), Accepts::HyperLogLogs) => {
                kind == KeyType::String && reader.pf_mergeable(db, key)?
            }
        };
        if !accepted {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(command: &str, request: &[&str]) -> Option<Vec<String>> {
        let request: Vec<Bytes> = request.iter().map(|arg| Bytes::from(arg.to_string())).collect();
        keys_to_check(KEYEVENT | KEY_MISS, command, &request).map(|lookups| {
            lookups.keys.iter().map(|key| String::from_utf8_lossy(key).into_owned()).collect()
        })
    }

    #[test]
    fn the_keys_a_command_reads_are_checked() {
        assert_eq!(keys("get", &["get", "k"]), Some(vec!["k".into()]));
        assert_eq!(
            keys("mget", &["mget", "a", "b", "a"]),
            Some(vec!["a".into(), "b".into(), "a".into()])
        );
        assert_eq!(
            keys("sinterstore", &["sinterstore", "d", "a", "b"]),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys("zunionstore", &["zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"]),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(keys("lcs", &["lcs", "a", "b", "LEN"]), Some(vec!["a".into(), "b".into()]));
        assert_eq!(keys("set", &["set", "k", "v", "NX", "get"]), Some(vec!["k".into()]));
        assert_eq!(keys("set", &["set", "k", "v", "XX"]), None);
        assert_eq!(keys("incr", &["incr", "k"]), None);
        assert_eq!(keys("del", &["del", "k"]), None);
    }

    #[test]
    fn misses_are_checked_only_while_they_can_publish() {
        assert!(reported(KEYSPACE | KEY_MISS) && reported(KEYEVENT | KEY_MISS));
        assert!(!reported(KEY_MISS) && !reported(KEYSPACE | KEYEVENT));
        let request = [Bytes::from("get"), Bytes::from("k")];
        assert!(keys_to_check(KEYEVENT, "get", &request).is_none());
        assert!(keys_to_check(KEYEVENT | KEY_MISS, "get", &request).is_some());
    }
}
