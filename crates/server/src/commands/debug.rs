//! `DEBUG SLEEP` and `DEBUG HELP`, the debugging subcommands resplite serves.

use std::time::Duration;

use resplite_resp::Frame;

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, Outcome, reply};
use crate::error::CommandError;

pub(crate) fn debug(_: &mut Context<'_>, args: Args) -> CommandResult {
    match args.rest().as_slice() {
        [help] if is_word(help, "help") => reply(help_lines()),
        [sleep, seconds] if is_word(sleep, "sleep") => {
            let pause =
                Duration::try_from_secs_f64(seconds_like_strtod(seconds)).unwrap_or_default();
            // Redis stops the whole server here; resplite delays only this client's reply
            // (and its later commands), holding no thread while it waits.
            Ok(Outcome::ReplyAfter(pause, Frame::ok()))
        }
        [subcommand, ..] => Err(CommandError::err_quoting(
            "unknown subcommand or wrong number of arguments for '",
            subcommand,
            128,
            "'. Try DEBUG HELP.",
        )),
        [] => Err(CommandError::WrongArity("debug".into())),
    }
}

/// Seconds as C's `strtod` reads them without checking: text that is not a number is 0.
fn seconds_like_strtod(text: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(text);
    let value = text.trim().parse::<f64>().unwrap_or(0.0);
    if value.is_finite() && value > 0.0 { value } else { 0.0 }
}

fn help_lines() -> Frame {
    let lines = [
        "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "SLEEP <seconds>",
        "    Wait <seconds> (decimals allowed) before replying. Only this client waits:",
        "    resplite keeps serving the others.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
