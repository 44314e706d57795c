//! Hashes against an in-memory model, plus what every collection shares: lengths, emptied
//! keys disappearing, and big deletions reclaimed in the background.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use resplite_store::{ElementScan, KeyType, StoreError, parse_i64};

type Model = BTreeMap<u8, BTreeMap<Vec<u8>, Vec<u8>>>;

#[derive(Clone, Debug)]
enum Operation {
    Set(u8, Vec<(u8, Vec<u8>)>),
    SetIfAbsent(u8, u8, Vec<u8>),
    Delete(u8, Vec<u8>),
    Increment(u8, u8, i64),
    DeleteKey(u8),
    Rename(u8, u8),
    Copy(u8, u8),
}

fn key_name(key: u8) -> Vec<u8> {
    format!("hash{key}").into_bytes()
}

fn field_name(field: u8) -> Vec<u8> {
    format!("field{field}").into_bytes()
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = 0u8..4;
    let field = 0u8..12;
    // Mostly digits, so that increments meet both numbers and non-numbers.
    let value = proptest::collection::vec(prop_oneof![3 => b'0'..=b'9', 1 => any::<u8>()], 0..4);
    prop_oneof![
        4 => (key.clone(), proptest::collection::vec((field.clone(), value.clone()), 1..5))
            .prop_map(|(key, pairs)| Operation::Set(key, pairs)),
        1 => (key.clone(), field.clone(), value).prop_map(|(k, f, v)| Operation::SetIfAbsent(k, f, v)),
        3 => (key.clone(), proptest::collection::vec(field.clone(), 1..5))
            .prop_map(|(key, fields)| Operation::Delete(key, fields)),
        2 => (key.clone(), field, -5i64..5).prop_map(|(k, f, d)| Operation::Increment(k, f, d)),
        1 => key.clone().prop_map(Operation::DeleteKey),
        1 => (key.clone(), key.clone()).prop_map(|(from, to)| Operation::Rename(from, to)),
        1 => (key.clone(), key).prop_map(|(from, to)| Operation::Copy(from, to)),
    ]
}

/// Applies an operation to the model; answers what the store should answer.
fn apply_to_model(model: &mut Model, operation: &Operation) -> Result<i64, StoreError> {
    let answer = match operation {
        Operation::Set(key, pairs) => {
            let hash = model.entry(*key).or_default();
            let mut added = 0;
            for (field, value) in pairs {
                if hash.insert(field_name(*field), value.clone()).is_none() {
                    added += 1;
                }
            }
            Ok(added)
        }
        Operation::SetIfAbsent(key, field, value) => {
            let hash = model.entry(*key).or_default();
            let absent = !hash.contains_key(&field_name(*field));
            if absent {
                hash.insert(field_name(*field), value.clone());
            }
            Ok(i64::from(absent))
        }
        Operation::Delete(key, fields) => {
            let Some(hash) = model.get_mut(key) else { return Ok(0) };
            let mut deleted = 0;
            for field in fields {
                deleted += i64::from(hash.remove(&field_name(*field)).is_some());
            }
            Ok(deleted)
        }
        Operation::Increment(key, field, delta) => {
            let hash = model.entry(*key).or_default();
            let current = hash.get(&field_name(*field)).cloned();
            let number = match current {
                None => 0,
                Some(bytes) => parse_i64(&bytes).ok_or(StoreError::HashValueNotInteger)?,
            };
            let updated: i64 = number + delta;
            hash.insert(field_name(*field), updated.to_string().into_bytes());
            Ok(updated)
        }
        Operation::DeleteKey(key) => Ok(i64::from(model.remove(key).is_some())),
        Operation::Rename(from, to) => match model.remove(from) {
            None => Err(StoreError::NoSuchKey),
            Some(hash) => {
                model.insert(*to, hash);
                Ok(1)
            }
        },
        Operation::Copy(from, to) => {
            if from == to || !model.contains_key(from) || model.contains_key(to) {
                return Ok(0);
            }
            let hash = model[from].clone();
            model.insert(*to, hash);
            Ok(1)
        }
    };
    model.retain(|_, hash| !hash.is_empty());
    answer
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn hashes_behave_like_maps(operations in proptest::collection::vec(operation(), 1..40)) {
        let (_dir, store) = common::open();
        let mut model = Model::new();
        for operation in &operations {
            let expected = apply_to_model(&mut model, operation);
            let owned = operation.clone();
            let actual = store.write(move |writer| match owned {
                Operation::Set(key, pairs) => {
                    let pairs: Vec<_> = pairs.into_iter().map(|(f, v)| (field_name(f), v)).collect();
                    writer.hash_set(0, &key_name(key), &pairs)
                }
                Operation::SetIfAbsent(key, field, value) => writer
                    .hash_set_if_absent(0, &key_name(key), &field_name(field), &value)
                    .map(i64::from),
                Operation::Delete(key, fields) => {
                    let fields: Vec<_> = fields.into_iter().map(field_name).collect();
                    writer.hash_delete(0, &key_name(key), &fields)
                }
                Operation::Increment(key, field, delta) => {
                    writer.hash_increment(0, &key_name(key), &field_name(field), delta)
                }
                Operation::DeleteKey(key) => writer.delete(0, &[key_name(key)]),
                Operation::Rename(from, to) => {
                    writer.rename(0, &key_name(from), &key_name(to), false).map(i64::from)
                }
                Operation::Copy(from, to) => {
                    writer.copy(0, &key_name(from), 0, &key_name(to), false).map(i64::from)
                }
            });
            prop_assert_eq!(actual, expected, "{:?}", operation);
            for key in 0u8..4 {
                let name = key_name(key);
                let (all, length, kind) = store
                    .read(|reader| {
                        Ok((reader.hash_get_all(0, &name)?, reader.hash_len(0, &name)?,
                            reader.key_type(0, &name)?))
                    })
                    .unwrap();
                let expected: Vec<_> = model
                    .get(&key)
                    .map(|hash| hash.iter().map(|(f, v)| (f.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let mut all = all;
                all.sort();
                prop_assert_eq!(&all, &expected);
                prop_assert_eq!(length, expected.len() as i64);
                prop_assert_eq!(kind, model.contains_key(&key).then_some(KeyType::Hash));
            }
        }
        prop_assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), model.len() as u64);
        prop_assert_eq!(common::violations(&store), vec![]);
    }
}

fn fill(store: &resplite_store::Store, key: &[u8], fields: usize) {
    for chunk in (0..fields).collect::<Vec<_>>().chunks(10_000) {
        let pairs: Vec<_> =
            chunk.iter().map(|index| (format!("f{index}").into_bytes(), b"v".to_vec())).collect();
        let key = key.to_vec();
        store.write(move |writer| writer.hash_set(0, &key, &pairs)).unwrap();
    }
}

fn element_rows(dir: &tempfile::TempDir) -> i64 {
    let connection = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    connection.query_row("SELECT count(*) FROM hash_fields", [], |row| row.get(0)).unwrap()
}

#[test]
fn a_big_deleted_hash_is_gone_at_once_and_reclaimed_in_the_background() {
    let (dir, store) = common::open();
    fill(&store, b"big", 30_000);
    fill(&store, b"small", 10);
    assert_eq!(store.write(|writer| writer.delete(0, &[b"big"])).unwrap(), 1);
    assert_eq!(store.read(|reader| reader.key_type(0, b"big")).unwrap(), None);
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 1);
    // A new key of the same name starts empty, whatever is still being reclaimed.
    store.write(|writer| writer.hash_set(0, b"big", &[(b"x", b"1")])).unwrap();
    assert_eq!(store.read(|reader| reader.hash_len(0, b"big")).unwrap(), 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while element_rows(&dir) > 11 {
        assert!(Instant::now() < deadline, "the graveyard was not reclaimed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(store.read(|reader| reader.hash_get_all(0, b"small")).unwrap().len(), 10);
}

#[test]
fn flushdb_buries_collections_and_leaves_other_databases_alone() {
    let (dir, store) = common::open();
    fill(&store, b"h", 2_000);
    store.write(|writer| writer.hash_set(1, b"h", &[(b"kept", b"1")])).unwrap();
    store.write(|writer| writer.flush_db(0)).unwrap();
    assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), 0);
    assert_eq!(
        store.read(|reader| reader.hash_get(1, b"h", b"kept")).unwrap(),
        Some(b"1".to_vec())
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while element_rows(&dir) > 1 {
        assert!(Instant::now() < deadline, "the graveyard was not reclaimed");
        std::thread::sleep(Duration::from_millis(50));
    }
    store.write(|writer| writer.flush_all()).unwrap();
    assert_eq!(element_rows(&dir), 0);
}

#[test]
fn an_expired_hash_is_swept_with_its_fields() {
    let (dir, store) = common::open();
    fill(&store, b"h", 50);
    store.write(|writer| writer.expire_at(0, b"h", writer.now() + 30, Default::default())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while element_rows(&dir) > 0 {
        assert!(Instant::now() < deadline, "the expired hash was not swept");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(store.read(|reader| reader.hash_len(0, b"h")).unwrap(), 0);
}

#[test]
fn hscan_returns_every_field_exactly_once_across_pages() {
    let (_dir, store) = common::open();
    fill(&store, b"h", 1_000);
    let mut seen = Vec::new();
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        let options = ElementScan { pattern: None, count: 37 };
        let page = store.read(move |reader| reader.hash_scan(0, b"h", cursor, options)).unwrap();
        seen.extend(page.items.into_iter().map(|(field, _)| field));
        pages += 1;
        cursor = page.cursor;
        if cursor == 0 {
            break;
        }
    }
    assert!(pages > 10, "a big hash is paged");
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((count, seen.len()), (1_000, 1_000));
}

#[test]
fn hrandfield_picks_distinct_fields_for_a_positive_count() {
    let (_dir, store) = common::open();
    fill(&store, b"h", 2_000);
    for count in [1, 5, 300, 999, 1_500, 2_000, 5_000] {
        let chosen =
            store.read(move |reader| reader.hash_random_fields(0, b"h", Some(count))).unwrap();
        let mut fields: Vec<_> = chosen.unwrap().into_iter().map(|(field, _)| field).collect();
        let total = fields.len();
        fields.sort();
        fields.dedup();
        assert_eq!(total, fields.len(), "distinct for count {count}");
        assert_eq!(total, count.min(2_000) as usize);
    }
    let repeated = store.read(|reader| reader.hash_random_fields(0, b"h", Some(-50))).unwrap();
    assert_eq!(repeated.unwrap().len(), 50);
}

/// The field-only forms (`HSCAN … NOVALUES`, `HRANDFIELD` without `WITHVALUES`) page and pick
/// as the forms with values do: the same pages for the same cursors, small hash or big,
/// with a pattern or without.
#[test]
fn field_only_scans_and_picks_match_the_forms_with_values() {
    let (_dir, store) = common::open();
    fill(&store, b"big", 1_000);
    fill(&store, b"small", 20);
    for key in [&b"big"[..], b"small", b"missing"] {
        for pattern in [None, Some(&b"*1*"[..])] {
            let mut cursor = 0;
            loop {
                let options = ElementScan { pattern, count: 37 };
                let (with_values, fields) = store
                    .read(move |reader| {
                        Ok((
                            reader.hash_scan(0, key, cursor, options)?,
                            reader.hash_scan_fields(0, key, cursor, options)?,
                        ))
                    })
                    .unwrap();
                let names: Vec<_> = with_values.items.into_iter().map(|(field, _)| field).collect();
                assert_eq!(fields.items, names, "cursor {cursor}");
                assert_eq!(fields.cursor, with_values.cursor);
                cursor = fields.cursor;
                if cursor == 0 {
                    break;
                }
            }
        }
    }
    let all: Vec<Vec<u8>> = store
        .read(|reader| reader.hash_get_all(0, b"big"))
        .unwrap()
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    for count in [None, Some(1), Some(300), Some(999), Some(1_500), Some(-50)] {
        let chosen = store
            .read(move |reader| reader.hash_random_field_names(0, b"big", count))
            .unwrap()
            .unwrap();
        let wanted = match count {
            None => 1,
            Some(count) if count < 0 => count.unsigned_abs() as usize,
            Some(count) => (count as usize).min(1_000),
        };
        assert_eq!(chosen.len(), wanted, "count {count:?}");
        assert!(chosen.iter().all(|field| all.contains(field)));
        if count.is_some_and(|count| count > 0) {
            let mut distinct = chosen.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), chosen.len(), "distinct for count {count:?}");
        }
    }
    let none = store.read(|reader| reader.hash_random_field_names(0, b"missing", Some(3))).unwrap();
    assert_eq!(none, None);
}

/// `hash_fields_each` shows exactly the pairs `hash_get_all` answers, in the same order;
/// nothing for a missing key; a key of another type is refused.
#[test]
fn hash_fields_each_visits_what_hash_get_all_answers() {
    let (_dir, store) = common::open();
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..300)
        .map(|index| (format!("f{index}").into_bytes(), format!("value {index}").into_bytes()))
        .collect();
    store.write(move |writer| writer.hash_set(0, b"h", &pairs)).unwrap();
    store.write(|writer| writer.set(0, b"str", b"v", Default::default())).unwrap();
    let visited = |key: &'static [u8]| {
        store.read(move |reader| {
            let mut seen = Vec::new();
            reader.hash_fields_each(0, key, |field, value| {
                seen.push((field.to_vec(), value.to_vec()));
            })?;
            Ok(seen)
        })
    };
    let all = store.read(|reader| reader.hash_get_all(0, b"h")).unwrap();
    assert_eq!(all.len(), 300);
    assert_eq!(visited(b"h").unwrap(), all);
    assert!(visited(b"missing").unwrap().is_empty());
    assert!(matches!(visited(b"str"), Err(StoreError::WrongType)));
}
