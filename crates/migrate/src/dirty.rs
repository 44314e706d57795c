//! The dirty-key table: keys the tracker saw change, and their way back to clean.
//!
//! Every event for a key makes its row `dirty` and adds to its `events_count`, which works
//! as a generation number. The delta apply reads a dirty key's generation, reads the key
//! from the source, and marks it `applied` (or `deleted`) only if the generation is still
//! the same when it writes; an event that arrived meanwhile leaves the key dirty for the
//! next round. A bulk copy that overwrites a key already applied makes it dirty again
//! (its copy may be older than the applied one).

use resplite_store::{Db, Reader, SqlValue, Writer};

/// A key's events since the last flush, merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyEvents {
    pub(crate) db: Db,
    pub(crate) key: Vec<u8>,
    pub(crate) first_at: i64,
    pub(crate) last_at: i64,
    pub(crate) count: i64,
    pub(crate) last_event: String,
}

/// Records merged events: new keys are inserted dirty, known ones become dirty again.
pub(crate) fn record_events(
    writer: &mut Writer<'_>,
    run_id: &str,
    events: &[KeyEvents],
) -> resplite_store::Result<()> {
    for event in events {
        writer.execute_sql(
            "INSERT INTO migration_dirty_keys \
                 (run_id, db, key, first_seen_at, last_seen_at, events_count, last_event, state) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'dirty') \
             ON CONFLICT (run_id, db, key) DO UPDATE SET \
                 last_seen_at = excluded.last_seen_at, \
                 events_count = events_count + excluded.events_count, \
                 last_event = excluded.last_event, state = 'dirty'",
            &[
                run_id.into(),
                event.db.into(),
                event.key.clone().into(),
                event.first_at.into(),
                event.last_at.into(),
                event.count.into(),
                event.last_event.clone().into(),
            ],
        )?;
    }
    Ok(())
}

/// Makes a tracked key dirty again with a new generation (a bulk copy just overwrote it, so
/// whatever a delta apply wrote or is writing may be older).
pub(crate) fn mark_redirty(
    writer: &mut Writer<'_>,
    run_id: &str,
    db: Db,
    key: &[u8],
) -> resplite_store::Result<()> {
    writer.execute_sql(
        "UPDATE migration_dirty_keys SET state = 'dirty', events_count = events_count + 1 \
         WHERE run_id = ?1 AND db = ?2 AND key = ?3",
        &[run_id.into(), db.into(), key.into()],
    )?;
    Ok(())
}

/// Registers a key the bulk copy could not write as failed, so the status is not safe until
/// a delta apply (which retries failed keys) has copied it.
pub(crate) fn mark_failed(
    writer: &mut Writer<'_>,
    run_id: &str,
    db: Db,
    key: &[u8],
) -> resplite_store::Result<()> {
    let now = writer.now();
    writer.execute_sql(
        "INSERT INTO migration_dirty_keys \
             (run_id, db, key, first_seen_at, last_seen_at, events_count, last_event, state) \
         VALUES (?1, ?2, ?3, ?4, ?4, 1, 'bulk-failed', 'error') \
         ON CONFLICT (run_id, db, key) DO UPDATE SET \
             last_seen_at = excluded.last_seen_at, events_count = events_count + 1, \
             last_event = excluded.last_event, state = 'error'",
        &[run_id.into(), db.into(), key.into(), now.into()],
    )?;
    Ok(())
}

/// A dirty key as the delta apply takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DirtyKey {
    pub(crate) db: Db,
    pub(crate) key: Vec<u8>,
    pub(crate) generation: i64,
}

/// Up to `limit` dirty keys last seen at or before `seen_by`, oldest first.
pub(crate) fn dirty_batch(
    reader: &Reader<'_>,
    run_id: &str,
    seen_by: i64,
    limit: i64,
) -> resplite_store::Result<Vec<DirtyKey>> {
    let rows = reader.query_sql(
        "SELECT db, key, events_count FROM migration_dirty_keys \
         WHERE run_id = ?1 AND state = 'dirty' AND last_seen_at <= ?2 \
         ORDER BY last_seen_at LIMIT ?3",
        &[run_id.into(), seen_by.into(), limit.into()],
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| {
            let generation = row.get(2)?.as_i64()?;
            let key = std::mem::replace(row.get_mut(1)?, SqlValue::Null).into_bytes()?;
            Some(DirtyKey { db: row.first()?.as_i64()? as Db, key, generation })
        })
        .collect())
}

/// Moves a dirty key to `state` (`applied`, `deleted` or `error`) if no event arrived since
/// its generation was read; answers whether it did.
pub(crate) fn settle(
    writer: &mut Writer<'_>,
    run_id: &str,
    dirty: &DirtyKey,
    state: &'static str,
) -> resplite_store::Result<bool> {
    let changed = writer.execute_sql(
        "UPDATE migration_dirty_keys SET state = ?5 \
         WHERE run_id = ?1 AND db = ?2 AND key = ?3 AND events_count = ?4 AND state = 'dirty'",
        &[
            run_id.into(),
            dirty.db.into(),
            dirty.key.clone().into(),
            dirty.generation.into(),
            state.into(),
        ],
    )?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use resplite_store::Store;

    use super::*;
    use crate::registry::Registry;

    fn registry() -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("registry.db")).unwrap();
        let registry = Registry::open(store, "run").unwrap();
        registry.create_or_load("redis://source").unwrap();
        (dir, registry)
    }

    fn event(key: &[u8], at: i64) -> KeyEvents {
        KeyEvents {
            db: 2,
            key: key.to_vec(),
            first_at: at,
            last_at: at,
            count: 1,
            last_event: "set".into(),
        }
    }

    fn record(registry: &Registry, events: Vec<KeyEvents>) {
        registry.store().write(move |writer| record_events(writer, "run", &events)).unwrap();
    }

    fn batch(registry: &Registry) -> Vec<DirtyKey> {
        registry.store().read(|reader| dirty_batch(reader, "run", i64::MAX, 100)).unwrap()
    }

    fn settle_now(registry: &Registry, dirty: &DirtyKey) -> bool {
        let dirty = dirty.clone();
        registry.store().write(move |writer| settle(writer, "run", &dirty, "applied")).unwrap()
    }

    #[test]
    fn a_key_changed_while_being_applied_stays_dirty() {
        let (_dir, registry) = registry();
        record(&registry, vec![event(b"k", 1)]);
        let taken = batch(&registry);
        assert_eq!(taken.len(), 1);
        // An event arrives between reading the row and settling it.
        record(&registry, vec![event(b"k", 2)]);
        assert!(!settle_now(&registry, &taken[0]));
        let again = batch(&registry);
        assert_eq!(again[0].generation, 2);
        assert!(settle_now(&registry, &again[0]));
        assert!(batch(&registry).is_empty());
        assert_eq!(registry.dirty_counts().unwrap().get("applied"), Some(&1));
    }

    #[test]
    fn a_bulk_overwrite_makes_an_applied_key_dirty_again() {
        let (_dir, registry) = registry();
        record(&registry, vec![event(b"k", 1), event(b"other", 1)]);
        for dirty in batch(&registry) {
            assert!(settle_now(&registry, &dirty));
        }
        registry.store().write(|writer| mark_redirty(writer, "run", 2, b"k")).unwrap();
        let dirty = batch(&registry);
        assert_eq!(dirty.len(), 1);
        assert_eq!((dirty[0].key.as_slice(), dirty[0].generation), (&b"k"[..], 2));
        // Overwritten again while dirty: a new generation, so an apply in flight cannot
        // settle it with what it read before.
        registry.store().write(|writer| mark_redirty(writer, "run", 2, b"k")).unwrap();
        assert!(!settle_now(&registry, &dirty[0]));
    }

    #[test]
    fn a_live_apply_takes_only_keys_dirty_when_it_started() {
        let (_dir, registry) = registry();
        record(&registry, vec![event(b"old", 10), event(b"new", 20)]);
        let taken = registry.store().read(|reader| dirty_batch(reader, "run", 15, 100)).unwrap();
        assert_eq!(taken.iter().map(|d| d.key.clone()).collect::<Vec<_>>(), vec![b"old".to_vec()]);
    }
}
