//! String commands: `GET`, `SET` and its relatives, counters, `APPEND`, ranges.

use bytes::Bytes;
use resplite_resp::{Frame, ReplyEncoder, Shape};
use resplite_store::{
    Db, Deadline, DeadlineChange, NewDeadline, SetCondition, SetOptions, now_ms, parse_i64,
};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, count, optional_bulk, optional_element, read, write};
use crate::commands::expiry::{Unit, invalid_expire_time};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

pub(crate) fn get(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(optional_bulk(reader.get(db, &key)?)))
}

/// Which command the shared `SET`/`GETEX` option parser serves (they accept different words).
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionsOf {
    Set,
    GetEx,
}

/// The options of `SET` and `GETEX` after parsing, with the deadline still unconverted.
#[derive(Default)]
struct ParsedOptions {
    condition: SetCondition,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<(Unit, bool, Bytes)>,
}

/// Parses options exactly as Redis's `parseExtendedStringArgumentsOrReply`: the same words
/// may repeat, but conflicting ones are a syntax error.
fn parse_options(args: &mut Args, command: OptionsOf) -> Result<ParsedOptions, CommandError> {
    let mut parsed = ParsedOptions::default();
    let is_set = command == OptionsOf::Set;
    while let Some(option) = args.next() {
        let has_expire = parsed.expire.is_some();
        if is_word(&option, "nx") && is_set && parsed.condition != SetCondition::IfPresent {
            parsed.condition = SetCondition::IfAbsent;
        } else if is_word(&option, "xx") && is_set && parsed.condition != SetCondition::IfAbsent {
            parsed.condition = SetCondition::IfPresent;
        } else if is_word(&option, "get") && is_set {
            parsed.get = true;
        } else if is_word(&option, "keepttl") && is_set && !has_expire {
            parsed.keep_ttl = true;
        } else if is_word(&option, "persist") && !is_set && !has_expire {
            parsed.persist = true;
        } else if let Some((unit, absolute)) = expire_word(&option)
            && !parsed.keep_ttl
            && !parsed.persist
            && parsed.expire.as_ref().is_none_or(|(u, a, _)| (*u, *a) == (unit, absolute))
            && args.remaining() > 0
        {
            parsed.expire = Some((unit, absolute, args.bytes()?));
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(parsed)
}

fn expire_word(option: &[u8]) -> Option<(Unit, bool)> {
    [("ex", Unit::Seconds, false), ("px", Unit::Milliseconds, false)]
        .into_iter()
        .chain([("exat", Unit::Seconds, true), ("pxat", Unit::Milliseconds, true)])
        .find(|(word, _, _)| is_word(option, word))
        .map(|(_, unit, absolute)| (unit, absolute))
}

/// Converts an `EX`/`PX`/`EXAT`/`PXAT` amount to an absolute deadline in milliseconds, with
/// Redis's checks and error texts.
fn deadline_from(
    amount: &[u8],
    unit: Unit,
    absolute: bool,
    command: &str,
) -> Result<i64, CommandError> {
    let amount = parse_i64(amount).ok_or(CommandError::NotInteger)?;
    if amount <= 0 {
        return Err(invalid_expire_time(command));
    }
    let mut milliseconds = match unit {
        Unit::Seconds => amount.checked_mul(1000).ok_or_else(|| invalid_expire_time(command))?,
        Unit::Milliseconds => amount,
    };
    if !absolute {
        milliseconds =
            milliseconds.checked_add(now_ms()).ok_or_else(|| invalid_expire_time(command))?;
    }
    Ok(milliseconds)
}

fn set_generic(
    context: &mut Context<'_>,
    key: Bytes,
    value: Bytes,
    options: SetOptions,
    reply: fn(bool, Option<Vec<u8>>) -> Frame,
) -> CommandResult {
    let db = context.db();
    let expires = matches!(options.deadline, NewDeadline::At(_));
    write(move |writer| {
        let outcome = writer.set(db, &key, &value, options)?;
        if outcome.written {
            if outcome.created {
                keyspace_events::emit(notify::NEW, "new", db, &key);
            }
            keyspace_events::emit(notify::STRING, "set", db, &key);
            if expires {
                keyspace_events::emit(notify::GENERIC, "expire", db, &key);
            }
        }
        Ok(reply(outcome.written, outcome.previous))
    })
}

pub(crate) fn set(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (key, value) = (args.bytes()?, args.bytes()?);
    let parsed = parse_options(&mut args, OptionsOf::Set)?;
    let deadline = match (&parsed.expire, parsed.keep_ttl) {
        (Some((unit, absolute, amount)), _) => {
            NewDeadline::At(deadline_from(amount, *unit, *absolute, "set")?)
        }
        (None, true) => NewDeadline::Keep,
        (None, false) => NewDeadline::Clear,
    };
    let options = SetOptions { condition: parsed.condition, deadline, return_previous: parsed.get };
    let reply = if parsed.get {
        |_, previous| optional_bulk(previous)
    } else {
        |written, _| if written { Frame::ok() } else { Frame::Null }
    };
    set_generic(context, key, value, options, reply)
}

pub(crate) fn setnx(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (key, value) = (args.bytes()?, args.bytes()?);
    let options = SetOptions { condition: SetCondition::IfAbsent, ..SetOptions::default() };
    set_generic(context, key, value, options, |written, _| Frame::Integer(i64::from(written)))
}

fn set_with_expiry(
    context: &mut Context<'_>,
    mut args: Args,
    unit: Unit,
    command: &str,
) -> CommandResult {
    let (key, amount, value) = (args.bytes()?, args.bytes()?, args.bytes()?);
    let at = deadline_from(&amount, unit, false, command)?;
    let options = SetOptions { deadline: NewDeadline::At(at), ..SetOptions::default() };
    set_generic(context, key, value, options, |_, _| Frame::ok())
}

pub(crate) fn setex(context: &mut Context<'_>, args: Args) -> CommandResult {
    set_with_expiry(context, args, Unit::Seconds, "setex")
}

pub(crate) fn psetex(context: &mut Context<'_>, args: Args) -> CommandResult {
    set_with_expiry(context, args, Unit::Milliseconds, "psetex")
}

pub(crate) fn getset(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (key, value) = (args.bytes()?, args.bytes()?);
    let options = SetOptions { return_previous: true, ..SetOptions::default() };
    set_generic(context, key, value, options, |_, previous| optional_bulk(previous))
}

pub(crate) fn getdel(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    write(move |writer| {
        let value = writer.get_delete(db, &key)?;
        if value.is_some() {
            keyspace_events::emit(notify::GENERIC, "del", db, &key);
        }
        Ok(optional_bulk(value))
    })
}

pub(crate) fn getex(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let parsed = parse_options(&mut args, OptionsOf::GetEx)?;
    // Redis checks the expire time only after finding the key, so a missing key answers
    // nil and a wrong type WRONGTYPE even with an invalid time; keep the verdict for later.
    let change = match (&parsed.expire, parsed.persist) {
        (Some((unit, absolute, amount)), _) => {
            deadline_from(amount, *unit, *absolute, "getex").map(|at| Some(DeadlineChange::At(at)))
        }
        (None, true) => Ok(Some(DeadlineChange::Persist)),
        (None, false) => Ok(None),
    };
    write(move |writer| {
        let change = match &change {
            Ok(change) => *change,
            Err(error) => {
                return Ok(match writer.get(db, &key)? {
                    None => Frame::Null,
                    Some(_) => error.to_frame(),
                });
            }
        };
        // PERSIST is an event only when there was a deadline to remove.
        let had_deadline = change == Some(DeadlineChange::Persist)
            && keyspace_events::wants(notify::GENERIC)
            && matches!(writer.deadline(db, &key)?, Deadline::At(_));
        let value = writer.get_change_deadline(db, &key, change)?;
        if value.is_some() {
            match change {
                Some(DeadlineChange::Persist) if had_deadline => {
                    keyspace_events::emit(notify::GENERIC, "persist", db, &key);
                }
                Some(DeadlineChange::At(at)) => {
                    let name = if at <= writer.now() { "del" } else { "expire" };
                    keyspace_events::emit(notify::GENERIC, name, db, &key);
                }
                _ => {}
            }
        }
        Ok(optional_bulk(value))
    })
}

pub(crate) fn mget(context: &mut Context<'_>, args: Args) -> CommandResult {
    let (db, keys, protocol) = (context.db(), args.rest(), context.protocol());
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader.string_values_each(db, &keys, |value| reply.push(optional_element(value)))?;
        Ok(reply.finish())
    })
}

fn set_many_generic(
    context: &mut Context<'_>,
    args: Args,
    only_if_none_exist: bool,
) -> CommandResult {
    let command = if only_if_none_exist { "msetnx" } else { "mset" };
    let items = args.rest();
    if !items.len().is_multiple_of(2) {
        return Err(CommandError::WrongArity(command.into()));
    }
    let db = context.db();
    let pairs: Vec<(Bytes, Bytes)> =
        items.chunks_exact(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect();
    write(move |writer| {
        // Which keys are missing, for `new`: looked up only when those events are wanted.
        let missing = if keyspace_events::wants(notify::NEW) {
            let lookups = pairs.iter().map(|(key, _)| keyspace_events::missing(writer, db, key));
            Some(lookups.collect::<Result<Vec<bool>, _>>()?)
        } else {
            None
        };
        let written = writer.set_many(db, &pairs, only_if_none_exist)?;
        if written {
            for (index, (key, _)) in pairs.iter().enumerate() {
                let first_mention = !pairs[..index].iter().any(|(earlier, _)| earlier == key);
                if missing.as_ref().is_some_and(|missing| missing[index]) && first_mention {
                    keyspace_events::emit(notify::NEW, "new", db, key);
                }
                keyspace_events::emit(notify::STRING, "set", db, key);
            }
        }
        Ok(if only_if_none_exist { Frame::Integer(i64::from(written)) } else { Frame::ok() })
    })
}

pub(crate) fn mset(context: &mut Context<'_>, args: Args) -> CommandResult {
    set_many_generic(context, args, false)
}

pub(crate) fn msetnx(context: &mut Context<'_>, args: Args) -> CommandResult {
    set_many_generic(context, args, true)
}

fn increment_by(context: &mut Context<'_>, key: Bytes, delta: i64) -> CommandResult {
    let db = context.db();
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let value = writer.increment(db, &key, delta)?;
        emit_string_change(was_missing, "incrby", db, &key);
        Ok(Frame::Integer(value))
    })
}

pub(crate) fn incr(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let key = args.bytes()?;
    increment_by(context, key, 1)
}

pub(crate) fn decr(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let key = args.bytes()?;
    increment_by(context, key, -1)
}

pub(crate) fn incrby(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (key, delta) = (args.bytes()?, args.integer()?);
    increment_by(context, key, delta)
}

pub(crate) fn decrby(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (key, delta) = (args.bytes()?, args.integer()?);
    let negated =
        delta.checked_neg().ok_or_else(|| CommandError::err("decrement would overflow"))?;
    increment_by(context, key, negated)
}

pub(crate) fn incrbyfloat(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, delta) = (context.db(), args.bytes()?, args.bytes()?);
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let value = writer.increment_float(db, &key, &delta)?;
        emit_string_change(was_missing, "incrbyfloat", db, &key);
        Ok(Frame::bulk(value))
    })
}

pub(crate) fn append(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, suffix) = (context.db(), args.bytes()?, args.bytes()?);
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let length = writer.append(db, &key, &suffix)?;
        emit_string_change(was_missing, "append", db, &key);
        Ok(count(length))
    })
}

pub(crate) fn strlen(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(count(reader.string_len(db, &key)?)))
}

pub(crate) fn getrange(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let (start, end) = (args.integer()?, args.integer()?);
    read(move |reader| Ok(Frame::bulk(reader.get_range(db, &key, start, end)?)))
}

pub(crate) fn setrange(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let offset = args.integer()?;
    let value = args.bytes()?;
    let offset =
        usize::try_from(offset).map_err(|_| CommandError::err("offset is out of range"))?;
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let length = writer.set_range(db, &key, offset, &value)?;
        // Writing nothing changes nothing (and creates no key), so Redis says nothing.
        if !value.is_empty() {
            emit_string_change(was_missing, "setrange", db, &key);
        }
        Ok(count(length))
    })
}

/// Emits the event `name` of a string command that succeeded, after `new` when the key
/// was missing before (the command created it).
pub(crate) fn emit_string_change(was_missing: bool, name: &'static str, db: Db, key: &[u8]) {
    if was_missing {
        keyspace_events::emit(notify::NEW, "new", db, key);
    }
    keyspace_events::emit(notify::STRING, name, db, key);
}
