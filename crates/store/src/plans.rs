//! Query-plan checks: every hot query must use an index the way its complexity promises.
//!
//! A planner's choice can silently turn an O(log n) step into a scan of every key (as
//! `GROUP BY` once did for the unswept-key count), so these tests read SQLite's own plan
//! instead of timing anything.

#[cfg(test)]
mod tests {
    use crate::collections::GRAVEYARD_SQL;
    use crate::expiry::{EXPIRE_LIVE_KEY_SQL, SWEEP_SQL};
    use crate::field_deadlines::{EARLIEST_IN_HASH_SQL, EXPIRED_IN_HASH_SQL, SWEEP_FIELDS_SQL};
    use crate::hashes::{
        HASH_AFTER_SQL, HASH_FIELD_ELEMENTS, HASH_FROM_SQL, HASH_GET_SQL, HASH_INCREMENT_SQL,
        HASH_NAMES_SQL, HASH_VALUE_LEN_SQL,
    };
    use crate::increments::INCREMENT_LIVE_STRING_SQL;
    use crate::keys::{HIGHEST_ID_SQL, LOWEST_ID_SQL, SCAN_SQL, UNSWEPT_SQL};
    use crate::list_edits::LIST_SHIFT_SQL;
    use crate::lists::{
        LIST_DELETE_RANGE_SQL, LIST_ITEM_SQL, LIST_MATCHES_DESC_SQL, LIST_MATCHES_SQL,
        LIST_MOVE_SQL, LIST_RANGE_DESC_SQL, LIST_RANGE_SQL,
    };
    use crate::lookups;
    use crate::rank_fences::{
        ASCENDING_SQL, AT_SCORE_BELOW_SQL, AT_SCORE_BETWEEN_SQL, AT_SCORE_FROM_SQL,
        BETWEEN_SCORES_SQL, BLOCK_OF_SQL, DESCENDING_SQL, FENCE_CANDIDATE_SQL,
        FENCE_SCORE_SPAN_SQL, FENCES_ABOVE_SQL, FENCES_AT_SCORE_ABOVE_SQL,
        FENCES_AT_SCORE_BELOW_SQL, FENCES_BELOW_SQL, HAS_FENCES_SQL, MEMBERS_DOWN_SQL,
        MEMBERS_UP_SQL, OVERSIZED_SQL, SPLIT_POINT_SQL, TRIGGER_STATEMENTS,
    };
    use crate::reader::{LOOKUP_BY_ID_SQL, LOOKUP_SQL};
    use crate::set_algebra::probing_sql;
    use crate::sets::{SET_ALL_SQL, SET_CONTAINS_SQL, SET_DELETE_SQL, SET_ELEMENTS};
    use crate::sorted_sets::{
        ZSET_AFTER_SQL, ZSET_ASCENDING_SQL, ZSET_COUNT_ABOVE_SQL, ZSET_COUNT_BELOW_SQL,
        ZSET_DESCENDING_SQL, ZSET_FROM_HASH_SQL, ZSET_SCORE_SQL,
    };
    use crate::strings::{GET_SQL, OVERWRITE_LIVE_STRING_SQL, OVERWRITE_PLAIN_STRING_SQL};
    use crate::writer::LIVE_STRING_SQL;
    use crate::zset_algebra::{SET_HAS_SQL, ZSET_ALL_SQL};
    use crate::zset_ranges::{
        LEX_ASCENDING_OPEN_SQL, LEX_ASCENDING_SQL, LEX_COUNT_OPEN_SQL, LEX_COUNT_OPEN_UP_TO_SQL,
        LEX_COUNT_SQL, LEX_COUNT_UP_TO_SQL, LEX_DELETE_OPEN_SQL, LEX_DELETE_SQL,
        LEX_DESCENDING_OPEN_SQL, LEX_DESCENDING_SQL, RANK_DELETE_SQL, SCORE_ASCENDING_SQL,
        SCORE_COUNT_SQL, SCORE_COUNT_UP_TO_SQL, SCORE_DELETE_SQL, SCORE_DESCENDING_SQL,
    };

    /// Each query and the index its plan must search.
    const HOT_QUERIES: &[(&str, &str)] = &[
        (LOOKUP_SQL, "keys_by_name"),
        (LOOKUP_BY_ID_SQL, "INTEGER PRIMARY KEY (rowid=?)"),
        (GET_SQL, "keys_by_name"),
        (LIVE_STRING_SQL, "keys_by_name"),
        (OVERWRITE_PLAIN_STRING_SQL, "keys_by_name"),
        (OVERWRITE_LIVE_STRING_SQL, "keys_by_name"),
        (INCREMENT_LIVE_STRING_SQL, "keys_by_name"),
        (EXPIRE_LIVE_KEY_SQL, "keys_by_name"),
        (SCAN_SQL, "keys_by_db"),
        (LOWEST_ID_SQL, "keys_by_db"),
        (HIGHEST_ID_SQL, "keys_by_db"),
        (UNSWEPT_SQL, "keys_by_expiry"),
        (SWEEP_SQL, "keys_by_expiry"),
        (GRAVEYARD_SQL, "keys_by_db"),
        (HASH_GET_SQL, "PRIMARY KEY"),
        (HASH_VALUE_LEN_SQL, "PRIMARY KEY"),
        (HASH_INCREMENT_SQL, "PRIMARY KEY"),
        (HASH_NAMES_SQL, "PRIMARY KEY"),
        (HASH_FROM_SQL, "PRIMARY KEY"),
        (HASH_FIELD_ELEMENTS.from_hash, "PRIMARY KEY"),
        (HASH_FIELD_ELEMENTS.by_rank, "PRIMARY KEY (key_id=?)"),
        (EXPIRED_IN_HASH_SQL, "hash_fields_by_key_expiry (key_id=? AND expires_at<?)"),
        (EARLIEST_IN_HASH_SQL, "hash_fields_by_key_expiry (key_id=? AND expires_at>?)"),
        (SWEEP_FIELDS_SQL, "hash_fields_by_expiry (expires_at<?)"),
        (SET_CONTAINS_SQL, "PRIMARY KEY"),
        (SET_DELETE_SQL, "PRIMARY KEY"),
        (SET_ELEMENTS.from_hash, "PRIMARY KEY"),
        (SET_ALL_SQL, "PRIMARY KEY"),
        (SET_ELEMENTS.by_rank, "PRIMARY KEY"),
        (SET_ELEMENTS.after, "PRIMARY KEY (key_id=? AND (hash,member)>(?,?))"),
        (HASH_AFTER_SQL, "PRIMARY KEY (key_id=? AND (hash,field)>(?,?))"),
        (HASH_FIELD_ELEMENTS.after, "PRIMARY KEY (key_id=? AND (hash,field)>(?,?))"),
        (ZSET_AFTER_SQL, "PRIMARY KEY (key_id=? AND (hash,member)>(?,?))"),
        (ZSET_SCORE_SQL, "PRIMARY KEY"),
        (ZSET_FROM_HASH_SQL, "PRIMARY KEY"),
        (ZSET_ALL_SQL, "zset_by_score"),
        (SET_HAS_SQL, "PRIMARY KEY"),
        (ZSET_COUNT_BELOW_SQL, "zset_by_score"),
        (ZSET_COUNT_ABOVE_SQL, "zset_by_score"),
        (ZSET_ASCENDING_SQL, "zset_by_score"),
        (ZSET_DESCENDING_SQL, "zset_by_score"),
        (SCORE_ASCENDING_SQL, "zset_by_score"),
        (SCORE_DESCENDING_SQL, "zset_by_score"),
        (SCORE_COUNT_SQL, "zset_by_score"),
        (SCORE_COUNT_UP_TO_SQL, "zset_by_score"),
        (LEX_COUNT_UP_TO_SQL, "zset_by_score"),
        (LEX_COUNT_OPEN_UP_TO_SQL, "zset_by_score"),
        (SCORE_DELETE_SQL, "zset_by_score"),
        (RANK_DELETE_SQL, "zset_by_score"),
        (LEX_ASCENDING_SQL, "zset_by_score"),
        (LEX_ASCENDING_OPEN_SQL, "zset_by_score"),
        (LEX_DESCENDING_SQL, "zset_by_score"),
        (LEX_DESCENDING_OPEN_SQL, "zset_by_score"),
        (LEX_COUNT_SQL, "zset_by_score"),
        (LEX_COUNT_OPEN_SQL, "zset_by_score"),
        (LEX_DELETE_SQL, "zset_by_score"),
        (LEX_DELETE_OPEN_SQL, "zset_by_score"),
        (LIST_ITEM_SQL, "PRIMARY KEY (key_id=? AND position=?)"),
        (LIST_RANGE_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_RANGE_DESC_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MATCHES_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MATCHES_DESC_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_DELETE_RANGE_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (LIST_MOVE_SQL, "PRIMARY KEY (key_id=? AND position=?)"),
        (LIST_SHIFT_SQL, "PRIMARY KEY (key_id=? AND position>? AND position<?)"),
        (BLOCK_OF_SQL, "PRIMARY KEY (key_id=? AND (score,member)<(?,?))"),
        (AT_SCORE_BETWEEN_SQL, "zset_by_score (key_id=? AND score=? AND member>? AND member<?)"),
        (AT_SCORE_FROM_SQL, "zset_by_score (key_id=? AND score=? AND member>?)"),
        (BETWEEN_SCORES_SQL, "zset_by_score (key_id=? AND score>? AND score<?)"),
        (AT_SCORE_BELOW_SQL, "zset_by_score (key_id=? AND score=? AND member<?)"),
        (FENCES_BELOW_SQL, "PRIMARY KEY (key_id=? AND score<?)"),
        (FENCES_ABOVE_SQL, "PRIMARY KEY (key_id=? AND score>?)"),
        (FENCES_AT_SCORE_BELOW_SQL, "PRIMARY KEY (key_id=? AND score=? AND member<?)"),
        (FENCES_AT_SCORE_ABOVE_SQL, "PRIMARY KEY (key_id=? AND score=? AND member>?)"),
        (ASCENDING_SQL, "PRIMARY KEY (key_id=?)"),
        (OVERSIZED_SQL, "PRIMARY KEY (key_id=?)"),
        (HAS_FENCES_SQL, "PRIMARY KEY (key_id=?)"),
        (FENCE_SCORE_SPAN_SQL, "PRIMARY KEY (key_id=? AND (score,member)>(?,?))"),
        (SPLIT_POINT_SQL, "zset_by_score (key_id=? AND (score,member)>(?,?))"),
        (FENCE_CANDIDATE_SQL, "INTEGER PRIMARY KEY (rowid=?)"),
        (DESCENDING_SQL, "PRIMARY KEY (key_id=?)"),
        (MEMBERS_UP_SQL, "zset_by_score (key_id=? AND (score,member)>(?,?))"),
        (MEMBERS_DOWN_SQL, "zset_by_score (key_id=? AND (score,member)<(?,?))"),
    ];

    /// SQLite's plan for `sql`, its steps joined by `; `.
    fn plan_of(reader: &crate::Reader<'_>, sql: &str) -> rusqlite::Result<String> {
        let mut statement = reader.connection.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let count = statement.parameter_count();
        let parameters: Vec<i64> = (0..count as i64).collect();
        let plan: Vec<String> = statement
            .query_map(rusqlite::params_from_iter(parameters), |row| row.get(3))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(plan.join("; "))
    }

    #[test]
    fn hot_queries_search_their_index_and_never_scan_or_sort() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("plans.db")).unwrap();
        // On the write connection, which alone has resplite's SQL functions.
        store
            .write(|writer| {
                let reader: &crate::Reader<'_> = writer;
                for (sql, index) in HOT_QUERIES.iter().chain(TRIGGER_STATEMENTS) {
                    let plan = plan_of(reader, sql)?;
                    assert!(plan.contains("SEARCH "), "{sql}: {plan}");
                    assert!(plan.contains(index), "{sql} must use {index}: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn batched_lookups_are_one_search_each_in_the_order_asked() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("plans.db")).unwrap();
        let lookups = [
            (&*lookups::KEYS, "SEARCH found USING INDEX keys_by_name (db=? AND key=?)"),
            (&*lookups::KEY_DEADLINES, "SEARCH found USING INDEX keys_by_name (db=? AND key=?)"),
            (
                &*lookups::HASH_FIELDS,
                "SEARCH found USING PRIMARY KEY (key_id=? AND hash=? AND field=?)",
            ),
            (
                &*lookups::SET_MEMBERS,
                "SEARCH found USING PRIMARY KEY (key_id=? AND hash=? AND member=?)",
            ),
            (
                &*lookups::ZSET_MEMBERS,
                "SEARCH found USING PRIMARY KEY (key_id=? AND hash=? AND member=?)",
            ),
        ];
        store
            .read(|reader| {
                for (lookup, search) in lookups {
                    for (sql, width) in lookup.statements().iter().zip(lookups::BATCH_WIDTHS) {
                        // The batch is walked once, in its own order, with one search per row.
                        let walk = match width {
                            1 => "CO-ROUTINE wanted; SCAN CONSTANT ROW; SCAN wanted".to_owned(),
                            _ => format!("SCAN {width}-ROW VALUES CLAUSE"),
                        };
                        assert_eq!(plan_of(reader, sql)?, format!("{walk}; {search} LEFT-JOIN"));
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn set_probes_are_one_primary_key_search_each() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path().join("plans.db")).unwrap();
        let probe = "USING PRIMARY KEY (key_id=? AND hash=? AND member=?)";
        store
            .read(|reader| {
                for probes in 1..=8 {
                    for present in [true, false] {
                        let sql = probing_sql(probes, present);
                        let plan = plan_of(reader, &sql)?;
                        assert!(plan.starts_with("SEARCH walked USING PRIMARY KEY (key_id=?)"));
                        assert_eq!(plan.matches(probe).count(), probes, "{sql}: {plan}");
                        assert!(!plan.contains("SCAN") && !plan.contains("TEMP B-TREE"), "{plan}");
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}
