//! Position arithmetic at its edges: overlapping shifts and lists pushed against the limits
//! of the position range (reached here by moving a list there, which no command can do in
//! practice).

use super::POSITION_LIMIT;
use crate::lists::{InsertPlace, ListEnd, head_of};
use crate::{Store, Writer};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("positions.db")).unwrap();
    (dir, store)
}

fn items(range: std::ops::Range<i32>) -> Vec<Vec<u8>> {
    range.map(|index| index.to_string().into_bytes()).collect()
}

/// Moves list `key` so that its head is at `head`.
fn relocate(writer: &mut Writer<'_>, key: &[u8], head: i64) -> crate::Result<()> {
    let mut row = writer.list_row_for_write(0, key)?.unwrap();
    let old = head_of(&row);
    writer.shift_positions(row.id, old, old + row.length - 1, head - old)?;
    let length = row.length;
    writer.set_list_shape(&mut row, head, length)
}

/// The list's head, after checking that its elements fill exactly its positions and stay
/// inside the position range.
fn checked_head(store: &Store, key: &'static [u8]) -> i64 {
    store
        .read(|reader| {
            let row = reader.collection(0, key, crate::KeyType::List)?.unwrap();
            let (count, first, last): (i64, i64, i64) = reader.connection.query_row(
                "SELECT count(*), min(position), max(position) FROM list_items WHERE key_id = ?1",
                [row.id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let head = head_of(&row);
            assert_eq!((count, first, last), (row.length, head, head + row.length - 1));
            assert!(first >= -POSITION_LIMIT && last <= POSITION_LIMIT, "{first}..{last}");
            Ok(head)
        })
        .unwrap()
}

fn contents(store: &Store, key: &'static [u8]) -> Vec<Vec<u8>> {
    store.read(|reader| reader.list_range(0, key, 0, -1)).unwrap()
}

#[test]
fn overlapping_shifts_move_every_element_in_either_direction() {
    let (_dir, store) = open();
    for by in [-7i64, -3, -1, 1, 2, 5, 40] {
        store
            .write(move |writer| {
                writer.delete(0, &[b"l"])?;
                writer.list_push(0, b"l", ListEnd::Right, &items(0..10), false)?;
                // Move the whole list by `by`: every step but the last overlaps itself.
                relocate(writer, b"l", by)
            })
            .unwrap();
        assert_eq!(checked_head(&store, b"l"), by);
        assert_eq!(contents(&store, b"l"), items(0..10));
    }
}

#[test]
fn pushes_at_the_edge_of_the_position_range_renumber_the_list() {
    let (_dir, store) = open();
    store
        .write(|writer| {
            writer.list_push(0, b"l", ListEnd::Right, &items(0..5), false)?;
            relocate(writer, b"l", -POSITION_LIMIT + 2)
        })
        .unwrap();
    assert_eq!(checked_head(&store, b"l"), -POSITION_LIMIT + 2);
    // Two more fit before the head; the third push renumbers.
    store.write(|writer| writer.list_push(0, b"l", ListEnd::Left, &[b"a", b"b"], false)).unwrap();
    assert_eq!(checked_head(&store, b"l"), -POSITION_LIMIT);
    store.write(|writer| writer.list_push(0, b"l", ListEnd::Left, &[b"c"], false)).unwrap();
    let head = checked_head(&store, b"l");
    assert!(head.abs() < 100, "renumbered around 0, head {head}");
    let mut expected = vec![b"c".to_vec(), b"b".to_vec(), b"a".to_vec()];
    expected.extend(items(0..5));
    assert_eq!(contents(&store, b"l"), expected);

    store.write(|writer| relocate(writer, b"l", POSITION_LIMIT - 8)).unwrap();
    assert_eq!(checked_head(&store, b"l"), POSITION_LIMIT - 8);
    store.write(|writer| writer.list_push(0, b"l", ListEnd::Right, &[b"z"; 3], false)).unwrap();
    assert!(checked_head(&store, b"l").abs() < 100);
    expected.extend([b"z".to_vec(), b"z".to_vec(), b"z".to_vec()]);
    assert_eq!(contents(&store, b"l"), expected);
    assert_eq!(store.read(|reader| reader.list_index(0, b"l", -1)).unwrap(), Some(b"z".to_vec()));
}

#[test]
fn middle_edits_and_moves_at_the_edges_stay_in_range() {
    let (_dir, store) = open();
    let mut expected = items(0..6);
    // The head side is the shorter one: LINSERT moves it towards the low edge.
    store
        .write(|writer| {
            writer.list_push(0, b"l", ListEnd::Right, &items(0..6), false)?;
            relocate(writer, b"l", -POSITION_LIMIT)
        })
        .unwrap();
    store.write(|writer| writer.list_insert(0, b"l", InsertPlace::After, b"0", b"x")).unwrap();
    expected.insert(1, b"x".to_vec());
    assert_eq!(contents(&store, b"l"), expected);
    checked_head(&store, b"l");
    // The tail side is the shorter one: LINSERT moves it towards the high edge.
    store.write(|writer| relocate(writer, b"l", POSITION_LIMIT - 6)).unwrap();
    store.write(|writer| writer.list_insert(0, b"l", InsertPlace::Before, b"5", b"y")).unwrap();
    expected.insert(6, b"y".to_vec());
    assert_eq!(contents(&store, b"l"), expected);
    checked_head(&store, b"l");
    // Rotations and moves onto a list at each edge.
    for (head, from, to) in [
        (-POSITION_LIMIT, ListEnd::Right, ListEnd::Left),
        (POSITION_LIMIT - expected.len() as i64 + 1, ListEnd::Left, ListEnd::Right),
    ] {
        store.write(move |writer| relocate(writer, b"l", head)).unwrap();
        let moved = store.write(move |writer| writer.list_move(0, b"l", b"l", from, to)).unwrap();
        let item = match from {
            ListEnd::Left => expected.remove(0),
            ListEnd::Right => expected.pop().unwrap(),
        };
        assert_eq!(moved, Some(item.clone()));
        match to {
            ListEnd::Left => expected.insert(0, item),
            ListEnd::Right => expected.push(item),
        }
        assert_eq!(contents(&store, b"l"), expected);
        checked_head(&store, b"l");
    }
    store.write(|writer| writer.list_push(0, b"src", ListEnd::Right, &[b"s"], false)).unwrap();
    store.write(|writer| relocate(writer, b"l", -POSITION_LIMIT)).unwrap();
    store.write(|writer| writer.list_move(0, b"src", b"l", ListEnd::Right, ListEnd::Left)).unwrap();
    expected.insert(0, b"s".to_vec());
    assert_eq!(contents(&store, b"l"), expected);
    checked_head(&store, b"l");
    // LREM closing gaps at the edge.
    let head = POSITION_LIMIT - expected.len() as i64 + 1;
    store.write(move |writer| relocate(writer, b"l", head)).unwrap();
    store.write(|writer| writer.list_remove(0, b"l", 0, b"x")).unwrap();
    expected.retain(|item| item != b"x");
    assert_eq!(contents(&store, b"l"), expected);
    checked_head(&store, b"l");
}
