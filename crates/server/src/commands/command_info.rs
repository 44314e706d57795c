//! `COMMAND` and its subcommands, generated from the command registry.

use resplite_resp::Frame;

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, reply};
use crate::error::CommandError;
use crate::registry::{COMMANDS, CommandSpec, lookup};

pub(crate) fn command(_: &mut Context<'_>, mut args: Args) -> CommandResult {
    let Some(subcommand) = args.next() else {
        return reply(Frame::Array(COMMANDS.iter().map(info_entry).collect()));
    };
    let names = args.rest();
    if is_word(&subcommand, "count") && names.is_empty() {
        return reply(Frame::Integer(COMMANDS.len() as i64));
    }
    if is_word(&subcommand, "list") && names.is_empty() {
        return reply(Frame::Array(COMMANDS.iter().map(|spec| Frame::bulk(spec.name)).collect()));
    }
    if is_word(&subcommand, "info") {
        let entries = if names.is_empty() {
            COMMANDS.iter().map(info_entry).collect()
        } else {
            names.iter().map(|name| lookup(name).map_or(Frame::NullArray, info_entry)).collect()
        };
        return reply(Frame::Array(entries));
    }
    if is_word(&subcommand, "docs") {
        let chosen: Vec<&CommandSpec> = if names.is_empty() {
            COMMANDS.iter().collect()
        } else {
            names.iter().filter_map(|name| lookup(name)).collect()
        };
        let entries = chosen.into_iter().map(|spec| (Frame::bulk(spec.name), docs_entry(spec)));
        return reply(Frame::Map(entries.collect()));
    }
    if ["count", "list"].iter().any(|word| is_word(&subcommand, word)) {
        let name = String::from_utf8_lossy(&subcommand).to_ascii_lowercase();
        return Err(CommandError::WrongArity(format!("command|{name}")));
    }
    Err(CommandError::UnknownSubcommand { command: "COMMAND", subcommand: subcommand.to_vec() })
}

/// The `COMMAND INFO` entry of one command, in Redis 7's ten-field shape.
fn info_entry(spec: &CommandSpec) -> Frame {
    let words =
        |items: &[&'static str]| Frame::Set(items.iter().map(|item| Frame::simple(item)).collect());
    Frame::Array(vec![
        Frame::bulk(spec.name),
        Frame::Integer(i64::from(spec.arity)),
        words(spec.flags),
        Frame::Integer(i64::from(spec.keys.first)),
        Frame::Integer(i64::from(spec.keys.last)),
        Frame::Integer(i64::from(spec.keys.step)),
        words(&[spec.group.acl_category()]),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
    ])
}

/// The `COMMAND DOCS` entry of one command: summary, since and group.
fn docs_entry(spec: &CommandSpec) -> Frame {
    Frame::Map(vec![
        (Frame::bulk("summary"), Frame::bulk(spec.summary)),
        (Frame::bulk("since"), Frame::bulk(spec.since)),
        (Frame::bulk("group"), Frame::bulk(spec.group.name())),
    ])
}
