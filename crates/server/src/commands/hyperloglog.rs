//! HyperLogLog commands: `PFADD`, `PFCOUNT`, `PFMERGE`.

use resplite_resp::Frame;
use resplite_store::StoreError;

use crate::args::Args;
use crate::command::{CommandResult, Context, read, write};
use crate::commands::strings::emit_string_change;
use crate::error::store_error_frame;
use crate::keyspace_events;

pub(crate) fn pfadd(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let elements = args.rest();
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        match writer.pf_add(db, &key, &elements) {
            Ok(changed) => {
                if changed {
                    emit_string_change(was_missing, "pfadd", db, &key);
                }
                Ok(Frame::Integer(i64::from(changed)))
            }
            // Redis keeps the registers set before it met the corruption: answer the error
            // without failing (and so rolling back) the write. It announces nothing.
            Err(error @ StoreError::CorruptedHyperLogLog) => Ok(store_error_frame(&error)),
            Err(error) => Err(error),
        }
    })
}

/// Redis replies with the 64-bit cardinality read as a signed integer; only a forged HLL
/// reaches the top bit.
fn cardinality(count: u64) -> Frame {
    Frame::Integer(count.cast_signed())
}

pub(crate) fn pfcount(context: &mut Context<'_>, args: Args) -> CommandResult {
    let db = context.db();
    let keys = args.rest();
    // One key: the count may be stored in the HLL's header, which makes it a write. Several
    // keys: the union is computed on the side and nothing is stored.
    if let [key] = keys.as_slice() {
        let key = key.clone();
        return write(move |writer| Ok(cardinality(writer.pf_count_and_cache(db, &key)?)));
    }
    read(move |reader| Ok(cardinality(reader.pf_count(db, &keys)?)))
}

pub(crate) fn pfmerge(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, destination) = (context.db(), args.bytes()?);
    let sources = args.rest();
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &destination)?;
        writer.pf_merge(db, &destination, &sources)?;
        // Redis names a merge's event `pfadd`, even when nothing changed.
        emit_string_change(was_missing, "pfadd", db, &destination);
        Ok(Frame::ok())
    })
}
