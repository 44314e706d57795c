//! `CLIENT` and its subcommands: connection identity and the list of clients.

use bytes::Bytes;
use resplite_resp::Frame;

use crate::args::{Args, is_word};
use crate::clients::list_line;
use crate::command::{CommandResult, Context, reply};
use crate::error::CommandError;

/// Each subcommand with its Redis arity (counting `CLIENT` itself).
const SUBCOMMANDS: &[(&str, i32)] = &[
    ("getname", 2),
    ("help", 2),
    ("id", 2),
    ("info", 2),
    ("list", -2),
    ("setinfo", 4),
    ("setname", 3),
];

pub(crate) fn client(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let name = context.subcommand("CLIENT", SUBCOMMANDS, &mut args)?;
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
                match resplite_store::parse_i64(id) {
                    Some(id) if id > 0 => wanted.push(format!("id={id} ")),
                    _ => return Err(CommandError::err("Invalid client ID")),
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
        "HELP",
        "    Print this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
