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
use std::time::Instant;

use bytes::Bytes;
use resplite_resp::{Frame, Protocol};
use resplite_store::{Durability, PendingWrite, Reader, StoreError, Writer};
use tokio::net::tcp::OwnedReadHalf;
use tokio::sync::{oneshot, watch};

use crate::args::Args;
use crate::blocking::BlockRequest;
use crate::clients::{Client, KillSwitch};
use crate::command::{Context, Outcome, ReadOperation, WriteOperation};
use crate::command_syntax;
use crate::error::{CommandError, store_error_frame, unknown_command};
use crate::key_misses;
use crate::keyspace_events;
use crate::recording::{self, Recording};
use crate::registry::{self, CommandSpec};
use crate::state::ServerState;
use crate::transaction::ExecJob;
use crate::watch::Touch;
use crate::write_effects::{WriteEffects, run_one_write};
use crate::write_gathering;

/// Commands Redis's table calls read-only that still write: `PFCOUNT` of one key stores the
/// cardinality it computed in the HLL's header, which counts as a change for `WATCH`.
const READS_THAT_WRITE: &[&str] = &["pfcount"];

/// Whether the connection stays open after the replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    Continue,
    Close,
}

/// Runs a pipeline of requests in order and returns one reply per request run, each with
/// the protocol version to write it in (`HELLO` may switch versions mid-pipeline). After a
/// `QUIT` the remaining requests are not run and `After::Close` is returned.
pub(crate) async fn execute_pipeline(
    server: &Arc<ServerState>,
    client: &mut Client,
    requests: Vec<Vec<Bytes>>,
    interrupts: &mut Interrupts<'_>,
) -> (Vec<(Frame, Protocol)>, After) {
    let mut replies: Vec<Option<Frame>> = Vec::with_capacity(requests.len());
    let mut protocols: Vec<Protocol> = Vec::with_capacity(requests.len());
    // The slots whose replies `CLIENT REPLY` drops.
    let mut silenced: Vec<bool> = Vec::with_capacity(requests.len());
    let mut pending = Pending::None;
    let mut after = After::Continue;
    // Replies after the first of commands that answer several times, by slot.
    let mut more: Vec<(usize, Vec<Frame>)> = Vec::new();
    for request in requests {
        if server.pause.is_active() && is_held_by_pause(&request) {
            // Paused commands wait in order, after the ones before them have run.
            pending.run(server, &mut replies).await;
            server.pause.wait(writes(&request)).await;
        }
        let slot = replies.len();
        replies.push(None);
        let pushes = confirms_subscriptions(&request);
        let Decision { outcome, fast, touch, recording } = decide(server, client, request);
        protocols.push(client.protocol);
        silenced.push(client.replies.silences() && !pushes);
        client.replies = client.replies.after_command();
        match outcome {
            Ok(Outcome::Reply(frame)) => replies[slot] = Some(frame),
            Ok(Outcome::Several(frames)) => {
                let mut frames = frames.into_iter();
                replies[slot] = frames.next();
                more.push((slot, frames.collect()));
            }
            Ok(Outcome::ReplyAfter(delay, frame)) => {
                pending.run(server, &mut replies).await;
                tokio::time::sleep(delay).await;
                replies[slot] = Some(frame);
            }
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
                    reads.push((slot, (operation, recording)));
                    *all_fast &= fast;
                }
            }
            Ok(Outcome::Write(operation)) => {
                if !matches!(pending, Pending::Writes(..)) {
                    pending.run(server, &mut replies).await;
                    pending = Pending::Writes(Vec::new(), true);
                }
                if let Pending::Writes(writes, all_fast) = &mut pending {
                    writes.push((slot, (operation, touch, recording)));
                    *all_fast &= fast;
                }
            }
            Ok(Outcome::Exec(job)) => {
                pending.run(server, &mut replies).await;
                replies[slot] = Some(run_exec(server, job).await);
            }
            Ok(Outcome::WriteOnce(operation)) => {
                pending.run(server, &mut replies).await;
                replies[slot] = Some(run_once(server, operation).await);
            }
            Ok(Outcome::Block(mut request)) => {
                request.touch = touch;
                pending.run(server, &mut replies).await;
                replies[slot] = Some(run_blocking(server, request, interrupts).await);
            }
            Err(error) => replies[slot] = Some(error.to_frame()),
        }
    }
    pending.run(server, &mut replies).await;
    let mut more = more.into_iter().peekable();
    let mut written = Vec::with_capacity(replies.len());
    for (slot, ((reply, protocol), silenced)) in
        replies.into_iter().zip(protocols).zip(silenced).enumerate()
    {
        let frames = more.next_if(|(with_more, _)| *with_more == slot).map(|(_, frames)| frames);
        if silenced {
            continue;
        }
        written.push((
            reply.unwrap_or_else(|| Frame::error("ERR internal error: no reply")),
            protocol,
        ));
        written.extend(frames.into_iter().flatten().map(|frame| (frame, protocol)));
    }
    (written, after)
}

/// Whether `request` answers with subscription confirmations, which Redis sends as pushes
/// that `CLIENT REPLY OFF` does not stop (as it does not stop messages).
fn confirms_subscriptions(request: &[Bytes]) -> bool {
    request.first().is_some_and(|name| {
        ["subscribe", "unsubscribe", "psubscribe", "punsubscribe"]
            .iter()
            .any(|command| name.eq_ignore_ascii_case(command.as_bytes()))
    })
}

/// Whether `CLIENT PAUSE` may hold `request` back (`CLIENT` itself never, so that
/// `CLIENT UNPAUSE` gets through).
fn is_held_by_pause(request: &[Bytes]) -> bool {
    request
        .first()
        .and_then(|name| registry::lookup(name))
        .is_some_and(|command| command.name != "client")
}

/// Whether `request` may change data (what `CLIENT PAUSE WRITE` holds back).
fn writes(request: &[Bytes]) -> bool {
    request.first().and_then(|name| registry::lookup(name)).is_some_and(|command| {
        command.flags.contains(&"write")
            || matches!(command.name, "flushall" | "flushdb" | "swapdb" | "publish")
    })
}

/// A container command's subcommand is looked up and its words counted before anything
/// runs, as Redis does: an unknown subcommand or a wrong count is refused here, so that it
/// fails a `MULTI` instead of being queued, and counts as a rejected call.
fn refuse_subcommand(
    server: &ServerState,
    command: &'static CommandSpec,
    request: &[Bytes],
) -> Option<Frame> {
    let typed = request.get(1)?;
    if command_syntax::subcommands_of(command.name).is_empty() {
        return None;
    }
    let Some((name, subcommand)) = command_syntax::find_subcommand(command.name, typed) else {
        let error = CommandError::UnknownSubcommand {
            command: String::from_utf8_lossy(&request[0]).to_ascii_uppercase(),
            subcommand: typed.to_vec(),
        };
        let reply = error.to_frame();
        recording::record_unknown_command(server, &reply);
        return Some(reply);
    };
    if !registry::arity_accepts(subcommand.arity, request.len()) {
        let error = CommandError::WrongArity(format!("{}|{name}", command.name));
        recording::record_rejected(server, command, Some(name), &error);
        return Some(error.to_frame());
    }
    None
}

/// Whether `request` may run on the connection's own thread: a read through
/// [`run_reads_inline`], a write through [`run_writes`]'s commit of its own.
///
/// Reads: those Redis flags `fast`, except those that count a range in resplite (a sorted
/// set's rank or a count by score or name takes time in proportion to the answer), and
/// `LINDEX`, which Redis walks but resplite finds by its position.
///
/// Writes: those Redis flags `fast`, except `APPEND` (resplite rewrites the whole value),
/// `SWAPDB` (it renumbers every key of two databases) and pops with a count (as many rows
/// as asked for); plus the plain string writes, which Redis leaves unflagged only because a
/// value may be long. And only requests of at most [`INLINE_WRITE_BYTES`], so that no long
/// value or long list of elements is written on the connection's thread.
fn runs_inline(command: &CommandSpec, request: &[Bytes]) -> bool {
    if !command.flags.contains(&"write") {
        return match command.name {
            "lindex" => true,
            "zcount" | "zlexcount" | "zrank" | "zrevrank" => false,
            _ => command.flags.contains(&"fast"),
        };
    }
    let short = request.iter().map(Bytes::len).sum::<usize>() <= INLINE_WRITE_BYTES;
    short
        && match command.name {
            "append" | "swapdb" => false,
            "lpop" | "rpop" | "spop" | "zpopmin" | "zpopmax" => request.len() == 2,
            "set" | "setex" | "psetex" | "mset" | "msetnx" => true,
            _ => command.flags.contains(&"fast"),
        }
}

/// The most argument bytes of a write run on the connection's own thread.
const INLINE_WRITE_BYTES: usize = 16 * 1024;

/// Whether `MONITOR` leaves the request out: commands flagged `admin` or `skip_monitor`,
/// and for a container command its subcommand's flags (`CLIENT LIST` is left out, `CLIENT
/// ID` is shown).
fn hidden_from_monitor(command: &CommandSpec, request: &[Bytes]) -> bool {
    let flags = match request.get(1) {
        Some(typed) => command_syntax::find_subcommand(command.name, typed)
            .map_or(command.flags, |(_, subcommand)| subcommand.flags),
        None => command.flags,
    };
    flags.iter().any(|flag| matches!(*flag, "admin" | "skip_monitor"))
}

/// Whether this client may run `command` now: authenticated if a password asks for it, and
/// only subscription commands on a RESP2 connection with subscriptions.
fn admit(
    server: &ServerState,
    client: &Client,
    command: &'static CommandSpec,
    request: &[Bytes],
) -> Result<&'static CommandSpec, Frame> {
    // The password may have been set after this client connected; Redis only asks clients
    // that connected while one was set, and so does `client.authenticated`.
    if !client.authenticated
        && !command.flags.contains(&"no_auth")
        && server.settings.password_required()
    {
        let error = CommandError::Message("NOAUTH Authentication required.".into());
        recording::record_rejected(server, command, None, &error);
        return Err(error.to_frame());
    }
    // A RESP2 connection with subscriptions carries messages; it takes only commands about
    // subscriptions (RESP3 keeps messages apart as pushes, so anything goes).
    if client.protocol == Protocol::Resp2
        && client.pubsub.as_ref().is_some_and(|inbox| inbox.subscriptions() > 0)
        && !ALLOWED_SUBSCRIBED.contains(&command.name)
    {
        return Err(Frame::error(format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / \
             RESET are allowed in this context",
            full_name(command.name, request)
        )));
    }
    Ok(command)
}

/// A command's name as Redis's errors give it: `pubsub|numpat` for a subcommand (dispatch
/// has refused unknown subcommands by then).
fn full_name(name: &'static str, request: &[Bytes]) -> &'static str {
    request
        .get(1)
        .and_then(|typed| command_syntax::find_subcommand(name, typed))
        .map_or(name, |(_, subcommand)| subcommand.name)
}

/// What a RESP2 client with subscriptions may still send.
const ALLOWED_SUBSCRIBED: &[&str] = &[
    "ping",
    "psubscribe",
    "punsubscribe",
    "quit",
    "reset",
    "ssubscribe",
    "subscribe",
    "sunsubscribe",
    "unsubscribe",
];

/// Commands that run at once inside `MULTI` rather than being queued.
const RUN_INSIDE_MULTI: &[&str] = &["discard", "exec", "multi", "quit", "reset", "watch"];

/// Redis's reply to a refused `EXEC`, which discards the transaction.
fn exec_abort(client: &mut Client, refusal: Frame) -> Frame {
    client.transaction = None;
    let Frame::Error(text) = refusal else { return refusal };
    let reason = text.strip_prefix(b"ERR ").unwrap_or(&text);
    Frame::error(format!(
        "EXECABORT Transaction discarded because of: {}",
        String::from_utf8_lossy(reason)
    ))
}

/// What [`decide`] made of one request.
pub(crate) struct Decision {
    pub(crate) outcome: Result<Outcome, CommandError>,
    /// Whether the command may run on the connection's own thread (see [`runs_inline`]).
    pub(crate) fast: bool,
    /// What the command may modify, for `WATCH`.
    pub(crate) touch: Touch,
    /// The timing of a read or write, to complete once it has run.
    pub(crate) recording: Option<Recording>,
}

impl Decision {
    fn reply(outcome: Result<Outcome, CommandError>) -> Decision {
        Decision { outcome, fast: false, touch: Touch::Nothing, recording: None }
    }
}

/// Looks the command up, checks its arity and authentication and runs its handler — or,
/// inside `MULTI`, queues it. A refusal inside `MULTI` makes the transaction fail.
pub(crate) fn decide(
    server: &Arc<ServerState>,
    client: &mut Client,
    request: Vec<Bytes>,
) -> Decision {
    server.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let Some(name) = request.first() else {
        return Decision::reply(Ok(Outcome::Reply(Frame::Null)));
    };
    let refusal = match registry::lookup(name) {
        None => {
            let reply = unknown_command(name, &request[1..]);
            recording::record_unknown_command(server, &reply);
            Err(reply)
        }
        Some(command) if !command.accepts_argument_count(request.len()) => {
            let error = CommandError::WrongArity(command.name.to_string());
            recording::record_rejected(server, command, None, &error);
            Err(error.to_frame())
        }
        Some(command) => match refuse_subcommand(server, command, &request) {
            Some(refused) => Err(refused),
            None => admit(server, client, command, &request),
        },
    };
    let command = match refusal {
        Ok(command) => command,
        Err(frame) => {
            if let Some(transaction) = &mut client.transaction {
                transaction.failed = true;
            }
            if name.eq_ignore_ascii_case(b"exec") {
                // A refused EXEC ends the transaction, saying why, even outside one.
                return Decision::reply(Ok(Outcome::Reply(exec_abort(client, frame))));
            }
            return Decision::reply(Ok(Outcome::Reply(frame)));
        }
    };
    if let Some(transaction) = &mut client.transaction
        && !RUN_INSIDE_MULTI.contains(&command.name)
    {
        transaction.queued.push(request);
        return Decision::reply(Ok(Outcome::Reply(Frame::simple("QUEUED"))));
    }
    client.note_command(command.name);
    let touch = if command.flags.contains(&"readonly") && !READS_THAT_WRITE.contains(&command.name)
    {
        Touch::Nothing
    } else {
        Touch::of(command, client.db, &request)
    };
    let recording = Recording::start(server, client, command, &request);
    let monitored =
        (server.monitors.any() && !hidden_from_monitor(command, &request)).then(|| request.clone());
    let misses =
        key_misses::keys_to_check(server.settings.notify_keyspace_events(), command.name, &request)
            .map(|keys| (client.db, keys));
    let fast = runs_inline(command, &request);
    let mut args = Args::new(request);
    args.next();
    let mut decided = (command.handler)(&mut Context { server, client }, args);
    if let Some((db, keys)) = misses {
        decided = key_misses::report_misses(decided, db, keys);
    }
    if let Some(request) = monitored {
        let address = client.info().peer.map(|peer| peer.to_string()).unwrap_or_default();
        let limit = server.settings.pubsub_output_limit();
        server.monitors.feed(client.db, &address, &request, &limit);
    }
    let (outcome, recording) = recording.finish(server, client, decided);
    Decision { outcome, fast, touch, recording }
}

/// A run of consecutive reads or writes waiting to be sent as one job, each with the
/// index of the reply it fills.
enum Pending {
    None,
    /// Reads, and whether every one of them is a `fast` command.
    Reads(Vec<(usize, TimedRead)>, bool),
    /// Writes, and whether every one of them may run on the connection's thread.
    Writes(Vec<(usize, TimedWrite)>, bool),
}

/// A read with the timing to complete when it has run.
type TimedRead = (ReadOperation, Option<Recording>);
/// A write with what it may modify and the timing to complete when it has run.
type TimedWrite = (WriteOperation, Touch, Option<Recording>);

impl Pending {
    /// Sends the run to the store, waits for it and fills in its replies.
    async fn run(&mut self, server: &Arc<ServerState>, replies: &mut [Option<Frame>]) {
        match mem::replace(self, Pending::None) {
            Pending::None => {}
            Pending::Reads(reads, all_fast) => {
                let (slots, operations): (Vec<usize>, Vec<TimedRead>) = reads.into_iter().unzip();
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
            Pending::Writes(writes, all_fast) => {
                let (slots, operations): (Vec<usize>, Vec<TimedWrite>) = writes.into_iter().unzip();
                // With `--durability full` every commit waits for the disk: never here.
                let here = all_fast
                    && operations.len() <= INLINE_WRITES
                    && server.store.options().durability == Durability::Normal;
                let frames = run_writes(server, operations, here).await;
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
/// async thread, when a fast-read connection is idle. Handing them to a reader thread costs
/// two thread switches, several times the read itself; anything slower or bigger goes to the
/// reader threads, and so do these when no connection is idle (never wait for one here).
fn run_reads_inline(
    server: &Arc<ServerState>,
    operations: Vec<TimedRead>,
) -> Result<Vec<Frame>, Vec<TimedRead>> {
    let count = operations.len();
    let mut operations = Some(operations);
    let flags = server.settings.notify_keyspace_events();
    let attempt = server.store.try_read(|reader| {
        let operations = operations.take().unwrap_or_default();
        Ok(operations
            .into_iter()
            .map(|(operation, recording)| {
                let started = Instant::now();
                // As on the reader threads, a panicking read answers an error and harms
                // nothing else.
                let run = || keyspace_events::reading(server, flags, || operation(reader));
                let frame = match catch_unwind(AssertUnwindSafe(run)) {
                    Ok(result) => result.unwrap_or_else(|error| error.to_frame()),
                    Err(_) => Frame::error("ERR internal error: the command panicked"),
                };
                if let Some(recording) = recording {
                    recording.complete(server, started.elapsed(), &frame);
                }
                frame
            })
            .collect::<Vec<Frame>>())
    });
    match attempt {
        Ok(result) => Ok(result.unwrap_or_else(|error| vec![store_error_frame(&error); count])),
        Err(_) => Err(operations.unwrap_or_default()),
    }
}

/// Runs reads on one reader thread, one after another at the same instant.
async fn run_reads(server: &Arc<ServerState>, operations: Vec<TimedRead>) -> Vec<Frame> {
    let count = operations.len();
    let flags = server.settings.notify_keyspace_events();
    let publisher = key_misses::reported(flags);
    let running = Arc::clone(server);
    let run = move |reader: &Reader<'_>| {
        Ok(operations
            .into_iter()
            .map(|(operation, recording)| {
                let started = Instant::now();
                // Only reads that may report misses publish anything.
                let result = if publisher {
                    keyspace_events::reading(&running, flags, || operation(reader))
                } else {
                    operation(reader)
                };
                let frame = result.unwrap_or_else(|error| error.to_frame());
                if let Some(recording) = recording {
                    recording.complete(&running, started.elapsed(), &frame);
                }
                frame
            })
            .collect())
    };
    answers(count, "readers", |done| server.store.read_then(run, done)).await
}

/// The most writes run on the connection's own thread in one commit (see [`run_writes`]).
const INLINE_WRITES: usize = 4;

/// Runs writes in one job, each atomic on its own (`atomically`), so a failing command is
/// answered with its error and changes nothing while the others still apply. The job may be
/// replayed, so the operations are kept, not consumed; its effects (`WATCH` touches, blocked
/// clients served) are finished after the commit.
///
/// The job goes to the writer thread, or, when it is short (`here`: a few writes that each
/// touch a few rows), joins the writes gathered on this I/O thread, committed together
/// right here when the write connection is free (see `write_gathering`).
async fn run_writes(
    server: &Arc<ServerState>,
    operations: Vec<TimedWrite>,
    here: bool,
) -> Vec<Frame> {
    let count = operations.len();
    let mut operations = operations;
    let running = Arc::clone(server);
    let run = move |writer: &mut Writer<'_>| {
        let mut effects = WriteEffects::default();
        let frames = operations
            .iter_mut()
            .map(|(operation, touch, recording)| {
                let started = Instant::now();
                let frame = run_one_write(&running, writer, operation, touch, &mut effects);
                if let Some(recording) = recording {
                    recording.complete(&running, started.elapsed(), &frame);
                }
                frame
            })
            .collect();
        Ok((frames, effects))
    };
    let committed = Arc::clone(server);
    let (sender, receiver) = oneshot::channel();
    let done = move |result| {
        let result = finish_effects(&committed, result).map(|(frames, _)| frames);
        let _ = sender.send(result);
    };
    if here {
        write_gathering::write_soon(server, PendingWrite::replayable(run, done));
    } else {
        server.store.write_replayable_then(run, done);
    }
    delivered(count, "writer", receiver.await)
}

/// Finishes the effects of a job whose commit is known, passing its result on.
fn finish_effects<T>(
    server: &ServerState,
    result: Result<(T, WriteEffects), StoreError>,
) -> Result<(T, ()), StoreError> {
    result.map(|(value, effects)| {
        effects.apply(server, true);
        (value, ())
    })
}

/// What can end a blocked command's wait besides its keys: the client leaving, or the
/// server shutting down.
pub(crate) struct Interrupts<'a> {
    pub(crate) socket: &'a mut OwnedReadHalf,
    pub(crate) shutdown: &'a mut watch::Receiver<bool>,
    pub(crate) kill_switch: &'a KillSwitch,
}

impl Interrupts<'_> {
    async fn happened(&mut self) {
        let Interrupts { socket, shutdown, kill_switch } = self;
        let gone = async {
            let mut byte = [0u8; 1];
            match socket.peek(&mut byte).await {
                Ok(0) | Err(_) => {}
                // More requests while blocked: the client is there, and they wait their turn
                // (while shutdown and CLIENT KILL are still watched for).
                Ok(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            () = gone => {}
            () = stopping(shutdown) => {}
            () = kill_switch.killed() => {}
        }
    }
}

/// Resolves once shutdown has begun (or its sender is gone).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    while !*shutdown.borrow_and_update() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Runs a blocking command (see `blocking`): tries it at once on the writer, which registers
/// the client if there is nothing to take; then waits for the writer to serve it, for the
/// timeout, or for an interruption. Giving up goes through the writer too, so the answer is
/// whatever the writer decided first: an element or the timeout's null.
async fn run_blocking(
    server: &Arc<ServerState>,
    request: BlockRequest,
    interrupts: &mut Interrupts<'_>,
) -> Frame {
    let timeout = request.timeout;
    let (reply_sender, reply) = oneshot::channel::<Frame>();
    let running = Arc::clone(server);
    let committed = Arc::clone(server);
    let (sender, receiver) = oneshot::channel();
    server.store.write_then(
        move |writer| {
            let mut request = request;
            let mut effects = WriteEffects::default();
            let touch = request.touch.clone();
            let operation = &mut request.operation;
            let mut from_any_key = |writer: &mut Writer<'_>| operation(writer, None);
            let frame = run_one_write(&running, writer, &mut from_any_key, &touch, &mut effects);
            if matches!(frame, Frame::Null | Frame::NullArray) {
                // Registered in the same job as the try: no write can come in between.
                let id = running.blocked.register(request, reply_sender);
                return Ok((Err(id), effects));
            }
            Ok((Ok(frame), effects))
        },
        move |result| {
            let _ = sender.send(finish_effects(&committed, result).map(|(first, ())| first));
        },
    );
    let id = match receiver.await {
        Ok(Ok(Ok(frame))) => return frame,
        Ok(Ok(Err(id))) => id,
        Ok(Err(error)) => return store_error_frame(&error),
        Err(_) => return Frame::error("ERR the store's writer stopped"),
    };
    let expired = async {
        match timeout {
            Some(timeout) => tokio::time::sleep(timeout).await,
            None => std::future::pending().await,
        }
    };
    let mut reply = reply;
    tokio::select! {
        served = &mut reply => return served.unwrap_or(Frame::NullArray),
        () = expired => {}
        () = interrupts.happened() => {}
    }
    let cancelling = Arc::clone(server);
    server.store.write_then(
        move |_| {
            cancelling.blocked.cancel(id, Frame::NullArray);
            Ok(())
        },
        |_| {},
    );
    reply.await.unwrap_or(Frame::NullArray)
}

/// Runs a transaction's queue as one job on the writer thread (see `transaction`).
async fn run_exec(server: &Arc<ServerState>, job: ExecJob) -> Frame {
    let running = Arc::clone(server);
    let committed = Arc::clone(server);
    let (sender, receiver) = oneshot::channel();
    server.store.write_then(
        move |writer| job.run(&running, writer).map(|done| (done.reply, done.effects)),
        move |result| {
            let result = finish_effects(&committed, result).map(|(reply, ())| vec![reply]);
            let _ = sender.send(result);
        },
    );
    delivered(1, "writer", receiver.await).pop().unwrap_or(Frame::NullArray)
}

/// Runs a write that must not be replayed as a job of its own on the writer thread.
async fn run_once(server: &Arc<ServerState>, mut operation: WriteOperation) -> Frame {
    let (sender, receiver) = oneshot::channel();
    server.store.write_then(
        move |writer| operation(writer),
        move |result| {
            let _ = sender.send(result.map(|frame| vec![frame]));
        },
    );
    delivered(1, "writer", receiver.await).pop().unwrap_or(Frame::NullArray)
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
    delivered(count, worker, receiver.await)
}

/// The replies of a job of `count` commands, from what its callback sent.
fn delivered(
    count: usize,
    worker: &str,
    received: Result<Result<Vec<Frame>, StoreError>, oneshot::error::RecvError>,
) -> Vec<Frame> {
    match received {
        Ok(Ok(frames)) => frames,
        Ok(Err(error)) => vec![store_error_frame(&error); count],
        Err(_) => vec![Frame::error(format!("ERR the store's {worker} stopped")); count],
    }
}
