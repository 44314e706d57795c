//! The write connection remembers the key row it last found in a round (`key_memo.rs`):
//! whatever happens to the key in between — an operation rolled back after changing it, a
//! rename, a delete, another process's commit — the next write must see the row as it
//! stands, so lengths and element counts never disagree.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use resplite_store::{
    ListEnd, PendingWrite, Reader, Store, StoreError, Writer, ZRange, ZRangeQuery, ZaddFlags,
};

/// How many members the sorted set really holds, counted from its elements.
fn members(reader: &Reader<'_>, key: &[u8]) -> Result<usize, StoreError> {
    let all = ZRangeQuery {
        range: ZRange::Rank { start: 0, end: -1 },
        reverse: false,
        offset: 0,
        limit: -1,
    };
    Ok(reader.zset_range(0, key, &all)?.len())
}

fn add(writer: &mut Writer<'_>, key: &[u8], score: f64, member: &str) -> Result<(), StoreError> {
    writer.zset_add(0, key, ZaddFlags::default(), &[(score, member)]).map(drop)
}

/// An operation that adds an element and then fails is rolled back to its savepoint; the
/// remembered row (already updated to the longer length) must not survive the rollback.
#[test]
fn a_rolled_back_operation_leaves_no_remembered_length_behind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("memo.db")).unwrap();
    let (length, members, list_length, items) = store
        .write(|writer| {
            add(writer, b"z", 1.0, "a")?;
            add(writer, b"z", 2.0, "b")?;
            let failed = writer.atomically(|writer| {
                add(writer, b"z", 3.0, "c")?;
                Err::<(), _>(StoreError::Internal("given up".into()))
            });
            assert!(failed.is_err());
            add(writer, b"z", 4.0, "d")?;

            writer.list_push(0, b"l", ListEnd::Left, &[b"1"], false)?;
            writer.list_push(0, b"l", ListEnd::Right, &[b"2"], false)?;
            let failed = writer.atomically(|writer| {
                writer.list_push(0, b"l", ListEnd::Left, &[b"x"], false)?;
                Err::<(), _>(StoreError::Internal("given up".into()))
            });
            assert!(failed.is_err());
            writer.list_push(0, b"l", ListEnd::Left, &[b"0"], false)?;
            Ok((
                writer.zset_len(0, b"z")?,
                members(writer, b"z")?,
                writer.list_len(0, b"l")?,
                writer.list_range(0, b"l", 0, -1)?,
            ))
        })
        .unwrap();
    assert_eq!((length, members), (3, 3));
    assert_eq!(list_length, 3);
    assert_eq!(items, vec![b"0".to_vec(), b"1".to_vec(), b"2".to_vec()]);
}

/// Three writes in one round on the caller's thread, run optimistically without savepoints:
/// the second adds a member and fails, so the whole round is rolled back and run again with
/// a savepoint per write. The row remembered before the rollback (of a key the rollback
/// un-creates) must not be used in the run again.
#[test]
fn a_round_run_again_after_a_failure_starts_from_the_rows_as_they_are() {
    let (_dir, store) =
        common::open_with(|options| options.sweep_interval = Duration::from_secs(3600));
    let (sender, answers) = mpsc::channel();
    let batch = (0..3)
        .map(|index| {
            let sender = sender.clone();
            let member = ["a", "b", "c"][index];
            PendingWrite::replayable(
                move |writer| {
                    add(writer, b"z", index as f64, member)?;
                    if index == 1 {
                        return Err(StoreError::Internal("given up".into()));
                    }
                    Ok(())
                },
                move |result| sender.send((index, result.is_ok())).unwrap(),
            )
        })
        .collect();
    assert!(store.write_now_or_then(batch), "the write connection was free");
    let mut answered: Vec<_> = answers.try_iter().collect();
    answered.sort();
    assert_eq!(answered, vec![(0, true), (1, false), (2, true)]);
    let (length, counted) =
        store.read(|reader| Ok((reader.zset_len(0, b"z")?, members(reader, b"z")?))).unwrap();
    assert_eq!((length, counted), (2, 2));
}

/// A key renamed or deleted after its row was remembered: a write to the old name makes a
/// new key, and the renamed one keeps its own elements.
#[test]
fn a_renamed_or_deleted_key_is_not_written_through_its_old_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("memo.db")).unwrap();
    let lengths = store
        .write(|writer| {
            add(writer, b"z", 1.0, "a")?;
            add(writer, b"z", 2.0, "b")?;
            writer.rename(0, b"z", b"moved", false)?;
            add(writer, b"z", 3.0, "c")?;
            add(writer, b"gone", 1.0, "a")?;
            add(writer, b"gone", 2.0, "b")?;
            writer.delete(0, &[b"gone"])?;
            add(writer, b"gone", 3.0, "c")?;
            Ok([
                writer.zset_len(0, b"moved")?,
                writer.zset_len(0, b"z")?,
                writer.zset_len(0, b"gone")?,
            ])
        })
        .unwrap();
    assert_eq!(lengths, [2, 1, 1]);
}

/// Another store on the same file deletes the key between two rounds of the first: the
/// first store's next round must not add to the deleted key's row.
#[test]
fn a_commit_by_another_writer_between_rounds_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("memo.db");
    let first = Store::open(&path).unwrap();
    let second = Store::open(&path).unwrap();
    first
        .write(|writer| {
            add(writer, b"z", 1.0, "a")?;
            add(writer, b"z", 2.0, "b")
        })
        .unwrap();
    second.write(|writer| writer.delete(0, &[b"z"])).unwrap();
    first.write(|writer| add(writer, b"z", 3.0, "c")).unwrap();
    assert_eq!(second.read(|reader| reader.zset_len(0, b"z")).unwrap(), 1);
    assert_eq!(first.read(|reader| reader.zset_len(0, b"z")).unwrap(), 1);
}
