"""The interactive redis-cli scenario of `cargo xtask clients`.

Usage: python3 redis_cli_interactive.py PORT

Starts redis-cli on a pseudo-terminal, so it behaves as it does for a person at a terminal
(prompts that show the database and an open MULTI, replies formatted for people), types a
session into it line by line, and prints what redis-cli showed after each line, up to its
next prompt, once over RESP2 and once with `-3`. TERM=dumb keeps redis-cli's line editor
from drawing (no escape sequences to compare). xtask runs this against a real Redis and
against resplite and compares the outputs line by line.

`help <command>` shows the arguments redis-cli read from COMMAND DOCS; the summary line
under them is left out of the comparison, because resplite's summaries are in its own
words.
"""

import os
import pty
import re
import select
import sys
import time

PORT = sys.argv[1]
PROMPT = re.compile(rb"127\.0\.0\.1:\d+(\[\d+\])?(\(TX\))?> $")
STEP_TIMEOUT = 10.0

SESSION = [
    "PING",
    'ECHO "hello world"',
    "SET greeting 'single quoted'",
    "GET greeting",
    r'SET bytes "\x41\xff\n"',
    "GET bytes",
    "GET missing",
    "STRLEN greeting",
    "INCRBYFLOAT counter 1.5",
    "HSET h field value other 2",
    "HGETALL h",
    "LPUSH l a b c",
    "LRANGE l 0 -1",
    "LRANGE nothing 0 -1",
    "ZADD z 1.5 one 2 two",
    "ZRANGE z 0 -1 WITHSCORES",
    "ZSCORE z one",
    "SADD s only",
    "SMEMBERS s",
    "SCAN 0 MATCH gr* COUNT 100",
    "TYPE h",
    "NOSUCH command here",
    "GET",
    "LPUSH greeting x",
    "CONFIG GET maxclients",
    "CLIENT SETNAME interactive",
    "CLIENT GETNAME",
    "SELECT 3",
    "DBSIZE",
    "MULTI",
    "SET in-tx 1",
    "INCR in-tx",
    "EXEC",
    "MULTI",
    "GET in-tx",
    "DISCARD",
    "SELECT 0",
    "DEL greeting bytes counter h l z s",
    "FLUSHALL",
    "help SET",
    "help GETEX",
    "help HSET",
    "help ZADD",
    "help ZRANGE",
    "help BLMPOP",
    "help CLIENT KILL",
    "help CONFIG SET",
]


def read_until_prompt(fd):
    """Everything redis-cli writes until it shows its prompt again."""
    output = b""
    deadline = time.monotonic() + STEP_TIMEOUT
    while not PROMPT.search(output):
        left = deadline - time.monotonic()
        if left <= 0:
            return output + b"\n[no prompt within the step timeout]"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    return output


def show(text, step=""):
    text = text.decode(errors="replace").replace("\r", "").replace(PORT, "PORT")
    for line in text.split("\n"):
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if step.startswith("help ") and plain.startswith("summary:"):
            continue
        print("  " + line)


def session(flags):
    print(f"=== redis-cli {' '.join(flags)}".rstrip())
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execvp("redis-cli", ["redis-cli", "-h", "127.0.0.1", "-p", PORT, *flags])
    show(read_until_prompt(fd))
    for line in SESSION:
        print(f"--- {line}")
        os.write(fd, line.encode() + b"\r")
        show(read_until_prompt(fd), line)
    os.write(fd, b"quit\r")
    os.waitpid(pid, 0)
    os.close(fd)


session([])
session(["-3"])
