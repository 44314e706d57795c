//! From requests to replies: command lookup, arity, the handlers, and running their
//! outcomes.
//!
//! A connection hands over every request it has already received (a pipeline) at once.
//! All handlers run first — they only parse arguments and decide — then consecutive reads
//! go to a reader thread as one job and consecutive writes to the writer as one job (each
//! command still atomic on its own). A read after a write waits for that write's commit, so
//! every command sees the effects of the ones before it, exactly as if they ran one by one.

use std::mem;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{Reader, StoreError, Writer};
use tokio::sync::oneshot;

use crate::args::Args;
use crate::clients::Client;
use crate::command::{Context, Outcome, ReadOperation, WriteOperation};
use crate::error::{CommandError, store_error_frame, unknown_command};
use crate::registry;
use crate::state::ServerState;

/// Whether the connection stays open after the replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    Continue,
    Close,
}

/// Runs a pipeline of requests in order and returns one reply per request run. After a
/// `QUIT` the remaining requests are not run and `After::Close` is returned.
pub(crate) async fn execute_pipeline(
    server: &Arc<ServerState>,
    client: &mut Client,
    requests: Vec<Vec<Bytes>>,
) -> (Vec<Frame>, After) {
    let mut replies: Vec<Option<Frame>> = Vec::with_capacity(requests.len());
    let mut pending = Pending::None;
    let mut after = After::Continue;
    for request in requests {
        let slot = replies.len();
        replies.push(None);
        match decide(server, client, request) {
            Ok(Outcome::Reply(frame)) => replies[slot] = Some(frame),
            Ok(Outcome::ReplyAndClose(frame)) => {
                replies[slot] = Some(frame);
                after = After::Close;
                break;
            }
            Ok(Outcome::Read(operation)) => {
                if !matches!(pending, Pending::Reads(_)) {
                    pending.run(server, &mut replies).await;
                    pending = Pending::Reads(Vec::new());
                }
                if let Pending::Reads(reads) = &mut pending {
                    reads.push((slot, operation));
                }
            }
            Ok(Outcome::Write(operation)) => {
                if !matches!(pending, Pending::Writes(_)) {
                    pending.run(server, &mut replies).await;
                    pending = Pending::Writes(Vec::new());
                }
                if let Pending::Writes(writes) = &mut pending {
                    writes.push((slot, operation));
                }
            }
            Err(error) => replies[slot] = Some(error.to_frame()),
        }
    }
    pending.run(server, &mut replies).await;
    let replies = replies
        .into_iter()
        .map(|reply| reply.unwrap_or_else(|| Frame::error("ERR internal error: no reply")))
        .collect();
    (replies, after)
}

/// Looks the command up, checks its arity and runs its handler.
fn decide(
    server: &Arc<ServerState>,
    client: &mut Client,
    request: Vec<Bytes>,
) -> Result<Outcome, CommandError> {
    server.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let Some(name) = request.first() else { return Ok(Outcome::Reply(Frame::Null)) };
    let Some(command) = registry::lookup(name) else {
        return Ok(Outcome::Reply(unknown_command(name, &request[1..])));
    };
    if !command.accepts_argument_count(request.len()) {
        return Err(CommandError::WrongArity(command.name.to_string()));
    }
    client.note_command(command.name);
    let mut args = Args::new(request);
    args.next();
    (command.handler)(&mut Context { server, client }, args)
}

/// A run of consecutive reads or writes waiting to be sent as one job, each with the
/// index of the reply it fills.
enum Pending {
    None,
    Reads(Vec<(usize, ReadOperation)>),
    Writes(Vec<(usize, WriteOperation)>),
}

impl Pending {
    /// Sends the run to the store, waits for it and fills in its replies.
    async fn run(&mut self, server: &Arc<ServerState>, replies: &mut [Option<Frame>]) {
        match mem::replace(self, Pending::None) {
            Pending::None => {}
            Pending::Reads(reads) => {
                let (slots, operations): (Vec<usize>, Vec<ReadOperation>) =
                    reads.into_iter().unzip();
                let frames = run_reads(server, operations).await;
                fill(replies, slots, frames);
            }
            Pending::Writes(writes) => {
                let (slots, operations): (Vec<usize>, Vec<WriteOperation>) =
                    writes.into_iter().unzip();
                let frames = run_writes(server, operations).await;
                fill(replies, slots, frames);
            }
        }
    }
}

fn fill(replies: &mut [Option<Frame>], slots: Vec<usize>, frames: Vec<Frame>) {
    for (slot, frame) in slots.into_iter().zip(frames) {
        replies[slot] = Some(frame);
    }
}

/// Runs reads on one reader thread, one after another at the same instant.
async fn run_reads(server: &Arc<ServerState>, operations: Vec<ReadOperation>) -> Vec<Frame> {
    let count = operations.len();
    let run = move |reader: &Reader<'_>| {
        Ok(operations
            .into_iter()
            .map(|operation| operation(reader).unwrap_or_else(|error| error.to_frame()))
            .collect())
    };
    answers(count, "readers", |done| server.store.read_then(run, done)).await
}

/// Runs writes in one job on the writer thread, each under its own savepoint, so a failing
/// command is answered with its error and changes nothing while the others still apply.
/// A lone command (every non-pipelined write) needs no savepoint of its own: the job's
/// savepoint already covers exactly that command.
async fn run_writes(server: &Arc<ServerState>, operations: Vec<WriteOperation>) -> Vec<Frame> {
    let count = operations.len();
    let operations = match <[WriteOperation; 1]>::try_from(operations) {
        Ok([operation]) => {
            let run = move |writer: &mut Writer<'_>| Ok(vec![operation(writer)?]);
            return answers(count, "writer", |done| server.store.write_then(run, done)).await;
        }
        Err(operations) => operations,
    };
    let run = move |writer: &mut Writer<'_>| {
        Ok(operations
            .into_iter()
            .map(|operation| {
                writer.atomically(operation).unwrap_or_else(|error| store_error_frame(&error))
            })
            .collect())
    };
    answers(count, "writer", |done| server.store.write_then(run, done)).await
}

/// Hands `submit` a callback that delivers a job's replies, and waits for them; a failed
/// job answers each of its `count` commands with the error.
async fn answers(
    count: usize,
    worker: &str,
    submit: impl FnOnce(Box<dyn FnOnce(Result<Vec<Frame>, StoreError>) + Send>),
) -> Vec<Frame> {
    let (sender, receiver) = oneshot::channel();
    submit(Box::new(move |result| {
        let _ = sender.send(result);
    }));
    match receiver.await {
        Ok(Ok(frames)) => frames,
        Ok(Err(error)) => vec![store_error_frame(&error); count],
        Err(_) => vec![Frame::error(format!("ERR the store's {worker} stopped")); count],
    }
}
