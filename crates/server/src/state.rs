//! What every connection shares: the store, the configuration, the clients and counters.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use resplite_store::Store;

use crate::auth::FailedAttempts;
use crate::clients::ClientRegistry;
use crate::config::ServerConfig;
use crate::watch::WatchedKeys;

/// Server-wide state, shared by every connection through an `Arc`.
pub(crate) struct ServerState {
    pub(crate) store: Store,
    pub(crate) config: ServerConfig,
    pub(crate) clients: Arc<ClientRegistry>,
    pub(crate) stats: Stats,
    pub(crate) started: Instant,
    pub(crate) started_at: SystemTime,
    /// A random 40-hex-digit id of this server process, as Redis's `run_id`.
    pub(crate) run_id: String,
    /// The port actually listened on (differs from the configured one when that was 0).
    pub(crate) port: u16,
    /// The `default` user's password, when one is required.
    pub(crate) requirepass: RwLock<Option<Bytes>>,
    /// Recent wrong passwords, which slow down further guesses.
    pub(crate) failed_logins: FailedAttempts,
    /// The keys clients watch for their transactions.
    pub(crate) watched: WatchedKeys,
}

impl ServerState {
    /// The password clients must give, if any.
    pub(crate) fn required_password(&self) -> Option<Bytes> {
        self.requirepass.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// Counters `INFO stats` reports.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) connections_received: AtomicU64,
    pub(crate) commands_processed: AtomicU64,
    pub(crate) rejected_connections: AtomicU64,
}
