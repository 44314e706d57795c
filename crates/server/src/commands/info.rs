//! `INFO`: server facts in Redis's `field:value` sections, which clients and dashboards
//! parse (`INFO keyspace` especially).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::UNIX_EPOCH;

use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, read};
use crate::state::ServerState;

/// The Redis version whose behaviour resplite reproduces; clients read it to pick features.
pub(crate) const REDIS_VERSION: &str = "7.0.15";

/// Sections in the order Redis prints them, and whether `INFO` without arguments shows each.
const SECTIONS: &[&str] = &["server", "clients", "stats", "keyspace"];

pub(crate) fn info(context: &mut Context<'_>, args: Args) -> CommandResult {
    let requested: Vec<String> = args
        .rest()
        .iter()
        .map(|section| String::from_utf8_lossy(section).to_ascii_lowercase())
        .collect();
    let everything = requested.is_empty()
        || requested.iter().any(|name| matches!(name.as_str(), "all" | "default" | "everything"));
    let chosen: Vec<&'static str> = SECTIONS
        .iter()
        .copied()
        .filter(|section| everything || requested.iter().any(|name| name == section))
        .collect();
    let server = Arc::clone(context.server);
    read(move |reader| {
        let mut text = String::new();
        for section in chosen {
            if !text.is_empty() {
                text.push_str("\r\n");
            }
            match section {
                "server" => server_section(&server, &mut text),
                "clients" => clients_section(&server, &mut text),
                "stats" => stats_section(&server, &mut text),
                _ => {
                    text.push_str("# Keyspace\r\n");
                    for stats in reader.keyspace_stats()? {
                        let _ = write!(
                            text,
                            "db{}:keys={},expires={},avg_ttl=0\r\n",
                            stats.db, stats.keys, stats.expires
                        );
                    }
                }
            }
        }
        Ok(Frame::bulk(text))
    })
}

fn server_section(server: &ServerState, text: &mut String) {
    let uptime = server.started.elapsed().as_secs();
    let now_micros = std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_micros())
        .unwrap_or_default();
    let started = server.started_at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let fields = [
        ("redis_version", REDIS_VERSION.to_string()),
        ("resplite_version", env!("CARGO_PKG_VERSION").to_string()),
        ("redis_mode", "standalone".into()),
        ("os", std::env::consts::OS.into()),
        ("arch_bits", (usize::BITS).to_string()),
        ("process_id", std::process::id().to_string()),
        ("run_id", server.run_id.clone()),
        ("tcp_port", server.port.to_string()),
        ("server_time_usec", now_micros.to_string()),
        ("server_started_at", started.to_string()),
        ("uptime_in_seconds", uptime.to_string()),
        ("uptime_in_days", (uptime / 86_400).to_string()),
        ("hz", "10".into()),
        (
            "executable",
            std::env::current_exe().map(|path| path.display().to_string()).unwrap_or_default(),
        ),
        ("database_path", server.config.store.path.display().to_string()),
    ];
    section(text, "Server", &fields);
}

fn clients_section(server: &ServerState, text: &mut String) {
    let fields = [
        ("connected_clients", server.clients.count().to_string()),
        ("maxclients", server.config.max_clients.to_string()),
        ("blocked_clients", "0".into()),
        ("tracking_clients", "0".into()),
    ];
    section(text, "Clients", &fields);
}

fn stats_section(server: &ServerState, text: &mut String) {
    let stats = &server.stats;
    let fields = [
        (
            "total_connections_received",
            stats.connections_received.load(Ordering::Relaxed).to_string(),
        ),
        ("total_commands_processed", stats.commands_processed.load(Ordering::Relaxed).to_string()),
        ("rejected_connections", stats.rejected_connections.load(Ordering::Relaxed).to_string()),
    ];
    section(text, "Stats", &fields);
}

fn section(text: &mut String, title: &str, fields: &[(&str, String)]) {
    let _ = write!(text, "# {title}\r\n");
    for (name, value) in fields {
        let _ = write!(text, "{name}:{value}\r\n");
    }
}
