//! Parsing oracle case files (the format is specified in `spec/oracle/README.md`).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use resplite_resp::inline::split_args;

/// The longest `!sleep` or `!quiet` allowed, so the suite stays quick.
const MAX_WAIT: Duration = Duration::from_millis(1200);
/// Connections are numbered `@1` (the default) to `@9`.
const MAX_CONNECTION: u8 = 9;

/// One meaningful line of a case file.
#[derive(Debug, PartialEq)]
pub(crate) struct Case {
    /// 1-based line number in the file.
    pub(crate) line: usize,
    /// The line as written, for reports.
    pub(crate) text: String,
    /// Which of the file's connections the step uses: 1 unless the line starts with `@N`.
    pub(crate) connection: u8,
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
    /// Send a command without reading its reply; a later `!recv` reads it. Not a case.
    Send(Vec<Vec<u8>>),
    /// Read replies that are due on the connection and compare them: one, or `count` of
    /// them as one array, in the order they came or (for messages Redis sends in no defined
    /// order) sorted.
    Recv { count: usize, unordered: bool },
    /// Nothing may arrive on the connection for this long.
    Quiet(Duration),
    /// Close the connection; its next use opens a new one. Not a case.
    Close,
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
    /// Only the RESP type of the reply counts, for replies that hold a connection id.
    Kind,
}

impl Case {
    /// Whether the line counts as a case in the summary: only lines that compare something.
    pub(crate) fn is_counted(&self) -> bool {
        !matches!(self.step, Step::Sleep(_) | Step::Send(_) | Step::Close)
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
        let (connection, step) =
            parse_line(trimmed).with_context(|| format!("{name}:{line_number}"))?;
        let text = String::from_utf8_lossy(trimmed).into_owned();
        cases.push(Case { line: line_number, text, connection, step });
    }
    check_replies_are_read(&cases).with_context(|| name.to_owned())?;
    Ok(cases)
}

/// Rejects files where a command would read the reply owed to an earlier `!send` on the
/// same connection, or where a `!send` is never answered: either way a reply would end up
/// compared against the wrong line.
fn check_replies_are_read(cases: &[Case]) -> Result<()> {
    // Per connection, the lines of `!send`s whose replies have not been read yet.
    let mut unanswered: BTreeMap<u8, Vec<usize>> = BTreeMap::new();
    for case in cases {
        let owed = unanswered.entry(case.connection).or_default();
        match case.step {
            Step::Send(_) => owed.push(case.line),
            Step::Recv { count, .. } => {
                owed.drain(..count.min(owed.len()));
            }
            Step::Close => owed.clear(),
            Step::Command { .. } | Step::Scan { .. } | Step::Raw(_) => {
                if let Some(sent) = owed.first() {
                    bail!(
                        "{}: connection @{} still owes the reply to the !send on line {sent}; \
                         read it with !recv first",
                        case.line,
                        case.connection
                    );
                }
            }
            Step::Quiet(_) | Step::Sleep(_) => {}
        }
    }
    for (connection, owed) in unanswered {
        if let Some(sent) = owed.first() {
            bail!(
                "the reply to the !send on line {sent} (@{connection}) is never read; \
                 end the file with !recv or !close on @{connection}"
            );
        }
    }
    Ok(())
}

/// Splits a line into its connection number and step.
fn parse_line(line: &[u8]) -> Result<(u8, Step)> {
    let Some(mut words) = split_args(line) else {
        bail!("unbalanced quotes");
    };
    let connection = match words.first() {
        Some(word) if word.starts_with(b"@") => {
            let connection = parse_connection(&word[1..])?;
            words.remove(0);
            ensure!(!words.is_empty(), "@{connection} needs a command or directive");
            connection
        }
        _ => 1,
    };
    let step = parse_step(words)?;
    ensure!(
        connection == 1 || !matches!(step, Step::Sleep(_)),
        "!sleep waits on every connection; write it without @N"
    );
    Ok((connection, step))
}

fn parse_connection(digits: &[u8]) -> Result<u8> {
    let number = parse_number(digits).context("connection number after @")?;
    match u8::try_from(number) {
        Ok(connection @ 1..=MAX_CONNECTION) => Ok(connection),
        _ => bail!("connections are numbered @1 to @{MAX_CONNECTION}"),
    }
}

fn parse_step(mut words: Vec<Vec<u8>>) -> Result<Step> {
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
        b"!kind" => {
            ensure!(!words.is_empty(), "!kind needs a command");
            Ok(Step::Command { args: words, check: Check::Kind })
        }
        b"!scan" => parse_scan(words),
        b"!sleep" => Ok(Step::Sleep(parse_wait("!sleep", &words)?)),
        b"!quiet" => Ok(Step::Quiet(parse_wait("!quiet", &words)?)),
        b"!raw" => {
            ensure!(words.len() == 1, "!raw takes exactly one quoted string of bytes");
            let bytes = words.remove(0);
            ensure!(!bytes.is_empty(), "!raw needs at least one byte");
            Ok(Step::Raw(bytes))
        }
        b"!send" => {
            ensure!(!words.is_empty(), "!send needs a command");
            Ok(Step::Send(words))
        }
        b"!recv" => parse_recv(&words),
        b"!close" => {
            ensure!(words.is_empty(), "!close takes no arguments");
            Ok(Step::Close)
        }
        other => bail!("unknown directive `{}`", String::from_utf8_lossy(other)),
    }
}

/// `!recv`, `!recv N` or `!recv N unordered`.
fn parse_recv(words: &[Vec<u8>]) -> Result<Step> {
    let count = match words.first() {
        None => 1,
        Some(word) => parse_number(word).context("!recv count")?,
    };
    let count = usize::try_from(count).context("!recv count")?;
    ensure!(count >= 1, "!recv reads at least one reply");
    let unordered = match words.get(1..).unwrap_or_default() {
        [] => false,
        [word] if word.as_slice() == b"unordered" => true,
        _ => bail!("!recv takes a count and then only the word `unordered`"),
    };
    Ok(Step::Recv { count, unordered })
}

/// The milliseconds of `!sleep` or `!quiet`, capped at [`MAX_WAIT`].
fn parse_wait(directive: &str, words: &[Vec<u8>]) -> Result<Duration> {
    ensure!(words.len() == 1, "{directive} takes one number of milliseconds");
    let wait = Duration::from_millis(
        parse_number(&words[0]).with_context(|| format!("{directive} time"))?,
    );
    ensure!(wait <= MAX_WAIT, "{directive} is capped at {} ms", MAX_WAIT.as_millis());
    Ok(wait)
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
mod tests;
