//! Sorted-set commands: `ZADD`, `ZINCRBY`, `ZREM`, `ZSCORE`, `ZRANK`, `ZPOPMIN`, `ZMPOP`,
//! `ZRANDMEMBER`, `ZSCAN`, counts and range removals. `ZRANGE` and its relatives are in
//! `zset_ranges.rs`, `ZUNION` and its relatives in `zset_algebra.rs`.

use bytes::Bytes;
use resplite_resp::{Element, Frame, Protocol, ReplyEncoder, Shape};
use resplite_store::{
    Db, LexRange, Reader, ScoreRange, ScoreText, ScoredMember, StoreError, ZRange, ZaddFlags,
    format_score, parse_i64, parse_score,
};

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::commands::element_scan;
use crate::commands::hashes::random_count;
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify;

/// A score as Redis 7.0 replies with it (`%.17g`): a double in RESP3, a bulk string in RESP2.
pub(crate) fn score_frame(score: f64) -> Frame {
    Frame::Double(Bytes::copy_from_slice(ScoreText::new(score).as_bytes()))
}

/// Members, each with its score when `with_scores` (see
/// [`pairs_frame`](crate::command::pairs_frame) for the shapes).
pub(crate) fn members_frame(
    members: Vec<ScoredMember>,
    with_scores: bool,
    protocol: Protocol,
) -> Frame {
    let mut reply = ReplyEncoder::new(Shape::Array, protocol);
    for (member, score) in &members {
        push_member(&mut reply, member, with_scores.then_some(*score));
    }
    reply.finish()
}

/// Appends a member to a reply, with its score when there is one (the pair's shape as in
/// [`pairs_frame`](crate::command::pairs_frame)).
pub(crate) fn push_member(reply: &mut ReplyEncoder, member: &[u8], score: Option<f64>) {
    match score {
        Some(score) => reply
            .push_pair(Element::Bulk(member), Element::Double(ScoreText::new(score).as_bytes())),
        None => reply.push(Element::Bulk(member)),
    }
}

/// Parses a score range, or `ERR min or max is not a float`.
pub(crate) fn score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CommandError> {
    ScoreRange::parse(min, max).ok_or_else(|| CommandError::err("min or max is not a float"))
}

/// Parses a lex range, or `ERR min or max not valid string range item`.
pub(crate) fn lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CommandError> {
    LexRange::parse(min, max)
        .ok_or_else(|| CommandError::err("min or max not valid string range item"))
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member …`.
pub(crate) fn zadd(context: &mut Context<'_>, args: Args) -> CommandResult {
    add(context, args, false)
}

/// `ZINCRBY key increment member`: Redis runs it through `ZADD`'s parser with `INCR` set,
/// so option words in it behave as they would in `ZADD`.
pub(crate) fn zincrby(context: &mut Context<'_>, args: Args) -> CommandResult {
    add(context, args, true)
}

fn add(context: &mut Context<'_>, mut args: Args, incr: bool) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let rest = args.rest();
    let mut flags = ZaddFlags { incr, ..ZaddFlags::default() };
    let mut changed = false;
    let mut first_pair = 0;
    for word in &rest {
        if is_word(word, "nx") {
            flags.nx = true;
        } else if is_word(word, "xx") {
            flags.xx = true;
        } else if is_word(word, "ch") {
            changed = true;
        } else if is_word(word, "incr") {
            flags.incr = true;
        } else if is_word(word, "gt") {
            flags.gt = true;
        } else if is_word(word, "lt") {
            flags.lt = true;
        } else {
            break;
        }
        first_pair += 1;
    }
    let elements = &rest[first_pair..];
    if elements.is_empty() || !elements.len().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(CommandError::err("XX and NX options at the same time are not compatible"));
    }
    if (flags.gt || flags.lt) && (flags.nx || (flags.gt && flags.lt)) {
        return Err(CommandError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if flags.incr && elements.len() > 2 {
        return Err(CommandError::err("INCR option supports a single increment-element pair"));
    }
    let pairs = elements
        .chunks_exact(2)
        .map(|pair| Ok((parse_score(&pair[0]).ok_or(StoreError::NotFloat)?, pair[1].clone())))
        .collect::<Result<Vec<(f64, Bytes)>, CommandError>>()?;
    write(move |writer| {
        let was_missing = keyspace_events::missing(writer, db, &key)?;
        let outcome = writer.zset_add(db, &key, flags, &pairs)?;
        // A score set to what it was is no change, and no event.
        if outcome.added + outcome.updated > 0 {
            if was_missing {
                keyspace_events::emit(notify::NEW, "new", db, &key);
            }
            let name = if flags.incr { "zincr" } else { "zadd" };
            keyspace_events::emit(notify::ZSET, name, db, &key);
        }
        Ok(if flags.incr {
            outcome.score.map_or(Frame::Null, score_frame)
        } else {
            Frame::Integer(outcome.added + if changed { outcome.updated } else { 0 })
        })
    })
}

pub(crate) fn zrem(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let members = args.rest();
    write(move |writer| {
        let removed = writer.zset_remove(db, &key, &members)?;
        if removed > 0 {
            keyspace_events::emit_removed(writer, notify::ZSET, "zrem", db, &key)?;
        }
        Ok(Frame::Integer(removed))
    })
}

/// Emits the events of popping members of `key` (as `ZPOPMIN`/`ZPOPMAX`, whichever end),
/// for the blocking pops too.
pub(crate) fn emit_popped(
    reader: &Reader<'_>,
    highest: bool,
    db: Db,
    key: &[u8],
) -> Result<(), StoreError> {
    let name = if highest { "zpopmax" } else { "zpopmin" };
    keyspace_events::emit_removed(reader, notify::ZSET, name, db, key)
}

pub(crate) fn zscore(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, member) = (context.db(), args.bytes()?, args.bytes()?);
    read(move |reader| Ok(reader.zset_score(db, &key, &member)?.map_or(Frame::Null, score_frame)))
}

pub(crate) fn zmscore(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let (members, protocol) = (args.rest(), context.protocol());
    read(move |reader| {
        let mut reply = ReplyEncoder::new(Shape::Array, protocol);
        for score in reader.zset_scores(db, &key, &members)? {
            match score {
                Some(score) => reply.push(Element::Double(ScoreText::new(score).as_bytes())),
                None => reply.push(Element::Null),
            }
        }
        Ok(reply.finish())
    })
}

pub(crate) fn zcard(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    read(move |reader| Ok(Frame::Integer(reader.zset_len(db, &key)?)))
}

pub(crate) fn zrank(context: &mut Context<'_>, args: Args) -> CommandResult {
    rank(context, args, false, "zrank")
}

pub(crate) fn zrevrank(context: &mut Context<'_>, args: Args) -> CommandResult {
    rank(context, args, true, "zrevrank")
}

/// `ZRANK key member [WITHSCORE]` (`WITHSCORE` is Redis 7.2's).
fn rank(context: &mut Context<'_>, mut args: Args, reverse: bool, name: &str) -> CommandResult {
    let (db, key, member) = (context.db(), args.bytes()?, args.bytes()?);
    if args.remaining() > 1 {
        return Err(CommandError::WrongArity(name.into()));
    }
    let with_score = match args.next() {
        None => false,
        Some(word) if is_word(&word, "withscore") => true,
        Some(_) => return Err(CommandError::Syntax),
    };
    read(move |reader| {
        let found = reader.zset_rank(db, &key, &member, reverse)?;
        Ok(match (found, with_score) {
            (Some((rank, _)), false) => Frame::Integer(rank),
            (Some((rank, score)), true) => {
                Frame::Array(vec![Frame::Integer(rank), score_frame(score)])
            }
            (None, false) => Frame::Null,
            (None, true) => Frame::NullArray,
        })
    })
}

pub(crate) fn zpopmin(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, false)
}

pub(crate) fn zpopmax(context: &mut Context<'_>, args: Args) -> CommandResult {
    pop(context, args, true)
}

/// `ZPOPMIN key [count]`: members and scores; with a count given, shaped like `ZRANGE …
/// WITHSCORES`, without one a single flat pair even in RESP3.
fn pop(context: &mut Context<'_>, mut args: Args, highest: bool) -> CommandResult {
    let (db, key, protocol) = (context.db(), args.bytes()?, context.protocol());
    let flat = args.remaining() == 0;
    if args.remaining() > 1 {
        return Err(CommandError::Syntax);
    }
    let count = match args.next() {
        None => 1,
        Some(text) => parse_i64(&text)
            .filter(|count| *count >= 0)
            .ok_or_else(|| CommandError::err("value is out of range, must be positive"))?,
    };
    write(move |writer| {
        let popped = writer.zset_pop(db, &key, highest, count)?;
        if !popped.is_empty() {
            emit_popped(writer, highest, db, &key)?;
        }
        if flat {
            let pair = popped
                .into_iter()
                .flat_map(|(member, score)| [Frame::bulk(member), score_frame(score)]);
            return Ok(Frame::Array(pair.collect()));
        }
        Ok(members_frame(popped, true, protocol))
    })
}

/// `ZMPOP numkeys key … MIN|MAX [COUNT count]`.
pub(crate) fn zmpop(context: &mut Context<'_>, args: Args) -> CommandResult {
    let db = context.db();
    let mut words = args.rest().into_iter();
    let numkeys = words
        .next()
        .and_then(|text| parse_i64(&text))
        .filter(|count| *count >= 1)
        .ok_or_else(|| CommandError::err("numkeys should be greater than 0"))?;
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys >= words.len() {
        return Err(CommandError::Syntax);
    }
    let keys: Vec<Bytes> = words.by_ref().take(numkeys).collect();
    let end = words.next().unwrap_or_default();
    let highest = if is_word(&end, "max") {
        true
    } else if is_word(&end, "min") {
        false
    } else {
        return Err(CommandError::Syntax);
    };
    let mut count = None;
    while let Some(word) = words.next() {
        if count.is_some() || !is_word(&word, "count") || words.len() == 0 {
            return Err(CommandError::Syntax);
        }
        let text = words.next().unwrap_or_default();
        count = Some(
            parse_i64(&text)
                .filter(|count| *count >= 1)
                .ok_or_else(|| CommandError::err("count should be greater than 0"))?,
        );
    }
    let count = count.unwrap_or(1);
    write(move |writer| {
        Ok(match writer.zset_pop_first(db, &keys, highest, count)? {
            None => Frame::NullArray,
            Some((key, members)) => {
                if !members.is_empty() {
                    emit_popped(writer, highest, db, &key)?;
                }
                let pairs = members
                    .into_iter()
                    .map(|(member, score)| {
                        Frame::Array(vec![Frame::bulk(member), score_frame(score)])
                    })
                    .collect();
                Frame::Array(vec![Frame::bulk(key), Frame::Array(pairs)])
            }
        })
    })
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`.
pub(crate) fn zrandmember(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key, protocol) = (context.db(), args.bytes()?, context.protocol());
    let Some(count_argument) = args.next() else {
        return read(move |reader| {
            let chosen = reader.zset_random_members(db, &key, None)?;
            let member = chosen.and_then(|members| members.into_iter().next());
            Ok(member.map_or(Frame::Null, |(member, _)| Frame::bulk(member)))
        });
    };
    let count = random_count(&count_argument)?;
    let with_scores = match args.next() {
        None => false,
        Some(word) if is_word(&word, "withscores") && args.remaining() == 0 => true,
        Some(_) => return Err(CommandError::Syntax),
    };
    if with_scores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CommandError::err("value is out of range"));
    }
    read(move |reader| {
        let chosen = reader.zset_random_members(db, &key, Some(count))?.unwrap_or_default();
        Ok(members_frame(chosen, with_scores, protocol))
    })
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`.
pub(crate) fn zscan(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.db();
    let key = args.bytes()?;
    let request = element_scan::parse(&mut args, false)?;
    read(move |reader| {
        if reader.zset_len(db, &key)? == 0 {
            return Ok(element_scan::empty());
        }
        let options = request.options?;
        let page = reader.zset_scan(db, &key, request.cursor, options.as_store())?;
        // Unlike every other reply with scores, ZSCAN's are bulk strings in RESP3 too.
        let items = page
            .items
            .into_iter()
            .flat_map(|(member, score)| [Frame::bulk(member), Frame::bulk(format_score(score))]);
        Ok(element_scan::reply(page.cursor, items.collect()))
    })
}

pub(crate) fn zcount(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let range = score_range(&args.bytes()?, &args.bytes()?)?;
    read(move |reader| Ok(Frame::Integer(reader.zset_count(db, &key, &range)?)))
}

pub(crate) fn zlexcount(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let range = lex_range(&args.bytes()?, &args.bytes()?)?;
    read(move |reader| Ok(Frame::Integer(reader.zset_lex_count(db, &key, &range)?)))
}

pub(crate) fn zremrangebyrank(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let range = ZRange::Rank { start: args.integer()?, end: args.integer()? };
    remove_range(db, key, range, "zremrangebyrank")
}

pub(crate) fn zremrangebyscore(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let range = ZRange::Score(score_range(&args.bytes()?, &args.bytes()?)?);
    remove_range(db, key, range, "zremrangebyscore")
}

pub(crate) fn zremrangebylex(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, key) = (context.db(), args.bytes()?);
    let range = ZRange::Lex(lex_range(&args.bytes()?, &args.bytes()?)?);
    remove_range(db, key, range, "zremrangebylex")
}

fn remove_range(db: Db, key: Bytes, range: ZRange, event: &'static str) -> CommandResult {
    write(move |writer| {
        let removed = writer.zset_remove_range(db, &key, &range)?;
        if removed > 0 {
            keyspace_events::emit_removed(writer, notify::ZSET, event, db, &key)?;
        }
        Ok(Frame::Integer(removed))
    })
}
