//! List commands: `LPUSH`, `LPOP`, `LRANGE`, `LINSERT`, `LREM`, `LPOS`, `LMOVE`, `LMPOP` and
//! the rest (the blocking ones excepted).

use bytes::Bytes;
use resplite_resp::{Element, Frame, ReplyEncoder, Shape};
use resplite_store::{Db, InsertPlace, ListEnd, PositionQuery, Reader, StoreError, parse_i64};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, optional_bulk, read, write};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// `LEFT` or `RIGHT`; anything else is a syntax error.
pub(crate) fn list_end(argument: &[u8]) -> Result<ListEnd, CommandError> {
    if is_word(argument, "left") {
        Ok(ListEnd::Left)
    } else if is_word(argument, "right") {
        Ok(ListEnd::Right)
    } else {
        Err(CommandError::Syntax)
    }
}

/// A non-negative integer argument, or the error `message` (Redis words it per option).
fn non_negative(argument: &[u8], message: &str) -> Result<i64, CommandError> {
    parse_i64(argument).filter(|value| *value >= 0).ok_or_else(|| CommandError::err(message))
}

fn values_array(values: Vec<Vec<u8>>) -> Frame {
    Frame::Array(values.into_iter().map(Frame::bulk).collect())
}

/// Emits the event of a push at `end` of `key`, after `new` when the push created it.
fn emit_pushed(was_missing: bool, end: ListEnd, db: Db, key: &[u8]) {
    if was_missing {
        keyspace_events::emit(notify::NEW, "new", db, key);
    }
    let name = match end {
        ListEnd::Left => "lpush",
        ListEnd::Right => "rpush",
    };
    keyspace_events::emit(notify::LIST, name, db, key);
}

/// Emits the events of taking elements from `end` of `key`: the pop, then `del` when it
/// took the last one. Blocking pops report the same.
pub(crate) fn emit_popped(
    reader: &Reader<'_>,
    end: ListEnd,
    db: Db,
    key: &[u8],
) -> Result<(), StoreError> {
    let name = match end {
        ListEnd::Left => "lpop",
        ListEnd::Right => "rpop",
    };
    keyspace_events::emit_removed(reader, notify::LIST, name, db, key)
}

fn push(
    context: &mut Context<'_>,
    mut args: Args,
    end: ListEnd,
    only_existing: bool,
) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let elements = args.rest();
    write(move |writer| {
        let was_missing = !only_existing && keyspace_events::missing(writer, db, &key)?;
        let length = writer.list_push(db, &key, end, &elements, only_existing)?;
        if length > 0 {
            emit_pushed(was_missing, end, db, &key);
        }
        Ok(Frame::Integer(length))
    })
}

pub(crate) fn lpush(context: &mut Context<'_>, args: Args) -> CommandResult {
    push(context, args, ListEnd::Left, false)
}

pub(crate) fn rpush(context: &mut Context<'_>, args: Args) -> CommandResult {
    push(context, args, ListEnd::Right, false)
}

pub(crate) fn lpushx(context: &mut Context<'_>, args: Args) -> CommandResult {
    push(context, args, ListEnd::Left, true)
}

pub(crate) fn rpushx(context: &mut Context<'_>, args: Args) -> CommandResult {
    push(context, args, ListEnd::Right, true)
}

/// `LPOP`/`RPOP key [count]`: without a count, one element or a null; with one, an array,
/// or a null array when the list does not exist.
fn pop(context: &mut Context<'_>, mut args: Args, end: ListEnd, name: &str) -> CommandResult {
    if args.remaining() > 2 {
        return Err(CommandError::WrongArity(name.into()));
    }
    let (db, key) = (context.db(), args.bytes()?);
    let count = match args.next() {
        Some(argument) => Some(non_negative(&argument, "value is out of range, must be positive")?),
        None => None,
    };
    write(move |writer| {
        let popped = writer.list_pop(db, &key, end, count.unwrap_or(1))?;
        if popped.as_ref().is_some_and(|values| !values.is_empty()) {
            emit_popped(writer, end, db, &key)?;
        }
        Ok(match (popped, count) {
            (None, Some(_)) => Frame::NullArray,
            (Some(values), Some(_)) => values_array(values),
            (popped, None) => optional_bulk(popped.and_then(|values| values.into_iter().next())),
        })
    })
}

pub(crate) fn lpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, ListEnd::Left, "lpop")
}

pub(crate) fn rpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, ListEnd::Right, "rpop")
}

pub(crate) fn llen(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(Frame::Integer(reader.list_len(db, &key)?)))
}

pub(crate) fn lrange(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, start, stop) = (context.db(), args.bytes()?, args.integer()?, args.integer()?);
    let protocol = context.protocol();
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader
            .list_range_each(db, &key, start, stop, |element| reply.push(Element::Bulk(element)))?;
        Ok(reply.finish())
    })
}

/// `LINDEX key index`: Redis looks the key up before it reads the index, so a bad index on
/// a missing key is a null, not an error.
pub(crate) fn lindex(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, index) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| {
        let Some(index) = parse_i64(&index) else {
            return match reader.list_len(db, &key)? {
                0 => Ok(Frame::Null),
                _ => Err(CommandError::NotInteger),
            };
        };
        Ok(optional_bulk(reader.list_index(db, &key, index)?))
    })
}

/// `LSET key index element`: as with `LINDEX`, the key is checked before the index.
pub(crate) fn lset(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, index, value) = (context.db(), args.bytes()?, args.bytes()?, args.bytes()?);
    write(move |writer| {
        let Some(index) = parse_i64(&index) else {
            return Err(match writer.list_len(db, &key)? {
                0 => StoreError::NoSuchKey,
                _ => StoreError::NotInteger,
            });
        };
        writer.list_set(db, &key, index, &value)?;
        keyspace_events::emit(notify::LIST, "lset", db, &key);
        Ok(Frame::ok())
    })
}

/// `LINSERT key BEFORE|AFTER pivot element`.
pub(crate) fn linsert(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, place) = (context.db(), args.bytes()?, args.bytes()?);
    let place = if is_word(&place, "before") {
        InsertPlace::Before
    } else if is_word(&place, "after") {
        InsertPlace::After
    } else {
        return Err(CommandError::Syntax);
    };
    let (pivot, element) = (args.bytes()?, args.bytes()?);
    write(move |writer| {
        let length = writer.list_insert(db, &key, place, &pivot, &element)?;
        // 0: no list; -1: no pivot. Either way nothing was inserted.
        if length > 0 {
            keyspace_events::emit(notify::LIST, "linsert", db, &key);
        }
        Ok(Frame::Integer(length))
    })
}

pub(crate) fn lrem(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, count, element) = (context.db(), args.bytes()?, args.integer()?, args.bytes()?);
    write(move |writer| {
        let removed = writer.list_remove(db, &key, count, &element)?;
        if removed > 0 {
            keyspace_events::emit_removed(writer, notify::LIST, "lrem", db, &key)?;
        }
        Ok(Frame::Integer(removed))
    })
}

pub(crate) fn ltrim(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, start, stop) = (context.db(), args.bytes()?, args.integer()?, args.integer()?);
    write(move |writer| {
        // Redis reports a trim of an existing list even when it keeps every element.
        let existed = keyspace_events::wants(notify::LIST | notify::GENERIC)
            && writer.exists(db, &[&key])? > 0;
        writer.list_trim(db, &key, start, stop)?;
        if existed {
            keyspace_events::emit_removed(writer, notify::LIST, "ltrim", db, &key)?;
        }
        Ok(Frame::ok())
    })
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`.
pub(crate) fn lpos(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, element) = (context.db(), args.bytes()?, args.bytes()?);
    let mut rank = 1;
    let mut count = None;
    let mut max_len = 0;
    while let Some(option) = args.next() {
        let has_value = args.remaining() > 0;
        if is_word(&option, "rank") && has_value {
            rank = args.integer()?;
            if rank == 0 {
                return Err(CommandError::err(
                    "RANK can't be zero: use 1 to start from the first match, 2 from the \
                     second ... or use negative to start from the end of the list",
                ));
            }
        } else if is_word(&option, "count") && has_value {
            count = Some(non_negative(&args.bytes()?, "COUNT can't be negative")?);
        } else if is_word(&option, "maxlen") && has_value {
            max_len = non_negative(&args.bytes()?, "MAXLEN can't be negative")?;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    // Redis negates the rank to search from the tail; the most negative rank stays negative
    // and then passes every "enough matches" test: the first match from the tail, or with a
    // COUNT every match.
    let limit = match (rank, count) {
        (i64::MIN, Some(_)) => 0,
        (_, Some(count)) => count,
        (_, None) => 1,
    };
    let query = PositionQuery { rank: if rank == i64::MIN { -1 } else { rank }, limit, max_len };
    read(move |reader| {
        let positions = reader.list_positions(db, &key, &element, query)?;
        Ok(match count {
            Some(_) => Frame::Array(positions.into_iter().map(Frame::Integer).collect()),
            None => positions.first().map_or(Frame::Null, |position| Frame::Integer(*position)),
        })
    })
}

fn move_element(
    context: &mut Context<'_>,
    source: Bytes,
    destination: Bytes,
    from: ListEnd,
    to: ListEnd,
) -> CommandResult {
    let db = context.db();
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &destination)?;
        let moved = writer.list_move(db, &source, &destination, from, to)?;
        if moved.is_some() {
            // Redis pushes onto the destination before it reports the pop from the source.
            emit_pushed(was_missing, to, db, &destination);
            emit_popped(writer, from, db, &source)?;
        }
        Ok(optional_bulk(moved))
    })
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`.
pub(crate) fn lmove(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (source, destination) = (args.bytes()?, args.bytes()?);
    let (from, to) = (list_end(&args.bytes()?)?, list_end(&args.bytes()?)?);
    move_element(context, source, destination, from, to)
}

/// `RPOPLPUSH source destination`: `LMOVE source destination RIGHT LEFT`.
pub(crate) fn rpoplpush(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (source, destination) = (args.bytes()?, args.bytes()?);
    move_element(context, source, destination, ListEnd::Right, ListEnd::Left)
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
pub(crate) fn lmpop(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let numkeys = args.bytes()?;
    let numkeys = parse_i64(&numkeys)
        .filter(|numkeys| *numkeys > 0)
        .ok_or_else(|| CommandError::err("numkeys should be greater than 0"))?;
    // The keys and then LEFT or RIGHT must all be there.
    if usize::try_from(numkeys).map_or(true, |numkeys| numkeys >= args.remaining()) {
        return Err(CommandError::Syntax);
    }
    let keys: Vec<Bytes> = (0..numkeys).map(|_| args.bytes()).collect::<Result<_, _>>()?;
    let end = list_end(&args.bytes()?)?;
    let mut count = None;
    while let Some(option) = args.next() {
        if count.is_none() && is_word(&option, "count") && args.remaining() > 0 {
            let value = parse_i64(&args.bytes()?).filter(|count| *count > 0);
            count = Some(value.ok_or_else(|| CommandError::err("count should be greater than 0"))?);
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let (db, count) = (context.db(), count.unwrap_or(1));
    write(move |writer| {
        let Some((index, values)) = writer.list_pop_first(db, &keys, end, count)? else {
            return Ok(Frame::NullArray);
        };
        emit_popped(writer, end, db, &keys[index])?;
        Ok(Frame::Array(vec![Frame::Bulk(keys[index].clone()), values_array(values)]))
    })
}
