//! `MULTI`/`EXEC`: what a connection queues, and running the queue as one transaction.
//!
//! Commands sent after `MULTI` are only checked (known command, arity, authentication) and
//! queued. `EXEC` decides them all in order — so `SELECT` inside the transaction applies to
//! the commands after it — and sends them to the writer thread as **one job**: the watched
//! keys are checked there, then every command runs in that job, in the same SQLite
//! transaction, with no other client's write in between. Reads run on the writer's own
//! connection, so they see the transaction's earlier writes; each write still runs under
//! its own savepoint, so a command that fails (`INCR` on a hash) is answered with its error
//! and the others apply, as in Redis.

use std::sync::Arc;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{StoreError, Writer};

use crate::command::{Outcome, ReadOperation, WriteOperation};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::state::ServerState;
use crate::watch::{Touch, Watch};
use crate::write_effects::{WriteEffects, run_one_write};

/// The commands a connection has queued since `MULTI`.
#[derive(Default)]
pub(crate) struct Transaction {
    pub(crate) queued: Vec<Vec<Bytes>>,
    /// A command was refused while queuing, so `EXEC` must discard everything.
    pub(crate) failed: bool,
}

/// One queued command, decided at `EXEC`.
pub(crate) enum Step {
    Reply(Frame),
    Read(ReadOperation),
    Write(WriteOperation, Touch),
}

impl Step {
    /// The step for a handler's decision. Inside a transaction nothing waits and nothing
    /// closes the connection: those outcomes become their plain replies.
    pub(crate) fn from_decision(decided: Result<Outcome, CommandError>, touch: Touch) -> Step {
        match decided {
            Ok(Outcome::Reply(frame) | Outcome::ReplyAndClose(frame)) => Step::Reply(frame),
            Ok(Outcome::ReplyAfter(_, frame)) => Step::Reply(frame),
            Ok(Outcome::Read(operation)) => Step::Read(operation),
            // An EXEC job runs once, so a write that must not be replayed runs in it as is.
            Ok(Outcome::Write(operation) | Outcome::WriteOnce(operation)) => {
                Step::Write(operation, touch)
            }
            Ok(Outcome::Exec(_)) => Step::Reply(Frame::error("ERR EXEC inside MULTI")),
            Ok(Outcome::Several(frames)) => {
                Step::Reply(frames.into_iter().next().unwrap_or(Frame::NullArray))
            }
            // A blocking command in a transaction answers as its non-blocking form would.
            Ok(Outcome::Block(request)) => {
                let mut operation = request.operation;
                Step::Write(Box::new(move |writer| operation(writer, None)), touch)
            }
            Err(error) => Step::Reply(error.to_frame()),
        }
    }
}

/// A transaction ready to run: the watches to check and the decided commands.
pub(crate) struct ExecJob {
    pub(crate) watches: Vec<Watch>,
    pub(crate) steps: Vec<Step>,
}

/// What running an `EXEC` job produced: its reply, and what its writes leave to do after
/// the commit.
pub(crate) struct ExecResult {
    pub(crate) reply: Frame,
    pub(crate) effects: WriteEffects,
}

impl ExecJob {
    /// Runs the transaction on the writer thread. A watched key that changed (or expired)
    /// since `WATCH` makes the reply a null array and runs nothing.
    pub(crate) fn run(
        self,
        server: &Arc<ServerState>,
        writer: &mut Writer<'_>,
    ) -> Result<ExecResult, StoreError> {
        let ExecJob { watches, steps } = self;
        let mut expired = false;
        for watch in &watches {
            let deadline = writer.stored_deadline(watch.db(), watch.key())?;
            expired |= watch.expired_since(deadline, writer.now());
        }
        let aborted = expired || server.watched.any_modified(&watches);
        server.watched.release(watches);
        if aborted {
            return Ok(ExecResult { reply: Frame::NullArray, effects: WriteEffects::default() });
        }
        let mut replies = Vec::with_capacity(steps.len());
        let mut effects = WriteEffects::holding();
        for step in steps {
            replies.push(match step {
                Step::Reply(frame) => frame,
                Step::Read(operation) => {
                    // Reads report misses in order with the writes around them, so their
                    // events wait for the commit too.
                    let flags = server.settings.notify_keyspace_events();
                    let (result, events) = keyspace_events::collecting(flags, || operation(writer));
                    effects.add_events(events);
                    result.unwrap_or_else(|error| error.to_frame())
                }
                Step::Write(mut operation, touch) => {
                    run_one_write(server, writer, &mut operation, &touch, &mut effects)
                }
            });
        }
        effects.serve_held(server, writer);
        Ok(ExecResult { reply: Frame::Array(replies), effects })
    }
}
