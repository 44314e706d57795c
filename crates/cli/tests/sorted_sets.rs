//! Sorted-set behaviour the oracle cannot check because Redis 7.0 lacks it: `ZRANK` and
//! `ZREVRANK` with `WITHSCORE` (Redis 7.2).

mod common;

use common::{ServerProcess, exchange};

#[test]
fn zrank_withscore_answers_the_rank_and_score_like_redis_7_2() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("zrank.db"), &[]);
    let replies = exchange(
        &server,
        &[
            "ZADD z 1.5 a 2 b 0.1 c",
            "ZRANK z a WITHSCORE",
            "ZREVRANK z a withscore",
            "ZRANK z c WITHSCORE",
            "ZRANK z nope WITHSCORE",
            "ZREVRANK missing a WITHSCORE",
            "ZRANK missing a",
            "ZRANK z a WITHSCORES",
            "ZRANK z a WITHSCORE extra",
            "SET s v",
            "ZRANK s a WITHSCORE",
        ],
    );
    let expected = [
        ":3",
        "*2\r\n:1\r\n$3\r\n1.5",
        "*2\r\n:1\r\n$3\r\n1.5",
        "*2\r\n:0\r\n$19\r\n0.10000000000000001",
        "*-1",
        "*-1",
        "$-1",
        "-ERR syntax error",
        "-ERR wrong number of arguments for 'zrank' command",
        "+OK",
        "-WRONGTYPE Operation against a key holding the wrong kind of value",
        "+OK",
    ]
    .map(|reply| format!("{reply}\r\n"))
    .concat();
    assert_eq!(replies, expected);
}
