/**
 * A key's requests_per_minute admits its count_tokens calls from a bucket of their own: the
 * Anthropic API limits token counting by requests per minute, separately from Messages, so
 * counting neither eats the Messages allowance nor runs without bound against the upstream
 * accounts every key shares. A count is free: it has no ledger row.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
before(async () => {
  harness = await startHarness({ extra: "rate_limits: { requests_per_minute: 1000 }\nkeys: { limited: { requests_per_minute: 2, tokens_per_minute: 100 } }" });
  client = harness.client((await harness.createKey({ name: "limited" })).secret);
});
after(async () => harness.close());

const prompt = { model: "haiku-via-anthropic", messages: [{ role: "user" as const, content: "hello" }] };

/** The rate-limit headers of a 429: which ones, not their values (the buckets differ). */
const limitHeaderNames = (headers: Headers) => [...headers.keys()].filter((name) => name.startsWith("anthropic-ratelimit-") || name === "retry-after").sort();

async function refusedWith429(call: () => Promise<unknown>): Promise<InstanceType<typeof Anthropic.RateLimitError>> {
  let caught: unknown;
  await call().catch((error: unknown) => (caught = error));
  assert.ok(caught instanceof Anthropic.RateLimitError, `expected a 429, got ${String(caught)}`);
  assert.equal(caught.type, "rate_limit_error");
  return caught;
}

test("count_tokens spends a bucket of its own with the key's requests_per_minute, refused past it with the 429 Messages has, and leaves no ledger row", async () => {
  const first = await client.messages.countTokens(prompt).withResponse();
  assert.equal(first.response.headers.get("anthropic-ratelimit-requests-limit"), "2");
  assert.equal(first.response.headers.get("anthropic-ratelimit-requests-remaining"), "1");
  assert.equal(first.response.headers.get("anthropic-ratelimit-tokens-limit"), null, "a count spends no tokens of the key's limit");
  // A prompt larger than the key's 100 tokens a minute is counted: counting takes no tokens.
  await client.messages.countTokens({ ...prompt, messages: [{ role: "user", content: "word ".repeat(2_000) }] });

  const upstreamBefore = upstreamRequests(harness.anthropic);
  const counting = await refusedWith429(() => client.messages.countTokens(prompt));
  assert.match(counting.message, /rate limit of 2 count_tokens requests per minute\. Retry after \d+ s/);
  assert.equal(counting.headers.get("anthropic-ratelimit-requests-limit"), "2");
  assert.equal(counting.headers.get("anthropic-ratelimit-requests-remaining"), "0");
  assert.ok(Date.parse(counting.headers.get("anthropic-ratelimit-requests-reset") ?? "") > Date.now());
  assert.ok(Number(counting.headers.get("retry-after")) >= 1);
  assert.equal(upstreamRequests(harness.anthropic), upstreamBefore, "a refused count never reaches the upstream");
  const refusedId = counting.requestID ?? "";
  assert.match(refusedId, /^req_sy_/);

  // Messages has its own allowance, untouched by counting.
  for (let index = 0; index < 2; index += 1) await client.messages.create({ ...prompt, max_tokens: 4 });
  const messages = await refusedWith429(() => client.messages.create({ ...prompt, max_tokens: 4 }));
  assert.match(messages.message, /rate limit of 2 requests per minute/);
  assert.deepEqual(limitHeaderNames(counting.headers), limitHeaderNames(messages.headers), "the same headers as Messages' 429");
  await refusedWith429(() => client.messages.countTokens(prompt));

  // Counting is free and unpriced: neither a served nor a refused count has a row.
  await harness.ledger.writer.flush();
  assert.equal(await harness.ledger.store.get(first.response.headers.get("request-id") ?? ""), undefined);
  assert.equal(await harness.ledger.store.get(refusedId), undefined);
});
