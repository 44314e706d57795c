//! The migration's error type.

use std::fmt;

use resplite_store::StoreError;

/// Why a migration step failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum MigrateError {
    /// The source Redis could not be reached, refused a command or answered unexpectedly.
    Source(String),
    /// The destination database could not be opened or written.
    Destination(StoreError),
    /// The step cannot run as asked (a missing run, a second importer, an unsafe cutover…);
    /// the message says why and what to do.
    Refused(String),
    /// A local file could not be created, renamed or removed.
    File(String),
    /// The step stopped because it was told to (abort, Ctrl+C); what it finished is kept.
    Stopped,
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrateError::Source(message) => write!(f, "source redis: {message}"),
            MigrateError::Destination(error) => write!(f, "destination database: {error}"),
            MigrateError::Refused(message) => f.write_str(message),
            MigrateError::File(message) => write!(f, "file: {message}"),
            MigrateError::Stopped => f.write_str("stopped before finishing; re-run to continue"),
        }
    }
}

impl std::error::Error for MigrateError {}

impl From<StoreError> for MigrateError {
    fn from(error: StoreError) -> Self {
        MigrateError::Destination(error)
    }
}

impl From<redis::RedisError> for MigrateError {
    fn from(error: redis::RedisError) -> Self {
        MigrateError::Source(error.to_string())
    }
}

impl From<std::io::Error> for MigrateError {
    fn from(error: std::io::Error) -> Self {
        MigrateError::Source(error.to_string())
    }
}

/// The result type of every migration step.
pub type Result<T, E = MigrateError> = std::result::Result<T, E>;
