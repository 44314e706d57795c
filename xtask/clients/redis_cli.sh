#!/usr/bin/env bash
# The redis-cli scenario of `cargo xtask clients`.
#
# Usage: bash redis_cli.sh PORT
#
# Runs redis-cli (the one installed with redis-server) the ways people use it: commands as
# arguments, commands on standard input, -x, --raw, --csv, -3, -n, -r, --pipe mass
# insertion, --scan, --bigkeys; and a raw connection speaking inline commands the way
# telnet does. Each step prints its name and redis-cli's output (and exit code). xtask runs
# this against a real Redis and against resplite and compares the outputs line by line.

set -u
PORT=$1
cli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }

step() {
  local name=$1
  shift
  echo "--- $name"
  "$@" 2>&1
  echo "(exit $?)"
}

# Sends raw bytes on a fresh connection and prints everything until the server closes it
# (after a protocol error, or the QUIT the step ends with); CR shows as `~`.
raw() {
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
  printf '%b' "$1" >&3
  timeout 10 cat <&3 | tr '\r' '~'
  exec 3<&-
}

step "flushall" cli FLUSHALL
step "set get" bash -c "$(declare -f cli); PORT=$PORT; cli SET greeting 'hello world' && cli GET greeting"
step "binary with -x" bash -c "printf 'a\0b\nc' | redis-cli -h 127.0.0.1 -p $PORT -x SET blob && redis-cli -h 127.0.0.1 -p $PORT STRLEN blob && redis-cli -h 127.0.0.1 -p $PORT GET blob"
step "raw output" cli --raw GET blob
step "no-raw output" cli --no-raw GET greeting
step "integer and nil" bash -c "redis-cli -h 127.0.0.1 -p $PORT INCR counter; redis-cli -h 127.0.0.1 -p $PORT GET missing"
step "error reply" cli INCR greeting
step "error exit code with -e" cli -e INCR greeting
step "unknown command" cli NOSUCH arg
step "wrong arity" cli GET
step "arrays" bash -c "redis-cli -h 127.0.0.1 -p $PORT RPUSH list a b 'c d' && redis-cli -h 127.0.0.1 -p $PORT LRANGE list 0 -1"
step "empty array" cli LRANGE nolist 0 -1
step "csv" cli --csv LRANGE list 0 -1
step "hash resp2" cli HSET h f1 v1 f2 v2
# A hash's fields come in no defined order: the lines are sorted (pairs stay together in RESP3).
step "hgetall resp2" bash -c "redis-cli -h 127.0.0.1 -p $PORT HGETALL h | sort"
step "hgetall resp3" bash -c "redis-cli -h 127.0.0.1 -p $PORT -3 HGETALL h | sort"
step "zset resp3 scores" bash -c "redis-cli -h 127.0.0.1 -p $PORT ZADD z 1.5 a 2 b -inf c >/dev/null && redis-cli -h 127.0.0.1 -p $PORT -3 ZRANGE z 0 -1 WITHSCORES && redis-cli -h 127.0.0.1 -p $PORT -3 ZSCORE z a"
step "set resp3" bash -c "redis-cli -h 127.0.0.1 -p $PORT SADD s x >/dev/null && redis-cli -h 127.0.0.1 -p $PORT -3 SMEMBERS s"
step "nested reply" cli ZPOPMIN z 2
step "other database" bash -c "redis-cli -h 127.0.0.1 -p $PORT -n 7 SET only7 x && redis-cli -h 127.0.0.1 -p $PORT -n 7 DBSIZE && redis-cli -h 127.0.0.1 -p $PORT EXISTS only7"
step "repeat" cli -r 3 INCR repeated
step "commands on stdin" bash -c "printf 'SET a 1\nINCR a\nGET a\nSET \"quoted key\" \"x y\"\nGET \"quoted key\"\nLPUSH a x\n' | redis-cli -h 127.0.0.1 -p $PORT"
step "pipe mode" bash -c "for i in \$(seq 1 500); do printf '*3\r\n\$3\r\nSET\r\n\$%d\r\nmass:%d\r\n\$5\r\nvalue\r\n' \$((\${#i} + 5)) \$i; done | redis-cli -h 127.0.0.1 -p $PORT --pipe; redis-cli -h 127.0.0.1 -p $PORT GET mass:500"
step "scan" bash -c "redis-cli -h 127.0.0.1 -p $PORT --scan --pattern 'mass:4?' | sort"
step "dbsize and info keyspace" bash -c "redis-cli -h 127.0.0.1 -p $PORT DBSIZE; redis-cli -h 127.0.0.1 -p $PORT INFO keyspace | tr -d '\r' | sed 's/,avg_ttl=[0-9]*//'"
step "bigkeys" bash -c "redis-cli -h 127.0.0.1 -p $PORT FLUSHALL >/dev/null; redis-cli -h 127.0.0.1 -p $PORT RPUSH biglist 1 2 3 4 >/dev/null; redis-cli -h 127.0.0.1 -p $PORT SET bigstring 0123456789 >/dev/null; redis-cli -h 127.0.0.1 -p $PORT HSET bighash a 1 >/dev/null; redis-cli -h 127.0.0.1 -p $PORT --bigkeys | grep -E '^Biggest|^[0-9]+ (hash|list|set|zset|string)s|Sampled|Total key'"
step "inline commands" raw 'SET "a b" c\r\nGET "a b"\r\nECHO '"'"'x y'"'"'\r\nGET \\x41\r\nPING\r\nQUIT\r\n'
step "inline unbalanced quotes" raw 'GET "abc\r\nPING\r\n'
step "short bulk, then a bad bulk length" raw '*1\r\n$3\r\nPING\r\nx\r\n*2\r\n$-5\r\n'
step "pipelined replies in order" raw '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*2\r\n$3\r\nGET\r\n$4\r\nnone\r\nQUIT\r\n'
step "flushall at the end" cli FLUSHALL
