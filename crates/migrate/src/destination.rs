//! Writing what was read from the source into the destination keyspace.
//!
//! Every write replaces the whole key: whatever the destination held under that name (of any
//! type) is deleted first, so importing a key twice never duplicates list elements or keeps
//! members the source no longer has. A large collection is written as its first chunk
//! (replacing the key) and then appended to, chunk by chunk; an append finds the key it
//! started, or does nothing when that key has meanwhile expired.
//!
//! Batches of keys are written by [`write_batch`], each key as one atomic step, so that a key
//! that fails is recorded and the rest of the batch still commits.

use std::sync::mpsc;

use resplite_store::{
    Db, KeyType, ListEnd, NewDeadline, Result, SetCondition, SetOptions, Store, StoreError, Writer,
};

use crate::snapshot::Elements;

/// Runs `write`, a batch of keys each written inside `Writer::atomically`, in one commit and
/// waits for it. The write is replayable: a key's savepoint is then taken only when the batch
/// has to run again because a key failed after writing something, instead of for every key
/// (an eighth of the writer thread's time on a batch of small keys). So `write` must have the
/// same effects when run twice, which holds when all it changes is the database.
pub(crate) fn write_batch<R: Send + 'static>(
    store: &Store,
    write: impl FnMut(&mut Writer<'_>) -> Result<R> + Send + 'static,
) -> Result<R> {
    let (sender, receiver) = mpsc::sync_channel(1);
    store.write_replayable_then(write, move |result| {
        let _ = sender.send(result);
    });
    receiver.recv().unwrap_or(Err(StoreError::Closed))
}

/// Replaces `key` in `db` with `elements` and `deadline`. A deadline already passed, or no
/// element at all, leaves the key deleted. Answers whether the key now exists.
pub fn replace_key(
    writer: &mut Writer<'_>,
    db: Db,
    key: &[u8],
    elements: &Elements,
    deadline: Option<i64>,
) -> Result<bool> {
    writer.delete(db, &[key])?;
    if deadline.is_some_and(|at| at <= writer.now()) || elements.is_empty() {
        return Ok(false);
    }
    match elements {
        Elements::String(value) => {
            let deadline = deadline.map_or(NewDeadline::Clear, NewDeadline::At);
            let options =
                SetOptions { condition: SetCondition::Always, deadline, return_previous: false };
            writer.set(db, key, value, options)?;
            return Ok(true);
        }
        _ => add_elements(writer, db, key, elements)?,
    }
    if let Some(at) = deadline {
        writer.expire_at(db, key, at, Default::default())?;
    }
    Ok(true)
}

/// Adds a later chunk of a large collection to the key its first chunk created. Answers
/// false (writing nothing) when that key is gone or has another type.
pub fn append_chunk(
    writer: &mut Writer<'_>,
    db: Db,
    key: &[u8],
    elements: &Elements,
) -> Result<bool> {
    let expected = match elements {
        Elements::String(_) => return Ok(false),
        Elements::Hash(..) => KeyType::Hash,
        Elements::List(_) => KeyType::List,
        Elements::Set(_) => KeyType::Set,
        Elements::ZSet(_) => KeyType::ZSet,
    };
    if writer.key_type(db, key)? != Some(expected) {
        return Ok(false);
    }
    if !elements.is_empty() {
        add_elements(writer, db, key, elements)?;
    }
    Ok(true)
}

fn add_elements(writer: &mut Writer<'_>, db: Db, key: &[u8], elements: &Elements) -> Result<()> {
    match elements {
        Elements::String(_) => {}
        Elements::Hash(pairs, deadlines) => {
            writer.hash_set(db, key, pairs)?;
            if !deadlines.is_empty() {
                let fields: Vec<(&[u8], i64)> = deadlines
                    .iter()
                    .map(|&(at, deadline)| (pairs[at].0.as_slice(), deadline))
                    .collect();
                writer.hash_restore_field_deadlines(db, key, &fields)?;
            }
        }
        Elements::List(items) => {
            writer.list_push(db, key, ListEnd::Right, items, false)?;
        }
        Elements::Set(members) => {
            writer.set_add(db, key, members)?;
        }
        Elements::ZSet(pairs) => {
            // The scores as Redis holds them (`-0` included), not as a `ZADD` would store them
            // into the copy while it is still small.
            writer.zset_add_exact(db, key, pairs)?;
        }
    }
    Ok(())
}
