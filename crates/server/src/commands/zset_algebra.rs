//! `ZUNION`, `ZINTER`, `ZDIFF`, their `STORE` forms and `ZINTERCARD`.
//!
//! Redis reads `numkeys` and checks the input keys' types before it looks at the options, so
//! an option error is kept until the keys have been checked (a wrong type wins).

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{Aggregate, Combination, ZSetOperation, parse_i64, parse_score};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::commands::sorted_sets::members_frame;
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// The options after the keys.
#[derive(Default)]
struct Options {
    weights: Vec<f64>,
    aggregate: Aggregate,
    with_scores: bool,
    /// `ZINTERCARD`'s `LIMIT` (0: none).
    limit: usize,
}

/// Which command is being parsed, for the options it accepts and its error text.
struct Command {
    name: &'static str,
    operation: ZSetOperation,
    store: bool,
    cardinality: bool,
}

/// A parsed request: the keys, and the options or the error they gave.
struct Request {
    keys: Vec<Bytes>,
    options: Result<Options, CommandError>,
}

fn parse(args: Vec<Bytes>, command: &Command) -> Result<Request, CommandError> {
    let mut words = args.into_iter();
    let numkeys = words.next().and_then(|text| parse_i64(&text)).ok_or(CommandError::NotInteger)?;
    if numkeys < 1 {
        return Err(CommandError::err(format!(
            "at least 1 input key is needed for '{}' command",
            command.name
        )));
    }
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > words.len() {
        return Err(CommandError::Syntax);
    }
    let keys: Vec<Bytes> = words.by_ref().take(numkeys).collect();
    let options = parse_options(&words.collect::<Vec<_>>(), numkeys, command);
    Ok(Request { keys, options })
}

fn parse_options(
    words: &[Bytes],
    numkeys: usize,
    command: &Command,
) -> Result<Options, CommandError> {
    let mut options = Options::default();
    let combines = command.operation != ZSetOperation::Diff && !command.cardinality;
    let mut index = 0;
    while let Some(word) = words.get(index) {
        let remaining = words.len() - index;
        if combines && remaining > numkeys && is_word(word, "weights") {
            options.weights = words[index + 1..=index + numkeys]
                .iter()
                .map(|text| {
                    parse_score(text)
                        .ok_or_else(|| CommandError::err("weight value is not a float"))
                })
                .collect::<Result<_, _>>()?;
            index += 1 + numkeys;
        } else if combines && remaining >= 2 && is_word(word, "aggregate") {
            let name = &words[index + 1];
            options.aggregate = if is_word(name, "sum") {
                Aggregate::Sum
            } else if is_word(name, "min") {
                Aggregate::Min
            } else if is_word(name, "max") {
                Aggregate::Max
            } else {
                return Err(CommandError::Syntax);
            };
            index += 2;
        } else if !command.store && !command.cardinality && is_word(word, "withscores") {
            options.with_scores = true;
            index += 1;
        } else if command.cardinality && remaining >= 2 && is_word(word, "limit") {
            let limit = parse_i64(&words[index + 1])
                .and_then(|limit| usize::try_from(limit).ok())
                .ok_or_else(|| CommandError::err("LIMIT can't be negative"))?;
            options.limit = limit;
            index += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(options)
}

/// Runs `ZUNION`/`ZINTER`/`ZDIFF numkeys key … [options]`.
fn combine(context: &mut Context<'_>, args: Args, command: Command) -> CommandResult {
    let (db, protocol) = (context.db(), context.protocol());
    let Request { keys, options } = parse(args.rest(), &command)?;
    read(move |reader| {
        let options = match options {
            Ok(options) => options,
            Err(error) => {
                reader.zset_check_inputs(db, &keys)?;
                return Err(error);
            }
        };
        let request = Combination {
            operation: command.operation,
            keys,
            weights: options.weights,
            aggregate: options.aggregate,
        };
        Ok(members_frame(reader.zset_combine(db, &request)?, options.with_scores, protocol))
    })
}

/// Runs `ZUNIONSTORE`/`ZINTERSTORE`/`ZDIFFSTORE destination numkeys key … [options]`.
fn combine_store(context: &mut Context<'_>, mut args: Args, command: Command) -> CommandResult {
    let (db, destination) = (context.db(), args.bytes()?);
    let Request { keys, options } = parse(args.rest(), &command)?;
    write(move |writer| {
        let options = match &options {
            Ok(options) => options,
            Err(error) => {
                writer.zset_check_inputs(db, &keys)?;
                return Ok(error.to_frame());
            }
        };
        let request = Combination {
            operation: command.operation,
            keys: keys.clone(),
            weights: options.weights.clone(),
            aggregate: options.aggregate,
        };
        let existed = keyspace_events::destination_existed(writer, db, &destination)?;
        let stored = writer.zset_combine_store(db, &destination, &request)?;
        // The event is named after the command: `zunionstore`, `zinterstore`, `zdiffstore`.
        let name = command.name;
        keyspace_events::emit_stored(existed, stored > 0, notify::ZSET, name, db, &destination);
        Ok(Frame::Integer(stored))
    })
}

fn command(name: &'static str, operation: ZSetOperation, store: bool) -> Command {
    Command { name, operation, store, cardinality: false }
}

pub(crate) fn zunion(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, command("zunion", ZSetOperation::Union, false))
}

pub(crate) fn zinter(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, command("zinter", ZSetOperation::Inter, false))
}

pub(crate) fn zdiff(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine(context, args, command("zdiff", ZSetOperation::Diff, false))
}

pub(crate) fn zunionstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, command("zunionstore", ZSetOperation::Union, true))
}

pub(crate) fn zinterstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, command("zinterstore", ZSetOperation::Inter, true))
}

pub(crate) fn zdiffstore(context: &mut Context<'_>, args: Args) -> CommandResult {
    combine_store(context, args, command("zdiffstore", ZSetOperation::Diff, true))
}

/// `ZINTERCARD numkeys key … [LIMIT limit]`.
pub(crate) fn zintercard(context: &mut Context<'_>, args: Args) -> CommandResult {
    let db = context.db();
    let command = Command {
        name: "zintercard",
        operation: ZSetOperation::Inter,
        store: false,
        cardinality: true,
    };
    let Request { keys, options } = parse(args.rest(), &command)?;
    read(move |reader| {
        let options = match options {
            Ok(options) => options,
            Err(error) => {
                reader.zset_check_inputs(db, &keys)?;
                return Err(error);
            }
        };
        Ok(Frame::Integer(reader.zset_intersection_size(db, &keys, options.limit)?))
    })
}
