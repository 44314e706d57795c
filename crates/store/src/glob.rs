//! Redis's glob-style pattern matching (`KEYS`, `SCAN MATCH`, and later `PSUBSCRIBE`).
//!
//! Supports `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed) and `\` escapes,
//! with Redis's treatment of odd patterns: an unterminated `[` class runs to the end of the
//! pattern, a trailing lone `\` matches itself. Matching backtracks only to the last `*`, so
//! it takes at most `pattern × text` steps, never exponential time.

/// Whether `text` matches the glob `pattern`, optionally ignoring ASCII case.
pub fn glob_match(pattern: &[u8], text: &[u8], ignore_case: bool) -> bool {
    if pattern == b"*" {
        return true;
    }
    if text.is_empty() {
        // Redis's matcher stops as soon as the text is exhausted, so only an empty pattern
        // (or the lone `*` its callers special-case) matches an empty text.
        return pattern.is_empty();
    }
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `*`: the pattern position after it, and the text
    // position it has consumed up to.
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            if pattern[p] == b'*' {
                while p < pattern.len() && pattern[p] == b'*' {
                    p += 1;
                }
                if p == pattern.len() {
                    return true;
                }
                resume = Some((p, t));
                continue;
            }
            if t < text.len()
                && let Some(next) = match_one(pattern, p, text[t], ignore_case)
            {
                p = next;
                t += 1;
                continue;
            }
        } else if t == text.len() {
            return true;
        }
        match resume {
            Some((star_p, star_t)) if star_t < text.len() => {
                resume = Some((star_p, star_t + 1));
                p = star_p;
                t = star_t + 1;
            }
            _ => return false,
        }
    }
}

/// Whether the single pattern element at `p` matches `byte`; on a match, the position of
/// the next element.
fn match_one(pattern: &[u8], p: usize, byte: u8, ignore_case: bool) -> Option<usize> {
    let same = |a: u8, b: u8| if ignore_case { a.eq_ignore_ascii_case(&b) } else { a == b };
    match pattern[p] {
        b'?' => Some(p + 1),
        b'\\' if p + 1 < pattern.len() => same(pattern[p + 1], byte).then_some(p + 2),
        b'[' => {
            let (matched, next) = match_class(pattern, p + 1, byte, ignore_case);
            matched.then_some(next)
        }
        literal => same(literal, byte).then_some(p + 1),
    }
}

/// Matches a `[...]` class whose body starts at `start`; returns whether `byte` is in it and
/// the position after the class.
fn match_class(pattern: &[u8], start: usize, byte: u8, ignore_case: bool) -> (bool, usize) {
    let fold = |b: u8| if ignore_case { b.to_ascii_lowercase() } else { b };
    let mut i = start;
    let negated = pattern.get(i) == Some(&b'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    loop {
        match pattern.get(i) {
            None => break,
            Some(b']') => {
                i += 1;
                break;
            }
            Some(b'\\') if i + 1 < pattern.len() => {
                matched |= pattern[i + 1] == byte;
                i += 2;
            }
            Some(&low) if i + 2 < pattern.len() && pattern[i + 1] == b'-' => {
                // Redis compares a range as C `char`s, which are signed in its x86-64 builds
                // (the reference here): bytes from 0x80 order below 0. It orders the ends
                // before it folds case, so `[Z-a]` ignoring case matches nothing.
                let signed = |b: u8| i8::from_ne_bytes([b]);
                let (low, high) = (signed(low), signed(pattern[i + 2]));
                let (low, high) = if low <= high { (low, high) } else { (high, low) };
                let folded = |c: i8| signed(fold(c.to_ne_bytes()[0]));
                matched |= (folded(low)..=folded(high)).contains(&folded(signed(byte)));
                i += 3;
            }
            Some(&literal) => {
                matched |= fold(literal) == fold(byte);
                i += 1;
            }
        }
    }
    (matched != negated, i)
}

/// The literal prefix every match of `pattern` must start with (used to narrow `KEYS`).
pub(crate) fn literal_prefix(pattern: &[u8]) -> Vec<u8> {
    let mut prefix = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'*' | b'?' | b'[' => break,
            b'\\' if i + 1 < pattern.len() => {
                prefix.push(pattern[i + 1]);
                i += 2;
            }
            literal => {
                prefix.push(literal);
                i += 1;
            }
        }
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::{glob_match, literal_prefix};

    #[test]
    fn matches_like_redis() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "", true),
            ("*", "anything", true),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h*llo", "hllo", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hbllo", true),
            ("h[a-b]llo", "hcllo", false),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("*a", "bbba", true),
            ("a*", "a", true),
            ("[abc", "b", true),
            ("ab\\", "ab\\", true),
            ("a**", "", false),
            ("", "", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                glob_match(pattern.as_bytes(), text.as_bytes(), false),
                *expected,
                "{pattern:?} ~ {text:?}"
            );
        }
        assert!(glob_match(b"HELLO*", b"hello world", true));
    }

    #[test]
    fn ranges_compare_bytes_as_signed_chars_like_redis() {
        // `[a-\xff]` is the range -1..=97: digits and `a` but not `b` or 0x80.
        for (byte, expected) in
            [(b'0', true), (b'a', true), (0xff, true), (b'b', false), (0x80, false)]
        {
            assert_eq!(glob_match(b"[a-\xff]", &[byte], false), expected, "{byte:#x}");
        }
        assert!(glob_match(b"[\x7f-\x80]", b"a", false));
        assert!(!glob_match(b"[^\x00-\xff]", b"\xff", false));
        assert!(glob_match(b"[^\x00-\xff]", b"a", false));
        assert!(!glob_match(b"[Z-a]", b"b", true));
        assert!(glob_match(b"[Z-a]", b"_", false));
    }

    #[test]
    fn pathological_patterns_finish_quickly() {
        let text = vec![b'a'; 2000];
        let pattern = "a*".repeat(40) + "b";
        assert!(!glob_match(pattern.as_bytes(), &text, false));
    }

    #[test]
    fn literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(literal_prefix(b"user:*"), b"user:");
        assert_eq!(literal_prefix(b"a\\*b?c"), b"a*b");
        assert_eq!(literal_prefix(b"*"), b"");
    }
}
