//! The arguments and reply shared by `HSCAN`, `SSCAN` and `ZSCAN`.

use bytes::Bytes;
use resplite_resp::Frame;
use resplite_store::{ElementScan, parse_i64};

use crate::args::{Args, is_word};
use crate::commands::keys::parse_cursor;
use crate::error::CommandError;

/// A parsed `HSCAN`/`SSCAN`/`ZSCAN` request.
///
/// Redis checks the options only once it has found the key, so a bad option on a missing key
/// still answers an empty page: the option error is kept in `options` until then.
pub(crate) struct ElementScanRequest {
    pub(crate) cursor: u64,
    pub(crate) options: Result<ElementScanOptions, CommandError>,
}

/// The options of an element scan.
pub(crate) struct ElementScanOptions {
    pub(crate) pattern: Option<Bytes>,
    pub(crate) count: usize,
    /// `NOVALUES` (`HSCAN` only): fields without their values.
    pub(crate) no_values: bool,
}

impl ElementScanOptions {
    /// The store's view of these options.
    pub(crate) fn as_store(&self) -> ElementScan<'_> {
        ElementScan { pattern: self.pattern.as_deref(), count: self.count }
    }
}

/// Parses `cursor [MATCH pattern] [COUNT count]` (and `NOVALUES` when `allow_no_values`).
pub(crate) fn parse(
    args: &mut Args,
    allow_no_values: bool,
) -> Result<ElementScanRequest, CommandError> {
    let cursor = parse_cursor(&args.bytes()?)?;
    Ok(ElementScanRequest { cursor, options: parse_options(args, allow_no_values) })
}

fn parse_options(
    args: &mut Args,
    allow_no_values: bool,
) -> Result<ElementScanOptions, CommandError> {
    let mut options = ElementScanOptions { pattern: None, count: 10, no_values: false };
    while let Some(option) = args.next() {
        if allow_no_values && is_word(&option, "novalues") {
            options.no_values = true;
            continue;
        }
        let Some(value) = args.next() else { return Err(CommandError::Syntax) };
        if is_word(&option, "match") {
            options.pattern = Some(value);
        } else if is_word(&option, "count") {
            let number = parse_i64(&value).ok_or(CommandError::NotInteger)?;
            if number < 1 {
                return Err(CommandError::Syntax);
            }
            options.count = usize::try_from(number).unwrap_or(usize::MAX);
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok(options)
}

/// The two-element reply: the cursor and the flat list of items.
pub(crate) fn reply(cursor: u64, items: Vec<Frame>) -> Frame {
    Frame::Array(vec![Frame::bulk(cursor.to_string()), Frame::Array(items)])
}

/// The reply for a key that does not exist.
pub(crate) fn empty() -> Frame {
    reply(0, Vec::new())
}
