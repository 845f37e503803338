/**
 * ReplicaChannel (src/gateway/redis-channel.ts) against a real Redis: a replica hears the others'
 * messages with their sender, never its own, nothing without a sender or over 32 KB, and nothing
 * (not even an error) once stopped.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { MAX_MESSAGE, ReplicaChannel } from "../../src/gateway/redis-channel.js";
import { eventually } from "../helpers/eventually.js";
import { REDIS_URL, testRedis } from "../helpers/redis.js";

const channelName = `switchyard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:channel`;
const clients: Redis[] = [];
const channels: ReplicaChannel[] = [];

after(() => {
  for (const channel of channels) channel.stop();
  for (const client of clients) client.disconnect();
});

async function connected(): Promise<Redis> {
  const redis = testRedis(clients, REDIS_URL);
  await new Promise((resolve) => redis.once("ready", resolve));
  return redis;
}

async function replica(): Promise<{ channel: ReplicaChannel; heard: Record<string, unknown>[]; errors: Error[] }> {
  const heard: Record<string, unknown>[] = [];
  const errors: Error[] = [];
  const channel = await ReplicaChannel.open(
    await connected(),
    { channel: channelName, onError: (error) => errors.push(error), waitMs: 1_000, what: "test news", fallback: "the others learn it themselves" },
    (message) => heard.push(message),
  );
  channels.push(channel);
  return { channel, heard, errors };
}

test("a replica hears the others' messages with their sender, never its own, and nothing without a sender or over 32 KB", async () => {
  const a = await replica();
  const b = await replica();
  const raw = await connected();
  a.channel.publish({ note: "from a" }, "a note");
  await raw.publish(channelName, JSON.stringify({ note: "no sender" }));
  await raw.publish(channelName, JSON.stringify({ from: "someone", note: "x".repeat(MAX_MESSAGE) }));
  await raw.publish(channelName, JSON.stringify({ from: 7, note: "a number for a sender" }));
  b.channel.publish({ note: "from b" }, "a note");
  await eventually(() => (a.heard.length > 0 && b.heard.length > 0 ? true : undefined), "each to hear the other");
  // The marker from each replica came after the junk: anything let through would be here by now.
  await eventually(() => (a.heard.some((message) => message.note === "from b") ? true : undefined), "A to hear B");
  assert.deepEqual(b.heard.map((message) => message.note), ["from a"], "B: A's message, not its own");
  assert.deepEqual(a.heard.map((message) => message.note), ["from b"], "A: B's message, not its own, and none of the junk");
  assert.equal(typeof a.heard[0]?.from, "string", "with the sender's id");
  assert.notEqual(a.heard[0]?.from, b.heard[0]?.from);
});

test("a stopped replica hears nothing, publishes nothing and reports nothing", async () => {
  const a = await replica();
  const b = await replica();
  a.channel.stop();
  a.channel.publish({ note: "after stop" }, "a note");
  b.channel.publish({ note: "to a stopped replica" }, "a note");
  const marker = await replica();
  marker.channel.publish({ note: "marker" }, "a note");
  await eventually(() => (b.heard.some((message) => message.note === "marker") ? true : undefined), "B to hear the marker");
  assert.deepEqual(b.heard.map((message) => message.note), ["marker"], "nothing from the stopped replica");
  assert.deepEqual(a.heard, [], "the stopped replica heard nothing");
  assert.deepEqual(a.errors, [], "its connection closing is no error to report");
  // What was already on its way when it stopped: a message the subscriber still hands over, and
  // an error its connection still raises. (Its connection is closed by now, so the two are handed
  // to it here, as ioredis would.)
  const subscriber = (a.channel as unknown as { subscriber: Redis }).subscriber;
  subscriber.emit("message", channelName, JSON.stringify({ from: "another replica", note: "in flight" }));
  subscriber.emit("error", new Error("connection reset"));
  assert.deepEqual(a.heard, [], "a message in flight when it stopped is not applied");
  assert.deepEqual(a.errors, [], "nor is an error reported");
  // The same, handed to a running replica, is heard and reported: the checks above can fail.
  const bSubscriber = (b.channel as unknown as { subscriber: Redis }).subscriber;
  bSubscriber.emit("message", channelName, JSON.stringify({ from: "another replica", note: "in flight" }));
  bSubscriber.emit("error", new Error("connection reset"));
  assert.deepEqual(b.heard.map((message) => message.note), ["marker", "in flight"]);
  assert.deepEqual(b.errors.map((error) => error.message), ["connection reset"]);
});

test("a message whose handling throws is reported, and the replica goes on hearing the next ones", async () => {
  const errors: Error[] = [];
  const heard: unknown[] = [];
  const channel = await ReplicaChannel.open(
    await connected(),
    { channel: channelName, onError: (error) => errors.push(error), waitMs: 1_000, what: "test news", fallback: "the others learn it themselves" },
    (message) => {
      if (message.note === "poison") throw new TypeError("cannot apply it");
      heard.push(message.note);
    },
  );
  channels.push(channel);
  const other = await replica();
  other.channel.publish({ note: "poison" }, "a note");
  other.channel.publish({ note: "after" }, "a note");
  await eventually(() => (heard.includes("after") ? true : undefined), "the message after the poisoned one");
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /applying a message on .*: cannot apply it/);
});
