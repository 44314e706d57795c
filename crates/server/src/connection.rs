//! One client connection: read requests, answer them in order, batch the replies.
//!
//! Pipelining: after each request the loop tries to decode the next one from bytes already
//! buffered. Replies accumulate in one output
//! buffer and are written only when no further request is ready — so a pipeline of N
//! commands is answered with as few writes as possible, in order — or when the buffer
//! grows large.
//!
//! A protocol error is answered with Redis's text after the replies already due, and the
//! connection is closed, as Redis does. Any I/O error ends only this connection.

use std::sync::Arc;

use bytes::BytesMut;
use futures::{FutureExt, StreamExt};
use resplite_resp::{Frame, ProtocolError, RequestCodec};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::watch;
use tokio_util::codec::FramedRead;

use crate::clients::Client;
use crate::dispatch::{After, execute};
use crate::state::ServerState;

/// Output is written once this much is buffered, even mid-pipeline.
const FLUSH_THRESHOLD: usize = 64 * 1024;

/// Serves `socket` until the client leaves, breaks the protocol, or shutdown begins.
pub(crate) async fn serve(
    socket: TcpStream,
    server: Arc<ServerState>,
    mut client: Client,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = socket.set_nodelay(true);
    let (reader, mut writer) = socket.into_split();
    let codec = RequestCodec::new(server.config.limits);
    let mut requests = FramedRead::with_capacity(reader, codec, 16 * 1024);
    let mut output = BytesMut::with_capacity(16 * 1024);
    loop {
        // Only bytes already buffered can hold another request without waiting; polling the
        // socket again here would cost a system call per request that nearly always finds
        // nothing.
        let ready =
            if requests.read_buffer().is_empty() { None } else { requests.next().now_or_never() };
        let next = match ready {
            Some(next) => next,
            None => {
                if flush(&mut writer, &mut output).await.is_err() {
                    return;
                }
                if *shutdown.borrow() {
                    return;
                }
                tokio::select! {
                    next = requests.next() => next,
                    _ = shutdown.changed() => return,
                }
            }
        };
        match next {
            None | Some(Err(ProtocolError::Io(_))) => return,
            Some(Err(error)) => {
                Frame::error(error.reply_text()).encode(&mut output);
                let _ = flush(&mut writer, &mut output).await;
                return;
            }
            Some(Ok(request)) => {
                let (reply, after) = execute(&server, &mut client, request).await;
                reply.encode(&mut output);
                if after == After::Close {
                    let _ = flush(&mut writer, &mut output).await;
                    return;
                }
                if output.len() >= FLUSH_THRESHOLD && flush(&mut writer, &mut output).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

async fn flush(writer: &mut OwnedWriteHalf, output: &mut BytesMut) -> std::io::Result<()> {
    if output.is_empty() {
        return Ok(());
    }
    writer.write_all(output).await?;
    output.clear();
    Ok(())
}
