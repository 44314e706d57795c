// What the Node.js scenarios of `cargo xtask clients` share: loading a package from where
// xtask installed it, printing replies canonically, and running one named step.

import { createRequire } from "node:module";
import path from "node:path";

// Loads `name` from the directory NODE_PATH names (which `import` itself ignores).
export function load(name) {
  const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
  return require(name);
}

// A canonical text for a reply: Buffers in hex, object keys, Maps and Sets sorted.
export function show(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Buffer.isBuffer(value)) return `<${value.toString("hex")}>`;
  if (value instanceof Error) return `!${value.constructor.name}: ${value.message}`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Map) {
    return `Map{${[...value.entries()].map(([k, v]) => `${show(k)}: ${show(v)}`).sort().join(", ")}}`;
  }
  if (value instanceof Set) return `Set{${[...value].map(show).sort().join(", ")}}`;
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).sort().join(", ")}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

// Runs `action` and prints `name: ` and what it returned or threw.
export async function step(name, action) {
  let text;
  try {
    text = show(await action());
  } catch (error) {
    text = `!! ${error.constructor.name}: ${error.message}`;
    // A failed MULTI/EXEC (node-redis) still carries every command's reply.
    if (error.replies !== undefined) text += ` ${show(error.replies)}`;
  }
  console.log(`${name}: ${text}`);
}

// A node-redis client (of whichever major version `createClient` comes from) connected to
// 127.0.0.1:`port`, without reconnecting: a scenario fails rather than retry.
export async function connected(createClient, port, options = {}) {
  const client = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: false },
    ...options,
  });
  client.on("error", () => {});
  await client.connect();
  return client;
}

export const sorted = (values) => [...values].sort();
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
