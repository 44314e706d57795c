//! Reading a command's arguments one by one, with Redis's parsing rules and error texts.

use std::vec;

use bytes::Bytes;
use resplite_store::parse_i64;

use crate::error::CommandError;

/// The arguments after the command name, consumed front to back.
pub(crate) struct Args {
    items: vec::IntoIter<Bytes>,
}

impl Args {
    pub(crate) fn new(items: Vec<Bytes>) -> Args {
        Args { items: items.into_iter() }
    }

    /// How many arguments are left.
    pub(crate) fn remaining(&self) -> usize {
        self.items.len()
    }

    /// The next argument, left in place.
    pub(crate) fn peek(&self) -> Option<&Bytes> {
        self.items.as_slice().first()
    }

    /// The next argument, if any.
    pub(crate) fn next(&mut self) -> Option<Bytes> {
        self.items.next()
    }

    /// The next argument; its absence is a syntax error. (The registry checks arity before a
    /// handler runs, so for fixed positions this never fails.)
    pub(crate) fn bytes(&mut self) -> Result<Bytes, CommandError> {
        self.items.next().ok_or(CommandError::Syntax)
    }

    /// The next argument as a 64-bit integer, or `value is not an integer or out of range`.
    pub(crate) fn integer(&mut self) -> Result<i64, CommandError> {
        let item = self.bytes()?;
        parse_i64(&item).ok_or(CommandError::NotInteger)
    }

    /// All remaining arguments.
    pub(crate) fn rest(self) -> Vec<Bytes> {
        self.items.collect()
    }
}

/// Whether an argument is the keyword `word`, compared as Redis compares option words
/// (`strcasecmp`): ASCII case aside, and only up to a zero byte, so `NX\0anything` is `NX`.
pub(crate) fn is_word(argument: &[u8], word: &str) -> bool {
    c_string(argument).eq_ignore_ascii_case(word.as_bytes())
}

/// The bytes of an argument that C sees: those before its first zero byte.
pub(crate) fn c_string(argument: &[u8]) -> &[u8] {
    argument.split(|&byte| byte == 0).next().unwrap_or_default()
}
