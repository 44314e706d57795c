//! The protocol error type shared by both decoders.

use std::borrow::Cow;
use std::fmt;
use std::io;

/// Why a byte stream could not be decoded.
///
/// The first seven variants are the protocol errors Redis itself reports to a client (see
/// [`ProtocolError::reply_text`] for the exact reply). The next five only come from
/// [`FrameCodec`](crate::FrameCodec), which reads replies rather than requests and so meets
/// malformed input Redis never has to name. `Io` exists because `tokio_util`'s `Decoder`
/// requires `From<io::Error>`. After any error the stream is out of step and should be closed.
#[derive(Debug)]
pub enum ProtocolError {
    /// A `*N` header line did not end within the inline limit.
    TooBigMultibulkCount,
    /// A `*N` header that is not a valid integer, or exceeds the multibulk limit.
    InvalidMultibulkLength,
    /// A `$N` header line did not end within the inline limit.
    TooBigBulkCount,
    /// A request argument line that does not start with `$`; holds the byte found instead.
    ExpectedDollar(u8),
    /// A `$N` header that is not a valid integer, is negative (in a request), or exceeds the
    /// bulk limit.
    InvalidBulkLength,
    /// An inline command line did not end within the inline limit.
    TooBigInline,
    /// A `*N` header over 10 from a client that has not authenticated yet.
    UnauthenticatedMultibulkLength,
    /// A `$N` header over 16 KiB from a client that has not authenticated yet.
    UnauthenticatedBulkLength,
    /// An inline command with an unterminated quote, or a closing quote followed by
    /// something other than whitespace.
    UnbalancedQuotes,
    /// A reply frame starting with a byte that is not a RESP2 type marker.
    UnknownFrameType(u8),
    /// A `:` reply whose payload is not a valid integer.
    InvalidInteger,
    /// A bulk reply whose payload is not followed by `\r\n`.
    MissingCrlf,
    /// A reply line that did not end within its limit.
    LineTooLong,
    /// A reply whose arrays nest deeper than the decoder accepts.
    NestingTooDeep,
    /// The underlying transport failed.
    Io(io::Error),
}

impl ProtocolError {
    /// The error reply Redis sends before closing a connection for this error, without the
    /// leading `-` and trailing `\r\n`; for example `ERR Protocol error: invalid bulk length`.
    ///
    /// For [`ProtocolError::ExpectedDollar`] the offending byte is shown as Redis shows it,
    /// with `\r` and `\n` turned into spaces. A byte of 0x80 or above becomes the Unicode
    /// character of that number, since a `String` cannot hold the raw byte Redis sends.
    pub fn reply_text(&self) -> String {
        match self {
            ProtocolError::ExpectedDollar(byte) => {
                let shown = match byte {
                    b'\r' | b'\n' => ' ',
                    other => char::from(*other),
                };
                format!("ERR Protocol error: expected '$', got '{shown}'")
            }
            ProtocolError::Io(_) => format!("ERR {self}"),
            _ => format!("ERR Protocol error: {}", self.detail()),
        }
    }

    /// The lowercase description shared by `Display` and `reply_text`.
    fn detail(&self) -> Cow<'static, str> {
        let text = match self {
            ProtocolError::TooBigMultibulkCount => "too big mbulk count string",
            ProtocolError::InvalidMultibulkLength => "invalid multibulk length",
            ProtocolError::TooBigBulkCount => "too big bulk count string",
            ProtocolError::ExpectedDollar(byte) => {
                return format!("expected '$', got '{}'", byte.escape_ascii()).into();
            }
            ProtocolError::InvalidBulkLength => "invalid bulk length",
            ProtocolError::TooBigInline => "too big inline request",
            ProtocolError::UnauthenticatedMultibulkLength => "unauthenticated multibulk length",
            ProtocolError::UnauthenticatedBulkLength => "unauthenticated bulk length",
            ProtocolError::UnbalancedQuotes => "unbalanced quotes in request",
            ProtocolError::UnknownFrameType(byte) => {
                return format!("unknown frame type byte '{}'", byte.escape_ascii()).into();
            }
            ProtocolError::InvalidInteger => "invalid integer",
            ProtocolError::MissingCrlf => "bulk payload not followed by crlf",
            ProtocolError::LineTooLong => "line too long",
            ProtocolError::NestingTooDeep => "arrays nested too deep",
            ProtocolError::Io(err) => return format!("i/o error: {err}").into(),
        };
        text.into()
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Io(_) => f.write_str(&self.detail()),
            _ => write!(f, "protocol error: {}", self.detail()),
        }
    }
}

impl std::error::Error for ProtocolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProtocolError::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for ProtocolError {
    fn from(err: io::Error) -> ProtocolError {
        ProtocolError::Io(err)
    }
}

#[cfg(test)]
mod tests {
    use super::ProtocolError;
    use std::error::Error;
    use std::io;

    #[test]
    fn reply_texts_match_redis() {
        let cases = [
            (ProtocolError::TooBigMultibulkCount, "ERR Protocol error: too big mbulk count string"),
            (ProtocolError::InvalidMultibulkLength, "ERR Protocol error: invalid multibulk length"),
            (ProtocolError::TooBigBulkCount, "ERR Protocol error: too big bulk count string"),
            (ProtocolError::ExpectedDollar(b'x'), "ERR Protocol error: expected '$', got 'x'"),
            (ProtocolError::InvalidBulkLength, "ERR Protocol error: invalid bulk length"),
            (ProtocolError::TooBigInline, "ERR Protocol error: too big inline request"),
            (ProtocolError::UnbalancedQuotes, "ERR Protocol error: unbalanced quotes in request"),
        ];
        for (err, text) in cases {
            assert_eq!(err.reply_text(), text);
        }
    }

    #[test]
    fn expected_dollar_maps_line_breaks_to_spaces_like_redis() {
        assert_eq!(
            ProtocolError::ExpectedDollar(b'\r').reply_text(),
            "ERR Protocol error: expected '$', got ' '"
        );
        assert_eq!(
            ProtocolError::ExpectedDollar(b'\n').reply_text(),
            "ERR Protocol error: expected '$', got ' '"
        );
    }

    #[test]
    fn display_is_lowercase_and_escapes_bytes() {
        assert_eq!(
            ProtocolError::InvalidBulkLength.to_string(),
            "protocol error: invalid bulk length"
        );
        assert_eq!(
            ProtocolError::ExpectedDollar(b'\n').to_string(),
            "protocol error: expected '$', got '\\n'"
        );
        assert_eq!(
            ProtocolError::UnknownFrameType(0xff).to_string(),
            "protocol error: unknown frame type byte '\\xff'"
        );
    }

    #[test]
    fn io_errors_convert_and_keep_their_source() {
        let err = ProtocolError::from(io::Error::other("connection reset"));
        assert_eq!(err.to_string(), "i/o error: connection reset");
        assert!(err.source().is_some());
        assert!(ProtocolError::TooBigInline.source().is_none());
    }
}
