//! The source Redis: connecting to it and reading what `INFO` and `CONFIG` say about it.

use std::collections::BTreeMap;
use std::time::Duration;

use redis::{ConnectionAddr, IntoConnectionInfo};

use crate::error::{MigrateError, Result};

/// How long connecting to the source may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one reply may take; a pipelined read of a large value stays well within it.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

/// The source of a migration, given as `redis://[user:password@]host:port[/db]`.
#[derive(Clone)]
pub struct Source {
    client: redis::Client,
    redacted: String,
    host: String,
    port: u16,
    username: Option<String>,
    password: Option<String>,
}

impl Source {
    /// Parses a source URI; nothing is connected yet.
    pub fn new(uri: &str) -> Result<Source> {
        let info = uri
            .into_connection_info()
            .map_err(|error| MigrateError::Refused(format!("invalid --from {uri:?}: {error}")))?;
        let (host, port) = match info.addr() {
            ConnectionAddr::Tcp(host, port) => (host.clone(), *port),
            _ => {
                return Err(MigrateError::Refused(format!(
                    "--from {}: only plain redis://host:port sources are supported",
                    redact(uri)
                )));
            }
        };
        let settings = info.redis_settings();
        let username = settings.username().map(str::to_owned);
        let password = settings.password().map(str::to_owned);
        let client = redis::Client::open(info).map_err(MigrateError::from)?;
        Ok(Source { client, redacted: redact(uri), host, port, username, password })
    }

    /// The URI with its password replaced by `***`, fit for logs and the registry.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// `host:port` of the source.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The credentials, for connections this crate speaks RESP on itself.
    pub(crate) fn credentials(&self) -> (Option<&str>, Option<&str>) {
        (self.username.as_deref(), self.password.as_deref())
    }

    /// A new connection with logical database `db` selected.
    pub fn connect(&self, db: u32) -> Result<redis::Connection> {
        let mut connection = self.client.get_connection_with_timeout(CONNECT_TIMEOUT)?;
        connection.set_read_timeout(Some(REPLY_TIMEOUT))?;
        connection.set_write_timeout(Some(REPLY_TIMEOUT))?;
        // Always select: a `/db` in the URI makes the client select that database first.
        redis::cmd("SELECT").arg(db).exec(&mut connection)?;
        Ok(connection)
    }
}

/// Replaces the password of a `redis://user:password@host` URI by `***`.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else { return uri.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return uri.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => format!("{scheme}://***@{host}"),
    }
}

/// What `INFO` says about the source.
#[derive(Clone, Debug, Default)]
pub struct ServerFacts {
    /// `redis_version`, such as `7.0.15`.
    pub version: String,
    /// `redis_mode`: `standalone`, `cluster` or `sentinel`.
    pub mode: String,
    /// `run_id`, which changes whenever the server restarts.
    pub run_id: String,
    /// `used_memory` in bytes.
    pub used_memory: u64,
    /// `instantaneous_ops_per_sec`: how busy the source is.
    pub ops_per_sec: u64,
    /// Keys per logical database that holds any.
    pub keyspace: BTreeMap<u32, u64>,
    /// Keys with a deadline per logical database (`expires=`); some may be past it.
    pub expiring: BTreeMap<u32, u64>,
    /// How many times `FLUSHALL`, `FLUSHDB` and `SWAPDB` have run (from `INFO commandstats`;
    /// `None` when the section is not available). These change keys without keyspace events.
    pub silent_rewrites: Option<u64>,
}

impl ServerFacts {
    /// The major version number (0 when unknown).
    pub fn major_version(&self) -> u32 {
        self.version.split('.').next().and_then(|major| major.parse().ok()).unwrap_or(0)
    }

    /// Whether `PEXPIRETIME` exists (Redis 7 and later).
    pub fn has_expire_time(&self) -> bool {
        self.major_version() >= 7
    }

    /// Whether hash fields may have deadlines, read with `HPEXPIRETIME` (Redis 7.4 and
    /// later).
    pub fn has_field_deadlines(&self) -> bool {
        let mut numbers = self.version.split('.').map(|part| part.parse::<u32>().unwrap_or(0));
        let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
        (major, minor) >= (7, 4)
    }

    /// Keys in all databases.
    pub fn total_keys(&self) -> u64 {
        self.keyspace.values().sum()
    }
}

/// Why a cluster-mode source is refused.
pub const CLUSTER_REFUSAL: &str = "the source runs in cluster mode, which resplite cannot import (it imports one standalone Redis)";

/// Refuses a source in cluster mode.
pub fn refuse_cluster(facts: &ServerFacts) -> Result<()> {
    if facts.mode == "cluster" {
        return Err(MigrateError::Refused(CLUSTER_REFUSAL.into()));
    }
    Ok(())
}

/// Reads `INFO server`, `memory`, `keyspace` and `commandstats`.
pub fn server_facts(connection: &mut redis::Connection) -> Result<ServerFacts> {
    let text: String = redis::cmd("INFO").arg("everything").query(connection)?;
    Ok(parse_info(&text))
}

fn parse_info(text: &str) -> ServerFacts {
    let mut facts = ServerFacts { mode: "standalone".into(), ..ServerFacts::default() };
    let mut rewrites = None;
    for line in text.lines() {
        let Some((name, value)) = line.trim_end().split_once(':') else { continue };
        match name {
            "redis_version" => facts.version = value.to_owned(),
            "redis_mode" => facts.mode = value.to_owned(),
            "run_id" => facts.run_id = value.to_owned(),
            "used_memory" => facts.used_memory = value.parse().unwrap_or(0),
            "instantaneous_ops_per_sec" => facts.ops_per_sec = value.parse().unwrap_or(0),
            _ if name.starts_with("db") => {
                let field = |prefix: &str| -> Option<u64> {
                    value.split(',').find_map(|part| part.strip_prefix(prefix)?.parse().ok())
                };
                if let (Ok(db), Some(keys)) = (name[2..].parse(), field("keys=")) {
                    facts.keyspace.insert(db, keys);
                    facts.expiring.insert(db, field("expires=").unwrap_or(0));
                }
            }
            "cmdstat_flushall" | "cmdstat_flushdb" | "cmdstat_swapdb" => {
                let calls: u64 = value
                    .split(',')
                    .find_map(|part| part.strip_prefix("calls="))
                    .and_then(|calls| calls.parse().ok())
                    .unwrap_or(0);
                rewrites = Some(rewrites.unwrap_or(0) + calls);
            }
            _ => {}
        }
    }
    if text.contains("# Commandstats") {
        facts.silent_rewrites = Some(rewrites.unwrap_or(0));
    }
    facts
}

/// How many logical databases the source has (`CONFIG GET databases`; 16 when CONFIG is not
/// allowed).
pub fn database_count(connection: &mut redis::Connection) -> u32 {
    let reply: redis::RedisResult<Vec<String>> =
        redis::cmd("CONFIG").arg("GET").arg("databases").query(connection);
    reply.ok().and_then(|pair| pair.get(1).and_then(|count| count.parse().ok())).unwrap_or(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(redact("redis://u:secret@h:1/2"), "redis://u:***@h:1/2");
        assert_eq!(redact("redis://:secret@h:1"), "redis://:***@h:1");
        assert_eq!(redact("redis://h:1"), "redis://h:1");
    }

    #[test]
    fn info_gives_version_keyspace_and_silent_rewrites() {
        let text = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nrun_id:abc\r\n\
                    # Memory\r\nused_memory:1024\r\n# Commandstats\r\n\
                    cmdstat_flushall:calls=2,usec=5\r\ncmdstat_swapdb:calls=1,usec=1\r\n\
                    # Keyspace\r\ndb0:keys=10,expires=1,avg_ttl=0\r\ndb3:keys=5,expires=0\r\n";
        let facts = parse_info(text);
        assert_eq!(facts.major_version(), 7);
        assert_eq!(facts.run_id, "abc");
        assert_eq!(facts.used_memory, 1024);
        assert!(facts.has_expire_time() && !facts.has_field_deadlines());
        assert_eq!(facts.keyspace.into_iter().collect::<Vec<_>>(), vec![(0, 10), (3, 5)]);
        assert_eq!(facts.silent_rewrites, Some(3));
    }

    #[test]
    fn field_deadlines_come_with_redis_7_4() {
        let with =
            |version: &str| ServerFacts { version: version.into(), ..ServerFacts::default() };
        assert!(!with("6.2.14").has_field_deadlines());
        assert!(!with("7.2.4").has_field_deadlines());
        assert!(with("7.4.0").has_field_deadlines());
        assert!(with("8.0.2").has_field_deadlines());
        assert!(!with("").has_field_deadlines());
    }
}
