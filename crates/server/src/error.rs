//! Command errors and the one place that turns every error into Redis's exact reply text.

use resplite_resp::Frame;
use resplite_store::StoreError;

/// Why a command was refused or failed.
#[derive(Debug)]
pub(crate) enum CommandError {
    /// `ERR syntax error`.
    Syntax,
    /// `ERR value is not an integer or out of range`.
    NotInteger,
    /// `ERR wrong number of arguments for '<name>' command`.
    WrongArity(String),
    /// `ERR unknown subcommand '<sub>'. Try <COMMAND> HELP.`, with the command in capitals.
    UnknownSubcommand { command: String, subcommand: Vec<u8> },
    /// An error from the keyspace.
    Store(StoreError),
    /// Any other error; the text is the whole reply, code included (`ERR …`).
    Message(String),
    /// An error quoting a client's bytes as they are (see [`CommandError::err_quoting`]).
    Quoting(Vec<u8>),
}

impl CommandError {
    /// An `ERR`-coded error with the given message.
    pub(crate) fn err(message: impl std::fmt::Display) -> CommandError {
        CommandError::Message(format!("ERR {message}"))
    }

    /// An `ERR`-coded error that quotes a client's bytes the way Redis's `%.Ns` does, raw
    /// (see [`printable`]): `before`, at most `limit` of `quoted`'s bytes, then `after`.
    pub(crate) fn err_quoting(
        before: &str,
        quoted: &[u8],
        limit: usize,
        after: &str,
    ) -> CommandError {
        let mut text = format!("ERR {before}").into_bytes();
        text.extend_from_slice(&printable(quoted, limit));
        text.extend_from_slice(after.as_bytes());
        CommandError::Quoting(text)
    }

    /// The reply a client receives.
    pub(crate) fn to_frame(&self) -> Frame {
        Frame::Error(self.reply_bytes().into())
    }

    fn reply_bytes(&self) -> Vec<u8> {
        let text = match self {
            CommandError::Syntax => "ERR syntax error".into(),
            CommandError::NotInteger => "ERR value is not an integer or out of range".into(),
            CommandError::WrongArity(name) => {
                format!("ERR wrong number of arguments for '{name}' command")
            }
            CommandError::UnknownSubcommand { command, subcommand } => {
                let before = "unknown subcommand '";
                let after = format!("'. Try {command} HELP.");
                return CommandError::err_quoting(before, subcommand, 128, &after).reply_bytes();
            }
            CommandError::Store(error) => store_error_text(error),
            CommandError::Message(text) => text.clone(),
            CommandError::Quoting(text) => return text.clone(),
        };
        text.into_bytes()
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        CommandError::Store(error)
    }
}

/// Redis's reply text for a keyspace error.
pub(crate) fn store_error_text(error: &StoreError) -> String {
    match error {
        StoreError::WrongType => {
            "WRONGTYPE Operation against a key holding the wrong kind of value".into()
        }
        StoreError::NotInteger => "ERR value is not an integer or out of range".into(),
        StoreError::NotFloat => "ERR value is not a valid float".into(),
        StoreError::Overflow => "ERR increment or decrement would overflow".into(),
        StoreError::NanOrInfinity => "ERR increment would produce NaN or Infinity".into(),
        StoreError::NoSuchKey => "ERR no such key".into(),
        StoreError::StringTooLong => {
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)".into()
        }
        StoreError::NotHyperLogLog => {
            "WRONGTYPE Key is not a valid HyperLogLog string value.".into()
        }
        StoreError::CorruptedHyperLogLog => "INVALIDOBJ Corrupted HLL object detected".into(),
        StoreError::NanOrInfinityArgument
        | StoreError::HashValueNotInteger
        | StoreError::HashValueNotFloat
        | StoreError::IndexOutOfRange
        | StoreError::ScoreIsNan => format!("ERR {error}"),
        other => format!("ERR {other}"),
    }
}

/// The reply for a keyspace error.
pub(crate) fn store_error_frame(error: &StoreError) -> Frame {
    Frame::error(store_error_text(error))
}

/// Client-supplied bytes as Redis quotes them in an error line with `%.Ns`: raw, up to the
/// first zero byte (C strings end there) and at most `limit` bytes, with CR and LF turned
/// into spaces (a newline would break the protocol).
fn printable(bytes: &[u8], limit: usize) -> Vec<u8> {
    let until_zero = bytes.iter().position(|&byte| byte == 0).unwrap_or(bytes.len());
    let shown = &bytes[..until_zero.min(limit)];
    shown.iter().map(|&byte| if byte == b'\r' || byte == b'\n' { b' ' } else { byte }).collect()
}

/// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' ` — the command
/// name cut to 128 bytes and the arguments to 128 bytes in all, as Redis words it.
pub(crate) fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> Frame {
    let mut listed = Vec::new();
    for arg in args {
        if listed.len() >= 128 {
            break;
        }
        let room = 128 - listed.len();
        listed.push(b'\'');
        listed.extend_from_slice(&printable(arg, room));
        listed.extend_from_slice(b"' ");
    }
    let before = "unknown command '";
    let after = "', with args beginning with: ";
    let mut text = CommandError::err_quoting(before, name, 128, after).reply_bytes();
    text.extend_from_slice(&listed);
    Frame::Error(text.into())
}
