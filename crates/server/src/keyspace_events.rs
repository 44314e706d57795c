//! Keyspace notifications: the events write commands report, published as Redis does on
//! `__keyspace@<db>__:<key>` (message: the event) and `__keyevent@<db>__:<event>` (message:
//! the key) when `notify-keyspace-events` selects their class.
//!
//! A write operation reports what it did with [`emit`] as it runs on the writer thread. The
//! events are collected per operation ([`collecting`]), kept only if the operation
//! succeeded, and published once the job's transaction has committed (`write_effects`), so
//! a command rolled back or replayed never announces anything twice or falsely. Keys that
//! expire are reported by the store and published at once. With notifications off (the
//! default) [`emit`] does nothing but read a thread-local flag.

use std::cell::RefCell;

use bytes::{BufMut, Bytes, BytesMut};
use resplite_store::Db;

use crate::settings::notify::{KEYEVENT, KEYSPACE};
use crate::state::ServerState;

/// One thing that happened to one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    class: u32,
    name: &'static str,
    db: Db,
    key: Bytes,
}

thread_local! {
    /// The events of the operation running on this thread, while notifications are on.
    static COLLECTED: RefCell<Option<Vec<Event>>> = const { RefCell::new(None) };
}

/// Reports that `name` (Redis's event name, such as `set`, `lpush` or `del`) of `class`
/// (a bit of `settings::notify`) happened to `key` in `db`. Call it from inside a write
/// operation, once the change is certain.
pub(crate) fn emit(class: u32, name: &'static str, db: Db, key: &[u8]) {
    COLLECTED.with(|collected| {
        if let Some(events) = collected.borrow_mut().as_mut() {
            events.push(Event { class, name, db, key: Bytes::copy_from_slice(key) });
        }
    });
}

/// Runs `operation`, collecting what it emits when `flags` (the configured classes) could
/// publish anything.
pub(crate) fn collecting<R>(flags: u32, operation: impl FnOnce() -> R) -> (R, Vec<Event>) {
    if flags & (KEYSPACE | KEYEVENT) == 0 || flags & !(KEYSPACE | KEYEVENT) == 0 {
        return (operation(), Vec::new());
    }
    let outer = COLLECTED.with(|collected| collected.borrow_mut().replace(Vec::new()));
    let result = operation();
    let events = COLLECTED.with(|collected| {
        std::mem::replace(&mut *collected.borrow_mut(), outer).unwrap_or_default()
    });
    (result, events)
}

/// Publishes `events` whose class is selected.
pub(crate) fn publish(server: &ServerState, events: &[Event]) {
    if events.is_empty() {
        return;
    }
    let flags = server.settings.notify_keyspace_events();
    let limit = server.settings.pubsub_output_limit();
    for event in events.iter().filter(|event| flags & event.class != 0) {
        if flags & KEYSPACE != 0 {
            let prefix = format!("__keyspace@{}__:", event.db);
            let mut channel = BytesMut::with_capacity(prefix.len() + event.key.len());
            channel.put_slice(prefix.as_bytes());
            channel.put_slice(&event.key);
            let message = Bytes::from_static(event.name.as_bytes());
            server.pubsub.publish(&channel.freeze(), &message, &limit);
        }
        if flags & KEYEVENT != 0 {
            let channel = Bytes::from(format!("__keyevent@{}__:{}", event.db, event.name));
            server.pubsub.publish(&channel, &event.key, &limit);
        }
    }
}

/// Publishes one event at once (keys that expired, reported by the store).
pub(crate) fn publish_now(
    server: &ServerState,
    class: u32,
    name: &'static str,
    db: Db,
    key: &[u8],
) {
    let flags = server.settings.notify_keyspace_events();
    if flags & class != 0 {
        publish(server, &[Event { class, name, db, key: Bytes::copy_from_slice(key) }]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::notify::{GENERIC, STRING};

    #[test]
    fn events_are_collected_only_while_notifications_can_publish() {
        let ((), events) = collecting(KEYSPACE | STRING, || emit(STRING, "set", 0, b"k"));
        assert_eq!(
            events,
            vec![Event { class: STRING, name: "set", db: 0, key: Bytes::from("k") }]
        );
        // No channel kind selected, or no class: nothing is kept.
        let ((), events) = collecting(STRING | GENERIC, || emit(STRING, "set", 0, b"k"));
        assert!(events.is_empty());
        let ((), events) = collecting(KEYSPACE, || emit(STRING, "set", 0, b"k"));
        assert!(events.is_empty());
        // Outside an operation, emitting goes nowhere.
        emit(STRING, "set", 0, b"k");
    }
}
