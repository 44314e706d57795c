//! Size limits that keep a hostile or broken peer from exhausting memory.

/// Upper bounds the decoders enforce before they buffer anything.
///
/// The defaults are Redis 7's: `proto-max-bulk-len` (512 MiB), the `INT_MAX` cap on a
/// multibulk count, and `PROTO_INLINE_MAX_SIZE` (64 KiB), which Redis applies to every line
/// it is still waiting to see the end of (an inline command, a `*N` or a `$N` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted bulk string payload, in bytes.
    pub max_bulk_len: u64,
    /// Largest accepted element count of a multibulk request or array reply.
    pub max_multibulk_len: u64,
    /// Largest number of unconsumed bytes allowed while the end of a line is not yet in sight.
    pub max_inline_len: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            max_multibulk_len: i32::MAX as u64,
            max_inline_len: 64 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn defaults_match_redis() {
        let limits = Limits::default();
        assert_eq!(limits.max_bulk_len, 536_870_912);
        assert_eq!(limits.max_multibulk_len, 2_147_483_647);
        assert_eq!(limits.max_inline_len, 65_536);
    }
}
