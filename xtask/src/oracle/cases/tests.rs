//! Unit tests for parsing case files; no server needed.

use std::time::Duration;

use super::{Case, Check, Step, parse};

fn steps(text: &str) -> Vec<Step> {
    parse("test.txt", text.as_bytes()).unwrap().into_iter().map(|case| case.step).collect()
}

fn args(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|word| word.as_bytes().to_vec()).collect()
}

fn error(text: &str) -> String {
    format!("{:#}", parse("test.txt", text.as_bytes()).unwrap_err())
}

#[test]
fn skips_blank_lines_and_comments_and_keeps_line_numbers() {
    let cases = parse("t", b"# heading\n\n   \n  # indented comment\r\nGET k\r\nPING\n").unwrap();
    assert_eq!(
        cases,
        [
            Case {
                line: 5,
                text: "GET k".to_owned(),
                connection: 1,
                step: Step::Command { args: args(&["GET", "k"]), check: Check::Exact },
            },
            Case {
                line: 6,
                text: "PING".to_owned(),
                connection: 1,
                step: Step::Command { args: args(&["PING"]), check: Check::Exact },
            },
        ]
    );
}

#[test]
fn splits_with_redis_quoting() {
    let parsed = steps(r#"SET "a b" 'c\'d' "\x41\r\n""#);
    assert_eq!(
        parsed,
        [Step::Command {
            args: vec![b"SET".to_vec(), b"a b".to_vec(), b"c'd".to_vec(), b"A\r\n".to_vec()],
            check: Check::Exact,
        }]
    );
}

#[test]
fn reads_every_directive() {
    let parsed = steps(
        "!sort KEYS *\n!approx 2 TTL k\n!scan SCAN 0 MATCH a*\n!scan hscan h 0\n\
         !sleep 150\n!raw \"PING\\r\\n\"\n!kind HELLO 2\n",
    );
    assert_eq!(
        parsed,
        [
            Step::Command { args: args(&["KEYS", "*"]), check: Check::Sorted },
            Step::Command { args: args(&["TTL", "k"]), check: Check::Approx(2) },
            Step::Scan { args: args(&["SCAN", "0", "MATCH", "a*"]), cursor_index: 1, pairs: false },
            Step::Scan { args: args(&["hscan", "h", "0"]), cursor_index: 2, pairs: true },
            Step::Sleep(Duration::from_millis(150)),
            Step::Raw(b"PING\r\n".to_vec()),
            Step::Command { args: args(&["HELLO", "2"]), check: Check::Kind },
        ]
    );
}

#[test]
fn sleeps_are_not_counted_as_cases() {
    let cases = parse("t", b"!sleep 10\nPING\n").unwrap();
    let counted: Vec<bool> = cases.iter().map(Case::is_counted).collect();
    assert_eq!(counted, [false, true]);
}

#[test]
fn an_empty_quoted_word_is_still_a_command() {
    assert_eq!(steps(r#""" a"#), [Step::Command { args: args(&["", "a"]), check: Check::Exact }]);
}

#[test]
fn rejects_malformed_lines_naming_file_and_line() {
    assert!(error("PING\nGET \"k\n").starts_with("test.txt:2: unbalanced quotes"));
    assert!(error("!bogus PING").contains("unknown directive `!bogus`"));
    assert!(error("!sort").contains("!sort needs a command"));
    assert!(error("!kind").contains("!kind needs a command"));
    assert!(error("!approx TTL k").contains("!approx tolerance"));
    assert!(error("!approx -1 TTL k").contains("!approx tolerance"));
    assert!(error("!approx 1").contains("needs a tolerance and a command"));
    assert!(error("!scan SCAN 5").contains("cursor argument to be 0"));
    assert!(error("!scan HSCAN h").contains("cursor argument to be 0"));
    assert!(error("!scan KEYS *").contains("SCAN, SSCAN, HSCAN or ZSCAN"));
    assert!(error("!sleep 5000").contains("!sleep is capped at 1200 ms"));
    assert!(error("!sleep").contains("one number"));
    assert!(error("!raw a b").contains("exactly one"));
    assert!(error("!raw \"\"").contains("at least one byte"));
}

/// The connection number and step of every case.
fn placed(text: &str) -> Vec<(u8, Step)> {
    let cases = parse("test.txt", text.as_bytes()).unwrap();
    cases.into_iter().map(|case| (case.connection, case.step)).collect()
}

#[test]
fn a_connection_prefix_picks_the_connection_and_defaults_to_the_first() {
    assert_eq!(
        placed("@2 GET k\n@1 !sort KEYS *\nPING\n@3 !approx 1 TTL k\n"),
        [
            (2, Step::Command { args: args(&["GET", "k"]), check: Check::Exact }),
            (1, Step::Command { args: args(&["KEYS", "*"]), check: Check::Sorted }),
            (1, Step::Command { args: args(&["PING"]), check: Check::Exact }),
            (3, Step::Command { args: args(&["TTL", "k"]), check: Check::Approx(1) }),
        ]
    );
}

#[test]
fn reads_the_multi_connection_directives() {
    assert_eq!(
        placed("@2 !send BLPOP q 0\n@2 !quiet 100\nRPUSH q a\n@2 !recv\n@3 !close\n!recv\n"),
        [
            (2, Step::Send(args(&["BLPOP", "q", "0"]))),
            (2, Step::Quiet(Duration::from_millis(100))),
            (1, Step::Command { args: args(&["RPUSH", "q", "a"]), check: Check::Exact }),
            (2, Step::Recv { count: 1, unordered: false }),
            (3, Step::Close),
            (1, Step::Recv { count: 1, unordered: false }),
        ]
    );
}

#[test]
fn recv_reads_one_reply_or_a_counted_run_of_them() {
    assert_eq!(
        steps("!recv\n!recv 3\n!recv 2 unordered\n"),
        [
            Step::Recv { count: 1, unordered: false },
            Step::Recv { count: 3, unordered: false },
            Step::Recv { count: 2, unordered: true },
        ]
    );
}

#[test]
fn only_lines_that_compare_something_are_counted() {
    let cases = parse("t", b"!send BLPOP q 0\n!quiet 10\n!recv\n!close\n@2 PING\n").unwrap();
    let counted: Vec<bool> = cases.iter().map(Case::is_counted).collect();
    assert_eq!(counted, [false, true, true, false, true]);
}

#[test]
fn replies_owed_to_send_must_be_read_before_the_connection_is_used_again() {
    // Another connection, a `!quiet` or a `!recv` may come in between.
    assert!(parse("t", b"@2 !send BLPOP q 0\nPING\n@2 !quiet 50\nRPUSH q a\n@2 !recv\n").is_ok());
    // Two sends in a row are read in order.
    assert!(parse("t", b"!send PING\n!send PING\n!recv\n!recv\nPING\n").is_ok());
    // Closing the connection forgets what it owed.
    assert!(parse("t", b"@2 !send BLPOP q 0\n@2 !close\n@2 PING\n").is_ok());
    // Extra `!recv`s read pushed messages, which nobody asked for.
    assert!(parse("t", b"@2 SUBSCRIBE a b\n@2 !recv\n@2 !recv\n").is_ok());
    // `!recv N` reads N replies.
    assert!(parse("t", b"!send PING\n!send PING\n!recv 2\nPING\n").is_ok());
    assert!(error("!send PING\n!send PING\n!recv\nPING\n").contains("on line 2"));

    let early = error("@2 !send BLPOP q 0\n@2 LLEN q\n@2 !recv\n");
    assert!(early.contains("2: connection @2 still owes the reply to the !send on line 1"));
    let pipelined = error("!send GET a\n!send GET b\n!recv\n!raw \"PING\\r\\n\"\n");
    assert!(pipelined.contains("4: connection @1 still owes the reply to the !send on line 2"));
    let never = error("PING\n@3 !send BLPOP q 0\n@3 !quiet 10\n");
    assert!(never.contains("the !send on line 2 (@3) is never read"));
}

#[test]
fn rejects_malformed_connection_lines() {
    assert!(error("@0 PING").contains("numbered @1 to @9"));
    assert!(error("@10 PING").contains("numbered @1 to @9"));
    assert!(error("@x PING").contains("connection number after @"));
    assert!(error("@2").contains("@2 needs a command or directive"));
    assert!(error("@2 !sleep 10").contains("write it without @N"));
    assert!(error("!send").contains("!send needs a command"));
    assert!(error("!recv 0").contains("at least one reply"));
    assert!(error("!recv x").contains("!recv count"));
    assert!(error("!recv 2 sorted").contains("only the word `unordered`"));
    assert!(error("!recv 2 unordered x").contains("only the word `unordered`"));
    assert!(error("!close now").contains("!close takes no arguments"));
    assert!(error("!quiet").contains("!quiet takes one number"));
    assert!(error("!quiet 2000").contains("!quiet is capped at 1200 ms"));
}
