//! Sets against an in-memory model (random operation sequences, every result and the final
//! contents compared), plus big sets: paged scans, random picks and whole-set pops.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use resplite_store::{ElementScan, KeyType, SetOperation, Store, StoreError, Writer};

/// Keys 0 to 4 are sets when they exist, except that key 4 is made a string again before
/// every operation (so that WRONGTYPE and replacing another type are both exercised).
#[derive(Debug, Default)]
struct Model {
    sets: BTreeMap<u8, BTreeSet<Vec<u8>>>,
    string_alive: bool,
}

const STRING_KEY: u8 = 4;

#[derive(Clone, Debug)]
enum Operation {
    Add(u8, Vec<u8>),
    Remove(u8, Vec<u8>),
    IsMember(u8, u8),
    AreMembers(u8, Vec<u8>),
    Pop(u8, Option<u64>),
    Random(u8, i64),
    Move(u8, u8, u8),
    Combine(SetOperation, Vec<u8>),
    Store(SetOperation, u8, Vec<u8>),
    IntersectionLen(Vec<u8>, u64),
    DeleteKey(u8),
}

/// What an operation answers, in a form both sides can produce.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    Count(i64),
    Flags(Vec<bool>),
    /// Members in the order given (for replies that have one).
    Members(Vec<Vec<u8>>),
    /// Members as a set (for replies in no defined order).
    Sorted(Vec<Vec<u8>>),
    Missing,
}

fn key_name(key: u8) -> Vec<u8> {
    format!("set{key}").into_bytes()
}

fn member_name(member: u8) -> Vec<u8> {
    // Both integers and other strings, as Redis's intsets and hashtables see them.
    if member.is_multiple_of(2) { member.to_string().into_bytes() } else { vec![b'm', member] }
}

fn names(members: &[u8]) -> Vec<Vec<u8>> {
    members.iter().map(|member| member_name(*member)).collect()
}

fn keys(keys: &[u8]) -> Vec<Vec<u8>> {
    keys.iter().map(|key| key_name(*key)).collect()
}

fn sorted(mut members: Vec<Vec<u8>>) -> Answer {
    members.sort();
    Answer::Sorted(members)
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = prop_oneof![12 => 0u8..4, 1 => Just(STRING_KEY)];
    let member = 0u8..10;
    let members = proptest::collection::vec(member.clone(), 1..5);
    let set_operation = prop_oneof![
        Just(SetOperation::Intersection),
        Just(SetOperation::Union),
        Just(SetOperation::Difference)
    ];
    let key_list = proptest::collection::vec(key.clone(), 1..4);
    prop_oneof![
        6 => (key.clone(), members.clone()).prop_map(|(k, m)| Operation::Add(k, m)),
        3 => (key.clone(), members.clone()).prop_map(|(k, m)| Operation::Remove(k, m)),
        1 => (key.clone(), member.clone()).prop_map(|(k, m)| Operation::IsMember(k, m)),
        1 => (key.clone(), members).prop_map(|(k, m)| Operation::AreMembers(k, m)),
        2 => (key.clone(), proptest::option::of(0u64..8)).prop_map(|(k, c)| Operation::Pop(k, c)),
        1 => (key.clone(), -6i64..8).prop_map(|(k, c)| Operation::Random(k, c)),
        2 => (key.clone(), key.clone(), member).prop_map(|(s, d, m)| Operation::Move(s, d, m)),
        2 => (set_operation.clone(), key_list.clone()).prop_map(|(o, k)| Operation::Combine(o, k)),
        2 => (set_operation, key.clone(), key_list.clone())
            .prop_map(|(o, d, k)| Operation::Store(o, d, k)),
        1 => (key_list, 0u64..4).prop_map(|(k, l)| Operation::IntersectionLen(k, l)),
        1 => key.prop_map(Operation::DeleteKey),
    ]
}

/// The model's set at `key`, or WRONGTYPE for the string key.
fn model_set(model: &Model, key: u8) -> Result<BTreeSet<Vec<u8>>, StoreError> {
    if key == STRING_KEY && model.string_alive {
        return Err(StoreError::WrongType);
    }
    Ok(model.sets.get(&key).cloned().unwrap_or_default())
}

fn put(model: &mut Model, key: u8, set: BTreeSet<Vec<u8>>) {
    if set.is_empty() {
        model.sets.remove(&key);
    } else {
        model.sets.insert(key, set);
    }
}

/// Deletes a key of any type; answers whether it existed.
fn delete(model: &mut Model, key: u8) -> bool {
    let string = key == STRING_KEY && std::mem::take(&mut model.string_alive);
    model.sets.remove(&key).is_some() || string
}

fn combine_model(
    model: &Model,
    operation: SetOperation,
    keys: &[u8],
) -> Result<BTreeSet<Vec<u8>>, StoreError> {
    let sets = keys.iter().map(|key| model_set(model, *key)).collect::<Result<Vec<_>, _>>()?;
    let mut sets = sets.into_iter();
    let mut result = sets.next().unwrap_or_default();
    for set in sets {
        result = match operation {
            SetOperation::Intersection => result.intersection(&set).cloned().collect(),
            SetOperation::Union => result.union(&set).cloned().collect(),
            SetOperation::Difference => result.difference(&set).cloned().collect(),
        };
    }
    Ok(result)
}

/// Applies a deterministic operation to the model; answers what the store should answer.
fn apply_to_model(model: &mut Model, operation: &Operation) -> Result<Answer, StoreError> {
    Ok(match operation {
        Operation::Add(key, members) => {
            let mut set = model_set(model, *key)?;
            let added = names(members).into_iter().filter(|member| set.insert(member.clone()));
            let added = added.count() as i64;
            put(model, *key, set);
            Answer::Count(added)
        }
        Operation::Remove(key, members) => {
            let mut set = model_set(model, *key)?;
            let removed = names(members).iter().filter(|member| set.remove(*member)).count();
            put(model, *key, set);
            Answer::Count(removed as i64)
        }
        Operation::IsMember(key, member) => {
            Answer::Flags(vec![model_set(model, *key)?.contains(&member_name(*member))])
        }
        Operation::AreMembers(key, members) => {
            let set = model_set(model, *key)?;
            Answer::Flags(names(members).iter().map(|member| set.contains(member)).collect())
        }
        Operation::Move(source, destination, member) => {
            let member = member_name(*member);
            let string = *source == STRING_KEY && model.string_alive;
            if !string && !model.sets.contains_key(source) {
                return Ok(Answer::Count(0));
            }
            let mut from = model_set(model, *source)?;
            let mut to = model_set(model, *destination)?;
            if source == destination {
                return Ok(Answer::Count(i64::from(from.contains(&member))));
            }
            if !from.remove(&member) {
                return Ok(Answer::Count(0));
            }
            to.insert(member);
            put(model, *source, from);
            put(model, *destination, to);
            Answer::Count(1)
        }
        Operation::Combine(operation, keys) => {
            sorted(combine_model(model, *operation, keys)?.into_iter().collect())
        }
        Operation::Store(operation, destination, keys) => {
            let result = combine_model(model, *operation, keys)?;
            let size = result.len() as i64;
            // The destination may be the string key: it is replaced like any other.
            delete(model, *destination);
            put(model, *destination, result);
            Answer::Count(size)
        }
        Operation::IntersectionLen(keys, limit) => {
            let size = combine_model(model, SetOperation::Intersection, keys)?.len() as u64;
            Answer::Count(if *limit == 0 { size } else { size.min(*limit) } as i64)
        }
        Operation::DeleteKey(key) => Answer::Count(i64::from(delete(model, *key))),
        Operation::Pop(..) | Operation::Random(..) => unreachable!("random operations"),
    })
}

/// Checks a random pick (`SPOP`/`SRANDMEMBER`) against the model; a pop also updates it.
fn check_random(
    model: &mut Model,
    operation: &Operation,
    answer: Result<Answer, StoreError>,
) -> Result<(), TestCaseError> {
    let (key, count, pops) = match operation {
        Operation::Pop(key, count) => (*key, count.map(|count| count as i64), true),
        Operation::Random(key, count) => (*key, Some(*count), false),
        _ => unreachable!("deterministic operations"),
    };
    let set = match model_set(model, key) {
        Err(error) => {
            prop_assert_eq!(answer, Err(error));
            return Ok(());
        }
        Ok(set) => set,
    };
    let answer = answer.map_err(|error| TestCaseError::fail(format!("{error}")))?;
    if set.is_empty() {
        prop_assert_eq!(answer, Answer::Missing, "{:?}", operation);
        return Ok(());
    }
    let Answer::Members(chosen) = answer else {
        return Err(TestCaseError::fail(format!("{operation:?} answered {answer:?}")));
    };
    prop_assert!(chosen.iter().all(|member| set.contains(member)), "{:?}", chosen);
    let count = count.unwrap_or(1);
    let expected =
        if count < 0 { count.unsigned_abs() as usize } else { (count as usize).min(set.len()) };
    prop_assert_eq!(chosen.len(), expected, "{:?}", operation);
    if count > 0 {
        let distinct: BTreeSet<_> = chosen.iter().collect();
        prop_assert_eq!(distinct.len(), chosen.len(), "distinct picks");
    }
    if pops {
        let mut set = set;
        for member in &chosen {
            set.remove(member);
        }
        put(model, key, set);
    }
    Ok(())
}

fn run(writer: &mut Writer<'_>, operation: Operation) -> Result<Answer, StoreError> {
    let members = |ids: Vec<u8>| names(&ids);
    Ok(match operation {
        Operation::Add(key, ids) => {
            Answer::Count(writer.set_add(0, &key_name(key), &members(ids))?)
        }
        Operation::Remove(key, ids) => {
            Answer::Count(writer.set_remove(0, &key_name(key), &members(ids))?)
        }
        Operation::IsMember(key, member) => {
            Answer::Flags(vec![writer.set_is_member(0, &key_name(key), &member_name(member))?])
        }
        Operation::AreMembers(key, ids) => {
            Answer::Flags(writer.set_are_members(0, &key_name(key), &members(ids))?)
        }
        Operation::Pop(key, count) => match writer.set_pop(0, &key_name(key), count)? {
            Some(popped) => Answer::Members(popped),
            None => Answer::Missing,
        },
        Operation::Random(key, count) => {
            match writer.set_random_members(0, &key_name(key), Some(count))? {
                Some(chosen) => Answer::Members(chosen),
                None => Answer::Missing,
            }
        }
        Operation::Move(source, destination, member) => Answer::Count(i64::from(writer.set_move(
            0,
            &key_name(source),
            &key_name(destination),
            &member_name(member),
        )?)),
        Operation::Combine(operation, ids) => {
            sorted(writer.set_combine(0, operation, &keys(&ids))?)
        }
        Operation::Store(operation, destination, ids) => Answer::Count(writer.set_combine_store(
            0,
            &key_name(destination),
            operation,
            &keys(&ids),
        )?),
        Operation::IntersectionLen(ids, limit) => {
            Answer::Count(writer.set_intersection_len(0, &keys(&ids), limit)? as i64)
        }
        Operation::DeleteKey(key) => Answer::Count(writer.delete(0, &[key_name(key)])?),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sets_behave_like_sets(operations in proptest::collection::vec(operation(), 1..50)) {
        let (_dir, store) = common::open();
        let mut model = Model::default();
        for operation in &operations {
            store.set(0, &key_name(STRING_KEY), b"text").unwrap();
            model.sets.remove(&STRING_KEY);
            model.string_alive = true;
            let owned = operation.clone();
            let actual = store.write(move |writer| run(writer, owned));
            match operation {
                Operation::Pop(..) | Operation::Random(..) => {
                    check_random(&mut model, operation, actual)?;
                }
                _ => {
                    let expected = apply_to_model(&mut model, operation);
                    prop_assert_eq!(actual, expected, "{:?}", operation);
                }
            }
            check_contents(&store, &model)?;
        }
    }
}

/// Every set's members, length and type match the model.
fn check_contents(store: &Store, model: &Model) -> Result<(), TestCaseError> {
    for key in 0u8..=STRING_KEY {
        let name = key_name(key);
        if key == STRING_KEY && model.string_alive {
            let kind = store.read(|reader| reader.key_type(0, &name)).unwrap();
            prop_assert_eq!(kind, Some(KeyType::String));
            continue;
        }
        let (members, length, kind) = store
            .read(|reader| {
                Ok((
                    reader.set_members(0, &name)?,
                    reader.set_len(0, &name)?,
                    reader.key_type(0, &name)?,
                ))
            })
            .unwrap();
        let expected: Vec<_> =
            model.sets.get(&key).map(|set| set.iter().cloned().collect()).unwrap_or_default();
        prop_assert_eq!(sorted(members), Answer::Sorted(expected.clone()), "set{}", key);
        prop_assert_eq!(length, expected.len() as i64);
        prop_assert_eq!(kind, model.sets.contains_key(&key).then_some(KeyType::Set));
    }
    let keys = model.sets.len() as u64 + u64::from(model.string_alive);
    prop_assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), keys);
    prop_assert_eq!(common::violations(store), vec![]);
    Ok(())
}

fn fill(store: &Store, key: &[u8], members: usize) {
    for chunk in (0..members).collect::<Vec<_>>().chunks(10_000) {
        let members: Vec<_> = chunk.iter().map(|index| format!("m{index}").into_bytes()).collect();
        let key = key.to_vec();
        store.write(move |writer| writer.set_add(0, &key, &members)).unwrap();
    }
}

#[test]
fn sscan_returns_every_member_exactly_once_across_pages() {
    let (_dir, store) = common::open();
    fill(&store, b"s", 1_000);
    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let options = ElementScan { pattern: None, count: 37 };
        let page = store.read(move |reader| reader.set_scan(0, b"s", cursor, options)).unwrap();
        seen.extend(page.items);
        pages += 1;
        cursor = page.cursor;
        if cursor == 0 {
            break;
        }
    }
    assert!(pages > 10, "a big set is paged");
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((count, seen.len()), (1_000, 1_000));
}

#[test]
fn random_picks_from_a_big_set_are_distinct_for_a_positive_count() {
    let (_dir, store) = common::open();
    fill(&store, b"s", 3_000);
    for count in [1, 5, 300, 1_499, 1_500, 2_999, 3_000, 5_000] {
        let chosen =
            store.read(move |reader| reader.set_random_members(0, b"s", Some(count))).unwrap();
        let mut members = chosen.unwrap();
        let total = members.len();
        members.sort();
        members.dedup();
        assert_eq!(total, members.len(), "distinct for count {count}");
        assert_eq!(total, count.min(3_000) as usize);
    }
    let repeated = store.read(|reader| reader.set_random_members(0, b"s", Some(-50))).unwrap();
    assert_eq!(repeated.unwrap().len(), 50);
}

#[test]
fn random_picks_from_a_small_set_reach_every_member_evenly() {
    // 200 members: picked by rank, several ranks found in order, each from the one before.
    let (_dir, store) = common::open();
    fill(&store, b"s", 200);
    let mut times: std::collections::HashMap<Vec<u8>, u32> = Default::default();
    for _ in 0..2_000 {
        let drawn = store.read(|reader| reader.set_random_members(0, b"s", Some(-90))).unwrap();
        let drawn = drawn.unwrap();
        assert_eq!(drawn.len(), 90);
        for member in drawn {
            *times.entry(member).or_default() += 1;
        }
        let distinct = store.read(|reader| reader.set_random_members(0, b"s", Some(60))).unwrap();
        let mut distinct = distinct.unwrap();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 60);
    }
    // 180,000 draws of 200 members: 900 each expected, a standard deviation of 30.
    assert_eq!(times.len(), 200);
    assert!(times.values().all(|&count| (600..=1_200).contains(&count)), "{times:?}");
}

#[test]
fn popping_part_of_a_big_set_removes_exactly_the_popped_members() {
    let (_dir, store) = common::open();
    fill(&store, b"s", 3_000);
    let popped = store.write(|writer| writer.set_pop(0, b"s", Some(100))).unwrap().unwrap();
    assert_eq!(popped.len(), 100);
    let left = store.read(|reader| reader.set_members(0, b"s")).unwrap();
    assert_eq!(left.len(), 2_900);
    assert_eq!(store.read(|reader| reader.set_len(0, b"s")).unwrap(), 2_900);
    assert!(popped.iter().all(|member| !left.contains(member)));
}

#[test]
fn popping_a_whole_big_set_deletes_it_at_once() {
    let (_dir, store) = common::open();
    fill(&store, b"s", 5_000);
    let popped = store.write(|writer| writer.set_pop(0, b"s", Some(5_000))).unwrap().unwrap();
    assert_eq!(popped.len(), 5_000);
    assert_eq!(store.read(|reader| reader.key_type(0, b"s")).unwrap(), None);
    assert_eq!(store.write(|writer| writer.set_add(0, b"s", &[b"x"])).unwrap(), 1);
    assert_eq!(store.read(|reader| reader.set_members(0, b"s")).unwrap(), vec![b"x".to_vec()]);
}

#[test]
fn algebra_on_big_sets_matches_the_model() {
    let (_dir, store) = common::open();
    let evens: Vec<_> = (0..4_000).step_by(2).map(|n: i32| n.to_string().into_bytes()).collect();
    let threes: Vec<_> = (0..4_000).step_by(3).map(|n: i32| n.to_string().into_bytes()).collect();
    let few: Vec<_> = [0, 6, 7, 9, 12].iter().map(|n| n.to_string().into_bytes()).collect();
    let (e, t, f) = (evens.clone(), threes.clone(), few.clone());
    store
        .write(move |writer| {
            writer.set_add(0, b"evens", &e)?;
            writer.set_add(0, b"threes", &t)?;
            writer.set_add(0, b"few", &f)
        })
        .unwrap();
    let evens: BTreeSet<_> = evens.into_iter().collect();
    let threes: BTreeSet<_> = threes.into_iter().collect();
    let few: BTreeSet<_> = few.into_iter().collect();
    let read = |operation, keys: &'static [&'static [u8]]| {
        let mut members = store.read(move |reader| reader.set_combine(0, operation, keys)).unwrap();
        members.sort();
        members
    };
    let both: Vec<_> = evens.intersection(&threes).cloned().collect();
    assert_eq!(read(SetOperation::Intersection, &[b"evens", b"threes"]), both);
    let either: BTreeSet<_> = evens.union(&threes).cloned().collect();
    assert_eq!(
        read(SetOperation::Union, &[b"evens", b"threes"]),
        either.iter().cloned().collect::<Vec<_>>()
    );
    // Both difference strategies: probing (few members first) and subtracting (many sets).
    let small_first: Vec<_> = few.difference(&evens).cloned().collect();
    assert_eq!(read(SetOperation::Difference, &[b"few", b"evens", b"threes", b"evens"]), {
        small_first.iter().filter(|member| !threes.contains(*member)).cloned().collect::<Vec<_>>()
    });
    let big_first: Vec<_> = evens.difference(&few).cloned().collect();
    assert_eq!(
        read(SetOperation::Difference, &[b"evens", b"few", b"few", b"few", b"few"]),
        big_first
    );
    let limited = store
        .read(|reader| reader.set_intersection_len(0, &[&b"evens"[..], b"threes"], 10))
        .unwrap();
    assert_eq!(limited, 10);
}

/// `set_members_each` shows exactly the members `set_members` answers, in the same order;
/// nothing for a missing key; a key of another type is refused.
#[test]
fn set_members_each_visits_what_set_members_answers() {
    let (_dir, store) = common::open();
    let members: Vec<Vec<u8>> = (0..300).map(|index| format!("m{index}").into_bytes()).collect();
    store.write(move |writer| writer.set_add(0, b"s", &members)).unwrap();
    store.write(|writer| writer.set(0, b"str", b"v", Default::default())).unwrap();
    let visited = |key: &'static [u8]| {
        store.read(move |reader| {
            let mut seen = Vec::new();
            reader.set_members_each(0, key, |member| seen.push(member.to_vec()))?;
            Ok(seen)
        })
    };
    let all = store.read(|reader| reader.set_members(0, b"s")).unwrap();
    assert_eq!(all.len(), 300);
    assert_eq!(visited(b"s").unwrap(), all);
    assert!(visited(b"missing").unwrap().is_empty());
    assert!(matches!(visited(b"str"), Err(StoreError::WrongType)));
}
