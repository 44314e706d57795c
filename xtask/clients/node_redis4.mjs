// The node-redis 4 scenario of `cargo xtask clients`.
//
// Usage: node node_redis4.mjs PORT   (with node-redis 4 installed as `redis4` under NODE_PATH)
//
// node-redis 4 is still what many applications run: its options objects (`{ NX: true }`),
// reply transforms, `isolated` commands on a pooled connection, `executeIsolated` with
// WATCH, scan iterators that yield one key at a time, and `legacyMode` (callbacks and
// arrays, as node-redis 3 had). Prints one line per step; xtask compares the output with
// the same run against a real Redis.

import { connected, load, show, sleep, sorted, step } from "./scenario.mjs";

const { createClient, commandOptions } = load("redis4");

const PORT = Number(process.argv[2]);

const connect = (options = {}) => connected(createClient, PORT, options);

async function collect(iterator) {
  const all = [];
  for await (const item of iterator) all.push(item);
  return all;
}

async function main() {
  const c = await connect({ name: "v4-scenario" });
  await c.flushAll();

  console.log("== commands");
  await step("client name", () => c.clientGetName());
  await step("set options", async () => [
    await c.set("s", "v", { NX: true, EX: 100 }), await c.set("s", "w", { NX: true }),
    await c.set("s", "w", { XX: true, GET: true }), await c.get("s"),
  ]);
  await step("set bad expire", () => c.set("s", "v", { EX: 0 }));
  await step("counters", async () => [
    await c.incr("n"), await c.incrBy("n", 9), await c.incrByFloat("f", 2.5), await c.decr("d"),
  ]);
  await step("hash", async () => [
    await c.hSet("h", { a: "1", b: "2" }), await c.hGetAll("h"), await c.hIncrBy("h", "a", 5),
    await c.hmGet("h", ["a", "zz"]),
  ]);
  await step("list", async () => [
    await c.rPush("l", ["a", "b", "c"]), await c.lRange("l", 0, -1), await c.lPopCount("l", 2),
    await c.lPos("l", "c"),
  ]);
  await step("set", async () => [
    await c.sAdd("st", ["a", "b"]), sorted(await c.sMembers("st")), await c.sIsMember("st", "b"),
  ]);
  await step("zset", async () => [
    await c.zAdd("z", [{ score: 2, value: "b" }, { score: 1, value: "a" }]),
    await c.zRangeWithScores("z", 0, -1), await c.zScore("z", "b"), await c.zPopMin("z"),
  ]);
  await step("wrongtype", () => c.lPush("h", "x"));
  await step("unknown command", () => c.sendCommand(["NOSUCH"]));

  console.log("== scan iterators");
  await c.mSet(["k:1", "a", "k:2", "b", "k:3", "c"]);
  await step("scanIterator", async () => sorted(await collect(c.scanIterator({ MATCH: "k:*" }))));
  await step("hScanIterator", async () =>
    (await collect(c.hScanIterator("h"))).map((entry) => show(entry)).sort());

  console.log("== transactions and isolation");
  await step("multi exec", () => c.multi().set("t", "1").incr("t").get("t").exec());
  await step("multi with an error", () => c.multi().set("t", "x").incr("t").exec());
  await step("isolated command", () => c.get(commandOptions({ isolated: true }), "t"));
  await step("executeIsolated with watch", async () => {
    const other = await connect();
    const outcome = await c.executeIsolated(async (isolated) => {
      await isolated.watch("w");
      await other.set("w", "changed");
      try {
        return await isolated.multi().set("w", "mine").exec();
      } catch (error) {
        return `${error.constructor.name}: ${error.message}`;
      }
    });
    const value = await c.get("w");
    await other.quit();
    return [outcome, value];
  });

  console.log("== pubsub and blocking");
  const subscriber = c.duplicate();
  subscriber.on("error", () => {});
  await subscriber.connect();
  const received = [];
  await subscriber.subscribe("news", (message, channel) => received.push([channel, message]));
  await step("publish", () => c.publish("news", "hello"));
  await step("received", async () => {
    for (let i = 0; i < 50 && received.length < 1; i++) await sleep(20);
    return received;
  });
  await subscriber.unsubscribe("news");
  await subscriber.quit();
  await step("blPop woken", async () => {
    const waiting = c.blPop(commandOptions({ isolated: true }), "q", 5);
    await sleep(200);
    await c.rPush("q", "job");
    return waiting;
  });

  console.log("== legacy mode");
  const legacy = await connect({ legacyMode: true });
  const call = (...args) =>
    new Promise((resolve) => {
      legacy.v4.sendCommand(args.map(String)).then(resolve, (error) => resolve(error));
    });
  const callback = (command, ...args) =>
    new Promise((resolve) => {
      legacy[command](...args, (error, reply) => resolve(error ?? reply));
    });
  await step("legacy set get", async () => [
    await callback("set", "legacy", "1"), await callback("get", "legacy"),
  ]);
  await step("legacy hgetall", () => callback("hgetall", "h"));
  await step("legacy error", () => callback("incr", "h"));
  await step("legacy v4 escape hatch", () => call("ECHO", "hi"));
  await legacy.v4.quit();

  await c.flushAll();
  await c.quit();
  console.log("== end");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
