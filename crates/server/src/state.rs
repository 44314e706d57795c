//! What every connection shares: the store, the configuration and runtime settings, the
//! clients, counters and the slow log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use resplite_store::Store;

use crate::auth::FailedAttempts;
use crate::blocking::BlockedClients;
use crate::clients::ClientRegistry;
use crate::config::ServerConfig;
use crate::monitor::Monitors;
use crate::pause::Pause;
use crate::pubsub::PubSub;
use crate::settings::Settings;
use crate::slowlog::SlowLog;
use crate::stats::{CommandStats, Totals};
use crate::watch::WatchedKeys;

/// Server-wide state, shared by every connection through an `Arc`.
pub(crate) struct ServerState {
    pub(crate) store: Store,
    pub(crate) config: ServerConfig,
    /// What `CONFIG GET`/`SET` show and change.
    pub(crate) settings: Settings,
    pub(crate) clients: Arc<ClientRegistry>,
    pub(crate) stats: Stats,
    pub(crate) command_stats: CommandStats,
    pub(crate) slowlog: SlowLog,
    pub(crate) started: Instant,
    pub(crate) started_at: SystemTime,
    /// A random 40-hex-digit id of this server process, as Redis's `run_id`.
    pub(crate) run_id: String,
    /// A random 40-hex-digit replication id, as Redis's `master_replid`.
    pub(crate) replication_id: String,
    /// The port actually listened on (differs from the configured one when that was 0).
    pub(crate) port: u16,
    /// Recent wrong passwords, which slow down further guesses.
    pub(crate) failed_logins: FailedAttempts,
    /// The keys clients watch for their transactions.
    pub(crate) watched: Arc<WatchedKeys>,
    /// The clients blocked on keys.
    pub(crate) blocked: BlockedClients,
    /// Pub/sub subscriptions.
    pub(crate) pubsub: PubSub,
    /// `CLIENT PAUSE`.
    pub(crate) pause: Pause,
    /// The clients running `MONITOR`.
    pub(crate) monitors: Monitors,
}

impl ServerState {
    /// The password clients must give, if any (`requirepass`).
    pub(crate) fn required_password(&self) -> Option<Bytes> {
        self.settings.requirepass()
    }
}

/// Counters `INFO stats` reports.
#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) connections_received: AtomicU64,
    pub(crate) commands_processed: AtomicU64,
    pub(crate) rejected_connections: AtomicU64,
    /// Bytes read from clients' sockets, and the reads that brought any.
    pub(crate) net_input_bytes: AtomicU64,
    pub(crate) reads_processed: AtomicU64,
    /// Bytes written to clients' sockets, and the flushes that wrote them.
    pub(crate) net_output_bytes: AtomicU64,
    pub(crate) writes_processed: AtomicU64,
    /// Keys deleted because their deadline passed.
    pub(crate) expired_keys: AtomicU64,
    /// Hash fields deleted because their deadline passed (`expired_subkeys`).
    pub(crate) expired_fields: AtomicU64,
}

impl Stats {
    /// `CONFIG RESETSTAT`: zeroes the counters.
    pub(crate) fn reset(&self) {
        for counter in [
            &self.connections_received,
            &self.commands_processed,
            &self.rejected_connections,
            &self.net_input_bytes,
            &self.reads_processed,
            &self.net_output_bytes,
            &self.writes_processed,
            &self.expired_keys,
            &self.expired_fields,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    /// The totals the `instantaneous_*` rates follow.
    pub(crate) fn totals(&self) -> Totals {
        Totals {
            commands: self.commands_processed.load(Ordering::Relaxed),
            net_input: self.net_input_bytes.load(Ordering::Relaxed),
            net_output: self.net_output_bytes.load(Ordering::Relaxed),
        }
    }

    /// Counts `bytes` read from a client (one read).
    pub(crate) fn count_read(&self, bytes: usize) {
        self.net_input_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.reads_processed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `bytes` written to a client (one flush).
    pub(crate) fn count_write(&self, bytes: usize) {
        self.net_output_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.writes_processed.fetch_add(1, Ordering::Relaxed);
    }
}
