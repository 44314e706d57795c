//! `CONFIG GET`, `SET`, `RESETSTAT`, `REWRITE` and `HELP`, over the runtime settings.

use std::sync::Arc;

use bytes::Bytes;
use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, read, reply};
use crate::config_file;
use crate::error::CommandError;

pub(crate) fn config(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    match context.subcommand("CONFIG", &mut args)? {
        "get" => reply(name_value_map(context.server.settings.get(&args.rest()))),
        "set" => set(context, args.rest()),
        "resetstat" => {
            context.server.stats.reset();
            context.server.command_stats.reset();
            reply(Frame::ok())
        }
        "rewrite" => rewrite(context),
        _ => reply(help()),
    }
}

/// The `CONFIG GET` reply: name/value pairs, a map (a flat array of names and values in
/// RESP2).
fn name_value_map(pairs: Vec<(Bytes, Bytes)>) -> Frame {
    Frame::Map(
        pairs.into_iter().map(|(name, value)| (Frame::Bulk(name), Frame::Bulk(value))).collect(),
    )
}

fn set(context: &mut Context<'_>, words: Vec<Bytes>) -> CommandResult {
    if !words.len().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> =
        words.chunks(2).map(|pair| (pair[0].as_ref(), pair[1].as_ref())).collect();
    context.server.settings.set(&pairs).map_err(|error| CommandError::err(error.message()))?;
    // Redis limits the strings writes may build by the current `proto-max-bulk-len`.
    let limit = context.server.settings.proto_max_bulk_len();
    context.server.store.set_max_string_len(usize::try_from(limit).unwrap_or(usize::MAX));
    reply(Frame::ok())
}

/// Rewrites the config file on a reader thread, since file I/O must not hold up an async
/// thread.
fn rewrite(context: &mut Context<'_>) -> CommandResult {
    let server = Arc::clone(context.server);
    let Some(path) = server.config.config_file.clone() else {
        return Err(CommandError::err("The server is running without a config file"));
    };
    read(move |_| {
        config_file::rewrite(&path, &server.settings)
            .map_err(|error| CommandError::err(format!("Rewriting config file: {error}")))?;
        tracing::info!(path = %path.display(), "CONFIG REWRITE wrote the config file");
        Ok(Frame::ok())
    })
}

fn help() -> Frame {
    let lines = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
