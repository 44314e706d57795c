//! Pub/sub commands: `SUBSCRIBE`, `UNSUBSCRIBE`, `PSUBSCRIBE`, `PUNSUBSCRIBE`, `PUBLISH` and
//! `PUBSUB` (see `pubsub` for delivery).

use bytes::Bytes;
use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, Outcome, count, reply};
use crate::error::CommandError;
use crate::pubsub::{Inbox, Target};

/// A confirmation such as `subscribe ch 3`: the kind, the name (or null) and the client's
/// subscription count after it.
fn confirmation(kind: &'static str, name: Option<Bytes>, subscriptions: usize) -> Frame {
    Frame::Push(vec![
        Frame::bulk(kind),
        name.map_or(Frame::Null, Frame::Bulk),
        count(subscriptions),
    ])
}

/// The client's inbox, created on its first subscription.
fn inbox<'c>(context: &'c mut Context<'_>) -> &'c mut Inbox {
    context.client.pubsub.get_or_insert_with(|| Inbox::new(context.client.probe.clone()))
}

pub(crate) fn subscribe(context: &mut Context<'_>, args: Args) -> CommandResult {
    subscribe_to(context, args.rest(), Target::Channel)
}

pub(crate) fn psubscribe(context: &mut Context<'_>, args: Args) -> CommandResult {
    subscribe_to(context, args.rest(), Target::Pattern)
}

pub(crate) fn unsubscribe(context: &mut Context<'_>, args: Args) -> CommandResult {
    unsubscribe_from(context, args.rest(), Target::Channel)
}

pub(crate) fn punsubscribe(context: &mut Context<'_>, args: Args) -> CommandResult {
    unsubscribe_from(context, args.rest(), Target::Pattern)
}

/// Subscribes to each of `names`, one confirmation each.
fn subscribe_to(context: &mut Context<'_>, names: Vec<Bytes>, target: Target) -> CommandResult {
    let kind = if target == Target::Pattern { "psubscribe" } else { "subscribe" };
    let (server, id) = (std::sync::Arc::clone(context.server), context.client.id);
    let inbox = inbox(context);
    let mut frames = Vec::with_capacity(names.len());
    for name in names {
        server.pubsub.subscribe(id, inbox, target, name.clone());
        frames.push(confirmation(kind, Some(name), inbox.subscriptions()));
    }
    Ok(Outcome::Several(frames))
}

/// Unsubscribes from the given channels (or patterns), or from all of them when none are
/// given; one confirmation each, or one with a null name when there was nothing to leave.
fn unsubscribe_from(context: &mut Context<'_>, names: Vec<Bytes>, target: Target) -> CommandResult {
    let kind = if target == Target::Pattern { "punsubscribe" } else { "unsubscribe" };
    let (server, id) = (std::sync::Arc::clone(context.server), context.client.id);
    let inbox = inbox(context);
    let names = if names.is_empty() { inbox.names(target).to_vec() } else { names };
    if names.is_empty() {
        let frame = confirmation(kind, None, inbox.subscriptions());
        drop_idle_inbox(context);
        return Ok(Outcome::Several(vec![frame]));
    }
    let mut frames = Vec::with_capacity(names.len());
    for name in names {
        server.pubsub.unsubscribe(id, inbox, target, &name);
        frames.push(confirmation(kind, Some(name), inbox.subscriptions()));
    }
    drop_idle_inbox(context);
    Ok(Outcome::Several(frames))
}

/// Drops the client's message queue once nothing feeds it: no subscription left, and no
/// `MONITOR` (which uses the same queue).
fn drop_idle_inbox(context: &mut Context<'_>) {
    let subscribed = context.client.pubsub.as_ref().is_some_and(|inbox| inbox.subscriptions() > 0);
    if !subscribed && !context.client.monitoring {
        context.client.pubsub = None;
    }
}

/// Leaves every channel and pattern (`RESET`).
pub(crate) fn leave_all(context: &mut Context<'_>) {
    if let Some(inbox) = &mut context.client.pubsub {
        context.server.pubsub.forget(context.client.id, inbox);
    }
    drop_idle_inbox(context);
}

pub(crate) fn publish(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (channel, message) = (args.bytes()?, args.bytes()?);
    let limit = context.server.settings.pubsub_output_limit();
    reply(count(context.server.pubsub.publish(&channel, &message, &limit)))
}

/// `PUBSUB CHANNELS [pattern] | NUMSUB [channel …] | NUMPAT | SHARDCHANNELS [pattern] |
/// SHARDNUMSUB [shardchannel …] | HELP`.
pub(crate) fn pubsub(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let typed = args.peek().cloned().unwrap_or_default();
    let name = context.subcommand("PUBSUB", &mut args)?;
    let arguments = args.rest();
    let pubsub = &context.server.pubsub;
    if name == "channels" || name == "shardchannels" {
        if arguments.len() > 1 {
            let before = "unknown subcommand or wrong number of arguments for '";
            return Err(CommandError::err_quoting(before, &typed, 128, "'. Try PUBSUB HELP."));
        }
        if name == "shardchannels" {
            // Nobody can subscribe to a shard channel here (`SSUBSCRIBE` is not served).
            return reply(Frame::Array(Vec::new()));
        }
        let channels = pubsub.channels(arguments.first().map(|pattern| &pattern[..]));
        return reply(Frame::Array(channels.into_iter().map(Frame::Bulk).collect()));
    }
    if name == "shardnumsub" {
        let counts = arguments.iter().flat_map(|channel| [Frame::Bulk(channel.clone()), count(0)]);
        return reply(Frame::Array(counts.collect()));
    }
    if name == "numsub" {
        // A flat array even in RESP3, in Redis 7.0.
        let counts = arguments
            .iter()
            .flat_map(|channel| [Frame::Bulk(channel.clone()), count(pubsub.subscribers(channel))]);
        return reply(Frame::Array(counts.collect()));
    }
    if name == "numpat" {
        return reply(count(pubsub.count(Target::Pattern)));
    }
    // HELP, the one subcommand left.
    let lines = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];
    reply(Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect()))
}
