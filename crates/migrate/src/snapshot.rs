//! Reading keys from the source: type, deadline and value, pipelined, with large collections
//! read in bounded chunks.
//!
//! A page of keys costs two round trips: `TYPE` and the deadline of every key, then the
//! first chunk of every value. A collection whose first chunk does not hold all of it comes
//! back with a [`Continuation`], and the caller reads (and writes) the rest chunk by chunk,
//! so memory stays bounded however large one key is. Strings are read whole.
//!
//! Reads are not atomic with each other: a key changed between them may come back in a
//! mixed state. That is sound because the dirty-key tracker sees the change and the key is
//! read again later; a key whose type changed in between comes back as
//! [`KeyRead::Changed`] so the caller can read it once more. Each later chunk of a large
//! collection is read in one `MULTI` with the key's `TYPE`, so a key deleted between two
//! chunks ([`NextChunk::Gone`]) is told apart from one whose scan simply ended: an empty
//! scan of a missing key looks exactly like the end of a present one.

use redis::Value;

use crate::error::{MigrateError, Result};

/// A type resplite stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string (also bitmaps and HyperLogLogs).
    String,
    /// A hash.
    Hash,
    /// A list.
    List,
    /// A set.
    Set,
    /// A sorted set.
    ZSet,
}

impl Kind {
    /// The kind named by `TYPE`'s answer; `None` for `none` and for types resplite does not
    /// store (streams, module types).
    pub fn from_type_name(name: &str) -> Option<Kind> {
        Some(match name {
            "string" => Kind::String,
            "hash" => Kind::Hash,
            "list" => Kind::List,
            "set" => Kind::Set,
            "zset" => Kind::ZSet,
            _ => return None,
        })
    }

    /// `TYPE`'s name for the kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Hash => "hash",
            Kind::List => "list",
            Kind::Set => "set",
            Kind::ZSet => "zset",
        }
    }
}

/// The deadlines (Unix ms) of hash fields that have one, by their position among a chunk's
/// pairs, in order; empty for most hashes, and always for a source before Redis 7.4.
pub type FieldDeadlines = Vec<(usize, i64)>;

/// Some or all of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Elements {
    /// A whole string.
    String(Vec<u8>),
    /// Field-value pairs, and the deadlines of the fields that have one.
    Hash(Vec<(Vec<u8>, Vec<u8>)>, FieldDeadlines),
    /// Elements in list order.
    List(Vec<Vec<u8>>),
    /// Members.
    Set(Vec<Vec<u8>>),
    /// Score-member pairs.
    ZSet(Vec<(f64, Vec<u8>)>),
}

impl Elements {
    /// The kind these elements belong to.
    pub fn kind(&self) -> Kind {
        match self {
            Elements::String(_) => Kind::String,
            Elements::Hash(..) => Kind::Hash,
            Elements::List(_) => Kind::List,
            Elements::Set(_) => Kind::Set,
            Elements::ZSet(_) => Kind::ZSet,
        }
    }

    /// The payload bytes (scores count as 8).
    pub fn byte_size(&self) -> usize {
        match self {
            Elements::String(value) => value.len(),
            Elements::Hash(pairs, _) => pairs.iter().map(|(f, v)| f.len() + v.len()).sum(),
            Elements::List(items) | Elements::Set(items) => items.iter().map(Vec::len).sum(),
            Elements::ZSet(pairs) => pairs.iter().map(|(_, member)| member.len() + 8).sum(),
        }
    }

    /// Whether there is no element (an empty string still counts as a value).
    pub fn is_empty(&self) -> bool {
        match self {
            Elements::String(_) => false,
            Elements::Hash(pairs, _) => pairs.is_empty(),
            Elements::List(items) | Elements::Set(items) => items.is_empty(),
            Elements::ZSet(pairs) => pairs.is_empty(),
        }
    }
}

/// Where reading the rest of a large collection continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// The next `HSCAN`/`SSCAN`/`ZSCAN` cursor.
    Cursor(u64),
    /// The next list index for `LRANGE`.
    Index(i64),
}

/// What reading the next chunk of a large collection found.
#[derive(Clone, Debug, PartialEq)]
pub enum NextChunk {
    /// The next elements, and where to go on if they are not the last.
    Chunk(Elements, Option<Continuation>),
    /// The key no longer exists on the source.
    Gone,
    /// The key now holds another type.
    Changed,
}

/// One key as read from the source.
#[derive(Clone, Debug, PartialEq)]
pub struct KeySnapshot {
    /// The key's name.
    pub key: Vec<u8>,
    /// Its deadline in Unix milliseconds, if it has one.
    pub deadline: Option<i64>,
    /// Its value, or the first chunk of it.
    pub elements: Elements,
    /// Set when `elements` is only the first chunk.
    pub more: Option<Continuation>,
}

/// What reading one key found.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyRead {
    /// The key and its value (or first chunk).
    Found(KeySnapshot),
    /// The key does not exist (any more).
    Missing,
    /// The key holds a type resplite does not store; the type's name.
    Unsupported(String),
    /// The key changed type between two reads; read it again.
    Changed,
}

/// Reads keys of one logical database through one connection.
pub struct SourceReader<'a> {
    connection: &'a mut redis::Connection,
    /// Whether the source has `PEXPIRETIME` (Redis 7); otherwise `PTTL` is converted.
    expire_time: bool,
    /// Elements per chunk of a large collection.
    chunk: usize,
    /// Whether hash fields may have deadlines (Redis 7.4), read with `HPEXPIRETIME`.
    field_deadlines: bool,
    /// Commands sent so far, for rate limiting and reports.
    pub commands_sent: u64,
}

impl<'a> SourceReader<'a> {
    /// A reader on `connection`, which has the right database selected.
    pub fn new(connection: &'a mut redis::Connection, expire_time: bool, chunk: usize) -> Self {
        SourceReader {
            connection,
            expire_time,
            chunk: chunk.max(1),
            field_deadlines: false,
            commands_sent: 0,
        }
    }

    /// This reader, also reading the deadlines of hash fields when `on` (a source of Redis
    /// 7.4 or later: see `ServerFacts::has_field_deadlines`).
    pub fn with_field_deadlines(self, on: bool) -> Self {
        SourceReader { field_deadlines: on, ..self }
    }

    /// The connection, for other commands on the same database.
    pub fn connection(&mut self) -> &mut redis::Connection {
        self.connection
    }

    /// The type and deadline of each key (first round trip).
    pub fn probe(&mut self, keys: &[Vec<u8>]) -> Result<Vec<(Option<String>, Option<i64>)>> {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for key in keys {
            pipe.cmd("TYPE").arg(key);
            if self.expire_time {
                pipe.cmd("PEXPIRETIME").arg(key);
            } else {
                pipe.cmd("PTTL").arg(key);
            }
        }
        let replies: Vec<Value> = pipe.query(self.connection)?;
        let read_at = resplite_store::now_ms();
        self.commands_sent += replies.len() as u64;
        let mut probes = Vec::with_capacity(keys.len());
        for pair in replies.chunks(2) {
            let type_name = match &pair[0] {
                Value::SimpleString(name) if name == "none" => None,
                Value::SimpleString(name) => Some(name.clone()),
                Value::Okay => Some("OK".to_owned()),
                other => return Err(unexpected("TYPE", other)),
            };
            let deadline = match pair.get(1) {
                Some(Value::Int(at)) if *at >= 0 && self.expire_time => Some(*at),
                Some(Value::Int(ttl)) if *ttl >= 0 => Some(read_at + ttl),
                Some(Value::Int(_)) => None,
                Some(other) => return Err(unexpected("PEXPIRETIME", other)),
                None => None,
            };
            probes.push((type_name, deadline));
        }
        Ok(probes)
    }

    /// Reads each key: type, deadline and value (or the first chunk of a large collection).
    pub fn read_keys(&mut self, keys: &[Vec<u8>]) -> Result<Vec<KeyRead>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let probes = self.probe(keys)?;
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        let mut reads: Vec<Option<KeyRead>> = Vec::with_capacity(keys.len());
        let mut fetched = Vec::new();
        for (key, (type_name, _)) in keys.iter().zip(&probes) {
            match type_name.as_deref() {
                None => reads.push(Some(KeyRead::Missing)),
                Some(name) => match Kind::from_type_name(name) {
                    None => reads.push(Some(KeyRead::Unsupported(name.to_owned()))),
                    Some(kind) => {
                        self.first_chunk_command(&mut pipe, kind, key);
                        fetched.push((reads.len(), kind));
                        reads.push(None);
                    }
                },
            }
        }
        if !fetched.is_empty() {
            let replies: Vec<Value> = pipe.query(self.connection)?;
            self.commands_sent += replies.len() as u64;
            for ((index, kind), reply) in fetched.into_iter().zip(replies) {
                let mut chunk = self.parse_chunk(kind, reply, Continuation::Cursor(0))?;
                // A scan may answer no element yet a cursor to go on (a sparse hash table):
                // only an empty answer that ends the scan means the key is gone.
                while let ChunkRead::Chunk(elements, Some(from)) = &chunk
                    && elements.is_empty()
                {
                    chunk = match self.read_more(&keys[index], kind, *from)? {
                        NextChunk::Chunk(elements, more) => ChunkRead::Chunk(elements, more),
                        NextChunk::Gone => ChunkRead::Chunk(Elements::List(Vec::new()), None),
                        NextChunk::Changed => ChunkRead::WrongType,
                    };
                }
                let read = match chunk {
                    ChunkRead::WrongType => KeyRead::Changed,
                    ChunkRead::Chunk(elements, _) if elements.is_empty() => KeyRead::Missing,
                    ChunkRead::Chunk(elements, more) => KeyRead::Found(KeySnapshot {
                        key: keys[index].clone(),
                        deadline: probes[index].1,
                        elements,
                        more,
                    }),
                };
                reads[index] = Some(read);
            }
        }
        if self.field_deadlines {
            self.read_first_chunks_field_deadlines(&mut reads)?;
        }
        Ok(reads.into_iter().map(|read| read.unwrap_or(KeyRead::Missing)).collect())
    }

    /// Adds the field deadlines to the hashes among `reads` (one `HPEXPIRETIME` each, in one
    /// pipeline); a hash that is no longer one becomes [`KeyRead::Changed`].
    fn read_first_chunks_field_deadlines(&mut self, reads: &mut [Option<KeyRead>]) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        let mut asked = Vec::new();
        for (index, read) in reads.iter().enumerate() {
            if let Some(KeyRead::Found(snapshot)) = read
                && let Elements::Hash(pairs, _) = &snapshot.elements
                && !pairs.is_empty()
            {
                pipe.add_command(field_deadlines_command(&snapshot.key, pairs));
                asked.push(index);
            }
        }
        if asked.is_empty() {
            return Ok(());
        }
        let replies: Vec<Value> = pipe.query(self.connection)?;
        self.commands_sent += replies.len() as u64;
        for (index, reply) in asked.into_iter().zip(replies) {
            let still_a_hash = match &mut reads[index] {
                Some(KeyRead::Found(snapshot)) => {
                    add_field_deadlines(&mut snapshot.elements, reply)?
                }
                _ => true,
            };
            if !still_a_hash {
                reads[index] = Some(KeyRead::Changed);
            }
        }
        Ok(())
    }

    /// Reads the next chunk of a large collection, in one transaction with the key's type.
    pub fn read_more(&mut self, key: &[u8], kind: Kind, from: Continuation) -> Result<NextChunk> {
        let command = match (kind, from) {
            (Kind::List, Continuation::Index(start)) => {
                let mut command = redis::cmd("LRANGE");
                command.arg(key).arg(start).arg(start + self.chunk as i64 - 1);
                command
            }
            (_, Continuation::Cursor(cursor)) => self.scan_command(kind, key, cursor),
            (_, Continuation::Index(_)) => return Ok(NextChunk::Changed),
        };
        let mut pipe = redis::pipe();
        pipe.atomic().ignore_errors().cmd("TYPE").arg(key).add_command(command);
        let mut replies: Vec<Value> = pipe.query(self.connection)?;
        self.commands_sent += 2;
        let (Some(reply), Some(type_reply), None) = (replies.pop(), replies.pop(), replies.pop())
        else {
            return Err(MigrateError::Source("EXEC did not answer two replies".into()));
        };
        match type_reply {
            Value::SimpleString(name) if name == "none" => return Ok(NextChunk::Gone),
            Value::SimpleString(name) if Kind::from_type_name(&name) == Some(kind) => {}
            Value::SimpleString(_) | Value::Okay => return Ok(NextChunk::Changed),
            other => return Err(unexpected("TYPE", &other)),
        }
        match self.parse_chunk(kind, reply, from)? {
            ChunkRead::WrongType => Ok(NextChunk::Changed),
            ChunkRead::Chunk(mut elements, more) => {
                if self.field_deadlines
                    && let Elements::Hash(pairs, _) = &elements
                    && !pairs.is_empty()
                {
                    let mut pipe = redis::pipe();
                    pipe.ignore_errors().add_command(field_deadlines_command(key, pairs));
                    let mut replies: Vec<Value> = pipe.query(self.connection)?;
                    self.commands_sent += 1;
                    let reply = replies.pop().unwrap_or(Value::Nil);
                    if !add_field_deadlines(&mut elements, reply)? {
                        return Ok(NextChunk::Changed);
                    }
                }
                Ok(NextChunk::Chunk(elements, more))
            }
        }
    }

    fn first_chunk_command(&self, pipe: &mut redis::Pipeline, kind: Kind, key: &[u8]) {
        match kind {
            Kind::String => {
                pipe.cmd("GET").arg(key);
            }
            Kind::List => {
                pipe.cmd("LRANGE").arg(key).arg(0).arg(self.chunk as i64 - 1);
            }
            _ => {
                pipe.add_command(self.scan_command(kind, key, 0));
            }
        }
    }

    fn scan_command(&self, kind: Kind, key: &[u8], cursor: u64) -> redis::Cmd {
        let name = match kind {
            Kind::Hash => "HSCAN",
            Kind::Set => "SSCAN",
            _ => "ZSCAN",
        };
        let mut command = redis::cmd(name);
        command.arg(key).arg(cursor).arg("COUNT").arg(self.chunk);
        command
    }

    fn parse_chunk(&self, kind: Kind, reply: Value, from: Continuation) -> Result<ChunkRead> {
        if let Value::ServerError(error) = &reply {
            if error.code() == "WRONGTYPE" {
                return Ok(ChunkRead::WrongType);
            }
            return Err(MigrateError::Source(format!("{error:?}")));
        }
        match kind {
            Kind::String => match reply {
                Value::BulkString(value) => Ok(ChunkRead::Chunk(Elements::String(value), None)),
                Value::Nil => Ok(ChunkRead::Chunk(Elements::List(Vec::new()), None)),
                other => Err(unexpected("GET", &other)),
            },
            Kind::List => {
                let items = bulk_items(reply, "LRANGE")?;
                let start = match from {
                    Continuation::Index(start) => start,
                    Continuation::Cursor(_) => 0,
                };
                let more = (items.len() >= self.chunk)
                    .then(|| Continuation::Index(start + items.len() as i64));
                Ok(ChunkRead::Chunk(Elements::List(items), more))
            }
            _ => {
                let Value::Array(mut parts) = reply else {
                    return Err(unexpected("SCAN", &reply));
                };
                if parts.len() != 2 {
                    return Err(MigrateError::Source("SCAN reply is not a pair".into()));
                }
                let items = bulk_items(parts.pop().unwrap_or(Value::Nil), "SCAN")?;
                let cursor = match parts.pop() {
                    Some(Value::BulkString(cursor)) => std::str::from_utf8(&cursor)
                        .ok()
                        .and_then(|cursor| cursor.parse::<u64>().ok())
                        .ok_or_else(|| {
                            MigrateError::Source("SCAN cursor is not a number".into())
                        })?,
                    other => return Err(unexpected("SCAN", &other.unwrap_or(Value::Nil))),
                };
                let more = (cursor != 0).then_some(Continuation::Cursor(cursor));
                Ok(ChunkRead::Chunk(pair_up(kind, items)?, more))
            }
        }
    }
}

enum ChunkRead {
    Chunk(Elements, Option<Continuation>),
    WrongType,
}

/// Turns a flat `SCAN` element list into the kind's elements.
fn pair_up(kind: Kind, items: Vec<Vec<u8>>) -> Result<Elements> {
    if kind == Kind::Set {
        return Ok(Elements::Set(items));
    }
    if !items.len().is_multiple_of(2) {
        return Err(MigrateError::Source("odd number of elements in a SCAN reply".into()));
    }
    let mut items = items.into_iter();
    let mut hash = Vec::new();
    let mut zset = Vec::new();
    while let (Some(first), Some(second)) = (items.next(), items.next()) {
        if kind == Kind::Hash {
            hash.push((first, second));
        } else {
            zset.push((parse_score(&second)?, first));
        }
    }
    Ok(if kind == Kind::Hash { Elements::Hash(hash, Vec::new()) } else { Elements::ZSet(zset) })
}

/// Parses a score as Redis prints it (`%.17g`, `inf`, `-inf`): exact to the bit.
pub(crate) fn parse_score(text: &[u8]) -> Result<f64> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .ok_or_else(|| MigrateError::Source(format!("score {text:?} is not a number")))
}

fn bulk_items(reply: Value, command: &str) -> Result<Vec<Vec<u8>>> {
    match reply {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::BulkString(bytes) => Ok(bytes),
                other => Err(unexpected(command, &other)),
            })
            .collect(),
        Value::Nil => Ok(Vec::new()),
        other => Err(unexpected(command, &other)),
    }
}

/// `HPEXPIRETIME key FIELDS n field …` for the fields of `pairs`.
fn field_deadlines_command(key: &[u8], pairs: &[(Vec<u8>, Vec<u8>)]) -> redis::Cmd {
    let mut command = redis::cmd("HPEXPIRETIME");
    command.arg(key).arg("FIELDS").arg(pairs.len());
    for (field, _) in pairs {
        command.arg(field);
    }
    command
}

/// Records in `elements` (a hash chunk) the deadlines `HPEXPIRETIME` answered for its
/// fields, leaving out the fields the source no longer has (-2). Answers false when the
/// key no longer holds a hash.
fn add_field_deadlines(elements: &mut Elements, reply: Value) -> Result<bool> {
    let Elements::Hash(pairs, deadlines) = elements else { return Ok(true) };
    let answers = match reply {
        Value::ServerError(error) if error.code() == "WRONGTYPE" => return Ok(false),
        Value::Array(answers) if answers.len() == pairs.len() => answers,
        other => return Err(unexpected("HPEXPIRETIME", &other)),
    };
    let mut kept = Vec::with_capacity(pairs.len());
    deadlines.clear();
    for (pair, answer) in std::mem::take(pairs).into_iter().zip(answers) {
        match answer {
            Value::Int(-2) => continue,
            Value::Int(-1) => {}
            Value::Int(at) if at >= 0 => deadlines.push((kept.len(), at)),
            other => return Err(unexpected("HPEXPIRETIME", &other)),
        }
        kept.push(pair);
    }
    *pairs = kept;
    Ok(true)
}

fn unexpected(command: &str, reply: &Value) -> MigrateError {
    MigrateError::Source(format!("unexpected reply to {command}: {reply:?}"))
}

#[cfg(test)]
mod tests {
    use redis::Value;

    use super::{Elements, add_field_deadlines};

    fn chunk(fields: &[&str]) -> Elements {
        let pairs = fields.iter().map(|field| (field.as_bytes().to_vec(), b"v".to_vec())).collect();
        Elements::Hash(pairs, Vec::new())
    }

    #[test]
    fn field_deadlines_are_kept_by_position_and_fields_gone_are_left_out() {
        let mut elements = chunk(&["a", "b", "c", "d"]);
        let reply = Value::Array(vec![
            Value::Int(-1),
            Value::Int(-2),
            Value::Int(4_102_444_800_000),
            Value::Int(0),
        ]);
        assert!(add_field_deadlines(&mut elements, reply).unwrap());
        let Elements::Hash(pairs, deadlines) = elements else { panic!("not a hash") };
        let names: Vec<&[u8]> = pairs.iter().map(|(field, _)| field.as_slice()).collect();
        assert_eq!(names, vec![&b"a"[..], b"c", b"d"]);
        assert_eq!(deadlines, vec![(1, 4_102_444_800_000), (2, 0)]);
    }

    #[test]
    fn a_key_that_is_no_longer_a_hash_or_a_strange_reply_is_told_apart() {
        let wrong_type = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        let reply = redis::parse_redis_value(wrong_type).unwrap();
        assert!(matches!(reply, Value::ServerError(_)));
        assert!(!add_field_deadlines(&mut chunk(&["a"]), reply).unwrap());
        let short = Value::Array(vec![Value::Int(-1)]);
        assert!(add_field_deadlines(&mut chunk(&["a", "b"]), short).is_err());
        assert!(add_field_deadlines(&mut chunk(&["a"]), Value::Int(3)).is_err());
    }
}
