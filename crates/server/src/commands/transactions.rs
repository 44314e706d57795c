//! Transaction commands: `MULTI`, `EXEC`, `DISCARD`, `WATCH`, `UNWATCH` (see `transaction`
//! for how a queue runs, and `watch` for how modifications are noticed).

use std::mem;

use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, Outcome, reply};
use crate::dispatch;
use crate::error::CommandError;
use crate::transaction::{ExecJob, Step, Transaction};

pub(crate) fn multi(context: &mut Context<'_>, _: Args) -> CommandResult {
    if context.client.transaction.is_some() {
        return Err(CommandError::err("MULTI calls can not be nested"));
    }
    context.client.transaction = Some(Transaction::default());
    reply(Frame::ok())
}

pub(crate) fn discard(context: &mut Context<'_>, _: Args) -> CommandResult {
    if context.client.transaction.take().is_none() {
        return Err(CommandError::err("DISCARD without MULTI"));
    }
    unwatch_all(context);
    reply(Frame::ok())
}

pub(crate) fn watch(context: &mut Context<'_>, args: Args) -> CommandResult {
    if context.client.transaction.is_some() {
        return Err(CommandError::err("WATCH inside MULTI is not allowed"));
    }
    let db = context.db();
    for key in args.rest() {
        let watch = context.server.watched.watch(db, key);
        context.client.watches.push(watch);
    }
    reply(Frame::ok())
}

pub(crate) fn unwatch(context: &mut Context<'_>, _: Args) -> CommandResult {
    unwatch_all(context);
    reply(Frame::ok())
}

fn unwatch_all(context: &mut Context<'_>) {
    let watches = mem::take(&mut context.client.watches);
    context.server.watched.release(watches);
}

/// `EXEC`: decides every queued command now, in order, and hands them to the writer as one
/// job (`Outcome::Exec`), unless queuing failed or a watched key already changed.
pub(crate) fn exec(context: &mut Context<'_>, _: Args) -> CommandResult {
    let Some(transaction) = context.client.transaction.take() else {
        return Err(CommandError::err("EXEC without MULTI"));
    };
    if transaction.failed {
        unwatch_all(context);
        return Err(CommandError::Message(
            "EXECABORT Transaction discarded because of previous errors.".into(),
        ));
    }
    let watches = mem::take(&mut context.client.watches);
    if context.server.watched.any_modified(&watches) {
        context.server.watched.release(watches);
        return reply(Frame::NullArray);
    }
    let steps = transaction
        .queued
        .into_iter()
        .map(|request| {
            let decision = dispatch::decide(context.server, context.client, request);
            // A queued read or write times itself as it runs inside the EXEC job.
            let outcome = match decision.recording {
                Some(recording) => {
                    decision.outcome.map(|outcome| recording.wrap(context.server, outcome))
                }
                None => decision.outcome,
            };
            Step::from_decision(outcome, decision.touch)
        })
        .collect();
    Ok(Outcome::Exec(ExecJob { watches, steps }))
}
