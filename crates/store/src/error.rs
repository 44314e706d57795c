//! The store's error type: every way a keyspace operation can fail, typed.

use std::fmt;
use std::path::PathBuf;

/// Why a store operation failed.
///
/// The variants that mirror Redis semantics (`WrongType`, `NotInteger`, …) are expected
/// outcomes that a server turns into error replies; the others mean the database itself
/// could not be used.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// The key holds a value of another type than the operation works on.
    WrongType,
    /// A stored value or an argument is not a 64-bit signed integer.
    NotInteger,
    /// A stored value or an argument is not a valid floating point number.
    NotFloat,
    /// An integer increment would leave the 64-bit signed range.
    Overflow,
    /// A floating point increment would produce NaN or an infinity.
    NanOrInfinity,
    /// An argument that must be a finite number is NaN or an infinity.
    NanOrInfinityArgument,
    /// A hash field that an integer increment works on does not hold an integer.
    HashValueNotInteger,
    /// A hash field that a float increment works on does not hold a number.
    HashValueNotFloat,
    /// A list index is outside the list.
    IndexOutOfRange,
    /// A sorted-set score computation produced NaN (such as `inf` plus `-inf`).
    ScoreIsNan,
    /// The operation needs an existing key and there is none.
    NoSuchKey,
    /// A string would grow past the configured maximum length.
    StringTooLong,
    /// A string that a HyperLogLog command works on is not an HLL (wrong magic, unknown
    /// encoding, or a dense one of the wrong length).
    NotHyperLogLog,
    /// A string has an HLL's header but its registers cannot be decoded.
    CorruptedHyperLogLog,
    /// The file exists but is not a resplite database.
    NotResplite {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The file was written by a newer resplite with a schema this build does not know.
    NewerSchema {
        /// The file that was opened.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build understands.
        supported: i64,
    },
    /// SQLite reported an error; the message is SQLite's.
    Database(String),
    /// The writer thread is gone, so no write can be made.
    Closed,
    /// An operation panicked or broke an internal rule; its changes were rolled back.
    Internal(String),
    /// The writer thread could not be confined to the CPUs asked for.
    CpuAffinity {
        /// The CPUs asked for.
        cpus: Vec<usize>,
        /// Why not: the operating system's answer, or what is wrong with the list.
        reason: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::WrongType => {
                f.write_str("operation against a key holding the wrong kind of value")
            }
            StoreError::NotInteger => f.write_str("value is not an integer or out of range"),
            StoreError::NotFloat => f.write_str("value is not a valid float"),
            StoreError::Overflow => f.write_str("increment or decrement would overflow"),
            StoreError::NanOrInfinity => f.write_str("increment would produce NaN or Infinity"),
            StoreError::NanOrInfinityArgument => f.write_str("value is NaN or Infinity"),
            StoreError::HashValueNotInteger => f.write_str("hash value is not an integer"),
            StoreError::HashValueNotFloat => f.write_str("hash value is not a float"),
            StoreError::IndexOutOfRange => f.write_str("index out of range"),
            StoreError::ScoreIsNan => f.write_str("resulting score is not a number (NaN)"),
            StoreError::NoSuchKey => f.write_str("no such key"),
            StoreError::StringTooLong => f.write_str("string exceeds maximum allowed size"),
            StoreError::NotHyperLogLog => {
                f.write_str("key is not a valid hyperloglog string value")
            }
            StoreError::CorruptedHyperLogLog => f.write_str("corrupted hyperloglog object"),
            StoreError::NotResplite { path } => {
                write!(f, "{} is not a resplite database", path.display())
            }
            StoreError::NewerSchema { path, found, supported } => write!(
                f,
                "{} has schema version {found}, but this resplite supports up to {supported}; \
                 upgrade resplite to open it",
                path.display()
            ),
            StoreError::Database(message) => write!(f, "database error: {message}"),
            StoreError::Closed => f.write_str("the store's writer has stopped"),
            StoreError::Internal(message) => write!(f, "internal error: {message}"),
            StoreError::CpuAffinity { cpus, reason } => {
                let cpus: Vec<String> = cpus.iter().map(ToString::to_string).collect();
                write!(f, "cannot keep the writer thread on CPUs {}: {reason}", cpus.join(","))
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

/// The result type of every store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
