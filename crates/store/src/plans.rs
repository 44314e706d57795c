//! Query-plan checks: every hot query must use an index the way its complexity promises.
//!
//! A planner's choice can silently turn an O(log n) step into a scan of every key (as
//! `GROUP BY` once did for the unswept-key count), so these tests read SQLite's own plan
//! instead of timing anything.

#[cfg(test)]
mod tests {
    use crate::collections::GRAVEYARD_SQL;
    use crate::expiry::SWEEP_SQL;
    use crate::hashes::{HASH_FROM_SQL, HASH_GET_SQL};
    use crate::keys::{HIGHEST_ID_SQL, LOWEST_ID_SQL, SCAN_SQL, UNSWEPT_SQL};
    use crate::list_edits::LIST_SHIFT_SQL;
    use crate::lists::{
        LIST_DELETE_RANGE_SQL, LIST_ITEM_SQL, LIST_MATCHES_DESC_SQL, LIST_MATCHES_SQL,
        LIST_MOVE_SQL, LIST_RANGE_DESC_SQL, LIST_RANGE_SQL,
    };
    use crate::reader::LOOKUP_SQL;
    use crate::sets::{SET_ALL_SQL, SET_CONTAINS_SQL, SET_DELETE_SQL, SET_FROM_SQL, SET_RANK_SQL};
    use crate::strings::GET_SQL;
    use crate::writer::LIVE_STRING_SQL;

    /// Each query and the index its plan must search.
    const HOT_QUERIES: &[(&str, &str)] = &[
        (LOOKUP_SQL, "keys_by_name"),
        (GET_SQL, "keys_by_name"),
        (LIVE_STRING_SQL, "keys_by_name"),
        (SCAN_SQL, "keys_by_db"),
        (LOWEST_ID_SQL, "keys_by_db"),
        (HIGHEST_ID_SQL, "keys_by_db"),
        (UNSWEPT_SQL, "keys_by_expiry"),
        (SWEEP_SQL, "keys_by_expiry"),
        (GRAVEYARD_SQL, "keys_by_db"),
        (HASH_GET_SQL, "PRIMARY KEY"),
        (HASH_FROM_SQL, "PRIMARY KEY"),
        (SET_CONTAINS_SQL, "PRIMARY KEY"),
        (SET_DELETE_SQL, "PRIMARY KEY"),
        (SET_FROM_SQL, "PRIMARY KEY"),
        (SET_ALL_SQL, "PRIMARY KEY"),
        (SET_RANK_SQL, "PRIMARY KEY"),
        (LIST_ITEM_SQL, "PRIMARY KEY (key_id=? AND position=?)"),
        (LIST_RANGE_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_RANGE_DESC_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MATCHES_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MATCHES_DESC_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_DELETE_RANGE_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MOVE_SQL, "PRIMARY KEY (key_id=? AND position=?)"),
        (LIST_SHIFT_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
    ];

    #[test]
    fn hot_queries_search_their_index_and_never_scan_or_sort() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("plans.db")).unwrap();
        store
            .read(|reader| {
                for (sql, index) in HOT_QUERIES {
                    let mut statement =
                        reader.connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let count = statement.parameter_count();
                    let parameters: Vec<i64> = (0..count as i64).collect();
                    let plan: Vec<String> = statement
                        .query_map(rusqlite::params_from_iter(parameters), |row| row.get(3))?
                        .collect::<rusqlite::Result<_>>()?;
                    let plan = plan.join("; ");
                    assert!(plan.contains("SEARCH "), "{sql}: {plan}");
                    assert!(plan.contains(index), "{sql} must use {index}: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
                }
                Ok(())
            })
            .unwrap();
    }
}
