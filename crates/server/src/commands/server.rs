//! Whole-server commands: `DBSIZE`, `FLUSHDB`, `FLUSHALL`, `SWAPDB`, `TIME`, `LASTSAVE`.

use std::time::{SystemTime, UNIX_EPOCH};

use resplite_resp::Frame;
use resplite_store::parse_i64;

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, count, read, reply, write};
use crate::error::CommandError;
use crate::pubsub::Inbox;

pub(crate) fn dbsize(context: &mut Context<'_>, _: Args) -> CommandResult {
    let db = context.db();
    read(move |reader| Ok(count(reader.db_size(db)?)))
}

/// The optional `ASYNC`/`SYNC` of the flush commands; both flush at once here.
fn flush_mode(args: Args) -> Result<(), CommandError> {
    match args.rest().as_slice() {
        [] => Ok(()),
        [mode] if is_word(mode, "async") || is_word(mode, "sync") => Ok(()),
        _ => Err(CommandError::Syntax),
    }
}

pub(crate) fn flushdb(context: &mut Context<'_>, args: Args) -> CommandResult {
    flush_mode(args)?;
    let db = context.db();
    write(move |writer| {
        writer.flush_db(db)?;
        Ok(Frame::ok())
    })
}

pub(crate) fn flushall(_: &mut Context<'_>, args: Args) -> CommandResult {
    flush_mode(args)?;
    write(|writer| {
        writer.flush_all()?;
        Ok(Frame::ok())
    })
}

pub(crate) fn swapdb(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let as_index = |argument: &[u8], invalid: &str| {
        parse_i64(argument)
            .filter(|number| i32::try_from(*number).is_ok())
            .ok_or_else(|| CommandError::err(invalid))
    };
    let first = as_index(&args.bytes()?, "invalid first DB index")?;
    let second = as_index(&args.bytes()?, "invalid second DB index")?;
    let databases = i64::from(context.server.config.databases);
    let in_range = |index: i64| (0..databases).contains(&index);
    if !in_range(first) || !in_range(second) {
        return Err(CommandError::err("DB index is out of range"));
    }
    let (first, second) = (first as u32, second as u32);
    write(move |writer| {
        writer.swap_db(first, second)?;
        Ok(Frame::ok())
    })
}

pub(crate) fn time(_: &mut Context<'_>, _: Args) -> CommandResult {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    reply(Frame::Array(vec![
        Frame::bulk(elapsed.as_secs().to_string()),
        Frame::bulk(elapsed.subsec_micros().to_string()),
    ]))
}

/// `LASTSAVE`: every acknowledged write is on disk, so this is when data last reached the
/// database files.
pub(crate) fn lastsave(context: &mut Context<'_>, _: Args) -> CommandResult {
    let last_save = super::info::last_save_time(context.server);
    reply(Frame::Integer(i64::try_from(last_save).unwrap_or(i64::MAX)))
}

/// `MONITOR`: from now on this client receives a line for every command the server runs
/// (see `monitor`).
pub(crate) fn monitor(context: &mut Context<'_>, _: Args) -> CommandResult {
    let probe = context.client.probe.clone();
    let mailbox = context.client.pubsub.get_or_insert_with(|| Inbox::new(probe)).mailbox();
    context.server.monitors.add(context.client.id, mailbox);
    context.client.monitoring = true;
    reply(Frame::ok())
}
