import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fromAnthropicStream,
  fromAnthropicUsage,
  fromBedrockConverse,
  fromBedrockInvoke,
  fromBedrockMetrics,
  fromOpenAIUsage,
  normalizeUsageDocument,
} from "../../src/pricing/normalize-usage.js";

test("Anthropic usage: disjoint buckets with the 5m/1h split", () => {
  const { usage, warnings } = fromAnthropicUsage({
    input_tokens: 105,
    cache_creation_input_tokens: 7345,
    cache_read_input_tokens: 7123,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 7345 },
    output_tokens: 6039,
    server_tool_use: { web_search_requests: 1 },
    service_tier: "standard",
    inference_geo: "global",
  });
  assert.deepEqual(warnings, []);
  assert.equal(usage.input, 105);
  assert.equal(usage.cacheWrite5m, 0);
  assert.equal(usage.cacheWrite1h, 7345);
  assert.equal(usage.cacheWriteUnsplit, undefined);
  assert.equal(usage.cacheRead, 7123);
  assert.equal(usage.output, 6039);
  assert.equal(usage.webSearchRequests, 1);
});

test("Anthropic usage without the TTL split is flagged, not guessed", () => {
  const { usage, warnings } = fromAnthropicUsage({ input_tokens: 3, cache_creation_input_tokens: 12304, output_tokens: 550 });
  assert.equal(usage.cacheWriteUnsplit, 12304);
  assert.equal(usage.cacheWrite5m, undefined);
  assert.match(warnings.join(), /without its cache_creation 5m\/1h split/);
});

test("compaction: a missing TTL split is said once, for the counts that are priced (the iterations' sum), not also for the top level they replace", () => {
  const { usage, warnings } = fromAnthropicUsage({
    input_tokens: 1000,
    output_tokens: 200,
    cache_creation_input_tokens: 5000,
    iterations: [
      { input_tokens: 500, output_tokens: 100, cache_creation_input_tokens: 2500 },
      { input_tokens: 500, output_tokens: 100, cache_creation_input_tokens: 2500 },
    ],
  });
  assert.equal(usage.cacheWriteUnsplit, 5000);
  assert.deepEqual(warnings.filter((warning) => /split/.test(warning)), [
    "usage.iterations' cache_creation_input_tokens = 5000 without its cache_creation 5m/1h split: the TTL is unknown, so the cost is a range (5-minute rate to 1-hour rate), not guessed",
  ]);
});

test("a breakdown that does not add up keeps the remainder unsplit", () => {
  const { usage, warnings } = fromAnthropicUsage({
    input_tokens: 1,
    output_tokens: 1,
    cache_creation_input_tokens: 1000,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  });
  assert.equal(usage.cacheWriteUnsplit, 1000);
  assert.match(warnings.join(), /unknown TTL/);
});

test("missing fields stay undefined, never 0", () => {
  const { usage, warnings } = fromAnthropicUsage({ input_tokens: 10 });
  assert.equal(usage.output, undefined);
  assert.equal(usage.cacheRead, undefined);
  assert.match(warnings.join(), /output_tokens not reported/);
  const bad = fromAnthropicUsage({ input_tokens: -5, output_tokens: 1.5 });
  assert.equal(bad.usage.input, undefined);
  assert.equal(bad.usage.output, undefined);
  assert.equal(bad.warnings.filter((warning) => /not a non-negative whole number/.test(warning)).length, 2);
});

test("streaming: input from message_start, cumulative output from the last message_delta (never summed)", () => {
  const { usage } = fromAnthropicStream(
    { input_tokens: 11, cache_read_input_tokens: 500, cache_creation_input_tokens: 0, output_tokens: 1 },
    [{ output_tokens: 3 }, { output_tokens: 6 }],
  );
  assert.equal(usage.input, 11);
  assert.equal(usage.cacheRead, 500);
  assert.equal(usage.output, 6);
});

test("streaming: cache counts that arrive only in message_delta are kept", () => {
  const { usage } = fromAnthropicStream({ input_tokens: 0, output_tokens: 1 }, [
    { input_tokens: 20, cache_read_input_tokens: 900, output_tokens: 40 },
  ]);
  assert.equal(usage.input, 20);
  assert.equal(usage.cacheRead, 900);
  assert.equal(usage.output, 40);
});

test("streaming: the last count reported wins (cumulative totals, as the SDK reads them), and a null one is not a report", () => {
  // An answer stopped at once: output 0, not message_start's placeholder 1.
  assert.equal(fromAnthropicStream({ input_tokens: 10, output_tokens: 1 }, [{ output_tokens: 0 }]).usage.output, 0);
  // A later, smaller total replaces an earlier one.
  const revised = fromAnthropicStream({ input_tokens: 10, cache_read_input_tokens: 5000, output_tokens: 1 }, [{ cache_read_input_tokens: 3000, output_tokens: 7 }]);
  assert.equal(revised.usage.cacheRead, 3000);
  // A delta whose output is null reported nothing: the output stays unknown.
  const nulled = fromAnthropicStream({ input_tokens: 10, output_tokens: 1 }, [{ output_tokens: null, input_tokens: 10 }]);
  assert.equal(nulled.usage.output, undefined);
  assert.ok(nulled.warnings.some((warning) => /no message_delta reported the output/.test(warning)));
});

test("Bedrock InvokeModel: body usage checked against the token-count headers", () => {
  const consistent = fromBedrockInvoke(
    { input_tokens: 10, output_tokens: 15, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
    { "x-amzn-bedrock-input-token-count": "110", "x-amzn-bedrock-output-token-count": "15" },
  );
  assert.deepEqual(consistent.warnings, []);
  const disagreeing = fromBedrockInvoke({ input_tokens: 10, output_tokens: 15 }, { "x-amzn-bedrock-output-token-count": "99" });
  assert.match(disagreeing.warnings.join(), /disagrees/);
  const headersOnly = fromBedrockInvoke(undefined, { "x-amzn-bedrock-input-token-count": "7", "x-amzn-bedrock-output-token-count": "3" });
  assert.equal(headersOnly.usage.input, 7);
  assert.equal(headersOnly.usage.output, 3);
});

test("Bedrock stream invocation metrics: cache writes carry no TTL split", () => {
  const { usage, warnings } = fromBedrockMetrics({ inputTokenCount: 10, outputTokenCount: 15, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 2048 });
  assert.equal(usage.cacheWriteUnsplit, 2048);
  assert.match(warnings.join(), /TTL/);
});

test("Bedrock Converse: camelCase with cacheDetails giving the TTL split", () => {
  const { usage, warnings } = fromBedrockConverse({
    inputTokens: 14,
    outputTokens: 9,
    totalTokens: 9636,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 9613,
    cacheDetails: [{ ttl: "1h", inputTokens: 9613 }],
  });
  assert.deepEqual(warnings, []);
  assert.equal(usage.input, 14);
  assert.equal(usage.cacheWrite1h, 9613);
  assert.equal(usage.cacheWrite5m, 0);
});

test("OpenAI usage: cached tokens are taken back out of prompt_tokens", () => {
  const { usage } = fromOpenAIUsage({ prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } });
  assert.equal(usage.input, 20);
  assert.equal(usage.cacheRead, 100);
  assert.equal(usage.output, 30);
});

test("whole documents are recognised by shape", () => {
  assert.equal(normalizeUsageDocument({ type: "message", usage: { input_tokens: 1, output_tokens: 2 } }).format, "anthropic");
  assert.equal(normalizeUsageDocument({ usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }).format, "bedrock-converse");
  assert.equal(normalizeUsageDocument({ usage: { prompt_tokens: 1, completion_tokens: 2 } }).format, "openai");
  assert.equal(normalizeUsageDocument({ type: "message_stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 1, outputTokenCount: 1 } }).format, "bedrock-metrics");
  const stream = normalizeUsageDocument([
    { type: "message_start", message: { usage: { input_tokens: 11, output_tokens: 1 } } },
    { type: "message_delta", usage: { output_tokens: 6 } },
  ]);
  assert.equal(stream.usage.output, 6);
  assert.throws(() => normalizeUsageDocument({ foo: 1 }), /no usage found/);
});

test("compaction: input and output are summed over usage.iterations (the top-level counts leave the compaction out)", () => {
  const normalized = fromAnthropicUsage({
    input_tokens: 23_000,
    output_tokens: 1_000,
    iterations: [
      { type: "compaction", input_tokens: 180_000, output_tokens: 3_500 },
      { type: "message", input_tokens: 23_000, output_tokens: 1_000 },
    ],
  });
  assert.equal(normalized.usage.input, 203_000);
  assert.equal(normalized.usage.output, 4_500);
  assert.ok(normalized.warnings.some((warning) => /summed over 2 usage\.iterations/.test(warning)));
  // An entry without its counts: what was billed is more than the top level says, so both are unknown.
  const unreadable = fromAnthropicUsage({ input_tokens: 23_000, output_tokens: 1_000, iterations: [{ type: "compaction" }] });
  assert.equal(unreadable.usage.input, undefined);
  assert.equal(unreadable.usage.output, undefined);
});

test("compaction: cache reads and writes are summed over usage.iterations too, by TTL, where every entry reports them", () => {
  const normalized = fromAnthropicUsage({
    input_tokens: 2_000,
    output_tokens: 800,
    cache_read_input_tokens: 40_000,
    cache_creation_input_tokens: 1_000,
    cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 0 },
    iterations: [
      { type: "compaction", input_tokens: 5_000, output_tokens: 3_000, cache_read_input_tokens: 150_000, cache_creation_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } },
      { type: "message", input_tokens: 2_000, output_tokens: 800, cache_read_input_tokens: 40_000, cache_creation_input_tokens: 1_000, cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 } },
    ],
  });
  assert.equal(normalized.usage.input, 7_000);
  assert.equal(normalized.usage.output, 3_800);
  assert.equal(normalized.usage.cacheRead, 190_000, "the compaction's own cache reads are billed too");
  assert.deepEqual([normalized.usage.cacheWrite5m, normalized.usage.cacheWrite1h, normalized.usage.cacheWriteUnsplit], [400, 600, undefined]);
  assert.ok(normalized.warnings.some((warning) => /input and output and cache counts summed over 2 usage\.iterations/.test(warning)));
  // Entries without cache counts leave the top-level ones as they were.
  const plain = fromAnthropicUsage({ input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 9, iterations: [{ type: "message", input_tokens: 1, output_tokens: 1 }] });
  assert.equal(plain.usage.cacheRead, 9);
});

test("a stream without any message_delta: the output is unknown, not message_start's placeholder", () => {
  const cut = fromAnthropicStream({ input_tokens: 10, output_tokens: 1 }, []);
  assert.equal(cut.usage.input, 10);
  assert.equal(cut.usage.output, undefined);
  assert.ok(cut.warnings.some((warning) => /no message_delta reported the output/.test(warning)));
  const whole = fromAnthropicStream({ input_tokens: 10, output_tokens: 1 }, [{ output_tokens: 42 }]);
  assert.equal(whole.usage.output, 42);
});
