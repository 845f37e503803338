/**
 * How long a stream may run once it has begun: not total_ms (a long answer, thinking tens of
 * thousands of tokens, may take longer than any request deadline), but until the upstream falls
 * silent for first_byte_ms, which ends it as a stalled stream, or runs past stream_max_ms.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;

before(async () => {
  harness = await startHarness({ policy: "ordered", timeouts: "timeouts: { connect_ms: 1000, first_byte_ms: 1000, total_ms: 1500, stream_max_ms: 3000 }" });
  client = harness.client();
});
after(async () => harness.close());

async function rowOf(requestId: string | null | undefined): Promise<LedgerRow> {
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(requestId ?? "");
  assert.ok(row, `a row for ${requestId}`);
  return row;
}

test("a stream that outlasts total_ms but never falls silent runs to its end", async () => {
  // 40 deltas 60 ms apart: about 2.4 s, past the 1.5 s total_ms, never 1 s without a byte.
  harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 60, p99: 60 } } });
  try {
    const started = performance.now();
    const stream = client.messages.stream({ model: "haiku-via-anthropic", max_tokens: 40, messages: [{ role: "user", content: "a long answer" }] });
    const message = await stream.finalMessage();
    assert.ok(performance.now() - started > 1_500, "it did run past total_ms");
    assert.equal(message.stop_reason, "max_tokens");
    const row = await rowOf(stream.request_id);
    assert.equal(row.status, 200);
    assert.deepEqual(row.warnings.filter((warning) => /stream ended early/.test(warning)), []);
  } finally {
    harness.anthropic.setProfile("instant");
  }
});

test("a stream that falls silent for first_byte_ms is ended as a timeout, a failure of the deployment's", async () => {
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "mid_stream", ms: 4_000 }, streaming: true, count: 1 }] });
  harness.gateway.state.health.reset();
  try {
    const stream = client.messages.stream({ model: "haiku-via-anthropic", max_tokens: 40, messages: [{ role: "user", content: "a stalled answer" }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && /no bytes from the upstream for 1000 ms/.test(error.message));
    const row = await rowOf(stream.request_id);
    assert.ok(row.warnings.includes("stream ended early: timeout"), JSON.stringify(row.warnings));
    assert.equal(harness.gateway.state.health.snapshot().get(row.deployment ?? "")?.failures, 1, "a stalled upstream counts against its circuit");
  } finally {
    harness.anthropic.setProfile("instant");
  }
});

test("a stream never silent that runs past stream_max_ms is ended as a timeout, its usage kept, the deployment not blamed", async () => {
  // 100 deltas 60 ms apart: about 6 s, never 1 s without a byte, cut at 3 s.
  harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 60, p99: 60 } } });
  harness.gateway.state.health.reset();
  try {
    const started = performance.now();
    const stream = client.messages.stream({ model: "haiku-via-anthropic", max_tokens: 100, messages: [{ role: "user", content: "an endless answer" }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError && /stream_max_ms \(3000 ms\)/.test(error.message));
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 2_900 && elapsed < 5_500, `cut near 3 s, not at its end (${elapsed.toFixed(0)} ms)`);
    const row = await rowOf(stream.request_id);
    assert.ok(row.warnings.includes("stream ended early: timeout"), JSON.stringify(row.warnings));
    assert.ok(row.input_tokens !== null && row.input_tokens > 0, "message_start's usage is kept");
    // The operator's limit was met, not a fault of the deployment's: no failure toward its circuit.
    const health = harness.gateway.state.health.snapshot().get(row.deployment ?? "");
    assert.equal(health?.failures ?? 0, 0, JSON.stringify(health));
  } finally {
    harness.anthropic.setProfile("instant");
  }
});

test("a JSON answer past total_ms is a 504 that names the setting and says what would have moved it on", async () => {
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 2_500 }, count: 1 }] });
  try {
    await assert.rejects(client.messages.create({ model: "haiku-via-anthropic", max_tokens: 16, messages: [{ role: "user", content: "slow" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.status, 504);
      assert.match(error.message, /request aborted \(timeouts\.total_ms, 1500 ms, passed: a JSON answer arrives whole, so only total_ms bounds it; a streamed request moves on to the next deployment after timeouts\.first_byte_ms \(1000 ms\) of silence\)/);
      return true;
    });
  } finally {
    harness.anthropic.setProfile("instant");
  }
});
