//! One client connection: read requests, answer them in order, batch the replies.
//!
//! Pipelining: every request already received is run as one pipeline (see `dispatch`), its
//! replies accumulate in one output buffer, and the buffer is written only when no further
//! request is ready — so a pipeline of N commands is answered with as few writes as
//! possible, in order — or when it grows large.
//!
//! A protocol error is answered with Redis's text after the replies already due, and the
//! connection is closed, as Redis does. Any I/O error ends only this connection.

use std::sync::Arc;

use bytes::BytesMut;
use futures::{FutureExt, StreamExt};
use resplite_resp::{Frame, Limits, ProtocolError, RequestCodec};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::watch;
use tokio_util::codec::FramedRead;

use crate::clients::Client;
use crate::counted_reads::CountedReads;
use crate::dispatch::{After, Interrupts, execute_pipeline};
use crate::pubsub::Delivery;
use crate::state::ServerState;

/// Output is written once this much is buffered, even mid-pipeline.
const FLUSH_THRESHOLD: usize = 64 * 1024;

/// The most requests run as one pipeline; bounds the replies held in memory at once.
const MAX_PIPELINE: usize = 256;

/// Serves `socket` until the client leaves, breaks the protocol, or shutdown begins.
pub(crate) async fn serve(
    socket: TcpStream,
    server: Arc<ServerState>,
    mut client: Client,
    shutdown: watch::Receiver<bool>,
) {
    // A second handle on the socket lets the writer thread see, at the moment it would
    // serve this client a blocked command's element, whether the client has already gone.
    let Ok(socket) = socket.into_std() else { return };
    client.probe = socket.try_clone().ok().map(Arc::new);
    let Ok(socket) = TcpStream::from_std(socket) else { return };
    serve_requests(socket, &server, &mut client, shutdown).await;
    // What the client leaves behind in shared state goes with it.
    server.watched.release(std::mem::take(&mut client.watches));
    if let Some(mut inbox) = client.pubsub.take() {
        server.pubsub.forget(client.id, &mut inbox);
    }
    if client.monitoring {
        server.monitors.remove(client.id);
    }
}

async fn serve_requests(
    socket: TcpStream,
    server: &Arc<ServerState>,
    client: &mut Client,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = socket.set_nodelay(true);
    let (reader, mut writer) = socket.into_split();
    // `CONFIG SET proto-max-bulk-len` is read again before each request (see below).
    let limits =
        Limits { max_bulk_len: server.settings.proto_max_bulk_len(), ..server.config.limits };
    let codec = RequestCodec::new(limits);
    let reader = CountedReads::new(reader, Arc::clone(server));
    let mut requests = FramedRead::with_capacity(reader, codec, 16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    let kill_switch = Arc::clone(&client.kill_switch);
    loop {
        // Messages published to this client go out between its commands.
        // A killed client is closed as it stands, as Redis closes it: nothing more is sent.
        if kill_switch.is_killed() {
            return;
        }
        if !take_messages(server, client, &mut output) {
            let _ = flush(server, &mut writer, &mut output).await;
            return;
        }
        // A client that must authenticate and has not is held to Redis's tighter request
        // limits, judged request by request, since `AUTH` may lift them for the next one;
        // and `CONFIG SET proto-max-bulk-len` applies to open connections, as in Redis.
        let unauthenticated = !client.authenticated && server.settings.password_required();
        requests.decoder_mut().set_unauthenticated(unauthenticated);
        requests.decoder_mut().set_max_bulk_len(server.settings.proto_max_bulk_len());
        // Only bytes already buffered can hold another request without waiting; polling the
        // socket here would cost a system call per request that nearly always finds nothing.
        let ready =
            if requests.read_buffer().is_empty() { None } else { requests.next().now_or_never() };
        let next = match ready {
            Some(next) => next,
            None => {
                if flush(server, &mut writer, &mut output).await.is_err() || *shutdown.borrow() {
                    return;
                }
                let idle_limit = idle_limit(server, client);
                tokio::select! {
                    next = requests.next() => next,
                    () = message_waiting(client) => continue,
                    () = kill_switch.killed() => return,
                    () = idle_limit => return,
                    _ = shutdown.changed() => return,
                }
            }
        };
        let first = match next {
            None | Some(Err(ProtocolError::Io(_))) => return,
            Some(Err(error)) => {
                Frame::error(error.reply_text()).encode(&mut output);
                let _ = flush(server, &mut writer, &mut output).await;
                return;
            }
            Some(Ok(request)) => request,
        };
        // Messages published before this request was read go out before its replies, as in
        // Redis, which writes a message into a subscriber's output as it is published (the
        // wait above may have picked the request while a message was waiting too).
        if !take_messages(server, client, &mut output) {
            let _ = flush(server, &mut writer, &mut output).await;
            return;
        }
        // Gather the rest of the pipeline that has already arrived.
        let mut pipeline = vec![first];
        let mut stop: Option<Option<ProtocolError>> = None;
        while pipeline.len() < MAX_PIPELINE
            && !unauthenticated
            && !requests.read_buffer().is_empty()
        {
            match requests.next().now_or_never() {
                Some(Some(Ok(request))) => pipeline.push(request),
                Some(None) | Some(Some(Err(ProtocolError::Io(_)))) => {
                    stop = Some(None);
                    break;
                }
                Some(Some(Err(error))) => {
                    stop = Some(Some(error));
                    break;
                }
                None => break,
            }
        }
        let mut interrupts = Interrupts {
            socket: requests.get_mut().socket_mut(),
            shutdown: &mut shutdown,
            kill_switch: &kill_switch,
        };
        let (replies, after) = execute_pipeline(server, client, pipeline, &mut interrupts).await;
        if kill_switch.is_killed() {
            return;
        }
        for (reply, protocol) in &replies {
            reply.encode_as(*protocol, &mut output);
        }
        if after == After::Close {
            let _ = flush(server, &mut writer, &mut output).await;
            return;
        }
        if let Some(error) = stop {
            // The replies due before the broken request still go out, then the error.
            if let Some(error) = error {
                Frame::error(error.reply_text()).encode(&mut output);
            }
            let _ = flush(server, &mut writer, &mut output).await;
            return;
        }
        if output.len() >= FLUSH_THRESHOLD && flush(server, &mut writer, &mut output).await.is_err()
        {
            return;
        }
    }
}

/// Resolves when the client has been idle for `timeout` seconds (never when the timeout is
/// 0, or for a subscriber, which Redis never times out either).
fn idle_limit(server: &ServerState, client: &Client) -> impl Future<Output = ()> + use<> {
    let seconds = server.settings.timeout();
    let subscribed = client.pubsub.as_ref().is_some_and(|inbox| inbox.subscriptions() > 0);
    async move {
        if seconds == 0 || subscribed {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    }
}

/// Resolves when a published message waits for this client (never, without subscriptions).
async fn message_waiting(client: &mut Client) {
    match &mut client.pubsub {
        Some(inbox) => inbox.wait().await,
        None => std::future::pending().await,
    }
}

/// Encodes the messages waiting for this client into `output`; answers false when the
/// client passed its output limit and must be disconnected.
fn take_messages(server: &ServerState, client: &mut Client, output: &mut BytesMut) -> bool {
    let protocol = client.protocol;
    let Some(inbox) = &mut client.pubsub else { return true };
    let limit = server.settings.pubsub_output_limit();
    while let Some(delivery) = inbox.try_take() {
        match delivery {
            // Redis sends messages even under `CLIENT REPLY OFF`: they are pushes.
            Delivery::Message(message) => {
                output.extend_from_slice(message.bytes(protocol));
                inbox.taken(&message);
            }
            Delivery::Overflow => return false,
        }
    }
    inbox.within_soft_limit(&limit, output.len())
}

async fn flush(
    server: &ServerState,
    writer: &mut OwnedWriteHalf,
    output: &mut BytesMut,
) -> std::io::Result<()> {
    if output.is_empty() {
        return Ok(());
    }
    writer.write_all(output).await?;
    server.stats.count_write(output.len());
    output.clear();
    Ok(())
}
