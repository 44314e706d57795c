//! Deadlines of hash fields, Redis 7.4's commands: `HEXPIRE`, `HPEXPIRE`, `HEXPIREAT`,
//! `HPEXPIREAT`, `HTTL`, `HPTTL`, `HEXPIRETIME`, `HPEXPIRETIME`, `HPERSIST`.
//!
//! Redis looks the key up before it reads the other arguments, so a key of another type
//! answers `WRONGTYPE` even when the arguments are wrong too: the handlers parse the
//! arguments up front, and report a mistake in them only after looking at the key's type
//! (which the store's operations check themselves when the arguments are right).

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{
    Db, Deadline, ExpireCondition, FieldExpiry, FieldPersist, KeyType, MAX_FIELD_DEADLINE, Reader,
    StoreError, parse_i64,
};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::commands::expiry::{Unit, condition_flag, deadline_ms, invalid_expire_time};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// The fields of an `HEXPIRE`-family command with their new deadline and condition.
struct ExpireRequest {
    at: i64,
    condition: ExpireCondition,
    fields: Vec<Bytes>,
}

/// `Mandatory argument FIELDS is missing or not at the right position`.
fn fields_word_missing() -> CommandError {
    CommandError::err("Mandatory argument FIELDS is missing or not at the right position")
}

/// The `numfields field …` that follow the word `FIELDS`; `count_error` is the command's
/// own text for a count that is not a positive integer.
fn counted_fields(mut args: Args, count_error: &str) -> Result<Vec<Bytes>, CommandError> {
    if !args.next().is_some_and(|word| is_word(&word, "fields")) {
        return Err(fields_word_missing());
    }
    let count = args
        .next()
        .and_then(|count| parse_i64(&count))
        .filter(|&count| count > 0)
        .ok_or_else(|| CommandError::err(count_error))?;
    if usize::try_from(count).ok() != Some(args.remaining()) {
        return Err(CommandError::err(
            "The `numfields` parameter must match the number of arguments",
        ));
    }
    Ok(args.rest())
}

/// `<time> [NX|XX|GT|LT] FIELDS numfields field …`, checked in Redis's order.
fn parse_expire(
    mut args: Args,
    unit: Unit,
    absolute: bool,
    command: &str,
) -> Result<ExpireRequest, CommandError> {
    let amount = args.bytes()?;
    let amount = parse_i64(&amount).ok_or(CommandError::NotInteger)?;
    if amount < 0 {
        return Err(CommandError::err("invalid expire time, must be >= 0"));
    }
    let at = deadline_ms(amount, unit, absolute)
        .filter(|&at| at <= MAX_FIELD_DEADLINE)
        .ok_or_else(|| invalid_expire_time(command))?;
    // At most one condition word, right after the time.
    let mut condition = ExpireCondition::default();
    let word = args.peek().cloned().unwrap_or_default();
    if let Some(flag) = condition_flag(&mut condition, &word) {
        *flag = true;
        args.next();
    }
    let fields = counted_fields(args, "Parameter `numFields` should be greater than 0")?;
    Ok(ExpireRequest { at, condition, fields })
}

/// The reply to arguments with `mistake` in them: `WRONGTYPE` when `key` holds something
/// other than a hash, else the mistake.
fn refuse(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
    mistake: &CommandError,
) -> Result<Frame, StoreError> {
    match reader.key_type(db, key)? {
        Some(kind) if kind != KeyType::Hash => Err(StoreError::WrongType),
        _ => Ok(mistake.to_frame()),
    }
}

fn expire_fields(
    context: &mut Context<'_>,
    mut args: Args,
    unit: Unit,
    absolute: bool,
    command: &'static str,
) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let request = parse_expire(args, unit, absolute, command);
    write(move |writer| {
        let request = match &request {
            Ok(request) => request,
            Err(mistake) => return refuse(writer, db, &key, mistake),
        };
        let done =
            writer.hash_expire_fields(db, &key, request.at, request.condition, &request.fields)?;
        let has = |wanted| done.outcomes.contains(&wanted);
        if has(FieldExpiry::Set) {
            keyspace_events::emit(notify::HASH, "hexpire", db, &key);
        }
        if has(FieldExpiry::Deleted) {
            keyspace_events::emit(notify::HASH, "hdel", db, &key);
        }
        if done.hash_deleted {
            keyspace_events::emit(notify::GENERIC, "del", db, &key);
        }
        let codes = done.outcomes.iter().map(|outcome| Frame::Integer(outcome.code()));
        Ok(Frame::Array(codes.collect()))
    })
}

pub(crate) fn hexpire(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_fields(context, args, Unit::Seconds, false, "hexpire")
}

pub(crate) fn hpexpire(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_fields(context, args, Unit::Milliseconds, false, "hpexpire")
}

pub(crate) fn hexpireat(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_fields(context, args, Unit::Seconds, true, "hexpireat")
}

pub(crate) fn hpexpireat(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_fields(context, args, Unit::Milliseconds, true, "hpexpireat")
}

/// The `HTTL` family's reply per field: -2 for no field, -1 for no deadline, else the time
/// left (or, with `absolute`, the deadline) in `unit`. Seconds are rounded up, as Redis
/// rounds them for fields (a key's `TTL` rounds to the nearest second).
fn field_times(
    context: &mut Context<'_>,
    mut args: Args,
    unit: Unit,
    absolute: bool,
) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let fields = counted_fields(args, "Number of fields must be a positive integer");
    read(move |reader| {
        let fields = match fields {
            Ok(fields) => fields,
            Err(mistake) => return Ok(refuse(reader, db, &key, &mistake)?),
        };
        let deadlines = reader.hash_field_deadlines(db, &key, &fields)?;
        let reply = deadlines.into_iter().map(|deadline| {
            Frame::Integer(match deadline {
                Deadline::Missing => -2,
                Deadline::Persistent => -1,
                Deadline::At(at) => {
                    let milliseconds = if absolute { at } else { at - reader.now() };
                    match unit {
                        Unit::Milliseconds => milliseconds,
                        Unit::Seconds => (milliseconds + 999) / 1000,
                    }
                }
            })
        });
        Ok(Frame::Array(reply.collect()))
    })
}

pub(crate) fn httl(context: &mut Context<'_>, args: Args) -> CommandResult {
    field_times(context, args, Unit::Seconds, false)
}

pub(crate) fn hpttl(context: &mut Context<'_>, args: Args) -> CommandResult {
    field_times(context, args, Unit::Milliseconds, false)
}

pub(crate) fn hexpiretime(context: &mut Context<'_>, args: Args) -> CommandResult {
    field_times(context, args, Unit::Seconds, true)
}

pub(crate) fn hpexpiretime(context: &mut Context<'_>, args: Args) -> CommandResult {
    field_times(context, args, Unit::Milliseconds, true)
}

/// `HPERSIST key FIELDS numfields field …`.
pub(crate) fn hpersist(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let fields = counted_fields(args, "Number of fields must be a positive integer");
    write(move |writer| {
        let fields = match &fields {
            Ok(fields) => fields,
            Err(mistake) => return refuse(writer, db, &key, mistake),
        };
        let outcomes = writer.hash_persist_fields(db, &key, fields)?;
        if outcomes.contains(&FieldPersist::Removed) {
            keyspace_events::emit(notify::HASH, "hpersist", db, &key);
        }
        Ok(Frame::Array(outcomes.iter().map(|outcome| Frame::Integer(outcome.code())).collect()))
    })
}
