//! `SORT` and `SORT_RO`: the elements of a list, set or sorted set, ordered by their own value
//! or by the values of other keys named after them, optionally replaced by other keys'
//! values (`GET`) and stored as a list (`STORE`, `SORT` only).
//!
//! Everything follows Redis 7.0's `sort.c`: the options are read first (a bad `LIMIT` number
//! or an unknown word ends the command), then the key's type is checked. A `BY` pattern
//! without `*` means "do not sort": lists and sorted sets keep their own order (reversed by
//! `DESC`), a set is sorted alphabetically when the result is stored (so that it does not
//! depend on the set's internal order) and otherwise comes in its own order. Weights are
//! read with C's `strtod` and must be numbers through to their end (a missing weight key
//! counts as 0); equal weights order by the elements' bytes. `ALPHA` compares as C's
//! `strcoll` does in Redis's C.UTF-8 locale (byte order, up to a zero byte) when the result
//! is sent, and byte by byte when it is stored.
//!
//! A pattern names one key: its first `*` replaced by the element, and when `->` follows
//! the `*`, the text after it names a field of a hash. `#` stands for the element itself.
//! Keys that are missing report `keymiss`, as Redis's lookups do; a key of another type
//! than the pattern wants counts as missing without a report.

use std::cmp::Ordering;

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{
    Db, KeyType, ListEnd, Reader, StoreError, Writer, ZRange, ZRangeQuery, parse_i64,
    parse_sort_weight,
};

use crate::args::{Args, c_string, is_word};
use crate::command::{CommandResult, Context, read, write};
use crate::error::CommandError;
use crate::keyspace_events;
use crate::settings::notify::{self, KEY_MISS};

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern …] [ASC|DESC] [ALPHA]
/// [STORE destination]`.
pub(crate) fn sort(context: &mut Context<'_>, args: Args) -> CommandResult {
    run(context, args, false)
}

/// `SORT_RO`: `SORT` without `STORE`.
pub(crate) fn sort_ro(context: &mut Context<'_>, args: Args) -> CommandResult {
    run(context, args, true)
}

/// What a `SORT` asks for.
struct SortRequest {
    key: Bytes,
    /// The `BY` pattern; `None` sorts by the elements themselves.
    by: Option<Bytes>,
    /// A `BY` pattern without `*`: keep the collection's own order.
    dont_sort: bool,
    offset: i64,
    /// Negative: every element from the offset on.
    count: i64,
    gets: Vec<Bytes>,
    descending: bool,
    alpha: bool,
    store: Option<Bytes>,
}

fn run(context: &mut Context<'_>, mut args: Args, read_only: bool) -> CommandResult {
    let db = context.db();
    let key = args.bytes()?;
    let request = parse(key, args.rest(), read_only)?;
    match request.store.clone() {
        None => read(move |reader| match sorted(reader, db, &request)? {
            Sorted::Elements(output) => Ok(output_frame(output)),
            Sorted::WeightNotDouble => Err(weight_error()),
        }),
        Some(destination) => write(move |writer| store(writer, db, &request, &destination)),
    }
}

/// Reads the options as Redis does: in any order, a later one overriding an earlier one
/// (but a `BY` without `*` keeps sorting off), and `GET` adding up.
fn parse(key: Bytes, words: Vec<Bytes>, read_only: bool) -> Result<SortRequest, CommandError> {
    let mut request = SortRequest {
        key,
        by: None,
        dont_sort: false,
        offset: 0,
        count: -1,
        gets: Vec::new(),
        descending: false,
        alpha: false,
        store: None,
    };
    let mut at = 0;
    while at < words.len() {
        let (word, left) = (&words[at], words.len() - at - 1);
        if is_word(word, "asc") {
            request.descending = false;
        } else if is_word(word, "desc") {
            request.descending = true;
        } else if is_word(word, "alpha") {
            request.alpha = true;
        } else if is_word(word, "limit") && left >= 2 {
            request.offset = parse_i64(&words[at + 1]).ok_or(CommandError::NotInteger)?;
            request.count = parse_i64(&words[at + 2]).ok_or(CommandError::NotInteger)?;
            at += 2;
        } else if !read_only && is_word(word, "store") && left >= 1 {
            request.store = Some(words[at + 1].clone());
            at += 1;
        } else if is_word(word, "by") && left >= 1 {
            let pattern = words[at + 1].clone();
            // Once a `BY` without `*` is seen, no later `BY` turns sorting back on.
            request.dont_sort |= star(&pattern).is_none();
            request.by = Some(pattern);
            at += 1;
        } else if is_word(word, "get") && left >= 1 {
            request.gets.push(words[at + 1].clone());
            at += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        at += 1;
    }
    Ok(request)
}

/// The result of sorting: the output (elements, or `GET` values with `None` for a missing
/// one), or the error for a weight that is not a number.
enum Sorted {
    Elements(Vec<Option<Vec<u8>>>),
    WeightNotDouble,
}

/// One element and what it is compared by.
struct Entry {
    element: Vec<u8>,
    weight: f64,
    /// The `BY` value for `ALPHA` with a pattern (`None` when that key is missing).
    text: Option<Vec<u8>>,
}

fn sorted(reader: &Reader<'_>, db: Db, request: &SortRequest) -> Result<Sorted, StoreError> {
    let kind = reader.key_type(db, &request.key)?;
    let mut elements = elements_of(reader, db, &request.key, kind)?;
    let length = elements.len() as i64;
    let start = request.offset.clamp(0, length);
    let end = if request.count < 0 {
        length
    } else {
        start.saturating_add(request.count.min(length)).min(length)
    };
    let (start, end) = (start as usize, end as usize);
    let is_set = kind == Some(KeyType::Set);
    // A set's own order is its hash order; a stored result must not depend on it.
    let (dont_sort, alpha, by) = if request.dont_sort && is_set && request.store.is_some() {
        (false, true, None)
    } else {
        (request.dont_sort, request.alpha, request.by.as_deref())
    };
    let chosen: Vec<Vec<u8>> = if dont_sort {
        if request.descending && !is_set {
            elements.reverse();
        }
        elements.drain(start..end).collect()
    } else {
        let Some(mut entries) = weighed(reader, db, elements, by, alpha)? else {
            return Ok(Sorted::WeightNotDouble);
        };
        let order = Order { alpha, by_pattern: by.is_some(), stored: request.store.is_some() };
        entries.sort_by(|left, right| {
            let ordering = order.compare(left, right);
            if request.descending { ordering.reverse() } else { ordering }
        });
        entries.drain(start..end).map(|entry| entry.element).collect()
    };
    if request.gets.is_empty() {
        return Ok(Sorted::Elements(chosen.into_iter().map(Some).collect()));
    }
    let mut output = Vec::with_capacity(chosen.len() * request.gets.len());
    for element in &chosen {
        for pattern in &request.gets {
            output.push(lookup(reader, db, pattern, element)?);
        }
    }
    Ok(Sorted::Elements(output))
}

/// The elements of the collection `key` of type `kind`: a list's and a sorted set's in their
/// order, a set's in its hash order. Another type is `WRONGTYPE`.
fn elements_of(
    reader: &Reader<'_>,
    db: Db,
    key: &[u8],
    kind: Option<KeyType>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    Ok(match kind {
        None => Vec::new(),
        Some(KeyType::List) => reader.list_range(db, key, 0, -1)?,
        Some(KeyType::Set) => reader.set_members(db, key)?,
        Some(KeyType::ZSet) => {
            let everything = ZRangeQuery {
                range: ZRange::Rank { start: 0, end: -1 },
                reverse: false,
                offset: 0,
                limit: -1,
            };
            let members = reader.zset_range(db, key, &everything)?;
            members.into_iter().map(|(member, _)| member).collect()
        }
        Some(_) => return Err(StoreError::WrongType),
    })
}

/// Each element with what it is compared by: its `BY` value (looked up for every element,
/// as Redis does, even after a weight failed) or itself. `None` when a weight is not a
/// number.
fn weighed(
    reader: &Reader<'_>,
    db: Db,
    elements: Vec<Vec<u8>>,
    by: Option<&[u8]>,
    alpha: bool,
) -> Result<Option<Vec<Entry>>, StoreError> {
    let mut entries = Vec::with_capacity(elements.len());
    let mut weight_not_double = false;
    for element in elements {
        let mut entry = Entry { element, weight: 0.0, text: None };
        let value = match by {
            Some(pattern) => lookup(reader, db, pattern, &entry.element)?,
            None => None,
        };
        if alpha {
            entry.text = value;
        } else {
            let weight = match (by, &value) {
                (Some(_), None) => Some(0.0),
                (Some(_), Some(value)) => parse_sort_weight(value),
                (None, _) => parse_sort_weight(&entry.element),
            };
            match weight {
                Some(weight) => entry.weight = weight,
                None => weight_not_double = true,
            }
        }
        entries.push(entry);
    }
    Ok((!weight_not_double).then_some(entries))
}

/// How two entries compare, as Redis's `sortCompare`.
struct Order {
    alpha: bool,
    by_pattern: bool,
    stored: bool,
}

impl Order {
    fn compare(&self, left: &Entry, right: &Entry) -> Ordering {
        if !self.alpha {
            return left
                .weight
                .partial_cmp(&right.weight)
                .unwrap_or(Ordering::Equal)
                .then_with(|| left.element.cmp(&right.element));
        }
        let (left, right) = if self.by_pattern {
            match (&left.text, &right.text) {
                (Some(left), Some(right)) => (left, right),
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
            }
        } else {
            (&left.element, &right.element)
        };
        if self.stored { left.cmp(right) } else { c_string(left).cmp(c_string(right)) }
    }
}

/// Where the `*` of a pattern is, as C's `strchr` finds it (not past a zero byte).
fn star(pattern: &[u8]) -> Option<usize> {
    c_string(pattern).iter().position(|&byte| byte == b'*')
}

/// The value `pattern` names for `element` (see the module documentation); `None` when the
/// key or field is missing, of another type, or the pattern names no key.
fn lookup(
    reader: &Reader<'_>,
    db: Db,
    pattern: &[u8],
    element: &[u8],
) -> Result<Option<Vec<u8>>, StoreError> {
    if pattern.first() == Some(&b'#') && pattern.get(1).is_none_or(|&byte| byte == 0) {
        return Ok(Some(element.to_vec()));
    }
    let Some(star) = star(pattern) else { return Ok(None) };
    let after = &c_string(pattern)[star + 1..];
    // A field follows the first `->` after the `*` that has something after it in C's view;
    // the field itself runs to the pattern's real end.
    let arrow = after.windows(2).position(|pair| pair == b"->").filter(|&at| at + 2 < after.len());
    let (rest, field) = match arrow {
        Some(at) => {
            let field_at = star + 1 + at + 2;
            (&pattern[star + 1..star + 1 + at], Some(&pattern[field_at..]))
        }
        None => (&pattern[star + 1..], None),
    };
    let key = [&pattern[..star], element, rest].concat();
    let miss = || {
        keyspace_events::emit(KEY_MISS, "keymiss", db, &key);
        Ok(None)
    };
    // One lookup per element for a string: `get` tells a missing key from another type.
    match field {
        None => match reader.get(db, &key) {
            Ok(None) => miss(),
            Err(StoreError::WrongType) => Ok(None),
            found => found,
        },
        Some(field) => match reader.key_type(db, &key)? {
            None => miss(),
            Some(KeyType::Hash) => reader.hash_get(db, &key, field),
            Some(_) => Ok(None),
        },
    }
}

/// `SORT … STORE destination`: the output replaces `destination` as a list (a missing `GET`
/// value as an empty string); an empty output deletes it. Answers the output's length.
fn store(
    writer: &mut Writer<'_>,
    db: Db,
    request: &SortRequest,
    destination: &[u8],
) -> Result<Frame, StoreError> {
    let output = match sorted(writer, db, request)? {
        Sorted::Elements(output) => output,
        Sorted::WeightNotDouble => return Ok(weight_error().to_frame()),
    };
    let existed = keyspace_events::destination_existed(writer, db, destination)?;
    writer.delete(db, &[destination])?;
    let values: Vec<Vec<u8>> = output.into_iter().map(Option::unwrap_or_default).collect();
    if !values.is_empty() {
        writer.list_push(db, destination, ListEnd::Right, &values, false)?;
    }
    let stored = !values.is_empty();
    keyspace_events::emit_stored(existed, stored, notify::LIST, "sortstore", db, destination);
    Ok(Frame::Integer(values.len() as i64))
}

/// The destination of the last `STORE` of the `SORT` request `words` (its name first), found
/// as Redis's `COMMAND GETKEYS` finds it: skipping the arguments of `LIMIT`, `GET` and `BY`.
pub(crate) fn store_destination(words: &[Bytes]) -> Option<Bytes> {
    let mut destination = None;
    let mut at = 2;
    while at < words.len() {
        let word = &words[at];
        if is_word(word, "limit") {
            at += 2;
        } else if is_word(word, "get") || is_word(word, "by") {
            at += 1;
        } else if is_word(word, "store") && at + 1 < words.len() {
            destination = Some(words[at + 1].clone());
        }
        at += 1;
    }
    destination
}

fn weight_error() -> CommandError {
    CommandError::err("One or more scores can't be converted into double")
}

fn output_frame(output: Vec<Option<Vec<u8>>>) -> Frame {
    Frame::Array(
        output
            .into_iter()
            .map(|value| match value {
                Some(value) => Frame::bulk(value),
                None => Frame::Null,
            })
            .collect(),
    )
}
