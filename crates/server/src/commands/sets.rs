//! Set commands: `SADD`, `SREM`, `SISMEMBER`, `SPOP`, `SMOVE`, `SINTER`, `SINTERCARD`,
//! `SSCAN` and the rest.

use bytes::Bytes;
use resplite_resp::{Element, Frame, ReplyEncoder, Shape};
use resplite_store::{Db, SetOperation, parse_i64};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, count, optional_bulk, read, write};
use crate::commands::element_scan;
use crate::commands::hashes::random_count;
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// Members as an array, for replies that may repeat a member (`SRANDMEMBER`).
fn members_frame(members: Vec<Vec<u8>>) -> Frame {
    Frame::Array(members.into_iter().map(Frame::bulk).collect())
}

/// Members of a set: a set in RESP3, an array in RESP2.
fn set_frame(members: Vec<Vec<u8>>) -> Frame {
    Frame::Set(members.into_iter().map(Frame::bulk).collect())
}

pub(crate) fn sadd(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let members = args.rest();
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let added = writer.set_add(db, &key, &members)?;
        if added > 0 {
            emit_added(was_missing, db, &key);
        }
        Ok(Frame::Integer(added))
    })
}

/// Emits `sadd` for `key`, after `new` when the key was missing before.
fn emit_added(was_missing: bool, db: Db, key: &[u8]) {
    if was_missing {
        keyspace_events::emit(notify::NEW, "new", db, key);
    }
    keyspace_events::emit(notify::SET, "sadd", db, key);
}

pub(crate) fn srem(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let members = args.rest();
    write(move |writer| {
        let removed = writer.set_remove(db, &key, &members)?;
        if removed > 0 {
            keyspace_events::emit_removed(writer, notify::SET, "srem", db, &key)?;
        }
        Ok(Frame::Integer(removed))
    })
}

pub(crate) fn smembers(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, protocol) = (context.db(), args.bytes()?, context.protocol());
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Set, protocol);
        reader.set_members_each(db, &key, |member| reply.push(Element::Bulk(member)))?;
        Ok(reply.finish())
    })
}

pub(crate) fn sismember(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, member) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| Ok(Frame::Integer(i64::from(reader.set_is_member(db, &key, &member)?))))
}

pub(crate) fn smismember(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let (members, protocol) = (args.rest(), context.protocol());
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        for is_member in reader.set_are_members(db, &key, &members)? {
            reply.push(Element::Integer(i64::from(is_member)));
        }
        Ok(reply.finish())
    })
}

pub(crate) fn scard(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(Frame::Integer(reader.set_len(db, &key)?)))
}

/// `SPOP key [count]`.
pub(crate) fn spop(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let Some(count_argument) = args.next() else {
        return write(move |writer| {
            let popped = writer.set_pop(db, &key, None)?;
            if popped.as_ref().is_some_and(|members| !members.is_empty()) {
                keyspace_events::emit_removed(writer, notify::SET, "spop", db, &key)?;
            }
            Ok(optional_bulk(popped.and_then(|members| members.into_iter().next())))
        });
    };
    if args.remaining() > 0 {
        return Err(CommandError::Syntax);
    }
    // Redis reads the count as a non-negative integer, with one message for both failures.
    let count = parse_i64(&count_argument)
        .and_then(|count| u64::try_from(count).ok())
        .ok_or_else(|| CommandError::err("value is out of range, must be positive"))?;
    write(move |writer| {
        let popped = writer.set_pop(db, &key, Some(count))?;
        if popped.as_ref().is_some_and(|members| !members.is_empty()) {
            keyspace_events::emit_removed(writer, notify::SET, "spop", db, &key)?;
        }
        Ok(set_frame(popped.unwrap_or_default()))
    })
}

/// `SRANDMEMBER key [count]`.
pub(crate) fn srandmember(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let Some(count_argument) = args.next() else {
        return read(move |reader| {
            let chosen = reader.set_random_members(db, &key, None)?;
            Ok(optional_bulk(chosen.and_then(|members| members.into_iter().next())))
        });
    };
    if args.remaining() > 0 {
        return Err(CommandError::Syntax);
    }
    let count = random_count(&count_argument)?;
    read(move |reader| {
        Ok(members_frame(reader.set_random_members(db, &key, Some(count))?.unwrap_or_default()))
    })
}

pub(crate) fn smove(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, source, destination, member) =
        (context.db(), args.bytes()?, args.bytes()?, args.bytes()?);
    write(move |writer| {
        // Looked up before the move, for its events. Redis answers 0 for a missing source
        // even when the destination has the wrong type, so a lookup error here means only
        // that nothing will move.
        let was_missing = keyspace_events::missing(writer, db, &destination)?;
        let already_there = keyspace_events::wants(notify::SET)
            && matches!(writer.set_is_member(db, &destination, &member), Ok(true));
        let moved = writer.set_move(db, &source, &destination, &member)?;
        // Moving a member to its own set changes nothing, and Redis says nothing.
        if moved && source != destination {
            keyspace_events::emit_removed(writer, notify::SET, "srem", db, &source)?;
            if !already_there {
                emit_added(was_missing, db, &destination);
            }
        }
        Ok(Frame::Integer(i64::from(moved)))
    })
}

/// The reading forms: `SINTER`, `SUNION`, `SDIFF`.
fn combine(context: &Context<'_>, args: Args, operation: SetOperation) -> CommandResult {
    let (db, keys) = (context.db(), args.rest());
    read(move |reader| Ok(set_frame(reader.set_combine(db, operation, &keys)?)))
}

/// The storing forms: `SINTERSTORE`, `SUNIONSTORE`, `SDIFFSTORE`.
fn combine_store(context: &Context<'_>, mut args: Args, operation: SetOperation) -> CommandResult {
    let (db, destination) = (context.db(), args.bytes()?);
    let keys = args.rest();
    let name = match operation {
        SetOperation::Intersection => "sinterstore",
        SetOperation::Union => "sunionstore",
        SetOperation::Difference => "sdiffstore",
    };
    write(move |writer| {
        let existed = keyspace_events::destination_existed(writer, db, &destination)?;
        let stored = writer.set_combine_store(db, &destination, operation, &keys)?;
        keyspace_events::emit_stored(existed, stored > 0, notify::SET, name, db, &destination);
        Ok(Frame::Integer(stored))
    })
}

pub(crate) fn sinter(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, SetOperation::Intersection)
}

pub(crate) fn sunion(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, SetOperation::Union)
}

pub(crate) fn sdiff(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, SetOperation::Difference)
}

pub(crate) fn sinterstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, SetOperation::Intersection)
}

pub(crate) fn sunionstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, SetOperation::Union)
}

pub(crate) fn sdiffstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, SetOperation::Difference)
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`.
pub(crate) fn sintercard(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let numkeys = parse_i64(&args.bytes()?)
        .filter(|numkeys| *numkeys > 0)
        .ok_or_else(|| CommandError::err("numkeys should be greater than 0"))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > args.remaining() {
        return Err(CommandError::err("Number of keys can't be greater than number of args"));
    }
    let keys: Vec<Bytes> = (0..numkeys).filter_map(|_| args.next()).collect();
    let mut limit = 0u64;
    while let Some(option) = args.next() {
        let value = args.next().filter(|_| is_word(&option, "limit"));
        let Some(value) = value else { return Err(CommandError::Syntax) };
        limit = parse_i64(&value)
            .and_then(|limit| u64::try_from(limit).ok())
            .ok_or_else(|| CommandError::err("LIMIT can't be negative"))?;
    }
    read(move |reader| Ok(count(reader.set_intersection_len(db, &keys, limit)?)))
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`.
pub(crate) fn sscan(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let key = args.bytes()?;
    let request = element_scan::parse(&mut args, false)?;
    read(move |reader| {
        if reader.set_len(db, &key)? == 0 {
            return Ok(element_scan::empty());
        }
        let options = request.options?;
        let page = reader.set_scan(db, &key, request.cursor, options.as_store())?;
        Ok(element_scan::reply(page.cursor, page.items.into_iter().map(Frame::bulk).collect()))
    })
}
