//! Clients blocked on keys (`BLPOP`, `BLMOVE`, `BZPOPMIN` …) and serving them when a write
//! makes their keys non-empty.
//!
//! Everything that decides who gets an element happens on the store's writer thread, so it
//! is ordered with every write exactly as in Redis:
//! * a blocking command first runs as a write job that tries its non-blocking form; only if
//!   that finds nothing does the same job register the client here — no write can slip in
//!   between the try and the registration, so no wake-up is ever missed;
//! * after each write that changed something, the writer offers the keys it named to the
//!   clients blocked on them, first come first served, each running its own operation in
//!   the same transaction, until one finds nothing (the key is empty again). A client
//!   served by a move (`BLMOVE`) makes its destination ready in turn;
//! * a timeout or a disconnect cancels through a writer job too, so a client that has been
//!   given an element always receives it, and one that gave up never takes one.
//!
//! The registry only changes on the writer thread, and only after a commit (or in a job
//! that cannot be replayed), so a round that is rolled back and replayed serves again from
//! the same state. Replies to served clients are sent after the commit that contains them.
//! While nobody is blocked, writes skip all of this with one atomic load.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{Db, KeyType, Writer};
use tokio::sync::oneshot;

use crate::command::{KeyedOperation, WriteStep};
use crate::watch::Touch;

/// What a blocking command asks for: its keys, how long to wait, and the operation that
/// takes what it needs (its non-blocking form, answering a null while there is nothing).
pub(crate) struct BlockRequest {
    /// The id of the client that blocks (`CLIENT UNBLOCK` names it).
    pub(crate) client: u64,
    pub(crate) db: Db,
    pub(crate) keys: Vec<Bytes>,
    /// `None` waits for ever (a timeout of 0).
    pub(crate) timeout: Option<Duration>,
    pub(crate) operation: KeyedOperation,
    pub(crate) touch: Touch,
    /// The client's socket, to check it is still there before giving it anything.
    pub(crate) probe: Option<Arc<TcpStream>>,
    /// The type of key it takes from; a key of another type does not wake it.
    pub(crate) kind: KeyType,
}

/// A registered client.
struct Waiter {
    client: u64,
    db: Db,
    keys: Vec<Bytes>,
    operation: KeyedOperation,
    touch: Touch,
    reply: oneshot::Sender<Frame>,
    probe: Option<Arc<TcpStream>>,
    kind: KeyType,
}

impl Waiter {
    /// Whether the client has gone: its connection task ended, or its socket has been
    /// closed by the peer (a client that closes while blocked must never take an element,
    /// even if its connection task has not noticed yet).
    fn is_gone(&self) -> bool {
        if self.reply.is_closed() {
            return true;
        }
        let Some(probe) = &self.probe else { return false };
        let mut byte = [0u8; 1];
        // The socket is non-blocking (it is shared with the async runtime), so this never
        // waits: `Ok(0)` is the end of the stream, `WouldBlock` a client still there.
        match probe.peek(&mut byte) {
            Ok(read) => read == 0,
            Err(error) => error.kind() != io::ErrorKind::WouldBlock,
        }
    }
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    waiters: HashMap<u64, Waiter>,
    /// Per key, the ids of the clients blocked on it, oldest first.
    queues: HashMap<(Db, Bytes), VecDeque<u64>>,
}

/// Every blocked client.
#[derive(Default)]
pub(crate) struct BlockedClients {
    count: AtomicUsize,
    registry: Mutex<Registry>,
}

/// What one writer job did to blocked clients, applied once its transaction has committed.
#[derive(Default)]
pub(crate) struct Served {
    /// Clients given a reply in this job, in order.
    replies: Vec<(u64, Frame)>,
    ids: HashSet<u64>,
}

impl BlockedClients {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many clients are blocked (`INFO clients`).
    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Whether a client is blocked on one of the keys `touch` names.
    pub(crate) fn waits_on(&self, touch: &Touch) -> bool {
        self.any() && !ready_keys(&self.registry(), touch).is_empty()
    }

    /// Whether anyone is blocked (one atomic load).
    pub(crate) fn any(&self) -> bool {
        self.count.load(Ordering::SeqCst) > 0
    }

    /// Registers a client that found nothing; answers its id. Writer thread only.
    pub(crate) fn register(&self, request: BlockRequest, reply: oneshot::Sender<Frame>) -> u64 {
        let mut registry = self.registry();
        registry.next_id += 1;
        let id = registry.next_id;
        for key in &request.keys {
            let queue = registry.queues.entry((request.db, key.clone())).or_default();
            if !queue.contains(&id) {
                queue.push_back(id);
            }
        }
        let BlockRequest { client, db, keys, operation, touch, probe, kind, .. } = request;
        let waiter = Waiter { client, db, keys, operation, touch, reply, probe, kind };
        registry.waiters.insert(id, waiter);
        self.count.fetch_add(1, Ordering::SeqCst);
        id
    }

    /// Cancels a client that timed out or left: answers it `reply` unless it was served
    /// already. Writer thread only.
    pub(crate) fn cancel(&self, id: u64, reply: Frame) {
        if let Some(waiter) = self.remove(&mut self.registry(), id) {
            let _ = waiter.reply.send(reply);
        }
    }

    /// `CLIENT UNBLOCK`: answers the blocked client `client` with `reply` as if its wait had
    /// ended; false when it is not blocked. Writer thread only, in a job of its own.
    pub(crate) fn unblock(&self, client: u64, reply: Frame) -> bool {
        let mut registry = self.registry();
        let id = registry.waiters.iter().find(|(_, waiter)| waiter.client == client);
        let Some(id) = id.map(|(id, _)| *id) else { return false };
        match self.remove(&mut registry, id) {
            Some(waiter) => waiter.reply.send(reply).is_ok(),
            None => false,
        }
    }

    fn remove(&self, registry: &mut Registry, id: u64) -> Option<Waiter> {
        let waiter = registry.waiters.remove(&id)?;
        for key in &waiter.keys {
            let slot = (waiter.db, key.clone());
            if let Some(queue) = registry.queues.get_mut(&slot) {
                queue.retain(|queued| *queued != id);
                if queue.is_empty() {
                    registry.queues.remove(&slot);
                }
            }
        }
        self.count.fetch_sub(1, Ordering::SeqCst);
        Some(waiter)
    }

    /// Offers the keys `touch` names to the clients blocked on them, in the writer's current
    /// transaction. Each one served is noted in `served` (and stays registered until
    /// [`BlockedClients::deliver`] runs after the commit). `run` runs a served client's
    /// operation the way every write runs, answering its reply and what it touched.
    pub(crate) fn serve(
        &self,
        writer: &mut Writer<'_>,
        touch: &Touch,
        served: &mut Served,
        mut run: impl FnMut(&mut Writer<'_>, &mut WriteStep<'_>, &Touch) -> (Frame, Option<Touch>),
    ) {
        if !self.any() {
            return;
        }
        let mut registry = self.registry();
        let mut ready: VecDeque<(Db, Bytes)> = ready_keys(&registry, touch);
        while let Some(slot) = ready.pop_front() {
            let queued: Vec<u64> =
                registry.queues.get(&slot).into_iter().flatten().copied().collect();
            let kind = writer.key_type(slot.0, &slot.1).ok().flatten();
            for id in queued {
                if served.ids.contains(&id) {
                    continue;
                }
                let Some(waiter) = registry.waiters.get_mut(&id) else { continue };
                if waiter.is_gone() {
                    // The client left; nothing may be taken for it.
                    continue;
                }
                if kind != Some(waiter.kind) {
                    // Emptied, or holding another type now: it waits on.
                    break;
                }
                // An earlier job of this round may have served it, its reply not delivered
                // until the commit; the claim goes if that hand-over is rolled back.
                let claim = i64::try_from(id).unwrap_or(i64::MAX);
                if !writer.claim_in_transaction(claim).unwrap_or(false) {
                    continue;
                }
                // A pop over several keys, served from this one, changed this one only.
                let this_key_only;
                let touch = match &waiter.touch {
                    Touch::FirstExisting(..) => {
                        this_key_only = Touch::Exact(vec![slot.clone()]);
                        &this_key_only
                    }
                    touch => touch,
                };
                let operation = &mut waiter.operation;
                let mut from_this_key = |writer: &mut Writer<'_>| operation(writer, Some(&slot.1));
                let (frame, touched) = run(writer, &mut from_this_key, touch);
                if matches!(frame, Frame::Null | Frame::NullArray) {
                    // Nothing there for it: the key has nothing for the clients after it.
                    let _ = writer.release_claim(claim);
                    break;
                }
                // An element, or an error such as a move onto a key of another type.
                served.ids.insert(id);
                served.replies.push((id, frame));
                if let Some(touched) = touched {
                    ready.extend(ready_keys(&registry, &touched));
                }
            }
        }
    }

    /// After the commit: sends each served client its reply and forgets it, and forgets the
    /// clients that left. With `committed` false the job's changes are gone, so the served
    /// clients stay blocked instead.
    pub(crate) fn deliver(&self, served: Served, committed: bool) {
        if served.replies.is_empty() {
            return;
        }
        let mut registry = self.registry();
        if !committed {
            return;
        }
        for (id, frame) in served.replies {
            if let Some(waiter) = self.remove(&mut registry, id) {
                let _ = waiter.reply.send(frame);
            }
        }
        let gone: Vec<u64> = registry
            .waiters
            .iter()
            .filter(|(_, waiter)| waiter.reply.is_closed())
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            self.remove(&mut registry, id);
        }
    }
}

/// The keys with blocked clients among those `touch` names, in its order.
fn ready_keys(registry: &Registry, touch: &Touch) -> VecDeque<(Db, Bytes)> {
    let waited = |slot: &(Db, Bytes)| registry.queues.contains_key(slot);
    match touch {
        Touch::Nothing => VecDeque::new(),
        Touch::Keys(db, keys) | Touch::Existing(db, keys) | Touch::FirstExisting(db, keys) => {
            keys.iter().map(|key| (*db, key.clone())).filter(|slot| waited(slot)).collect()
        }
        Touch::Exact(slots) => slots.iter().filter(|slot| waited(slot)).cloned().collect(),
        Touch::Databases(dbs) => {
            registry.queues.keys().filter(|(db, _)| dbs.contains(db)).cloned().collect()
        }
        Touch::Everything => registry.queues.keys().cloned().collect(),
    }
}
