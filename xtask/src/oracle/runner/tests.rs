//! Unit tests for normalising and comparing observations; no server needed.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use resplite_resp::{Frame, parse_frame};

use super::{
    Observed, Problem, agree, describe, escape, execute, group_elements, receive_several,
    scan_to_end, sort_array,
};
use crate::oracle::cases::{Check, Step, parse};
use crate::oracle::wire::{RawReply, Reply};

fn bulk(text: &str) -> Frame {
    Frame::Bulk(Bytes::copy_from_slice(text.as_bytes()))
}

fn bulks(texts: &[&str]) -> Frame {
    Frame::Array(texts.iter().map(|text| bulk(text)).collect())
}

fn integer(value: i64) -> Observed {
    Observed::Reply(Reply::Frame(Frame::Integer(value)))
}

fn command(check: Check) -> Step {
    Step::Command { args: vec![b"TTL".to_vec(), b"k".to_vec()], check }
}

#[test]
fn sorting_orders_array_elements_and_leaves_other_replies_alone() {
    let sorted = sort_array(Reply::Frame(bulks(&["b", "a", "c", "a"])));
    assert_eq!(sorted, Reply::Frame(bulks(&["a", "a", "b", "c"])));
    let error = Reply::Frame(Frame::Error(Bytes::from_static(b"ERR x")));
    assert_eq!(sort_array(error.clone()), error);
}

#[test]
fn approx_tolerates_small_differences_between_non_negative_integers_only() {
    let approx = command(Check::Approx(1));
    assert!(agree(&approx, &integer(100), &integer(99)));
    assert!(agree(&approx, &integer(99), &integer(100)));
    assert!(!agree(&approx, &integer(100), &integer(98)));
    // -1 (no TTL) and -2 (no key) mean different things however close they are.
    assert!(!agree(&approx, &integer(-1), &integer(-2)));
    assert!(!agree(&approx, &integer(0), &integer(-1)));
    assert!(agree(&approx, &integer(-2), &integer(-2)));
    let error = Observed::Reply(Reply::Frame(Frame::Error(Bytes::from_static(b"ERR x"))));
    assert!(!agree(&approx, &integer(1), &error));
    assert!(agree(&approx, &error, &error));
    assert!(agree(&approx, &integer(i64::MAX), &integer(i64::MAX)));
}

#[test]
fn exact_checks_need_identical_replies() {
    let exact = command(Check::Exact);
    assert!(agree(&exact, &integer(5), &integer(5)));
    assert!(!agree(&exact, &integer(5), &integer(6)));
    let simple = Observed::Reply(Reply::Frame(Frame::Simple(Bytes::from_static(b"OK"))));
    let bulk_ok = Observed::Reply(Reply::Frame(bulk("OK")));
    assert!(!agree(&exact, &simple, &bulk_ok));
    assert!(!agree(&exact, &Observed::Reply(Reply::Closed), &Observed::Reply(Reply::TimedOut)));
}

#[test]
fn raw_replies_compare_bytes_and_whether_the_connection_closed() {
    let step = Step::Raw(b"PING\r\n".to_vec());
    let open = Observed::Raw(RawReply { bytes: b"-ERR x\r\n".to_vec(), closed: false });
    let closed = Observed::Raw(RawReply { bytes: b"-ERR x\r\n".to_vec(), closed: true });
    assert!(agree(&step, &closed, &closed.clone()));
    assert!(!agree(&step, &open, &closed));
}

#[test]
fn scan_follows_the_cursor_and_collects_a_sorted_set() {
    let mut calls = Vec::new();
    let mut pages = vec![
        Frame::Array(vec![bulk("7"), bulks(&["b", "a"])]),
        Frame::Array(vec![bulk("3"), bulks(&["c", "a"])]),
        Frame::Array(vec![bulk("0"), bulks(&[])]),
    ]
    .into_iter();
    let args = vec![b"SCAN".to_vec(), b"0".to_vec(), b"COUNT".to_vec(), b"2".to_vec()];
    let reply = scan_to_end(
        |args| {
            calls.push(String::from_utf8_lossy(&args[1]).into_owned());
            Reply::Frame(pages.next().unwrap())
        },
        &args,
        1,
        false,
    );
    assert_eq!(reply, Reply::Frame(bulks(&["a", "b", "c"])));
    assert_eq!(calls, ["0", "7", "3"]);
}

#[test]
fn scan_keeps_hash_pairs_together_and_reports_errors_as_they_are() {
    let page = Frame::Array(vec![bulk("0"), bulks(&["f2", "v", "f1", "v"])]);
    let args = vec![b"HSCAN".to_vec(), b"h".to_vec(), b"0".to_vec()];
    let reply = scan_to_end(|_| Reply::Frame(page.clone()), &args, 2, true);
    assert_eq!(reply, Reply::Frame(Frame::Array(vec![bulks(&["f1", "v"]), bulks(&["f2", "v"])])));

    let error = Reply::Frame(Frame::Error(Bytes::from_static(b"ERR invalid cursor")));
    assert_eq!(scan_to_end(|_| error.clone(), &args, 2, true), error);
    assert_eq!(scan_to_end(|_| Reply::Closed, &args, 2, true), Reply::Closed);
}

#[test]
fn scan_gives_up_on_a_cursor_that_never_returns_to_zero() {
    let page = Frame::Array(vec![bulk("1"), bulks(&["a"])]);
    let args = vec![b"SCAN".to_vec(), b"0".to_vec()];
    let reply = scan_to_end(|_| Reply::Frame(page.clone()), &args, 1, false);
    assert!(matches!(reply, Reply::Broken(reason) if reason.contains("did not return to 0")));
}

#[test]
fn odd_pair_lists_keep_the_leftover_element() {
    let grouped = group_elements(&[bulk("f"), bulk("v"), bulk("x")], true);
    assert_eq!(grouped, [bulks(&["f", "v"]), bulks(&["x"])]);
}

#[test]
fn escaping_shows_resp_readably() {
    assert_eq!(escape(b"+OK\r\n"), "+OK\\r\\n");
    assert_eq!(escape(b"$2\r\n\x00\xff\r\n"), "$2\\r\\n\\x00\\xff\\r\\n");
    assert_eq!(escape(b"a\"b\\c\td"), "a\\\"b\\\\c\\td");
    let long = vec![b'x'; 2_010];
    assert!(escape(&long).ends_with("... (10 more bytes)"));
}

#[test]
fn descriptions_name_failures_and_closed_connections() {
    let raw = Observed::Raw(RawReply { bytes: b"+OK\r\n".to_vec(), closed: true });
    assert_eq!(describe(&raw), "\"+OK\\r\\n\" (then closed the connection)");
    assert_eq!(describe(&integer(-2)), "\":-2\\r\\n\"");
    assert!(describe(&Observed::Reply(Reply::TimedOut)).contains("timed out"));
}

#[test]
fn quiet_agrees_only_when_both_servers_stayed_silent() {
    let quiet = Step::Quiet(Duration::from_millis(10));
    assert!(agree(&quiet, &Observed::Silence, &Observed::Silence));
    assert!(!agree(&quiet, &Observed::Silence, &integer(1)));
    // Both servers sending the same thing means the case itself expects the wrong thing.
    assert!(!agree(&quiet, &integer(1), &integer(1)));
    assert_eq!(describe(&Observed::Silence), "(nothing arrived)");
}

#[test]
fn a_reply_that_never_came_agrees_with_nothing() {
    let timed_out = Observed::Reply(Reply::TimedOut);
    assert!(!agree(&Step::Recv { count: 1, unordered: false }, &timed_out, &timed_out));
    assert!(!agree(&command(Check::Exact), &timed_out, &timed_out));
    assert!(agree(&Step::Recv { count: 1, unordered: false }, &integer(1), &integer(1)));
}

/// A stand-in server on a loopback port: it answers every command with `+OK`, and `TWICE`
/// with two of them, as one write.
fn fake_server() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buffer = BytesMut::new();
                let mut chunk = [0u8; 4096];
                loop {
                    while let Ok(Some((request, used))) = parse_frame(&buffer) {
                        buffer.advance(used);
                        let twice = request == bulks(&["TWICE"]);
                        let reply: &[u8] = if twice { b"+OK\r\n+OK\r\n" } else { b"+OK\r\n" };
                        if stream.write_all(reply).is_err() {
                            return;
                        }
                    }
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                    }
                }
            });
        }
    });
    port
}

fn ok() -> Option<Observed> {
    Some(Observed::Reply(Reply::Frame(Frame::Simple(Bytes::from_static(b"OK")))))
}

#[test]
fn send_recv_and_quiet_follow_each_connection_separately() {
    let cases =
        parse("t", b"@2 !quiet 20\n!send TWICE\n@2 PING\n!recv\n!quiet 500\n!close\n").unwrap();
    let run = execute(fake_server(), &cases).unwrap();
    assert_eq!(run.observations, [Some(Observed::Silence), None, ok(), ok(), ok(), None]);
    assert_eq!(run.problems, []);
}

#[test]
fn replies_left_unread_are_reported_where_they_are_noticed() {
    let cases =
        parse("t", b"TWICE\nPING\n@2 TWICE\n@3 !send TWICE\n@3 !recv\n@3 !close\n").unwrap();
    let run = execute(fake_server(), &cases).unwrap();
    // Line 2 still gets its own reply: the stray one was set aside and reported.
    assert_eq!(run.observations, [ok(), ok(), ok(), None, ok(), None]);
    let problem =
        |line, message: &str| Problem { line, message: format!("{message} \"+OK\\r\\n\"") };
    assert_eq!(
        run.problems,
        [
            problem(Some(2), "@1 had unread data before this line:"),
            problem(Some(6), "@3 had unread data before this line:"),
            problem(None, "@2 ended the file with unread data:"),
        ]
    );
}

#[test]
fn several_replies_are_read_as_one_array_sorted_only_when_unordered() {
    let replies = || {
        let mut queue = vec![bulk("b"), bulk("a")].into_iter();
        move || queue.next().map_or(Reply::TimedOut, Reply::Frame)
    };
    assert_eq!(receive_several(replies(), 1, false), Reply::Frame(bulk("b")));
    assert_eq!(receive_several(replies(), 2, false), Reply::Frame(bulks(&["b", "a"])));
    assert_eq!(receive_several(replies(), 2, true), Reply::Frame(bulks(&["a", "b"])));
    assert_eq!(receive_several(replies(), 3, true), Reply::TimedOut);
}

#[test]
fn kind_checks_compare_only_the_resp_type() {
    let kind = command(Check::Kind);
    let hello =
        |id| Observed::Reply(Reply::Frame(Frame::Array(vec![bulk("id"), Frame::Integer(id)])));
    assert!(agree(&kind, &hello(7), &hello(123)));
    let error = Observed::Reply(Reply::Frame(Frame::Error(Bytes::from_static(b"ERR x"))));
    assert!(!agree(&kind, &hello(7), &error));
    assert!(!agree(&kind, &integer(1), &Observed::Reply(Reply::Frame(bulk("1")))));
    assert!(!agree(&kind, &Observed::Reply(Reply::Closed), &hello(7)));
}
