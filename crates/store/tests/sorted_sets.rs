//! Sorted sets against an in-memory model: random sequences of writes and range reads, each
//! answer and every set's final contents compared with a plain sorted vector that follows
//! Redis's rules (including its listpack walk for lex ranges over mixed scores).

mod common;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use proptest::prelude::*;
use resplite_store::{
    Aggregate, Combination, KeyType, LexBound, LexRange, ScoreRange, StoreError, ZRange,
    ZRangeQuery, ZSetOperation, ZaddFlags, ZaddOutcome,
};

type Set = Vec<(Vec<u8>, f64)>;
type Model = BTreeMap<u8, Set>;

const KEYS: u8 = 4;

#[derive(Clone, Debug)]
enum Operation {
    Add(u8, ZaddFlags, Vec<(f64, u8)>),
    Remove(u8, Vec<u8>),
    Pop(u8, bool, i64),
    RemoveRange(u8, ZRange),
    RangeStore(u8, u8, ZRangeQuery),
    CombineStore(u8, ZSetOperation, Vec<u8>, Vec<f64>, Aggregate),
    DeleteKey(u8),
    Range(u8, ZRangeQuery),
    Combine(ZSetOperation, Vec<u8>, Vec<f64>, Aggregate),
    Rank(u8, u8, bool),
    Count(u8, ScoreRange),
    LexCount(u8, LexRange),
}

/// What an operation answers, in one comparable shape.
#[derive(Debug, PartialEq)]
enum Answer {
    Count(i64),
    Added(ZaddOutcome),
    Members(Set),
    Rank(Option<(i64, f64)>),
}

fn key_name(key: u8) -> Vec<u8> {
    format!("zset{key}").into_bytes()
}

fn member_name(member: u8) -> Vec<u8> {
    format!("m{member}").into_bytes()
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![8 => (-3i32..=3).prop_map(f64::from), 1 => Just(0.5), 1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY)]
}

fn flags() -> impl Strategy<Value = ZaddFlags> {
    let plain = ZaddFlags::default();
    prop_oneof![
        4 => Just(plain),
        1 => Just(ZaddFlags { nx: true, ..plain }),
        1 => Just(ZaddFlags { xx: true, ..plain }),
        1 => Just(ZaddFlags { gt: true, ..plain }),
        1 => Just(ZaddFlags { lt: true, ..plain }),
        1 => Just(ZaddFlags { xx: true, gt: true, ..plain }),
        1 => Just(ZaddFlags { xx: true, lt: true, ..plain }),
        2 => Just(ZaddFlags { incr: true, ..plain }),
        1 => Just(ZaddFlags { incr: true, nx: true, ..plain }),
        1 => Just(ZaddFlags { incr: true, xx: true, ..plain }),
        1 => Just(ZaddFlags { incr: true, gt: true, ..plain }),
    ]
}

fn score_range() -> impl Strategy<Value = ScoreRange> {
    (score(), any::<bool>(), score(), any::<bool>()).prop_map(
        |(min, min_exclusive, max, max_exclusive)| ScoreRange {
            min,
            min_exclusive,
            max,
            max_exclusive,
        },
    )
}

fn lex_bound() -> impl Strategy<Value = LexBound> {
    let member = prop_oneof![4 => (0u8..9).prop_map(member_name), 1 => Just(b"m".to_vec())];
    prop_oneof![
        1 => Just(LexBound::Minimum),
        1 => Just(LexBound::Maximum),
        3 => member.clone().prop_map(LexBound::Inclusive),
        3 => member.prop_map(LexBound::Exclusive),
    ]
}

fn lex_range() -> impl Strategy<Value = LexRange> {
    (lex_bound(), lex_bound()).prop_map(|(min, max)| LexRange { min, max })
}

fn range() -> impl Strategy<Value = ZRange> {
    prop_oneof![
        (-8i64..8, -8i64..8).prop_map(|(start, end)| ZRange::Rank { start, end }),
        score_range().prop_map(ZRange::Score),
        lex_range().prop_map(ZRange::Lex),
    ]
}

fn query() -> impl Strategy<Value = ZRangeQuery> {
    (range(), any::<bool>(), -1i64..4, -1i64..4)
        .prop_map(|(range, reverse, offset, limit)| ZRangeQuery { range, reverse, offset, limit })
}

fn combination() -> impl Strategy<Value = (ZSetOperation, Vec<u8>, Vec<f64>, Aggregate)> {
    let operation = prop_oneof![
        Just(ZSetOperation::Union),
        Just(ZSetOperation::Inter),
        Just(ZSetOperation::Diff)
    ];
    let aggregate = prop_oneof![Just(Aggregate::Sum), Just(Aggregate::Min), Just(Aggregate::Max)];
    (operation, proptest::collection::vec(0..KEYS, 1..4), any::<bool>(), aggregate).prop_flat_map(
        |(operation, keys, weighted, aggregate)| {
            let count = keys.len();
            let weights = if weighted && operation != ZSetOperation::Diff {
                proptest::collection::vec((-2i32..=2).prop_map(f64::from), count).boxed()
            } else {
                Just(Vec::new()).boxed()
            };
            let aggregate =
                if operation == ZSetOperation::Diff { Aggregate::Sum } else { aggregate };
            (Just(operation), Just(keys), weights, Just(aggregate))
        },
    )
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = 0..KEYS;
    let member = 0u8..9;
    prop_oneof![
        6 => (key.clone(), flags(), proptest::collection::vec((score(), member.clone()), 1..5))
            .prop_map(|(key, flags, mut pairs)| {
                if flags.incr {
                    pairs.truncate(1);
                }
                Operation::Add(key, flags, pairs)
            }),
        2 => (key.clone(), proptest::collection::vec(member.clone(), 1..4))
            .prop_map(|(key, members)| Operation::Remove(key, members)),
        1 => (key.clone(), any::<bool>(), 0i64..4).prop_map(|(k, h, c)| Operation::Pop(k, h, c)),
        2 => (key.clone(), range()).prop_map(|(key, range)| Operation::RemoveRange(key, range)),
        1 => (key.clone(), key.clone(), query()).prop_map(|(d, s, q)| Operation::RangeStore(d, s, q)),
        1 => (key.clone(), combination())
            .prop_map(|(d, (o, k, w, a))| Operation::CombineStore(d, o, k, w, a)),
        1 => key.clone().prop_map(Operation::DeleteKey),
        4 => (key.clone(), query()).prop_map(|(key, query)| Operation::Range(key, query)),
        2 => combination().prop_map(|(o, k, w, a)| Operation::Combine(o, k, w, a)),
        2 => (key.clone(), member, any::<bool>()).prop_map(|(k, m, r)| Operation::Rank(k, m, r)),
        2 => (key.clone(), score_range()).prop_map(|(key, range)| Operation::Count(key, range)),
        2 => (key, lex_range()).prop_map(|(key, range)| Operation::LexCount(key, range)),
    ]
}

fn order(left: &(Vec<u8>, f64), right: &(Vec<u8>, f64)) -> Ordering {
    left.1.partial_cmp(&right.1).unwrap().then_with(|| left.0.cmp(&right.0))
}

fn in_score_range(range: &ScoreRange, score: f64) -> bool {
    let above = if range.min_exclusive { score > range.min } else { score >= range.min };
    let below = if range.max_exclusive { score < range.max } else { score <= range.max };
    above && below
}

/// A bound against a member: Less when the bound is below it.
fn bound_order(bound: &LexBound, member: &[u8]) -> Ordering {
    match bound {
        LexBound::Minimum => Ordering::Less,
        LexBound::Maximum => Ordering::Greater,
        LexBound::Inclusive(bytes) | LexBound::Exclusive(bytes) => bytes.as_slice().cmp(member),
    }
}

fn above_min(range: &LexRange, member: &[u8]) -> bool {
    match (&range.min, bound_order(&range.min, member)) {
        (LexBound::Inclusive(_), Ordering::Equal) => true,
        (_, order) => order == Ordering::Less,
    }
}

fn below_max(range: &LexRange, member: &[u8]) -> bool {
    match (&range.max, bound_order(&range.max, member)) {
        (LexBound::Inclusive(_), Ordering::Equal) => true,
        (_, order) => order == Ordering::Greater,
    }
}

fn lex_empty(range: &LexRange) -> bool {
    let value = |bound: &LexBound| match bound {
        LexBound::Minimum => (0, Vec::new()),
        LexBound::Inclusive(bytes) | LexBound::Exclusive(bytes) => (1, bytes.clone()),
        LexBound::Maximum => (2, Vec::new()),
    };
    let inclusive = |bound: &LexBound| matches!(bound, LexBound::Inclusive(_));
    match value(&range.min).cmp(&value(&range.max)) {
        Ordering::Greater => true,
        Ordering::Equal => !inclusive(&range.min) || !inclusive(&range.max),
        Ordering::Less => false,
    }
}

/// Redis's listpack walk for a lex range (`zzlFirstInLexRange` and friends).
fn lex_members(set: &Set, range: &LexRange, reverse: bool, offset: i64, limit: i64) -> Set {
    if lex_empty(range) || offset < 0 || set.is_empty() {
        return Vec::new();
    }
    if !above_min(range, &set[set.len() - 1].0) || !below_max(range, &set[0].0) {
        return Vec::new();
    }
    let ordered: Vec<_> = if reverse { set.iter().rev().collect() } else { set.iter().collect() };
    let starts = |member: &[u8]| {
        if reverse { below_max(range, member) } else { above_min(range, member) }
    };
    let Some(start) = ordered.iter().position(|(member, _)| starts(member)) else {
        return Vec::new();
    };
    if !above_min(range, &ordered[start].0) || !below_max(range, &ordered[start].0) {
        return Vec::new();
    }
    let mut chosen = Vec::new();
    for item in ordered[start..].iter().skip(offset as usize) {
        if limit >= 0 && chosen.len() as i64 >= limit {
            break;
        }
        let in_range = if reverse { above_min(range, &item.0) } else { below_max(range, &item.0) };
        if !in_range {
            break;
        }
        chosen.push((*item).clone());
    }
    chosen
}

fn model_range(set: &Set, query: &ZRangeQuery) -> Set {
    match &query.range {
        ZRange::Rank { start, end } => {
            let length = set.len() as i64;
            let start = if *start < 0 { (length + start).max(0) } else { *start };
            let end = if *end < 0 { length + end } else { (*end).min(length - 1) };
            if start > end || start >= length {
                return Vec::new();
            }
            let ordered: Set =
                if query.reverse { set.iter().rev().cloned().collect() } else { set.clone() };
            ordered[start as usize..=end as usize].to_vec()
        }
        ZRange::Score(range) => {
            if query.offset < 0 {
                return Vec::new();
            }
            let matching = set.iter().filter(|(_, score)| in_score_range(range, *score));
            let ordered: Set = if query.reverse {
                matching.rev().cloned().collect()
            } else {
                matching.cloned().collect()
            };
            let take = if query.limit < 0 { usize::MAX } else { query.limit as usize };
            ordered.into_iter().skip(query.offset as usize).take(take).collect()
        }
        ZRange::Lex(range) => lex_members(set, range, query.reverse, query.offset, query.limit),
    }
}

fn weighted(value: f64) -> f64 {
    if value.is_nan() { 0.0 } else { value }
}

fn aggregate(how: Aggregate, total: f64, value: f64) -> f64 {
    match how {
        Aggregate::Sum => weighted(total + value),
        Aggregate::Min => {
            if value < total {
                value
            } else {
                total
            }
        }
        Aggregate::Max => {
            if value > total {
                value
            } else {
                total
            }
        }
    }
}

fn model_combine(
    model: &Model,
    operation: ZSetOperation,
    keys: &[u8],
    weights: &[f64],
    how: Aggregate,
) -> Set {
    let empty = Vec::new();
    let mut sources: Vec<(&Set, f64)> = keys
        .iter()
        .enumerate()
        .map(|(index, key)| {
            (model.get(key).unwrap_or(&empty), weights.get(index).copied().unwrap_or(1.0))
        })
        .collect();
    let score_in = |set: &Set, member: &[u8]| {
        set.iter().find(|(candidate, _)| candidate == member).map(|(_, score)| *score)
    };
    let mut result: Set = Vec::new();
    match operation {
        ZSetOperation::Union => {
            sources.sort_by_key(|(set, _)| set.len());
            for (set, weight) in &sources {
                for (member, score) in set.iter() {
                    let value = weighted(score * weight);
                    match result.iter_mut().find(|(candidate, _)| candidate == member) {
                        Some((_, total)) => *total = aggregate(how, *total, value),
                        None => result.push((member.clone(), value)),
                    }
                }
            }
        }
        ZSetOperation::Inter => {
            sources.sort_by_key(|(set, _)| set.len());
            let (first, weight) = sources[0];
            'members: for (member, score) in first {
                let mut total = weighted(score * weight);
                for (other, weight) in &sources[1..] {
                    let Some(found) = score_in(other, member) else { continue 'members };
                    total = aggregate(how, total, found * weight);
                }
                result.push((member.clone(), total));
            }
        }
        ZSetOperation::Diff => {
            for (member, score) in sources[0].0 {
                if sources[1..].iter().all(|(other, _)| score_in(other, member).is_none()) {
                    result.push((member.clone(), *score));
                }
            }
        }
    }
    result.sort_by(order);
    result
}

fn model_add(model: &mut Model, key: u8, flags: ZaddFlags, pairs: &[(f64, u8)]) -> Answer {
    let mut outcome = ZaddOutcome::default();
    if flags.xx && !model.contains_key(&key) {
        return Answer::Added(outcome);
    }
    let set = model.entry(key).or_default();
    for (score, member) in pairs {
        let member = member_name(*member);
        match set.iter().position(|(candidate, _)| *candidate == member) {
            Some(_) if flags.nx => {}
            Some(index) => {
                let current = set[index].1;
                let score = if flags.incr { score + current } else { *score };
                if score.is_nan() {
                    return Answer::Count(-1);
                }
                if (flags.lt && score >= current) || (flags.gt && score <= current) {
                    continue;
                }
                outcome.score = Some(score);
                if score != current {
                    set[index].1 = score;
                    outcome.updated += 1;
                }
            }
            None if flags.xx => {}
            None => {
                set.push((member, *score));
                outcome.added += 1;
                outcome.score = Some(*score);
            }
        }
    }
    set.sort_by(order);
    Answer::Added(outcome)
}

/// Applies an operation to the model; answers what the store should answer (`Count(-1)`
/// stands for the NaN error, which leaves the model untouched).
fn apply_to_model(model: &mut Model, operation: &Operation) -> Answer {
    let get = |model: &Model, key: &u8| model.get(key).cloned().unwrap_or_default();
    let answer = match operation {
        Operation::Add(key, flags, pairs) => {
            let before = model.clone();
            let answer = model_add(model, *key, *flags, pairs);
            if answer == Answer::Count(-1) {
                *model = before;
            }
            answer
        }
        Operation::Remove(key, members) => {
            let mut set = get(model, key);
            let before = set.len();
            set.retain(|(member, _)| !members.iter().any(|m| member_name(*m) == *member));
            let removed = before - set.len();
            model.insert(*key, set);
            Answer::Count(removed as i64)
        }
        Operation::Pop(key, highest, count) => {
            let mut set = get(model, key);
            let take = (*count as usize).min(set.len());
            let popped: Set = if *highest {
                set.split_off(set.len() - take).into_iter().rev().collect()
            } else {
                set.drain(..take).collect()
            };
            model.insert(*key, set);
            Answer::Members(popped)
        }
        Operation::RemoveRange(key, range) => {
            let set = get(model, key);
            let query = ZRangeQuery { range: range.clone(), reverse: false, offset: 0, limit: -1 };
            let doomed = model_range(&set, &query);
            let kept: Set = set.into_iter().filter(|item| !doomed.contains(item)).collect();
            model.insert(*key, kept);
            Answer::Count(doomed.len() as i64)
        }
        Operation::RangeStore(destination, source, query) => {
            let result = model_range(&get(model, source), query);
            let count = result.len() as i64;
            let mut stored = result;
            stored.sort_by(order);
            model.insert(*destination, stored);
            Answer::Count(count)
        }
        Operation::CombineStore(destination, operation, keys, weights, how) => {
            let result = model_combine(model, *operation, keys, weights, *how);
            let count = result.len() as i64;
            model.insert(*destination, result);
            Answer::Count(count)
        }
        Operation::DeleteKey(key) => Answer::Count(i64::from(model.remove(key).is_some())),
        Operation::Range(key, query) => Answer::Members(model_range(&get(model, key), query)),
        Operation::Combine(operation, keys, weights, how) => {
            Answer::Members(model_combine(model, *operation, keys, weights, *how))
        }
        Operation::Rank(key, member, reverse) => {
            let set = get(model, key);
            let member = member_name(*member);
            let found = set.iter().position(|(candidate, _)| *candidate == member);
            Answer::Rank(found.map(|index| {
                let rank = if *reverse { set.len() - 1 - index } else { index };
                (rank as i64, set[index].1)
            }))
        }
        Operation::Count(key, range) => Answer::Count(
            get(model, key).iter().filter(|(_, score)| in_score_range(range, *score)).count()
                as i64,
        ),
        Operation::LexCount(key, range) => {
            Answer::Count(lex_members(&get(model, key), range, false, 0, -1).len() as i64)
        }
    };
    model.retain(|_, set| !set.is_empty());
    answer
}

fn apply_to_store(store: &resplite_store::Store, operation: Operation) -> Answer {
    let combination = |operation, keys: Vec<u8>, weights, aggregate| Combination {
        operation,
        keys: keys.into_iter().map(key_name).collect::<Vec<_>>(),
        weights,
        aggregate,
    };
    let result = store.write(move |writer| {
        Ok(match operation {
            Operation::Add(key, flags, pairs) => {
                let pairs: Vec<_> = pairs.into_iter().map(|(s, m)| (s, member_name(m))).collect();
                Answer::Added(writer.zset_add(0, &key_name(key), flags, &pairs)?)
            }
            Operation::Remove(key, members) => {
                let members: Vec<_> = members.into_iter().map(member_name).collect();
                Answer::Count(writer.zset_remove(0, &key_name(key), &members)?)
            }
            Operation::Pop(key, highest, count) => {
                Answer::Members(writer.zset_pop(0, &key_name(key), highest, count)?)
            }
            Operation::RemoveRange(key, range) => {
                Answer::Count(writer.zset_remove_range(0, &key_name(key), &range)?)
            }
            Operation::RangeStore(destination, source, query) => Answer::Count(
                writer.zset_range_store(0, &key_name(destination), &key_name(source), &query)?,
            ),
            Operation::CombineStore(destination, operation, keys, weights, how) => {
                let request = combination(operation, keys, weights, how);
                Answer::Count(writer.zset_combine_store(0, &key_name(destination), &request)?)
            }
            Operation::DeleteKey(key) => Answer::Count(writer.delete(0, &[key_name(key)])?),
            Operation::Range(key, query) => {
                Answer::Members(writer.zset_range(0, &key_name(key), &query)?)
            }
            Operation::Combine(operation, keys, weights, how) => {
                let request = combination(operation, keys, weights, how);
                Answer::Members(writer.zset_combine(0, &request)?)
            }
            Operation::Rank(key, member, reverse) => {
                Answer::Rank(writer.zset_rank(0, &key_name(key), &member_name(member), reverse)?)
            }
            Operation::Count(key, range) => {
                Answer::Count(writer.zset_count(0, &key_name(key), &range)?)
            }
            Operation::LexCount(key, range) => {
                Answer::Count(writer.zset_lex_count(0, &key_name(key), &range)?)
            }
        })
    });
    match result {
        Ok(answer) => answer,
        Err(StoreError::ScoreIsNan) => Answer::Count(-1),
        Err(other) => panic!("unexpected error {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sorted_sets_behave_like_sorted_vectors(
        operations in proptest::collection::vec(operation(), 1..40)
    ) {
        let (_dir, store) = common::open();
        let mut model = Model::new();
        for operation in &operations {
            let expected = apply_to_model(&mut model, operation);
            let actual = apply_to_store(&store, operation.clone());
            prop_assert_eq!(actual, expected, "{:?}", operation);
            for key in 0..KEYS {
                let name = key_name(key);
                let everything =
                    ZRangeQuery { range: ZRange::Rank { start: 0, end: -1 }, reverse: false,
                        offset: 0, limit: -1 };
                let (all, length, kind) = store
                    .read(move |reader| {
                        Ok((reader.zset_range(0, &name, &everything)?, reader.zset_len(0, &name)?,
                            reader.key_type(0, &name)?))
                    })
                    .unwrap();
                let expected = model.get(&key).cloned().unwrap_or_default();
                prop_assert_eq!(&all, &expected, "key {} after {:?}", key, operation);
                prop_assert_eq!(length, expected.len() as i64);
                prop_assert_eq!(kind, model.contains_key(&key).then_some(KeyType::ZSet));
            }
        }
        prop_assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), model.len() as u64);
        prop_assert_eq!(common::violations(&store), vec![]);
    }
}

fn fill(store: &resplite_store::Store, key: &[u8], members: usize, score: impl Fn(usize) -> f64) {
    for chunk in (0..members).collect::<Vec<_>>().chunks(10_000) {
        let pairs: Vec<_> = chunk
            .iter()
            .map(|index| (score(*index), format!("m{index:06}").into_bytes()))
            .collect();
        let key = key.to_vec();
        store.write(move |writer| writer.zset_add(0, &key, ZaddFlags::default(), &pairs)).unwrap();
    }
}

fn ranks(start: i64, end: i64, reverse: bool) -> ZRangeQuery {
    ZRangeQuery { range: ZRange::Rank { start, end }, reverse, offset: 0, limit: -1 }
}

fn names(members: Vec<(Vec<u8>, f64)>) -> Vec<String> {
    members.into_iter().map(|(member, _)| String::from_utf8(member).unwrap()).collect()
}

#[test]
fn ranks_and_rank_ranges_are_right_from_both_ends_of_a_big_set() {
    let (_dir, store) = common::open();
    fill(&store, b"big", 5_000, |index| index as f64);
    for index in [0i64, 1, 63, 64, 65, 255, 256, 1_000, 2_500, 4_000, 4_935, 4_936, 4_999] {
        let member = format!("m{index:06}").into_bytes();
        let found = store
            .read(move |reader| {
                Ok((
                    reader.zset_rank(0, b"big", &member, false)?,
                    reader.zset_rank(0, b"big", &member, true)?,
                ))
            })
            .unwrap();
        assert_eq!(found, (Some((index, index as f64)), Some((4_999 - index, index as f64))));
    }
    let range =
        |query: ZRangeQuery| names(store.read(move |r| r.zset_range(0, b"big", &query)).unwrap());
    assert_eq!(range(ranks(-3, -1, false)), ["m004997", "m004998", "m004999"]);
    assert_eq!(range(ranks(4_000, 4_001, false)), ["m004000", "m004001"]);
    assert_eq!(range(ranks(0, 1, true)), ["m004999", "m004998"]);
    assert_eq!(range(ranks(4_998, 10_000, true)), ["m000001", "m000000"]);
    assert_eq!(range(ranks(2_499, 2_500, true)), ["m002500", "m002499"]);
    let removed = store
        .write(|writer| writer.zset_remove_range(0, b"big", &ZRange::Rank { start: -10, end: -6 }))
        .unwrap();
    assert_eq!(removed, 5);
    assert_eq!(range(ranks(-6, -4, false)), ["m004989", "m004995", "m004996"]);
    assert_eq!(store.read(|reader| reader.zset_len(0, b"big")).unwrap(), 4_995);
}

#[test]
fn lex_ranges_over_equal_scores_are_index_ranges() {
    let (_dir, store) = common::open();
    fill(&store, b"lex", 3_000, |_| 0.0);
    let lex = |min: &str, max: &str, reverse, offset, limit| {
        let range = ZRange::Lex(LexRange::parse(min.as_bytes(), max.as_bytes()).unwrap());
        let query = ZRangeQuery { range, reverse, offset, limit };
        names(store.read(move |reader| reader.zset_range(0, b"lex", &query)).unwrap())
    };
    assert_eq!(lex("[m001000", "(m001003", false, 0, -1), ["m001000", "m001001", "m001002"]);
    assert_eq!(lex("(m001000", "[m001003", true, 1, 2), ["m001002", "m001001"]);
    assert_eq!(lex("-", "+", false, 2_998, 5), ["m002998", "m002999"]);
    let count = store
        .read(|reader| reader.zset_lex_count(0, b"lex", &LexRange::parse(b"[m002", b"+").unwrap()))
        .unwrap();
    assert_eq!(count, 1_000);
    let removed = store
        .write(|writer| {
            let range = LexRange::parse(b"(m000999", b"[m001999").unwrap();
            writer.zset_remove_range(0, b"lex", &ZRange::Lex(range))
        })
        .unwrap();
    assert_eq!(removed, 1_000);
    assert_eq!(store.read(|reader| reader.zset_len(0, b"lex")).unwrap(), 2_000);
}

#[test]
fn zscan_returns_every_member_exactly_once_across_pages() {
    let (_dir, store) = common::open();
    fill(&store, b"z", 1_000, |index| (index % 7) as f64);
    let mut seen = Vec::new();
    let (mut cursor, mut pages) = (0, 0);
    loop {
        let options = resplite_store::ElementScan { pattern: None, count: 37 };
        let page = store.read(move |reader| reader.zset_scan(0, b"z", cursor, options)).unwrap();
        seen.extend(page.items);
        pages += 1;
        cursor = page.cursor;
        if cursor == 0 {
            break;
        }
    }
    assert!(pages > 10, "a big sorted set is paged");
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    seen.dedup();
    assert_eq!(seen.len(), 1_000);
    assert!(seen.iter().all(|(member, score)| {
        let index: usize = std::str::from_utf8(&member[1..]).unwrap().parse().unwrap();
        *score == (index % 7) as f64
    }));
}

#[test]
fn exact_adds_keep_negative_zero_where_zadd_follows_the_listpack() {
    let (_dir, store) = common::open();
    // A `-0` first, then 199 more: as one `ZADD` Redis would store the `-0` as `0` (the set
    // is a listpack when it arrives); a copy of a set Redis holds as a skiplist keeps it.
    let mut pairs = vec![(-0.0, "nz".to_string())];
    pairs.extend((1..200).map(|index| (f64::from(index), format!("m{index}"))));
    let both = pairs.clone();
    let added = store
        .write(move |writer| {
            writer.zset_add(0, b"zadd", ZaddFlags::default(), &both)?;
            writer.zset_add_exact(0, b"copy", &both)
        })
        .unwrap();
    assert_eq!(added, 200);
    let score = |key: &'static [u8]| {
        store.read(move |reader| reader.zset_scores(0, key, &[b"nz"])).unwrap()[0].unwrap()
    };
    assert_eq!(score(b"zadd").to_bits(), 0.0f64.to_bits());
    assert_eq!(score(b"copy").to_bits(), (-0.0f64).to_bits());
    // Adding again changes scores, counts nothing new, and a NaN writes nothing at all.
    let again = store
        .write(|writer| writer.zset_add_exact(0, b"copy", &[(0.0, "nz"), (5.0, "new")]))
        .unwrap();
    assert_eq!(again, 1);
    assert_eq!(score(b"copy").to_bits(), 0.0f64.to_bits());
    let nan =
        store.write(|writer| writer.zset_add_exact(0, b"copy", &[(1.0, "x"), (f64::NAN, "y")]));
    assert!(nan.is_err());
    assert_eq!(store.read(|reader| reader.zset_len(0, b"copy")).unwrap(), 201);
    assert_eq!(common::violations(&store), vec![]);
}
