//! Deadlines of hash fields (`HEXPIRE` and its kin): the bookkeeping against an in-memory
//! model, then fields that really expire: hidden from every read, treated as absent by
//! writes, and deleted by the sweeper.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use resplite_store::{
    Deadline, ElementScan, ExpireCondition, Expired, ExpiryListener, FieldExpiry, FieldPersist,
    KeyType, Store, now_ms,
};

/// A hash's fields: value and deadline.
type Hash = BTreeMap<Vec<u8>, (Vec<u8>, Option<i64>)>;
type Model = BTreeMap<u8, Hash>;

const KEYS: u8 = 3;
const FIELDS: u8 = 6;

#[derive(Clone, Debug)]
enum Operation {
    Set(u8, Vec<(u8, Vec<u8>)>),
    SetIfAbsent(u8, u8),
    Delete(u8, Vec<u8>),
    Increment(u8, u8),
    IncrementFloat(u8, u8),
    /// Fields, a deadline (`None`: one already passed) and a condition (0 none, 1 NX, 2 XX,
    /// 3 GT, 4 LT).
    Expire(u8, Vec<u8>, Option<u8>, u8),
    Persist(u8, Vec<u8>),
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
    let key = 0u8..KEYS;
    let field = 0u8..FIELDS;
    let fields = proptest::collection::vec(field.clone(), 1..4);
    // Integers without a leading zero, which both increments accept.
    let value = (0u32..1000).prop_map(|number| number.to_string().into_bytes());
    prop_oneof![
        3 => (key.clone(), proptest::collection::vec((field.clone(), value), 1..4))
            .prop_map(|(key, pairs)| Operation::Set(key, pairs)),
        1 => (key.clone(), field.clone()).prop_map(|(k, f)| Operation::SetIfAbsent(k, f)),
        2 => (key.clone(), fields.clone()).prop_map(|(k, f)| Operation::Delete(k, f)),
        1 => (key.clone(), field.clone()).prop_map(|(k, f)| Operation::Increment(k, f)),
        1 => (key.clone(), field).prop_map(|(k, f)| Operation::IncrementFloat(k, f)),
        5 => (key.clone(), fields.clone(), prop_oneof![5 => (0u8..4).prop_map(Some), 1 => Just(None)], 0u8..5)
            .prop_map(|(k, f, at, condition)| Operation::Expire(k, f, at, condition)),
        2 => (key.clone(), fields).prop_map(|(k, f)| Operation::Persist(k, f)),
        1 => (key.clone(), key.clone()).prop_map(|(from, to)| Operation::Rename(from, to)),
        1 => (key.clone(), key).prop_map(|(from, to)| Operation::Copy(from, to)),
    ]
}

fn condition(code: u8) -> ExpireCondition {
    ExpireCondition {
        only_if_none: code == 1,
        only_if_some: code == 2,
        only_if_later: code == 3,
        only_if_earlier: code == 4,
    }
}

/// What an operation answers, as codes, so that the model and the store compare simply.
fn apply_to_model(model: &mut Model, operation: &Operation, base: i64) -> Vec<i64> {
    let answer = match operation {
        Operation::Set(key, pairs) => {
            let hash = model.entry(*key).or_default();
            let mut added = 0;
            for (field, value) in pairs {
                added +=
                    i64::from(hash.insert(field_name(*field), (value.clone(), None)).is_none());
            }
            vec![added]
        }
        Operation::SetIfAbsent(key, field) => {
            let hash = model.entry(*key).or_default();
            let absent = !hash.contains_key(&field_name(*field));
            if absent {
                hash.insert(field_name(*field), (b"7".to_vec(), None));
            }
            vec![i64::from(absent)]
        }
        Operation::Delete(key, fields) => {
            let Some(hash) = model.get_mut(key) else { return vec![0] };
            let deleted = fields.iter().filter(|field| hash.remove(&field_name(**field)).is_some());
            vec![deleted.count() as i64]
        }
        Operation::Increment(key, field) | Operation::IncrementFloat(key, field) => {
            // Values are digits only, so both increments work; the deadline stays.
            let hash = model.entry(*key).or_default();
            let (value, deadline) = hash.get(&field_name(*field)).cloned().unwrap_or_default();
            let number: i64 = std::str::from_utf8(&value).unwrap_or("0").parse().unwrap_or(0);
            let updated = (number + 1).to_string().into_bytes();
            hash.insert(field_name(*field), (updated, deadline));
            vec![number + 1]
        }
        Operation::Expire(key, fields, at, code) => {
            let Some(hash) = model.get_mut(key) else { return vec![-2; fields.len()] };
            let at = at.map_or(1, |step| base + i64::from(step) * 1000);
            let wanted = condition(*code);
            fields
                .iter()
                .map(|field| {
                    let name = field_name(*field);
                    let Some((_, current)) = hash.get(&name).cloned() else { return -2 };
                    let allowed = !(wanted.only_if_none && current.is_some()
                        || wanted.only_if_some && current.is_none()
                        || wanted.only_if_later && current.is_none_or(|current| at <= current)
                        || wanted.only_if_earlier && current.is_some_and(|current| at >= current));
                    if !allowed {
                        0
                    } else if at == 1 {
                        hash.remove(&name);
                        2
                    } else {
                        hash.get_mut(&name).unwrap().1 = Some(at);
                        1
                    }
                })
                .collect()
        }
        Operation::Persist(key, fields) => {
            let Some(hash) = model.get_mut(key) else { return vec![-2; fields.len()] };
            fields
                .iter()
                .map(|field| match hash.get_mut(&field_name(*field)) {
                    None => -2,
                    Some((_, None)) => -1,
                    Some((_, deadline)) => {
                        *deadline = None;
                        1
                    }
                })
                .collect()
        }
        Operation::Rename(from, to) => match model.remove(from) {
            None => vec![-1],
            Some(hash) => {
                model.insert(*to, hash);
                vec![1]
            }
        },
        Operation::Copy(from, to) => {
            if from == to || !model.contains_key(from) || model.contains_key(to) {
                return vec![0];
            }
            let hash = model[from].clone();
            model.insert(*to, hash);
            vec![1]
        }
    };
    model.retain(|_, hash| !hash.is_empty());
    answer
}

fn apply_to_store(store: &Store, operation: &Operation, base: i64) -> Vec<i64> {
    let operation = operation.clone();
    store
        .write(move |writer| {
            Ok(match operation {
                Operation::Set(key, pairs) => {
                    let pairs: Vec<_> =
                        pairs.into_iter().map(|(f, v)| (field_name(f), v)).collect();
                    vec![writer.hash_set(0, &key_name(key), &pairs)?]
                }
                Operation::SetIfAbsent(key, field) => {
                    let set =
                        writer.hash_set_if_absent(0, &key_name(key), &field_name(field), b"7")?;
                    vec![i64::from(set)]
                }
                Operation::Delete(key, fields) => {
                    let fields: Vec<_> = fields.into_iter().map(field_name).collect();
                    vec![writer.hash_delete(0, &key_name(key), &fields)?]
                }
                Operation::Increment(key, field) => {
                    vec![writer.hash_increment(0, &key_name(key), &field_name(field), 1)?]
                }
                Operation::IncrementFloat(key, field) => {
                    let text =
                        writer.hash_increment_float(0, &key_name(key), &field_name(field), b"1")?;
                    vec![std::str::from_utf8(&text).unwrap().parse().unwrap()]
                }
                Operation::Expire(key, fields, at, code) => {
                    let fields: Vec<_> = fields.into_iter().map(field_name).collect();
                    let at = at.map_or(1, |step| base + i64::from(step) * 1000);
                    let done = writer.hash_expire_fields(
                        0,
                        &key_name(key),
                        at,
                        condition(code),
                        &fields,
                    )?;
                    done.outcomes.iter().map(|outcome| outcome.code()).collect()
                }
                Operation::Persist(key, fields) => {
                    let fields: Vec<_> = fields.into_iter().map(field_name).collect();
                    let outcomes = writer.hash_persist_fields(0, &key_name(key), &fields)?;
                    outcomes.iter().map(|outcome| outcome.code()).collect()
                }
                Operation::Rename(from, to) => {
                    match writer.rename(0, &key_name(from), &key_name(to), false) {
                        Ok(_) => vec![1],
                        Err(_) => vec![-1],
                    }
                }
                Operation::Copy(from, to) => {
                    vec![i64::from(writer.copy(0, &key_name(from), 0, &key_name(to), false)?)]
                }
            })
        })
        .unwrap()
}

/// Every field of the hash in the store, with its value and deadline, as the model holds it.
fn stored_hash(store: &Store, key: u8) -> Hash {
    let names: Vec<Vec<u8>> = (0..FIELDS).map(field_name).collect();
    let (pairs, deadlines) = store
        .read(move |reader| {
            let pairs = reader.hash_get_all(0, &key_name(key))?;
            Ok((pairs, reader.hash_field_deadlines(0, &key_name(key), &names)?))
        })
        .unwrap();
    let deadlines: BTreeMap<Vec<u8>, Deadline> =
        (0..FIELDS).map(field_name).zip(deadlines).collect();
    pairs
        .into_iter()
        .map(|(field, value)| {
            let deadline = match deadlines[&field] {
                Deadline::At(at) => Some(at),
                Deadline::Persistent => None,
                Deadline::Missing => panic!("{field:?} is listed but has no deadline state"),
            };
            (field, (value, deadline))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn deadlines_of_fields_behave_like_a_model(
        operations in proptest::collection::vec(operation(), 1..40),
    ) {
        let (_dir, store) = common::open();
        // Deadlines an hour and more ahead: none passes during the test.
        let base = now_ms() + 3_600_000;
        let mut model = Model::new();
        for operation in &operations {
            let expected = apply_to_model(&mut model, operation, base);
            let actual = apply_to_store(&store, operation, base);
            prop_assert_eq!(actual, expected, "{:?}", operation);
            for key in 0..KEYS {
                let expected = model.get(&key).cloned().unwrap_or_default();
                prop_assert_eq!(stored_hash(&store, key), expected.clone(), "hash {}", key);
                let length = store.read(move |reader| reader.hash_len(0, &key_name(key))).unwrap();
                prop_assert_eq!(length, expected.len() as i64);
            }
        }
        prop_assert_eq!(common::violations(&store), vec![]);
    }
}

/// Waits until `at` (Unix ms) has passed.
fn sleep_past(at: i64) {
    while now_ms() <= at {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Fills hash `key` with `size` fields `f0`… and gives the even ones the deadline `at`.
fn fill_half_doomed(store: &Store, key: &'static [u8], size: usize, at: i64) {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> =
        (0..size).map(|n| (format!("f{n}").into_bytes(), format!("v{n}").into_bytes())).collect();
    store.write(move |writer| writer.hash_set(0, key, &pairs)).unwrap();
    let doomed: Vec<Vec<u8>> = (0..size).step_by(2).map(|n| format!("f{n}").into_bytes()).collect();
    let done = store
        .write(move |writer| {
            writer.hash_expire_fields(0, key, at, ExpireCondition::default(), &doomed)
        })
        .unwrap();
    assert!(done.outcomes.iter().all(|outcome| *outcome == FieldExpiry::Set));
}

/// Checks that no read of hash `key` (filled by [`fill_half_doomed`], its deadline passed)
/// shows an even field.
fn check_only_odd_fields_show(store: &Store, key: &'static [u8], size: usize) {
    let live = size / 2;
    let read = store
        .read(move |reader| {
            let all = reader.hash_get_all(0, key)?;
            let one = reader.hash_get(0, key, b"f0")?;
            let many = reader.hash_get_many(0, key, &[b"f0", b"f1", b"f2"])?;
            let exists = reader.hash_exists(0, key, b"f2")?;
            let length = reader.hash_value_len(0, key, b"f4")?;
            let mut names = Vec::new();
            reader.hash_field_names_each(0, key, |name| names.push(name.to_vec()))?;
            let mut picks = reader.hash_random_field_names(0, key, Some(-500))?.unwrap();
            picks.extend(
                reader.hash_random_fields(0, key, None)?.unwrap().into_iter().map(|(f, _)| f),
            );
            let distinct = reader.hash_random_field_names(0, key, Some(live as i64 + 50))?.unwrap();
            let some = reader.hash_random_field_names(0, key, Some(20))?.unwrap();
            let mut scanned = Vec::new();
            let mut cursor = 0;
            loop {
                let options = ElementScan { pattern: None, count: 10 };
                let page = reader.hash_scan(0, key, cursor, options)?;
                scanned.extend(page.items.into_iter().map(|(field, _)| field));
                let names = reader.hash_scan_fields(0, key, cursor, options)?;
                scanned.extend(names.items);
                cursor = page.cursor;
                if cursor == 0 {
                    break;
                }
            }
            let deadlines = reader.hash_field_deadlines(0, key, &[b"f0", b"f1"])?;
            Ok((all, one, many, exists, length, names, picks, distinct, some, scanned, deadlines))
        })
        .unwrap();
    let (all, one, many, exists, length, names, picks, distinct, some, mut scanned, deadlines) =
        read;
    let odd =
        |name: &[u8]| std::str::from_utf8(&name[1..]).unwrap().parse::<u32>().unwrap() % 2 == 1;
    assert_eq!(all.len(), live);
    assert!(all.iter().all(|(field, _)| odd(field)));
    assert_eq!(one, None);
    assert_eq!(many, vec![None, Some(b"v1".to_vec()), None]);
    assert!(!exists);
    assert_eq!(length, 0);
    assert_eq!(names.len(), live);
    assert!(names.iter().all(|name| odd(name)));
    assert_eq!(picks.len(), 501);
    assert!(picks.iter().all(|name| odd(name)), "a random pick returned an expired field");
    assert_eq!(distinct.len(), live, "a count past the live fields returns them all");
    assert_eq!(some.len(), 20);
    assert!(some.iter().all(|name| odd(name)), "a random pick returned an expired field");
    scanned.sort();
    scanned.dedup();
    assert_eq!(scanned.len(), live);
    assert!(scanned.iter().all(|name| odd(name)));
    assert_eq!(deadlines, vec![Deadline::Missing, Deadline::Persistent]);
    // As in Redis, HLEN counts the fields not deleted yet.
    assert_eq!(store.read(move |reader| reader.hash_len(0, key)).unwrap(), size as i64);
}

#[test]
fn expired_fields_are_hidden_from_reads_until_the_sweeper_deletes_them() {
    // No sweep during the test: expired fields stay on disk.
    let (_dir, store) =
        common::open_with(|options| options.sweep_interval = Duration::from_secs(3600));
    let at = now_ms() + 50;
    // Small enough for one-page scans and random picks by rank; big enough for neither.
    fill_half_doomed(&store, b"h", 200, at);
    fill_half_doomed(&store, b"big", 2400, at);
    sleep_past(at);
    check_only_odd_fields_show(&store, b"h", 200);
    check_only_odd_fields_show(&store, b"big", 2400);

    // Writes see an expired field as absent, and delete it.
    let added =
        store.write(|writer| writer.hash_set(0, b"h", &[(&b"f0"[..], &b"new"[..]), (b"f1", b"x")]));
    assert_eq!(added.unwrap(), 1);
    assert_eq!(store.write(|writer| writer.hash_delete(0, b"h", &[b"f2", b"f3"])).unwrap(), 1);
    assert!(store.write(|writer| writer.hash_set_if_absent(0, b"h", b"f4", b"y")).unwrap());
    assert_eq!(store.write(|writer| writer.hash_increment(0, b"h", b"f6", 5)).unwrap(), 5);
    let persisted = store.write(|writer| writer.hash_persist_fields(0, b"h", &[b"f8", b"f9"]));
    assert_eq!(persisted.unwrap(), vec![FieldPersist::NoField, FieldPersist::NoDeadline]);
    // Of the 200, expired f2 and f8 went and live f3 was deleted; expired f0, f4 and f6
    // were replaced by new fields.
    assert_eq!(store.read(|reader| reader.hash_len(0, b"h")).unwrap(), 197);
    let deadlines = store.read(|reader| reader.hash_field_deadlines(0, b"h", &[b"f0", b"f4"]));
    assert_eq!(deadlines.unwrap(), vec![Deadline::Persistent, Deadline::Persistent]);
    assert_eq!(common::violations(&store), vec![]);
}

/// What the expiry listener was told: a key and what expired there.
type Heard = (Vec<u8>, Expired);

#[test]
fn the_sweeper_deletes_expired_fields_and_empties_hashes() {
    let heard: Arc<Mutex<Vec<Heard>>> = Arc::default();
    let listener = Arc::clone(&heard);
    let (_dir, store) = common::open_with(move |options| {
        options.sweep_interval = Duration::from_millis(20);
        options.on_expired = Some(ExpiryListener(Arc::new(move |_, key, what| {
            listener.lock().unwrap().push((key.to_vec(), what));
        })));
    });
    store.write(|writer| writer.hash_set(0, b"some", &[(b"a", b"1"), (b"b", b"2")])).unwrap();
    store.write(|writer| writer.hash_set(0, b"all", &[(b"a", b"1"), (b"b", b"2")])).unwrap();
    let at = now_ms() + 40;
    let condition = ExpireCondition::default();
    store
        .write(move |writer| writer.hash_expire_fields(0, b"some", at, condition, &[b"a"]))
        .unwrap();
    store
        .write(move |writer| writer.hash_expire_fields(0, b"all", at, condition, &[b"a", b"b"]))
        .unwrap();
    let give_up = Instant::now() + Duration::from_secs(10);
    while store.read(|reader| reader.hash_len(0, b"some")).unwrap() != 1 {
        assert!(Instant::now() < give_up, "the sweeper left the expired field");
        std::thread::sleep(Duration::from_millis(10));
    }
    while store.read(|reader| reader.key_type(0, b"all")).unwrap() == Some(KeyType::Hash) {
        assert!(Instant::now() < give_up, "the sweeper left the emptied hash");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut heard = heard.lock().unwrap().clone();
    heard.sort_by(|one, other| one.0.cmp(&other.0));
    assert_eq!(
        heard,
        vec![
            (b"all".to_vec(), Expired::Fields { fields: 2, hash_deleted: true }),
            (b"some".to_vec(), Expired::Fields { fields: 1, hash_deleted: false }),
        ]
    );
    assert_eq!(common::violations(&store), vec![]);
}

#[test]
fn a_deadline_already_passed_deletes_the_field_and_an_emptied_hash() {
    let (_dir, store) = common::open();
    store.write(|writer| writer.hash_set(0, b"h", &[(b"a", b"1"), (b"b", b"2")])).unwrap();
    let condition = ExpireCondition::default();
    let done = store
        .write(move |writer| writer.hash_expire_fields(0, b"h", 1, condition, &[&b"a"[..], b"zz"]))
        .unwrap();
    assert_eq!(done.outcomes, vec![FieldExpiry::Deleted, FieldExpiry::NoField]);
    assert!(!done.hash_deleted);
    let done = store
        .write(move |writer| writer.hash_expire_fields(0, b"h", 0, condition, &[b"b"]))
        .unwrap();
    assert_eq!(done.outcomes, vec![FieldExpiry::Deleted]);
    assert!(done.hash_deleted);
    assert_eq!(store.read(|reader| reader.key_type(0, b"h")).unwrap(), None);
    store.set(0, b"s", b"x").unwrap();
    let wrong =
        store.write(move |writer| writer.hash_expire_fields(0, b"s", 1, condition, &[b"a"]));
    assert!(matches!(wrong, Err(resplite_store::StoreError::WrongType)));
}
