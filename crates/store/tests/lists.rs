//! Lists against an in-memory model (a `VecDeque` per key), plus the on-disk invariant that
//! a list's positions are exactly `list_head … list_head + length - 1`.

mod common;

use std::collections::{BTreeMap, VecDeque};

use proptest::prelude::*;
use resplite_store::{InsertPlace, KeyType, ListEnd, PositionQuery, Store, StoreError};

type List = VecDeque<Vec<u8>>;
type Model = BTreeMap<u8, List>;

#[derive(Clone, Debug)]
enum Operation {
    Push(u8, ListEnd, Vec<u8>, bool),
    Pop(u8, ListEnd, i64),
    Set(u8, i64, u8),
    Insert(u8, InsertPlace, u8, u8),
    Remove(u8, i64, u8),
    Trim(u8, i64, i64),
    Move(u8, u8, ListEnd, ListEnd),
    MultiPop(Vec<u8>, ListEnd, i64),
    Range(u8, i64, i64),
    Index(u8, i64),
    Positions(u8, u8, PositionQuery),
    DeleteKey(u8),
    Rename(u8, u8),
    Copy(u8, u8),
}

/// What an operation answered, in one comparable shape.
#[derive(Clone, Debug, PartialEq)]
enum Answer {
    Integer(i64),
    Values(Option<Vec<Vec<u8>>>),
    Value(Option<Vec<u8>>),
    Popped(Option<(usize, Vec<Vec<u8>>)>),
    Positions(Vec<i64>),
    Done,
}

const KEYS: u8 = 3;

fn key_name(key: u8) -> Vec<u8> {
    format!("list{key}").into_bytes()
}

/// Elements come from a small alphabet so that LREM, LPOS and LINSERT meet duplicates.
fn element(letter: u8) -> Vec<u8> {
    vec![b'a' + letter % 4]
}

fn end() -> impl Strategy<Value = ListEnd> {
    prop_oneof![Just(ListEnd::Left), Just(ListEnd::Right)]
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = 0..KEYS;
    let letter = 0u8..4;
    let index = -14i64..14;
    // PUSHX only now and then, so that most pushes create or grow lists.
    let only_existing = prop_oneof![4 => Just(false), 1 => Just(true)];
    let query = (prop_oneof![-4i64..0, 1i64..5], 0i64..4, 0i64..8)
        .prop_map(|(rank, limit, max_len)| PositionQuery { rank, limit, max_len });
    prop_oneof![
        6 => (key.clone(), end(), proptest::collection::vec(letter.clone(), 1..10), only_existing)
            .prop_map(|(k, e, items, x)| Operation::Push(k, e, items, x)),
        2 => (key.clone(), end(), 0i64..5).prop_map(|(k, e, c)| Operation::Pop(k, e, c)),
        1 => (key.clone(), index.clone(), letter.clone()).prop_map(|(k, i, v)| Operation::Set(k, i, v)),
        3 => (key.clone(), prop_oneof![Just(InsertPlace::Before), Just(InsertPlace::After)],
              letter.clone(), letter.clone())
            .prop_map(|(k, p, pivot, v)| Operation::Insert(k, p, pivot, v)),
        3 => (key.clone(), -4i64..5, letter.clone()).prop_map(|(k, c, v)| Operation::Remove(k, c, v)),
        1 => (key.clone(), index.clone(), index.clone()).prop_map(|(k, a, b)| Operation::Trim(k, a, b)),
        2 => (key.clone(), key.clone(), end(), end()).prop_map(|(s, d, f, t)| Operation::Move(s, d, f, t)),
        1 => (proptest::collection::vec(key.clone(), 1..4), end(), 1i64..4)
            .prop_map(|(keys, e, c)| Operation::MultiPop(keys, e, c)),
        1 => (key.clone(), index.clone(), index.clone()).prop_map(|(k, a, b)| Operation::Range(k, a, b)),
        1 => (key.clone(), index).prop_map(|(k, i)| Operation::Index(k, i)),
        2 => (key.clone(), letter, query).prop_map(|(k, v, q)| Operation::Positions(k, v, q)),
        1 => key.clone().prop_map(Operation::DeleteKey),
        1 => (key.clone(), key.clone()).prop_map(|(from, to)| Operation::Rename(from, to)),
        1 => (key.clone(), key).prop_map(|(from, to)| Operation::Copy(from, to)),
    ]
}

/// Redis's LRANGE/LTRIM index rules, written out independently of the store's.
fn model_range(length: i64, start: i64, stop: i64) -> Option<(usize, usize)> {
    let start = if start < 0 { (length + start).max(0) } else { start };
    let stop = if stop < 0 { length + stop } else { stop };
    if start > stop || start >= length {
        return None;
    }
    Some((start as usize, stop.min(length - 1) as usize))
}

fn model_index(length: usize, index: i64) -> Option<usize> {
    let length = length as i64;
    let index = if index < 0 { length + index } else { index };
    (0..length).contains(&index).then_some(index as usize)
}

fn pop_model(list: &mut List, end: ListEnd, count: i64) -> Vec<Vec<u8>> {
    let mut taken = Vec::new();
    for _ in 0..count {
        let item = match end {
            ListEnd::Left => list.pop_front(),
            ListEnd::Right => list.pop_back(),
        };
        let Some(item) = item else { break };
        taken.push(item);
    }
    taken
}

fn push_model(list: &mut List, end: ListEnd, item: Vec<u8>) {
    match end {
        ListEnd::Left => list.push_front(item),
        ListEnd::Right => list.push_back(item),
    }
}

fn positions_model(list: &List, item: &[u8], query: PositionQuery) -> Vec<i64> {
    let length = list.len();
    let compared = if query.max_len == 0 { length } else { (query.max_len as usize).min(length) };
    let indexes: Vec<usize> = if query.rank > 0 {
        (0..compared).collect()
    } else {
        (length - compared..length).rev().collect()
    };
    let limit = if query.limit == 0 { usize::MAX } else { query.limit as usize };
    indexes
        .into_iter()
        .filter(|index| list[*index] == item)
        .skip(query.rank.unsigned_abs() as usize - 1)
        .take(limit)
        .map(|index| index as i64)
        .collect()
}

/// Applies an operation to the model; answers what the store should answer.
fn apply_to_model(model: &mut Model, operation: &Operation) -> Result<Answer, StoreError> {
    let answer = match operation {
        Operation::Push(key, end, items, only_existing) => {
            if *only_existing && !model.contains_key(key) {
                return Ok(Answer::Integer(0));
            }
            let list = model.entry(*key).or_default();
            for letter in items {
                push_model(list, *end, element(*letter));
            }
            Answer::Integer(list.len() as i64)
        }
        Operation::Pop(key, end, count) => {
            Answer::Values(model.get_mut(key).map(|list| pop_model(list, *end, *count)))
        }
        Operation::Set(key, index, letter) => {
            let list = model.get_mut(key).ok_or(StoreError::NoSuchKey)?;
            let index = model_index(list.len(), *index).ok_or(StoreError::IndexOutOfRange)?;
            list[index] = element(*letter);
            Answer::Done
        }
        Operation::Insert(key, place, pivot, letter) => {
            let Some(list) = model.get_mut(key) else { return Ok(Answer::Integer(0)) };
            match list.iter().position(|item| *item == element(*pivot)) {
                None => Answer::Integer(-1),
                Some(found) => {
                    let at = found + usize::from(*place == InsertPlace::After);
                    list.insert(at, element(*letter));
                    Answer::Integer(list.len() as i64)
                }
            }
        }
        Operation::Remove(key, count, letter) => {
            let Some(list) = model.get_mut(key) else { return Ok(Answer::Integer(0)) };
            let item = element(*letter);
            let limit = if *count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
            let mut indexes: Vec<usize> =
                (0..list.len()).filter(|index| list[*index] == item).collect();
            if *count < 0 {
                indexes.reverse();
            }
            indexes.truncate(limit);
            indexes.sort_unstable();
            for index in indexes.iter().rev() {
                list.remove(*index);
            }
            Answer::Integer(indexes.len() as i64)
        }
        Operation::Trim(key, start, stop) => {
            if let Some(list) = model.get_mut(key) {
                match model_range(list.len() as i64, *start, *stop) {
                    None => list.clear(),
                    Some((first, last)) => {
                        list.truncate(last + 1);
                        list.drain(..first);
                    }
                }
            }
            Answer::Done
        }
        Operation::Move(source, destination, from, to) => {
            let Some(list) = model.get_mut(source) else { return Ok(Answer::Value(None)) };
            let taken = pop_model(list, *from, 1).pop();
            let item = taken.expect("lists in the model are never empty");
            push_model(model.entry(*destination).or_default(), *to, item.clone());
            Answer::Value(Some(item))
        }
        Operation::MultiPop(keys, end, count) => {
            let found = keys.iter().position(|key| model.contains_key(key));
            Answer::Popped(found.map(|index| {
                let list = model.get_mut(&keys[index]).unwrap();
                (index, pop_model(list, *end, *count))
            }))
        }
        Operation::Range(key, start, stop) => {
            let list = model.get(key).cloned().unwrap_or_default();
            let values = model_range(list.len() as i64, *start, *stop)
                .map(|(first, last)| list.range(first..=last).cloned().collect())
                .unwrap_or_default();
            Answer::Values(Some(values))
        }
        Operation::Index(key, index) => Answer::Value(
            model
                .get(key)
                .and_then(|list| model_index(list.len(), *index).map(|at| list[at].clone())),
        ),
        Operation::Positions(key, letter, query) => Answer::Positions(
            model
                .get(key)
                .map_or_else(Vec::new, |list| positions_model(list, &element(*letter), *query)),
        ),
        Operation::DeleteKey(key) => Answer::Integer(i64::from(model.remove(key).is_some())),
        Operation::Rename(from, to) => match model.remove(from) {
            None => return Err(StoreError::NoSuchKey),
            Some(list) => {
                model.insert(*to, list);
                Answer::Integer(1)
            }
        },
        Operation::Copy(from, to) => {
            if from == to || !model.contains_key(from) || model.contains_key(to) {
                return Ok(Answer::Integer(0));
            }
            let list = model[from].clone();
            model.insert(*to, list);
            Answer::Integer(1)
        }
    };
    model.retain(|_, list| !list.is_empty());
    Ok(answer)
}

fn apply_to_store(store: &Store, operation: Operation) -> Result<Answer, StoreError> {
    let items = |letters: &[u8]| letters.iter().map(|letter| element(*letter)).collect::<Vec<_>>();
    store.write(move |writer| {
        Ok(match operation {
            Operation::Push(key, end, letters, only_existing) => Answer::Integer(
                writer.list_push(0, &key_name(key), end, &items(&letters), only_existing)?,
            ),
            Operation::Pop(key, end, count) => {
                Answer::Values(writer.list_pop(0, &key_name(key), end, count)?)
            }
            Operation::Set(key, index, letter) => {
                writer.list_set(0, &key_name(key), index, &element(letter))?;
                Answer::Done
            }
            Operation::Insert(key, place, pivot, letter) => Answer::Integer(writer.list_insert(
                0,
                &key_name(key),
                place,
                &element(pivot),
                &element(letter),
            )?),
            Operation::Remove(key, count, letter) => {
                Answer::Integer(writer.list_remove(0, &key_name(key), count, &element(letter))?)
            }
            Operation::Trim(key, start, stop) => {
                writer.list_trim(0, &key_name(key), start, stop)?;
                Answer::Done
            }
            Operation::Move(source, destination, from, to) => Answer::Value(writer.list_move(
                0,
                &key_name(source),
                &key_name(destination),
                from,
                to,
            )?),
            Operation::MultiPop(keys, end, count) => {
                let names: Vec<_> = keys.into_iter().map(key_name).collect();
                Answer::Popped(writer.list_pop_first(0, &names, end, count)?)
            }
            Operation::Range(key, start, stop) => {
                Answer::Values(Some(writer.list_range(0, &key_name(key), start, stop)?))
            }
            Operation::Index(key, index) => {
                Answer::Value(writer.list_index(0, &key_name(key), index)?)
            }
            Operation::Positions(key, letter, query) => Answer::Positions(writer.list_positions(
                0,
                &key_name(key),
                &element(letter),
                query,
            )?),
            Operation::DeleteKey(key) => Answer::Integer(writer.delete(0, &[key_name(key)])?),
            Operation::Rename(from, to) => Answer::Integer(i64::from(writer.rename(
                0,
                &key_name(from),
                &key_name(to),
                false,
            )?)),
            Operation::Copy(from, to) => Answer::Integer(i64::from(writer.copy(
                0,
                &key_name(from),
                0,
                &key_name(to),
                false,
            )?)),
        })
    })
}

/// Every list row's elements occupy exactly `list_head … list_head + length - 1`, and no
/// element belongs to a key that is not a list.
fn assert_contiguous(dir: &tempfile::TempDir) {
    let connection = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    let mut statement = connection
        .prepare(
            "SELECT k.id, k.length, k.list_head, count(i.position), min(i.position), \
             max(i.position) FROM keys k LEFT JOIN list_items i ON i.key_id = k.id \
             WHERE k.kind = 2 GROUP BY k.id",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, length, head, count, first, last) = row.unwrap();
        assert!(length > 0, "list {id} is empty but exists");
        assert_eq!(
            (count, first, last),
            (length, Some(head), Some(head + length - 1)),
            "list {id}"
        );
    }
    let orphans: i64 = connection
        .query_row(
            "SELECT count(*) FROM list_items WHERE key_id NOT IN \
             (SELECT id FROM keys WHERE kind = 2)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn lists_behave_like_deques(operations in proptest::collection::vec(operation(), 1..60)) {
        let (dir, store) = common::open();
        let mut model = Model::new();
        for operation in &operations {
            let expected = apply_to_model(&mut model, operation);
            let actual = apply_to_store(&store, operation.clone());
            prop_assert_eq!(actual, expected, "{:?}", operation);
            for key in 0..KEYS {
                let name = key_name(key);
                let (all, length, kind) = store
                    .read(|reader| {
                        Ok((reader.list_range(0, &name, 0, -1)?, reader.list_len(0, &name)?,
                            reader.key_type(0, &name)?))
                    })
                    .unwrap();
                let expected: Vec<_> =
                    model.get(&key).map(|list| list.iter().cloned().collect()).unwrap_or_default();
                prop_assert_eq!(&all, &expected, "{:?} after {:?}", key, operation);
                prop_assert_eq!(length, expected.len() as i64);
                prop_assert_eq!(kind, model.contains_key(&key).then_some(KeyType::List));
            }
        }
        assert_contiguous(&dir);
        prop_assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), model.len() as u64);
        prop_assert_eq!(common::violations(&store), vec![]);
    }
}

fn fill(store: &Store, key: &[u8], items: &[Vec<u8>]) {
    for chunk in items.chunks(10_000) {
        let (key, chunk) = (key.to_vec(), chunk.to_vec());
        store
            .write(move |writer| writer.list_push(0, &key, ListEnd::Right, &chunk, false))
            .unwrap();
    }
}

/// `LREM` visits its matches in batches; removals across many batches, from either end and
/// closing gaps on either side, must leave exactly the model's list.
#[test]
fn lrem_across_many_batches_matches_the_model() {
    let pattern = |index: usize| {
        element(if index.is_multiple_of(3) || index.is_multiple_of(7) {
            0
        } else {
            1 + (index % 2) as u8
        })
    };
    for count in [0i64, 700, -700, 1, -1, 2_000, -2_000] {
        let (dir, store) = common::open();
        let items: Vec<_> = (0..4_000).map(pattern).collect();
        fill(&store, b"big", &items);
        let mut model: Model = BTreeMap::from([(0, items.iter().cloned().collect())]);
        let expected = apply_to_model(&mut model, &Operation::Remove(0, count, 0));
        let actual = store
            .write(move |writer| writer.list_remove(0, b"big", count, &element(0)))
            .map(Answer::Integer);
        assert_eq!(actual, expected, "LREM big {count} a");
        let all = store.read(|reader| reader.list_range(0, b"big", 0, -1)).unwrap();
        assert_eq!(all, model[&0].iter().cloned().collect::<Vec<_>>(), "LREM big {count} a");
        assert_contiguous(&dir);
    }
}

#[test]
fn a_list_emptied_by_lrem_or_ltrim_disappears() {
    let (dir, store) = common::open();
    fill(&store, b"same", &vec![b"x".to_vec(); 3_000]);
    assert_eq!(store.write(|writer| writer.list_remove(0, b"same", 0, b"x")).unwrap(), 3_000);
    assert_eq!(store.read(|reader| reader.key_type(0, b"same")).unwrap(), None);
    fill(&store, b"trimmed", &vec![b"y".to_vec(); 3_000]);
    store.write(|writer| writer.list_trim(0, b"trimmed", 5, 1)).unwrap();
    assert_eq!(store.read(|reader| reader.key_type(0, b"trimmed")).unwrap(), None);
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 0);
    assert_contiguous(&dir);
}

#[test]
fn lpos_and_lrange_work_on_a_big_list_from_both_ends() {
    let (_dir, store) = common::open();
    let items: Vec<_> =
        (0..20_000).map(|index| format!("{}", index % 1_000).into_bytes()).collect();
    fill(&store, b"big", &items);
    let positions = |rank, limit, max_len| {
        let query = PositionQuery { rank, limit, max_len };
        store.read(move |reader| reader.list_positions(0, b"big", b"7", query)).unwrap()
    };
    assert_eq!(positions(1, 3, 0), vec![7, 1_007, 2_007]);
    assert_eq!(positions(-1, 2, 0), vec![19_007, 18_007]);
    assert_eq!(positions(-20, 0, 0), vec![7]);
    assert_eq!(positions(1, 0, 1_500), vec![7, 1_007]);
    assert_eq!(positions(-2, 0, 2_000), vec![18_007]);
    assert_eq!(positions(-2, 0, 1_000), Vec::<i64>::new());
    assert_eq!(positions(-1, 0, 2_000), vec![19_007, 18_007]);
    let range = store.read(|reader| reader.list_range(0, b"big", -3, -1)).unwrap();
    assert_eq!(range, vec![b"997".to_vec(), b"998".to_vec(), b"999".to_vec()]);
    let index = store.read(|reader| reader.list_index(0, b"big", 12_345)).unwrap();
    assert_eq!(index, Some(b"345".to_vec()));
}

/// `list_range_each` shows the same elements as `list_range`, in order, for ranges of every
/// kind, and nothing for a missing key or an empty range; a key of another type is refused.
#[test]
fn list_range_each_visits_what_list_range_answers() {
    let (_dir, store) = common::open();
    let items: Vec<Vec<u8>> = (0..50).map(|index| format!("item-{index}").into_bytes()).collect();
    fill(&store, b"l", &items);
    store.write(|writer| writer.set(0, b"s", b"v", Default::default())).unwrap();
    let visited = |key: &'static [u8], start: i64, stop: i64| {
        store.read(move |reader| {
            let mut seen = Vec::new();
            reader.list_range_each(0, key, start, stop, |value| seen.push(value.to_vec()))?;
            Ok(seen)
        })
    };
    for (start, stop) in [(0, -1), (3, 7), (-5, -1), (-100, 2), (40, 100), (10, 5), (60, 70)] {
        let range = store.read(move |reader| reader.list_range(0, b"l", start, stop)).unwrap();
        assert_eq!(visited(b"l", start, stop).unwrap(), range, "LRANGE l {start} {stop}");
    }
    assert_eq!(visited(b"l", 0, -1).unwrap(), items);
    assert!(visited(b"missing", 0, -1).unwrap().is_empty());
    assert!(matches!(visited(b"s", 0, -1), Err(StoreError::WrongType)));
}
