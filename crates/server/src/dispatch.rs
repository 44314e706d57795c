//! From a request to a reply: command lookup, arity, the handler, and running its outcome.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use resplite_resp::Frame;
use tokio::sync::oneshot;

use crate::args::Args;
use crate::clients::Client;
use crate::command::{Context, Outcome};
use crate::error::{CommandError, store_error_frame, unknown_command};
use crate::registry;
use crate::state::ServerState;

/// Whether the connection stays open after the reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum After {
    Continue,
    Close,
}

/// Runs one request and produces its reply.
pub(crate) async fn execute(
    server: &Arc<ServerState>,
    client: &mut Client,
    request: Vec<Bytes>,
) -> (Frame, After) {
    server.stats.commands_processed.fetch_add(1, Ordering::Relaxed);
    let Some(name) = request.first() else { return (Frame::Null, After::Continue) };
    let Some(command) = registry::lookup(name) else {
        return (unknown_command(name, &request[1..]), After::Continue);
    };
    if !command.accepts_argument_count(request.len()) {
        let error = CommandError::WrongArity(command.name.to_string());
        return (error.to_frame(), After::Continue);
    }
    client.note_command(command.name);
    let mut args = Args::new(request);
    args.next();
    let outcome = (command.handler)(&mut Context { server, client }, args);
    match outcome {
        Ok(outcome) => run(server, outcome).await,
        Err(error) => (error.to_frame(), After::Continue),
    }
}

/// Carries out what a handler decided. Reads go to the store's reader threads and writes to
/// its writer thread, so this task only ever waits asynchronously.
async fn run(server: &Arc<ServerState>, outcome: Outcome) -> (Frame, After) {
    let frame = match outcome {
        Outcome::Reply(frame) => frame,
        Outcome::ReplyAndClose(frame) => return (frame, After::Close),
        Outcome::Read(operation) => {
            let (sender, receiver) = oneshot::channel();
            server.store.read_then(
                move |reader| Ok(operation(reader)),
                move |result| {
                    let _ = sender.send(result);
                },
            );
            match receiver.await {
                Ok(Ok(Ok(frame))) => frame,
                Ok(Ok(Err(error))) => error.to_frame(),
                Ok(Err(error)) => store_error_frame(&error),
                Err(_) => Frame::error("ERR the store's readers have stopped"),
            }
        }
        Outcome::Write(operation) => {
            let (sender, receiver) = oneshot::channel();
            server.store.write_then(operation, move |result| {
                let _ = sender.send(result);
            });
            match receiver.await {
                Ok(Ok(frame)) => frame,
                Ok(Err(error)) => store_error_frame(&error),
                Err(_) => Frame::error("ERR the store's writer has stopped"),
            }
        }
    };
    (frame, After::Continue)
}
