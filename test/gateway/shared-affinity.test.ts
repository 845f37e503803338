/**
 * SharedAffinityTable (src/gateway/shared-affinity.ts) against a real Redis: what one replica
 * learns about which deployment holds a prompt prefix, the others learn within milliseconds;
 * messages that are not ours are ignored; without Redis each replica still has its own table.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { SharedAffinityTable } from "../../src/gateway/shared-affinity.js";
import type { CachePrefix } from "../../src/routing/cache-prefixes.js";
import { eventually } from "../helpers/eventually.js";
import { REDIS_URL, testRedis } from "../helpers/redis.js";

const channel = `switchyard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:affinity`;
const clients: Redis[] = [];
const tables: SharedAffinityTable[] = [];

const connect = (url = REDIS_URL): Redis => testRedis(clients, url);

async function replica(errors: Error[] = [], url = REDIS_URL, isDeployment?: (id: string) => boolean): Promise<SharedAffinityTable> {
  const publisher = connect(url);
  await new Promise<void>((resolve) => {
    publisher.once("ready", () => resolve());
    publisher.once("end", () => resolve());
  });
  const table = await SharedAffinityTable.start(publisher, { channel, onError: (error) => errors.push(error), waitMs: 1_000, ...(isDeployment ? { isDeployment } : {}) });
  tables.push(table);
  return table;
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

test("a replica ignores what others learned about deployments it does not have, and messages longer than any replica sends", async () => {
  const a = await replica();
  const b = await replica([], REDIS_URL, (id) => id !== "only-on-a");
  const raw = connect();
  await new Promise((resolve) => raw.once("ready", resolve));
  const huge = { hash: `huge-${Math.random()}`, ttl: "5m" as const, tokens: 1 };
  await raw.publish(channel, JSON.stringify({ from: "x", deployment: "anthropic-haiku", prefixes: [[huge.hash, "5m", 1]], padding: "x".repeat(40_000) }));
  a.remember([{ hash: "elsewhere", ttl: "5m", tokens: 10 }], "only-on-a");
  const marker = { hash: `marker-${Math.random()}`, ttl: "5m" as const, tokens: 10 };
  a.remember([marker], "anthropic-haiku");
  await eventually(() => b.holdings([marker]).get("anthropic-haiku"), "the marker after them");
  assert.equal(b.holdings([{ hash: "elsewhere", ttl: "5m", tokens: 10 }]).size, 0, "not a deployment of B's");
  assert.equal(b.holdings([huge]).size, 0, "over 32 KB: not a replica's message");
});

test("without Redis a replica keeps its own table and says affinity is per replica", async () => {
  const errors: Error[] = [];
  const alone = await replica(errors, "redis://127.0.0.1:1");
  alone.remember(prefixes, "anthropic-sonnet");
  assert.equal(alone.holdings(prefixes).get("anthropic-sonnet")?.tokens, 3_500);
  await eventually(() => errors.find((error) => /affinity/.test(error.message)), "the report");
});

test("a prefix is announced when it is news: new, moved, or a tenth of its TTL since anyone announced it", async () => {
  let now = 1_000_000;
  const clock = () => now;
  const publisher = connect();
  await new Promise((resolve) => publisher.once("ready", resolve));
  const a = await SharedAffinityTable.start(publisher, { channel, onError: () => undefined, waitMs: 1_000, now: clock });
  tables.push(a);
  const b = await replica();
  const listener = connect();
  await new Promise((resolve) => listener.once("ready", resolve));
  const heard: { deployment: string; hashes: string[] }[] = [];
  listener.on("message", (_channel: string, text: string) => {
    const message = JSON.parse(text) as { deployment: string; prefixes: [string][] };
    heard.push({ deployment: message.deployment, hashes: message.prefixes.map(([hash]) => hash) });
  });
  await listener.subscribe(channel);
  const five = { hash: `quiet-5m-${Math.random()}`, ttl: "5m" as const, tokens: 1_500 };
  const hour = { hash: `quiet-1h-${Math.random()}`, ttl: "1h" as const, tokens: 4_000 };

  a.remember([five, hour], "anthropic-sonnet");
  await eventually(() => (heard.length === 1 ? true : undefined), "the first announcement");
  now += 29_000;
  a.remember([five, hour], "anthropic-sonnet"); // a cache hit 29 s later: no news
  now += 1_000;
  a.remember([five, hour], "anthropic-sonnet"); // 30 s since the announcement: the 5-minute prefix again
  a.remember([hour], "bedrock-sonnet-us"); // moved: news at once
  const marker = { hash: `marker-${Math.random()}`, ttl: "5m" as const, tokens: 1 };
  a.remember([marker], "anthropic-haiku");
  await eventually(() => (heard.some((message) => message.hashes.includes(marker.hash)) ? true : undefined), "the marker");
  assert.deepEqual(
    heard.map((message) => [message.deployment, message.hashes]),
    [
      ["anthropic-sonnet", [five.hash, hour.hash]],
      ["anthropic-sonnet", [five.hash]],
      ["bedrock-sonnet-us", [hour.hash]],
      ["anthropic-haiku", [marker.hash]],
    ],
  );
  // The other replica still learned everything, and what it heard needs no echo from it.
  assert.equal((await eventually(() => b.holdings([hour]).get("bedrock-sonnet-us"), "B to learn the move")).tokens, 4_000);
  b.remember([hour], "bedrock-sonnet-us");
  const last = { hash: `last-${Math.random()}`, ttl: "5m" as const, tokens: 1 };
  a.remember([last], "anthropic-haiku");
  await eventually(() => (heard.some((message) => message.hashes.includes(last.hash)) ? true : undefined), "the last marker");
  assert.equal(heard.length, 5, "B serving what it just heard announced sent nothing");
});
