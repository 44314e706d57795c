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
}

impl CommandError {
    /// An `ERR`-coded error with the given message.
    pub(crate) fn err(message: impl std::fmt::Display) -> CommandError {
        CommandError::Message(format!("ERR {message}"))
    }

    /// The reply a client receives.
    pub(crate) fn to_frame(&self) -> Frame {
        Frame::error(self.reply_text())
    }

    fn reply_text(&self) -> String {
        match self {
            CommandError::Syntax => "ERR syntax error".into(),
            CommandError::NotInteger => "ERR value is not an integer or out of range".into(),
            CommandError::WrongArity(name) => {
                format!("ERR wrong number of arguments for '{name}' command")
            }
            CommandError::UnknownSubcommand { command, subcommand } => format!(
                "ERR unknown subcommand '{}'. Try {command} HELP.",
                printable(subcommand, usize::MAX)
            ),
            CommandError::Store(error) => store_error_text(error),
            CommandError::Message(text) => text.clone(),
        }
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

/// Client-supplied bytes made safe to embed in an error line: at most `limit` bytes, with
/// CR and LF turned into spaces (a newline would break the protocol), as Redis does.
pub(crate) fn printable(bytes: &[u8], limit: usize) -> String {
    let shown = &bytes[..bytes.len().min(limit)];
    String::from_utf8_lossy(shown).replace(['\r', '\n'], " ")
}

/// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' ` — the command
/// name cut to 128 bytes and the arguments to 128 bytes in all, as Redis words it.
pub(crate) fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> Frame {
    let mut listed = String::new();
    for arg in args {
        if listed.len() >= 128 {
            break;
        }
        let room = 128 - listed.len();
        listed.push('\'');
        listed.push_str(&printable(arg, room));
        listed.push_str("' ");
    }
    Frame::error(format!(
        "ERR unknown command '{}', with args beginning with: {listed}",
        printable(name, 128)
    ))
}
