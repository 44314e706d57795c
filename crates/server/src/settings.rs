//! Runtime settings: the parameters `CONFIG GET` shows and `CONFIG SET` changes, shared by
//! every connection through `ServerState`.
//!
//! Every parameter keeps its value as the text `CONFIG GET` prints (already normalised, so
//! `1gb` is kept as `1073741824`). The few values read on hot paths — the password, the
//! keyspace-notification classes, the slow-log threshold, the client limits — are also kept
//! in atomics, so reading them never takes a lock. A `CONFIG SET` of several parameters
//! checks all of them before changing any, so it applies all or nothing, as in Redis 7.

pub(crate) mod notify;
mod values;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use resplite_store::glob_match;

pub(crate) use values::OutputLimit;
use values::{DEFAULT_OUTPUT_LIMITS, Refusal};

use crate::config::{MAX_WRITER_SPIN_US, ServerConfig};
use crate::cpu_list::format_cpu_list;

/// Whether and how `CONFIG SET` may change a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    Mutable,
    /// Fixed at start-up (`can't set immutable config`).
    Immutable,
    /// Describes the database file, which is chosen with `--db`; refused with Redis's text
    /// for its protected configs (`can't set protected config`), and never written by
    /// `CONFIG REWRITE`.
    Protected,
}

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Integer {
        min: i64,
        max: i64,
    },
    /// `hz`: any int is accepted and kept within 1..=500, as Redis does.
    Frequency,
    Memory {
        min: u64,
        max: u64,
    },
    YesNo,
    OneOf(&'static [&'static str]),
    Text,
    KeyspaceEvents,
    SavePoints,
    OutputLimits,
}

/// One parameter: its name, value type, access and the default a fresh server has.
struct Parameter {
    name: &'static str,
    kind: Kind,
    access: Access,
    default: &'static str,
}

const INT_MAX: i64 = i32::MAX as i64;

const MAXMEMORY_POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];

/// Every parameter, sorted by name. docs/configuration.md says which ones take effect.
const PARAMETERS: &[Parameter] = &[
    Parameter {
        name: "appendfsync",
        kind: Kind::OneOf(&["everysec", "always", "no"]),
        access: Access::Mutable,
        default: "everysec",
    },
    Parameter { name: "appendonly", kind: Kind::YesNo, access: Access::Mutable, default: "no" },
    Parameter { name: "bind", kind: Kind::Text, access: Access::Immutable, default: "127.0.0.1" },
    Parameter {
        name: "client-output-buffer-limit",
        kind: Kind::OutputLimits,
        access: Access::Mutable,
        default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    },
    Parameter {
        name: "databases",
        kind: Kind::Integer { min: 1, max: INT_MAX },
        access: Access::Immutable,
        default: "16",
    },
    Parameter { name: "dbfilename", kind: Kind::Text, access: Access::Protected, default: "" },
    Parameter { name: "dir", kind: Kind::Text, access: Access::Protected, default: "" },
    Parameter { name: "hz", kind: Kind::Frequency, access: Access::Mutable, default: "10" },
    Parameter {
        name: "latency-monitor-threshold",
        kind: Kind::Integer { min: 0, max: i64::MAX },
        access: Access::Mutable,
        default: "0",
    },
    Parameter {
        name: "loglevel",
        kind: Kind::OneOf(&["debug", "verbose", "notice", "warning"]),
        access: Access::Mutable,
        default: "notice",
    },
    Parameter {
        name: "maxclients",
        kind: Kind::Integer { min: 1, max: u32::MAX as i64 },
        access: Access::Mutable,
        default: "10000",
    },
    Parameter {
        name: "maxmemory",
        kind: Kind::Memory { min: 0, max: u64::MAX },
        access: Access::Mutable,
        default: "0",
    },
    Parameter {
        name: "maxmemory-policy",
        kind: Kind::OneOf(MAXMEMORY_POLICIES),
        access: Access::Mutable,
        default: "noeviction",
    },
    Parameter {
        name: "maxmemory-samples",
        kind: Kind::Integer { min: 1, max: INT_MAX },
        access: Access::Mutable,
        default: "5",
    },
    Parameter {
        name: "notify-keyspace-events",
        kind: Kind::KeyspaceEvents,
        access: Access::Mutable,
        default: "",
    },
    Parameter {
        name: "port",
        kind: Kind::Integer { min: 0, max: 65535 },
        access: Access::Immutable,
        default: "6379",
    },
    Parameter {
        name: "proto-max-bulk-len",
        kind: Kind::Memory { min: 1024 * 1024, max: i64::MAX as u64 },
        access: Access::Mutable,
        default: "536870912",
    },
    Parameter {
        name: "protected-mode",
        kind: Kind::YesNo,
        access: Access::Mutable,
        default: "yes",
    },
    Parameter { name: "requirepass", kind: Kind::Text, access: Access::Mutable, default: "" },
    Parameter { name: "save", kind: Kind::SavePoints, access: Access::Mutable, default: "" },
    Parameter {
        name: "slowlog-log-slower-than",
        kind: Kind::Integer { min: -1, max: i64::MAX },
        access: Access::Mutable,
        default: "10000",
    },
    Parameter {
        name: "slowlog-max-len",
        kind: Kind::Integer { min: 0, max: i64::MAX },
        access: Access::Mutable,
        default: "128",
    },
    Parameter {
        name: "tcp-keepalive",
        kind: Kind::Integer { min: 0, max: INT_MAX },
        access: Access::Mutable,
        default: "300",
    },
    Parameter {
        name: "timeout",
        kind: Kind::Integer { min: 0, max: INT_MAX },
        access: Access::Mutable,
        default: "0",
    },
    Parameter { name: "writer-cpulist", kind: Kind::Text, access: Access::Immutable, default: "" },
    Parameter {
        name: "writer-spin-us",
        kind: Kind::Integer { min: 0, max: MAX_WRITER_SPIN_US as i64 },
        access: Access::Immutable,
        default: "1000",
    },
];

/// Why a `CONFIG SET` (or a start-up parameter) was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SetError {
    /// No parameter has this name.
    Unknown(String),
    /// The parameter exists but refused the change.
    Failed { name: String, reason: Refusal },
}

impl SetError {
    /// Redis 7's error text, without the `ERR ` code.
    pub(crate) fn message(&self) -> String {
        match self {
            SetError::Unknown(name) => {
                format!("Unknown option or number of arguments for CONFIG SET - '{name}'")
            }
            SetError::Failed { name, reason } => {
                format!("CONFIG SET failed (possibly related to argument '{name}') - {reason}")
            }
        }
    }
}

/// The runtime settings of one server.
pub(crate) struct Settings {
    /// The `CONFIG GET` text of each parameter, in `PARAMETERS` order.
    values: RwLock<Vec<Bytes>>,
    requirepass: RwLock<Bytes>,
    has_password: AtomicBool,
    notify_keyspace_events: AtomicU32,
    timeout: AtomicU64,
    maxclients: AtomicU64,
    slowlog_log_slower_than: AtomicI64,
    slowlog_max_len: AtomicU64,
    hz: AtomicU64,
    proto_max_bulk_len: AtomicU64,
    pubsub_hard: AtomicU64,
    pubsub_soft: AtomicU64,
    pubsub_soft_seconds: AtomicU64,
}

impl Settings {
    /// The settings of a server started with `config`, listening on `port`; then
    /// `config.parameters` are applied in order, as `CONFIG SET` would apply them.
    pub(crate) fn new(config: &ServerConfig, port: u16) -> Result<Settings, SetError> {
        let (dir, dbfilename) = database_location(&config.store.path);
        let initial: Vec<Bytes> = PARAMETERS
            .iter()
            .map(|parameter| match parameter.name {
                "bind" => Bytes::from(config.bind.to_string()),
                "port" => Bytes::from(port.to_string()),
                "databases" => Bytes::from(config.databases.to_string()),
                "maxclients" => Bytes::from(config.max_clients.to_string()),
                "proto-max-bulk-len" => Bytes::from(config.limits.max_bulk_len.to_string()),
                "dir" => Bytes::from(dir.clone()),
                "dbfilename" => Bytes::from(dbfilename.clone()),
                "writer-cpulist" => Bytes::from(
                    config.store.writer_cpus.as_deref().map(format_cpu_list).unwrap_or_default(),
                ),
                "writer-spin-us" => Bytes::from(config.store.writer_spin.as_micros().to_string()),
                _ => Bytes::from_static(parameter.default.as_bytes()),
            })
            .collect();
        let settings = Settings {
            values: RwLock::new(Vec::new()),
            requirepass: RwLock::new(Bytes::new()),
            has_password: AtomicBool::new(false),
            notify_keyspace_events: AtomicU32::new(0),
            timeout: AtomicU64::new(0),
            maxclients: AtomicU64::new(0),
            slowlog_log_slower_than: AtomicI64::new(0),
            slowlog_max_len: AtomicU64::new(0),
            hz: AtomicU64::new(0),
            proto_max_bulk_len: AtomicU64::new(0),
            pubsub_hard: AtomicU64::new(0),
            pubsub_soft: AtomicU64::new(0),
            pubsub_soft_seconds: AtomicU64::new(0),
        };
        {
            let mut values = settings.write_values();
            for (index, value) in initial.into_iter().enumerate() {
                settings.store(&mut values, index, value.clone(), &value);
            }
        }
        for (name, value) in &config.parameters {
            settings.set(&[(name.as_bytes(), value.as_bytes())])?;
        }
        Ok(settings)
    }

    /// `CONFIG SET`: checks every pair, then applies all of them, or none.
    ///
    /// The first unknown, unchangeable or repeated name is reported (an unknown name with
    /// Redis's own wording), then the first value its parameter refuses.
    pub(crate) fn set(&self, pairs: &[(&[u8], &[u8])]) -> Result<(), SetError> {
        let mut chosen: Vec<usize> = Vec::with_capacity(pairs.len());
        for (name, _) in pairs {
            let shown = String::from_utf8_lossy(name).into_owned();
            let Some(index) = position(name) else { return Err(SetError::Unknown(shown)) };
            let refusal = match PARAMETERS[index].access {
                Access::Immutable => Some("can't set immutable config"),
                Access::Protected => Some("can't set protected config"),
                Access::Mutable if chosen.contains(&index) => Some("duplicate parameter"),
                Access::Mutable => None,
            };
            if let Some(reason) = refusal {
                return Err(SetError::Failed { name: shown, reason: reason.into() });
            }
            chosen.push(index);
        }
        let mut values = self.write_values();
        let mut normalised = Vec::with_capacity(pairs.len());
        for (&index, (_, value)) in chosen.iter().zip(pairs) {
            let parameter = &PARAMETERS[index];
            let text = normalise(parameter, value, &values[index])
                .map_err(|reason| SetError::Failed { name: parameter.name.into(), reason })?;
            normalised.push((index, text, value));
        }
        for (index, text, given) in normalised {
            self.store(&mut values, index, text, given);
        }
        Ok(())
    }

    /// `CONFIG GET`: the parameters matching any of `patterns`, each once, as (name, value).
    /// A pattern without glob characters is a name looked up ignoring case and answered
    /// under the name as given; a glob is matched ignoring case against every name.
    pub(crate) fn get(&self, patterns: &[Bytes]) -> Vec<(Bytes, Bytes)> {
        let values = self.read_values();
        let mut seen: Vec<usize> = Vec::new();
        let mut found = Vec::new();
        for pattern in patterns {
            if !pattern.iter().any(|byte| matches!(byte, b'*' | b'?' | b'[')) {
                if let Some(index) = position(pattern).filter(|index| !seen.contains(index)) {
                    seen.push(index);
                    found.push((pattern.clone(), values[index].clone()));
                }
                continue;
            }
            for (index, parameter) in PARAMETERS.iter().enumerate() {
                if !seen.contains(&index) && glob_match(pattern, parameter.name.as_bytes(), true) {
                    seen.push(index);
                    found.push((
                        Bytes::from_static(parameter.name.as_bytes()),
                        values[index].clone(),
                    ));
                }
            }
        }
        found
    }

    /// The current text of parameter `name` (which must exist).
    pub(crate) fn value(&self, name: &str) -> Bytes {
        position(name.as_bytes()).map(|index| self.read_values()[index].clone()).unwrap_or_default()
    }

    /// The parameters a config file can set, with their current and default values, for
    /// `CONFIG REWRITE`.
    pub(crate) fn file_values(&self) -> Vec<(&'static str, Bytes, &'static str)> {
        let values = self.read_values();
        PARAMETERS
            .iter()
            .zip(values.iter())
            .filter(|(parameter, _)| parameter.access != Access::Protected)
            .map(|(parameter, value)| (parameter.name, value.clone(), parameter.default))
            .collect()
    }

    /// The password clients must give with `AUTH`, or `None` when none is required.
    pub(crate) fn requirepass(&self) -> Option<Bytes> {
        if !self.has_password.load(Ordering::Acquire) {
            return None;
        }
        let password = self.requirepass.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        Some(password.clone()).filter(|password| !password.is_empty())
    }

    /// Whether a password is required (cheap: one atomic load).
    pub(crate) fn password_required(&self) -> bool {
        self.has_password.load(Ordering::Acquire)
    }

    /// The keyspace-notification classes, as bits of [`notify`].
    #[allow(dead_code, reason = "read by AUTH, the idle timeout, keyspace events and pub/sub")]
    pub(crate) fn notify_keyspace_events(&self) -> u32 {
        self.notify_keyspace_events.load(Ordering::Relaxed)
    }

    /// Idle seconds after which a client is disconnected; 0 means never.
    #[allow(dead_code, reason = "read by AUTH, the idle timeout, keyspace events and pub/sub")]
    pub(crate) fn timeout(&self) -> u64 {
        self.timeout.load(Ordering::Relaxed)
    }

    /// The most clients connected at once.
    pub(crate) fn maxclients(&self) -> usize {
        usize::try_from(self.maxclients.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Commands taking at least this many microseconds enter the slow log; negative turns
    /// the slow log off.
    pub(crate) fn slowlog_log_slower_than(&self) -> i64 {
        self.slowlog_log_slower_than.load(Ordering::Relaxed)
    }

    /// The most entries the slow log keeps.
    pub(crate) fn slowlog_max_len(&self) -> usize {
        usize::try_from(self.slowlog_max_len.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// `hz` as in effect (1 to 500).
    pub(crate) fn hz(&self) -> u64 {
        self.hz.load(Ordering::Relaxed)
    }

    /// The largest bulk string a request may carry and a write may build (read again before
    /// each request, so a change applies to open connections too).
    pub(crate) fn proto_max_bulk_len(&self) -> u64 {
        self.proto_max_bulk_len.load(Ordering::Relaxed)
    }

    /// The output-buffer limits of pub/sub clients (`client-output-buffer-limit pubsub`).
    #[allow(dead_code, reason = "read by AUTH, the idle timeout, keyspace events and pub/sub")]
    pub(crate) fn pubsub_output_limit(&self) -> OutputLimit {
        OutputLimit {
            hard: self.pubsub_hard.load(Ordering::Relaxed),
            soft: self.pubsub_soft.load(Ordering::Relaxed),
            soft_seconds: self.pubsub_soft_seconds.load(Ordering::Relaxed),
        }
    }

    /// Sets a parameter's text and refreshes the atomic copy of the hot ones. `text` has
    /// been checked and normalised already; `given` is the value as given.
    fn store(
        &self,
        values: &mut RwLockWriteGuard<'_, Vec<Bytes>>,
        index: usize,
        text: Bytes,
        given: &[u8],
    ) {
        let number = || std::str::from_utf8(&text).ok().and_then(|text| text.parse::<i64>().ok());
        let unsigned = || number().map_or(0, |number| number.max(0) as u64);
        match PARAMETERS[index].name {
            "requirepass" => {
                let mut password =
                    self.requirepass.write().unwrap_or_else(|poisoned| poisoned.into_inner());
                *password = text.clone();
                self.has_password.store(!text.is_empty(), Ordering::Release);
            }
            // From the value as given: like Redis, the shown form drops `n` next to `A`,
            // but the class stays on.
            "notify-keyspace-events" => self
                .notify_keyspace_events
                .store(notify::parse(given).unwrap_or_default(), Ordering::Relaxed),
            "timeout" => self.timeout.store(unsigned(), Ordering::Relaxed),
            "maxclients" => self.maxclients.store(unsigned(), Ordering::Relaxed),
            "slowlog-log-slower-than" => {
                self.slowlog_log_slower_than.store(number().unwrap_or(-1), Ordering::Relaxed)
            }
            "slowlog-max-len" => self.slowlog_max_len.store(unsigned(), Ordering::Relaxed),
            "hz" => self.hz.store(unsigned(), Ordering::Relaxed),
            "proto-max-bulk-len" => self.proto_max_bulk_len.store(unsigned(), Ordering::Relaxed),
            "client-output-buffer-limit" => {
                let limits = values::output_limits(&text, DEFAULT_OUTPUT_LIMITS)
                    .unwrap_or(DEFAULT_OUTPUT_LIMITS);
                self.pubsub_hard.store(limits[2].hard, Ordering::Relaxed);
                self.pubsub_soft.store(limits[2].soft, Ordering::Relaxed);
                self.pubsub_soft_seconds.store(limits[2].soft_seconds, Ordering::Relaxed);
            }
            _ => {}
        }
        if values.len() <= index {
            values.resize(index + 1, Bytes::new());
        }
        values[index] = text;
    }

    fn read_values(&self) -> RwLockReadGuard<'_, Vec<Bytes>> {
        self.values.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_values(&self) -> RwLockWriteGuard<'_, Vec<Bytes>> {
        self.values.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Whether `name` is a parameter `CONFIG SET` can change, and `value` one it accepts; the
/// same checks as [`Settings::set`], for reading a config file before the server starts.
pub(crate) fn check(name: &str, value: &str) -> Result<(), SetError> {
    let shown = name.to_string();
    let index = position(name.as_bytes()).ok_or_else(|| SetError::Unknown(shown.clone()))?;
    let parameter = &PARAMETERS[index];
    if parameter.access != Access::Mutable {
        return Err(SetError::Failed { name: shown, reason: "can't set immutable config".into() });
    }
    normalise(parameter, value.as_bytes(), parameter.default.as_bytes())
        .map(drop)
        .map_err(|reason| SetError::Failed { name: parameter.name.into(), reason })
}

/// A memory-sized parameter's value in bytes, checked as [`check`] checks it.
pub(crate) fn memory_value(name: &str, value: &str) -> Result<u64, SetError> {
    check(name, value)?;
    Ok(values::memory(value.as_bytes()).unwrap_or_default())
}

/// The index of the parameter called `name`, ignoring ASCII case.
fn position(name: &[u8]) -> Option<usize> {
    PARAMETERS.iter().position(|parameter| name.eq_ignore_ascii_case(parameter.name.as_bytes()))
}

/// Checks `value` for `parameter` and returns the text `CONFIG GET` will show; `current` is
/// the value now (`client-output-buffer-limit` changes only the classes it names).
fn normalise(parameter: &Parameter, value: &[u8], current: &[u8]) -> Result<Bytes, Refusal> {
    let text = match parameter.kind {
        Kind::Integer { min, max } => values::integer(value, min, max)?.to_string(),
        Kind::Frequency => values::integer(value, 0, INT_MAX)?.clamp(1, 500).to_string(),
        Kind::Memory { min, max } => values::bounded_memory(value, min, max)?.to_string(),
        Kind::YesNo => if values::yes_no(value)? { "yes" } else { "no" }.to_string(),
        Kind::OneOf(choices) => values::one_of(value, choices)?.to_string(),
        Kind::Text => return Ok(Bytes::copy_from_slice(value)),
        Kind::KeyspaceEvents => notify::format(notify::parse(value).ok_or(notify::INVALID_CLASS)?),
        Kind::SavePoints => values::save_points(value)?,
        Kind::OutputLimits => {
            let current = values::output_limits(current, DEFAULT_OUTPUT_LIMITS)
                .unwrap_or(DEFAULT_OUTPUT_LIMITS);
            values::format_output_limits(&values::output_limits(value, current)?)
        }
    };
    Ok(Bytes::from(text))
}

/// `dir` and `dbfilename` describe the database file: its directory (absolute) and name.
fn database_location(path: &Path) -> (String, String) {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = absolute.parent().map(|dir| dir.display().to_string()).unwrap_or_default();
    let name = absolute.file_name().map(|name| name.to_string_lossy().into_owned());
    (dir, name.unwrap_or_default())
}

#[cfg(test)]
mod tests;
