//! Connected clients: the registry behind `CLIENT LIST` and `CLIENT KILL`, and each
//! connection's own state (database, protocol, authentication, transaction, subscriptions).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Instant;

use bytes::Bytes;
use futures::task::AtomicWaker;
use resplite_resp::Protocol;
use resplite_store::Db;

use crate::pubsub::Inbox;
use crate::transaction::Transaction;
use crate::watch::Watch;

/// What other connections may see of a client.
#[derive(Debug)]
pub(crate) struct ClientInfo {
    pub(crate) id: u64,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) local: Option<SocketAddr>,
    pub(crate) name: Bytes,
    pub(crate) library_name: Bytes,
    pub(crate) library_version: Bytes,
    pub(crate) db: Db,
    pub(crate) protocol: Protocol,
    pub(crate) connected_at: Instant,
    pub(crate) last_active: Instant,
    pub(crate) last_command: &'static str,
    /// The subcommand of the last command, when it had one (`CLIENT LIST` shows both).
    pub(crate) last_subcommand: Option<&'static str>,
    /// Closes the connection from elsewhere (`CLIENT KILL`).
    pub(crate) kill_switch: Arc<KillSwitch>,
}

/// Lets another connection close this one (`CLIENT KILL`): the connection's task watches it
/// between commands, while idle and while blocked.
///
/// Only the connection's own task waits on it, so one registered waker is enough; that
/// keeps waiting lock-free, which matters because the task starts a wait for every batch of
/// requests it reads.
#[derive(Debug, Default)]
pub(crate) struct KillSwitch {
    killed: AtomicBool,
    waker: AtomicWaker,
}

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    pub(crate) fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Resolves once the connection has been killed.
    pub(crate) fn killed(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |context| {
            if self.is_killed() {
                return Poll::Ready(());
            }
            self.waker.register(context.waker());
            // Checked again after registering, so a kill in between is not missed.
            if self.is_killed() { Poll::Ready(()) } else { Poll::Pending }
        })
    }
}

/// One connection's own state; dropping it removes the client from the registry.
pub(crate) struct Client {
    pub(crate) id: u64,
    pub(crate) db: Db,
    /// The protocol version replies are written in (`HELLO` changes it).
    pub(crate) protocol: Protocol,
    /// Whether the client may run commands other than `AUTH`, `HELLO` and `QUIT`.
    pub(crate) authenticated: bool,
    /// The commands queued since `MULTI`, while in a transaction.
    pub(crate) transaction: Option<Transaction>,
    /// The keys this client watches (`WATCH`).
    pub(crate) watches: Vec<Watch>,
    /// A second handle on the client's socket, to tell whether it has closed.
    pub(crate) probe: Option<Arc<std::net::TcpStream>>,
    /// Its pub/sub subscriptions and message queue, once it has subscribed.
    pub(crate) pubsub: Option<Inbox>,
    /// Set when another client kills this one.
    pub(crate) kill_switch: Arc<KillSwitch>,
    /// Whether it receives every command as text (`MONITOR`).
    pub(crate) monitoring: bool,
    /// The subcommand of the command running now, if it has one (for `INFO commandstats`).
    pub(crate) subcommand: Option<&'static str>,
    /// Which replies it receives (`CLIENT REPLY`).
    pub(crate) replies: ReplyMode,
    info: Arc<Mutex<ClientInfo>>,
    registry: Arc<ClientRegistry>,
}

impl Client {
    /// The shared view of this client, for the commands that change or show it.
    pub(crate) fn info(&self) -> MutexGuard<'_, ClientInfo> {
        lock(&self.info)
    }

    /// The shared view itself, for what outlives the command (a slow-log entry names the
    /// client as it is when the command ends).
    pub(crate) fn shared_info(&self) -> Arc<Mutex<ClientInfo>> {
        Arc::clone(&self.info)
    }

    /// Records that `command` is running now.
    pub(crate) fn note_command(&mut self, command: &'static str) {
        self.subcommand = None;
        let mut info = self.info();
        info.last_active = Instant::now();
        info.last_command = command;
        info.last_subcommand = None;
    }

    /// Records the subcommand of the command that is running (`client|list`).
    pub(crate) fn note_subcommand(&mut self, subcommand: &'static str) {
        self.subcommand = Some(subcommand);
        self.info().last_subcommand = Some(subcommand);
    }

    /// The address the client connects from.
    pub(crate) fn peer_ip(&self) -> Option<IpAddr> {
        self.info().peer.map(|peer| peer.ip())
    }

    /// Switches the protocol version of this connection's replies.
    pub(crate) fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
        self.info().protocol = protocol;
    }

    /// Switches the selected database.
    pub(crate) fn select(&mut self, db: Db) {
        self.db = db;
        self.info().db = db;
    }
}

/// Which replies a client receives, as `CLIENT REPLY` sets it. Redis keeps this as flags
/// that it moves on after every command (in `resetClient`), rejected ones included; so does
/// [`ReplyMode::after_command`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplyMode {
    On,
    /// `CLIENT REPLY OFF`: no reply or error until `CLIENT REPLY ON` (pub/sub messages and
    /// subscription confirmations still go, as pushes do in Redis).
    Off,
    /// `CLIENT REPLY SKIP` is the command running: its own reply and the next command's go.
    SkipNext,
    /// The command after `CLIENT REPLY SKIP`: its reply goes.
    Skip,
}

impl ReplyMode {
    /// Whether replies are dropped in this mode.
    pub(crate) fn silences(self) -> bool {
        self != ReplyMode::On
    }

    /// The mode once a command has run in this one.
    pub(crate) fn after_command(self) -> ReplyMode {
        match self {
            ReplyMode::SkipNext => ReplyMode::Skip,
            ReplyMode::Skip => ReplyMode::On,
            mode => mode,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        lock(&self.registry.clients).remove(&self.id);
    }
}

/// Every connected client, by id.
#[derive(Default)]
pub(crate) struct ClientRegistry {
    next_id: AtomicU64,
    clients: Mutex<BTreeMap<u64, Arc<Mutex<ClientInfo>>>>,
}

impl ClientRegistry {
    /// Registers a new connection, or returns `None` when `limit` clients are connected.
    pub(crate) fn register(
        self: &Arc<Self>,
        peer: Option<SocketAddr>,
        local: Option<SocketAddr>,
        limit: usize,
    ) -> Option<Client> {
        let mut clients = lock(&self.clients);
        if clients.len() >= limit {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let now = Instant::now();
        let kill_switch = Arc::new(KillSwitch::default());
        let info = Arc::new(Mutex::new(ClientInfo {
            id,
            peer,
            local,
            name: Bytes::new(),
            library_name: Bytes::new(),
            library_version: Bytes::new(),
            db: 0,
            protocol: Protocol::Resp2,
            connected_at: now,
            last_active: now,
            last_command: "NULL",
            last_subcommand: None,
            kill_switch: Arc::clone(&kill_switch),
        }));
        clients.insert(id, Arc::clone(&info));
        Some(Client {
            kill_switch,
            monitoring: false,
            id,
            db: 0,
            protocol: Protocol::Resp2,
            authenticated: true,
            transaction: None,
            watches: Vec::new(),
            probe: None,
            pubsub: None,
            subcommand: None,
            replies: ReplyMode::On,
            info,
            registry: Arc::clone(self),
        })
    }

    /// Kills every client `chosen` picks; answers how many.
    pub(crate) fn kill(&self, chosen: impl Fn(&ClientInfo) -> bool) -> usize {
        let clients: Vec<_> = lock(&self.clients).values().cloned().collect();
        let mut killed = 0;
        for info in clients {
            let info = lock(&info);
            if chosen(&info) {
                info.kill_switch.kill();
                killed += 1;
            }
        }
        killed
    }

    /// How many clients are connected.
    pub(crate) fn count(&self) -> usize {
        lock(&self.clients).len()
    }

    /// The `CLIENT LIST` line of every client, in id order.
    pub(crate) fn list_lines(&self) -> Vec<String> {
        let clients: Vec<_> = lock(&self.clients).values().cloned().collect();
        clients.iter().map(|info| list_line(&lock(info))).collect()
    }
}

/// One client as `CLIENT LIST` and `CLIENT INFO` describe it (Redis's field order; fields
/// resplite has no equivalent for show Redis's idle values).
pub(crate) fn list_line(info: &ClientInfo) -> String {
    let address = |addr: Option<SocketAddr>| addr.map(|addr| addr.to_string()).unwrap_or_default();
    format!(
        "id={} addr={} laddr={} fd=0 name={} age={} idle={} flags=N db={} sub=0 psub=0 ssub=0 \
         multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 \
         tot-mem=0 events=r cmd={}{} user=default redir=-1 resp={} lib-name={} lib-ver={}",
        info.id,
        address(info.peer),
        address(info.local),
        String::from_utf8_lossy(&info.name),
        info.connected_at.elapsed().as_secs(),
        info.last_active.elapsed().as_secs(),
        info.db,
        info.last_command,
        info.last_subcommand.map(|subcommand| format!("|{subcommand}")).unwrap_or_default(),
        match info.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        },
        String::from_utf8_lossy(&info.library_name),
        String::from_utf8_lossy(&info.library_version),
    )
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (client metadata
/// stays usable; nothing in it can be left half-updated in a harmful way).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
