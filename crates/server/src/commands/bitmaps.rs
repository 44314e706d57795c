//! Bitmap commands: `SETBIT`, `GETBIT`, `BITCOUNT`, `BITPOS`, `BITOP`, `BITFIELD`,
//! `BITFIELD_RO`.

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{
    BitField, BitOperation, BitRange, FieldOperation, FieldType, Overflow, RangeUnit, parse_i64,
};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, count, read, write};
use crate::commands::strings::emit_string_change;
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// A bit offset: it must fall within a string of `proto-max-bulk-len` bytes, the current
/// setting, as in Redis.
fn parse_offset(context: &Context<'_>, argument: &[u8]) -> Result<u64, CommandError> {
    let limit = context.server.settings.proto_max_bulk_len();
    parse_i64(argument)
        .and_then(|offset| u64::try_from(offset).ok())
        .filter(|offset| offset >> 3 < limit)
        .ok_or_else(|| CommandError::err("bit offset is not an integer or out of range"))
}

pub(crate) fn setbit(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let offset = parse_offset(context, &args.bytes()?)?;
    let on = match parse_i64(&args.bytes()?) {
        Some(0) => false,
        Some(1) => true,
        _ => return Err(CommandError::err("bit is not an integer or out of range")),
    };
    write(move |writer| {
        // Redis reports SETBIT only when it created the key, grew it, or flipped the bit.
        // The length is looked up only for the event; if the lookup fails (a wrong type),
        // so will the write.
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let length_before = if keyspace_events::wants(notify::STRING) {
            writer.string_len(db, &key).unwrap_or(0)
        } else {
            0
        };
        let previous = writer.set_bit(db, &key, offset, on)?;
        let grew = offset / 8 >= length_before as u64;
        if was_missing || grew || previous != on {
            emit_string_change(was_missing, "setbit", db, &key);
        }
        Ok(Frame::Integer(i64::from(previous)))
    })
}

pub(crate) fn getbit(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let offset = parse_offset(context, &args.bytes()?)?;
    read(move |reader| Ok(Frame::Integer(i64::from(reader.get_bit(db, &key, offset)?))))
}

fn parse_unit(argument: &[u8]) -> Result<RangeUnit, CommandError> {
    if is_word(argument, "byte") {
        Ok(RangeUnit::Byte)
    } else if is_word(argument, "bit") {
        Ok(RangeUnit::Bit)
    } else {
        Err(CommandError::Syntax)
    }
}

/// Parses `start end [BYTE|BIT]` for `BITCOUNT`.
fn parse_count_range(options: &[Bytes]) -> Result<Option<BitRange>, CommandError> {
    let integer = |argument: &Bytes| parse_i64(argument).ok_or(CommandError::NotInteger);
    match options {
        [] => Ok(None),
        [start, end] => Ok(Some(BitRange {
            start: integer(start)?,
            end: Some(integer(end)?),
            unit: RangeUnit::Byte,
        })),
        [start, end, unit] => {
            let (start, end) = (integer(start)?, integer(end)?);
            Ok(Some(BitRange { start, end: Some(end), unit: parse_unit(unit)? }))
        }
        _ => Err(CommandError::Syntax),
    }
}

pub(crate) fn bitcount(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let options = args.rest();
    // Redis 7.0 looks the key up before it parses the range: a missing key answers 0 and a
    // wrong type answers WRONGTYPE whatever the other arguments say.
    read(move |reader| {
        if reader.key_type(db, &key)?.is_none() {
            return Ok(Frame::Integer(0));
        }
        reader.get(db, &key)?;
        let range = parse_count_range(&options)?;
        Ok(count(reader.bit_count(db, &key, range)?))
    })
}

/// Parses `[start [end [BYTE|BIT]]]` for `BITPOS`.
fn parse_position_range(options: &[Bytes]) -> Result<Option<BitRange>, CommandError> {
    let integer = |argument: &Bytes| parse_i64(argument).ok_or(CommandError::NotInteger);
    match options {
        [] => Ok(None),
        [start] => Ok(Some(BitRange { start: integer(start)?, end: None, unit: RangeUnit::Byte })),
        [start, end] => Ok(Some(BitRange {
            start: integer(start)?,
            end: Some(integer(end)?),
            unit: RangeUnit::Byte,
        })),
        [start, end, unit] => {
            let unit = parse_unit(unit)?;
            Ok(Some(BitRange { start: integer(start)?, end: Some(integer(end)?), unit }))
        }
        _ => Err(CommandError::Syntax),
    }
}

pub(crate) fn bitpos(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let bit = match args.integer()? {
        0 => false,
        1 => true,
        _ => return Err(CommandError::err("The bit argument must be 1 or 0.")),
    };
    let options = args.rest();
    read(move |reader| {
        if reader.key_type(db, &key)?.is_none() {
            return Ok(Frame::Integer(if bit { -1 } else { 0 }));
        }
        reader.get(db, &key)?;
        let range = parse_position_range(&options)?;
        Ok(Frame::Integer(reader.bit_position(db, &key, bit, range)?))
    })
}

pub(crate) fn bitop(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, name) = (context.db(), args.bytes()?);
    let operation = [
        ("and", BitOperation::And),
        ("or", BitOperation::Or),
        ("xor", BitOperation::Xor),
        ("not", BitOperation::Not),
    ]
    .into_iter()
    .find(|(word, _)| is_word(&name, word))
    .map(|(_, operation)| operation)
    .ok_or(CommandError::Syntax)?;
    let destination = args.bytes()?;
    let sources = args.rest();
    if operation == BitOperation::Not && sources.len() != 1 {
        return Err(CommandError::err("BITOP NOT must be called with a single source key."));
    }
    write(move |writer| {
        let existed = keyspace_events::destination_existed(writer, db, &destination)?;
        let length = writer.bit_operation(db, operation, &destination, &sources)?;
        // Redis names the event of a stored BITOP result `set`.
        keyspace_events::emit_stored(existed, length > 0, notify::STRING, "set", db, &destination);
        Ok(count(length))
    })
}

/// `BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value |
/// INCRBY type offset increment] …`.
pub(crate) fn bitfield(context: &mut Context<'_>, args: Args) -> CommandResult {
    bit_fields(context, args, false)
}

/// `BITFIELD_RO key [GET type offset] …`.
pub(crate) fn bitfield_ro(context: &mut Context<'_>, args: Args) -> CommandResult {
    bit_fields(context, args, true)
}

/// Both forms: every operation is parsed before anything runs, as in Redis; with only
/// `GET`s it is a read that never creates the key.
fn bit_fields(context: &mut Context<'_>, mut args: Args, read_only: bool) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let fields = parse_fields(&args.rest(), context.server.settings.proto_max_bulk_len())?;
    if !fields.iter().any(BitField::writes) {
        return read(move |reader| {
            let values = reader.bit_field_read(db, &key, &fields)?;
            Ok(Frame::Array(values.into_iter().map(Frame::Integer).collect()))
        });
    }
    if read_only {
        return Err(CommandError::err("BITFIELD_RO only supports the GET subcommand"));
    }
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let (answers, changed) = writer.bit_field(db, &key, &fields)?;
        // Redis reports a change only for a write that was not refused and that created or
        // grew the string or gave its field a new value.
        if changed {
            emit_string_change(was_missing, "setbit", db, &key);
        }
        let answer = |value: Option<i64>| value.map_or(Frame::Null, Frame::Integer);
        Ok(Frame::Array(answers.into_iter().map(answer).collect()))
    })
}

/// Reads `BITFIELD`'s operations in order; an `OVERFLOW` applies to the writes after it.
/// Offsets must fall within a string of `max_bytes`.
fn parse_fields(words: &[Bytes], max_bytes: u64) -> Result<Vec<BitField>, CommandError> {
    let mut fields = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut at = 0;
    while let Some(word) = words.get(at) {
        let remaining = words.len() - at - 1;
        let arguments = if is_word(word, "get") && remaining >= 2 {
            2
        } else if (is_word(word, "set") || is_word(word, "incrby")) && remaining >= 3 {
            3
        } else if is_word(word, "overflow") && remaining >= 1 {
            overflow = parse_overflow(&words[at + 1])?;
            at += 2;
            continue;
        } else {
            return Err(CommandError::Syntax);
        };
        let field = FieldType::parse(&words[at + 1]).ok_or_else(|| {
            CommandError::err(
                "Invalid bitfield type. Use something like i16 u8. Note that u64 is not \
                 supported but i64 is.",
            )
        })?;
        let offset = parse_field_offset(&words[at + 2], field.bits, max_bytes)?;
        let operation = if arguments == 2 {
            FieldOperation::Get
        } else {
            let number = parse_i64(&words[at + 3]).ok_or(CommandError::NotInteger)?;
            if is_word(word, "set") {
                FieldOperation::Set(number)
            } else {
                FieldOperation::IncrBy(number)
            }
        };
        fields.push(BitField { field, offset, operation, overflow });
        at += 1 + arguments;
    }
    Ok(fields)
}

fn parse_overflow(argument: &[u8]) -> Result<Overflow, CommandError> {
    if is_word(argument, "wrap") {
        Ok(Overflow::Wrap)
    } else if is_word(argument, "sat") {
        Ok(Overflow::Sat)
    } else if is_word(argument, "fail") {
        Ok(Overflow::Fail)
    } else {
        Err(CommandError::err("Invalid OVERFLOW type specified"))
    }
}

/// A field's offset: a bit number, or `#n` for the n-th field of the field's width.
fn parse_field_offset(argument: &[u8], bits: u32, max_bytes: u64) -> Result<u64, CommandError> {
    let (number, scale) = match argument.strip_prefix(b"#") {
        Some(number) => (number, i64::from(bits)),
        None => (argument, 1),
    };
    parse_i64(number)
        .and_then(|number| number.checked_mul(scale))
        .and_then(|offset| u64::try_from(offset).ok())
        .filter(|offset| offset >> 3 < max_bytes)
        .ok_or_else(|| CommandError::err("bit offset is not an integer or out of range"))
}
