// The node-redis scenario of `cargo xtask clients`.
//
// Usage: node node_redis.mjs PORT   (with the `redis` package resolvable, e.g. NODE_PATH)
//
// Drives the server on 127.0.0.1:PORT through node-redis's own API (its reply transforms,
// MULTI/EXEC and WATCH, pub/sub on a duplicated connection, scan iterators, RESP2 and
// RESP3, Buffer replies) and prints one line per step: the step's name and what node-redis
// returned or the error it threw. xtask runs it against a real Redis and against resplite
// and compares the outputs line by line: whatever Redis answers is the expectation.
//
// Everything printed must be the same on any correct server: unordered replies are sorted,
// random picks and clocks are reduced to properties that always hold.

import { connected, load, show, sleep, sorted, step } from "./scenario.mjs";

const { createClient, RESP_TYPES } = load("redis");

const PORT = Number(process.argv[2]);

const connect = (resp, options = {}) => connected(createClient, PORT, { RESP: resp, ...options });

async function collect(iterator) {
  const all = [];
  for await (const batch of iterator) {
    all.push(...(Array.isArray(batch) ? batch : [batch]));
  }
  return all;
}

async function strings(c) {
  await step("set options", async () => [
    await c.set("s:a", "v1"),
    await c.set("s:a", "v2", { condition: "NX" }),
    await c.set("s:a", "v3", { condition: "XX", GET: true }),
    await c.set("s:t", "v", { expiration: { type: "EX", value: 100 } }),
  ]);
  await step("ttl", async () => [100, 99].includes(await c.ttl("s:t")));
  await step("set bad expire", () => c.set("s:t", "v", { expiration: { type: "EX", value: 0 } }));
  await step("get getset getdel", async () => [
    await c.get("s:a"), await c.getSet("s:a", "w"), await c.getDel("s:a"), await c.get("s:a"),
  ]);
  await step("getex", async () => [
    await c.getEx("s:t", { type: "PERSIST" }), await c.ttl("s:t"),
  ]);
  await step("mset mget msetnx", async () => [
    await c.mSet({ "m:1": "a", "m:2": "b" }),
    await c.mGet(["m:1", "m:none", "m:2"]),
    await c.mSetNX({ "m:2": "x", "m:3": "y" }),
  ]);
  await step("counters", async () => [
    await c.incr("n"), await c.incrBy("n", 41), await c.decr("n"), await c.decrBy("n", 2),
    await c.incrByFloat("f", 10.5), await c.incrByFloat("f", 0.1),
  ]);
  await step("incr not an integer", () => c.incr("m:1"));
  await step("append strlen getrange setrange", async () => [
    await c.append("s:b", "hello"), await c.strLen("s:b"), await c.getRange("s:b", 1, -2),
    await c.setRange("s:b", 7, "x"), await c.get("s:b"),
  ]);
  await step("lcs", async () => {
    await c.mSet({ "l:1": "ohmytext", "l:2": "mynewtext" });
    return [await c.lcs("l:1", "l:2"), await c.lcsLen("l:1", "l:2")];
  });
  await step("bits", async () => [
    await c.setBit("b", 7, 1), await c.getBit("b", 7), await c.bitCount("b"),
    await c.bitPos("b", 1), await c.bitOp("NOT", "b:not", "b"), await c.get("b:not"),
  ]);
}

async function keys(c) {
  await c.mSet({ "k:a": "1", "k:b": "2", "k:c": "3" });
  await step("exists type", async () => [
    await c.exists(["k:a", "k:a", "k:x"]), await c.type("k:a"), await c.type("k:x"),
  ]);
  await step("keys", async () => sorted(await c.keys("k:*")));
  await step("scanIterator", async () =>
    sorted(await collect(c.scanIterator({ MATCH: "k:*", COUNT: 2 }))));
  await step("scanIterator type", async () => {
    await c.rPush("k:list", "x");
    return sorted(await collect(c.scanIterator({ TYPE: "list" })));
  });
  await step("rename copy", async () => [
    await c.rename("k:a", "k:r"), await c.renameNX("k:b", "k:c"), await c.copy("k:c", "k:d"),
    await c.copy("k:c", "k:d", { REPLACE: true }),
  ]);
  await step("rename missing", () => c.rename("k:none", "k:x"));
  await step("expiry", async () => [
    await c.expire("k:c", 100), await c.expire("k:c", 50, "GT"),
    await c.expireAt("k:d", 4102444800), await c.expireTime("k:d"),
    await c.pExpireAt("k:d", 4102444800555), await c.pExpireTime("k:d"),
    await c.persist("k:d"), await c.ttl("k:d"),
  ]);
  await step("del unlink touch", async () => [
    await c.touch(["k:c", "k:none"]), await c.del(["k:c", "k:none"]), await c.unlink("k:d"),
  ]);
  await step("dbsize", () => c.dbSize());
  await step("select", async () => {
    const other = await connect(c.options?.RESP, { database: 4 });
    const result = [await other.set("in4", "x"), await other.dbSize(), await c.exists("in4")];
    other.destroy();
    return result;
  });
  await step("info keyspace", async () =>
    (await c.info("keyspace")).split("\r\n").filter((line) => line.startsWith("db"))
      .map((line) => line.replace(/,avg_ttl=\d+/, "")));
  await step("unknown command", () => c.sendCommand(["NOSUCH", "x"]));
  await step("wrongtype", () => c.get("k:list"));
}

async function collections(c) {
  await step("hash", async () => [
    await c.hSet("h", { a: "1", b: "2" }), await c.hSetNX("h", "a", "x"),
    await c.hGet("h", "a"), await c.hmGet("h", ["a", "z"]), await c.hGetAll("h"),
    await c.hIncrBy("h", "a", 10), await c.hIncrByFloat("h", "b", 0.5), await c.hLen("h"),
    sorted(await c.hKeys("h")), sorted(await c.hVals("h")), await c.hExists("h", "a"),
    await c.hStrLen("h", "b"), await c.hDel("h", ["a", "zz"]),
  ]);
  await step("hScanIterator", async () =>
    (await collect(c.hScanIterator("h"))).map((entry) => show(entry)).sort());
  await step("hGetAll missing", () => c.hGetAll("h:none"));
  await step("list", async () => [
    await c.rPush("l", ["a", "b", "c"]), await c.lPush("l", "z"), await c.lRange("l", 0, -1),
    await c.lIndex("l", -1), await c.lLen("l"), await c.lSet("l", 0, "Z"),
    await c.lInsert("l", "AFTER", "Z", "y"), await c.lRem("l", 0, "b"), await c.lPos("l", "c"),
    await c.lPop("l"), await c.rPopCount("l", 2), await c.lMove("l", "l2", "LEFT", "RIGHT"),
    await c.lmPop(["l:none", "l2"], "LEFT", { COUNT: 5 }),
  ]);
  await step("blPop timeout", () => c.blPop("l:none", 0.1));
  await step("set", async () => [
    await c.sAdd("s1", ["a", "b", "c"]), await c.sAdd("s2", ["b", "c", "d"]),
    sorted(await c.sMembers("s1")), await c.sIsMember("s1", "a"),
    await c.smIsMember("s1", ["a", "x"]), await c.sCard("s1"),
    sorted(await c.sInter(["s1", "s2"])), sorted(await c.sUnion(["s1", "s2"])),
    sorted(await c.sDiff(["s1", "s2"])), await c.sInterCard(["s1", "s2"]),
    await c.sInterStore("s3", ["s1", "s2"]), await c.sMove("s1", "s2", "a"),
    await c.sRem("s1", ["b", "c"]), await c.exists("s1"),
  ]);
  await step("sScanIterator", async () => sorted(await collect(c.sScanIterator("s2"))));
  await step("sorted set", async () => [
    await c.zAdd("z", [{ score: 1, value: "a" }, { score: 2.5, value: "b" },
      { score: -Infinity, value: "c" }]),
    await c.zAdd("z", { score: 3, value: "a" }, { condition: "XX", CH: true }),
    await c.zScore("z", "a"), await c.zmScore("z", ["a", "x"]), await c.zIncrBy("z", 0.5, "b"),
    await c.zCard("z"), await c.zCount("z", "-inf", 3), await c.zRank("z", "a"),
    await c.zRevRank("z", "a"), await c.zRange("z", 0, -1),
    await c.zRangeWithScores("z", 0, -1),
    await c.zRange("z", 10, "(2", { BY: "SCORE", REV: true }),
    await c.zRangeByScore("z", "-inf", "+inf", { LIMIT: { offset: 1, count: 1 } }),
    await c.zPopMin("z"), await c.zPopMaxCount("z", 5), await c.exists("z"),
  ]);
  await step("zadd nan", () => c.zIncrBy("z2", NaN, "m"));
  await step("zset algebra", async () => {
    await c.zAdd("za", [{ score: 1, value: "a" }, { score: 2, value: "b" }]);
    await c.zAdd("zb", [{ score: 10, value: "b" }, { score: 20, value: "c" }]);
    return [
      await c.zUnionWithScores([{ key: "za", weight: 2 }, { key: "zb", weight: 1 }]),
      await c.zInterWithScores(["za", "zb"], { AGGREGATE: "MAX" }),
      await c.zDiff(["za", "zb"]), await c.zInterCard(["za", "zb"]),
      await c.zUnionStore("zu", ["za", "zb"]), await c.zRangeWithScores("zu", 0, -1),
    ];
  });
  await step("zScanIterator", async () =>
    (await collect(c.zScanIterator("zu"))).map((entry) => show(entry)).sort());
  await step("hyperloglog", async () => {
    const elements = Array.from({ length: 200 }, (_, i) => `e${i}`);
    return [await c.pfAdd("hll", elements), await c.pfCount("hll"),
      await c.pfMerge("hll2", ["hll"]), await c.pfCount(["hll", "hll2"])];
  });
}

async function transactions(c, resp) {
  await step("multi exec", () =>
    c.multi().set("t:a", "1").incr("t:a").get("t:a").exec());
  await step("multi with a failing command", () =>
    c.multi().set("t:b", "x").incr("t:b").get("t:b").exec());
  await step("pipeline", () =>
    c.multi().set("t:c", "1").incr("t:c").lPush("t:c", "x").get("t:c").execAsPipeline());
  await step("watch", async () => {
    const watcher = await connect(resp);
    const other = await connect(resp);
    await watcher.watch("t:w");
    await other.set("t:w", "changed");
    let outcome;
    try {
      outcome = await watcher.multi().set("t:w", "mine").exec();
    } catch (error) {
      outcome = `${error.constructor.name}: ${error.message}`;
    }
    const value = await c.get("t:w");
    watcher.destroy();
    other.destroy();
    return [outcome, value];
  });
  await step("concurrent pipelined commands", async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => c.incr(`t:n${i % 3}`)));
    return [replies.length, await c.get("t:n0"), await c.get("t:n1"), await c.get("t:n2")];
  });
}

async function pubsub(c, resp) {
  const subscriber = await connect(resp);
  const received = [];
  await subscriber.subscribe("news", (message, channel) => received.push(["message", channel, message]));
  await subscriber.pSubscribe("n*", (message, channel) => received.push(["pmessage", channel, message]));
  await step("publish", () => c.publish("news", "hello"));
  await step("received", async () => {
    for (let i = 0; i < 50 && received.length < 2; i++) await sleep(20);
    return received.map((entry) => show(entry)).sort();
  });
  await step("pubsub channels", async () => [
    await c.pubSubChannels(), await c.pubSubNumSub("news"), await c.pubSubNumPat(),
  ]);
  await subscriber.unsubscribe("news");
  await subscriber.pUnsubscribe("n*");
  await step("after unsubscribe", () => c.pubSubNumSub("news"));
  subscriber.destroy();
}

async function blocking(c, resp) {
  const pusher = await connect(resp);
  const waiting = c.blPop("q", 5);
  await sleep(200);
  await pusher.rPush("q", "job");
  await step("blPop woken", () => waiting);
  pusher.destroy();
}

async function buffers(c) {
  const binary = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  await step("binary value", async () => {
    await binary.set(Buffer.from([0, 255, 10]), Buffer.from([1, 2, 0, 254]));
    return [await binary.get(Buffer.from([0, 255, 10])), await binary.strLen(Buffer.from([0, 255, 10]))];
  });
}

async function main() {
  for (const resp of [2, 3]) {
    console.log(`=== RESP${resp}`);
    const c = await connect(resp);
    await c.flushAll();
    for (const section of [strings, keys, collections, transactions, pubsub, blocking, buffers]) {
      console.log(`== ${section.name}`);
      await section(c, resp);
    }
    await c.flushAll();
    c.destroy();
  }
  console.log("== end");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
