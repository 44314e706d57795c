//! Command handlers, one module per command family.

pub(crate) mod bitmaps;
pub(crate) mod blocking;
pub(crate) mod client;
pub(crate) mod command_info;
pub(crate) mod config;
pub(crate) mod connection;
pub(crate) mod debug;
pub(crate) mod element_scan;
pub(crate) mod expiry;
pub(crate) mod hashes;
pub(crate) mod hyperloglog;
pub(crate) mod info;
pub(crate) mod keys;
pub(crate) mod latency;
pub(crate) mod lcs;
pub(crate) mod lists;
pub(crate) mod pubsub;
pub(crate) mod server;
pub(crate) mod sets;
pub(crate) mod slowlog;
pub(crate) mod sort;
pub(crate) mod sorted_sets;
pub(crate) mod strings;
pub(crate) mod transactions;
pub(crate) mod zset_algebra;
pub(crate) mod zset_ranges;
