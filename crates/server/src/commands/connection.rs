//! Connection commands: `PING`, `ECHO`, `QUIT`, `SELECT`.

use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, Outcome, reply};
use crate::error::CommandError;

pub(crate) fn ping(_: &mut Context<'_>, mut args: Args) -> CommandResult {
    if args.remaining() > 1 {
        return Err(CommandError::WrongArity("ping".into()));
    }
    reply(args.next().map_or_else(|| Frame::simple("PONG"), Frame::Bulk))
}

pub(crate) fn echo(_: &mut Context<'_>, mut args: Args) -> CommandResult {
    reply(Frame::Bulk(args.bytes()?))
}

pub(crate) fn quit(_: &mut Context<'_>, _: Args) -> CommandResult {
    Ok(Outcome::ReplyAndClose(Frame::ok()))
}

pub(crate) fn select(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.parse_db(&args.bytes()?)?;
    context.client.select(db);
    reply(Frame::ok())
}
