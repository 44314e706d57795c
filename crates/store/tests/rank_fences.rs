//! Ranks in big sorted sets, which come from counted fences (see `rank_fences.rs`), against a
//! plain sorted model: random bulk writes that split, join and drop fences, each followed by
//! the storage check (which recounts every fence) and by ranks and ranges by rank from deep
//! inside the sets (which ask for fences where a set has none).

mod common;

use std::collections::BTreeMap;

use proptest::prelude::*;
use resplite_store::{SqlValue, Store, ZRange, ZRangeQuery, ZaddFlags};

type Model = BTreeMap<u8, BTreeMap<Vec<u8>, f64>>;

#[derive(Clone, Debug)]
enum Operation {
    /// Members `first..first + count`, scored by [`score_of`]: a small spread piles them
    /// into few blocks, and existing members move.
    Add {
        key: u8,
        first: u32,
        count: u32,
        base: i32,
        spread: u32,
    },
    RemoveScores {
        key: u8,
        min: i32,
        max: i32,
    },
    RemoveRanks {
        key: u8,
        start: i64,
        end: i64,
    },
    Pop {
        key: u8,
        highest: bool,
        count: i64,
    },
    Copy {
        from: u8,
        to: u8,
    },
    Delete {
        key: u8,
    },
    RangeStore {
        destination: u8,
        source: u8,
        start: i64,
        end: i64,
    },
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = 0u8..2;
    prop_oneof![
        6 => (key.clone(), 0u32..6_000, 1u32..2_500, -20i32..20, prop_oneof![Just(0u32), Just(3), Just(5_000)])
            .prop_map(|(key, first, count, base, spread)| Operation::Add { key, first, count, base, spread }),
        2 => (key.clone(), -25i32..5_100, 0i32..1_000)
            .prop_map(|(key, min, width)| Operation::RemoveScores { key, min, max: min + width }),
        2 => (key.clone(), -3_000i64..3_000, 0i64..2_000)
            .prop_map(|(key, start, width)| Operation::RemoveRanks { key, start, end: start + width }),
        1 => (key.clone(), any::<bool>(), 1i64..1_500)
            .prop_map(|(key, highest, count)| Operation::Pop { key, highest, count }),
        1 => (key.clone(), key.clone()).prop_map(|(from, to)| Operation::Copy { from, to }),
        1 => key.clone().prop_map(|key| Operation::Delete { key }),
        1 => (key.clone(), key, -4_000i64..4_000, 0i64..3_000).prop_map(
            |(destination, source, start, width)| Operation::RangeStore {
                destination, source, start, end: start + width }),
    ]
}

/// The score [`Operation::Add`] gives member `n`; the lowest and highest bases stand for
/// `-inf` and `+inf`, so that members share the first fence's score too.
fn score_of(base: i32, spread: u32, n: u32) -> f64 {
    match base {
        -20 => f64::NEG_INFINITY,
        19 => f64::INFINITY,
        _ => f64::from(base) + f64::from((n * 37) % (spread + 1)),
    }
}

fn key_name(key: u8) -> Vec<u8> {
    format!("board{key}").into_bytes()
}

fn member_name(n: u32) -> Vec<u8> {
    format!("p{n:05}").into_bytes()
}

/// A set's members in Redis's order.
fn ordered(set: &BTreeMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
    let mut members: Vec<_> = set.iter().map(|(member, score)| (member.clone(), *score)).collect();
    members.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    members
}

/// Redis's clamping of a rank range over `length` members.
fn clamp(length: i64, start: i64, end: i64) -> Option<(usize, usize)> {
    let start = if start < 0 { (length + start).max(0) } else { start };
    let end = if end < 0 { length + end } else { end.min(length - 1) };
    (start <= end && start < length).then_some((start as usize, end as usize))
}

fn apply_to_model(model: &mut Model, operation: &Operation) {
    match operation {
        Operation::Add { key, first, count, base, spread } => {
            let set = model.entry(*key).or_default();
            for n in *first..first + count {
                set.insert(member_name(n), score_of(*base, *spread, n));
            }
        }
        Operation::RemoveScores { key, min, max } => {
            if let Some(set) = model.get_mut(key) {
                set.retain(|_, score| *score < f64::from(*min) || *score > f64::from(*max));
            }
        }
        Operation::RemoveRanks { key, start, end } => {
            if let Some(set) = model.get_mut(key) {
                let members = ordered(set);
                if let Some((start, end)) = clamp(members.len() as i64, *start, *end) {
                    for (member, _) in &members[start..=end] {
                        set.remove(member);
                    }
                }
            }
        }
        Operation::Pop { key, highest, count } => {
            if let Some(set) = model.get_mut(key) {
                let mut members = ordered(set);
                if *highest {
                    members.reverse();
                }
                for (member, _) in members.iter().take(*count as usize) {
                    set.remove(member);
                }
            }
        }
        Operation::Copy { from, to } => {
            if let Some(set) = model.get(from).cloned().filter(|_| from != to) {
                model.insert(*to, set);
            }
        }
        Operation::Delete { key } => {
            model.remove(key);
        }
        Operation::RangeStore { destination, source, start, end } => {
            let members = model.get(source).map(ordered).unwrap_or_default();
            let stored: BTreeMap<Vec<u8>, f64> = clamp(members.len() as i64, *start, *end)
                .map(|(start, end)| members[start..=end].iter().cloned().collect())
                .unwrap_or_default();
            model.insert(*destination, stored);
        }
    }
    model.retain(|_, set| !set.is_empty());
}

fn apply_to_store(store: &Store, operation: Operation) {
    store
        .write(move |writer| {
            match operation {
                Operation::Add { key, first, count, base, spread } => {
                    let pairs: Vec<(f64, Vec<u8>)> = (first..first + count)
                        .map(|n| (score_of(base, spread, n), member_name(n)))
                        .collect();
                    writer.zset_add(0, &key_name(key), ZaddFlags::default(), &pairs)?;
                }
                Operation::RemoveScores { key, min, max } => {
                    let range = ZRange::Score(resplite_store::ScoreRange {
                        min: f64::from(min),
                        min_exclusive: false,
                        max: f64::from(max),
                        max_exclusive: false,
                    });
                    writer.zset_remove_range(0, &key_name(key), &range)?;
                }
                Operation::RemoveRanks { key, start, end } => {
                    writer.zset_remove_range(0, &key_name(key), &ZRange::Rank { start, end })?;
                }
                Operation::Pop { key, highest, count } => {
                    writer.zset_pop(0, &key_name(key), highest, count)?;
                }
                // The server refuses a copy onto itself before the store sees it.
                Operation::Copy { from, to } if from == to => {}
                Operation::Copy { from, to } => {
                    writer.copy(0, &key_name(from), 0, &key_name(to), true)?;
                }
                Operation::Delete { key } => {
                    writer.delete(0, &[key_name(key)])?;
                }
                Operation::RangeStore { destination, source, start, end } => {
                    let query = ranks(start, end, false);
                    writer.zset_range_store(
                        0,
                        &key_name(destination),
                        &key_name(source),
                        &query,
                    )?;
                }
            }
            Ok(())
        })
        .unwrap();
}

/// What a range's `LIMIT offset limit` leaves of the members `inside` it (lowest first),
/// highest first when `reverse`.
fn limited(
    inside: &[(Vec<u8>, f64)],
    reverse: bool,
    offset: i64,
    limit: i64,
) -> Vec<(Vec<u8>, f64)> {
    let mut ordered = inside.to_vec();
    if reverse {
        ordered.reverse();
    }
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    ordered.into_iter().skip(offset as usize).take(take).collect()
}

fn ranks(start: i64, end: i64, reverse: bool) -> ZRangeQuery {
    ZRangeQuery { range: ZRange::Rank { start, end }, reverse, offset: 0, limit: -1 }
}

/// Ranks of members spread over each set, both ways, and short ranges by rank starting
/// deep inside it, both ways, against the model.
fn compare(store: &Store, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(common::violations(store), vec![]);
    for key in 0..2u8 {
        let expected = model.get(&key).map(ordered).unwrap_or_default();
        let length = expected.len() as i64;
        let name = key_name(key);
        let stored = store.read(|reader| reader.zset_len(0, &name)).unwrap();
        prop_assert_eq!(stored, length);
        for eighth in 0..=8 {
            let Some(index) = (length > 0).then(|| (length - 1) * eighth / 8) else { continue };
            let (member, score) = expected[index as usize].clone();
            let found = store
                .read(|reader| {
                    Ok((
                        reader.zset_rank(0, &name, &member, false)?,
                        reader.zset_rank(0, &name, &member, true)?,
                    ))
                })
                .unwrap();
            prop_assert_eq!(found, (Some((index, score)), Some((length - 1 - index, score))));
            for reverse in [false, true] {
                let query = ranks(index, index + 2, reverse);
                let range = store.read(|reader| reader.zset_range(0, &name, &query)).unwrap();
                let mut wanted = expected.clone();
                if reverse {
                    wanted.reverse();
                }
                let end = (index as usize + 3).min(wanted.len());
                prop_assert_eq!(&range[..], &wanted[index as usize..end], "reverse {}", reverse);
            }
        }
    }
    for key in 0..2u8 {
        let expected = model.get(&key).map(ordered).unwrap_or_default();
        let name = key_name(key);
        // Score windows between members at eighths of the set, both ends included, and
        // one open at the top.
        for (from, to) in [(0, 8), (1, 7), (2, 5), (3, 4), (0, 1), (6, 8)] {
            let Some(low) = expected.get(expected.len().saturating_sub(1) * from / 8) else {
                continue;
            };
            let high = expected[(expected.len() - 1) * to / 8].1;
            let high = if to == 8 { f64::INFINITY } else { high };
            let wanted = expected.iter().filter(|(_, s)| *s >= low.1 && *s <= high).count();
            let range = resplite_store::ScoreRange {
                min: low.1,
                min_exclusive: false,
                max: high,
                max_exclusive: false,
            };
            let counted = store.read(|reader| reader.zset_count(0, &name, &range)).unwrap();
            prop_assert_eq!(counted, wanted as i64, "ZCOUNT {} {}", low.1, high);
            // The same window with a `LIMIT` far into it, both ways.
            let inside: Vec<_> =
                expected.iter().filter(|(_, s)| *s >= low.1 && *s <= high).cloned().collect();
            for offset in [1_024, 2_100, wanted.saturating_sub(3) as i64] {
                for (reverse, limit) in [(false, 4), (true, 4), (false, -1), (true, -1)] {
                    let query = ZRangeQuery { range: ZRange::Score(range), reverse, offset, limit };
                    let found = store.read(|reader| reader.zset_range(0, &name, &query)).unwrap();
                    prop_assert_eq!(
                        found,
                        limited(&inside, reverse, offset, limit),
                        "ZRANGE {} {} BYSCORE REV {} LIMIT {} {}",
                        low.1,
                        high,
                        reverse,
                        offset,
                        limit
                    );
                }
            }
        }
    }
    prop_assert_eq!(common::violations(store), vec![]);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn ranks_in_big_sets_match_a_sorted_model(
        operations in proptest::collection::vec(operation(), 1..16)
    ) {
        let (_dir, store) = common::open();
        let mut model = Model::new();
        for operation in operations {
            apply_to_model(&mut model, &operation);
            apply_to_store(&store, operation.clone());
            compare(&store, &model).map_err(|failure| {
                TestCaseError::fail(format!("after {operation:?}: {failure}"))
            })?;
        }
    }
}

#[test]
fn a_set_piled_into_one_score_splits_its_block_and_ranks_stay_exact() {
    let (_dir, store) = common::open();
    let mut model = Model::new();
    let mut fence_counts = Vec::new();
    // 2,000 members spread out, then 3,000 more all at one score in the middle: the block
    // there grows past 1,024 members many times over and is split each time.
    for operation in [
        Operation::Add { key: 0, first: 0, count: 2_000, base: 0, spread: 5_000 },
        Operation::Add { key: 0, first: 2_000, count: 3_000, base: 2_500, spread: 0 },
        Operation::RemoveScores { key: 0, min: 2_500, max: 2_500 },
        Operation::RemoveRanks { key: 0, start: 10, end: 1_900 },
    ] {
        apply_to_model(&mut model, &operation);
        apply_to_store(&store, operation.clone());
        compare(&store, &model).unwrap_or_else(|failure| panic!("after {operation:?}: {failure}"));
        // The ranks just asked for fences; a write after them waits for those to be built.
        store.write(|_| Ok(())).unwrap();
        fence_counts.push(fences(&store));
    }
    // Built for the ranks asked at 2,000 members (512, 512, 976), split to at least 8 by the
    // pile-in (5,000 members in blocks of at most 1,024), fewer as it shrinks, none once
    // under 256 members.
    assert_eq!(fence_counts[0], 3);
    assert!(fence_counts[1] >= 8, "{fence_counts:?}");
    assert!(fence_counts[2] < fence_counts[1], "{fence_counts:?}");
    assert_eq!(fence_counts[3], 0, "{fence_counts:?}");
}

/// How many fences the store holds.
fn fences(store: &Store) -> i64 {
    count_of(store, "SELECT count(*) FROM zset_fences")
}

/// How many triggers the store's schema holds.
fn triggers(store: &Store) -> i64 {
    count_of(
        store,
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'zset%'",
    )
}

/// The one integer `sql` answers.
fn count_of(store: &Store, sql: &str) -> i64 {
    match store.read(|reader| reader.query_sql(sql, &[])).unwrap()[0][0] {
        SqlValue::Integer(count) => count,
        ref other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn a_set_gets_fences_only_once_a_read_counts_far_into_it() {
    let (_dir, store) = common::open();
    let operation = Operation::Add { key: 0, first: 0, count: 5_000, base: 0, spread: 5_000 };
    apply_to_store(&store, operation);
    let name = key_name(0);
    // Reads from the ends, and the ranks of the members nearest them, count a few members.
    store
        .read(|reader| {
            reader.zset_range(0, &name, &ranks(0, 9, false))?;
            reader.zset_range(0, &name, &ranks(0, 9, true))?;
            reader.zset_rank(0, &name, b"p00000", false)
        })
        .unwrap();
    store.write(|_| Ok(())).unwrap();
    assert_eq!((fences(&store), triggers(&store)), (0, 0));
    // A rank from the middle counts; its read asks for fences, built before the next write.
    let middle = store.read(|reader| reader.zset_range(0, &name, &ranks(2_500, 2_500, false)));
    let (member, _) = middle.unwrap().pop().unwrap();
    store.read(|reader| reader.zset_rank(0, &name, &member, false)).unwrap();
    store.write(|_| Ok(())).unwrap();
    // 5,000 members: eight blocks of 512, then 904, and the triggers that keep them.
    assert_eq!((fences(&store), triggers(&store)), (9, 5));
    assert_eq!(common::violations(&store), vec![]);
    // The last fenced set gone, writes into sorted sets call no trigger again.
    apply_to_store(&store, Operation::Delete { key: 0 });
    assert_eq!((fences(&store), triggers(&store)), (0, 0));
}

#[test]
fn fencing_a_big_set_goes_on_in_steps_until_every_block_is_split() {
    let (_dir, store) = common::open();
    let operation = Operation::Add { key: 0, first: 0, count: 40_000, base: 0, spread: 5_000 };
    apply_to_store(&store, operation);
    let name = key_name(0);
    let member = member_name(20_000);
    let rank = store.read(|reader| reader.zset_rank(0, &name, &member, false)).unwrap();
    // Each step makes at most 64 splits and queues the next behind the writes of its time:
    // 40,000 members end as 77 blocks of 512 and one of 576.
    let mut steps = 0;
    while fences(&store) < 78 && steps < 20 {
        store.write(|_| Ok(())).unwrap();
        steps += 1;
    }
    assert_eq!(fences(&store), 78);
    assert_eq!(store.read(|reader| reader.zset_rank(0, &name, &member, false)).unwrap(), rank);
    assert_eq!(common::violations(&store), vec![]);
}

/// Fills set 0 with 3,000 members at one score (a lex set) and set 1 with 3,000 at 3,000
/// distinct scores, fences both with a middle rank, and answers their model.
fn two_fenced_sets(store: &Store) -> Model {
    let mut model = Model::new();
    for operation in [
        Operation::Add { key: 0, first: 0, count: 3_000, base: 7, spread: 0 },
        Operation::Add { key: 1, first: 0, count: 3_000, base: 0, spread: 5_000 },
    ] {
        apply_to_model(&mut model, &operation);
        apply_to_store(store, operation);
    }
    for key in 0..2 {
        let name = key_name(key);
        store.read(|reader| reader.zset_rank(0, &name, &member_name(1_500), false)).unwrap();
    }
    store.write(|_| Ok(())).unwrap();
    // Each set: four blocks of 512, then 952.
    assert_eq!(fences(store), 10);
    model
}

#[test]
fn big_counts_come_from_fences_once_a_set_has_them() {
    let (_dir, store) = common::open();
    two_fenced_sets(&store);
    let lex = |min: &str, max: &str| {
        let range = resplite_store::LexRange::parse(min.as_bytes(), max.as_bytes()).unwrap();
        store.read(|reader| reader.zset_lex_count(0, &key_name(0), &range)).unwrap()
    };
    assert_eq!(lex("-", "+"), 3_000);
    assert_eq!(lex("[p00100", "[p02599"), 2_500);
    assert_eq!(lex("(p00100", "(p02599"), 2_498);
    assert_eq!(lex("[p00100", "+"), 2_900);
    assert_eq!(lex("-", "(p01200"), 1_200);
    assert_eq!(lex("[p00100", "[p00110"), 11);
    let count = |min: f64, max: f64, exclusive: bool| {
        let range = resplite_store::ScoreRange {
            min,
            min_exclusive: exclusive,
            max,
            max_exclusive: exclusive,
        };
        store.read(|reader| reader.zset_count(0, &key_name(1), &range)).unwrap()
    };
    // Member p0N scores (N * 37) % 5001, so its scores are 3,000 distinct values.
    let scores: Vec<f64> = (0..3_000u32).map(|n| f64::from((n * 37) % 5_001)).collect();
    for (min, max) in [(f64::NEG_INFINITY, f64::INFINITY), (100.0, 4_000.0), (0.0, 2_500.0)] {
        for exclusive in [false, true] {
            let inside = |score: &&f64| {
                if exclusive {
                    **score > min && **score < max
                } else {
                    **score >= min && **score <= max
                }
            };
            assert_eq!(count(min, max, exclusive), scores.iter().filter(inside).count() as i64);
        }
    }
    assert_eq!(common::violations(&store), vec![]);
}

#[test]
fn far_limits_of_score_and_lex_ranges_start_from_the_fences() {
    let (_dir, store) = common::open();
    let model = two_fenced_sets(&store);
    let shapes = [(false, 3), (true, 3), (false, -1), (true, -1)];
    let offsets = [1_024, 2_048, 2_100, 2_497, 2_500, 2_999, 3_000];
    // Lex windows: an end is `-`/`+` (`None`) or a member, included or not.
    let lex_set = ordered(&model[&0]);
    let bound = |end: Option<(u32, bool)>, open: &str| match end {
        None => open.to_string(),
        Some((n, true)) => format!("[p{n:05}"),
        Some((n, false)) => format!("(p{n:05}"),
    };
    for (low, high) in [
        (None, None),
        (Some((100, true)), Some((2_599, true))),
        (Some((100, false)), Some((2_599, false))),
        (Some((900, true)), None),
        (None, Some((2_700, false))),
    ] {
        let (min, max) = (bound(low, "-"), bound(high, "+"));
        let range = resplite_store::LexRange::parse(min.as_bytes(), max.as_bytes()).unwrap();
        let after_low = |member: &[u8]| match low {
            None => true,
            Some((n, true)) => member >= &member_name(n)[..],
            Some((n, false)) => member > &member_name(n)[..],
        };
        let before_high = |member: &[u8]| match high {
            None => true,
            Some((n, true)) => member <= &member_name(n)[..],
            Some((n, false)) => member < &member_name(n)[..],
        };
        let inside: Vec<_> = lex_set
            .iter()
            .filter(|(member, _)| after_low(member) && before_high(member))
            .cloned()
            .collect();
        for offset in offsets {
            for (reverse, limit) in shapes {
                let query =
                    ZRangeQuery { range: ZRange::Lex(range.clone()), reverse, offset, limit };
                let found =
                    store.read(|reader| reader.zset_range(0, &key_name(0), &query)).unwrap();
                let wanted = limited(&inside, reverse, offset, limit);
                assert_eq!(found, wanted, "{min} {max} REV {reverse} LIMIT {offset} {limit}");
            }
        }
    }
    // Score windows, ends included or not.
    let scored = ordered(&model[&1]);
    for (min, max) in [(f64::NEG_INFINITY, f64::INFINITY), (100.0, 4_000.0), (0.0, 4_998.0)] {
        for exclusive in [false, true] {
            let range = resplite_store::ScoreRange {
                min,
                min_exclusive: exclusive,
                max,
                max_exclusive: exclusive,
            };
            let inside: Vec<_> = scored
                .iter()
                .filter(|(_, score)| match exclusive {
                    true => *score > min && *score < max,
                    false => *score >= min && *score <= max,
                })
                .cloned()
                .collect();
            for offset in offsets {
                for (reverse, limit) in shapes {
                    let query = ZRangeQuery { range: ZRange::Score(range), reverse, offset, limit };
                    let found =
                        store.read(|reader| reader.zset_range(0, &key_name(1), &query)).unwrap();
                    let wanted = limited(&inside, reverse, offset, limit);
                    assert_eq!(found, wanted, "{min} {max} ({exclusive}) REV {reverse} {offset}");
                }
            }
        }
    }
    assert_eq!(common::violations(&store), vec![]);
}
