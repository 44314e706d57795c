//! Tests of the HLL format and operations. Expected bytes, counts and digests were measured
//! on Redis 7.0.15 with the same commands.

use super::*;
use crate::engine::Store;

/// FNV-1a, to compare 12 KB dense values with digests measured on Redis.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn header(encoding: u8, cache: [u8; 8]) -> Vec<u8> {
    let mut value = b"HYLL".to_vec();
    value.extend([encoding, 0, 0, 0]);
    value.extend(cache);
    value
}

/// The cache bytes of a stale cached cardinality of 0, as `PFADD` leaves a new HLL.
const STALE: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 0x80];

/// Adds elements the way `PFADD` does, on a bare value.
fn add_all(value: &mut Vec<u8>, elements: impl IntoIterator<Item = String>) -> bool {
    let mut changed = false;
    for element in elements {
        let (index, run) = register_for(element.as_bytes());
        changed |= set_register(value, index, run).expect("valid HLL");
    }
    invalidate_cache(value);
    changed
}

fn numbered(range: std::ops::Range<usize>) -> impl Iterator<Item = String> {
    range.map(|number| format!("e{number}"))
}

fn count(value: &[u8]) -> u64 {
    cardinality(value).expect("valid HLL").0
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_new_hll_is_one_xzero_with_a_fresh_cache() {
    let mut expected = header(SPARSE, [0; 8]);
    expected.extend([0x7f, 0xff]);
    assert_eq!(sparse::empty(), expected);
    assert_eq!(cardinality(&expected), Ok((0, false)));
}

#[test]
fn sparse_bytes_match_redis() {
    let mut value = sparse::empty();
    assert!(add_all(&mut value, ["a", "b", "c"].map(String::from)));
    let mut expected = header(SPARSE, STALE);
    expected.extend(hex("60f38050b1844bfb80425a"));
    assert_eq!(value, expected);
    assert_eq!(cardinality(&value), Ok((3, true)));
    // Adding them again raises nothing.
    assert!(!add_all(&mut value, ["c", "a"].map(String::from)));
}

#[test]
fn counts_and_bytes_match_redis() {
    // (elements e0.., PFCOUNT, then the length and digest of the bytes PFCOUNT left) from
    // Redis.
    let cases: [(usize, u64, usize, u64); 6] = [
        (1, 1, 21, 0x546d_16fd_fd2c_805a),
        (10, 10, 48, 0xd06c_25fb_eaa2_3420),
        (100, 100, 285, 0x40de_c5e3_b151_3cfa),
        (1_000, 1_008, 1_906, 0x4ded_8ea0_046b_668d),
        (10_000, 9_973, DENSE_LEN, 0x9114_1a08_52dc_0034),
        (100_000, 100_853, DENSE_LEN, 0xfd1f_c236_9477_3e63),
    ];
    for (elements, expected, len, expected_digest) in cases {
        let mut value = sparse::empty();
        add_all(&mut value, numbered(0..elements));
        assert_eq!(count(&value), expected, "{elements} elements");
        value[8..HEADER_LEN].copy_from_slice(&expected.to_le_bytes());
        assert_eq!(value.len(), len, "{elements} elements");
        assert_eq!(digest(&value), expected_digest, "{elements} elements");
    }
}

#[test]
fn sparse_turns_dense_past_3000_bytes() {
    let mut value = sparse::empty();
    for element in numbered(0..1_683) {
        add_all(&mut value, [element]);
    }
    assert_eq!((value[4], value.len()), (SPARSE, 3_000));
    assert_eq!(digest(&value), 0x3c1b_2ef7_aaad_95df);
    add_all(&mut value, numbered(1_683..1_684));
    assert_eq!((value[4], value.len()), (DENSE, DENSE_LEN));
    assert_eq!(digest(&value), 0x1dff_1bb5_5f47_4a5d);
}

#[test]
fn a_register_above_32_turns_sparse_dense() {
    // Found by search: its hash has 32 zero bits above the index bits.
    assert_eq!(register_for(b"r3465021361"), (8118, 33));
    let mut value = sparse::empty();
    add_all(&mut value, ["x".to_string(), "r3465021361".to_string()]);
    assert_eq!(value.len(), DENSE_LEN);
    assert_eq!(dense_register(&value[HEADER_LEN..], 8118), 33);
    assert_eq!(count(&value), 2);
}

#[test]
fn dense_registers_keep_their_neighbours() {
    let mut registers = vec![0u8; DENSE_LEN - HEADER_LEN];
    for index in 0..REGISTERS {
        set_dense_register(&mut registers, index, (index % 64) as u8);
    }
    for index in 0..REGISTERS {
        assert_eq!(dense_register(&registers, index), (index % 64) as u8, "register {index}");
    }
    set_dense_register(&mut registers, 5, 0);
    assert_eq!(
        [4, 5, 6].map(|index| dense_register(&registers, index)),
        [4, 0, 6],
        "clearing one register leaves the others"
    );
}

#[test]
fn sparse_and_dense_forms_count_alike() {
    let mut value = sparse::empty();
    add_all(&mut value, numbered(0..700));
    let dense = sparse::to_dense(&value).unwrap();
    assert_eq!(&dense[..4], b"HYLL");
    assert_eq!(dense[4], DENSE);
    assert_eq!(count(&dense), count(&value));
    let (mut from_sparse, mut from_dense) = (vec![0; REGISTERS], vec![0; REGISTERS]);
    merge_registers(&mut from_sparse, &value).unwrap();
    merge_registers(&mut from_dense, &dense).unwrap();
    assert_eq!(from_sparse, from_dense);
}

#[test]
fn what_is_not_an_hll_and_what_is_corrupted() {
    let not_hll = [
        b"HYLL".to_vec(),
        b"hyll\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff".to_vec(),
        header(2, [0; 8]),
        header(DENSE, STALE),
    ];
    for value in not_hll {
        assert_eq!(cardinality(&value), Err(StoreError::NotHyperLogLog), "{value:?}");
    }
    let too_few = [header(SPARSE, STALE), vec![0x7f, 0xfe]].concat();
    let too_many = [header(SPARSE, STALE), vec![0x7f, 0xff, 0x80]].concat();
    for value in [too_few, too_many] {
        assert_eq!(cardinality(&value), Err(StoreError::CorruptedHyperLogLog));
        assert_eq!(sparse::to_dense(&value), Err(StoreError::CorruptedHyperLogLog));
    }
    // A fresh cache is answered without reading the registers, as Redis does.
    let cached = header(SPARSE, [7, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(cardinality(&cached), Ok((7, false)));
}

#[test]
fn the_estimator_at_its_extremes() {
    let mut histogram = [0; 64];
    histogram[0] = REGISTERS as u32;
    assert_eq!(estimate(&histogram), 0);
    // Forged registers of 63 leave nothing to estimate from; Redis answers LONG_MIN.
    histogram = [0; 64];
    histogram[63] = REGISTERS as u32;
    assert_eq!(estimate(&histogram), 1 << 63);
}

fn open_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("hll.db")).unwrap();
    (dir, store)
}

#[test]
fn pf_add_creates_the_key_even_without_elements() {
    let (_dir, store) = open_store();
    let none: [&[u8]; 0] = [];
    assert!(store.write(move |writer| writer.pf_add(0, b"h", &none)).unwrap());
    assert!(!store.write(move |writer| writer.pf_add(0, b"h", &none)).unwrap());
    let mut expected = header(SPARSE, STALE);
    expected.extend([0x7f, 0xff]);
    assert_eq!(store.get(0, b"h").unwrap(), Some(expected));
}

#[test]
fn pf_count_of_one_key_stores_the_cardinality() {
    let (_dir, store) = open_store();
    store.write(|writer| writer.pf_add(0, b"h", &[b"a", b"b", b"c"])).unwrap();
    assert_eq!(store.read(|reader| reader.pf_count(0, &[b"h"])).unwrap(), 3);
    assert_eq!(store.get(0, b"h").unwrap().unwrap()[15], 0x80, "a read stores nothing");
    assert_eq!(store.write(|writer| writer.pf_count_and_cache(0, b"h")).unwrap(), 3);
    let value = store.get(0, b"h").unwrap().unwrap();
    assert_eq!(value[8..16], [3, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(store.write(|writer| writer.pf_count_and_cache(0, b"missing")).unwrap(), 0);
}

#[test]
fn pf_merge_and_union_count_match_redis() {
    let (_dir, store) = open_store();
    let first: Vec<String> = numbered(0..100).collect();
    let second: Vec<String> = numbered(50..150).collect();
    store.write(move |writer| writer.pf_add(0, b"s1", &first)).unwrap();
    store.write(move |writer| writer.pf_add(0, b"s2", &second)).unwrap();
    let keys: [&[u8]; 3] = [b"s1", b"s2", b"missing"];
    assert_eq!(store.read(|reader| reader.pf_count(0, &keys)).unwrap(), 150);
    store.write(|writer| writer.pf_merge(0, b"s1", &[b"s2"])).unwrap();
    let value = store.get(0, b"s1").unwrap().unwrap();
    assert_eq!((value.len(), digest(&value)), (396, 0x21a7_1a6f_0769_2226));
    assert_eq!(store.write(|writer| writer.pf_count_and_cache(0, b"s1")).unwrap(), 150);
}

#[test]
fn hll_commands_check_types_and_keep_deadlines() {
    let (_dir, store) = open_store();
    store.set(0, b"text", b"not an hll at all").unwrap();
    assert_eq!(
        store.write(|writer| writer.pf_add(0, b"text", &[b"a"])),
        Err(StoreError::NotHyperLogLog)
    );
    store.write(|writer| writer.hash_set(0, b"hash", &[(b"f", b"v")])).unwrap();
    assert_eq!(store.read(|reader| reader.pf_count(0, &[b"hash"])), Err(StoreError::WrongType));
    assert_eq!(
        store.write(|writer| writer.pf_merge(0, b"hash", &[b"x"])),
        Err(StoreError::WrongType)
    );
    store.write(|writer| writer.pf_add(0, b"h", &[b"a"])).unwrap();
    store.expire_in(0, b"h", 100_000).unwrap();
    store.write(|writer| writer.pf_add(0, b"h", &[b"b"])).unwrap();
    store.write(|writer| writer.pf_count_and_cache(0, b"h")).unwrap();
    store.write(|writer| writer.pf_merge(0, b"h", &[b"missing"])).unwrap();
    assert!(matches!(store.deadline(0, b"h").unwrap(), crate::Deadline::At(_)));
}

#[test]
fn mergeable_means_a_readable_hll() {
    let (_dir, store) = open_store();
    store.write(|writer| writer.pf_add(0, b"h", &[b"a", b"b"])).unwrap();
    store.write(|writer| writer.pf_add(0, b"broken", &[b"a"])).unwrap();
    // Bytes after the last opcode make a sparse HLL unreadable, though its header is fine.
    store.write(|writer| writer.append(0, b"broken", b"(b")).unwrap();
    store.set(0, b"plain", b"not an hll").unwrap();
    let mergeable = |key: &'static [u8]| store.read(move |reader| reader.pf_mergeable(0, key));
    assert!(mergeable(b"h").unwrap());
    assert!(!mergeable(b"broken").unwrap());
    assert!(!mergeable(b"plain").unwrap());
    assert!(!mergeable(b"missing").unwrap());
}
