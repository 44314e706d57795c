//! Deadline commands: `EXPIRE`, `PEXPIRE`, `EXPIREAT`, `PEXPIREAT`, `TTL`, `PTTL`,
//! `EXPIRETIME`, `PEXPIRETIME`, `PERSIST`.

use resplite_resp::Frame;
use resplite_store::{Deadline, ExpireCondition, now_ms};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// Seconds or milliseconds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Seconds,
    Milliseconds,
}

/// `invalid expire time in '<command>' command`.
pub(crate) fn invalid_expire_time(command: &str) -> CommandError {
    CommandError::err(format!("invalid expire time in '{command}' command"))
}

/// The flag of `condition` that `word` (`NX`, `XX`, `GT` or `LT`, in any case) sets;
/// `None` for any other word.
pub(crate) fn condition_flag<'c>(
    condition: &'c mut ExpireCondition,
    word: &[u8],
) -> Option<&'c mut bool> {
    if is_word(word, "nx") {
        Some(&mut condition.only_if_none)
    } else if is_word(word, "xx") {
        Some(&mut condition.only_if_some)
    } else if is_word(word, "gt") {
        Some(&mut condition.only_if_later)
    } else if is_word(word, "lt") {
        Some(&mut condition.only_if_earlier)
    } else {
        None
    }
}

/// The deadline in Unix milliseconds that `amount` of `unit` names: from now, or with
/// `absolute` from the epoch; `None` when it does not fit in 64 bits.
pub(crate) fn deadline_ms(amount: i64, unit: Unit, absolute: bool) -> Option<i64> {
    let milliseconds = match unit {
        Unit::Seconds => amount.checked_mul(1000)?,
        Unit::Milliseconds => amount,
    };
    milliseconds.checked_add(if absolute { 0 } else { now_ms() })
}

fn parse_condition(args: Args) -> Result<ExpireCondition, CommandError> {
    let mut condition = ExpireCondition::default();
    for option in args.rest() {
        let Some(flag) = condition_flag(&mut condition, &option) else {
            return Err(CommandError::err(format!(
                "Unsupported option {}",
                String::from_utf8_lossy(&option)
            )));
        };
        *flag = true;
    }
    if condition.only_if_none
        && (condition.only_if_some || condition.only_if_later || condition.only_if_earlier)
    {
        return Err(CommandError::err(
            "NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if condition.only_if_later && condition.only_if_earlier {
        return Err(CommandError::err("GT and LT options at the same time are not compatible"));
    }
    Ok(condition)
}

fn expire_generic(
    context: &mut Context<'_>,
    mut args: Args,
    unit: Unit,
    absolute: bool,
    command: &'static str,
) -> CommandResult {
    let (db, key, amount) = (context.db(), args.bytes()?, args.bytes()?);
    let condition = parse_condition(args)?;
    let when = resplite_store::parse_i64(&amount).ok_or(CommandError::NotInteger)?;
    let at = deadline_ms(when, unit, absolute).ok_or_else(|| invalid_expire_time(command))?;
    write(move |writer| {
        let changed = writer.expire_at(db, &key, at, condition)?;
        if changed {
            // A deadline already passed deletes the key at once.
            let name = if at <= writer.now() { "del" } else { "expire" };
            keyspace_events::emit(notify::GENERIC, name, db, &key);
        }
        Ok(Frame::Integer(i64::from(changed)))
    })
}

pub(crate) fn expire(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_generic(context, args, Unit::Seconds, false, "expire")
}

pub(crate) fn pexpire(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_generic(context, args, Unit::Milliseconds, false, "pexpire")
}

pub(crate) fn expireat(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_generic(context, args, Unit::Seconds, true, "expireat")
}

pub(crate) fn pexpireat(context: &mut Context<'_>, args: Args) -> CommandResult {
    expire_generic(context, args, Unit::Milliseconds, true, "pexpireat")
}

/// The TTL-family reply: -2 for no key, -1 for no deadline, else the remaining (or, with
/// `absolute`, the deadline itself) in `unit`, rounded to the nearest second like Redis.
fn ttl_generic(
    context: &mut Context<'_>,
    mut args: Args,
    unit: Unit,
    absolute: bool,
) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| {
        let value = match reader.deadline(db, &key)? {
            Deadline::Missing => -2,
            Deadline::Persistent => -1,
            Deadline::At(at) => {
                let milliseconds = if absolute { at } else { (at - reader.now()).max(0) };
                match unit {
                    Unit::Milliseconds => milliseconds,
                    // Rounded to the nearest second; i128 keeps the far end of the range
                    // (PEXPIREAT k 9223372036854775807) from overflowing.
                    Unit::Seconds => ((i128::from(milliseconds) + 500) / 1000) as i64,
                }
            }
        };
        Ok(Frame::Integer(value))
    })
}

pub(crate) fn ttl(context: &mut Context<'_>, args: Args) -> CommandResult {
    ttl_generic(context, args, Unit::Seconds, false)
}

pub(crate) fn pttl(context: &mut Context<'_>, args: Args) -> CommandResult {
    ttl_generic(context, args, Unit::Milliseconds, false)
}

pub(crate) fn expiretime(context: &mut Context<'_>, args: Args) -> CommandResult {
    ttl_generic(context, args, Unit::Seconds, true)
}

pub(crate) fn pexpiretime(context: &mut Context<'_>, args: Args) -> CommandResult {
    ttl_generic(context, args, Unit::Milliseconds, true)
}

pub(crate) fn persist(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    write(move |writer| {
        let persisted = writer.persist(db, &key)?;
        if persisted {
            keyspace_events::emit(notify::GENERIC, "persist", db, &key);
        }
        Ok(Frame::Integer(i64::from(persisted)))
    })
}
