"""The redis-py scenario of `cargo xtask clients`.

Usage: python3 redis_py.py PORT [hiredis]

With `hiredis` the replies go through the hiredis C parser (which redis-py uses whenever it
is installed, as `redis[hiredis]` installs it); without, through redis-py's own parsers.

Drives the server on 127.0.0.1:PORT through redis-py's own API (its reply parsing,
pipelines, transactions, pub/sub, scan iterators, RESP2 and RESP3) and prints one line per
step: the step's name and what redis-py returned, or the exception it raised. xtask runs it
against a real Redis and against resplite and compares the two outputs line by line, so
nothing here states an expected value: whatever Redis answers is the expectation.

Everything printed must be the same on any correct server: unordered replies are sorted,
random picks and clocks are reduced to properties that always hold.
"""

import socket
import sys
import threading
import time

PARSER = sys.argv[2] if len(sys.argv) > 2 else "python"
if PARSER != "hiredis":
    sys.modules["hiredis"] = None  # makes redis-py fall back to its own parsers

import redis  # noqa: E402 - after choosing the parser

PORT = int(sys.argv[1])
# The protocol every connection of the current pass asks for (redis-py 8 asks for RESP3
# unless told otherwise; the scenario runs once in each).
PROTOCOL = 3


def connect(**options):
    options.setdefault("protocol", PROTOCOL)
    return redis.Redis(host="127.0.0.1", port=PORT, socket_timeout=10, **options)


def show(value):
    """A canonical text for a reply: bytes as bytes, floats by repr, dicts sorted."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show(k)}: {show(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (set, frozenset)):
        return "set(" + ", ".join(show(v) for v in sorted(value)) + ")"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return repr(value)


def step(name, action):
    try:
        result = show(action())
    except Exception as error:  # noqa: BLE001 - any failure is part of the output
        result = f"!! {type(error).__name__}: {error}"
    print(f"{name}: {result}", flush=True)


def sorted_list(values):
    return sorted(values)


def strings(r):
    step("set", lambda: r.set("s:a", "hello"))
    step("set nx on existing", lambda: r.set("s:a", "x", nx=True))
    step("set xx get", lambda: r.set("s:a", "world", xx=True, get=True))
    step("set ex", lambda: r.set("s:ttl", "v", ex=100))
    step("ttl after set ex", lambda: r.ttl("s:ttl") in (99, 100))
    step("set keepttl", lambda: r.set("s:ttl", "w", keepttl=True))
    step("ttl kept", lambda: r.ttl("s:ttl") in (99, 100))
    step("set exat", lambda: r.set("s:exat", "v", exat=4102444800))
    step("expiretime", lambda: r.expiretime("s:exat"))
    step("set pxat", lambda: r.set("s:pxat", "v", pxat=4102444800123))
    step("pexpiretime", lambda: r.pexpiretime("s:pxat"))
    step("set ex and px", lambda: r.execute_command("SET", "s:bad", "v", "EX", 1, "PX", 1))
    step("set ex 0", lambda: r.set("s:bad", "v", ex=0))
    step("get", lambda: r.get("s:a"))
    step("get missing", lambda: r.get("s:missing"))
    step("getset", lambda: r.getset("s:a", "again"))
    step("getdel", lambda: r.getdel("s:a"))
    step("getdel gone", lambda: r.get("s:a"))
    step("getex persist", lambda: (r.getex("s:ttl", persist=True), r.ttl("s:ttl")))
    step("getex px", lambda: (r.getex("s:ttl", px=50000), r.pttl("s:ttl") > 49000))
    step("mset", lambda: r.mset({"m:1": "one", "m:2": "two", "m:3": b"\x00\xff binary"}))
    step("mget", lambda: r.mget("m:1", "m:missing", "m:2", "m:3"))
    step("msetnx", lambda: r.msetnx({"m:1": "x", "m:4": "y"}))
    step("setnx", lambda: (r.setnx("m:5", "a"), r.setnx("m:5", "b")))
    step("setex psetex", lambda: (r.setex("m:6", 100, "a"), r.psetex("m:7", 100000, "b")))
    step("incr", lambda: [r.incr("n:i"), r.incr("n:i", 10), r.decr("n:i"), r.decr("n:i", 5)])
    step("incrbyfloat", lambda: [r.incrbyfloat("n:f", 10.5), r.incrbyfloat("n:f", 0.1)])
    step("incrbyfloat exp", lambda: r.incrbyfloat("n:f", "3.0e3"))
    step("incr not integer", lambda: r.incr("m:1"))
    step("incr overflow", lambda: (r.set("n:big", 2**63 - 1), r.incr("n:big")))
    step("append strlen", lambda: [r.append("s:app", "abc"), r.append("s:app", "def"),
                                   r.strlen("s:app")])
    step("getrange", lambda: [r.getrange("s:app", 1, 3), r.getrange("s:app", -2, -1),
                              r.getrange("s:app", 10, 20)])
    step("substr", lambda: r.substr("s:app", 0, 1))
    step("setrange", lambda: [r.setrange("s:app", 8, "zz"), r.get("s:app")])
    step("lcs", lambda: (r.mset({"l:1": "ohmytext", "l:2": "mynewtext"}),
                         r.lcs("l:1", "l:2"), r.lcs("l:1", "l:2", len=True)))
    step("lcs idx", lambda: r.lcs("l:1", "l:2", idx=True, minmatchlen=2, withmatchlen=True))


def bitmaps(r):
    step("setbit", lambda: [r.setbit("b:1", 7, 1), r.setbit("b:1", 7, 0), r.setbit("b:1", 100, 1)])
    step("getbit", lambda: [r.getbit("b:1", 100), r.getbit("b:1", 5), r.getbit("b:1", 10**6)])
    step("bitcount", lambda: (r.set("b:2", "foobar"), r.bitcount("b:2"), r.bitcount("b:2", 1, 1),
                              r.bitcount("b:2", 5, 30, "BIT")))
    step("bitpos", lambda: [r.bitpos("b:2", 1), r.bitpos("b:2", 0, 2),
                            r.bitpos("b:2", 1, 2, -1, "BYTE")])
    step("bitop", lambda: (r.set("b:3", "abc"), r.bitop("AND", "b:dest", "b:2", "b:3"),
                           r.get("b:dest"), r.bitop("NOT", "b:not", "b:3"), r.get("b:not")))
    step("setbit bad offset", lambda: r.setbit("b:1", -1, 1))


def keys_and_expiry(r):
    r.mset({"k:a": "1", "k:b": "2", "k:c": "3", "other": "4"})
    step("exists repeats", lambda: r.exists("k:a", "k:a", "k:missing"))
    step("type", lambda: [r.type("k:a"), r.type("k:missing")])
    step("keys glob", lambda: sorted_list(r.keys("k:[ab]")))
    step("keys escape", lambda: (r.set("k:*", "star"), sorted_list(r.keys("k:\\*"))))
    step("scan_iter match", lambda: sorted_list(r.scan_iter(match="k:*", count=2)))
    step("scan_iter type", lambda: (r.rpush("k:list", "x"),
                                    sorted_list(r.scan_iter(_type="list"))))
    step("randomkey is a key", lambda: r.randomkey() in set(r.keys("*")))
    step("rename", lambda: [r.rename("k:a", "k:renamed"), r.exists("k:a"), r.get("k:renamed")])
    step("rename missing", lambda: r.rename("k:nothing", "k:x"))
    step("renamenx", lambda: r.renamenx("k:b", "k:c"))
    step("copy", lambda: [r.copy("k:c", "k:copy"), r.copy("k:c", "k:copy"),
                          r.copy("k:c", "k:copy", replace=True)])
    step("copy db", lambda: [r.copy("k:c", "k:c", destination_db=5),
                             connect(db=5).get("k:c")])
    step("touch", lambda: r.touch("k:c", "k:copy", "k:none"))
    step("delete unlink", lambda: [r.delete("k:c", "k:none"), r.unlink("k:copy", "k:copy")])
    step("expire", lambda: [r.expire("k:b", 100), r.expire("k:b", 50, gt=True),
                            r.expire("k:b", 50, lt=True), r.expire("k:b", 10, nx=True),
                            r.expire("k:b", 10, xx=True)])
    step("ttl pttl", lambda: [r.ttl("k:b") in (9, 10), 9000 < r.pttl("k:b") <= 10000,
                              r.ttl("k:missing"), r.ttl("other")])
    step("expireat", lambda: [r.expireat("k:b", 4102444800), r.expiretime("k:b"),
                              r.pexpireat("k:b", 4102444800555), r.pexpiretime("k:b")])
    step("persist", lambda: [r.persist("k:b"), r.persist("k:b"), r.ttl("k:b")])
    step("expire in the past", lambda: [r.expire("k:b", -1), r.exists("k:b")])
    step("pexpire", lambda: [r.set("k:p", "v"), r.pexpire("k:p", 20), time.sleep(0.1),
                             r.get("k:p")])
    step("expire bad flags", lambda: r.execute_command("EXPIRE", "other", 10, "NX", "XX"))


def connection(r):
    step("ping", lambda: [r.ping(), r.execute_command("PING", "hi")])
    step("echo", lambda: r.echo(b"\x00bin"))
    step("client setname getname", lambda: [r.client_setname("scenario"), r.client_getname()])
    step("client id is a number", lambda: isinstance(r.client_id(), int))
    step("client info", lambda: {k: v for k, v in r.client_info().items()
                                 if k in ("name", "db", "flags", "cmd", "resp")})
    step("client list has us", lambda: any(c["name"] == "scenario" for c in r.client_list()))
    step("select via db", lambda: [connect(db=3).set("in3", "x"), r.exists("in3"),
                                   connect(db=3).dbsize()])
    step("swapdb", lambda: [r.swapdb(0, 3), r.exists("in3"), r.swapdb(0, 3), r.exists("in3")])
    step("dbsize", lambda: r.dbsize())
    step("time", lambda: [type(part).__name__ for part in r.time()])
    step("info keyspace", lambda: {db: (v["keys"], v["expires"])
                                   for db, v in r.info("keyspace").items()})
    step("info server fields", lambda: sorted(
        k for k in r.info("server") if k in ("redis_version", "tcp_port", "uptime_in_seconds",
                                             "process_id", "run_id", "redis_mode")))
    step("info clients", lambda: "connected_clients" in r.info("clients"))
    step("command info", lambda: {
        name: (info["arity"], info["first_key_pos"], info["last_key_pos"], info["step_count"])
        for name, info in r.command().items() if name in ("get", "set", "mset", "zadd", "del")})
    step("config get databases", lambda: r.config_get("databases"))
    step("unknown command", lambda: r.execute_command("NOSUCHCOMMAND", "a", "b"))
    step("wrong arity", lambda: r.execute_command("GET"))
    step("wrongtype", lambda: (r.rpush("c:list", "x"), r.get("c:list")))
    step("select out of range", lambda: r.execute_command("SELECT", 16))


def hashes(r):
    step("hset", lambda: [r.hset("h", "f1", "v1"), r.hset("h", mapping={"f1": "x", "f2": "2"})])
    step("hsetnx", lambda: [r.hsetnx("h", "f1", "y"), r.hsetnx("h", "f3", "3.5")])
    step("hmset", lambda: r.hmset("h", {"f4": "four"}))
    step("hget hmget", lambda: [r.hget("h", "f1"), r.hmget("h", ["f1", "nope", "f2"])])
    step("hgetall", lambda: r.hgetall("h"))
    step("hkeys hvals", lambda: [sorted_list(r.hkeys("h")), sorted_list(r.hvals("h"))])
    step("hexists hlen", lambda: [r.hexists("h", "f1"), r.hexists("h", "zz"), r.hlen("h")])
    step("hincrby", lambda: [r.hincrby("h", "f2", 5), r.hincrby("h", "new", -3)])
    step("hincrby not an integer", lambda: r.hincrby("h", "f1", 1))
    step("hincrbyfloat", lambda: [r.hincrbyfloat("h", "f3", 0.1), r.hincrbyfloat("h", "n", 2)])
    step("hstrlen", lambda: [r.hstrlen("h", "f4"), r.hstrlen("h", "none")])
    step("hrandfield", lambda: [r.hrandfield("h") in r.hkeys("h"),
                                len(r.hrandfield("h", 3)), len(r.hrandfield("h", -10)),
                                len(r.hrandfield("h", 2, withvalues=True))])
    step("hscan_iter", lambda: sorted(r.hscan_iter("h", match="f*")))
    step("hdel", lambda: [r.hdel("h", "f1", "f2", "nope"), r.hlen("h")])
    step("hdel all removes key", lambda: [r.hdel("h", *r.hkeys("h")), r.exists("h")])


def lists(r):
    step("push", lambda: [r.rpush("l", "a", "b", "c"), r.lpush("l", "z", "y"),
                          r.lpushx("l:none", "x"), r.rpushx("l", "d")])
    step("lrange", lambda: [r.lrange("l", 0, -1), r.lrange("l", -100, 1), r.lrange("l", 5, 2)])
    step("lindex llen", lambda: [r.lindex("l", 0), r.lindex("l", -1), r.lindex("l", 99),
                                 r.llen("l")])
    step("lset", lambda: [r.lset("l", 1, "Z"), r.lset("l", -1, "D"), r.lrange("l", 0, -1)])
    step("lset out of range", lambda: r.lset("l", 99, "x"))
    step("lset no key", lambda: r.lset("l:none", 0, "x"))
    step("linsert", lambda: [r.linsert("l", "BEFORE", "b", "before-b"),
                             r.linsert("l", "AFTER", "missing", "x")])
    step("lrem", lambda: (r.rpush("l2", "a", "b", "a", "c", "a"), r.lrem("l2", -2, "a"),
                          r.lrange("l2", 0, -1)))
    step("ltrim", lambda: [r.ltrim("l2", 0, 1), r.lrange("l2", 0, -1)])
    step("lpos", lambda: (r.rpush("l3", "a", "b", "c", "b", "b"), r.lpos("l3", "b"),
                          r.lpos("l3", "b", rank=-1), r.lpos("l3", "b", count=0),
                          r.lpos("l3", "b", count=2, maxlen=4)))
    step("pop", lambda: [r.lpop("l"), r.rpop("l", 2), r.lpop("l", 0), r.lpop("l:none", 2)])
    step("lmove rpoplpush", lambda: [r.lmove("l3", "l4", "LEFT", "RIGHT"),
                                     r.rpoplpush("l3", "l4"), r.lrange("l4", 0, -1)])
    step("lmpop", lambda: r.lmpop(2, "l:none", "l3", direction="RIGHT", count=2))
    step("blpop ready", lambda: r.blpop(["l:none", "l4"], timeout=1))
    step("brpop times out", lambda: r.brpop(["l:none"], timeout=0.1))
    step("blmove", lambda: r.blmove("l4", "l5", 1, "LEFT", "LEFT"))
    step("empty list disappears", lambda: [r.ltrim("l5", 1, 0), r.exists("l5")])


def sets(r):
    step("sadd srem", lambda: [r.sadd("s1", "a", "b", "c", "d"), r.sadd("s1", "a"),
                               r.srem("s1", "d", "zz")])
    step("smembers", lambda: r.smembers("s1"))
    step("sismember smismember", lambda: [r.sismember("s1", "a"),
                                          r.smismember("s1", ["a", "x", "c"])])
    step("scard", lambda: r.scard("s1"))
    step("sets algebra", lambda: (r.sadd("s2", "b", "c", "e"),
                                  r.sinter("s1", "s2"), r.sunion("s1", "s2"),
                                  r.sdiff("s1", "s2"), r.sintercard(2, ["s1", "s2"], limit=1)))
    step("store forms", lambda: [r.sinterstore("s3", ["s1", "s2"]),
                                 r.sunionstore("s4", ["s1", "s2"]),
                                 r.sdiffstore("s5", ["s1", "s2"]),
                                 r.sdiffstore("s6", ["s1", "s1"]), r.exists("s6")])
    step("smove", lambda: [r.smove("s1", "s2", "a"), r.smove("s1", "s2", "zz"),
                           r.smembers("s2")])
    step("srandmember", lambda: [r.srandmember("s4") in r.smembers("s4"),
                                 len(r.srandmember("s4", 10)), len(r.srandmember("s4", -7))])
    step("spop", lambda: [r.spop("s4") is not None, len(r.spop("s4", 10)), r.exists("s4")])
    step("sscan_iter", lambda: sorted(r.sscan_iter("s2", match="*")))


def sorted_sets(r):
    step("zadd", lambda: [r.zadd("z", {"a": 1, "b": 2, "c": 3}), r.zadd("z", {"a": 5}, nx=True),
                          r.zadd("z", {"a": 0.5, "d": 4}, ch=True),
                          r.zadd("z", {"b": 1}, gt=True), r.zadd("z", {"b": 1}, lt=True, ch=True)])
    step("zadd incr", lambda: [r.zadd("z", {"c": 2.5}, incr=True),
                               r.zadd("z", {"c": 1}, incr=True, nx=True)])
    step("zadd bad combination", lambda: r.zadd("z", {"a": 1}, nx=True, gt=True))
    step("zadd not a float", lambda: r.execute_command("ZADD", "z", "abc", "m"))
    step("zscore zmscore", lambda: [r.zscore("z", "c"), r.zscore("z", "zz"),
                                    r.zmscore("z", ["a", "zz", "d"])])
    step("zincrby", lambda: [r.zincrby("z", 1.25, "a"), r.zincrby("z", float("inf"), "e")])
    step("zincrby nan", lambda: r.zincrby("z", float("-inf"), "e"))
    step("zcard zcount", lambda: [r.zcard("z"), r.zcount("z", "(1", "+inf"),
                                  r.zcount("z", "-inf", 2)])
    step("zrange", lambda: [r.zrange("z", 0, -1, withscores=True),
                            r.zrange("z", 0, 1, desc=True),
                            r.zrange("z", "(1", 4, byscore=True, offset=1, num=2, withscores=True)])
    step("zrangestore", lambda: [r.zrangestore("zdst", "z", 0, 1), r.zrange("zdst", 0, -1)])
    step("zrevrange", lambda: r.zrevrange("z", 0, 2, withscores=True))
    step("zrangebyscore", lambda: [r.zrangebyscore("z", 1, "+inf", start=0, num=2),
                                   r.zrevrangebyscore("z", "+inf", "(2", withscores=True)])
    step("lex", lambda: (r.zadd("zl", {"a": 0, "b": 0, "c": 0, "d": 0}),
                         r.zrangebylex("zl", "[b", "+"), r.zrevrangebylex("zl", "(c", "-"),
                         r.zlexcount("zl", "[a", "(c")))
    step("zrank", lambda: [r.zrank("z", "a"), r.zrevrank("z", "a"), r.zrank("z", "zz")])
    step("zremrange", lambda: [r.zremrangebyrank("zl", 0, 0), r.zremrangebylex("zl", "[d", "+"),
                               r.zremrangebyscore("z", "-inf", "(1"), r.zrange("zl", 0, -1)])
    step("zpop", lambda: [r.zpopmin("z"), r.zpopmax("z", 2), r.bzpopmin(["zz", "z"], 1)])
    step("zmpop", lambda: (r.zadd("zm", {"x": 1, "y": 2, "z": 3}),
                           r.zmpop(2, ["nothing", "zm"], max=True, count=2)))
    step("zrandmember", lambda: [r.zrandmember("zm") == b"x", len(r.zrandmember("zm", -3)),
                                 r.zrandmember("zm", 1, withscores=True)])
    step("algebra", lambda: (r.zadd("za", {"a": 1, "b": 2, "c": 3}),
                             r.zadd("zb", {"b": 10, "c": 20, "d": 30}),
                             r.zunion(["za", "zb"], withscores=True),
                             r.zinter({"za": 2, "zb": 0.5}, aggregate="MAX", withscores=True),
                             r.zdiff(["za", "zb"], withscores=True),
                             r.zintercard(2, ["za", "zb"])))
    step("algebra store", lambda: [r.zunionstore("zu", ["za", "zb"], aggregate="MIN"),
                                   r.zinterstore("zi", {"za": 1, "zb": 1}),
                                   r.zdiffstore("zd", ["za", "za"]), r.exists("zd"),
                                   r.zrange("zu", 0, -1, withscores=True)])
    step("scores formatting", lambda: (r.zadd("zf", {"big": 1e20, "neg": -0.0, "tiny": 1.5e-7}),
                                       r.execute_command("ZRANGE", "zf", 0, -1, "WITHSCORES")))
    step("zscan_iter", lambda: sorted(r.zscan_iter("za")))


def hyperloglog(r):
    step("pfadd", lambda: [r.pfadd("hll", *[f"e{i}" for i in range(1000)]), r.pfadd("hll", "e1")])
    step("pfcount", lambda: r.pfcount("hll"))
    step("pfmerge", lambda: (r.pfadd("hll2", *[f"e{i}" for i in range(500, 1500)]),
                             r.pfmerge("hllm", "hll", "hll2"), r.pfcount("hllm"),
                             r.pfcount("hll", "hll2")))
    step("pfadd wrongtype", lambda: (r.set("notahll", "x"), r.pfcount("notahll")))


def pipelines_and_transactions(r):
    def plain():
        pipe = r.pipeline(transaction=False)
        for i in range(50):
            pipe.set(f"p:{i}", i)
        pipe.get("p:7").incr("p:8").lpush("p:1", "x").get("p:49")
        return pipe.execute(raise_on_error=False)

    step("pipeline", lambda: [show(x) if not isinstance(x, Exception) else str(x) for x in plain()])

    def multi():
        pipe = r.pipeline(transaction=True)
        pipe.set("t:a", 1).incr("t:a").lpush("t:a", "x").get("t:a")
        return [str(x) if isinstance(x, Exception) else x
                for x in pipe.execute(raise_on_error=False)]

    step("multi exec with a failing command", multi)

    def aborted():
        pipe = r.pipeline(transaction=True)
        pipe.set("t:b", 1)
        pipe.execute_command("SET", "t:b")
        return pipe.execute()

    step("multi exec aborted", aborted)
    step("aborted wrote nothing", lambda: r.exists("t:b"))

    other = connect()
    attempts = []

    def add_one(pipe):
        value = int(pipe.get("t:counter") or 0)
        attempts.append(value)
        if len(attempts) == 1:
            other.set("t:counter", 100)  # a concurrent change: the first EXEC must fail
        pipe.multi()
        pipe.set("t:counter", value + 1)

    step("watch retries", lambda: [r.transaction(add_one, "t:counter"), attempts,
                                   r.get("t:counter")])


def pubsub(r):
    subscriber = connect().pubsub()
    subscriber.subscribe("news")
    subscriber.psubscribe("n*")

    def messages(count):
        got = []
        deadline = time.time() + 5
        while len(got) < count and time.time() < deadline:
            message = subscriber.get_message(timeout=0.5)
            if message is not None:
                got.append(message)
        return [(m["type"], m["pattern"], m["channel"], m["data"]) for m in got]

    step("subscribe confirmations", lambda: messages(2))
    step("publish", lambda: r.publish("news", "hello"))
    step("messages", lambda: sorted(messages(2), key=repr))
    step("pubsub channels", lambda: [r.pubsub_channels(), r.pubsub_numsub("news"),
                                     r.pubsub_numpat()])
    subscriber.unsubscribe("news")
    subscriber.punsubscribe("n*")
    step("unsubscribe confirmations", lambda: messages(2))
    subscriber.close()


def keyspace_notifications(r):
    step("config set notify", lambda: r.config_set("notify-keyspace-events", "KEA"))
    listener = connect().pubsub()
    listener.psubscribe("__keyspace@0__:ev:*", "__keyevent@0__:expired")

    def events(count):
        got = []
        deadline = time.time() + 5
        while len(got) < count and time.time() < deadline:
            message = listener.get_message(timeout=0.5)
            if message is not None and message["type"] == "pmessage":
                got.append((message["channel"], message["data"]))
        return got

    step("psubscribe confirmations", lambda: [listener.get_message(timeout=1)["type"]
                                              for _ in range(2)])
    step("events of writes", lambda: (r.set("ev:a", 1), r.incr("ev:a"), r.rpush("ev:l", "x"),
                                      r.delete("ev:a"), events(4)))
    step("expired event", lambda: (r.set("ev:gone", 1, px=50), events(4)))
    listener.close()
    step("config set notify off", lambda: r.config_set("notify-keyspace-events", ""))


def introspection(r):
    step("info parses", lambda: [len(r.info()) > 10, "redis_version" in r.info("all"),
                                 "used_memory" in r.info("memory")])
    step("config get all parses", lambda: {k: v for k, v in r.config_get("*").items()
                                           if k in ("databases", "maxclients", "timeout")})
    step("config set get", lambda: [r.config_set("timeout", 300), r.config_get("timeout"),
                                    r.config_set("timeout", 0)])
    step("config set unknown", lambda: r.config_set("no-such-parameter", 1))
    step("lastsave", lambda: isinstance(r.lastsave(), object))

    def slowlog():
        r.config_set("slowlog-log-slower-than", 0)
        r.slowlog_reset()
        r.set("slow:key", "value")
        entries = r.slowlog_get(5)
        r.config_set("slowlog-log-slower-than", 10000)
        return [[entry["command"] for entry in entries], r.slowlog_len() >= 1,
                r.slowlog_reset(), r.slowlog_len()]

    step("slowlog", slowlog)

    def monitor():
        watcher = connect()
        with watcher.monitor() as m:
            writer = connect()
            writer.set("mon:key", "v")
            writer.get("mon:key")
            seen = []
            for _ in range(2):
                event = m.next_command()
                seen.append((event["db"], event["command"], event["client_type"]))
            return seen

    step("monitor", monitor)

    def kill_another():
        victim = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        victim.sendall(b"CLIENT SETNAME victim\r\n")
        victim.recv(100)
        address = next(c["addr"] for c in r.client_list() if c["name"] == "victim")
        killed = r.client_kill(address)
        closed = victim.recv(100) == b""
        victim.close()
        return [killed, closed]

    step("client kill", kill_another)
    step("client pause", lambda: [r.client_pause(50), r.ping(), r.client_unpause()])
    step("client list by type", lambda: [sorted(c["name"] for c in r.client_list(_type="normal")
                                                if c["name"])])


def blocking_wakeup(r):
    def push_later():
        time.sleep(0.2)
        connect().rpush("q", "job")

    pusher = threading.Thread(target=push_later)
    pusher.start()
    step("blpop woken by another client", lambda: r.blpop(["q"], timeout=5))
    pusher.join()


def main():
    global PROTOCOL
    for protocol in (2, 3):
        PROTOCOL = protocol
        print(f"=== RESP{protocol}", flush=True)
        r = connect()
        print(f"parser: {PARSER}", type(r.connection_pool.get_connection()._parser).__name__)
        r.flushall()
        sections = [strings, bitmaps, keys_and_expiry, connection, hashes, lists, sets,
                    sorted_sets, hyperloglog, pipelines_and_transactions, pubsub,
                    keyspace_notifications, introspection, blocking_wakeup,
                    decoded_responses]
        for section in sections:
            print(f"== {section.__name__}", flush=True)
            section(r)
        r.flushall()
    print("== end", flush=True)


def decoded_responses(r):
    decoded = connect(decode_responses=True)
    step("decoded hgetall", lambda: (decoded.hset("d:h", "k", "v"), decoded.hgetall("d:h")))
    step("decoded zrange", lambda: (decoded.zadd("d:z", {"m": 2}),
                                    decoded.zrange("d:z", 0, -1, withscores=True)))
    step("decoded binary", lambda: decoded.get("m:3"))


main()
