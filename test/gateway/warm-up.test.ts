/** The warm-up `switchyard serve` runs before it listens (src/gateway/warm-up.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { warmUp } from "../../src/gateway/warm-up.js";
import { catalog } from "../helpers/catalog.js";

/** Servers and sockets this process holds open. */
const openHandles = () => process.getActiveResourcesInfo().filter((name) => name === "TCPServerWrap" || name === "TCPSocketWrap").length;

test("warm-up sends its requests through a throwaway gateway and leaves nothing behind", async () => {
  const before = openHandles();
  const result = await warmUp(catalog(), 24);
  assert.equal(result.requests, 24);
  // The emulators' own counts: half of the requests went to each upstream shape.
  assert.deepEqual(result.upstream, { anthropic: 12, bedrock: 12 });
  assert.ok(result.ms > 0);
  assert.equal(existsSync(result.directory), false, "its temporary ledger is gone");
  // Sockets closing on the other side may take a turn of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(openHandles(), before, "its emulators, gateway and connections are closed");
});

test("a warm-up whose requests fail throws, naming the status and the answer, and still cleans up (serve then starts cold)", async () => {
  const before = openHandles();
  await assert.rejects(warmUp(catalog(), 8, { emulatorProfile: "outage" }), /a warm-up request was answered 5\d\d: \{"type":"error","error":\{"type":"\w+"/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(openHandles(), before);
});
