//! The resplite network server: Redis's protocol over TCP, served from a
//! [`resplite_store::Store`].
//!
//! This crate owns connections, the command table and dispatch. It parses requests with
//! `resplite-resp`, turns each into a handler's decision (answer now, read, or write), runs
//! reads on a blocking pool and writes on the store's writer thread, and writes replies back
//! in order, batched for pipelines. It does not know SQL; the store does not know sockets.
//!
//! # Example
//!
//! ```no_run
//! use resplite_server::{Server, ServerConfig, StoreOptions};
//!
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = ServerConfig::new(StoreOptions::new("resplite.db"));
//! config.port = 0; // any free port
//! let server = Server::bind(config).await?;
//! println!("listening on {}", server.local_addr()?);
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(())
//! # }
//! ```

mod args;
mod argument_notation;
mod auth;
mod blocking;
mod clients;
mod command;
mod command_syntax;
mod commands;
mod config;
mod config_file;
mod connection;
mod counted_reads;
mod cpu_list;
mod dispatch;
mod error;
mod key_misses;
mod keyspace_events;
mod listener;
mod monitor;
mod pause;
mod process;
mod pubsub;
mod recording;
mod registry;
mod settings;
mod slowlog;
mod state;
mod stats;
mod transaction;
mod watch;
mod write_effects;
mod write_gathering;

pub use config::{MAX_WRITER_SPIN_US, ServerConfig};
pub use config_file::ConfigFileError;
pub use cpu_list::parse_cpu_list;
pub use listener::{Server, ServerError};
/// The store types that appear in [`ServerConfig`] and [`Server::store`], so users of this
/// crate need no second dependency to configure the server or write beside it.
pub use resplite_store::{Durability, Store, StoreOptions};

/// The names of every command this server answers, sorted (for docs and tooling).
pub fn command_names() -> impl Iterator<Item = &'static str> {
    registry::COMMANDS.iter().map(|spec| spec.name)
}
