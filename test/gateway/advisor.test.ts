/**
 * The advisor tool through the gateway, with the official SDK: it is never sent to a deployment
 * that does not run it (Bedrock), and a budgeted key holds what its consultations may cost.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { BetaAdvisorTool20260301 } from "@anthropic-ai/sdk/resources/beta/messages/messages";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { escapeRegExp } from "../helpers/escape-regexp.js";
import { catalog, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;

before(async () => {
  harness = await startHarness();
  client = harness.client();
});
after(async () => harness.close());

/** What `tokens` of output cost on a model's Claude API (global) rates today, from the catalog. */
function outputCost(model: string, tokens: number): bigint {
  return quote(catalog(), { model, provider: "anthropic", route: "global", at: new Date().toISOString().slice(0, 10), usage: { output: tokens } }).result.total;
}

const advisor: BetaAdvisorTool20260301 = { type: "advisor_20260301", name: "advisor", model: "claude-opus-4-6", max_uses: 1, max_tokens: 1024 };

test("a request with the advisor tool is refused before any upstream call where only Bedrock serves its model, and served where the Claude API does", async () => {
  const before = upstreamRequests(harness.bedrock);
  await assert.rejects(
    client.beta.messages.create({ model: "sonnet-via-bedrock", max_tokens: 50, betas: ["advisor-tool-2026-03-01"], tools: [advisor], messages: [{ role: "user", content: "Plan a refactor." }] }),
    (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError, String(error));
      assert.match(error.message, /can serve this request: bedrock-sonnet-us fails the advisor tool: it does not run it\. /);
      return true;
    },
  );
  assert.equal(upstreamRequests(harness.bedrock), before, "no Bedrock call");
  // The same request without the tool goes to Bedrock as ever; with it, to the Claude API only.
  const { response } = await client.beta.messages.create({ model: "claude-sonnet-4-6", max_tokens: 50, betas: ["advisor-tool-2026-03-01"], tools: [advisor], messages: [{ role: "user", content: "Plan a refactor." }] }).withResponse();
  assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
  assert.equal(upstreamRequests(harness.bedrock), before);
});

test("a budgeted key holds what the advisor's consultations may cost: a second request while the first is in flight is refused", async () => {
  // The Haiku 4.5 executor's hold is its 200 max_tokens of output and the input's estimate (a few
  // dozen tokens); one Opus 4.6 consultation adds at least its 1,024 tokens of output. The budget,
  // twice the executor's output, sits between the two, so only the advisor's part of the hold
  // refuses the second.
  const executorOutput = outputCost("claude-haiku-4-5", 200);
  const budget = 2n * executorOutput;
  assert.ok(outputCost("claude-opus-4-6", advisor.max_tokens ?? 0) > budget, "the case this checks: one consultation's output alone is over the budget");
  const { secret } = await harness.createKey({ name: "advisor-budget", budget: formatUsd(budget) });
  const burst = harness.client(secret);
  const ask = (tools: BetaAdvisorTool20260301[], index: number) =>
    burst.beta.messages.create({ model: "haiku-via-anthropic", max_tokens: 200, betas: ["advisor-tool-2026-03-01"], tools, messages: [{ role: "user", content: `hi ${index}` }] });
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 300 }, count: 1 }] });
  try {
    // Whichever is admitted first (on a loaded machine the later one may be), the other is refused while it is in flight.
    const results = await Promise.allSettled([ask([advisor], 0), new Promise((resolve) => setTimeout(resolve, 50)).then(() => ask([advisor], 1))]);
    assert.deepEqual(results.map((result) => result.status).sort(), ["fulfilled", "rejected"]);
    const refused = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    assert.ok(refused?.reason instanceof Anthropic.RateLimitError, String(refused?.reason));
    assert.match(refused.reason.message, new RegExp(`advisor-budget\\\\?" has spent \\$0 \\(and its requests in flight may cost up to \\$[\\d.]+\\) of its ${escapeRegExp(`$${formatUsd(budget)}`)} monthly budget`));
    // Without the tool the first request holds little enough that a second fits beside it.
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 300 }, count: 1 }] });
    const plain = await Promise.allSettled([ask([], 2), new Promise((resolve) => setTimeout(resolve, 50)).then(() => ask([], 3))]);
    assert.deepEqual(
      plain.map((result) => result.status),
      ["fulfilled", "fulfilled"],
    );
  } finally {
    harness.anthropic.setProfile("instant");
  }
});
