//! `CLIENT` and its subcommands: connection identity and the list of clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use resplite_resp::Frame;

use crate::args::{Args, is_word};
use crate::clients::{ClientInfo, ReplyMode, list_line};
use crate::command::{CommandResult, Context, Outcome, reply};
use crate::error::CommandError;
use crate::pause::PauseMode;

pub(crate) fn client(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let typed = args.peek().cloned().unwrap_or_default();
    let name = context.subcommand("CLIENT", &mut args)?;
    match name {
        "id" => reply(Frame::Integer(context.client.id as i64)),
        "getname" => {
            let name = context.client.info().name.clone();
            reply(if name.is_empty() { Frame::Null } else { Frame::Bulk(name) })
        }
        "setname" => {
            let name = args.bytes()?;
            if !is_valid_name(&name) {
                return Err(CommandError::err(
                    "Client names cannot contain spaces, newlines or special characters.",
                ));
            }
            context.client.info().name = name;
            reply(Frame::ok())
        }
        "setinfo" => set_info(context, args.bytes()?, args.bytes()?),
        "info" => reply(Frame::verbatim(list_line(&context.client.info()) + "\n")),
        "list" => list(context, args),
        "kill" => kill(context, args.rest()),
        "pause" => pause(context, &typed, args.rest()),
        "reply" => {
            let mode = args.bytes()?;
            context.client.replies = if is_word(&mode, "on") {
                ReplyMode::On
            } else if is_word(&mode, "off") {
                ReplyMode::Off
            } else if is_word(&mode, "skip") {
                // Under OFF there is nothing to skip, and OFF stays.
                if context.client.replies == ReplyMode::Off {
                    ReplyMode::Off
                } else {
                    ReplyMode::SkipNext
                }
            } else {
                return Err(CommandError::Syntax);
            };
            reply(Frame::ok())
        }
        "unblock" => unblock(context, &typed, args.rest()),
        "unpause" => {
            context.server.pause.unpause();
            reply(Frame::ok())
        }
        // resplite never evicts keys, and tracks no access times to spare.
        "no-evict" | "no-touch" => {
            let switch = args.bytes()?;
            if is_word(&switch, "on") || is_word(&switch, "off") {
                reply(Frame::ok())
            } else {
                Err(CommandError::Syntax)
            }
        }
        _ => reply(help()),
    }
}

/// Names and library attributes are limited to printable ASCII without spaces, so that
/// `CLIENT LIST` stays one parseable line per client.
pub(crate) fn is_valid_name(name: &[u8]) -> bool {
    name.iter().all(|byte| (b'!'..=b'~').contains(byte))
}

fn set_info(context: &mut Context<'_>, attribute: Bytes, value: Bytes) -> CommandResult {
    let field = if is_word(&attribute, "lib-name") {
        "lib-name"
    } else if is_word(&attribute, "lib-ver") {
        "lib-ver"
    } else {
        return Err(CommandError::err(format!(
            "Unrecognized option '{}'",
            String::from_utf8_lossy(&attribute)
        )));
    };
    if !is_valid_name(&value) {
        return Err(CommandError::err(format!(
            "{field} cannot contain spaces, newlines or special characters."
        )));
    }
    let mut info = context.client.info();
    if field == "lib-name" {
        info.library_name = value;
    } else {
        info.library_version = value;
    }
    reply(Frame::ok())
}

fn list(context: &mut Context<'_>, args: Args) -> CommandResult {
    let filters = args.rest();
    let mut lines = context.server.clients.list_lines();
    match filters.as_slice() {
        [] => {}
        [option, kind] if is_word(option, "type") => {
            let known = ["normal", "master", "replica", "slave", "pubsub"];
            if !known.iter().any(|known| is_word(kind, known)) {
                return Err(CommandError::err(format!(
                    "Unknown client type '{}'",
                    String::from_utf8_lossy(kind)
                )));
            }
            if !is_word(kind, "normal") {
                lines.clear();
            }
        }
        [option, ids @ ..] if is_word(option, "id") && !ids.is_empty() => {
            let mut wanted = Vec::new();
            for id in ids {
                // Any integer is accepted; one that names no client (0 or below included)
                // lists nothing, as in Redis.
                match resplite_store::parse_i64(id) {
                    Some(id) => wanted.push(format!("id={id} ")),
                    None => return Err(CommandError::err("Invalid client ID")),
                }
            }
            lines.retain(|line| wanted.iter().any(|prefix| line.starts_with(prefix.as_str())));
        }
        _ => return Err(CommandError::Syntax),
    }
    let mut text = String::new();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    reply(Frame::verbatim(text))
}

/// `CLIENT KILL addr:port`, or `CLIENT KILL [ID id] [ADDR addr] [LADDR addr] [USER name]
/// [TYPE type] [SKIPME yes|no] …`: closes the matching connections.
fn kill(context: &mut Context<'_>, words: Vec<Bytes>) -> CommandResult {
    let own_id = context.client.id;
    let registry = &context.server.clients;
    if let [address] = words.as_slice() {
        let wanted = String::from_utf8_lossy(address).into_owned();
        let killed = registry.kill(|info| peer_is(info.peer, &wanted));
        return if killed > 0 {
            reply(Frame::ok())
        } else {
            Err(CommandError::err("No such client"))
        };
    }
    if !words.len().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    let mut filter = KillFilter { skip_me: true, ..KillFilter::default() };
    for pair in words.chunks_exact(2) {
        let (option, value) = (&pair[0], &pair[1]);
        let text = String::from_utf8_lossy(value).into_owned();
        if is_word(option, "id") {
            let id = resplite_store::parse_i64(value)
                .filter(|id| *id > 0)
                .ok_or_else(|| CommandError::err("client-id should be greater than 0"))?;
            filter.id = Some(id as u64);
        } else if is_word(option, "type") {
            let known = ["normal", "master", "replica", "slave", "pubsub"];
            if !known.iter().any(|kind| is_word(value, kind)) {
                return Err(CommandError::err(format!("Unknown client type '{text}'")));
            }
            filter.normal_only = Some(is_word(value, "normal"));
        } else if is_word(option, "addr") {
            filter.addr = Some(text);
        } else if is_word(option, "laddr") {
            filter.laddr = Some(text);
        } else if is_word(option, "user") {
            if text != "default" {
                return Err(CommandError::err(format!("No such user '{text}'")));
            }
        } else if is_word(option, "skipme") {
            filter.skip_me = if is_word(value, "yes") {
                true
            } else if is_word(value, "no") {
                false
            } else {
                return Err(CommandError::Syntax);
            };
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let matches = |info: &ClientInfo| {
        filter.id.is_none_or(|id| id == info.id)
            && filter.addr.as_ref().is_none_or(|addr| peer_is(info.peer, addr))
            && filter.laddr.as_ref().is_none_or(|addr| peer_is(info.local, addr))
            // Every resplite client is a normal one (pub/sub ones included, for now).
            && filter.normal_only.is_none_or(|normal| normal)
    };
    let killed = registry.kill(|info| info.id != own_id && matches(info));
    // A client that kills itself is answered first, then closed.
    if !filter.skip_me && matches(&context.client.info()) {
        return Ok(Outcome::ReplyAndClose(Frame::Integer(killed as i64 + 1)));
    }
    reply(Frame::Integer(killed as i64))
}

/// What `CLIENT KILL`'s filters ask for.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    addr: Option<String>,
    laddr: Option<String>,
    normal_only: Option<bool>,
    skip_me: bool,
}

fn peer_is(address: Option<std::net::SocketAddr>, wanted: &str) -> bool {
    address.is_some_and(|address| address.to_string() == wanted)
}

/// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]`: ends another client's blocking command as
/// its timeout would, or with an `UNBLOCKED` error; answers 1, or 0 when that client is not
/// blocked. The reason is checked before the id, as in Redis.
fn unblock(context: &mut Context<'_>, typed: &[u8], words: Vec<Bytes>) -> CommandResult {
    let ending = match &words[1..] {
        [] => Frame::NullArray,
        [reason] if is_word(reason, "timeout") => Frame::NullArray,
        [reason] if is_word(reason, "error") => {
            Frame::error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        }
        [_] => return Err(CommandError::err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR")),
        _ => return Err(wrong_count(typed)),
    };
    let client = resplite_store::parse_i64(&words[0]).ok_or(CommandError::NotInteger)?;
    let Ok(client) = u64::try_from(client) else { return reply(Frame::Integer(0)) };
    let server = Arc::clone(context.server);
    Ok(Outcome::WriteOnce(Box::new(move |_| {
        Ok(Frame::Integer(i64::from(server.blocked.unblock(client, ending.clone()))))
    })))
}

/// Redis's refusal of a subcommand given the wrong number of arguments by its own handler.
fn wrong_count(typed: &[u8]) -> CommandError {
    let before = "unknown subcommand or wrong number of arguments for '";
    CommandError::err_quoting(before, typed, 128, "'. Try CLIENT HELP.")
}

/// `CLIENT PAUSE timeout-ms [WRITE|ALL]`.
fn pause(context: &mut Context<'_>, typed: &[u8], words: Vec<Bytes>) -> CommandResult {
    let milliseconds = resplite_store::parse_i64(&words[0])
        .ok_or_else(|| CommandError::err("timeout is not an integer or out of range"))?;
    if milliseconds < 0 {
        return Err(CommandError::err("timeout is negative"));
    }
    let mode = match &words[1..] {
        [] => PauseMode::All,
        [mode] if is_word(mode, "all") => PauseMode::All,
        [mode] if is_word(mode, "write") => PauseMode::Write,
        [_] => return Err(CommandError::err("CLIENT PAUSE mode must be WRITE or ALL")),
        _ => return Err(wrong_count(typed)),
    };
    let deadline = Instant::now() + Duration::from_millis(milliseconds as u64);
    context.server.pause.pause(deadline, mode);
    reply(Frame::ok())
}

fn help() -> Frame {
    let lines = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST [TYPE <normal|master|replica|pubsub>] [ID <id> [<id>...]]",
        "    Return information about client connections.",
        "SETINFO <LIB-NAME|LIB-VER> <value>",
        "    Set client library name or version.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are: ID <client-id>, TYPE <normal|pubsub>,",
        "    USER <username>, ADDR <ip:port>, LADDR <ip:port>, SKIPME (YES|NO).",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Accepted; resplite never evicts keys.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
