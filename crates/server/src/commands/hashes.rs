//! Hash commands: `HSET`, `HGET`, `HDEL`, `HINCRBY`, `HRANDFIELD`, `HSCAN` and the rest.

use bytes::Bytes;
use resplite_resp::{Element, Frame, ReplyEncoder, Shape};
use resplite_store::{Db, FieldValue, parse_i64};

use crate::args::{Args, is_word};
use crate::command::{
    CommandResult, Context, count, optional_bulk, optional_element, pairs_frame, read, write,
};
use crate::commands::element_scan;
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// The field/value pairs of `HSET` and `HMSET`; an odd count is an arity error.
fn field_value_pairs(args: Args, command: &str) -> Result<Vec<(Bytes, Bytes)>, CommandError> {
    let rest = args.rest();
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Err(CommandError::WrongArity(command.into()));
    }
    Ok(rest.chunks_exact(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect())
}

/// Field/value pairs as bulk-string pairs.
fn bulk_pairs(pairs: Vec<FieldValue>) -> impl Iterator<Item = (Frame, Frame)> {
    pairs.into_iter().map(|(field, value)| (Frame::bulk(field), Frame::bulk(value)))
}

pub(crate) fn hset(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let pairs = field_value_pairs(args, "hset")?;
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let added = writer.hash_set(db, &key, &pairs)?;
        emit_hash_change(was_missing, "hset", db, &key);
        Ok(Frame::Integer(added))
    })
}

/// Emits `name` for a hash command that wrote `key`, after `new` when it created the key.
fn emit_hash_change(was_missing: bool, name: &'static str, db: Db, key: &[u8]) {
    if was_missing {
        keyspace_events::emit(notify::NEW, "new", db, key);
    }
    keyspace_events::emit(notify::HASH, name, db, key);
}

pub(crate) fn hmset(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let pairs = field_value_pairs(args, "hmset")?;
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        writer.hash_set(db, &key, &pairs)?;
        emit_hash_change(was_missing, "hset", db, &key);
        Ok(Frame::ok())
    })
}

pub(crate) fn hsetnx(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field, value) = (context.db(), args.bytes()?, args.bytes()?, args.bytes()?);
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let written = writer.hash_set_if_absent(db, &key, &field, &value)?;
        if written {
            emit_hash_change(was_missing, "hset", db, &key);
        }
        Ok(Frame::Integer(i64::from(written)))
    })
}

pub(crate) fn hget(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| Ok(optional_bulk(reader.hash_get(db, &key, &field)?)))
}

pub(crate) fn hmget(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let fields = args.rest();
    let protocol = context.protocol();
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader.hash_values_each(db, &key, &fields, |value| reply.push(optional_element(value)))?;
        Ok(reply.finish())
    })
}

pub(crate) fn hgetall(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let protocol = context.protocol();
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Map, protocol);
        reader.hash_fields_each(db, &key, |field, value| {
            reply.push_pair(Element::Bulk(field), Element::Bulk(value))
        })?;
        Ok(reply.finish())
    })
}

pub(crate) fn hkeys(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let protocol = context.protocol();
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader.hash_field_names_each(db, &key, |field| reply.push(Element::Bulk(field)))?;
        Ok(reply.finish())
    })
}

pub(crate) fn hvals(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let protocol = context.protocol();
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader.hash_fields_each(db, &key, |_, value| reply.push(Element::Bulk(value)))?;
        Ok(reply.finish())
    })
}

pub(crate) fn hdel(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let fields = args.rest();
    write(move |writer| {
        let deleted = writer.hash_delete(db, &key, &fields)?;
        if deleted > 0 {
            keyspace_events::emit_removed(writer, notify::HASH, "hdel", db, &key)?;
        }
        Ok(Frame::Integer(deleted))
    })
}

pub(crate) fn hexists(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| Ok(Frame::Integer(i64::from(reader.hash_exists(db, &key, &field)?))))
}

pub(crate) fn hlen(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(Frame::Integer(reader.hash_len(db, &key)?)))
}

pub(crate) fn hstrlen(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| Ok(count(reader.hash_value_len(db, &key, &field)?)))
}

pub(crate) fn hincrby(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field, delta) = (context.db(), args.bytes()?, args.bytes()?, args.integer()?);
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let value = writer.hash_increment(db, &key, &field, delta)?;
        emit_hash_change(was_missing, "hincrby", db, &key);
        Ok(Frame::Integer(value))
    })
}

pub(crate) fn hincrbyfloat(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, field, delta) = (context.db(), args.bytes()?, args.bytes()?, args.bytes()?);
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let value = writer.hash_increment_float(db, &key, &field, &delta)?;
        emit_hash_change(was_missing, "hincrbyfloat", db, &key);
        Ok(Frame::bulk(value))
    })
}

/// `HRANDFIELD key [count [WITHVALUES]]`.
pub(crate) fn hrandfield(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, protocol) = (context.db(), args.bytes()?, context.protocol());
    let Some(count_argument) = args.next() else {
        return read(move |reader| {
            let chosen = reader.hash_random_field_names(db, &key, None)?;
            Ok(optional_bulk(chosen.and_then(|fields| fields.into_iter().next())))
        });
    };
    let count = random_count(&count_argument)?;
    let with_values = match args.next() {
        None => false,
        Some(word) if is_word(&word, "withvalues") && args.remaining() == 0 => true,
        Some(_) => return Err(CommandError::Syntax),
    };
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CommandError::err("value is out of range"));
    }
    read(move |reader| {
        if with_values {
            let chosen = reader.hash_random_fields(db, &key, Some(count))?.unwrap_or_default();
            return Ok(pairs_frame(bulk_pairs(chosen), protocol));
        }
        let chosen = reader.hash_random_field_names(db, &key, Some(count))?.unwrap_or_default();
        Ok(Frame::Array(chosen.into_iter().map(Frame::bulk).collect()))
    })
}

/// The count of `HRANDFIELD`, `SRANDMEMBER` and `ZRANDMEMBER`: any integer but the most
/// negative one, as Redis allows.
pub(crate) fn random_count(argument: &[u8]) -> Result<i64, CommandError> {
    let count = parse_i64(argument).ok_or(CommandError::NotInteger)?;
    if count == i64::MIN {
        return Err(CommandError::err(
            "value is out of range, value must between -9223372036854775807 and \
             9223372036854775807",
        ));
    }
    Ok(count)
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]`.
pub(crate) fn hscan(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let key = args.bytes()?;
    let request = element_scan::parse(&mut args, true)?;
    read(move |reader| {
        if reader.hash_len(db, &key)? == 0 {
            return Ok(element_scan::empty());
        }
        let options = request.options?;
        if options.no_values {
            let page = reader.hash_scan_fields(db, &key, request.cursor, options.as_store())?;
            let items = page.items.into_iter().map(Frame::bulk).collect();
            return Ok(element_scan::reply(page.cursor, items));
        }
        let page = reader.hash_scan(db, &key, request.cursor, options.as_store())?;
        let mut items = Vec::with_capacity(page.items.len() * 2);
        for (field, value) in page.items {
            items.push(Frame::bulk(field));
            items.push(Frame::bulk(value));
        }
        Ok(element_scan::reply(page.cursor, items))
    })
}
