//! What a command handler is and what it hands back.
//!
//! Handlers are plain synchronous functions: they parse and check their arguments and say
//! what to do — answer at once, run a read on a pooled connection, or run a write on the
//! writer thread. The connection loop carries that out, so no handler touches a socket,
//! waits on SQLite from an async thread, or needs a network to be tested.

use std::sync::Arc;

use bytes::Bytes;
use resplite_resp::{Element, Frame, Protocol};
use resplite_store::{Db, Reader, StoreError, Writer};

use crate::args::Args;
use crate::clients::Client;
use crate::command_syntax;
use crate::error::CommandError;
use crate::state::ServerState;

/// A read to run on a pooled connection.
pub(crate) type ReadOperation = Box<dyn FnOnce(&Reader<'_>) -> Result<Frame, CommandError> + Send>;

/// A write to run on the writer thread; an error rolls back exactly this command. It may run
/// twice (see `Store::write_replayable_then`), so it must only read what it captured.
pub(crate) type WriteOperation =
    Box<dyn FnMut(&mut Writer<'_>) -> Result<Frame, StoreError> + Send>;

/// A write as run on the writer thread, borrowed (see [`WriteOperation`]).
pub(crate) type WriteStep<'o> = dyn FnMut(&mut Writer<'_>) -> Result<Frame, StoreError> + Send + 'o;

/// A blocking command's write: with a key, it takes from that key only (the one that has
/// just been filled); without one, from the first non-empty of its keys, in order.
pub(crate) type KeyedOperation =
    Box<dyn FnMut(&mut Writer<'_>, Option<&Bytes>) -> Result<Frame, StoreError> + Send>;

/// What a handler decided.
pub(crate) enum Outcome {
    /// Answer this now.
    Reply(Frame),
    /// Answer this, then close the connection (`QUIT`).
    ReplyAndClose(Frame),
    /// Answer this after a pause, keeping the connection's later replies waiting too (a
    /// wrong password, against guessing).
    ReplyAfter(std::time::Duration, Frame),
    /// Answer with the result of a read.
    Read(ReadOperation),
    /// Answer with the result of a committed write.
    Write(WriteOperation),
    /// Run a transaction's queued commands as one job on the writer (`EXEC`).
    Exec(crate::transaction::ExecJob),
    /// Take something from one of some keys, waiting until there is something to take
    /// (`BLPOP` and the other blocking commands).
    Block(crate::blocking::BlockRequest),
    /// Answer with several replies in a row (`SUBSCRIBE a b` confirms each channel).
    Several(Vec<Frame>),
    /// Answer with the result of a write that changes state outside the database and so
    /// must run exactly once, as a job of its own on the writer thread (`CLIENT UNBLOCK`).
    WriteOnce(WriteOperation),
}

/// The result of every handler.
pub(crate) type CommandResult = Result<Outcome, CommandError>;

/// A command handler.
pub(crate) type Handler = fn(&mut Context<'_>, Args) -> CommandResult;

/// What a handler may look at and change.
pub(crate) struct Context<'a> {
    pub(crate) server: &'a Arc<ServerState>,
    pub(crate) client: &'a mut Client,
}

impl Context<'_> {
    /// The client's selected database.
    pub(crate) fn db(&self) -> Db {
        self.client.db
    }

    /// The protocol version the client speaks, for replies whose shape differs between
    /// RESP2 and RESP3 beyond what [`Frame::encode_as`] handles (see [`pairs_frame`]).
    pub(crate) fn protocol(&self) -> Protocol {
        self.client.protocol
    }

    /// Parses a database number as `SELECT`, `MOVE` and `COPY … DB` do (see [`parse_int`]),
    /// then refuses one outside the configured range with `DB index is out of range`.
    pub(crate) fn parse_db(&self, argument: &[u8]) -> Result<Db, CommandError> {
        Db::try_from(parse_int(argument)?)
            .ok()
            .filter(|db| *db < self.server.config.databases)
            .ok_or_else(|| CommandError::err("DB index is out of range"))
    }
}

impl Context<'_> {
    /// Reads the subcommand of container `command` from `args`, notes it for the command
    /// statistics and answers its lower-case name. Dispatch has already refused unknown
    /// subcommands and wrong argument counts, as Redis does before anything runs.
    pub(crate) fn subcommand(
        &mut self,
        command: &'static str,
        args: &mut Args,
    ) -> Result<&'static str, CommandError> {
        let subcommand = args.bytes()?;
        let container = command.to_ascii_lowercase();
        let Some((name, _)) = command_syntax::find_subcommand(&container, &subcommand) else {
            return Err(CommandError::UnknownSubcommand {
                command: command.to_owned(),
                subcommand: subcommand.to_vec(),
            });
        };
        self.client.note_subcommand(name);
        Ok(name)
    }
}

/// Answer `frame` at once.
pub(crate) fn reply(frame: Frame) -> CommandResult {
    Ok(Outcome::Reply(frame))
}

/// Answer with what `operation` reads.
pub(crate) fn read(
    operation: impl FnOnce(&Reader<'_>) -> Result<Frame, CommandError> + Send + 'static,
) -> CommandResult {
    Ok(Outcome::Read(Box::new(operation)))
}

/// Answer with what `operation` writes, once committed.
pub(crate) fn write(
    operation: impl FnMut(&mut Writer<'_>) -> Result<Frame, StoreError> + Send + 'static,
) -> CommandResult {
    Ok(Outcome::Write(Box::new(operation)))
}

/// A bulk string, or a null for `None`.
pub(crate) fn optional_bulk(value: Option<Vec<u8>>) -> Frame {
    value.map_or(Frame::Null, Frame::bulk)
}

/// A bulk string element of an encoded reply, or a null for `None`.
pub(crate) fn optional_element(value: Option<&[u8]>) -> Element<'_> {
    value.map_or(Element::Null, Element::Bulk)
}

/// Pairs (member and score, field and value) as Redis replies with them: one flat array in
/// RESP2, an array of two-element arrays in RESP3.
pub(crate) fn pairs_frame(
    pairs: impl IntoIterator<Item = (Frame, Frame)>,
    protocol: Protocol,
) -> Frame {
    let pairs = pairs.into_iter();
    let mut items = Vec::with_capacity(pairs.size_hint().0 * 2);
    for (first, second) in pairs {
        match protocol {
            Protocol::Resp2 => items.extend([first, second]),
            Protocol::Resp3 => items.push(Frame::Array(vec![first, second])),
        }
    }
    Frame::Array(items)
}

/// An integer reply from a count.
pub(crate) fn count(value: impl TryInto<i64>) -> Frame {
    Frame::Integer(value.try_into().unwrap_or(i64::MAX))
}

/// Parses a C `int` argument as Redis's `getIntFromObjectOrReply` does: a non-integer is
/// `value is not an integer or out of range`, an integer outside 32 bits gets its own error.
pub(crate) fn parse_int(argument: &[u8]) -> Result<i32, CommandError> {
    let number = resplite_store::parse_i64(argument).ok_or(CommandError::NotInteger)?;
    i32::try_from(number).map_err(|_| {
        CommandError::err("value is out of range, value must between -2147483648 and 2147483647")
    })
}
