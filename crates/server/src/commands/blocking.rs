//! Blocking commands: `BLPOP`, `BRPOP`, `BLMOVE`, `BRPOPLPUSH`, `BLMPOP`, `BZPOPMIN`,
//! `BZPOPMAX`, `BZMPOP`. Each is its non-blocking form plus a timeout: the handler builds
//! that form's write (a null reply meaning "nothing to take yet") and the keys to wait on;
//! `blocking` does the waiting.

use std::time::Duration;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{KeyType, ListEnd, parse_i64, parse_timeout_milliseconds};

use crate::args::Args;
use crate::blocking::BlockRequest;
use crate::command::{CommandResult, Context, Handler, KeyedOperation, Outcome, WriteOperation};
use crate::commands::lists::{self, list_end};
use crate::commands::sorted_sets::{self, score_frame};
use crate::error::CommandError;
use crate::watch::Touch;

/// A timeout in seconds as Redis 7.0 reads it (see [`parse_timeout_milliseconds`]): a float,
/// rounded up to whole milliseconds in extended precision; 0 waits for ever. (Redis 7.0 has a
/// "timeout is out of range" error too, which its own conversion never lets happen: past the
/// 64-bit range it gets the most negative number. A deadline past that range once the clock
/// is added wraps round in Redis 7.0 and never comes; here it is hundreds of millions of
/// years away.)
fn timeout(argument: &[u8]) -> Result<Option<Duration>, CommandError> {
    let milliseconds = parse_timeout_milliseconds(argument)
        .ok_or_else(|| CommandError::err("timeout is not a float or out of range"))?;
    if milliseconds < 0 {
        return Err(CommandError::err("timeout is negative"));
    }
    Ok(u64::try_from(milliseconds).ok().filter(|&ms| ms > 0).map(Duration::from_millis))
}

fn block(
    context: &Context<'_>,
    kind: KeyType,
    keys: Vec<Bytes>,
    timeout: Option<Duration>,
    operation: KeyedOperation,
) -> CommandResult {
    let (client, db, probe) = (context.client.id, context.db(), context.client.probe.clone());
    let touch = Touch::Nothing;
    Ok(Outcome::Block(BlockRequest { client, db, keys, timeout, operation, touch, probe, kind }))
}

/// The write of a non-blocking command run with `words` as its arguments.
fn non_blocking(
    context: &mut Context<'_>,
    handler: Handler,
    words: Vec<Bytes>,
) -> Result<WriteOperation, CommandError> {
    let mut args = Args::new(words);
    args.next();
    match handler(context, args)? {
        Outcome::Write(operation) => Ok(operation),
        Outcome::Reply(frame) => Ok(Box::new(move |_| Ok(frame.clone()))),
        _ => Err(CommandError::err("internal error: not a write")),
    }
}

/// `key [key …] timeout`: the keys, and the timeout read from the last argument.
fn keys_then_timeout(args: Args) -> Result<(Vec<Bytes>, Option<Duration>), CommandError> {
    let mut keys = args.rest();
    let timeout = timeout(&keys.pop().unwrap_or_default())?;
    Ok((keys, timeout))
}

/// A single-key command's write, which has no choice of key to make.
fn single_key(mut operation: WriteOperation) -> KeyedOperation {
    Box::new(move |writer, _| operation(writer))
}

/// `BLPOP key [key …] timeout` and `BRPOP`.
fn pop(context: &mut Context<'_>, args: Args, end: ListEnd) -> CommandResult {
    let (keys, timeout) = keys_then_timeout(args)?;
    let db = context.db();
    let all = keys.clone();
    let operation: KeyedOperation = Box::new(move |writer, only| {
        let searched = only.map_or(&all[..], std::slice::from_ref);
        Ok(match writer.list_pop_first(db, searched, end, 1)? {
            Some((index, mut values)) => {
                lists::emit_popped(writer, end, db, &searched[index])?;
                Frame::Array(vec![
                    Frame::Bulk(searched[index].clone()),
                    Frame::bulk(values.pop().unwrap_or_default()),
                ])
            }
            None => Frame::NullArray,
        })
    });
    block(context, KeyType::List, keys, timeout, operation)
}

pub(crate) fn blpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, ListEnd::Left)
}

pub(crate) fn brpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, ListEnd::Right)
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`.
pub(crate) fn blmove(context: &mut Context<'_>, args: Args) -> CommandResult {
    let words = args.rest();
    list_end(&words[2])?;
    list_end(&words[3])?;
    let timeout = timeout(&words[4])?;
    let source = words[0].clone();
    let operation = non_blocking(context, lists::lmove, command_words("lmove", &words[..4]))?;
    block(context, KeyType::List, vec![source], timeout, single_key(operation))
}

/// `BRPOPLPUSH source destination timeout`.
pub(crate) fn brpoplpush(context: &mut Context<'_>, args: Args) -> CommandResult {
    let words = args.rest();
    let timeout = timeout(&words[2])?;
    let source = words[0].clone();
    let operation =
        non_blocking(context, lists::rpoplpush, command_words("rpoplpush", &words[..2]))?;
    block(context, KeyType::List, vec![source], timeout, single_key(operation))
}

/// `BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count]`.
pub(crate) fn blmpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    multi_pop(context, args, KeyType::List, "lmpop", lists::lmpop)
}

/// `BZMPOP timeout numkeys key [key …] MIN|MAX [COUNT count]`.
pub(crate) fn bzmpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    multi_pop(context, args, KeyType::ZSet, "zmpop", sorted_sets::zmpop)
}

fn multi_pop(
    context: &mut Context<'_>,
    args: Args,
    kind: KeyType,
    name: &'static str,
    handler: Handler,
) -> CommandResult {
    let words = args.rest();
    // Redis checks numkeys, the direction and the options before the timeout, so a request
    // wrong in several places gets the error of the first of those.
    let mut from_any = non_blocking(context, handler, command_words(name, &words[1..]))?;
    let timeout = timeout(&words[0])?;
    // The handler has checked numkeys against the arguments.
    let count = parse_i64(&words[1]).and_then(|count| usize::try_from(count).ok()).unwrap_or(0);
    let keys: Vec<Bytes> = words.iter().skip(2).take(count).cloned().collect();
    // For serving one key that has just been filled: the same command on that key alone.
    let options = &words[2 + count..];
    let mut from_one: Vec<(Bytes, WriteOperation)> = Vec::with_capacity(keys.len());
    for key in &keys {
        let mut request = command_words(name, &[Bytes::from_static(b"1"), key.clone()]);
        request.extend_from_slice(options);
        from_one.push((key.clone(), non_blocking(context, handler, request)?));
    }
    let operation: KeyedOperation = Box::new(move |writer, only| match only {
        None => from_any(writer),
        Some(only) => match from_one.iter_mut().find(|(key, _)| key == only) {
            Some((_, operation)) => operation(writer),
            None => Ok(Frame::NullArray),
        },
    });
    block(context, kind, keys, timeout, operation)
}

/// `BZPOPMIN key [key …] timeout` and `BZPOPMAX`: answers the key, the member and its score.
fn zset_pop(context: &mut Context<'_>, args: Args, highest: bool) -> CommandResult {
    let (keys, timeout) = keys_then_timeout(args)?;
    let db = context.db();
    let all = keys.clone();
    let operation: KeyedOperation = Box::new(move |writer, only| {
        let searched = only.map_or(&all[..], std::slice::from_ref);
        Ok(match writer.zset_pop_first(db, searched, highest, 1)? {
            Some((key, mut members)) => match members.pop() {
                Some((member, score)) => {
                    sorted_sets::emit_popped(writer, highest, db, &key)?;
                    Frame::Array(vec![Frame::bulk(key), Frame::bulk(member), score_frame(score)])
                }
                None => Frame::NullArray,
            },
            None => Frame::NullArray,
        })
    });
    block(context, KeyType::ZSet, keys, timeout, operation)
}

pub(crate) fn bzpopmin(context: &mut Context<'_>, args: Args) -> CommandResult {
    zset_pop(context, args, false)
}

pub(crate) fn bzpopmax(context: &mut Context<'_>, args: Args) -> CommandResult {
    zset_pop(context, args, true)
}

/// A request for another command: its name, then `arguments`.
fn command_words(name: &'static str, arguments: &[Bytes]) -> Vec<Bytes> {
    let mut words = Vec::with_capacity(arguments.len() + 1);
    words.push(Bytes::from_static(name.as_bytes()));
    words.extend_from_slice(arguments);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_like_redis() {
        assert_eq!(timeout(b"0").unwrap(), None);
        assert_eq!(timeout(b"0.1").unwrap(), Some(Duration::from_millis(100)));
        assert_eq!(timeout(b"0.0001").unwrap(), Some(Duration::from_millis(1)));
        assert_eq!(timeout(b"2").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(timeout(b"1e1").unwrap(), Some(Duration::from_secs(10)));
        assert_eq!(timeout(b"0x10").unwrap(), Some(Duration::from_secs(16)));
        assert_eq!(timeout(b"-0").unwrap(), None);
        // Extended precision: a product just above -1 rounds up to 0 (for ever), one below a
        // double's smallest value still rounds up to 1 ms, and a whole number a double would
        // round up past the 64-bit range stays inside it.
        assert_eq!(timeout(b"-0.001").unwrap(), None);
        assert_eq!(timeout(b"1e-400").unwrap(), Some(Duration::from_millis(1)));
        assert_eq!(
            timeout(b"9223372036854775").unwrap(),
            Some(Duration::from_millis(9_223_372_036_854_775_000))
        );
        for bad in [&b"x"[..], b"", b" 1", b"nan", b"\xff"] {
            let error = timeout(bad).unwrap_err().to_frame();
            assert_eq!(error, Frame::error("ERR timeout is not a float or out of range"));
        }
        for negative in [&b"-1"[..], b"-0.0011", b"1e16"] {
            let error = timeout(negative).unwrap_err().to_frame();
            assert_eq!(error, Frame::error("ERR timeout is negative"));
        }
        assert_eq!(
            timeout(b"inf").unwrap_err().to_frame(),
            Frame::error("ERR timeout is negative")
        );
        assert_eq!(
            timeout(b"1e300").unwrap_err().to_frame(),
            Frame::error("ERR timeout is negative")
        );
    }
}
