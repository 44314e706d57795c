//! Accepting connections, the client limit, and graceful shutdown.
//!
//! Shutdown order: stop accepting; tell every connection (each finishes the command it is
//! running, flushes its replies and closes); wait for them; then drop the store, which lets
//! the writer commit what is queued and checkpoint the WAL.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Instant, SystemTime};

use resplite_store::{Expired, ExpiryListener, FillListener, Store, StoreError};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::task::TaskTracker;

use crate::auth::FailedAttempts;
use crate::blocking::BlockedClients;
use crate::clients::ClientRegistry;
use crate::config::ServerConfig;
use crate::connection;
use crate::keyspace_events;
use crate::monitor::Monitors;
use crate::pause::Pause;
use crate::pubsub::PubSub;
use crate::settings::Settings;
use crate::settings::notify;
use crate::slowlog::SlowLog;
use crate::state::{ServerState, Stats};
use crate::stats::CommandStats;
use crate::watch::WatchedKeys;
use crate::write_effects;

/// Drops `state` once no job holds it any more (bounded by a few seconds, after which it is
/// dropped anyway).
fn drop_last_handle(mut state: Arc<ServerState>) {
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Arc::try_unwrap(state) {
            Ok(last) => return drop(last),
            Err(shared) if Instant::now() < deadline => {
                state = shared;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(shared) => return drop(shared),
        }
    }
}

/// Why a server could not start.
#[derive(Debug)]
pub enum ServerError {
    /// The database could not be opened.
    Store(StoreError),
    /// A start-up parameter (`ServerConfig::parameters`) was refused.
    Parameter(String),
    /// The address could not be listened on (for example, the port is taken).
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Store(error) => write!(f, "cannot open the database: {error}"),
            ServerError::Parameter(message) => write!(f, "bad start-up parameter: {message}"),
            ServerError::Bind { address, source } if source.kind() == io::ErrorKind::AddrInUse => {
                write!(f, "cannot listen on {address}: the port is already in use")
            }
            ServerError::Bind { address, source } => {
                write!(f, "cannot listen on {address}: {source}")
            }
        }
    }
}

impl std::error::Error for ServerError {}

/// A bound, ready server; [`Server::run`] serves until the shutdown future completes.
pub struct Server {
    listener: TcpListener,
    state: Arc<ServerState>,
}

impl Server {
    /// Opens the database and binds the listening socket.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        // Checked before anything is opened, so a bad parameter leaves no trace.
        Settings::new(&config, config.port)
            .map_err(|error| ServerError::Parameter(error.message()))?;
        let mut options = config.store.clone();
        // A key deleted because it expired is a change for `WATCH`, whoever deletes it, an
        // `expired` keyspace event and one more `expired_keys` in `INFO stats`; expired hash
        // fields likewise (`hexpired`, `expired_subkeys`). The store
        // opens before the server state exists, so the listener finds the state through a
        // slot filled in below.
        let watched = Arc::new(WatchedKeys::default());
        let expirations = Arc::clone(&watched);
        let server_slot: Arc<OnceLock<Weak<ServerState>>> = Arc::new(OnceLock::new());
        let late_server = Arc::clone(&server_slot);
        options.on_expired = Some(ExpiryListener(Arc::new(move |db, key, what| {
            expirations.touch_key(db, key);
            let Some(server) = late_server.get().and_then(Weak::upgrade) else { return };
            match what {
                Expired::Key => {
                    server.stats.expired_keys.fetch_add(1, Ordering::Relaxed);
                    keyspace_events::publish_now(&server, notify::EXPIRED, "expired", db, key);
                }
                Expired::Fields { fields, hash_deleted } => {
                    server.stats.expired_fields.fetch_add(fields, Ordering::Relaxed);
                    keyspace_events::emit_or_publish(&server, notify::HASH, "hexpired", db, key);
                    if hash_deleted {
                        keyspace_events::emit_or_publish(&server, notify::GENERIC, "del", db, key);
                    }
                }
            }
        })));
        // Writes through the store itself (a program embedding the server and its store)
        // wake blocked clients too.
        let filling_server = Arc::clone(&server_slot);
        options.on_filled = Some(FillListener(Arc::new(move |filled| {
            if let Some(server) = filling_server.get().and_then(Weak::upgrade) {
                write_effects::serve_filled_elsewhere(&server, filled);
            }
        })));
        let store = tokio::task::spawn_blocking(move || Store::open_with(options))
            .await
            .map_err(|error| ServerError::Store(StoreError::Internal(error.to_string())))?
            .map_err(ServerError::Store)?;
        let address = SocketAddr::new(config.bind, config.port);
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ServerError::Bind { address, source })?;
        let port = listener.local_addr().map(|local| local.port()).unwrap_or(config.port);
        let settings = Settings::new(&config, port)
            .map_err(|error| ServerError::Parameter(error.message()))?;
        let state = ServerState {
            store,
            failed_logins: FailedAttempts::default(),
            watched,
            blocked: BlockedClients::default(),
            pubsub: PubSub::default(),
            pause: Pause::default(),
            monitors: Monitors::default(),
            config,
            settings,
            clients: Arc::new(ClientRegistry::default()),
            stats: Stats::default(),
            command_stats: CommandStats::default(),
            slowlog: SlowLog::default(),
            started: Instant::now(),
            started_at: SystemTime::now(),
            run_id: random_hex_id(),
            replication_id: random_hex_id(),
            port,
        };
        let state = Arc::new(state);
        let _ = server_slot.set(Arc::downgrade(&state));
        Ok(Server { listener, state })
    }

    /// A handle on the server's store, for a program that embeds the server and also reads
    /// and writes keys directly (see `resplite_store::Store`). Its writes are seen by the
    /// server's clients at once, and wake clients blocked on the keys they fill.
    pub fn store(&self) -> Store {
        self.state.store.clone()
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves clients until `shutdown` completes, then shuts down gracefully.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server { listener, state } = self;
        let (stop_connections, stop_signal) = watch::channel(false);
        let connections = TaskTracker::new();
        tokio::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (mut socket, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            state.stats.connections_received.fetch_add(1, Ordering::Relaxed);
            let local = socket.local_addr().ok();
            let limit = state.settings.maxclients();
            let Some(mut client) = state.clients.register(Some(peer), local, limit) else {
                state.stats.rejected_connections.fetch_add(1, Ordering::Relaxed);
                connections.spawn(async move {
                    let _ = socket.write_all(b"-ERR max number of clients reached\r\n").await;
                });
                continue;
            };
            // As in Redis, a client is let in without AUTH when no password is set at the
            // moment it connects, even if one is set later.
            client.authenticated = state.required_password().is_none();
            tracing::debug!(%peer, id = client.id, "client connected");
            let state = Arc::clone(&state);
            let stop = stop_signal.clone();
            connections.spawn(connection::serve(socket, state, client, stop));
        }
        tracing::info!("shutting down: no new connections; finishing the ones in flight");
        drop(listener);
        let _ = stop_connections.send(true);
        connections.close();
        connections.wait().await;
        // The last store handle goes here; the writer commits, checkpoints and stops. That
        // blocks, so it runs off the async threads. A job finishing on the writer thread may
        // still hold the state for a moment (its completion keeps it for WATCH and the
        // command statistics); dropped there, the store could not wait for its own writer,
        // and the process might exit before the final checkpoint. So wait for those first.
        let _ = tokio::task::spawn_blocking(move || drop_last_handle(state)).await;
        tracing::info!("shutdown complete");
    }
}

fn random_hex_id() -> String {
    (0..40).map(|_| char::from_digit(rand::random_range(0..16), 16).unwrap_or('0')).collect()
}
