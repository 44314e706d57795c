//! The keyspace-notification classes of `notify-keyspace-events`: Redis's flag letters,
//! parsed and printed exactly as Redis does.
//!
//! The bits are resplite's own; only the letters are Redis's. Emitting code tests a
//! command's class against the configured bits (and needs `KEYSPACE` or `KEYEVENT` set to
//! publish anything at all).

/// `K`: publish on `__keyspace@<db>__:<key>` channels.
pub(crate) const KEYSPACE: u32 = 1 << 0;
/// `E`: publish on `__keyevent@<db>__:<event>` channels.
pub(crate) const KEYEVENT: u32 = 1 << 1;
/// `g`: generic commands (`DEL`, `EXPIRE`, `RENAME`, …).
pub(crate) const GENERIC: u32 = 1 << 2;
/// `$`: string commands.
pub(crate) const STRING: u32 = 1 << 3;
/// `l`: list commands.
pub(crate) const LIST: u32 = 1 << 4;
/// `s`: set commands.
pub(crate) const SET: u32 = 1 << 5;
/// `h`: hash commands.
pub(crate) const HASH: u32 = 1 << 6;
/// `z`: sorted-set commands.
pub(crate) const ZSET: u32 = 1 << 7;
/// `x`: keys deleted because their deadline passed.
pub(crate) const EXPIRED: u32 = 1 << 8;
/// `e`: keys evicted for memory (resplite never evicts).
pub(crate) const EVICTED: u32 = 1 << 9;
/// `t`: stream commands.
pub(crate) const STREAM: u32 = 1 << 10;
/// `m`: key misses (not part of `A`).
pub(crate) const KEY_MISS: u32 = 1 << 11;
/// `d`: module key types.
pub(crate) const MODULE: u32 = 1 << 12;
/// `n`: new keys (not part of `A`).
pub(crate) const NEW: u32 = 1 << 13;
/// `A`: the classes `g$lshzxetd`, as Redis defines the alias.
pub(crate) const ALL: u32 =
    GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

/// Each class letter and its bit.
const LETTERS: &[(u8, u32)] = &[
    (b'A', ALL),
    (b'g', GENERIC),
    (b'$', STRING),
    (b'l', LIST),
    (b's', SET),
    (b'h', HASH),
    (b'z', ZSET),
    (b'x', EXPIRED),
    (b'e', EVICTED),
    (b'K', KEYSPACE),
    (b'E', KEYEVENT),
    (b't', STREAM),
    (b'm', KEY_MISS),
    (b'd', MODULE),
    (b'n', NEW),
];

/// Redis's error for a letter that names no class.
pub(crate) const INVALID_CLASS: &str = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/// The bits of a flag string such as `KEA` or `Ex`, or `None` for an unknown letter.
pub(crate) fn parse(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0, |flags, letter| {
        LETTERS.iter().find(|(known, _)| known == letter).map(|(_, bit)| flags | bit)
    })
}

/// The string `CONFIG GET` shows for `flags`: `A` when every class of the alias is on,
/// otherwise each class letter, then `K`, `E` and `m`. As in Redis, `n` is printed only
/// without `A`.
pub(crate) fn format(flags: u32) -> String {
    let mut text = String::new();
    if flags & ALL == ALL {
        text.push('A');
    } else {
        let classes = [
            ('g', GENERIC),
            ('$', STRING),
            ('l', LIST),
            ('s', SET),
            ('h', HASH),
            ('z', ZSET),
            ('x', EXPIRED),
            ('e', EVICTED),
            ('t', STREAM),
            ('d', MODULE),
            ('n', NEW),
        ];
        text.extend(classes.iter().filter(|(_, bit)| flags & bit != 0).map(|(letter, _)| letter));
    }
    for (letter, bit) in [('K', KEYSPACE), ('E', KEYEVENT), ('m', KEY_MISS)] {
        if flags & bit != 0 {
            text.push(letter);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(text: &str) -> Option<String> {
        parse(text.as_bytes()).map(format)
    }

    #[test]
    fn flag_strings_print_as_redis_prints_them() {
        assert_eq!(normalised("KEA").as_deref(), Some("AKE"));
        assert_eq!(normalised("Kx").as_deref(), Some("xK"));
        assert_eq!(normalised("Ex").as_deref(), Some("xE"));
        assert_eq!(normalised("gK$lshzxetmdn").as_deref(), Some("AKm"));
        assert_eq!(normalised("A").as_deref(), Some("A"));
        assert_eq!(normalised("KAm").as_deref(), Some("AKm"));
        assert_eq!(normalised("nK").as_deref(), Some("nK"));
        assert_eq!(normalised("").as_deref(), Some(""));
    }

    #[test]
    fn unknown_letters_are_refused() {
        assert_eq!(parse(b"Kq"), None);
        assert_eq!(parse(b"k"), None);
        assert_eq!(parse(b"K E"), None);
    }

    #[test]
    fn the_alias_leaves_out_misses_and_new_keys() {
        let flags = parse(b"A").unwrap();
        assert_eq!(flags & (KEY_MISS | NEW | KEYSPACE | KEYEVENT), 0);
        assert_ne!(flags & EXPIRED, 0);
    }
}
