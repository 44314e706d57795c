//! From requests to replies: command lookup, arity, the handlers, and running their
//! outcomes.
//!
//! A connection hands over every request it has already received (a pipeline) at once.
//! All handlers run first — they only parse arguments and decide — then consecutive reads
//! go to a reader thread as one job and consecutive writes to the writer as one job (each
//! command still atomic on its own). A read after a write waits for that write's commit, so
//! every command sees the effects of the ones before it, exactly as if they ran one by one.

use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
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
use crate::recording::{self, Recording};
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
        let (decided, fast) = decide(server, client, request);
        match decided {
            Ok(Outcome::Reply(frame)) => replies[slot] = Some(frame),
            Ok(Outcome::ReplyAndClose(frame)) => {
                replies[slot] = Some(frame);
                after = After::Close;
                break;
            }
            Ok(Outcome::Read(operation)) => {
                if !matches!(pending, Pending::Reads(..)) {
                    pending.run(server, &mut replies).await;
                    pending = Pending::Reads(Vec::new(), true);
                }
                if let Pending::Reads(reads, all_fast) = &mut pending {
                    reads.push((slot, operation));
                    *all_fast &= fast;
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

/// Looks the command up, checks its arity and runs its handler; also tells whether the
/// command is flagged `fast` (a bounded, index-only read or write).
fn decide(
    server: &Arc<ServerState>,
    client: &mut Client,
    request: Vec<Bytes>,
) -> (Result<Outcome, CommandError>, bool) {
    server.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let Some(name) = request.first() else { return (Ok(Outcome::Reply(Frame::Null)), false) };
    let Some(command) = registry::lookup(name) else {
        let reply = unknown_command(name, &request[1..]);
        recording::record_unknown_command(server, &reply);
        return (Ok(Outcome::Reply(reply)), false);
    };
    if !command.accepts_argument_count(request.len()) {
        let error = CommandError::WrongArity(command.name.to_string());
        recording::record_rejected(server, command, &error);
        return (Err(error), false);
    }
    client.note_command(command.name);
    let recording = Recording::start(server, client, command, &request);
    let mut args = Args::new(request);
    args.next();
    let fast = command.flags.contains(&"fast");
    let decided = (command.handler)(&mut Context { server, client }, args);
    (recording.finish(server, client, decided), fast)
}

/// A run of consecutive reads or writes waiting to be sent as one job, each with the
/// index of the reply it fills.
enum Pending {
    None,
    /// Reads, and whether every one of them is a `fast` command.
    Reads(Vec<(usize, ReadOperation)>, bool),
    Writes(Vec<(usize, WriteOperation)>),
}

impl Pending {
    /// Sends the run to the store, waits for it and fills in its replies.
    async fn run(&mut self, server: &Arc<ServerState>, replies: &mut [Option<Frame>]) {
        match mem::replace(self, Pending::None) {
            Pending::None => {}
            Pending::Reads(reads, all_fast) => {
                let (slots, operations): (Vec<usize>, Vec<ReadOperation>) =
                    reads.into_iter().unzip();
                let frames = if all_fast && operations.len() <= INLINE_READS {
                    match run_reads_inline(server, operations) {
                        Ok(frames) => frames,
                        Err(operations) => run_reads(server, operations).await,
                    }
                } else {
                    run_reads(server, operations).await
                };
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

/// The most `fast` reads run on the connection's own thread (see [`run_reads_inline`]).
const INLINE_READS: usize = 8;

/// Runs a few `fast` reads (index lookups of a few microseconds each) right here on the
/// async thread, when a pooled connection is idle. Handing them to a reader thread costs two
/// thread switches, several times the read itself; anything slower or bigger goes to the
/// reader threads, and so do these when no connection is idle (never wait on the pool here).
fn run_reads_inline(
    server: &Arc<ServerState>,
    operations: Vec<ReadOperation>,
) -> Result<Vec<Frame>, Vec<ReadOperation>> {
    let count = operations.len();
    let mut operations = Some(operations);
    let attempt = server.store.try_read(|reader| {
        let operations = operations.take().unwrap_or_default();
        Ok(operations
            .into_iter()
            .map(|operation| {
                // As on the reader threads, a panicking read answers an error and harms
                // nothing else.
                match catch_unwind(AssertUnwindSafe(|| operation(reader))) {
                    Ok(result) => result.unwrap_or_else(|error| error.to_frame()),
                    Err(_) => Frame::error("ERR internal error: the command panicked"),
                }
            })
            .collect::<Vec<Frame>>())
    });
    match attempt {
        Ok(result) => Ok(result.unwrap_or_else(|error| vec![store_error_frame(&error); count])),
        Err(_) => Err(operations.unwrap_or_default()),
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

/// Runs writes in one job on the writer thread, each atomic on its own (`atomically`), so a
/// failing command is answered with its error and changes nothing while the others still
/// apply. The job may be replayed, so the operations are kept, not consumed.
async fn run_writes(server: &Arc<ServerState>, operations: Vec<WriteOperation>) -> Vec<Frame> {
    let count = operations.len();
    let mut operations = operations;
    let run = move |writer: &mut Writer<'_>| {
        Ok(operations
            .iter_mut()
            .map(|operation| {
                writer
                    .atomically(|writer| operation(writer))
                    .unwrap_or_else(|error| store_error_frame(&error))
            })
            .collect())
    };
    answers(count, "writer", |done| server.store.write_replayable_then(run, done)).await
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
