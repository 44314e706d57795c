//! Running one write command on the writer thread with what follows from it: touching the
//! keys it changed for `WATCH`, and serving the clients blocked on them — and, once the
//! job's transaction has committed, finishing both (see `watch` and `blocking`).

use std::sync::Arc;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{Filled, Writer};

use crate::blocking::Served;
use crate::command::WriteStep;
use crate::error::store_error_frame;
use crate::keyspace_events::{self, Event};
use crate::state::ServerState;
use crate::watch::Touch;

/// What the writes of one job leave to do after its commit.
#[derive(Default)]
pub(crate) struct WriteEffects {
    /// What they changed, to touch again for `WATCH` once committed.
    touched: Vec<Touch>,
    /// The blocked clients they served, to answer once committed.
    served: Served,
    /// While a transaction runs, what its writes changed, to offer to blocked clients only
    /// at its end (they see the state after `EXEC`, never one in the middle).
    held: Option<Vec<Touch>>,
    /// Keyspace notifications, to publish once committed.
    events: Vec<Event>,
}

impl WriteEffects {
    /// Effects that hold blocked clients back until [`WriteEffects::serve_held`].
    pub(crate) fn holding() -> WriteEffects {
        WriteEffects { held: Some(Vec::new()), ..WriteEffects::default() }
    }

    /// Offers what the held writes changed to blocked clients, in the order written.
    pub(crate) fn serve_held(&mut self, server: &ServerState, writer: &mut Writer<'_>) {
        for touch in self.held.take().unwrap_or_default() {
            serve_blocked(server, writer, &touch, self);
        }
    }

    /// Keeps `events` (of a read inside the job) to publish with the writes' once committed.
    pub(crate) fn add_events(&mut self, events: Vec<Event>) {
        self.events.extend(events);
    }

    /// Finishes the job's effects once its commit is known (on the writer thread).
    pub(crate) fn apply(self, server: &ServerState, committed: bool) {
        if committed {
            for touch in &self.touched {
                server.watched.touch(touch);
            }
            keyspace_events::publish(server, &self.events);
        }
        server.blocked.deliver(self.served, committed);
    }
}

/// Runs one write command atomically on its own and answers its reply. When it changed
/// something, the keys it names are touched for `WATCH` and offered to blocked clients.
pub(crate) fn run_one_write(
    server: &ServerState,
    writer: &mut Writer<'_>,
    operation: &mut WriteStep<'_>,
    touch: &Touch,
    effects: &mut WriteEffects,
) -> Frame {
    let (frame, changed) = run_and_touch(server, writer, operation, touch, effects);
    if changed && server.blocked.any() {
        match &mut effects.held {
            Some(held) => held.push(touch.clone()),
            None => serve_blocked(server, writer, touch, effects),
        }
    }
    frame
}

/// Offers keys written outside the server's own commands (by a program using the store
/// directly, in the same process) to the clients blocked on them, in a writer job of their
/// own. The server's own writes have served their waiters already; for those this finds
/// nothing to do and queues nothing.
pub(crate) fn serve_filled_elsewhere(server: &Arc<ServerState>, filled: &[Filled]) {
    if !server.blocked.any() {
        return;
    }
    let touch = if filled.iter().any(|filled| matches!(filled, Filled::Database(_))) {
        Touch::Everything
    } else {
        let keys = filled.iter().filter_map(|filled| match filled {
            Filled::Key(db, key) => Some((*db, Bytes::copy_from_slice(key))),
            Filled::Database(_) => None,
        });
        Touch::Exact(keys.collect())
    };
    if !server.blocked.waits_on(&touch) {
        return;
    }
    let running = Arc::clone(server);
    let committed = Arc::clone(server);
    server.store.write_then(
        move |writer| {
            let mut effects = WriteEffects::default();
            serve_blocked(&running, writer, &touch, &mut effects);
            Ok(effects)
        },
        move |result| {
            if let Ok(effects) = result {
                effects.apply(&committed, true);
            }
        },
    );
}

/// Offers the keys `touch` names to the clients blocked on them.
fn serve_blocked(
    server: &ServerState,
    writer: &mut Writer<'_>,
    touch: &Touch,
    effects: &mut WriteEffects,
) {
    let mut served = std::mem::take(&mut effects.served);
    server.blocked.serve(writer, touch, &mut served, |writer, operation, touch| {
        let (frame, changed) = run_and_touch(server, writer, operation, touch, effects);
        (frame, changed.then(|| touch.clone()))
    });
    effects.served = served;
}

/// Runs `operation` under its own savepoint; if it changed something, touches (for `WATCH`)
/// the watched keys `touch` covers, noting them in `effects` with the keyspace events the
/// operation reported. Answers the reply and whether anything changed.
fn run_and_touch(
    server: &ServerState,
    writer: &mut Writer<'_>,
    operation: &mut WriteStep<'_>,
    touch: &Touch,
    effects: &mut WriteEffects,
) -> (Frame, bool) {
    let resolved =
        server.watched.resolve(touch, |db, key| writer.exists(db, &[key]).unwrap_or(1) > 0);
    let before = writer.changes();
    let flags = server.settings.notify_keyspace_events();
    let (result, events) =
        keyspace_events::collecting(flags, || writer.atomically(|writer| operation(writer)));
    // A command that failed was rolled back whole: whatever it wrote before failing (SQLite
    // still counts those rows) is gone, so it changed nothing.
    let succeeded = result.is_ok();
    let frame = match result {
        Ok(frame) => {
            effects.events.extend(events);
            frame
        }
        // Its changes are undone, but the keys it found missing were looked up: Redis
        // reports those misses even when the command then fails.
        Err(error) => {
            effects.events.extend(events.into_iter().filter(keyspace_events::Event::is_key_miss));
            store_error_frame(&error)
        }
    };
    let changed = succeeded && writer.changes() != before;
    if changed {
        server.watched.touch(&resolved);
        effects.touched.push(resolved);
    }
    (frame, changed)
}
