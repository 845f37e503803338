/** The warm-up `switchyard serve` runs before it listens (src/gateway/warm-up.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { warmUp } from "../../src/gateway/warm-up.js";
import { catalog } from "../helpers/catalog.js";

const warmUpDirectories = () => readdirSync(tmpdir()).filter((name) => name.startsWith("switchyard-warm-up-"));

test("warm-up sends its requests through a throwaway gateway and leaves nothing behind", async () => {
  const before = warmUpDirectories();
  const result = await warmUp(catalog(), 24);
  assert.equal(result.requests, 24);
  assert.ok(result.ms > 0);
  assert.deepEqual(warmUpDirectories(), before, "its temporary ledger is gone");
});

test("a warm-up whose requests fail throws, naming the status, and still cleans up (serve then starts cold)", async () => {
  const before = warmUpDirectories();
  await assert.rejects(warmUp(catalog(), 8, { emulatorProfile: "outage" }), /a warm-up request was answered 5\d\d/);
  assert.deepEqual(warmUpDirectories(), before);
});
