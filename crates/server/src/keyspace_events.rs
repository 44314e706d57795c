//! Keyspace notifications: the events write commands report, published as Redis does on
//! `__keyspace@<db>__:<key>` (message: the event) and `__keyevent@<db>__:<event>` (message:
//! the key) when `notify-keyspace-events` selects their class.
//!
//! A write operation reports what it did with [`emit`] as it runs on the writer thread. The
//! events are collected per operation ([`collecting`]), kept only if the operation
//! succeeded, and published once the job's transaction has committed (`write_effects`), so
//! a command rolled back or replayed never announces anything twice or falsely. Keys that
//! expire are reported by the store and published at once, and so are the `keymiss` events
//! of a read (`key_misses`), right after it: a read has no commit. With notifications off (the
//! default) [`emit`] does nothing but read a thread-local flag.

use std::cell::RefCell;

use bytes::{BufMut, Bytes, BytesMut};
use resplite_store::{Db, Reader, StoreError};

use crate::key_misses;
use crate::settings::notify::{GENERIC, KEY_MISS, KEYEVENT, KEYSPACE, NEW};
use crate::state::ServerState;

/// One thing that happened to one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    class: u32,
    name: &'static str,
    db: Db,
    key: Bytes,
}

impl Event {
    /// Whether this is a `keymiss` (which reports a lookup, not a change).
    pub(crate) fn is_key_miss(&self) -> bool {
        self.class == KEY_MISS
    }
}

/// The events of one running operation, and the classes that can publish.
struct Collected {
    flags: u32,
    events: Vec<Event>,
}

thread_local! {
    /// The events of the operation running on this thread, while notifications are on.
    static COLLECTED: RefCell<Option<Collected>> = const { RefCell::new(None) };
}

/// Reports that `name` (Redis's event name, such as `set`, `lpush` or `del`) of `class`
/// (a bit of `settings::notify`) happened to `key` in `db`. Call it from inside a write
/// operation, once the change is certain.
pub(crate) fn emit(class: u32, name: &'static str, db: Db, key: &[u8]) {
    COLLECTED.with(|collected| {
        if let Some(collected) = collected.borrow_mut().as_mut()
            && collected.flags & class != 0
        {
            collected.events.push(Event { class, name, db, key: Bytes::copy_from_slice(key) });
        }
    });
}

/// Whether an event of `class` emitted now would be published. Ask before doing extra work
/// (a lookup) only an event needs, so that with notifications off nothing is done.
pub(crate) fn wants(class: u32) -> bool {
    COLLECTED.with(|collected| {
        collected.borrow().as_ref().is_some_and(|collected| collected.flags & class != 0)
    })
}

/// Whether `key` is missing, asked before a write that may create it so that the `new`
/// event can be emitted before the command's own (as Redis orders them); `false` without a
/// lookup when `new` events are not wanted.
pub(crate) fn missing(reader: &Reader<'_>, db: Db, key: &[u8]) -> Result<bool, StoreError> {
    Ok(wants(NEW) && reader.exists(db, &[key])? == 0)
}

/// Emits the event `name` of `class` for a command that removed elements of `key`, then
/// `del` if that emptied it (Redis's order).
pub(crate) fn emit_removed(
    reader: &Reader<'_>,
    class: u32,
    name: &'static str,
    db: Db,
    key: &[u8],
) -> Result<(), StoreError> {
    emit(class, name, db, key);
    emit_del_if_emptied(reader, db, key)
}

/// Emits `del` for `key` when it no longer exists: called after a command's own event, once
/// it removed elements, because the store deletes a collection that loses its last one.
pub(crate) fn emit_del_if_emptied(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
) -> Result<(), StoreError> {
    if wants(GENERIC) && reader.exists(db, &[key])? == 0 {
        emit(GENERIC, "del", db, key);
    }
    Ok(())
}

/// Runs `operation`, collecting what it emits when `flags` (the configured classes) could
/// publish anything.
pub(crate) fn collecting<R>(flags: u32, operation: impl FnOnce() -> R) -> (R, Vec<Event>) {
    if flags & (KEYSPACE | KEYEVENT) == 0 || flags & !(KEYSPACE | KEYEVENT) == 0 {
        return (operation(), Vec::new());
    }
    let fresh = Collected { flags, events: Vec::new() };
    let outer = COLLECTED.with(|collected| collected.borrow_mut().replace(fresh));
    let result = operation();
    let events = COLLECTED.with(|collected| {
        std::mem::replace(&mut *collected.borrow_mut(), outer)
            .map(|collected| collected.events)
            .unwrap_or_default()
    });
    (result, events)
}

/// Runs the read `operation` and publishes at once what it emitted (`keymiss` events): a
/// read has no commit to wait for. With `flags` that publish no misses, it only runs it.
pub(crate) fn reading<R>(server: &ServerState, flags: u32, operation: impl FnOnce() -> R) -> R {
    if !key_misses::reported(flags) {
        return operation();
    }
    let (result, events) = collecting(flags, operation);
    publish(server, &events);
    result
}

/// Whether `destination` exists before a command stores a result there, for the events of
/// [`emit_stored`]; `false` without a lookup when neither `new` nor `del` is wanted.
pub(crate) fn destination_existed(
    reader: &Reader<'_>,
    db: Db,
    destination: &[u8],
) -> Result<bool, StoreError> {
    Ok(wants(NEW | GENERIC) && reader.exists(db, &[destination])? > 0)
}

/// Emits what a command storing a result at `destination` reports, as Redis does: a
/// non-empty result is the event `name` (after `new` when the key did not exist); an empty
/// one deletes the destination, which is `del` only if there was one.
pub(crate) fn emit_stored(
    existed: bool,
    stored: bool,
    class: u32,
    name: &'static str,
    db: Db,
    destination: &[u8],
) {
    if stored {
        if !existed {
            emit(NEW, "new", db, destination);
        }
        emit(class, name, db, destination);
    } else if existed {
        emit(GENERIC, "del", db, destination);
    }
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

/// Reports an event of the store's expiry listener: with the events of the command running
/// on this thread, when its write made the change (published once it commits, before the
/// command's own), else at once (the sweeper's, told after its round committed).
pub(crate) fn emit_or_publish(
    server: &ServerState,
    class: u32,
    name: &'static str,
    db: Db,
    key: &[u8],
) {
    if COLLECTED.with(|collected| collected.borrow().is_some()) {
        emit(class, name, db, key);
    } else {
        publish_now(server, class, name, db, key);
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
    use crate::settings::notify::{EXPIRED, GENERIC, SET, STRING};

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

    #[test]
    fn only_selected_classes_are_wanted_and_kept() {
        assert!(!wants(GENERIC), "nothing is wanted outside an operation");
        let flags = KEYEVENT | STRING | NEW;
        let ((), events) = collecting(flags, || {
            assert!(wants(STRING) && wants(NEW) && !wants(GENERIC));
            emit(GENERIC, "del", 0, b"k");
            emit(STRING, "set", 0, b"k");
        });
        assert_eq!(
            events,
            vec![Event { class: STRING, name: "set", db: 0, key: Bytes::from("k") }]
        );
        // Off by default: nothing is wanted, so no lookup is ever made for an event.
        let ((), events) = collecting(0, || assert!(!wants(STRING | NEW | EXPIRED)));
        assert!(events.is_empty());
    }

    #[test]
    fn stored_results_report_as_redis_does() {
        let names = |existed, stored| {
            let ((), events) = collecting(KEYEVENT | GENERIC | SET | NEW, || {
                emit_stored(existed, stored, SET, "sunionstore", 0, b"d");
            });
            events.iter().map(|event| event.name).collect::<Vec<_>>()
        };
        assert_eq!(names(false, true), ["new", "sunionstore"]);
        assert_eq!(names(true, true), ["sunionstore"]);
        assert_eq!(names(true, false), ["del"]);
        assert!(names(false, false).is_empty());
    }
}
