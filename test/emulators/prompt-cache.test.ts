import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import type { PromptRequest } from "../../src/emulators/shared/messages-request.js";
import { PromptCache, type CachePolicy } from "../../src/emulators/shared/prompt-cache.js";
import { layoutPrompt } from "../../src/emulators/shared/prompt-layout.js";
import { textOfTokens } from "./emulator-fixtures.js";

const POLICY: CachePolicy = { minTokens: 1024, ttls: ["5m", "1h"] };
const MINUTE = 60_000;

function prompt(systemTokens: number, question: string, ttl?: "5m" | "1h"): PromptRequest {
  return {
    max_tokens: 100,
    system: [{ type: "text", text: textOfTokens(systemTokens), cache_control: ttl ? { type: "ephemeral", ttl } : { type: "ephemeral" } }],
    messages: [{ role: "user", content: question }],
  };
}

function run(cache: PromptCache, request: PromptRequest, policy: CachePolicy | null = POLICY) {
  const layout = layoutPrompt(request, "model-a");
  const plan = cache.plan(layout, policy);
  plan.commit();
  return { read: plan.readTokens, write5m: plan.write5mTokens, write1h: plan.write1hTokens, total: layout.totalTokens };
}

test("a new prefix is written, the same prefix is then read, and the uncached rest is input", () => {
  const cache = new PromptCache(new ManualClock());
  const first = run(cache, prompt(2000, "first question"));
  assert.ok(first.write5m >= 2000, `wrote ${first.write5m}`);
  assert.equal(first.read, 0);
  const second = run(cache, prompt(2000, "a different question"));
  assert.equal(second.read, first.write5m);
  assert.equal(second.write5m, 0);
  assert.ok(second.total - second.read > 0, "the question itself is uncached input");
});

test("5-minute entries expire after 5 minutes; a read refreshes them", () => {
  const clock = new ManualClock();
  const cache = new PromptCache(clock);
  run(cache, prompt(2000, "q"));
  clock.advance(4 * MINUTE);
  assert.ok(run(cache, prompt(2000, "q")).read > 0, "hit at 4 minutes");
  clock.advance(4 * MINUTE);
  assert.ok(run(cache, prompt(2000, "q")).read > 0, "hit at 8 minutes: the read at 4 refreshed the TTL");
  clock.advance(5 * MINUTE + 1);
  const expired = run(cache, prompt(2000, "q"));
  assert.equal(expired.read, 0, "expired 5 minutes after the last use");
  assert.ok(expired.write5m > 0, "and written again");
});

test("1-hour entries outlive 5-minute ones and are accounted as 1h writes", () => {
  const clock = new ManualClock();
  const cache = new PromptCache(clock);
  const written = run(cache, prompt(2000, "q", "1h"));
  assert.equal(written.write5m, 0);
  assert.ok(written.write1h >= 2000);
  clock.advance(59 * MINUTE);
  assert.equal(run(cache, prompt(2000, "q", "1h")).read, written.write1h);
  clock.advance(60 * MINUTE + 1);
  assert.equal(run(cache, prompt(2000, "q", "1h")).read, 0);
});

test("a prefix below the model's minimum is neither written nor read", () => {
  const cache = new PromptCache(new ManualClock());
  const small = run(cache, prompt(500, "q"));
  assert.deepEqual([small.read, small.write5m, small.write1h], [0, 0, 0]);
  assert.deepEqual([run(cache, prompt(500, "q")).read], [0]);
  const strict = run(new PromptCache(new ManualClock()), prompt(2000, "q"), { minTokens: 4096, ttls: ["5m"] });
  assert.equal(strict.write5m, 0, "4,096-token minimum (Haiku 4.5)");
});

test("no caching policy means cache_control is ignored", () => {
  const result = run(new PromptCache(new ManualClock()), prompt(2000, "q"), null);
  assert.deepEqual([result.read, result.write5m, result.write1h], [0, 0, 0]);
});

test("order is tools, system, messages: a changed tool invalidates the cached system prompt", () => {
  const cache = new PromptCache(new ManualClock());
  const withTool = (description: string): PromptRequest => ({
    ...prompt(2000, "q"),
    tools: [{ name: "lookup", description, input_schema: { type: "object", properties: {} } }],
  });
  run(cache, withTool("first"));
  assert.ok(run(cache, withTool("first")).read > 0);
  assert.equal(run(cache, withTool("second")).read, 0);
});

test("a moving breakpoint in a growing conversation reads the previous turn's prefix (20-block lookback)", () => {
  const cache = new PromptCache(new ManualClock());
  const turn = (count: number): PromptRequest => {
    const messages: PromptRequest["messages"] = [];
    for (let index = 0; index < count; index += 1) {
      messages.push({ role: "user", content: [{ type: "text", text: `${textOfTokens(600, `turn${index}`)}` }] });
      messages.push({ role: "assistant", content: `answer ${index}` });
    }
    messages.push({ role: "user", content: [{ type: "text", text: "next", cache_control: { type: "ephemeral" } }] });
    return { max_tokens: 10, messages };
  };
  const first = run(cache, turn(2));
  assert.ok(first.write5m > 1024);
  const second = run(cache, turn(3));
  assert.equal(second.read, 0, "the old breakpoint block ('next') is not a prefix of the new prompt");
  const third = run(cache, turn(3));
  assert.equal(third.read, second.write5m, "the same prompt again hits in full");
});

test("top-level cache_control caches up to the last block, and 1h breakpoints split from 5m ones", () => {
  const cache = new PromptCache(new ManualClock());
  const automatic: PromptRequest = { max_tokens: 10, cache_control: { type: "ephemeral" }, messages: [{ role: "user", content: textOfTokens(1500) }] };
  const written = run(cache, automatic);
  assert.equal(written.write5m, written.total);
  assert.equal(run(cache, automatic).read, written.total);

  const split: PromptRequest = {
    max_tokens: 10,
    system: [
      { type: "text", text: textOfTokens(1200, "one"), cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "text", text: textOfTokens(800, "two"), cache_control: { type: "ephemeral" } },
    ],
    messages: [{ role: "user", content: "q" }],
  };
  const both = run(new PromptCache(new ManualClock()), split);
  assert.ok(both.write1h >= 1200 && both.write1h < 1300, `1h part ${both.write1h}`);
  assert.ok(both.write5m >= 800 && both.write5m < 900, `5m part ${both.write5m}`);
});

test("a string content is the same prompt as one text block: a turn that sent its question as a marked block is read by the next, which sends it as a string", () => {
  const cache = new PromptCache(new ManualClock());
  const question = textOfTokens(2000);
  const first = run(cache, { max_tokens: 100, messages: [{ role: "user", content: [{ type: "text", text: question, cache_control: { type: "ephemeral" } }] }] });
  assert.ok(first.write5m >= 2000);
  const next = run(cache, {
    max_tokens: 100,
    messages: [
      { role: "user", content: question },
      { role: "assistant", content: "An answer." },
      { role: "user", content: [{ type: "text", text: "And then?", cache_control: { type: "ephemeral" } }] },
    ],
  });
  assert.equal(next.read, first.write5m, "the first message's prefix, 2 blocks before the breakpoint");
});
