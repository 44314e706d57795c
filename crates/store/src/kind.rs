//! The Redis data types a key can hold, and how each is stored in `keys.kind`.

/// The type of the value a key holds, as Redis's `TYPE` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// A binary-safe string (also integers, floats and bitmaps).
    String,
    /// A map of fields to values.
    Hash,
    /// An ordered sequence of elements.
    List,
    /// An unordered collection of unique members.
    Set,
    /// Unique members ordered by score.
    ZSet,
}

impl KeyType {
    /// The name `TYPE` answers: `string`, `hash`, `list`, `set` or `zset`.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::Hash => "hash",
            KeyType::List => "list",
            KeyType::Set => "set",
            KeyType::ZSet => "zset",
        }
    }

    /// The type named by `name` (case-insensitive), as `SCAN … TYPE` accepts it.
    pub fn from_name(name: &[u8]) -> Option<KeyType> {
        [KeyType::String, KeyType::Hash, KeyType::List, KeyType::Set, KeyType::ZSet]
            .into_iter()
            .find(|kind| kind.name().as_bytes().eq_ignore_ascii_case(name))
    }

    /// The integer stored in `keys.kind` (see `spec/storage.md`).
    pub(crate) fn code(self) -> i64 {
        match self {
            KeyType::String => 0,
            KeyType::Hash => 1,
            KeyType::List => 2,
            KeyType::Set => 3,
            KeyType::ZSet => 4,
        }
    }

    /// The type stored as `code`, or a database error for a code no version ever wrote.
    pub(crate) fn from_code(code: i64) -> rusqlite::Result<KeyType> {
        match code {
            0 => Ok(KeyType::String),
            1 => Ok(KeyType::Hash),
            2 => Ok(KeyType::List),
            3 => Ok(KeyType::Set),
            4 => Ok(KeyType::ZSet),
            other => Err(rusqlite::Error::IntegralValueOutOfRange(3, other)),
        }
    }
}
