//! Splitting inline commands (`SET key "a value"`) into arguments.
//!
//! Inline commands are what a person types into `telnet`: one line, arguments separated by
//! whitespace, optionally quoted. The rules are those of Redis's `sdssplitargs`, including
//! its corners, because a command Redis accepts must mean the same thing here:
//!
//! - whitespace between arguments is any of space, `\t`, `\n`, `\v`, `\f`, `\r`, but an
//!   unquoted argument ends only at space, `\t`, `\n` or `\r` (so `\v` and `\f` inside one
//!   are kept);
//! - unquoted text is taken literally, and a quote may open in the middle of an argument
//!   (`ab"c d"` is the single argument `abc d`);
//! - in double quotes, `\xHH` is a byte in hex, `\n \r \t \b \a` are control characters and
//!   any other escaped byte stands for itself;
//! - in single quotes, only `\'` is an escape;
//! - a closing quote must be followed by whitespace or the end of the line, and every quote
//!   must be closed, otherwise the whole line is rejected.
//!
//! Redis works on C strings, so a NUL byte would end its line early; here the line is a
//! byte slice and NUL is an ordinary byte.

/// Splits one line into arguments, or returns `None` when its quotes are unbalanced.
///
/// An empty or all-whitespace line gives no arguments.
///
/// ```
/// use resplite_resp::inline::split_args;
///
/// let args = split_args(br#"SET greeting "hello\x21 world""#).unwrap();
/// assert_eq!(args, [&b"SET"[..], b"greeting", b"hello! world"]);
/// assert_eq!(split_args(br#"GET "unterminated"#), None);
/// ```
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while line.get(pos).is_some_and(|&byte| is_space(byte)) {
            pos += 1;
        }
        if pos >= line.len() {
            return Some(args);
        }
        let (arg, next) = split_one(line, pos)?;
        args.push(arg);
        pos = next;
    }
}

#[derive(Clone, Copy)]
enum Quoting {
    None,
    Double,
    Single,
}

/// Reads the argument starting at `pos` (not whitespace), returning it and the position
/// after its terminator.
fn split_one(line: &[u8], mut pos: usize) -> Option<(Vec<u8>, usize)> {
    let mut arg = Vec::new();
    let mut quoting = Quoting::None;
    loop {
        let byte = line.get(pos).copied();
        let next = line.get(pos + 1).copied();
        match quoting {
            Quoting::None => match byte {
                None => return Some((arg, pos)),
                Some(b' ' | b'\t' | b'\n' | b'\r') => return Some((arg, pos + 1)),
                Some(b'"') => quoting = Quoting::Double,
                Some(b'\'') => quoting = Quoting::Single,
                Some(other) => arg.push(other),
            },
            Quoting::Double => match (byte, next) {
                (None, _) => return None,
                (Some(b'\\'), Some(b'x')) if hex_pair(line, pos + 2).is_some() => {
                    arg.push(hex_pair(line, pos + 2)?);
                    pos += 3;
                }
                (Some(b'\\'), Some(escaped)) => {
                    arg.push(match escaped {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    pos += 1;
                }
                (Some(b'"'), _) => return closed(arg, pos, next),
                (Some(other), _) => arg.push(other),
            },
            Quoting::Single => match (byte, next) {
                (None, _) => return None,
                (Some(b'\\'), Some(b'\'')) => {
                    arg.push(b'\'');
                    pos += 1;
                }
                (Some(b'\''), _) => return closed(arg, pos, next),
                (Some(other), _) => arg.push(other),
            },
        }
        pos += 1;
    }
}

/// Finishes a quoted argument whose closing quote is at `quote`: only whitespace or the end
/// of the line may follow it.
fn closed(arg: Vec<u8>, quote: usize, next: Option<u8>) -> Option<(Vec<u8>, usize)> {
    match next {
        Some(byte) if !is_space(byte) => None,
        _ => Some((arg, quote + 1)),
    }
}

/// The byte spelled by two hex digits at `pos`, if there are two.
fn hex_pair(line: &[u8], pos: usize) -> Option<u8> {
    let high = hex_digit(*line.get(pos)?)?;
    let low = hex_digit(*line.get(pos + 1)?)?;
    Some(high * 16 + low)
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn check(line: &[u8], expected: Option<&[&[u8]]>) {
        let expected = expected.map(|args| args.iter().map(|arg| arg.to_vec()).collect());
        assert_eq!(split_args(line), expected, "splitting {:?}", line.escape_ascii().to_string());
    }

    #[test]
    fn splits_on_whitespace() {
        check(b"", Some(&[]));
        check(b"   \t ", Some(&[]));
        check(b"\x0b\x0c", Some(&[]));
        check(b"PING", Some(&[b"PING"]));
        check(b"  SET  k\tv  ", Some(&[b"SET", b"k", b"v"]));
        check(b"a\r\nb", Some(&[b"a", b"b"]));
    }

    #[test]
    fn vertical_tab_and_form_feed_do_not_end_unquoted_arguments() {
        check(b"a\x0bb c\x0cd", Some(&[b"a\x0bb", b"c\x0cd"]));
    }

    #[test]
    fn unquoted_text_is_literal() {
        check(br"a\x41 b\n", Some(&[br"a\x41", br"b\n"]));
        check(b"\xff\x00", Some(&[b"\xff\x00"]));
    }

    #[test]
    fn double_quotes_group_and_unescape() {
        check(br#""a b""#, Some(&[b"a b"]));
        check(br#""""#, Some(&[b""]));
        check(br#""\x41""#, Some(&[b"A"]));
        check(br#""\x4a\x4B""#, Some(&[b"JK"]));
        check(br#""\n\r\t\b\a""#, Some(&[b"\n\r\t\x08\x07"]));
        check(br#""\\ \" \q""#, Some(&[br#"\ " q"#]));
        check(br#""'""#, Some(&[b"'"]));
    }

    #[test]
    fn incomplete_hex_escape_is_an_ordinary_escape() {
        check(br#""\x4""#, Some(&[b"x4"]));
        check(br#""\xzz""#, Some(&[b"xzz"]));
    }

    #[test]
    fn single_quotes_only_unescape_quote() {
        check(b"'x'", Some(&[b"x"]));
        check(br"'it\'s'", Some(&[b"it's"]));
        check(br"'a\nb\x41'", Some(&[br"a\nb\x41"]));
        check(br#"'"'"#, Some(&[b"\""]));
    }

    #[test]
    fn quotes_may_open_inside_an_argument() {
        check(br#"ab"c d""#, Some(&[b"abc d"]));
        check(b"x'y z' w", Some(&[b"xy z", b"w"]));
    }

    #[test]
    fn closing_quote_must_be_followed_by_whitespace() {
        check(br#""a"b"#, None);
        check(b"'a'b", None);
        check(br#""a""b""#, None);
        check(b"\"a\"\x0bb", Some(&[b"a", b"b"]));
        check(br#""a" "b""#, Some(&[b"a", b"b"]));
    }

    #[test]
    fn unterminated_quotes_are_rejected() {
        check(br#""abc"#, None);
        check(b"'abc", None);
        check(br#"ok "a\""#, None);
        check(br#""a\"#, None);
        check(br"'a\'", None);
    }
}
