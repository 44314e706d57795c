//! `resplite.conf`: Redis's `name value` config-file format, read at start-up and rewritten
//! by `CONFIG REWRITE`.
//!
//! A line is split into words with Redis's quoting rules; blank lines and `#` comments are
//! skipped. Listening options (`port`, `bind`, `databases`, `maxclients`,
//! `proto-max-bulk-len`) and the resplite-specific `db`, `durability`, `reader-threads`,
//! `writer-cpulist` and `writer-spin-us` set [`ServerConfig`] fields; every runtime
//! parameter `CONFIG SET` knows becomes a start-up parameter. Redis options resplite
//! deliberately ignores produce a warning;
//! anything else, and options whose silent omission would weaken security (`rename-command`,
//! `user`, `aclfile`, `include`), stop the start-up with an error naming the line.

use std::fmt;
use std::fs;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use resplite_resp::inline::split_args;
use resplite_store::Durability;

use crate::config::{MAX_WRITER_SPIN_US, ServerConfig};
use crate::cpu_list::parse_cpu_list;
use crate::settings::{self, SetError, Settings};

/// Redis options that have no meaning for resplite and are skipped with a warning, so a
/// `redis.conf` can be reused as it is.
const IGNORED: &[&str] = &[
    "acllog-max-len",
    "active-defrag-cycle-max",
    "active-defrag-cycle-min",
    "active-defrag-ignore-bytes",
    "active-defrag-threshold-lower",
    "active-defrag-threshold-upper",
    "activedefrag",
    "activerehashing",
    "always-show-logo",
    "aof-load-truncated",
    "aof-rewrite-incremental-fsync",
    "aof-timestamp-enabled",
    "aof-use-rdb-preamble",
    "aof_rewrite_cpulist",
    "appenddirname",
    "appendfilename",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "bgsave_cpulist",
    "bio_cpulist",
    "busy-reply-threshold",
    "crash-log-enabled",
    "crash-memcheck-enabled",
    "daemonize",
    "dbfilename",
    "dir",
    "disable-thp",
    "dynamic-hz",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "hash-max-ziplist-entries",
    "hash-max-ziplist-value",
    "hll-sparse-max-bytes",
    "io-threads",
    "io-threads-do-reads",
    "jemalloc-bg-thread",
    "latency-tracking",
    "latency-tracking-info-percentiles",
    "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "list-compress-depth",
    "list-max-listpack-size",
    "list-max-ziplist-size",
    "logfile",
    "lua-time-limit",
    "maxmemory-clients",
    "maxmemory-eviction-tenacity",
    "no-appendfsync-on-rewrite",
    "oom-score-adj",
    "oom-score-adj-values",
    "pidfile",
    "proc-title-template",
    "rdb-del-sync-files",
    "rdb-save-incremental-fsync",
    "rdbchecksum",
    "rdbcompression",
    "repl-disable-tcp-nodelay",
    "repl-diskless-load",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-diskless-sync-max-replicas",
    "replica-lazy-flush",
    "replica-priority",
    "replica-read-only",
    "replica-serve-stale-data",
    "sanitize-dump-payload",
    "server_cpulist",
    "set-max-intset-entries",
    "set-max-listpack-entries",
    "set-proc-title",
    "shutdown-on-sigint",
    "shutdown-on-sigterm",
    "shutdown-timeout",
    "stop-writes-on-bgsave-error",
    "stream-node-max-bytes",
    "stream-node-max-entries",
    "supervised",
    "syslog-enabled",
    "syslog-facility",
    "syslog-ident",
    "tcp-backlog",
    "unixsocket",
    "unixsocketperm",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    "zset-max-ziplist-entries",
    "zset-max-ziplist-value",
];

/// Options refused outright: ignoring them would leave a server more open than its
/// operator asked for.
const REFUSED: &[&str] = &["aclfile", "include", "rename-command", "user"];

/// A config file that could not be read or applied.
#[derive(Debug)]
pub struct ConfigFileError {
    path: PathBuf,
    line: Option<usize>,
    message: String,
}

impl fmt::Display for ConfigFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigFileError {}

/// One option line: its number (from 1), lower-cased name and arguments.
struct Directive {
    line: usize,
    name: String,
    args: Vec<String>,
}

/// The option lines of a config file.
fn directives(text: &str) -> Result<Vec<Directive>, (usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let words = split_args(trimmed.as_bytes())
            .ok_or((index + 1, "unbalanced quotes in the option line".to_string()))?;
        let mut words = words.into_iter().map(|word| String::from_utf8_lossy(&word).into_owned());
        let Some(name) = words.next() else { continue };
        found.push(Directive {
            line: index + 1,
            name: name.to_ascii_lowercase(),
            args: words.collect(),
        });
    }
    Ok(found)
}

impl ServerConfig {
    /// Applies the config file at `path` (Redis's `name value` format) to this
    /// configuration and remembers it for `CONFIG REWRITE`. Returns warnings about Redis
    /// options that were skipped; an unknown option or a bad value is an error naming the
    /// line.
    pub fn apply_config_file(&mut self, path: &Path) -> Result<Vec<String>, ConfigFileError> {
        let failure = |line: Option<usize>, message: String| ConfigFileError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let text = fs::read_to_string(path).map_err(|error| failure(None, error.to_string()))?;
        let directives =
            directives(&text).map_err(|(line, message)| failure(Some(line), message))?;
        let mut warnings = Vec::new();
        let mut save_points: Option<Vec<String>> = None;
        let mut last_save_line = None;
        for directive in directives {
            if directive.name == "save" {
                last_save_line = Some(directive.line);
            }
            let applied = self.apply_directive(&directive, &mut save_points, &mut warnings);
            applied.map_err(|message| failure(Some(directive.line), message))?;
        }
        if let Some(points) = save_points {
            let points = points.join(" ");
            settings::check("save", &points)
                .map_err(|error| failure(last_save_line, reason(&error)))?;
            self.parameters.push(("save".into(), points));
        }
        self.config_file = Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        Ok(warnings)
    }

    fn apply_directive(
        &mut self,
        directive: &Directive,
        save_points: &mut Option<Vec<String>>,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        let Directive { line, name, args } = directive;
        let single = || match args.as_slice() {
            [value] => Ok(value.as_str()),
            _ => Err(format!("'{name}' takes exactly one argument")),
        };
        let number = |min: u64, max: u64| {
            single()?
                .parse::<u64>()
                .ok()
                .filter(|number| (min..=max).contains(number))
                .ok_or_else(|| format!("'{name}' must be a whole number from {min} to {max}"))
        };
        match name.as_str() {
            "port" => self.port = number(0, 65535)? as u16,
            "databases" => self.databases = number(1, i32::MAX as u64)? as u32,
            "maxclients" => self.max_clients = number(1, u64::from(u32::MAX))? as usize,
            "reader-threads" => self.store.reader_threads = number(1, 1024)? as usize,
            "writer-spin-us" => {
                self.store.writer_spin = Duration::from_micros(number(0, MAX_WRITER_SPIN_US)?);
            }
            "db" => self.store.path = PathBuf::from(single()?),
            "writer-cpulist" => {
                let text = single()?;
                self.store.writer_cpus = if text.is_empty() {
                    None
                } else {
                    let cpus = parse_cpu_list(text)
                        .map_err(|reason| format!("bad value for 'writer-cpulist': {reason}"))?;
                    Some(cpus)
                };
            }
            "durability" => {
                self.store.durability = match single()?.to_ascii_lowercase().as_str() {
                    "normal" => Durability::Normal,
                    "full" => Durability::Full,
                    _ => return Err("'durability' must be 'normal' or 'full'".into()),
                }
            }
            "bind" => {
                let Some(first) = args.first() else {
                    return Err("'bind' needs an address".into());
                };
                self.bind = bind_address(first)?;
                if args.len() > 1 {
                    warnings.push(format!(
                        "line {line}: resplite listens on one address; using {} and ignoring \
                         the others",
                        self.bind
                    ));
                }
            }
            "proto-max-bulk-len" => {
                let bytes = settings::memory_value(name, single()?).map_err(|e| reason(&e))?;
                self.limits.max_bulk_len = bytes;
                self.store.max_string_len = usize::try_from(bytes).unwrap_or(usize::MAX);
            }
            "save" => {
                // Each `save` line adds points, as in Redis; `save ""` clears them.
                let points = save_points.get_or_insert_with(Vec::new);
                if args.iter().all(String::is_empty) {
                    points.clear();
                } else {
                    points.extend(args.iter().cloned());
                }
            }
            _ if REFUSED.contains(&name.as_str()) => {
                return Err(format!("'{name}' is not supported by resplite"));
            }
            _ if IGNORED.contains(&name.as_str()) => {
                warnings.push(format!("line {line}: ignoring Redis option '{name}'"));
            }
            _ => {
                let value = args.join(" ");
                settings::check(name, &value).map_err(|error| reason(&error))?;
                self.parameters.push((name.clone(), value));
            }
        }
        Ok(())
    }
}

/// The start-up error for a refused parameter.
fn reason(error: &SetError) -> String {
    match error {
        SetError::Unknown(name) => format!("unknown option '{name}'"),
        SetError::Failed { name, reason } => format!("bad value for '{name}': {reason}"),
    }
}

/// A `bind` address: Redis's `-` prefix (optional address) is dropped and `*` means every
/// IPv4 interface.
fn bind_address(text: &str) -> Result<IpAddr, String> {
    let text = text.strip_prefix('-').unwrap_or(text);
    let text = if text == "*" { "0.0.0.0" } else { text };
    text.parse().map_err(|_| format!("'{text}' is not an IP address"))
}

/// `CONFIG REWRITE`: rewrites the config file with the current settings. Comments, unknown
/// lines and resplite's own options stay as they are; each parameter's first line gets its
/// current value and later repeats are dropped; parameters the file does not mention are
/// appended when they differ from their defaults.
pub(crate) fn rewrite(path: &Path, settings: &Settings) -> io::Result<()> {
    let old = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error),
    };
    let current = settings.file_values();
    let mut written: Vec<&str> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for line in old.lines() {
        let name = directives(line).ok().and_then(|mut found| found.pop()).map(|found| found.name);
        match name.and_then(|name| current.iter().find(|(known, ..)| *known == name)) {
            Some((name, value, _)) => {
                if !written.contains(name) {
                    written.push(name);
                    lines.extend(option_lines(name, value));
                }
            }
            None => lines.push(line.to_string()),
        }
    }
    let mut appended = false;
    for (name, value, default) in &current {
        if written.contains(name) || value.as_ref() == default.as_bytes() {
            continue;
        }
        if !appended && !lines.iter().any(|line| line == REWRITE_MARKER) {
            lines.push(REWRITE_MARKER.to_string());
        }
        appended = true;
        lines.extend(option_lines(name, value));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let temporary = path.with_extension("rewrite.tmp");
    fs::write(&temporary, text)?;
    if let Ok(metadata) = fs::metadata(path) {
        fs::set_permissions(&temporary, metadata.permissions())?;
    }
    fs::rename(&temporary, path)
}

/// The comment before the options `CONFIG REWRITE` added to the file.
const REWRITE_MARKER: &str = "# Options below were added by CONFIG REWRITE";

/// The file lines for one parameter: multi-word options as Redis writes them (one
/// `client-output-buffer-limit` line per class, `save` points as words), others as
/// `name value` with the value quoted when it needs to be.
fn option_lines(name: &str, value: &[u8]) -> Vec<String> {
    let words = || String::from_utf8_lossy(value).into_owned();
    match name {
        "save" if value.is_empty() => vec!["save \"\"".into()],
        "save" => vec![format!("save {}", words())],
        "client-output-buffer-limit" => {
            let text = words();
            let parts: Vec<&str> = text.split(' ').collect();
            parts.chunks(4).map(|class| format!("{name} {}", class.join(" "))).collect()
        }
        _ => vec![format!("{name} {}", quoted(value))],
    }
}

/// A value as one config-file word: bare when it is plain printable text, otherwise in
/// double quotes with escapes the reader undoes.
fn quoted(value: &[u8]) -> String {
    let plain = |byte: &u8| byte.is_ascii_graphic() && !matches!(byte, b'"' | b'\'' | b'\\');
    if !value.is_empty() && value.iter().all(plain) {
        return String::from_utf8_lossy(value).into_owned();
    }
    let mut text = String::from("\"");
    for &byte in value {
        match byte {
            b'\\' => text.push_str("\\\\"),
            b'"' => text.push_str("\\\""),
            b'\n' => text.push_str("\\n"),
            b'\r' => text.push_str("\\r"),
            b'\t' => text.push_str("\\t"),
            b' ' => text.push(' '),
            _ if byte.is_ascii_graphic() => text.push(char::from(byte)),
            _ => text.push_str(&format!("\\x{byte:02x}")),
        }
    }
    text.push('"');
    text
}

#[cfg(test)]
mod tests;
