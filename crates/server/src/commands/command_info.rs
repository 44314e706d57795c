//! `COMMAND` and its subcommands, generated from the command registry and, for `COMMAND
//! DOCS`, the argument table of `command_syntax.rs`.

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::glob_match;

use crate::args::{Args, is_word};
use crate::argument_notation::{self, Argument, ArgumentType};
use crate::command::{CommandResult, Context, reply};
use crate::command_syntax::{self, SubcommandDoc};
use crate::commands::sort;
use crate::error::CommandError;
use crate::registry::{COMMANDS, CommandSpec, KeyPositions, arity_accepts, group_of, lookup};

pub(crate) fn command(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    if args.remaining() == 0 {
        return reply(Frame::Array(COMMANDS.iter().map(info_entry).collect()));
    }
    let subcommand = context.subcommand("COMMAND", &mut args)?;
    let names = args.rest();
    match subcommand {
        "count" => reply(Frame::Integer(COMMANDS.len() as i64)),
        "list" => list(&names),
        "getkeys" => get_keys(&names),
        "help" => reply(help()),
        "info" if names.is_empty() => {
            reply(Frame::Array(COMMANDS.iter().map(info_entry).collect()))
        }
        "info" => reply(Frame::Array(names.iter().map(|name| named_info_entry(name)).collect())),
        // DOCS, the one subcommand left.
        _ if names.is_empty() => reply(Frame::Map(
            COMMANDS.iter().map(|spec| (Frame::bulk(spec.name), docs_entry(spec))).collect(),
        )),
        _ => reply(Frame::Map(names.iter().filter_map(|name| named_docs_entry(name)).collect())),
    }
}

/// `COMMAND GETKEYS command arg…`: the keys that command would use, found as Redis finds
/// them: by position, or for the commands that take a key count (`movablekeys`), after it.
fn get_keys(words: &[Bytes]) -> CommandResult {
    let invalid =
        |what: &str| Err(CommandError::err(format!("Invalid {what} specified for command")));
    let Some((keys, arity, movable)) = key_shape(words) else {
        return Err(CommandError::err("Invalid command specified"));
    };
    if keys.first <= 0 && !movable {
        return Err(CommandError::err("The command has no key arguments"));
    }
    if !arity_accepts(arity, words.len()) {
        return invalid("number of arguments");
    }
    let found = if movable { movable_keys(words) } else { positioned_keys(words, keys) };
    match found {
        Some(found) => reply(Frame::Array(found.into_iter().map(Frame::Bulk).collect())),
        None => invalid("arguments"),
    }
}

/// The key positions, arity and whether the keys follow a count, of the command (or
/// container subcommand) that `words` spell.
fn key_shape(words: &[Bytes]) -> Option<(KeyPositions, i32, bool)> {
    let spec = lookup(words.first()?)?;
    let movable = spec.flags.contains(&"movablekeys");
    if command_syntax::subcommands_of(spec.name).is_empty() || words.len() < 2 {
        return Some((spec.keys, spec.arity, movable));
    }
    let (_, subcommand) = command_syntax::find_subcommand(spec.name, &words[1])?;
    Some((subcommand_keys(subcommand), subcommand.arity, false))
}

/// Keys at `first`, `first + step` … up to `last` (counted from the end when negative).
fn positioned_keys(words: &[Bytes], keys: KeyPositions) -> Option<Vec<Bytes>> {
    let count = i64::try_from(words.len()).ok()?;
    let last = if keys.last < 0 { count + i64::from(keys.last) } else { i64::from(keys.last) };
    let step = usize::try_from(keys.step.max(1)).ok()?;
    let first = usize::try_from(keys.first).ok()?;
    let last = usize::try_from(last.min(count - 1)).ok()?;
    Some(words.get(first..=last)?.iter().step_by(step).cloned().collect())
}

/// The keys of a `movablekeys` command: `SORT`'s key and `STORE` destination, `SORT_RO`'s
/// key, the others' counted keys.
fn movable_keys(words: &[Bytes]) -> Option<Vec<Bytes>> {
    if is_word(&words[0], "sort") {
        Some([words[1].clone()].into_iter().chain(sort::store_destination(words)).collect())
    } else if is_word(&words[0], "sort_ro") {
        Some(vec![words[1].clone()])
    } else {
        counted_keys(words)
    }
}

/// The keys of a command that counts them: a destination first for the `*STORE` forms,
/// then the count (after a timeout for the blocking pops) and that many keys. `None` when
/// the count is not a number from 1 to the words left.
fn counted_keys(words: &[Bytes]) -> Option<Vec<Bytes>> {
    let name = String::from_utf8_lossy(&words[0]).to_ascii_lowercase();
    let (count_at, destination) = match name.as_str() {
        "zdiffstore" | "zinterstore" | "zunionstore" => (2, Some(&words[1])),
        "blmpop" | "bzmpop" => (2, None),
        _ => (1, None),
    };
    let count = resplite_store::parse_i64(words.get(count_at)?)?;
    let count = usize::try_from(count).ok().filter(|count| *count > 0)?;
    let counted = words.get(count_at + 1..count_at + 1 + count)?;
    Some(destination.into_iter().chain(counted).cloned().collect())
}

fn help() -> Frame {
    let lines = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}

/// `COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]`: every
/// command and subcommand (`client|list`), or those that pass the filter.
fn list(arguments: &[Bytes]) -> CommandResult {
    let filter = match arguments {
        [] => ListFilter::Everything,
        [filterby, kind, value] if is_word(filterby, "filterby") => {
            if is_word(kind, "module") {
                ListFilter::Nothing
            } else if is_word(kind, "aclcat") {
                ListFilter::Category(value)
            } else if is_word(kind, "pattern") {
                ListFilter::Pattern(value)
            } else {
                return Err(CommandError::Syntax);
            }
        }
        _ => return Err(CommandError::Syntax),
    };
    let mut names = Vec::new();
    for spec in COMMANDS.iter() {
        if filter.keeps(spec.name, spec.categories) {
            names.push(Frame::bulk(spec.name));
        }
        for subcommand in command_syntax::subcommands_of(spec.name) {
            if filter.keeps(subcommand.name, subcommand.categories) {
                names.push(Frame::bulk(subcommand.name));
            }
        }
    }
    reply(Frame::Array(names))
}

/// Which names `COMMAND LIST` answers.
enum ListFilter<'a> {
    Everything,
    /// `FILTERBY MODULE`: resplite has no modules.
    Nothing,
    /// `FILTERBY ACLCAT`: an ACL category, named without its `@`, in any case.
    Category(&'a [u8]),
    /// `FILTERBY PATTERN`: a glob over the names, in any case.
    Pattern(&'a [u8]),
}

impl ListFilter<'_> {
    fn keeps(&self, name: &str, categories: &[&str]) -> bool {
        match self {
            ListFilter::Everything => true,
            ListFilter::Nothing => false,
            ListFilter::Category(wanted) => categories.iter().any(|category| {
                category.strip_prefix('@').is_some_and(|category| is_word(wanted, category))
            }),
            ListFilter::Pattern(pattern) => glob_match(pattern, name.as_bytes(), true),
        }
    }
}

/// The `COMMAND INFO` entry of one command, in Redis 7's ten-field shape, with its
/// subcommands' entries in the tenth.
fn info_entry(spec: &CommandSpec) -> Frame {
    let subcommands: Vec<Frame> =
        command_syntax::subcommands_of(spec.name).iter().map(subcommand_info_entry).collect();
    // Redis answers an empty set when there are none, an array otherwise.
    let subcommands =
        if subcommands.is_empty() { Frame::Set(Vec::new()) } else { Frame::Array(subcommands) };
    let head = Head {
        name: spec.name,
        arity: spec.arity,
        flags: spec.flags,
        categories: spec.categories,
        keys: spec.keys,
    };
    ten_fields(head, subcommands)
}

/// The `COMMAND INFO` entry of a subcommand: its own arity, flags, categories and key.
fn subcommand_info_entry(subcommand: &SubcommandDoc) -> Frame {
    let head = Head {
        name: subcommand.name,
        arity: subcommand.arity,
        flags: subcommand.flags,
        categories: subcommand.categories,
        keys: subcommand_keys(subcommand),
    };
    ten_fields(head, Frame::Set(Vec::new()))
}

/// Where a subcommand's key is: its first argument when that is a key (`OBJECT ENCODING
/// key`, after the two words of the names), else nowhere.
fn subcommand_keys(subcommand: &SubcommandDoc) -> KeyPositions {
    let arguments = argument_notation::parse(subcommand.syntax).unwrap_or_default();
    match arguments.first() {
        Some(first) if first.kind == ArgumentType::Key && !first.multiple => {
            KeyPositions { first: 2, last: 2, step: 1 }
        }
        _ => KeyPositions { first: 0, last: 0, step: 0 },
    }
}

/// What a `COMMAND INFO` entry says of a command or subcommand.
struct Head {
    name: &'static str,
    arity: i32,
    flags: &'static [&'static str],
    categories: &'static [&'static str],
    keys: KeyPositions,
}

/// The entry: `head`, no tips or key specifications, then `subcommands`.
fn ten_fields(head: Head, subcommands: Frame) -> Frame {
    let words =
        |items: &[&'static str]| Frame::Set(items.iter().map(|item| Frame::simple(item)).collect());
    Frame::Array(vec![
        Frame::bulk(head.name),
        Frame::Integer(i64::from(head.arity)),
        words(head.flags),
        Frame::Integer(i64::from(head.keys.first)),
        Frame::Integer(i64::from(head.keys.last)),
        Frame::Integer(i64::from(head.keys.step)),
        words(head.categories),
        Frame::Set(Vec::new()),
        Frame::Set(Vec::new()),
        subcommands,
    ])
}

/// The `COMMAND INFO` entry asked for by name, a subcommand as `container|subcommand`; a
/// null (a null bulk string in RESP2, as Redis sends) for a name resplite does not know.
fn named_info_entry(name: &[u8]) -> Frame {
    let Some(bar) = name.iter().position(|&byte| byte == b'|') else {
        return lookup(name).map_or(Frame::Null, info_entry);
    };
    lookup(&name[..bar])
        .and_then(|container| {
            let (_, subcommand) =
                command_syntax::find_subcommand(container.name, &name[bar + 1..])?;
            Some(subcommand_info_entry(subcommand))
        })
        .unwrap_or(Frame::Null)
}

/// The `COMMAND DOCS` entry of one command: summary, since, group, its arguments and, for a
/// container command, its subcommands, in Redis 7's order.
fn docs_entry(spec: &CommandSpec) -> Frame {
    let mut fields = vec![
        (Frame::bulk("summary"), Frame::bulk(spec.summary)),
        (Frame::bulk("since"), Frame::bulk(spec.since)),
        (Frame::bulk("group"), Frame::bulk(group_of(spec).name())),
    ];
    push_arguments(&mut fields, command_syntax::syntax_of(spec.name));
    let subcommands: Vec<(Frame, Frame)> = command_syntax::subcommands_of(spec.name)
        .iter()
        .map(|subcommand| (Frame::bulk(subcommand.name), subcommand_entry(spec, subcommand)))
        .collect();
    if !subcommands.is_empty() {
        fields.push((Frame::bulk("subcommands"), Frame::Map(subcommands)));
    }
    Frame::Map(fields)
}

/// The `COMMAND DOCS` entry asked for by name: a command, or a subcommand written as
/// `container|subcommand` as Redis allows; `None` for a name resplite does not know.
fn named_docs_entry(name: &[u8]) -> Option<(Frame, Frame)> {
    let Some(bar) = name.iter().position(|&byte| byte == b'|') else {
        let spec = lookup(name)?;
        return Some((Frame::bulk(spec.name), docs_entry(spec)));
    };
    let container = lookup(&name[..bar])?;
    let (_, subcommand) = command_syntax::find_subcommand(container.name, &name[bar + 1..])?;
    Some((Frame::bulk(subcommand.name), subcommand_entry(container, subcommand)))
}

fn subcommand_entry(container: &CommandSpec, subcommand: &SubcommandDoc) -> Frame {
    let mut fields = vec![
        (Frame::bulk("summary"), Frame::bulk(subcommand.summary)),
        (Frame::bulk("since"), Frame::bulk(subcommand.since)),
        (Frame::bulk("group"), Frame::bulk(group_of(container).name())),
    ];
    push_arguments(&mut fields, subcommand.syntax);
    Frame::Map(fields)
}

/// Adds the `arguments` field when the notation names any (Redis leaves it out otherwise).
fn push_arguments(fields: &mut Vec<(Frame, Frame)>, notation: &'static str) {
    // The table is parsed whole by a test, so a line that does not parse never ships; if one
    // did, the command would be described without its arguments rather than fail.
    let arguments = argument_notation::parse(notation).unwrap_or_default();
    if !arguments.is_empty() {
        fields.push((Frame::bulk("arguments"), argument_list(&arguments)));
    }
}

fn argument_list(arguments: &[Argument]) -> Frame {
    Frame::Array(arguments.iter().map(argument_entry).collect())
}

/// One argument as Redis describes it: name, type, then token, flags and nested arguments
/// when it has them.
fn argument_entry(argument: &Argument) -> Frame {
    let mut fields = vec![
        (Frame::bulk("name"), Frame::bulk(argument.name.clone())),
        (Frame::bulk("type"), Frame::bulk(argument.kind.name())),
    ];
    if let Some(token) = argument.token {
        fields.push((Frame::bulk("token"), Frame::bulk(token)));
    }
    let flags: Vec<Frame> = [
        (argument.optional, "optional"),
        (argument.multiple, "multiple"),
        (argument.multiple_token, "multiple_token"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, flag)| Frame::simple(flag))
    .collect();
    if !flags.is_empty() {
        fields.push((Frame::bulk("flags"), Frame::Set(flags)));
    }
    if !argument.children.is_empty() {
        fields.push((Frame::bulk("arguments"), argument_list(&argument.children)));
    }
    Frame::Map(fields)
}

#[cfg(test)]
mod tests {
    use resplite_resp::Frame;

    use super::named_docs_entry;

    fn name_of(requested: &[u8]) -> Option<Frame> {
        named_docs_entry(requested).map(|(name, _)| name)
    }

    #[test]
    fn docs_are_found_for_commands_and_container_subcommands_in_any_case() {
        assert_eq!(name_of(b"GeT"), Some(Frame::bulk("get")));
        assert_eq!(name_of(b"CLIENT|List"), Some(Frame::bulk("client|list")));
        assert_eq!(name_of(b"client|no-such-subcommand"), None);
        assert_eq!(name_of(b"no-such-command|list"), None);
        assert_eq!(name_of(b"get|x"), None);
        assert_eq!(name_of(b"no-such-command"), None);
    }
}
