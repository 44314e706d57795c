//! String operations against Redis's documented behaviour, plus a property test comparing
//! the store with a plain in-memory model over random operation sequences.

mod common;

use std::collections::HashMap;

use proptest::prelude::*;
use resplite_store::{
    BitOperation, BitRange, NewDeadline, RangeUnit, SetCondition, SetOptions, StoreError,
};

#[test]
fn set_conditions_and_get_option() {
    let (_dir, store) = common::open();
    let set = |value: &'static [u8], options: SetOptions| {
        store.write(move |writer| writer.set(0, b"k", value, options)).unwrap()
    };
    let nx = SetOptions { condition: SetCondition::IfAbsent, ..Default::default() };
    let xx = SetOptions { condition: SetCondition::IfPresent, ..Default::default() };
    assert!(!set(b"x", xx).written);
    let first = set(b"first", nx);
    assert!(first.written && first.created);
    assert!(!set(b"second", nx).written);
    let outcome = set(b"third", SetOptions { return_previous: true, ..xx });
    assert!(outcome.written && !outcome.created);
    assert_eq!(outcome.previous, Some(b"first".to_vec()));
    assert_eq!(store.get(0, b"k").unwrap(), Some(b"third".to_vec()));
}

#[test]
fn set_reports_a_key_created_over_an_expired_one() {
    let (_dir, store) = common::open();
    store.set(0, b"k", b"v").unwrap();
    let past = SetOptions { deadline: NewDeadline::At(1), ..Default::default() };
    assert!(!store.write(move |writer| writer.set(0, b"k", b"w", past)).unwrap().created);
    // The key now has a deadline in the past: it is gone, so the next SET creates it.
    let outcome = store.write(|writer| writer.set(0, b"k", b"x", SetOptions::default())).unwrap();
    assert!(outcome.written && outcome.created);
}

#[test]
fn keepttl_keeps_and_plain_set_clears_the_deadline() {
    let (_dir, store) = common::open();
    store.set(0, b"k", b"v").unwrap();
    store.expire_in(0, b"k", 100_000).unwrap();
    let keep = SetOptions { deadline: NewDeadline::Keep, ..Default::default() };
    store.write(move |writer| writer.set(0, b"k", b"w", keep)).unwrap();
    assert!(matches!(store.deadline(0, b"k").unwrap(), resplite_store::Deadline::At(_)));
}

/// A plain `SET` creates its key, in a database that had none too, and overwrites a string;
/// over a key of another type or a string with a deadline it falls back to replacing the
/// row. The key counts follow each case.
#[test]
fn plain_set_creates_overwrites_and_replaces_with_the_counts_right() {
    let (_dir, store) = common::open();
    let set = |db: u32, key: &'static [u8], value: &'static [u8]| {
        store.write(move |writer| writer.set(db, key, value, SetOptions::default())).unwrap()
    };
    let counts = |db: u32| {
        let stats = store.read(|reader| reader.keyspace_stats()).unwrap();
        stats
            .iter()
            .find(|stats| stats.db == db)
            .map_or((0, 0), |stats| (stats.keys, stats.expires))
    };
    assert!(set(3, b"k", b"1").created);
    assert!(set(3, b"other", b"1").created);
    assert_eq!(counts(3), (2, 0));
    let overwrite = set(3, b"k", b"2");
    assert!(overwrite.written && !overwrite.created);
    assert_eq!(store.get(3, b"k").unwrap(), Some(b"2".to_vec()));
    store.write(|writer| writer.hash_set(3, b"h", &[(b"f", b"v")])).unwrap();
    assert_eq!(counts(3), (3, 0));
    let replaced = set(3, b"h", b"3");
    assert!(replaced.written && !replaced.created);
    let kind = store.read(|reader| reader.key_type(3, b"h")).unwrap();
    assert_eq!(kind, Some(resplite_store::KeyType::String));
    store.expire_in(3, b"k", 100_000).unwrap();
    assert_eq!(counts(3), (3, 1));
    assert!(!set(3, b"k", b"4").created);
    assert_eq!(counts(3), (3, 0));
    assert_eq!(store.get(3, b"k").unwrap(), Some(b"4".to_vec()));
    assert_eq!(counts(0), (0, 0));
}

/// `SET … EX` over a live string rewrites it in place; the count of keys with a deadline
/// follows every change of the deadline's presence, and `XX` never creates a key.
#[test]
fn set_with_a_deadline_keeps_the_expiry_counts() {
    let (_dir, store) = common::open();
    let set = |key: &'static [u8], options: SetOptions| {
        store.write(move |writer| writer.set(0, key, b"v", options)).unwrap()
    };
    let counts = || {
        let stats = store.read(|reader| reader.keyspace_stats()).unwrap();
        stats.first().map_or((0, 0), |db| (db.keys, db.expires))
    };
    let later = resplite_store::now_ms() + 100_000;
    let with_deadline = |condition| SetOptions {
        condition,
        deadline: NewDeadline::At(later),
        return_previous: false,
    };
    set(b"k", SetOptions::default());
    assert_eq!(counts(), (1, 0));
    let outcome = set(b"k", with_deadline(SetCondition::Always));
    assert!(outcome.written && !outcome.created);
    assert_eq!(counts(), (1, 1));
    set(b"k", with_deadline(SetCondition::IfPresent));
    assert_eq!(counts(), (1, 1));
    assert!(!set(b"absent", with_deadline(SetCondition::IfPresent)).written);
    assert_eq!(counts(), (1, 1));
    assert!(set(b"new", with_deadline(SetCondition::Always)).created);
    assert_eq!(counts(), (2, 2));
    set(b"k", SetOptions::default());
    assert_eq!(counts(), (2, 1));
    let deadline = |key: &'static [u8]| store.read(move |reader| reader.deadline(0, key)).unwrap();
    assert_eq!(deadline(b"new"), resplite_store::Deadline::At(later));
    assert_eq!(deadline(b"k"), resplite_store::Deadline::Persistent);
}

#[test]
fn increments_check_type_integer_and_overflow() {
    let (_dir, store) = common::open();
    assert_eq!(store.write(|writer| writer.increment(0, b"n", 5)).unwrap(), 5);
    assert_eq!(store.get(0, b"n").unwrap(), Some(b"5".to_vec()));
    store.write(|writer| writer.hash_set(0, b"h", &[(b"f", b"v")])).unwrap();
    assert_eq!(store.write(|writer| writer.increment(0, b"h", 1)), Err(StoreError::WrongType));
    // A counter past its deadline (its row still there) counts from 0 again, with no deadline.
    let expired = SetOptions { deadline: NewDeadline::At(1), ..Default::default() };
    store.write(move |writer| writer.set(0, b"old", b"41", expired)).unwrap();
    assert_eq!(store.write(|writer| writer.increment(0, b"old", 3)).unwrap(), 3);
    assert_eq!(store.deadline(0, b"old").unwrap(), resplite_store::Deadline::Persistent);
    store.set(0, b"text", b"abc").unwrap();
    assert_eq!(store.write(|writer| writer.increment(0, b"text", 1)), Err(StoreError::NotInteger));
    store.set(0, b"big", i64::MAX.to_string().as_bytes()).unwrap();
    assert_eq!(store.write(|writer| writer.increment(0, b"big", 1)), Err(StoreError::Overflow));
    store.set(0, b"spaced", b" 1").unwrap();
    assert_eq!(
        store.write(|writer| writer.increment(0, b"spaced", 1)),
        Err(StoreError::NotInteger)
    );
}

#[test]
fn float_increments_use_redis_formatting() {
    let (_dir, store) = common::open();
    store.set(0, b"f", b"10.5").unwrap();
    let value = store.write(|writer| writer.increment_float(0, b"f", b"0.1")).unwrap();
    assert_eq!(value, b"10.6");
    store.set(0, b"e", b"5.0e3").unwrap();
    assert_eq!(store.write(|writer| writer.increment_float(0, b"e", b"0")).unwrap(), b"5000");
    assert_eq!(
        store.write(|writer| writer.increment_float(0, b"e", b"abc")),
        Err(StoreError::NotFloat)
    );
}

#[test]
fn ranges_follow_getrange_and_setrange_rules() {
    let (_dir, store) = common::open();
    store.set(0, b"s", b"Hello World").unwrap();
    let range = |start, end| store.read(|reader| reader.get_range(0, b"s", start, end)).unwrap();
    assert_eq!(range(0, 4), b"Hello");
    assert_eq!(range(-5, -1), b"World");
    assert_eq!(range(5, 2), b"");
    assert_eq!(range(-1, -5), b"");
    assert_eq!(range(0, 1000), b"Hello World");
    assert_eq!(store.write(|writer| writer.set_range(0, b"s", 6, b"Redis")).unwrap(), 11);
    assert_eq!(store.get(0, b"s").unwrap(), Some(b"Hello Redis".to_vec()));
    assert_eq!(store.write(|writer| writer.set_range(0, b"pad", 3, b"x")).unwrap(), 4);
    assert_eq!(store.get(0, b"pad").unwrap(), Some(b"\0\0\0x".to_vec()));
    assert_eq!(store.write(|writer| writer.set_range(0, b"none", 5, b"")).unwrap(), 0);
    assert_eq!(store.get(0, b"none").unwrap(), None);
    let too_far = 512 * 1024 * 1024;
    assert_eq!(
        store.write(move |writer| writer.set_range(0, b"s", too_far, b"x")),
        Err(StoreError::StringTooLong)
    );
}

#[test]
fn bit_operations_follow_redis() {
    let (_dir, store) = common::open();
    assert!(!store.write(|writer| writer.set_bit(0, b"b", 7, true)).unwrap());
    assert!(store.write(|writer| writer.set_bit(0, b"b", 7, true)).unwrap());
    assert_eq!(store.get(0, b"b").unwrap(), Some(vec![0x01]));
    store.set(0, b"bits", b"foobar").unwrap();
    let count = |range| store.read(|reader| reader.bit_count(0, b"bits", range)).unwrap();
    assert_eq!(count(None), 26);
    assert_eq!(count(Some(BitRange { start: 1, end: Some(1), unit: RangeUnit::Byte })), 6);
    assert_eq!(count(Some(BitRange { start: 5, end: Some(30), unit: RangeUnit::Bit })), 17);
    // Two negative ends in the wrong order count nothing, though clamped they would both
    // name the first byte; with a positive start the clamped range counts.
    assert_eq!(count(Some(BitRange { start: -6, end: Some(-100), unit: RangeUnit::Byte })), 0);
    assert_eq!(count(Some(BitRange { start: 0, end: Some(-100), unit: RangeUnit::Byte })), 4);
    store.set(0, b"ones", b"\xff\xf0\x00").unwrap();
    let position =
        |bit, range| store.read(|reader| reader.bit_position(0, b"ones", bit, range)).unwrap();
    assert_eq!(position(false, None), 12);
    assert_eq!(position(true, Some(BitRange { start: 2, end: None, unit: RangeUnit::Byte })), -1);
    store.set(0, b"full", b"\xff\xff").unwrap();
    assert_eq!(store.read(|reader| reader.bit_position(0, b"full", false, None)).unwrap(), 16);
    let range = Some(BitRange { start: 0, end: Some(-1), unit: RangeUnit::Byte });
    assert_eq!(store.read(|reader| reader.bit_position(0, b"full", false, range)).unwrap(), -1);
    store.set(0, b"x", b"\x0f").unwrap();
    store.set(0, b"y", b"\xff\x01").unwrap();
    let length = store
        .write(|writer| writer.bit_operation(0, BitOperation::And, b"dest", &[b"x", b"y"]))
        .unwrap();
    assert_eq!(length, 2);
    assert_eq!(store.get(0, b"dest").unwrap(), Some(vec![0x0f, 0x00]));
}

/// One operation of the model test.
#[derive(Clone, Debug)]
enum Operation {
    Set(u8, Vec<u8>),
    Append(u8, Vec<u8>),
    Increment(u8, i64),
    Delete(u8),
    Rename(u8, u8),
    SetRange(u8, usize, Vec<u8>),
}

fn operation() -> impl Strategy<Value = Operation> {
    let key = 0u8..6;
    let value = proptest::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        (key.clone(), value.clone()).prop_map(|(k, v)| Operation::Set(k, v)),
        (key.clone(), value.clone()).prop_map(|(k, v)| Operation::Append(k, v)),
        (key.clone(), -50i64..50).prop_map(|(k, d)| Operation::Increment(k, d)),
        key.clone().prop_map(Operation::Delete),
        (key.clone(), key.clone()).prop_map(|(a, b)| Operation::Rename(a, b)),
        (key, 0usize..12, value).prop_map(|(k, o, v)| Operation::SetRange(k, o, v)),
    ]
}

fn key_name(key: u8) -> Vec<u8> {
    vec![b'k', key]
}

/// What the model says an operation does to `model`.
fn apply_to_model(model: &mut HashMap<u8, Vec<u8>>, operation: &Operation) {
    match operation {
        Operation::Set(key, value) => {
            model.insert(*key, value.clone());
        }
        Operation::Append(key, suffix) => model.entry(*key).or_default().extend_from_slice(suffix),
        Operation::Increment(key, delta) => {
            let current = model.get(key).map_or(Some(0), |value| resplite_store::parse_i64(value));
            if let Some(current) = current {
                model.insert(*key, (current + delta).to_string().into_bytes());
            }
        }
        Operation::Delete(key) => {
            model.remove(key);
        }
        Operation::Rename(from, to) => {
            if let Some(value) = model.remove(from) {
                model.insert(*to, value);
            }
        }
        Operation::SetRange(key, offset, value) => {
            if !value.is_empty() {
                let bytes = model.entry(*key).or_default();
                if bytes.len() < offset + value.len() {
                    bytes.resize(offset + value.len(), 0);
                }
                bytes[*offset..offset + value.len()].copy_from_slice(value);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_store_behaves_like_a_map_of_strings(operations in proptest::collection::vec(operation(), 1..40)) {
        let (_dir, store) = common::open();
        let mut model = HashMap::new();
        for operation in &operations {
            apply_to_model(&mut model, operation);
            let operation = operation.clone();
            let _ = store.write(move |writer| match operation {
                Operation::Set(key, value) => writer.set(0, &key_name(key), &value, Default::default()).map(drop),
                Operation::Append(key, suffix) => writer.append(0, &key_name(key), &suffix).map(drop),
                Operation::Increment(key, delta) => writer.increment(0, &key_name(key), delta).map(drop),
                Operation::Delete(key) => writer.delete(0, &[key_name(key)]).map(drop),
                Operation::Rename(from, to) => writer.rename(0, &key_name(from), &key_name(to), false).map(drop),
                Operation::SetRange(key, offset, value) => writer.set_range(0, &key_name(key), offset, &value).map(drop),
            });
            for key in 0u8..6 {
                prop_assert_eq!(store.get(0, &key_name(key)).unwrap(), model.get(&key).cloned());
            }
        }
        prop_assert_eq!(store.read(|reader| reader.db_size(0)).unwrap(), model.len() as u64);
        prop_assert_eq!(common::violations(&store), vec![]);
    }
}
