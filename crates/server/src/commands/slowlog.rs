//! `SLOWLOG GET`, `LEN`, `RESET` and `HELP`.

use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, count, reply};
use crate::error::CommandError;

/// Entries `SLOWLOG GET` returns without a count.
const DEFAULT_COUNT: usize = 10;

pub(crate) fn slowlog(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let typed = args.peek().cloned().unwrap_or_default();
    let slowlog = &context.server.slowlog;
    match context.subcommand("SLOWLOG", &mut args)? {
        "get" => {
            let wanted = match args.rest().as_slice() {
                [] => Some(DEFAULT_COUNT),
                [count] => match resplite_store::parse_i64(count) {
                    Some(-1) => None,
                    Some(count) if count >= 0 => Some(usize::try_from(count).unwrap_or(usize::MAX)),
                    _ => {
                        return Err(CommandError::err(
                            "count should be greater than or equal to -1",
                        ));
                    }
                },
                _ => {
                    return Err(CommandError::err_quoting(
                        "unknown subcommand or wrong number of arguments for '",
                        &typed,
                        128,
                        "'. Try SLOWLOG HELP.",
                    ));
                }
            };
            reply(slowlog.newest(wanted))
        }
        "len" => reply(count(slowlog.len())),
        "reset" => {
            slowlog.reset();
            reply(Frame::ok())
        }
        _ => reply(help()),
    }
}

fn help() -> Frame {
    let lines = [
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
