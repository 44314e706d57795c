//! Short writes from many connections, gathered and committed together on the I/O thread.
//!
//! A short write (a few index lookups, see `dispatch::runs_inline`) costs less than its trip
//! to the writer thread and back: two thread switches, each dearer than the write on a
//! virtual machine. Yet committing each one on its own costs more than the trip, since a
//! commit has a fixed price. So a connection with short writes puts them into the batch open
//! on its thread ([`write_soon`]) and waits; the first write of a batch starts a task that
//! first lets every other ready connection of this I/O thread have its turn (a tokio
//! `yield_now`, which runs again only after the thread's other ready tasks and a look at
//! the sockets), and again while each turn brings more writes (see [`GATHERING_TURNS`]),
//! then closes the batch and hands it to the store as one round
//! (`Store::write_now_or_then`). When the write connection is free the round runs and
//! commits right there, a lone client's single write included; when the writer thread holds
//! it, the writes go to the writer thread as before. This is group commit without the thread
//! switches: under load, one pass of the I/O thread over its connections reads their
//! requests, writes them in one commit and sends the replies.
//!
//! A batch of one used to go to the writer thread, whose short spin between close writes
//! kept a vCPU of the project's 2-vCPU VM from halting. Measured again on 2026-12-06 (one
//! client, `redis-benchmark -c 1 -n 30000 -r 100000`, server CPU from `/proc`, alternating
//! rounds), committing it in place is faster as well as cheaper: `SET` 17.7–19.7k against
//! 16.3–17.6k requests a second at 34–39 µs of server CPU against 67–74 µs, and likewise
//! for `LPUSH`, `SADD`, `HSET`, `INCR`, `LPOP`, `ZADD`, `SPOP`, `MSET`; with 50 clients
//! (`-c 50`), where a batch of one is still common, 0.5–1 µs less per write.

use std::cell::RefCell;
use std::mem;
use std::sync::{Arc, Mutex, PoisonError};

use resplite_store::PendingWrite;

use crate::state::ServerState;

/// The most writes (each a connection's run of short writes) in one batch; a full batch is
/// closed and the next write opens another.
const BATCH_LIMIT: usize = 64;

/// The most turns a batch gives the thread's other connections before it closes; it closes
/// sooner when a turn brings no write. Requests from many clients do not all arrive in one
/// look at the sockets: closing after the first turn left batches small, their commits many,
/// and the thread, busy with those, found fewer requests at its next look, so that a run of
/// redis-benchmark could stay in that state throughout. Same-run A/B on the project's 2-vCPU
/// VM (`redis-benchmark -c 50 -P 1 -n 200000 -r 100000`, two rounds, ratios to Redis), one
/// turn against up to four: SET 0.64/0.81× → 0.84/0.83×, HSET 0.66/0.70× → 0.84/0.87×, INCR
/// 0.58/0.63× → 0.83/0.68×, LPUSH 0.81/0.72× → 1.00/0.92×, SADD 0.76/0.79× → 0.87/0.92×,
/// ZADD 0.48/0.43× → 0.51/0.45×; up to eight was no better. A lone client's write closes
/// its batch after one turn, as before.
const GATHERING_TURNS: usize = 4;

/// Writes waiting for their batch's round. A batch is closed once its task has taken the
/// writes (on whichever I/O thread it ran), so no write joins it later.
struct Batch {
    writes: Vec<PendingWrite>,
    closed: bool,
}

thread_local! {
    /// The batch open on this I/O thread.
    static OPEN: RefCell<Option<Arc<Mutex<Batch>>>> = const { RefCell::new(None) };
}

/// Adds `write` to this thread's open batch, opening one (and the task that will run it)
/// if there is none. The write's `done` callback receives its result after the commit.
pub(crate) fn write_soon(server: &Arc<ServerState>, write: PendingWrite) {
    OPEN.with(|open| {
        let mut open = open.borrow_mut();
        if let Some(batch) = open.as_ref() {
            let mut batch = batch.lock().unwrap_or_else(PoisonError::into_inner);
            if !batch.closed && batch.writes.len() < BATCH_LIMIT {
                batch.writes.push(write);
                return;
            }
        }
        let batch = Arc::new(Mutex::new(Batch { writes: vec![write], closed: false }));
        *open = Some(Arc::clone(&batch));
        tokio::spawn(run_batch(Arc::clone(server), batch));
    });
}

/// Lets the thread's other ready connections add their writes, then runs the batch.
async fn run_batch(server: Arc<ServerState>, batch: Arc<Mutex<Batch>>) {
    let mut gathered = 1;
    for _ in 0..GATHERING_TURNS {
        tokio::task::yield_now().await;
        let now = batch.lock().unwrap_or_else(PoisonError::into_inner).writes.len();
        if now == gathered || now >= BATCH_LIMIT {
            break;
        }
        gathered = now;
    }
    let writes = {
        let mut batch = batch.lock().unwrap_or_else(PoisonError::into_inner);
        batch.closed = true;
        mem::take(&mut batch.writes)
    };
    server.store.write_now_or_then(writes);
}
