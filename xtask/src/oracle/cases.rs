//! Parsing oracle case files (the format is specified in `spec/oracle/README.md`).

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use resplite_resp::inline::split_args;

/// The longest `!sleep` allowed, so the suite stays quick.
const MAX_SLEEP: Duration = Duration::from_millis(1200);

/// One meaningful line of a case file.
#[derive(Debug, PartialEq)]
pub(crate) struct Case {
    /// 1-based line number in the file.
    pub(crate) line: usize,
    /// The line as written, for reports.
    pub(crate) text: String,
    pub(crate) step: Step,
}

/// What a line asks the runner to do.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Send a command and compare its reply.
    Command { args: Vec<Vec<u8>>, check: Check },
    /// Follow a SCAN-family cursor from 0 back to 0 and compare everything it returned.
    Scan {
        args: Vec<Vec<u8>>,
        /// Which argument holds the cursor: 1 for SCAN, 2 for SSCAN/HSCAN/ZSCAN.
        cursor_index: usize,
        /// HSCAN and ZSCAN return field/value pairs, which must stay together.
        pairs: bool,
    },
    /// Send bytes as they are and compare everything that comes back.
    Raw(Vec<u8>),
    /// Wait; not a case of its own.
    Sleep(Duration),
}

/// How a command's replies are compared.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Check {
    Exact,
    /// Array elements in any order.
    Sorted,
    /// Non-negative integers may differ by up to this much.
    Approx(u64),
}

impl Case {
    /// Whether the line counts as a case in the summary (sleeps do not).
    pub(crate) fn is_counted(&self) -> bool {
        !matches!(self.step, Step::Sleep(_))
    }
}

/// Parses a whole case file; `name` is used in error messages.
pub(crate) fn parse(name: &str, contents: &[u8]) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    for (index, raw_line) in contents.split(|&byte| byte == b'\n').enumerate() {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        let line_number = index + 1;
        let step = parse_line(trimmed).with_context(|| format!("{name}:{line_number}"))?;
        let text = String::from_utf8_lossy(trimmed).into_owned();
        cases.push(Case { line: line_number, text, step });
    }
    Ok(cases)
}

fn parse_line(line: &[u8]) -> Result<Step> {
    let Some(mut words) = split_args(line) else {
        bail!("unbalanced quotes");
    };
    let first = words.first().cloned().unwrap_or_default();
    if !first.starts_with(b"!") {
        return Ok(Step::Command { args: words, check: Check::Exact });
    }
    words.remove(0);
    match first.as_slice() {
        b"!sort" => {
            ensure!(!words.is_empty(), "!sort needs a command");
            Ok(Step::Command { args: words, check: Check::Sorted })
        }
        b"!approx" => {
            ensure!(words.len() >= 2, "!approx needs a tolerance and a command");
            let tolerance = parse_number(&words.remove(0)).context("!approx tolerance")?;
            Ok(Step::Command { args: words, check: Check::Approx(tolerance) })
        }
        b"!scan" => parse_scan(words),
        b"!sleep" => {
            ensure!(words.len() == 1, "!sleep takes one number of milliseconds");
            let sleep = Duration::from_millis(parse_number(&words[0]).context("!sleep time")?);
            ensure!(sleep <= MAX_SLEEP, "!sleep is capped at {} ms", MAX_SLEEP.as_millis());
            Ok(Step::Sleep(sleep))
        }
        b"!raw" => {
            ensure!(words.len() == 1, "!raw takes exactly one quoted string of bytes");
            let bytes = words.remove(0);
            ensure!(!bytes.is_empty(), "!raw needs at least one byte");
            Ok(Step::Raw(bytes))
        }
        other => bail!("unknown directive `{}`", String::from_utf8_lossy(other)),
    }
}

fn parse_scan(args: Vec<Vec<u8>>) -> Result<Step> {
    let command = args.first().map(|name| name.to_ascii_lowercase()).unwrap_or_default();
    let (cursor_index, pairs) = match command.as_slice() {
        b"scan" => (1, false),
        b"sscan" => (2, false),
        b"hscan" | b"zscan" => (2, true),
        _ => bail!("!scan needs SCAN, SSCAN, HSCAN or ZSCAN"),
    };
    ensure!(
        args.get(cursor_index).map(Vec::as_slice) == Some(b"0"),
        "!scan needs the cursor argument to be 0"
    );
    Ok(Step::Scan { args, cursor_index, pairs })
}

fn parse_number(word: &[u8]) -> Result<u64> {
    let text = std::str::from_utf8(word).ok().context("not a number")?;
    text.parse().with_context(|| format!("`{text}` is not a non-negative integer"))
}

#[cfg(test)]
mod tests {
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
        let cases =
            parse("t", b"# heading\n\n   \n  # indented comment\r\nGET k\r\nPING\n").unwrap();
        assert_eq!(
            cases,
            [
                Case {
                    line: 5,
                    text: "GET k".to_owned(),
                    step: Step::Command { args: args(&["GET", "k"]), check: Check::Exact },
                },
                Case {
                    line: 6,
                    text: "PING".to_owned(),
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
             !sleep 150\n!raw \"PING\\r\\n\"\n",
        );
        assert_eq!(
            parsed,
            [
                Step::Command { args: args(&["KEYS", "*"]), check: Check::Sorted },
                Step::Command { args: args(&["TTL", "k"]), check: Check::Approx(2) },
                Step::Scan {
                    args: args(&["SCAN", "0", "MATCH", "a*"]),
                    cursor_index: 1,
                    pairs: false
                },
                Step::Scan { args: args(&["hscan", "h", "0"]), cursor_index: 2, pairs: true },
                Step::Sleep(Duration::from_millis(150)),
                Step::Raw(b"PING\r\n".to_vec()),
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
        assert_eq!(
            steps(r#""" a"#),
            [Step::Command { args: args(&["", "a"]), check: Check::Exact }]
        );
    }

    #[test]
    fn rejects_malformed_lines_naming_file_and_line() {
        assert!(error("PING\nGET \"k\n").starts_with("test.txt:2: unbalanced quotes"));
        assert!(error("!bogus PING").contains("unknown directive `!bogus`"));
        assert!(error("!sort").contains("!sort needs a command"));
        assert!(error("!approx TTL k").contains("!approx tolerance"));
        assert!(error("!approx -1 TTL k").contains("!approx tolerance"));
        assert!(error("!approx 1").contains("needs a tolerance and a command"));
        assert!(error("!scan SCAN 5").contains("cursor argument to be 0"));
        assert!(error("!scan HSCAN h").contains("cursor argument to be 0"));
        assert!(error("!scan KEYS *").contains("SCAN, SSCAN, HSCAN or ZSCAN"));
        assert!(error("!sleep 5000").contains("capped at 1200 ms"));
        assert!(error("!sleep").contains("one number"));
        assert!(error("!raw a b").contains("exactly one"));
        assert!(error("!raw \"\"").contains("at least one byte"));
    }
}
