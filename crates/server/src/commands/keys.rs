//! Generic key commands: `DEL`, `UNLINK`, `EXISTS`, `TYPE`, `KEYS`, `SCAN`, `RANDOMKEY`,
//! `RENAME`, `RENAMENX`, `COPY`, `TOUCH`, `OBJECT`.

use resplite_resp::Frame;
use resplite_store::{KeyType, ScanOptions, parse_i64};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, count, optional_bulk, read, write};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

pub(crate) fn del(context: &mut Context<'_>, args: Args) -> CommandResult {
    let db = context.db();
    let keys = args.rest();
    write(move |writer| {
        let mut deleted = 0;
        for key in &keys {
            if writer.delete(db, std::slice::from_ref(key))? > 0 {
                keyspace_events::emit(notify::GENERIC, "del", db, key);
                deleted += 1;
            }
        }
        Ok(count(deleted))
    })
}

pub(crate) fn exists(context: &mut Context<'_>, args: Args) -> CommandResult {
    let db = context.db();
    let keys = args.rest();
    read(move |reader| Ok(count(reader.exists(db, &keys)?)))
}

pub(crate) fn key_type(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| {
        let name = reader.key_type(db, &key)?.map_or("none", KeyType::name);
        Ok(Frame::simple(name))
    })
}

pub(crate) fn keys(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, pattern) = (context.db(), args.bytes()?);
    read(move |reader| {
        let keys = reader.keys(db, &pattern)?;
        Ok(Frame::Array(keys.into_iter().map(Frame::bulk).collect()))
    })
}

/// Parses a `SCAN` cursor as Redis's `strtoul`: decimal digits after an optional sign, where
/// `-n` wraps around as in C; an empty cursor is 0; anything else is `invalid cursor`.
pub(crate) fn parse_cursor(argument: &[u8]) -> Result<u64, CommandError> {
    let (negative, digits) = match argument.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, argument),
    };
    if argument.is_empty() {
        return Ok(0);
    }
    let invalid = || CommandError::err("invalid cursor");
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let magnitude: u64 =
        std::str::from_utf8(digits).ok().and_then(|text| text.parse().ok()).ok_or_else(invalid)?;
    Ok(if negative { magnitude.wrapping_neg() } else { magnitude })
}

pub(crate) fn scan(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let cursor = parse_cursor(&args.bytes()?)?;
    let mut pattern = None;
    let mut key_count = 10usize;
    let mut type_filter: Option<Option<KeyType>> = None;
    while let Some(option) = args.next() {
        let Some(value) = args.next() else { return Err(CommandError::Syntax) };
        if is_word(&option, "match") {
            pattern = Some(value);
        } else if is_word(&option, "count") {
            let number = parse_i64(&value).ok_or(CommandError::NotInteger)?;
            if number < 1 {
                return Err(CommandError::Syntax);
            }
            key_count = usize::try_from(number).unwrap_or(usize::MAX);
        } else if is_word(&option, "type") {
            type_filter = Some(KeyType::from_name(&value));
        } else {
            return Err(CommandError::Syntax);
        }
    }
    read(move |reader| {
        // An unknown type name matches nothing, as in Redis 7.0.
        if let Some(None) = type_filter {
            return Ok(scan_reply(0, Vec::new()));
        }
        let options = ScanOptions {
            pattern: pattern.as_deref(),
            count: key_count,
            key_type: type_filter.flatten(),
        };
        let page = reader.scan(db, cursor, &options)?;
        Ok(scan_reply(page.cursor, page.keys))
    })
}

/// The two-element reply of every `SCAN`-family command.
pub(crate) fn scan_reply(cursor: u64, items: Vec<Vec<u8>>) -> Frame {
    Frame::Array(vec![
        Frame::bulk(cursor.to_string()),
        Frame::Array(items.into_iter().map(Frame::bulk).collect()),
    ])
}

pub(crate) fn randomkey(context: &mut Context<'_>, _: Args) -> CommandResult {
    let db = context.db();
    read(move |reader| Ok(optional_bulk(reader.random_key(db)?)))
}

fn rename_generic(
    context: &mut Context<'_>,
    mut args: Args,
    only_if_absent: bool,
) -> CommandResult {
    let (db, from, to) = (context.db(), args.bytes()?, args.bytes()?);
    write(move |writer| {
        let renamed = writer.rename(db, &from, &to, only_if_absent)?;
        // Renaming a key to itself changes nothing, and Redis announces nothing.
        if renamed && from != to {
            // Redis deletes any old target and adds the key afresh, so it is always `new`.
            keyspace_events::emit(notify::NEW, "new", db, &to);
            keyspace_events::emit(notify::GENERIC, "rename_from", db, &from);
            keyspace_events::emit(notify::GENERIC, "rename_to", db, &to);
        }
        Ok(if only_if_absent { Frame::Integer(i64::from(renamed)) } else { Frame::ok() })
    })
}

pub(crate) fn rename(context: &mut Context<'_>, args: Args) -> CommandResult {
    rename_generic(context, args, false)
}

pub(crate) fn renamenx(context: &mut Context<'_>, args: Args) -> CommandResult {
    rename_generic(context, args, true)
}

pub(crate) fn copy(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, from, to) = (context.db(), args.bytes()?, args.bytes()?);
    let mut target_db = db;
    let mut replace = false;
    while let Some(option) = args.next() {
        if is_word(&option, "replace") {
            replace = true;
        } else if is_word(&option, "db") && args.remaining() > 0 {
            target_db = context.parse_db(&args.bytes()?)?;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    if target_db == db && from == to {
        return Err(CommandError::err("source and destination objects are the same"));
    }
    write(move |writer| {
        let copied = writer.copy(db, &from, target_db, &to, replace)?;
        if copied {
            // As with RENAME, a replaced target counts as a new key.
            keyspace_events::emit(notify::NEW, "new", target_db, &to);
            keyspace_events::emit(notify::GENERIC, "copy_to", target_db, &to);
        }
        Ok(Frame::Integer(i64::from(copied)))
    })
}

/// `MOVE key db`: moves a key of any type to another database, keeping its deadline.
pub(crate) fn move_key(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let target_db = context.parse_db(&args.bytes()?)?;
    if target_db == db {
        return Err(CommandError::err("source and destination objects are the same"));
    }
    write(move |writer| {
        let moved = writer.move_key(db, &key, target_db)?;
        if moved {
            keyspace_events::emit(notify::NEW, "new", target_db, &key);
            keyspace_events::emit(notify::GENERIC, "move_from", db, &key);
            keyspace_events::emit(notify::GENERIC, "move_to", target_db, &key);
        }
        Ok(Frame::Integer(i64::from(moved)))
    })
}

pub(crate) fn touch(context: &mut Context<'_>, args: Args) -> CommandResult {
    exists(context, args)
}

pub(crate) fn object(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let name = context.subcommand("OBJECT", &mut args)?;
    if name == "help" {
        let lines = [
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.",
        ];
        return crate::command::reply(Frame::Array(
            lines.iter().map(|line| Frame::simple(line)).collect(),
        ));
    }
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| {
        let Some(kind) = reader.key_type(db, &key)? else { return Ok(Frame::Null) };
        match name {
            "encoding" => Ok(reader.encoding(db, &key)?.map_or(Frame::Null, Frame::bulk)),
            "refcount" => {
                let value = if kind == KeyType::String { reader.get(db, &key)? } else { None };
                Ok(Frame::Integer(refcount(value.as_deref())))
            }
            "idletime" => Err(CommandError::err("idle time is not tracked by resplite")),
            _ => Err(CommandError::err(
                "An LFU maxmemory policy is not selected, access frequency not tracked. \
                 Please note that when switching between policies at runtime LRU and LFU data \
                 will take some time to adjust.",
            )),
        }
    })
}

/// Redis shares the integers 0 to 9999 between keys and reports them with `INT_MAX`
/// references; every other value has one.
fn refcount(string: Option<&[u8]>) -> i64 {
    let shared = string.and_then(parse_i64).is_some_and(|number| (0..10_000).contains(&number));
    if shared { i64::from(i32::MAX) } else { 1 }
}
