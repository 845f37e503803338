/**
 * A guard for decision 0011: the rest of a stream that a provider hands to the gateway must be a
 * plain iterator (mapBody), not an async generator. With a provider's async generator wrapped
 * around the body's, V8 kept every stream's objects alive through a scavenge and promoted them (a
 * quarter of the streaming CPU, docs/BENCHMARKS.md). What the GC does cannot be tested without
 * timing it, so this checks the shape that caused it, for every provider kind, on a real stream
 * from the emulators, and that the stream still arrives whole.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cancel } from "../../src/util/cancel.js";
import { UpstreamBody } from "../../src/providers/shared/http.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

/** %AsyncGeneratorPrototype%: every async generator object inherits from it. */
const AsyncGeneratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf((async function* () {})())) as object;

function isAsyncGenerator(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.prototype.isPrototypeOf.call(AsyncGeneratorPrototype, value);
}

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

describe("stream bodies are plain iterators, not async generators", () => {
  test("the guard itself recognises an async generator and a plain iterator", () => {
    assert.equal(isAsyncGenerator((async function* () {})()), true);
    assert.equal(isAsyncGenerator({ next: async () => ({ done: true, value: undefined }) }), false);
    assert.equal(isAsyncGenerator(new UpstreamBody("test", () => {})[Symbol.asyncIterator]()), false);
  });

  for (const deploymentId of ["anthropic-haiku", "bedrock-haiku-global"]) {
    test(`${deploymentId}: rest of the stream`, async () => {
      const deployment = harness.gateway.state.config.deployments.get(deploymentId);
      assert.ok(deployment, `the harness config has ${deploymentId}`);
      const client = harness.gateway.state.clients.get(deployment.providerName);
      assert.ok(client, `a client for ${deployment.providerName}`);
      const body = { model: deployment.model.id, max_tokens: 32, stream: true, messages: [{ role: "user", content: "Stream a short answer." }] };
      const result = await client.messages({
        body,
        stream: true,
        upstreamModel: deployment.upstreamModel,
        anthropicVersion: "2023-06-01",
        betas: [],
        requestId: `req_test_${deploymentId}`,
        cancel: new Cancel(),
        firstByteTimeoutMs: 5_000,
      });
      assert.equal(result.kind, "stream");
      if (result.kind !== "stream") return;
      const iterator = result.rest[Symbol.asyncIterator]();
      assert.equal(isAsyncGenerator(iterator), false, "a provider wrapped the stream in an async generator: use mapBody (decision 0011)");
      const chunks: Buffer[] = [result.first];
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) chunks.push(step.value);
      const text = Buffer.concat(chunks).toString("utf8");
      assert.match(text, /^event: message_start\n/);
      assert.match(text, /event: message_stop\n/);
      assert.ok((result.usage().usage.output ?? 0) > 0, "usage was read from the stream");
    });
  }
});
