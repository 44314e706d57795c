// The ioredis scenario of `cargo xtask clients`.
//
// Usage: node ioredis.mjs PORT   (with the `ioredis` package resolvable through NODE_PATH)
//
// Drives the server on 127.0.0.1:PORT through ioredis: its ready check (`INFO` on connect),
// `connectionName` (`CLIENT SETNAME`), reply conversions (`hgetall` to an object), Buffer
// variants, pipelines and MULTI/EXEC as [error, reply] pairs, WATCH, scan streams, pub/sub
// on a duplicated connection and blocking pops. Prints one line per step; xtask compares the
// output with the same run against a real Redis.

import { load, show, sleep, sorted, step } from "./scenario.mjs";

const Redis = load("ioredis");

const PORT = Number(process.argv[2]);

function connect(options = {}) {
  return new Redis({
    host: "127.0.0.1",
    port: PORT,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
}

function collectStream(stream) {
  return new Promise((resolve, reject) => {
    const all = [];
    stream.on("data", (batch) => all.push(...batch));
    stream.on("end", () => resolve(all));
    stream.on("error", reject);
  });
}

async function main() {
  const r = connect({ connectionName: "io-scenario" });
  await r.flushall();

  console.log("== connection");
  await step("ready and named", async () => [r.status, await r.client("GETNAME")]);
  await step("ping echo", async () => [await r.ping(), await r.echo("hi")]);
  await step("select through db option", async () => {
    const other = connect({ db: 6 });
    const result = [await other.set("in6", "x"), await other.dbsize(), await r.exists("in6")];
    other.disconnect();
    return result;
  });
  await step("unknown command", () => r.call("NOSUCH", "x"));
  await step("wrong arity", () => r.call("GET"));

  console.log("== strings");
  await step("set options", async () => [
    await r.set("s", "v", "EX", 100), await r.set("s", "w", "NX"),
    await r.set("s", "w", "XX", "GET"), await r.ttl("s") >= 99,
  ]);
  await step("counters", async () => [
    await r.incr("n"), await r.incrby("n", 9), await r.incrbyfloat("n", "0.5"),
    await r.decr("c"),
  ]);
  await step("incr error", () => r.incr("s"));
  await step("mset mget", async () => [
    await r.mset({ a: "1", b: "2" }), await r.mget("a", "missing", "b"),
  ]);
  await step("buffers", async () => [
    await r.set(Buffer.from([0xff, 0x00]), Buffer.from([1, 2, 3])),
    await r.getBuffer(Buffer.from([0xff, 0x00])), await r.strlen(Buffer.from([0xff, 0x00])),
  ]);
  await step("bits", async () => [
    await r.setbit("bits", 9, 1), await r.bitcount("bits"), await r.bitpos("bits", 1),
  ]);

  console.log("== collections");
  await step("hash", async () => [
    await r.hset("h", { f1: "a", f2: "b" }), await r.hget("h", "f1"), await r.hgetall("h"),
    await r.hincrby("h", "n", 3), await r.hdel("h", "f1", "nope"), await r.hlen("h"),
  ]);
  await step("hgetall missing", () => r.hgetall("nohash"));
  await step("list", async () => [
    await r.rpush("l", "a", "b", "c"), await r.lrange("l", 0, -1), await r.lpop("l", 2),
    await r.lpos("l", "c"), await r.linsert("l", "BEFORE", "c", "x"), await r.llen("l"),
  ]);
  await step("set", async () => [
    await r.sadd("st", "a", "b"), sorted(await r.smembers("st")), await r.sismember("st", "a"),
    await r.scard("st"),
  ]);
  await step("zset", async () => [
    await r.zadd("z", 1, "a", 2.5, "b", "-inf", "c"), await r.zrange("z", 0, -1, "WITHSCORES"),
    await r.zscore("z", "b"), await r.zincrby("z", 1, "a"), await r.zrank("z", "a"),
    await r.zrangebyscore("z", "(1", "+inf"), await r.zpopmin("z", 2),
  ]);
  await step("hyperloglog", async () => [
    await r.pfadd("hll", "a", "b", "c"), await r.pfcount("hll"),
  ]);
  await step("wrongtype", () => r.lpush("h", "x"));

  console.log("== scan streams");
  await r.mset({ "k:1": "a", "k:2": "b", "k:3": "c" });
  await step("scanStream", async () =>
    sorted(await collectStream(r.scanStream({ match: "k:*", count: 1 }))));
  await step("hscanStream", async () => sorted(await collectStream(r.hscanStream("h"))));
  await step("sscanStream", async () => sorted(await collectStream(r.sscanStream("st"))));

  console.log("== pipelines and transactions");
  await step("pipeline", () =>
    r.pipeline().set("p", "1").incr("p").lpush("p", "x").get("p").exec());
  await step("multi exec", () => r.multi().set("t", "1").incr("t").get("t").exec());
  await step("multi with a queueing error", () =>
    r.multi().set("t", "2").call("GET").get("t").exec());
  await step("watch", async () => {
    const watcher = connect();
    const other = connect();
    await watcher.watch("w");
    await other.set("w", "changed");
    const outcome = await watcher.multi().set("w", "mine").exec();
    const value = await r.get("w");
    watcher.disconnect();
    other.disconnect();
    return [outcome, value];
  });
  await step("many commands at once", async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => r.incr(`m${i % 4}`)));
    return [replies.length, await r.mget("m0", "m1", "m2", "m3")];
  });

  console.log("== pubsub and blocking");
  const subscriber = r.duplicate();
  const received = [];
  subscriber.on("message", (channel, message) => received.push(["message", channel, message]));
  subscriber.on("pmessage", (pattern, channel, message) =>
    received.push(["pmessage", pattern, channel, message]));
  await step("subscribe", async () => [
    await subscriber.subscribe("news"), await subscriber.psubscribe("n*"),
  ]);
  await step("publish", () => r.publish("news", "hello"));
  await step("received", async () => {
    for (let i = 0; i < 50 && received.length < 2; i++) await sleep(20);
    return received.map(show).sort();
  });
  await step("subscriber mode refuses commands", () => subscriber.get("a"));
  subscriber.disconnect();
  await step("blpop woken", async () => {
    const pusher = connect();
    const waiting = r.blpop("q", 5);
    await sleep(200);
    await pusher.rpush("q", "job");
    const result = await waiting;
    pusher.disconnect();
    return result;
  });
  await step("brpop timeout", () => r.brpop("noq", 0.1));

  await r.flushall();
  r.disconnect();
  console.log("== end");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
