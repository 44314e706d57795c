//! The page-cache wrapper (`page_cache.rs`) and the page buffers' allocator (`page_memory.rs`)
//! under writes that rebalance B-tree pages all the time: random score changes, removals and
//! additions in a big sorted set and a big hash.
//! The store must answer exactly as a model does, before and after reopening, and the file
//! must pass SQLite's integrity check. This test binary's first use of SQLite is opening a
//! store, so both are in place here (other test binaries may use SQLite first).

mod common;

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use resplite_store::{Store, ZRange, ZRangeQuery, ZaddFlags};

const MEMBERS: u32 = 6_000;
const ROUNDS: usize = 30;
const CHANGES_PER_ROUND: usize = 400;

fn member(number: u32) -> Vec<u8> {
    format!("member:{number:08}").into_bytes()
}

/// Every member with its score, in Redis's order.
fn sorted(model: &HashMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
    let mut all: Vec<_> = model.iter().map(|(member, score)| (member.clone(), *score)).collect();
    all.sort_by(|left, right| left.1.total_cmp(&right.1).then_with(|| left.0.cmp(&right.0)));
    all
}

fn check(store: &Store, zset: &HashMap<Vec<u8>, f64>, hash: &HashMap<Vec<u8>, Vec<u8>>) {
    let everything = ZRangeQuery {
        range: ZRange::Rank { start: 0, end: -1 },
        reverse: false,
        offset: 0,
        limit: -1,
    };
    let (members, fields) = store
        .read(move |reader| {
            Ok((reader.zset_range(0, b"zset", &everything)?, reader.hash_get_all(0, b"hash")?))
        })
        .unwrap();
    assert_eq!(members, sorted(zset));
    let mut fields = fields;
    fields.sort();
    let mut expected: Vec<_> =
        hash.iter().map(|(field, value)| (field.clone(), value.clone())).collect();
    expected.sort();
    assert_eq!(fields, expected);
}

#[test]
fn rebalancing_writes_keep_every_answer_and_the_file_sound() {
    let (dir, store) = common::open();
    assert!(resplite_store::page_cache_wrapped(), "the first store of the process installs it");
    let mut random = StdRng::seed_from_u64(7);
    let mut zset = HashMap::new();
    let mut hash = HashMap::new();
    let pairs: Vec<(f64, Vec<u8>)> = (0..MEMBERS).map(|n| (f64::from(n), member(n))).collect();
    zset.extend(pairs.iter().map(|(score, member)| (member.clone(), *score)));
    store.write(move |writer| writer.zset_add(0, b"zset", ZaddFlags::default(), &pairs)).unwrap();
    let mut next_member = MEMBERS;
    for _ in 0..ROUNDS {
        let mut changes = Vec::new();
        for _ in 0..CHANGES_PER_ROUND {
            let number = random.random_range(0..next_member);
            let score = f64::from(random.random_range(0..1_000_000u32));
            changes.push((random.random_range(0..10u8), member(number), score));
        }
        next_member += 50;
        for (choice, name, score) in &changes {
            match choice {
                0 => {
                    zset.remove(name);
                    hash.remove(name);
                }
                _ => {
                    zset.insert(name.clone(), *score);
                    hash.insert(name.clone(), score.to_string().into_bytes());
                }
            }
        }
        store
            .write(move |writer| {
                for (choice, name, score) in &changes {
                    if *choice == 0 {
                        writer.zset_remove(0, b"zset", &[name])?;
                        writer.hash_delete(0, b"hash", &[name])?;
                    } else {
                        writer.zset_add(0, b"zset", ZaddFlags::default(), &[(*score, name)])?;
                        let value = score.to_string().into_bytes();
                        writer.hash_set(0, b"hash", &[(name.clone(), value)])?;
                    }
                }
                Ok(())
            })
            .unwrap();
    }
    check(&store, &zset, &hash);
    #[cfg(target_os = "linux")]
    assert!(resplite_store::page_memory_regions() > 0, "the cached pages sit in huge pages");
    drop(store);

    let connection = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    let verdict: String =
        connection.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
    assert_eq!(verdict, "ok");
    drop(connection);
    let store = Store::open(dir.path().join("test.db")).unwrap();
    check(&store, &zset, &hash);
}
