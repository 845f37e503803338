/**
 * SharedAffinityTable (src/gateway/shared-affinity.ts) against a real Redis: what one replica
 * learns about which deployment holds a prompt prefix, the others learn within milliseconds;
 * messages that are not ours are ignored; without Redis each replica still has its own table.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { SharedAffinityTable } from "../../src/gateway/shared-affinity.js";
import type { CachePrefix } from "../../src/routing/cache-prefixes.js";
import { REDIS_URL } from "../helpers/redis.js";

const channel = `switchyard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:affinity`;
const clients: Redis[] = [];
const tables: SharedAffinityTable[] = [];

function connect(url = REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 500, retryStrategy: () => null });
  redis.on("error", () => undefined);
  clients.push(redis);
  return redis;
}

async function replica(errors: Error[] = [], url = REDIS_URL): Promise<SharedAffinityTable> {
  const publisher = connect(url);
  await new Promise<void>((resolve) => {
    publisher.once("ready", () => resolve());
    publisher.once("end", () => resolve());
  });
  const table = await SharedAffinityTable.start(publisher, { channel, onError: (error) => errors.push(error), waitMs: 1_000 });
  tables.push(table);
  return table;
}

async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

after(() => {
  for (const table of tables) table.stop();
  for (const client of clients) client.disconnect();
});

const prefixes: CachePrefix[] = [
  { hash: "system-prefix", ttl: "5m", tokens: 2_000 },
  { hash: "system-and-tools", ttl: "1h", tokens: 3_500 },
];

test("what one replica learns, the others learn", async () => {
  const [a, b, c] = [await replica(), await replica(), await replica()];
  a.remember(prefixes, "bedrock-sonnet-us");
  const heldOnB = await eventually(() => b.holdings(prefixes).get("bedrock-sonnet-us"), "replica B to learn the prefixes");
  assert.equal(heldOnB.tokens, 3_500, "the longest prefix held");
  await eventually(() => c.holdings(prefixes).get("bedrock-sonnet-us"), "replica C to learn them");
  // Later news wins everywhere: the prefix moved to another deployment.
  c.remember([prefixes[0] as CachePrefix], "anthropic-sonnet");
  await eventually(() => a.holdings([prefixes[0] as CachePrefix]).get("anthropic-sonnet"), "replica A to learn the move");
  assert.equal(a.holdings([prefixes[0] as CachePrefix]).get("bedrock-sonnet-us"), undefined);
});

test("messages that are not well-formed affinity news change nothing", async () => {
  const [a, b] = [await replica(), await replica()];
  const raw = connect();
  await new Promise((resolve) => raw.once("ready", resolve));
  for (const junk of ["not json", "{}", JSON.stringify({ from: "x", deployment: "d", prefixes: [["h", "2h", 1]] }), JSON.stringify({ from: "x", deployment: "d", prefixes: [["h", "5m", -1]] })]) {
    await raw.publish(channel, junk);
  }
  a.remember([{ hash: "after-junk", ttl: "5m", tokens: 10 }], "anthropic-haiku");
  await eventually(() => b.holdings([{ hash: "after-junk", ttl: "5m", tokens: 10 }]).get("anthropic-haiku"), "the valid message after the junk");
  assert.equal(b.holdings([{ hash: "h", ttl: "5m", tokens: 1 }]).size, 0);
});

test("without Redis a replica keeps its own table and says affinity is per replica", async () => {
  const errors: Error[] = [];
  const alone = await replica(errors, "redis://127.0.0.1:1");
  alone.remember(prefixes, "anthropic-sonnet");
  assert.equal(alone.holdings(prefixes).get("anthropic-sonnet")?.tokens, 3_500);
  await eventually(() => errors.find((error) => /affinity/.test(error.message)), "the report");
});
