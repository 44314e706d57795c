//! `INFO`: server facts in Redis's `field:value` sections, which clients and dashboards
//! parse. Sections come in Redis's order; `INFO` alone (or `default`) shows all but
//! `commandstats` and `latencystats`, `all` and `everything` show every one.
//!
//! The whole text is built by [`render`], the one place that knows the layout.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use resplite_resp::Frame;
use resplite_store::{DbStats, Durability, Reader};

use crate::args::Args;
use crate::command::{CommandResult, Context, read};
use crate::error::CommandError;
use crate::process;
use crate::pubsub::Target;
use crate::state::ServerState;

/// The Redis version whose behaviour resplite reproduces; clients read it to pick features.
pub(crate) const REDIS_VERSION: &str = "7.0.15";

/// Every section in Redis's order, and whether `INFO` without arguments shows it.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

pub(crate) fn info(context: &mut Context<'_>, args: Args) -> CommandResult {
    let requested: Vec<String> = args
        .rest()
        .iter()
        .map(|section| String::from_utf8_lossy(section).to_ascii_lowercase())
        .collect();
    let wants = |name: &str| requested.iter().any(|word| word == name);
    let every = wants("all") || wants("everything");
    let defaults = requested.is_empty() || wants("default");
    let chosen: Vec<&'static str> = SECTIONS
        .iter()
        .filter(|(name, default)| every || (defaults && *default) || wants(name))
        .map(|(name, _)| *name)
        .collect();
    let server = Arc::clone(context.server);
    read(move |reader| Ok(Frame::verbatim(render(&server, reader, &chosen)?)))
}

/// The text of the `chosen` sections, separated by blank lines.
fn render(
    server: &ServerState,
    reader: &Reader<'_>,
    chosen: &[&str],
) -> Result<String, CommandError> {
    let mut text = String::new();
    for &section in chosen {
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let (title, fields): (&str, Vec<(&str, String)>) = match section {
            "server" => ("Server", server_fields(server)),
            "clients" => ("Clients", client_fields(server)),
            "memory" => ("Memory", memory_fields(server)),
            "persistence" => ("Persistence", persistence_fields(server)),
            "stats" => ("Stats", stats_fields(server)),
            "replication" => ("Replication", replication_fields(server)),
            "cpu" => ("CPU", cpu_fields()),
            "modules" => ("Modules", Vec::new()),
            "commandstats" => {
                lines(&mut text, "Commandstats", server.command_stats.commandstats_lines());
                continue;
            }
            "errorstats" => {
                lines(&mut text, "Errorstats", server.command_stats.errorstats_lines());
                continue;
            }
            "latencystats" => ("Latencystats", Vec::new()),
            "cluster" => ("Cluster", vec![("cluster_enabled", "0".into())]),
            _ => {
                let databases = reader.keyspace_stats()?;
                lines(&mut text, "Keyspace", databases.iter().map(keyspace_line).collect());
                continue;
            }
        };
        let _ = write!(text, "# {title}\r\n");
        for (name, value) in fields {
            let _ = write!(text, "{name}:{value}\r\n");
        }
    }
    Ok(text)
}

fn lines(text: &mut String, title: &str, lines: Vec<String>) {
    let _ = write!(text, "# {title}\r\n");
    for line in lines {
        let _ = write!(text, "{line}\r\n");
    }
}

fn keyspace_line(stats: &DbStats) -> String {
    format!("db{}:keys={},expires={},avg_ttl=0", stats.db, stats.keys, stats.expires)
}

fn server_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    let uptime = server.started.elapsed().as_secs();
    let now_micros = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_micros());
    let hz = server.settings.hz().to_string();
    let path = |path: Option<&std::path::Path>| {
        path.map(|path| path.display().to_string()).unwrap_or_default()
    };
    vec![
        ("redis_version", REDIS_VERSION.into()),
        ("redis_git_sha1", "00000000".into()),
        ("redis_git_dirty", "0".into()),
        ("redis_mode", "standalone".into()),
        ("os", process::operating_system()),
        ("arch_bits", usize::BITS.to_string()),
        ("process_id", std::process::id().to_string()),
        ("process_supervised", "no".into()),
        ("run_id", server.run_id.clone()),
        ("tcp_port", server.port.to_string()),
        ("server_time_usec", now_micros.to_string()),
        ("server_started_at", process::unix_seconds(server.started_at).to_string()),
        ("uptime_in_seconds", uptime.to_string()),
        ("uptime_in_days", (uptime / 86_400).to_string()),
        ("hz", hz.clone()),
        ("configured_hz", hz),
        ("executable", path(std::env::current_exe().ok().as_deref())),
        ("config_file", path(server.config.config_file.as_deref())),
        ("io_threads_active", "0".into()),
        ("resplite_version", env!("CARGO_PKG_VERSION").into()),
        ("database_path", server.config.store.path.display().to_string()),
    ]
}

fn client_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    vec![
        ("connected_clients", server.clients.count().to_string()),
        ("cluster_connections", "0".into()),
        ("maxclients", server.settings.maxclients().to_string()),
        ("blocked_clients", server.blocked.count().to_string()),
        ("tracking_clients", "0".into()),
        // Every blocked client waits in resplite's timer wheel, timeout or not.
        ("clients_in_timeout_table", server.blocked.count().to_string()),
    ]
}

/// Memory as the operating system sees it: resplite has no allocator statistics, so
/// `used_memory` is the resident size (and the fragmentation ratio therefore 1).
fn memory_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    let resident = process::resident_bytes();
    let peak = process::peak_resident_bytes();
    let system = process::total_system_memory();
    let maxmemory =
        String::from_utf8_lossy(&server.settings.value("maxmemory")).parse::<u64>().unwrap_or(0);
    let peak_percent = if peak == 0 { 0.0 } else { resident as f64 * 100.0 / peak as f64 };
    vec![
        ("used_memory", resident.to_string()),
        ("used_memory_human", human_bytes(resident)),
        ("used_memory_rss", resident.to_string()),
        ("used_memory_rss_human", human_bytes(resident)),
        ("used_memory_peak", peak.to_string()),
        ("used_memory_peak_human", human_bytes(peak)),
        ("used_memory_peak_perc", format!("{peak_percent:.2}%")),
        ("total_system_memory", system.to_string()),
        ("total_system_memory_human", human_bytes(system)),
        ("maxmemory", maxmemory.to_string()),
        ("maxmemory_human", human_bytes(maxmemory)),
        (
            "maxmemory_policy",
            String::from_utf8_lossy(&server.settings.value("maxmemory-policy")).into_owned(),
        ),
        ("mem_fragmentation_ratio", "1.00".into()),
        ("mem_allocator", "libc".into()),
    ]
}

/// Every acknowledged write is already in the database file or its write-ahead log, so
/// there is never a pending save, a fork or an append-only file.
fn persistence_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    let path = &server.config.store.path;
    let (database, wal) = process::database_sizes(path);
    let last_save = last_save_time(server);
    let durability = match server.config.store.durability {
        Durability::Full => "full",
        _ => "normal",
    };
    let fields: [(&'static str, String); 21] = [
        ("loading", "0".into()),
        ("async_loading", "0".into()),
        ("rdb_changes_since_last_save", "0".into()),
        ("rdb_bgsave_in_progress", "0".into()),
        ("rdb_last_save_time", last_save.to_string()),
        ("rdb_last_bgsave_status", "ok".into()),
        ("rdb_last_bgsave_time_sec", "-1".into()),
        ("rdb_current_bgsave_time_sec", "-1".into()),
        ("rdb_saves", "0".into()),
        ("aof_enabled", "0".into()),
        ("aof_rewrite_in_progress", "0".into()),
        ("aof_rewrite_scheduled", "0".into()),
        ("aof_last_rewrite_time_sec", "-1".into()),
        ("aof_current_rewrite_time_sec", "-1".into()),
        ("aof_last_bgrewrite_status", "ok".into()),
        ("aof_rewrites", "0".into()),
        ("aof_last_write_status", "ok".into()),
        ("resplite_database_bytes", database.to_string()),
        ("resplite_wal_bytes", wal.to_string()),
        ("resplite_durability", durability.into()),
        ("resplite_database_path", path.display().to_string()),
    ];
    fields.into()
}

/// `LASTSAVE`: when data last reached the database files, or the start-up time before any.
pub(crate) fn last_save_time(server: &ServerState) -> u64 {
    process::last_write_time(&server.config.store.path)
        .unwrap_or_else(|| process::unix_seconds(server.started_at))
}

fn stats_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    let stats = &server.stats;
    let totals = stats.totals();
    let now_ms = u64::try_from(server.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let rates = server.command_stats.rates(now_ms, totals);
    let kbps = |bytes_per_second: f64| format!("{:.2}", bytes_per_second / 1024.0);
    let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed).to_string();
    vec![
        ("total_connections_received", count(&stats.connections_received)),
        ("total_commands_processed", totals.commands.to_string()),
        ("instantaneous_ops_per_sec", rates.commands.to_string()),
        ("total_net_input_bytes", totals.net_input.to_string()),
        ("total_net_output_bytes", totals.net_output.to_string()),
        ("total_net_repl_input_bytes", "0".into()),
        ("total_net_repl_output_bytes", "0".into()),
        ("instantaneous_input_kbps", kbps(rates.net_input)),
        ("instantaneous_output_kbps", kbps(rates.net_output)),
        ("instantaneous_input_repl_kbps", "0.00".into()),
        ("instantaneous_output_repl_kbps", "0.00".into()),
        ("rejected_connections", count(&stats.rejected_connections)),
        ("sync_full", "0".into()),
        ("sync_partial_ok", "0".into()),
        ("sync_partial_err", "0".into()),
        ("expired_subkeys", count(&stats.expired_fields)),
        ("expired_keys", count(&stats.expired_keys)),
        ("evicted_keys", "0".into()),
        ("evicted_clients", "0".into()),
        ("pubsub_channels", server.pubsub.count(Target::Channel).to_string()),
        ("pubsub_patterns", server.pubsub.count(Target::Pattern).to_string()),
        ("latest_fork_usec", "0".into()),
        ("total_forks", "0".into()),
        ("total_error_replies", server.command_stats.error_replies().to_string()),
        ("total_reads_processed", count(&stats.reads_processed)),
        ("total_writes_processed", count(&stats.writes_processed)),
    ]
}

fn replication_fields(server: &ServerState) -> Vec<(&'static str, String)> {
    vec![
        ("role", "master".into()),
        ("connected_slaves", "0".into()),
        ("master_failover_state", "no-failover".into()),
        ("master_replid", server.replication_id.clone()),
        ("master_replid2", "0".repeat(40)),
        ("master_repl_offset", "0".into()),
        ("second_repl_offset", "-1".into()),
        ("repl_backlog_active", "0".into()),
        ("repl_backlog_size", "1048576".into()),
        ("repl_backlog_first_byte_offset", "0".into()),
        ("repl_backlog_histlen", "0".into()),
    ]
}

fn cpu_fields() -> Vec<(&'static str, String)> {
    let (system, user) = process::cpu_seconds();
    vec![
        ("used_cpu_sys", format!("{system:.6}")),
        ("used_cpu_user", format!("{user:.6}")),
        ("used_cpu_sys_children", "0.000000".into()),
        ("used_cpu_user_children", "0.000000".into()),
    ]
}

/// Bytes as Redis's `*_human` fields print them: `512B`, `1.50K`, `23.54G`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["K", "M", "G", "T", "P"];
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let mut value = bytes as f64 / 1024.0;
    for unit in UNITS {
        if value < 1024.0 || unit == "P" {
            return format!("{value:.2}{unit}");
        }
        value /= 1024.0;
    }
    format!("{bytes}B")
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_sizes_match_redis() {
        assert_eq!(human_bytes(0), "0B");
        assert_eq!(human_bytes(1023), "1023B");
        assert_eq!(human_bytes(1536), "1.50K");
        assert_eq!(human_bytes(1_138_688), "1.09M");
        assert_eq!(human_bytes(25_276_203_008), "23.54G");
    }
}
