//! A client socket's read half that counts what it reads, for `INFO stats`
//! (`total_net_input_bytes`, `total_reads_processed`). Writes are counted where the
//! connection flushes its output.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::net::tcp::OwnedReadHalf;

use crate::state::ServerState;

/// The read half of a client's socket, counting into the server's statistics.
pub(crate) struct CountedReads {
    socket: OwnedReadHalf,
    server: Arc<ServerState>,
}

impl CountedReads {
    pub(crate) fn new(socket: OwnedReadHalf, server: Arc<ServerState>) -> CountedReads {
        CountedReads { socket, server }
    }

    /// The socket itself, for looking at it without reading (a peek counts nothing).
    pub(crate) fn socket_mut(&mut self) -> &mut OwnedReadHalf {
        &mut self.socket
    }
}

impl AsyncRead for CountedReads {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buffer.filled().len();
        ready!(Pin::new(&mut self.socket).poll_read(context, buffer))?;
        let read = buffer.filled().len() - before;
        if read > 0 {
            self.server.stats.count_read(read);
        }
        Poll::Ready(Ok(()))
    }
}
