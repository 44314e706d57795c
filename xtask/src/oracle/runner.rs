//! Replaying a case file on one server, normalising what came back, and comparing two
//! servers' observations line by line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use resplite_resp::Frame;

use super::cases::{Case, Check, Step};
use super::session::Session;
use super::wire::{RawReply, Reply};

/// A SCAN that has not come back to cursor 0 after this many calls is looping.
const MAX_SCAN_CALLS: usize = 10_000;
/// Replies longer than this are cut short in reports.
const MAX_SHOWN_BYTES: usize = 2_000;
/// How long `!recv` waits for a reply that should already be due.
const RECV_TIMEOUT: Duration = Duration::from_secs(2);

/// What one server did for one case, already normalised for comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Observed {
    Reply(Reply),
    Raw(RawReply),
    /// Nothing arrived during a `!quiet`.
    Silence,
}

/// What one server did for a whole file.
#[derive(Debug, Default)]
pub(crate) struct Run {
    /// One per case, in order; `None` for lines that compare nothing.
    pub(crate) observations: Vec<Option<Observed>>,
    /// What went wrong outside any comparison; each one counts as a failed case.
    pub(crate) problems: Vec<Problem>,
}

/// A fault in how a file ran on one server that no reply comparison would catch, such as a
/// reply nobody read.
#[derive(Debug, PartialEq)]
pub(crate) struct Problem {
    /// The line it was noticed at; `None` for the end of the file.
    pub(crate) line: Option<usize>,
    pub(crate) message: String,
}

/// Runs `cases` in order on the server at `port`, one observation per case. Starts from
/// fresh connections and `FLUSHALL`; returns an error message when that setup fails, since
/// every case after it would be meaningless.
pub(crate) fn execute(port: u16, cases: &[Case]) -> Result<Run, String> {
    let mut session = Session::new(port);
    match session.with(1, |connection| connection.command(&[b"FLUSHALL".to_vec()])) {
        Reply::Frame(Frame::Simple(status)) if status.as_ref() == b"OK" => {}
        other => return Err(format!("FLUSHALL answered {}", describe_reply(&other))),
    }
    let mut run = Run { observations: Vec::with_capacity(cases.len()), problems: Vec::new() };
    for case in cases {
        let observed = execute_step(&mut session, case, &mut run.problems);
        run.observations.push(observed);
    }
    for (number, unread) in session.unread_everywhere() {
        let message = format!("@{number} ended the file with unread data: \"{}\"", escape(&unread));
        run.problems.push(Problem { line: None, message });
    }
    Ok(run)
}

/// Runs one line on its connection; `None` for lines that compare nothing.
fn execute_step(
    session: &mut Session,
    case: &Case,
    problems: &mut Vec<Problem>,
) -> Option<Observed> {
    let number = case.connection;
    // A command, a `!send` or a `!close` on a connection with a reply still waiting would
    // let that reply be taken for the wrong line's, or be lost unchecked.
    if !matches!(case.step, Step::Recv { .. } | Step::Quiet(_) | Step::Sleep(_)) {
        let unread = session.unread(number);
        if !unread.is_empty() {
            let message =
                format!("@{number} had unread data before this line: \"{}\"", escape(&unread));
            problems.push(Problem { line: Some(case.line), message });
        }
    }
    match &case.step {
        Step::Sleep(duration) => {
            std::thread::sleep(*duration);
            None
        }
        Step::Close => {
            session.close(number);
            None
        }
        Step::Send(args) => {
            let sent = session.connection(number).and_then(|connection| connection.send(args));
            if let Err(failure) = sent {
                let message = format!("@{number} could not send: {}", describe_reply(&failure));
                problems.push(Problem { line: Some(case.line), message });
                session.close(number);
            }
            None
        }
        Step::Recv { count, unordered } => {
            Some(Observed::Reply(session.with(number, |connection| {
                receive_several(|| connection.receive(RECV_TIMEOUT), *count, *unordered)
            })))
        }
        Step::Quiet(period) => Some(match session.connection(number) {
            Err(failure) => Observed::Reply(failure),
            Ok(connection) => match connection.expect_silence(*period) {
                None => Observed::Silence,
                Some(reply) => {
                    if !reply.leaves_connection_usable() {
                        session.close(number);
                    }
                    Observed::Reply(reply)
                }
            },
        }),
        Step::Raw(bytes) => Some(match session.take(number) {
            // `raw` uses the connection up; the next line on it opens a new one, in db 0.
            Ok(connection) => Observed::Raw(connection.raw(bytes)),
            Err(failure) => Observed::Reply(failure),
        }),
        Step::Command { args, check } => {
            Some(Observed::Reply(session.with(number, |connection| {
                let reply = connection.command(args);
                if *check == Check::Sorted { sort_array(reply) } else { reply }
            })))
        }
        Step::Scan { args, cursor_index, pairs } => {
            Some(Observed::Reply(session.with(number, |connection| {
                scan_to_end(|args| connection.command(args), args, *cursor_index, *pairs)
            })))
        }
    }
}

/// Reads `count` replies with `receive`: one as it is, several as one array, sorted when
/// they come in no defined order. The first failure is the answer instead.
fn receive_several(mut receive: impl FnMut() -> Reply, count: usize, unordered: bool) -> Reply {
    if count == 1 {
        return receive();
    }
    let mut replies = Vec::with_capacity(count);
    for _ in 0..count {
        match receive() {
            Reply::Frame(frame) => replies.push(frame),
            failure => return failure,
        }
    }
    Reply::Frame(Frame::Array(if unordered { sorted_unique(replies, false) } else { replies }))
}

/// Sorts the elements of an array or set reply, or the entries of a map reply, by their wire
/// bytes; anything else is left alone.
pub(crate) fn sort_array(reply: Reply) -> Reply {
    match reply {
        Reply::Frame(Frame::Array(items)) => {
            Reply::Frame(Frame::Array(sorted_unique(items, false)))
        }
        Reply::Frame(Frame::Set(items)) => Reply::Frame(Frame::Set(sorted_unique(items, false))),
        Reply::Frame(Frame::Map(mut pairs)) => {
            pairs.sort_by_cached_key(|(key, value)| (key.to_bytes(), value.to_bytes()));
            Reply::Frame(Frame::Map(pairs))
        }
        other => other,
    }
}

/// Orders frames by their encoded bytes, optionally dropping duplicates.
fn sorted_unique(items: Vec<Frame>, dedupe: bool) -> Vec<Frame> {
    let mut keyed: Vec<(Vec<u8>, Frame)> =
        items.into_iter().map(|item| (item.to_bytes().to_vec(), item)).collect();
    keyed.sort_by(|left, right| left.0.cmp(&right.0));
    if dedupe {
        keyed.dedup_by(|later, earlier| later.0 == earlier.0);
    }
    keyed.into_iter().map(|(_, item)| item).collect()
}

/// Follows a SCAN-family cursor from 0 until it returns to 0, and answers with every
/// element seen, sorted and de-duplicated, as one array. An error or an unexpected reply
/// shape on any call is the answer instead. `send` runs one command.
fn scan_to_end(
    mut send: impl FnMut(&[Vec<u8>]) -> Reply,
    args: &[Vec<u8>],
    cursor_index: usize,
    pairs: bool,
) -> Reply {
    let mut args = args.to_vec();
    let mut seen = BTreeMap::new();
    for _ in 0..MAX_SCAN_CALLS {
        let reply = send(&args);
        let Reply::Frame(Frame::Array(parts)) = &reply else {
            return reply;
        };
        let [Frame::Bulk(cursor), Frame::Array(elements)] = parts.as_slice() else {
            return reply;
        };
        for element in group_elements(elements, pairs) {
            seen.insert(element.to_bytes().to_vec(), element);
        }
        if cursor.as_ref() == b"0" {
            return Reply::Frame(Frame::Array(seen.into_values().collect()));
        }
        args[cursor_index] = cursor.to_vec();
    }
    Reply::Broken(format!("cursor did not return to 0 after {MAX_SCAN_CALLS} calls"))
}

/// One frame per element, or per field/value pair for HSCAN and ZSCAN.
fn group_elements(elements: &[Frame], pairs: bool) -> Vec<Frame> {
    if pairs {
        elements.chunks(2).map(|pair| Frame::Array(pair.to_vec())).collect()
    } else {
        elements.to_vec()
    }
}

/// Whether two servers' observations agree under the case's rules.
///
/// Some observations never agree, even when both servers made them, because they mean the
/// case itself is wrong: a `!quiet` that was not quiet, or a reply that never came.
pub(crate) fn agree(step: &Step, reference: &Observed, candidate: &Observed) -> bool {
    if matches!(step, Step::Quiet(_)) {
        return *reference == Observed::Silence && *candidate == Observed::Silence;
    }
    let timed_out = Observed::Reply(Reply::TimedOut);
    if *reference == timed_out || *candidate == timed_out {
        return false;
    }
    if let Step::Command { check: Check::Kind, .. } = step
        && let (Observed::Reply(Reply::Frame(left)), Observed::Reply(Reply::Frame(right))) =
            (reference, candidate)
    {
        // The first byte of an encoded frame is its RESP type.
        return left.to_bytes().first() == right.to_bytes().first();
    }
    if let Step::Command { check: Check::Approx(tolerance), .. } = step
        && let (
            Observed::Reply(Reply::Frame(Frame::Integer(left))),
            Observed::Reply(Reply::Frame(Frame::Integer(right))),
        ) = (reference, candidate)
    {
        // Negative values are sentinels (-1 no TTL, -2 no key) and must match exactly.
        return if *left >= 0 && *right >= 0 {
            left.abs_diff(*right) <= *tolerance
        } else {
            left == right
        };
    }
    reference == candidate
}

/// An observation as one line of text: RESP bytes escaped, or what went wrong.
pub(crate) fn describe(observed: &Observed) -> String {
    match observed {
        Observed::Reply(reply) => describe_reply(reply),
        Observed::Raw(raw) => {
            let ending = if raw.closed { " (then closed the connection)" } else { "" };
            format!("\"{}\"{ending}", escape(&raw.bytes))
        }
        Observed::Silence => "(nothing arrived)".to_owned(),
    }
}

pub(crate) fn describe_reply(reply: &Reply) -> String {
    match reply {
        Reply::Frame(frame) => format!("\"{}\"", escape(&frame.to_bytes())),
        Reply::Closed => "(connection closed without a reply)".to_owned(),
        Reply::TimedOut => "(no reply: timed out)".to_owned(),
        Reply::Broken(reason) => format!("(unreadable reply: {reason})"),
    }
}

/// Bytes as a double-quoted-string body: printable ASCII as is, everything else escaped,
/// cut short past [`MAX_SHOWN_BYTES`].
pub(crate) fn escape(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(MAX_SHOWN_BYTES)];
    let mut text = String::with_capacity(shown.len());
    for &byte in shown {
        match byte {
            b'\r' => text.push_str("\\r"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            b'\\' => text.push_str("\\\\"),
            b'"' => text.push_str("\\\""),
            0x20..=0x7e => text.push(char::from(byte)),
            _ => {
                let _ = write!(text, "\\x{byte:02x}");
            }
        }
    }
    if shown.len() < bytes.len() {
        let _ = write!(text, "... ({} more bytes)", bytes.len() - shown.len());
    }
    text
}

#[cfg(test)]
mod tests;
