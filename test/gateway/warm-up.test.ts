/** The warm-up `switchyard serve` runs before it listens (src/gateway/warm-up.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { warmUp } from "../../src/gateway/warm-up.js";
import { catalog } from "../helpers/catalog.js";

/** What keeps this process alive, by kind (servers, sockets, timers, workers, file requests…). */
function openResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** Nothing of any kind is open now that was not open before. */
function assertNothingLeft(before: Record<string, number>, what: string): void {
  const after = openResources();
  const left = Object.entries(after).filter(([name, count]) => count > (before[name] ?? 0));
  assert.deepEqual(left, [], `${what}; before: ${JSON.stringify(before)}`);
}

test("warm-up sends its requests through a throwaway gateway and leaves nothing behind", async () => {
  const before = openResources();
  const result = await warmUp(catalog(), 24);
  assert.equal(result.requests, 24);
  // The emulators' own counts: half of the requests went to each upstream shape.
  assert.deepEqual(result.upstream, { anthropic: 12, bedrock: 12 });
  assert.ok(result.ms > 0);
  assert.equal(existsSync(result.directory), false, "its temporary ledger is gone");
  // Sockets closing on the other side may take a turn of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertNothingLeft(before, "its emulators, gateway, connections, ledger thread and timers are closed");
});

test("a warm-up whose requests fail throws, naming the status and the answer, and still cleans up (serve then starts cold)", async () => {
  const before = openResources();
  await assert.rejects(warmUp(catalog(), 8, { emulatorProfile: "outage" }), /a warm-up request was answered 5\d\d: \{"type":"error","error":\{"type":"\w+"/);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertNothingLeft(before, "closed after a failure too");
});
