//! Tests of the runtime settings: `CONFIG SET` checks and atomicity, `CONFIG GET` matching.

use bytes::Bytes;

use super::{SetError, Settings, check, notify};
use crate::config::ServerConfig;
use resplite_store::StoreOptions;

fn settings() -> Settings {
    Settings::new(&ServerConfig::new(StoreOptions::new("/data/app/cache.db")), 6400).unwrap()
}

fn set(settings: &Settings, pairs: &[(&str, &str)]) -> Result<(), String> {
    let pairs: Vec<(&[u8], &[u8])> =
        pairs.iter().map(|(name, value)| (name.as_bytes(), value.as_bytes())).collect();
    settings.set(&pairs).map_err(|error| error.message())
}

fn get(settings: &Settings, patterns: &[&str]) -> Vec<(String, String)> {
    let patterns: Vec<Bytes> =
        patterns.iter().map(|p| Bytes::copy_from_slice(p.as_bytes())).collect();
    settings
        .get(&patterns)
        .into_iter()
        .map(|(name, value)| {
            (String::from_utf8(name.to_vec()).unwrap(), String::from_utf8(value.to_vec()).unwrap())
        })
        .collect()
}

fn value(settings: &Settings, name: &str) -> String {
    String::from_utf8(settings.value(name).to_vec()).unwrap()
}

#[test]
fn defaults_match_redis_and_describe_the_database_file() {
    let settings = settings();
    assert_eq!(value(&settings, "timeout"), "0");
    assert_eq!(value(&settings, "maxmemory-policy"), "noeviction");
    assert_eq!(value(&settings, "proto-max-bulk-len"), "536870912");
    assert_eq!(
        value(&settings, "client-output-buffer-limit"),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    );
    assert_eq!(value(&settings, "port"), "6400");
    assert_eq!(value(&settings, "dir"), "/data/app");
    assert_eq!(value(&settings, "dbfilename"), "cache.db");
    assert_eq!(settings.pubsub_output_limit().hard, 32 * 1024 * 1024);
    assert_eq!(settings.slowlog_log_slower_than(), 10_000);
    assert_eq!(settings.maxclients(), 10_000);
    assert!(!settings.password_required());
}

#[test]
fn values_are_kept_normalised() {
    let settings = settings();
    set(&settings, &[("maxmemory", "1gb"), ("notify-keyspace-events", "KEA"), ("hz", "0")])
        .unwrap();
    assert_eq!(value(&settings, "maxmemory"), "1073741824");
    assert_eq!(value(&settings, "notify-keyspace-events"), "AKE");
    assert_eq!(value(&settings, "hz"), "1");
    assert_eq!(settings.hz(), 1);
    set(&settings, &[("HZ", "600"), ("LogLevel", "WARNING"), ("appendonly", "YES")]).unwrap();
    assert_eq!(value(&settings, "hz"), "500");
    assert_eq!(value(&settings, "loglevel"), "warning");
    assert_eq!(value(&settings, "appendonly"), "yes");
}

#[test]
fn hot_values_follow_every_change() {
    let settings = settings();
    set(&settings, &[("requirepass", "s3cret"), ("notify-keyspace-events", "Ex")]).unwrap();
    assert_eq!(settings.requirepass().as_deref(), Some(&b"s3cret"[..]));
    assert_eq!(settings.notify_keyspace_events(), notify::KEYEVENT | notify::EXPIRED);
    set(&settings, &[("requirepass", ""), ("timeout", "30"), ("maxclients", "7")]).unwrap();
    assert_eq!(settings.requirepass(), None);
    assert_eq!((settings.timeout(), settings.maxclients()), (30, 7));
    set(&settings, &[("client-output-buffer-limit", "pubsub 64mb 16mb 30")]).unwrap();
    assert_eq!(settings.pubsub_output_limit().hard, 64 << 20);
    assert_eq!(settings.pubsub_output_limit().soft_seconds, 30);
}

#[test]
fn new_keys_stay_selected_next_to_the_alias_that_hides_them() {
    // Redis shows `KEAn` as `AKE`, yet still publishes `new`.
    let settings = settings();
    set(&settings, &[("notify-keyspace-events", "KEAn")]).unwrap();
    assert_eq!(value(&settings, "notify-keyspace-events"), "AKE");
    assert_ne!(settings.notify_keyspace_events() & notify::NEW, 0);
}

#[test]
fn a_refused_pair_changes_nothing() {
    let settings = settings();
    let error = set(&settings, &[("timeout", "5"), ("hz", "x")]).unwrap_err();
    assert_eq!(
        error,
        "CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed \
         into an integer"
    );
    assert_eq!(value(&settings, "timeout"), "0");
    let error = set(&settings, &[("timeout", "1"), ("notify-keyspace-events", "Q")]).unwrap_err();
    assert!(error.ends_with("Invalid event class character. Use 'Ag$lshzxeKEtmdn'."), "{error}");
    assert_eq!(settings.timeout(), 0);
}

#[test]
fn names_are_checked_before_values_and_the_first_problem_wins() {
    let settings = settings();
    let failed = |name: &str, reason: &str| {
        format!("CONFIG SET failed (possibly related to argument '{name}') - {reason}")
    };
    assert_eq!(
        set(&settings, &[("foo", "bar")]).unwrap_err(),
        "Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        set(&settings, &[("DATABASES", "3"), ("foo", "1")]).unwrap_err(),
        failed("DATABASES", "can't set immutable config")
    );
    assert_eq!(
        set(&settings, &[("timeout", "x"), ("foo", "1")]).unwrap_err(),
        "Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        set(&settings, &[("timeout", "1"), ("TIMEOUT", "2")]).unwrap_err(),
        failed("TIMEOUT", "duplicate parameter")
    );
    assert_eq!(
        set(&settings, &[("dir", "/tmp")]).unwrap_err(),
        failed("dir", "can't set protected config")
    );
    assert_eq!(
        set(&settings, &[("TIMEOUT", "-1")]).unwrap_err(),
        failed("timeout", "argument must be between 0 and 2147483647 inclusive")
    );
}

#[test]
fn get_matches_names_and_globs_once_each() {
    let settings = settings();
    assert_eq!(get(&settings, &["TIMEOUT"]), [("TIMEOUT".to_string(), "0".to_string())]);
    assert_eq!(get(&settings, &["TIMEOUT", "timeout", "tim*"]).len(), 1);
    let names: Vec<String> =
        get(&settings, &["SLOWLOG*"]).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["slowlog-log-slower-than", "slowlog-max-len"]);
    assert!(get(&settings, &["nosuch*", "nosuch"]).is_empty());
    assert!(get(&settings, &["*"]).len() > 20);
}

#[test]
fn start_up_parameters_apply_in_order_and_are_checked() {
    let mut config = ServerConfig::new(StoreOptions::new("x.db"));
    config.parameters = vec![("timeout".into(), "10".into()), ("timeout".into(), "20".into())];
    assert_eq!(Settings::new(&config, 1).unwrap().timeout(), 20);
    config.parameters = vec![("maxmemory-policy".into(), "lru".into())];
    assert!(matches!(Settings::new(&config, 1), Err(SetError::Failed { .. })));
    assert!(check("maxmemory", "1gb").is_ok());
    assert!(matches!(check("nosuch", "1"), Err(SetError::Unknown(_))));
    assert!(check("port", "1").is_err());
}
