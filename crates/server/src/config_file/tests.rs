//! Tests of reading `resplite.conf` and of `CONFIG REWRITE`.

use std::fs;

use bytes::Bytes;
use resplite_store::{Durability, StoreOptions};

use super::rewrite;
use crate::config::ServerConfig;
use crate::settings::Settings;

fn config() -> ServerConfig {
    ServerConfig::new(StoreOptions::new("default.db"))
}

fn apply(text: &str) -> Result<(ServerConfig, Vec<String>), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resplite.conf");
    fs::write(&path, text).unwrap();
    let mut config = config();
    let warnings = config
        .apply_config_file(&path)
        .map_err(|error| error.to_string().replace(&path.display().to_string(), "resplite.conf"))?;
    Ok((config, warnings))
}

#[test]
fn options_set_fields_and_start_up_parameters() {
    let text = "# a comment\n\
                port 7001\n\
                bind 10.0.0.1 -::1\n\
                db \"/var/lib/resplite/my data.db\"\n\
                durability FULL\n\
                maxclients 50\n\
                databases 4\n\
                requirepass 'p a$$'\n\
                notify-keyspace-events Ex\n\
                save 900 1\n\
                save 300 10\n\
                client-output-buffer-limit pubsub 64mb 16mb 60\n\
                \n\
                daemonize yes\n";
    let (config, warnings) = apply(text).unwrap();
    assert_eq!(config.port, 7001);
    assert_eq!(config.bind.to_string(), "10.0.0.1");
    assert_eq!(config.store.path.to_str(), Some("/var/lib/resplite/my data.db"));
    assert_eq!(config.store.durability, Durability::Full);
    assert_eq!((config.max_clients, config.databases), (50, 4));
    let parameters: Vec<(&str, &str)> =
        config.parameters.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
    assert_eq!(
        parameters,
        [
            ("requirepass", "p a$$"),
            ("notify-keyspace-events", "Ex"),
            ("client-output-buffer-limit", "pubsub 64mb 16mb 60"),
            ("save", "900 1 300 10"),
        ]
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("line 3"), "{warnings:?}");
    assert!(warnings[1].contains("'daemonize'"), "{warnings:?}");
    assert!(config.config_file.is_some());
}

#[test]
fn writer_cpulist_reads_redis_cpu_lists_and_redis_cpulists_are_skipped() {
    let (config, warnings) = apply("writer-cpulist 0-6:3,1\nserver_cpulist 0-7:2\n").unwrap();
    assert_eq!(config.store.writer_cpus, Some(vec![0, 3, 6, 1]));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("'server_cpulist'"), "{warnings:?}");
    let settings = Settings::new(&config, 6379).unwrap();
    assert_eq!(settings.value("writer-cpulist"), Bytes::from("0,3,6,1"));
    let (config, _) = apply("writer-cpulist 1\nwriter-cpulist \"\"\n").unwrap();
    assert_eq!(config.store.writer_cpus, None);
    assert_eq!(Settings::new(&config, 6379).unwrap().value("writer-cpulist"), Bytes::new());
    assert_eq!(
        apply("writer-cpulist 3-1\n").unwrap_err(),
        "resplite.conf, line 1: bad value for 'writer-cpulist': '3-1' is not a CPU range"
    );
}

#[test]
fn writer_spin_us_sets_the_writers_spin_window() {
    let (config, _) = apply("writer-spin-us 250\n").unwrap();
    assert_eq!(config.store.writer_spin, std::time::Duration::from_micros(250));
    assert_eq!(Settings::new(&config, 6379).unwrap().value("writer-spin-us"), Bytes::from("250"));
    let (config, _) = apply("").unwrap();
    assert_eq!(Settings::new(&config, 6379).unwrap().value("writer-spin-us"), Bytes::from("1000"));
    assert_eq!(
        apply("writer-spin-us 100001\n").unwrap_err(),
        "resplite.conf, line 1: 'writer-spin-us' must be a whole number from 0 to 100000"
    );
}

#[test]
fn errors_name_the_line() {
    assert_eq!(
        apply("port 1\nnosuchoption 3\n").unwrap_err(),
        "resplite.conf, line 2: unknown option 'nosuchoption'"
    );
    assert_eq!(
        apply("\n\ntimeout -5\n").unwrap_err(),
        "resplite.conf, line 3: bad value for 'timeout': argument must be between 0 and \
         2147483647 inclusive"
    );
    assert_eq!(
        apply("rename-command FLUSHALL \"\"\n").unwrap_err(),
        "resplite.conf, line 1: 'rename-command' is not supported by resplite"
    );
    assert_eq!(
        apply("requirepass \"open\n").unwrap_err(),
        "resplite.conf, line 1: unbalanced quotes in the option line"
    );
    assert_eq!(
        apply("save 900\n").unwrap_err().split(": ").last(),
        Some("Invalid save parameters")
    );
    assert!(apply("port 70000\n").unwrap_err().contains("from 0 to 65535"));
}

#[test]
fn rewrite_keeps_comments_and_unknown_lines_and_updates_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resplite.conf");
    let original = "# my settings\n\
                    db /srv/app.db\n\
                    timeout 10\n\
                    # the notification classes Spring needs\n\
                    notify-keyspace-events Ex\n\
                    timeout 20\n\
                    maxclients 100\n";
    fs::write(&path, original).unwrap();
    let mut config = config();
    config.apply_config_file(&path).unwrap();
    let settings = Settings::new(&config, 6379).unwrap();
    let set = |name: &str, value: &str| {
        settings.set(&[(name.as_bytes(), value.as_bytes())]).unwrap();
    };
    set("timeout", "30");
    set("notify-keyspace-events", "");
    set("requirepass", "two words");
    set("maxmemory-policy", "allkeys-lru");
    rewrite(&path, &settings).unwrap();
    let rewritten = fs::read_to_string(&path).unwrap();
    assert_eq!(
        rewritten,
        "# my settings\n\
         db /srv/app.db\n\
         timeout 30\n\
         # the notification classes Spring needs\n\
         notify-keyspace-events \"\"\n\
         maxclients 100\n\
         # Options below were added by CONFIG REWRITE\n\
         maxmemory-policy allkeys-lru\n\
         requirepass \"two words\"\n"
    );
    // The rewritten file reads back to the same settings, and a second rewrite changes
    // nothing.
    let mut again = self::config();
    again.apply_config_file(&path).unwrap();
    let reread = Settings::new(&again, 6379).unwrap();
    for name in ["timeout", "requirepass", "maxmemory-policy", "notify-keyspace-events"] {
        assert_eq!(reread.value(name), settings.value(name), "{name}");
    }
    rewrite(&path, &reread).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), rewritten);
}

#[test]
fn multi_word_options_are_written_as_redis_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resplite.conf");
    fs::write(&path, "save 60 5\n").unwrap();
    let settings = Settings::new(&config(), 6379).unwrap();
    let pairs: [(&[u8], &[u8]); 2] =
        [(b"save", b"3600 1 300 100"), (b"client-output-buffer-limit", b"pubsub 64mb 16mb 60")];
    settings.set(&pairs).unwrap();
    rewrite(&path, &settings).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("save 3600 1 300 100\n"), "{text}");
    assert!(text.contains("\nclient-output-buffer-limit pubsub 67108864 16777216 60\n"), "{text}");
    assert!(text.contains("\nclient-output-buffer-limit normal 0 0 0\n"), "{text}");
    assert_eq!(settings.value("save"), Bytes::from_static(b"3600 1 300 100"));
}
