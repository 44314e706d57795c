//! `ZRANGE`, `ZRANGESTORE` and the older forms (`ZREVRANGE`, `ZRANGEBYSCORE`,
//! `ZREVRANGEBYSCORE`, `ZRANGEBYLEX`, `ZREVRANGEBYLEX`), which Redis parses with one routine:
//! each older form is `ZRANGE` with the kind of range and the direction fixed.

use bytes::Bytes;
use resplite_resp::{Frame, ReplyEncoder, Shape};
use resplite_store::{ZRange, ZRangeQuery, parse_i64};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::commands::sorted_sets::{lex_range, push_member, score_range};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Not fixed by the command: `BYSCORE` or `BYLEX` may choose, ranks otherwise.
    Unset,
    Rank,
    Score,
    Lex,
}

/// A parsed range request: the query and whether to reply with scores.
struct RangeRequest {
    query: ZRangeQuery,
    with_scores: bool,
}

/// Parses `min max [options]` as Redis's `zrangeGenericCommand` does, with its checks in its
/// order. `reverse` is `Some` when the command fixes the direction.
fn parse(
    min: &Bytes,
    max: &Bytes,
    options: &[Bytes],
    store: bool,
    mut kind: Kind,
    mut reverse: Option<bool>,
) -> Result<RangeRequest, CommandError> {
    let (mut with_scores, mut offset, mut limit) = (false, 0, -1);
    let mut index = 0;
    while let Some(word) = options.get(index) {
        let left = options.len() - index - 1;
        if !store && is_word(word, "withscores") {
            with_scores = true;
        } else if is_word(word, "limit") && left >= 2 {
            offset = parse_i64(&options[index + 1]).ok_or(CommandError::NotInteger)?;
            limit = parse_i64(&options[index + 2]).ok_or(CommandError::NotInteger)?;
            index += 2;
        } else if reverse.is_none() && is_word(word, "rev") {
            reverse = Some(true);
        } else if kind == Kind::Unset && is_word(word, "bylex") {
            kind = Kind::Lex;
        } else if kind == Kind::Unset && is_word(word, "byscore") {
            kind = Kind::Score;
        } else {
            return Err(CommandError::Syntax);
        }
        index += 1;
    }
    let reverse = reverse.unwrap_or(false);
    if kind == Kind::Unset {
        kind = Kind::Rank;
    }
    if limit != -1 && kind == Kind::Rank {
        return Err(CommandError::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if with_scores && kind == Kind::Lex {
        return Err(CommandError::err(
            "syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    // Reversed score and lex ranges are written highest end first.
    let (min, max) = if reverse && kind != Kind::Rank { (max, min) } else { (min, max) };
    let range = match kind {
        Kind::Unset | Kind::Rank => {
            let start = parse_i64(min).ok_or(CommandError::NotInteger)?;
            let end = parse_i64(max).ok_or(CommandError::NotInteger)?;
            ZRange::Rank { start, end }
        }
        Kind::Score => ZRange::Score(score_range(min, max)?),
        Kind::Lex => ZRange::Lex(lex_range(min, max)?),
    };
    Ok(RangeRequest { query: ZRangeQuery { range, reverse, offset, limit }, with_scores })
}

/// Runs a reading range command: `key min max [options]`.
fn range(
    context: &mut Context<'_>,
    mut args: Args,
    kind: Kind,
    reverse: Option<bool>,
) -> CommandResult {
    let (db, key, min, max) = (context.db(), args.bytes()?, args.bytes()?, args.bytes()?);
    let protocol = context.protocol();
    let request = parse(&min, &max, &args.rest(), false, kind, reverse)?;
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        reader.zset_range_each(db, &key, &request.query, |member, score| {
            push_member(&mut reply, member, request.with_scores.then_some(score))
        })?;
        Ok(reply.finish())
    })
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`.
pub(crate) fn zrange(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Unset, None)
}

pub(crate) fn zrevrange(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Rank, Some(true))
}

pub(crate) fn zrangebyscore(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Score, Some(false))
}

pub(crate) fn zrevrangebyscore(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Score, Some(true))
}

pub(crate) fn zrangebylex(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Lex, Some(false))
}

pub(crate) fn zrevrangebylex(context: &mut Context<'_>, args: Args) -> CommandResult {
    range(context, args, Kind::Lex, Some(true))
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`.
pub(crate) fn zrangestore(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let (destination, source) = (args.bytes()?, args.bytes()?);
    let (min, max) = (args.bytes()?, args.bytes()?);
    let request = parse(&min, &max, &args.rest(), true, Kind::Unset, None)?;
    write(move |writer| {
        let existed = keyspace_events::destination_existed(writer, db, &destination)?;
        let stored = writer.zset_range_store(db, &destination, &source, &request.query)?;
        let name = "zrangestore";
        keyspace_events::emit_stored(existed, stored > 0, notify::ZSET, name, db, &destination);
        Ok(Frame::Integer(stored))
    })
}
