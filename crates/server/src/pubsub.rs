//! Pub/sub: who listens to which channel or pattern, and delivering published messages.
//!
//! Each subscribed connection has a message queue (an unbounded channel) that its
//! connection task drains into the socket whenever it is not running a command. A
//! subscriber that does not read cannot make the server's memory grow without bound: the
//! bytes waiting in its queue are counted, and past the `client-output-buffer-limit pubsub`
//! hard limit (32 MB by default), or above the soft limit for longer than its seconds,
//! further messages are not queued and the connection is closed, as Redis does.

use std::collections::{BTreeMap, HashMap};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use resplite_resp::{Frame, Protocol};
use resplite_store::glob_match;
use tokio::sync::mpsc;

use crate::settings::OutputLimit;

/// A message as it goes on the wire, in both protocol versions (RESP2 array, RESP3 push).
pub(crate) struct Encoded {
    resp2: Bytes,
    resp3: Bytes,
}

impl Encoded {
    pub(crate) fn of(frame: &Frame) -> Arc<Encoded> {
        Arc::new(Encoded {
            resp2: frame.to_bytes_as(Protocol::Resp2),
            resp3: frame.to_bytes_as(Protocol::Resp3),
        })
    }

    /// The bytes for a client speaking `protocol`.
    pub(crate) fn bytes(&self, protocol: Protocol) -> &Bytes {
        match protocol {
            Protocol::Resp2 => &self.resp2,
            Protocol::Resp3 => &self.resp3,
        }
    }

    /// What it counts against a subscriber's output limit.
    fn size(&self) -> usize {
        self.resp3.len()
    }
}

/// What a subscriber's connection receives.
pub(crate) enum Delivery {
    /// A message to write (a `message` or `pmessage` push).
    Message(Arc<Encoded>),
    /// The output limit was passed: close the connection.
    Overflow,
}

/// The sending side of one subscriber's queue, with its byte count.
#[derive(Clone)]
pub(crate) struct Mailbox {
    sender: mpsc::UnboundedSender<Delivery>,
    queued: Arc<AtomicUsize>,
    overflowed: Arc<AtomicBool>,
    /// The subscriber's socket, shut down when it passes its limit: its connection task may
    /// be stuck writing to a client that does not read.
    probe: Option<Arc<TcpStream>>,
}

impl Mailbox {
    /// Queues `frame` unless the subscriber is over its limit; answers whether it was
    /// queued (and so counts as received).
    pub(crate) fn deliver(&self, message: &Arc<Encoded>, limit: &OutputLimit) -> bool {
        let size = message.size();
        if self.overflowed.load(Ordering::Relaxed) {
            return false;
        }
        let queued = self.queued.fetch_add(size, Ordering::Relaxed) + size;
        if limit.hard > 0 && queued as u64 > limit.hard {
            self.queued.fetch_sub(size, Ordering::Relaxed);
            self.overflowed.store(true, Ordering::Relaxed);
            let _ = self.sender.send(Delivery::Overflow);
            if let Some(probe) = &self.probe {
                let _ = probe.shutdown(Shutdown::Both);
            }
            return false;
        }
        self.sender.send(Delivery::Message(Arc::clone(message))).is_ok()
    }
}

/// A subscribed connection's receiving side.
pub(crate) struct Inbox {
    receiver: mpsc::UnboundedReceiver<Delivery>,
    /// A message taken while waiting, not yet written.
    waiting: Option<Delivery>,
    queued: Arc<AtomicUsize>,
    /// Since when the output has stayed over the soft limit.
    over_soft_since: Option<Instant>,
    mailbox: Mailbox,
    /// This client's channels and patterns ([`Target`] order), for its counts and for
    /// unsubscribing all.
    names: [Vec<Bytes>; 2],
}

impl Inbox {
    pub(crate) fn new(probe: Option<Arc<TcpStream>>) -> Inbox {
        let (sender, receiver) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let mailbox = Mailbox {
            sender,
            queued: Arc::clone(&queued),
            overflowed: Arc::new(AtomicBool::new(false)),
            probe,
        };
        Inbox {
            receiver,
            waiting: None,
            queued,
            over_soft_since: None,
            mailbox,
            names: [Vec::new(), Vec::new()],
        }
    }

    /// Waits until a message is there (keeping it for [`Inbox::try_take`]).
    pub(crate) async fn wait(&mut self) {
        if self.waiting.is_none() {
            self.waiting = self.receiver.recv().await;
        }
        if self.waiting.is_none() {
            std::future::pending::<()>().await;
        }
    }

    /// The next message, if one is there.
    pub(crate) fn try_take(&mut self) -> Option<Delivery> {
        self.waiting.take().or_else(|| self.receiver.try_recv().ok())
    }

    /// Whether the client's waiting output (`buffered` bytes not yet written, plus its
    /// queue) has stayed over the soft limit no longer than the limit allows.
    pub(crate) fn within_soft_limit(&mut self, limit: &OutputLimit, buffered: usize) -> bool {
        let total = (buffered + self.queued()) as u64;
        if limit.soft == 0 || total <= limit.soft {
            self.over_soft_since = None;
            return true;
        }
        let since = *self.over_soft_since.get_or_insert_with(Instant::now);
        since.elapsed().as_secs() <= limit.soft_seconds
    }

    /// The sending side of this queue, for another producer (`MONITOR`).
    pub(crate) fn mailbox(&self) -> Mailbox {
        self.mailbox.clone()
    }

    /// How many channels and patterns the client listens to.
    pub(crate) fn subscriptions(&self) -> usize {
        self.names.iter().map(Vec::len).sum()
    }

    /// The channels (or patterns) the client listens to.
    pub(crate) fn names(&self, target: Target) -> &[Bytes] {
        &self.names[target as usize]
    }

    /// Notes that `message` has been taken out of the queue.
    pub(crate) fn taken(&self, message: &Encoded) {
        self.queued.fetch_sub(message.size(), Ordering::Relaxed);
    }

    /// The bytes waiting in the queue.
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }
}

/// What a subscription names: a channel, or a glob pattern of channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Channel = 0,
    Pattern = 1,
}

/// The subscribers of each channel and of each pattern ([`Target`] order).
type Subscriptions = [HashMap<Bytes, BTreeMap<u64, Mailbox>>; 2];

/// Every subscription of every client.
#[derive(Default)]
pub(crate) struct PubSub {
    subscriptions: Mutex<Subscriptions>,
}

impl PubSub {
    fn subscriptions(&self) -> MutexGuard<'_, Subscriptions> {
        self.subscriptions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Subscribes client `id` to a channel or pattern; answers whether it was new for that
    /// client.
    pub(crate) fn subscribe(
        &self,
        id: u64,
        inbox: &mut Inbox,
        target: Target,
        name: Bytes,
    ) -> bool {
        let names = &mut inbox.names[target as usize];
        if names.contains(&name) {
            return false;
        }
        let mut subscriptions = self.subscriptions();
        let subscribers = subscriptions[target as usize].entry(name.clone()).or_default();
        subscribers.insert(id, inbox.mailbox.clone());
        names.push(name);
        true
    }

    /// Unsubscribes client `id` from a channel or pattern; answers whether it was subscribed.
    pub(crate) fn unsubscribe(
        &self,
        id: u64,
        inbox: &mut Inbox,
        target: Target,
        name: &Bytes,
    ) -> bool {
        let names = &mut inbox.names[target as usize];
        let Some(index) = names.iter().position(|known| known == name) else {
            return false;
        };
        names.remove(index);
        let mut subscriptions = self.subscriptions();
        let map = &mut subscriptions[target as usize];
        if let Some(subscribers) = map.get_mut(name) {
            subscribers.remove(&id);
            if subscribers.is_empty() {
                map.remove(name);
            }
        }
        true
    }

    /// Forgets every subscription of a client that is leaving.
    pub(crate) fn forget(&self, id: u64, inbox: &mut Inbox) {
        for target in [Target::Channel, Target::Pattern] {
            for name in inbox.names(target).to_vec() {
                self.unsubscribe(id, inbox, target, &name);
            }
        }
    }

    /// Delivers `message` to the subscribers of `channel` and of every pattern matching it;
    /// answers how many received it.
    ///
    /// Each distinct message is encoded once, in both protocol versions, and shared by every
    /// subscriber's queue; queuing never waits, so it happens under the lock.
    pub(crate) fn publish(&self, channel: &Bytes, message: &Bytes, limit: &OutputLimit) -> usize {
        let subscriptions = self.subscriptions();
        let mut received = 0;
        if let Some(clients) = subscriptions[Target::Channel as usize].get(channel) {
            let encoded = Encoded::of(&Frame::Push(vec![
                Frame::bulk("message"),
                Frame::Bulk(channel.clone()),
                Frame::Bulk(message.clone()),
            ]));
            for mailbox in clients.values() {
                received += usize::from(mailbox.deliver(&encoded, limit));
            }
        }
        for (pattern, clients) in &subscriptions[Target::Pattern as usize] {
            if !glob_match(pattern, channel, false) {
                continue;
            }
            let encoded = Encoded::of(&Frame::Push(vec![
                Frame::bulk("pmessage"),
                Frame::Bulk(pattern.clone()),
                Frame::Bulk(channel.clone()),
                Frame::Bulk(message.clone()),
            ]));
            for mailbox in clients.values() {
                received += usize::from(mailbox.deliver(&encoded, limit));
            }
        }
        received
    }

    /// The channels with at least one subscriber, matching `pattern` if given.
    pub(crate) fn channels(&self, pattern: Option<&[u8]>) -> Vec<Bytes> {
        self.subscriptions()[Target::Channel as usize]
            .keys()
            .filter(|channel| pattern.is_none_or(|pattern| glob_match(pattern, channel, false)))
            .cloned()
            .collect()
    }

    /// How many clients listen to `channel` (patterns not counted).
    pub(crate) fn subscribers(&self, channel: &[u8]) -> usize {
        self.subscriptions()[Target::Channel as usize].get(channel).map_or(0, BTreeMap::len)
    }

    /// How many channels (or patterns) have at least one subscriber.
    pub(crate) fn count(&self, target: Target) -> usize {
        self.subscriptions()[target as usize].len()
    }
}
