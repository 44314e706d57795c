//! The server's settings, as the command line or an embedding program gives them.

use std::net::IpAddr;
use std::path::PathBuf;

use resplite_resp::Limits;
use resplite_store::StoreOptions;

/// The longest `writer-spin-us` accepted: past this, a spinning writer would only burn CPU.
pub const MAX_WRITER_SPIN_US: u64 = 100_000;

/// How a server listens and what it serves.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Address to listen on (127.0.0.1 by default).
    pub bind: IpAddr,
    /// TCP port (6379 by default; 0 picks a free one).
    pub port: u16,
    /// The most clients connected at once; past it new ones are refused with an error.
    pub max_clients: usize,
    /// How many logical databases `SELECT` accepts (16, as Redis).
    pub databases: u32,
    /// Protocol limits applied to every request.
    pub limits: Limits,
    /// The database file and its options.
    pub store: StoreOptions,
    /// Runtime parameters to apply at start-up, in order, as `CONFIG SET <name> <value>`
    /// would (for example `("requirepass", "…")` or `("notify-keyspace-events", "Ex")`).
    pub parameters: Vec<(String, String)>,
    /// The config file the settings came from, which `CONFIG REWRITE` rewrites.
    pub config_file: Option<PathBuf>,
}

impl ServerConfig {
    /// Defaults for serving the database at `store`.
    pub fn new(store: StoreOptions) -> ServerConfig {
        ServerConfig {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 6379,
            max_clients: 10_000,
            databases: 16,
            limits: Limits::default(),
            store,
            parameters: Vec::new(),
            config_file: None,
        }
    }
}
