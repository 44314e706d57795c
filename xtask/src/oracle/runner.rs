//! Replaying a case file on one server, normalising what came back, and comparing two
//! servers' observations line by line.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use resplite_resp::Frame;

use super::cases::{Case, Check, Step};
use super::wire::{Connection, RawReply, Reply};

/// A SCAN that has not come back to cursor 0 after this many calls is looping.
const MAX_SCAN_CALLS: usize = 10_000;
/// Replies longer than this are cut short in reports.
const MAX_SHOWN_BYTES: usize = 2_000;

/// What one server did for one case, already normalised for comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Observed {
    Reply(Reply),
    Raw(RawReply),
}

/// Runs `cases` in order on the server at `port`, one observation per case (`None` for
/// sleeps). Starts from a fresh connection and `FLUSHALL`; returns an error message when
/// that setup fails, since every case after it would be meaningless.
pub(crate) fn execute(port: u16, cases: &[Case]) -> Result<Vec<Option<Observed>>, String> {
    let mut connection =
        Connection::open(port).map_err(|error| format!("could not connect: {error}"))?;
    match connection.command(&[b"FLUSHALL".to_vec()]) {
        Reply::Frame(Frame::Simple(status)) if status.as_ref() == b"OK" => {}
        other => return Err(format!("FLUSHALL answered {}", describe_reply(&other))),
    }
    let mut session = Some(connection);
    let mut observations = Vec::with_capacity(cases.len());
    for case in cases {
        let observed = match &case.step {
            Step::Sleep(duration) => {
                std::thread::sleep(*duration);
                None
            }
            Step::Raw(bytes) => Some(match take_connection(&mut session, port) {
                // `raw` uses the connection up; the next case opens a new one, in db 0.
                Ok(connection) => Observed::Raw(connection.raw(bytes)),
                Err(failure) => Observed::Reply(failure),
            }),
            Step::Command { args, check } => {
                Some(Observed::Reply(with_connection(&mut session, port, |connection| {
                    let reply = connection.command(args);
                    if *check == Check::Sorted { sort_array(reply) } else { reply }
                })))
            }
            Step::Scan { args, cursor_index, pairs } => {
                Some(Observed::Reply(with_connection(&mut session, port, |connection| {
                    scan_to_end(|args| connection.command(args), args, *cursor_index, *pairs)
                })))
            }
        };
        observations.push(observed);
    }
    Ok(observations)
}

/// The open connection, or a new one if the last was closed or used up.
fn take_connection(session: &mut Option<Connection>, port: u16) -> Result<Connection, Reply> {
    match session.take() {
        Some(connection) => Ok(connection),
        None => Connection::open(port)
            .map_err(|error| Reply::Broken(format!("could not reconnect: {error}"))),
    }
}

/// Runs `action` on the session's connection, keeping the connection only if it is still
/// in step with the server afterwards.
fn with_connection(
    session: &mut Option<Connection>,
    port: u16,
    action: impl FnOnce(&mut Connection) -> Reply,
) -> Reply {
    let mut connection = match take_connection(session, port) {
        Ok(connection) => connection,
        Err(failure) => return failure,
    };
    let reply = action(&mut connection);
    if reply.leaves_connection_usable() {
        *session = Some(connection);
    }
    reply
}

/// Sorts an array reply's elements by their wire bytes; anything else is left alone.
fn sort_array(reply: Reply) -> Reply {
    match reply {
        Reply::Frame(Frame::Array(items)) => {
            Reply::Frame(Frame::Array(sorted_unique(items, false)))
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
pub(crate) fn agree(step: &Step, reference: &Observed, candidate: &Observed) -> bool {
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
    }
}

fn describe_reply(reply: &Reply) -> String {
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
