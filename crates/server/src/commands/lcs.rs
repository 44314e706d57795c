//! `LCS`: the longest common subsequence of two strings, its length, or its matching ranges.

use resplite_resp::Frame;
use resplite_store::StoreError;

use crate::args::{Args, is_word};
use crate::command::{CommandResult, Context, read};
use crate::error::CommandError;

struct LcsOptions {
    length_only: bool,
    indexes: bool,
    with_match_length: bool,
    min_match_length: i64,
}

pub(crate) fn lcs(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let (db, first_key, second_key) = (context.db(), args.bytes()?, args.bytes()?);
    let options = args.rest();
    read(move |reader| {
        // Redis looks the keys up before it parses the options, so a wrong type wins.
        let fetch = |key: &[u8]| match reader.get(db, key) {
            Err(StoreError::WrongType) => {
                Err(CommandError::err("The specified keys must contain string values"))
            }
            other => Ok(other?.unwrap_or_default()),
        };
        let (first, second) = (fetch(&first_key)?, fetch(&second_key)?);
        let options = parse_options(&options)?;
        let table_bytes = (first.len() as u64 + 1) * (second.len() as u64 + 1) * 4;
        if table_bytes > 512 * 1024 * 1024 {
            return Err(CommandError::err(
                "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
            ));
        }
        Ok(answer(&first, &second, &options))
    })
}

fn parse_options(options: &[bytes::Bytes]) -> Result<LcsOptions, CommandError> {
    let mut parsed = LcsOptions {
        length_only: false,
        indexes: false,
        with_match_length: false,
        min_match_length: 0,
    };
    let mut index = 0;
    while index < options.len() {
        let option = &options[index];
        if is_word(option, "idx") {
            parsed.indexes = true;
        } else if is_word(option, "len") {
            parsed.length_only = true;
        } else if is_word(option, "withmatchlen") {
            parsed.with_match_length = true;
        } else if is_word(option, "minmatchlen") && index + 1 < options.len() {
            index += 1;
            let value =
                resplite_store::parse_i64(&options[index]).ok_or(CommandError::NotInteger)?;
            parsed.min_match_length = value.max(0);
        } else {
            return Err(CommandError::Syntax);
        }
        index += 1;
    }
    if parsed.indexes && parsed.length_only {
        return Err(CommandError::err(
            "If you want both the length and indexes, please just use IDX.",
        ));
    }
    Ok(parsed)
}

/// Builds the classic dynamic-programming table, then walks it back from the end, as Redis
/// does, collecting the subsequence and the contiguous matching ranges (latest first).
fn answer(first: &[u8], second: &[u8], options: &LcsOptions) -> Frame {
    let width = second.len() + 1;
    let mut table = vec![0u32; (first.len() + 1) * width];
    for i in 1..=first.len() {
        for j in 1..=second.len() {
            table[i * width + j] = if first[i - 1] == second[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let total = table[first.len() * width + second.len()];
    if options.length_only {
        return Frame::Integer(i64::from(total));
    }
    let mut sequence = vec![0u8; total as usize];
    let mut remaining = total as usize;
    let mut matches = Vec::new();
    // The current range as (first_start, first_end, second_start, second_end).
    let mut range: Option<(usize, usize, usize, usize)> = None;
    let (mut i, mut j) = (first.len(), second.len());
    while i > 0 && j > 0 {
        let mut emit = false;
        if first[i - 1] == second[j - 1] {
            sequence[remaining - 1] = first[i - 1];
            range = Some(match range {
                None => (i - 1, i - 1, j - 1, j - 1),
                Some((_, first_end, _, second_end)) => (i - 1, first_end, j - 1, second_end),
            });
            if i - 1 == 0 || j - 1 == 0 {
                emit = true;
            }
            remaining -= 1;
            i -= 1;
            j -= 1;
        } else {
            if table[(i - 1) * width + j] > table[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = range.is_some();
        }
        if emit && let Some((first_start, first_end, second_start, second_end)) = range.take() {
            let length = (first_end - first_start + 1) as i64;
            if options.min_match_length == 0 || length >= options.min_match_length {
                let pair = |start: usize, end: usize| {
                    Frame::Array(vec![Frame::Integer(start as i64), Frame::Integer(end as i64)])
                };
                let mut entry = vec![pair(first_start, first_end), pair(second_start, second_end)];
                if options.with_match_length {
                    entry.push(Frame::Integer(length));
                }
                matches.push(Frame::Array(entry));
            }
        }
    }
    if options.indexes {
        Frame::Map(vec![
            (Frame::bulk("matches"), Frame::Array(matches)),
            (Frame::bulk("len"), Frame::Integer(i64::from(total))),
        ])
    } else {
        Frame::bulk(sequence)
    }
}
