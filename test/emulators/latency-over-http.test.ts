import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { MODEL, fixtureModels } from "./emulator-fixtures.js";

// Only lower bounds are asserted: a busy machine can make things slower, never faster.
let emulator: RunningEmulator;

before(async () => {
  emulator = await startAnthropicEmulator({ models: fixtureModels });
});
beforeEach(() => emulator.reset());
after(() => emulator.close());

async function timedStream(): Promise<{ headersMs: number; firstDeltaMs: number; doneMs: number; outputTokens: number }> {
  const started = performance.now();
  const response = await fetch(`${emulator.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, max_tokens: 60, stream: true, messages: [{ role: "user", content: "Pace me" }] }),
  });
  const headersMs = performance.now() - started;
  const reader = response.body?.getReader();
  assert.ok(reader);
  let text = "";
  let firstDeltaMs = Number.NaN;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    if (Number.isNaN(firstDeltaMs) && text.includes("event: content_block_delta")) firstDeltaMs = performance.now() - started;
  }
  const usage = /"output_tokens":(\d+)}}\n\nevent: message_stop/.exec(text);
  return { headersMs, firstDeltaMs, doneMs: performance.now() - started, outputTokens: Number(usage?.[1]) };
}

test("a stream's headers come first; content waits for the time to first token; tokens are paced", async () => {
  emulator.setProfile({ latency: { ttftMs: { p50: 250, p99: 250 }, interTokenMs: { p50: 3, p99: 3 } } });
  const timing = await timedStream();
  assert.ok(timing.headersMs < timing.firstDeltaMs, `headers at ${timing.headersMs} ms, first delta at ${timing.firstDeltaMs} ms`);
  assert.ok(timing.firstDeltaMs >= 240, `first delta at ${timing.firstDeltaMs} ms`);
  assert.ok(timing.outputTokens > 0);
  assert.ok(timing.doneMs >= 240 + 3 * timing.outputTokens * 0.8, `done at ${timing.doneMs} ms for ${timing.outputTokens} tokens`);
});

test("stalls hold the response before the headers or in the middle of the stream", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 300 }, count: 1 }] });
  const before = await timedStream();
  assert.ok(before.headersMs >= 290, `headers after ${before.headersMs} ms`);
  emulator.setProfile({ rules: [{ fault: { kind: "stall", phase: "mid_stream", ms: 300 }, count: 1 }] });
  const middle = await timedStream();
  assert.ok(middle.doneMs >= 290 && middle.headersMs < 290, `headers ${middle.headersMs} ms, done ${middle.doneMs} ms`);
  assert.ok(middle.outputTokens > 0, "the stream still completes");
  assert.deepEqual(emulator.state().counters.faults, { "stall:before_headers": 1, "stall:mid_stream": 1 });
});
