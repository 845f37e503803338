/** buildLedgerRow's timing (src/gateway/ledger-row.ts): latency and overhead are read once the row is priced. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGatewayConfig, type Deployment } from "../../src/config/load-gateway-config.js";
import { buildLedgerRow } from "../../src/gateway/ledger-row.js";
import type { AttemptRecord } from "../../src/ledger/ledger.js";
import { blockInForce } from "../../src/catalog/model.js";
import { parseUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { priceRequest } from "../../src/pricing/price-request.js";
import { catalog } from "../helpers/catalog.js";

test("a row's latency and overhead count the time up to the row being built, pricing and shadow costs included", () => {
  const deployments = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }", "{ id: a-sonnet-us, provider: a, model: claude-sonnet-4-6, route: us }");
  // The shadow-cost loop walks the candidates last: note when it has finished.
  let pricedAt = Number.POSITIVE_INFINITY;
  const candidates = {
    *[Symbol.iterator]() {
      yield* deployments;
      pricedAt = performance.now();
    },
  } as unknown as readonly (typeof deployments)[number][];
  const startedMs = performance.now() - 10;
  const { row } = buildLedgerRow({
    catalog: catalog(),
    requestId: "req_timing",
    startedAt: Date.now(),
    key: null,
    tags: {},
    requestedModel: "claude-sonnet-4-6",
    stream: false,
    attempts: [answeredBy("a-sonnet")],
    candidates,
    deployment: deployments[0],
    status: 200,
    usage: fromAnthropicUsage({ input_tokens: 10, output_tokens: 5 }),
    startedMs,
    upstreamMs: 4,
    ttftMs: 5,
    warnings: [],
  });
  assert.ok(row.latency_ms >= 10, `latency ${row.latency_ms}`);
  assert.ok(Number.isFinite(pricedAt), "shadow costs were priced");
  assert.ok(row.latency_ms >= Math.floor((pricedAt - startedMs) * 1000) / 1000, "the latency is read after pricing, shadow costs included");
  assert.ok(Math.abs(row.overhead_ms - (row.latency_ms - 4)) < 1e-6, "overhead = latency - upstream time");
  assert.ok(row.latency_ms < 10 + 1_000, "measured when the row is built, not later");
  assert.equal(typeof row.shadow_costs["a-sonnet-us"], "string");
});

test("an inexact cost with a known upper bound (cache writes of unknown TTL) charges the budget that bound; the row keeps both", () => {
  const deployment = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }")[0];
  const priced = buildLedgerRow({
    catalog: catalog(),
    requestId: "req_unsplit",
    startedAt: Date.UTC(2026, 10, 22),
    key: null,
    tags: {},
    requestedModel: "claude-sonnet-4-6",
    stream: true,
    attempts: [],
    candidates: [],
    deployment,
    status: 200,
    // Bedrock's invocation metrics give cache writes without their TTL.
    usage: { usage: { input: 10, output: 5, cacheWriteUnsplit: 1_000_000 }, format: "bedrock-metrics", warnings: [] },
    startedMs: performance.now(),
    upstreamMs: 0,
    ttftMs: undefined,
    warnings: [],
  });
  // 1M writes at the 5-minute $3.75 (up to the 1-hour $6), 10 input at $3, 5 output at $15.
  assert.equal(priced.row.cost_usd, "3.750105");
  assert.equal(priced.row.cost_usd_upper, "6.000105");
  assert.equal(priced.row.cost_exact, false);
  assert.equal(priced.charged, 6_000_105_000_000_000_000n, "the budget counts the bound");
});

test("a request the upstream ran in the US on its own (a workspace's default inference_geo) is priced at the catalog's us route, configured or not; without one it is a lower bound with no upper", () => {
  const [global, us, older] = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }", "{ id: a-sonnet-us, provider: a, model: claude-sonnet-4-6, route: us }", "{ id: a-sonnet-45, provider: a, model: claude-sonnet-4-5 }");
  const priced = (deployment: typeof global, candidates: readonly (typeof global)[]) =>
    buildLedgerRow(
      outcomeOf({
        deployment,
        candidates: candidates as NonNullable<typeof global>[],
        usage: fromAnthropicUsage({ input_tokens: 100_000, output_tokens: 0, inference_geo: "us" }),
      }),
    );
  // 100,000 input at $3 = 0.3, x1.1 on the us route, whether a us deployment is among the candidates or not.
  for (const candidates of [[global, us], [global]]) {
    const { row, charged } = priced(global, candidates);
    assert.equal(row.cost_usd, "0.33");
    assert.equal(row.cost_exact, true);
    assert.equal(row.cost_usd_upper, null, "an exact cost has no separate bound");
    assert.equal(charged, 330_000_000_000_000_000n);
    assert.ok(row.warnings.some((warning) => /inference_geo "us" ran.*priced at the us route's rates \(anthropic\/claude-sonnet-4-6\/us\)/.test(warning)), row.warnings.join("; "));
  }
  // Claude Sonnet 4.5 has no us route in the catalog: its global rates are a lower bound, and nothing bounds it above.
  const { row } = priced(older, [older]);
  assert.equal(row.cost_usd, "0.3");
  assert.equal(row.cost_exact, false);
  assert.equal(row.cost_usd_upper, null, "not the lower bound again");
  assert.ok(row.warnings.some((warning) => /the catalog has no "us" route of claude-sonnet-4-5/.test(warning)), row.warnings.join("; "));
});

/** The deployments of a config with providers a (the Claude API) and b (Bedrock in us-east-1), given its `deployments:` entries, in order. */
function deploymentsOf(...entries: string[]): Deployment[] {
  const text = `providers:\n  a: { kind: anthropic }\n  b: { kind: bedrock, region: us-east-1 }\ndeployments:\n${entries.map((entry) => `  - ${entry}\n`).join("")}`;
  return [...parseGatewayConfig(text, "t.yaml", catalog()).deployments.values()];
}

/** An attempt on the Claude API deployment `id` that it answered. */
function answeredBy(id: string): AttemptRecord {
  return { deployment: id, provider: "anthropic", status: 200, error: null, latency_ms: 4 };
}

/** An outcome for buildLedgerRow: one answered attempt, unless the fields say otherwise. */
function outcomeOf(fields: Partial<Parameters<typeof buildLedgerRow>[0]>): Parameters<typeof buildLedgerRow>[0] {
  return {
    catalog: catalog(),
    requestId: "req_case",
    startedAt: Date.UTC(2026, 10, 22),
    key: null,
    tags: {},
    requestedModel: "claude-sonnet-4-6",
    stream: false,
    attempts: [],
    candidates: [],
    deployment: undefined,
    status: 200,
    usage: undefined,
    startedMs: performance.now(),
    upstreamMs: 0,
    ttftMs: undefined,
    warnings: [],
    ...fields,
  };
}

test("the budget's charge: a usage with no bound at all is charged the hold, an unfinished attempt's answer its own bound; the ledger's sums hold only what the row states", () => {
  const deployment = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }")[0];
  const held = 1_000_000_000_000_000_000n; // $1

  // A Converse stream cut before its metadata: nothing reported, not even the input.
  const cut = buildLedgerRow(outcomeOf({ deployment, stream: true, held, maxTokens: 100, usage: { usage: {}, format: "bedrock-converse", warnings: [] }, streamError: "client_disconnected" }));
  assert.deepEqual([cut.row.cost_usd, cut.row.cost_exact, cut.row.cost_usd_upper], ["0", false, null]);
  assert.equal(cut.charged, held, "the hold, not $0");
  assert.equal(cut.stored, 0n, "no sum of the ledger holds it: the gateway keeps it");
  assert.ok(cut.row.warnings.includes("its usage was not reported in full and has no upper bound: its budget hold, $1, is charged to the key in its place (by this gateway, this month)"), cut.row.warnings.join("; "));

  // Answered after a timed-out attempt, the answer's output never reported: bounded by max_tokens,
  // charged that bound, but the row's upper bound is unknown (the timed-out attempt's share).
  const timedOut: AttemptRecord = { deployment: "other", provider: "bedrock", status: null, error: "timeout", latency_ms: 400 };
  const answered = answeredBy("a-sonnet");
  const attempts = [timedOut, answered];
  const bounded = buildLedgerRow(outcomeOf({ deployment, stream: true, held, maxTokens: 100, attempts, usage: fromAnthropicUsage({ input_tokens: 10 }) }));
  // 10 input at $3 = 0.00003; up to 100 output at $15 = 0.0015 more.
  assert.deepEqual([bounded.row.cost_usd, bounded.row.cost_exact, bounded.row.cost_usd_upper], ["0.00003", false, null]);
  assert.equal(bounded.charged, 1_530_000_000_000_000n, "the answer's own bound, not its lower bound");
  assert.equal(bounded.stored, 30_000_000_000_000n);

  // An attempt that failed after its 200 (a body cut off) may have been billed too.
  const afterAnswer = buildLedgerRow(
    outcomeOf({
      deployment,
      attempts: [{ ...timedOut, status: 200, error: "connection" }, answered],
      usage: fromAnthropicUsage({ input_tokens: 10, output_tokens: 0 }),
    }),
  );
  assert.deepEqual([afterAnswer.row.cost_usd, afterAnswer.row.cost_exact, afterAnswer.row.cost_usd_upper], ["0.00003", false, null]);
  assert.ok(afterAnswer.row.warnings.includes("the attempt on other failed after its 200 (connection): if the upstream had begun on it, it may bill what it processed, which it did not report"));

  // A request's own fault after a 2xx is impossible, and a plain refusal (a 400) bills nothing: exact.
  const refused = buildLedgerRow(outcomeOf({ deployment, attempts: [{ ...timedOut, status: 400, error: "invalid_request" }, answered], usage: fromAnthropicUsage({ input_tokens: 10, output_tokens: 0 }) }));
  assert.equal(refused.row.cost_exact, true);
});

test("unknown usage is not zero: an attempt cut before it reported anything charges the key its input's most (a stream) or its whole hold (a JSON answer), per attempt; one refused at connect charges nothing", () => {
  const deployment = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }")[0];
  const held = 1_000_000_000_000_000_000n; // $1
  const inputPart = 250_000_000_000_000_000n; // $0.25
  const heldInput = () => inputPart;
  const timedOut: AttemptRecord = { deployment: "a-sonnet", provider: "anthropic", status: null, error: "timeout", latency_ms: 400 };

  const stream = buildLedgerRow(outcomeOf({ stream: true, held, heldInput, status: 504, attempts: [timedOut] }));
  assert.deepEqual([stream.row.cost_usd, stream.row.cost_exact, stream.row.cost_usd_upper], ["0", false, null], "the row states only what it knows");
  assert.equal(stream.charged, inputPart, "a stream reports its input first: cut before that, the input at most was processed");
  assert.equal(stream.stored, 0n);
  assert.ok(stream.row.warnings.includes("usage not reported by a-sonnet: the most its input could cost, $0.25, is charged to the key in its place (by this gateway, this month)"), stream.row.warnings.join("; "));

  const gone: AttemptRecord = { ...timedOut, error: "client_disconnected" };
  const json = buildLedgerRow(outcomeOf({ held, heldInput, status: 499, attempts: [timedOut, gone] }));
  assert.equal(json.charged, 2n * held, "a JSON answer may have been written in full before each cut");
  assert.ok(json.row.warnings.some((warning) => warning.includes("its budget hold, the most it could cost, $1 for each of its 2 attempts")), json.row.warnings.join("; "));

  // Failed over: the answer's own cost plus the timed-out attempt's charge.
  const answered = answeredBy("a-sonnet");
  const failedOver = buildLedgerRow(outcomeOf({ deployment, held, heldInput, attempts: [timedOut, answered], usage: fromAnthropicUsage({ input_tokens: 10, output_tokens: 0 }) }));
  assert.equal(failedOver.charged, 30_000_000_000_000n + held);
  assert.equal(failedOver.stored, 30_000_000_000_000n);

  // A connection refused never reached the upstream, and a key without a budget holds nothing.
  const refused = buildLedgerRow(outcomeOf({ held, heldInput, status: 502, attempts: [{ ...timedOut, error: "connection" }] }));
  assert.equal(refused.charged, 0n);
  assert.equal(refused.row.cost_exact, true);
  const unbudgeted = buildLedgerRow(outcomeOf({ status: 504, attempts: [timedOut] }));
  assert.equal(unbudgeted.charged, 0n);
});

test("a stream cut before its message_delta: its upper bound counts max_uses of web searches too, and a web_search tool without max_uses leaves it unbounded (charged the hold)", () => {
  const deployment = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }")[0];
  const held = 1_000_000_000_000_000_000n; // $1
  const attempts: AttemptRecord[] = [answeredBy("a-sonnet")];
  const cut = (webSearchesAtMost: number | null) =>
    buildLedgerRow(outcomeOf({ deployment, stream: true, held, maxTokens: 100, webSearchesAtMost, attempts, usage: fromAnthropicUsage({ input_tokens: 10 }), streamError: "upstream_closed" }));
  // 10 input at $3 = 0.00003; up to 100 output at $15 = 0.0015 and 3 searches at $10 per 1,000 = 0.03 more.
  const bounded = cut(3);
  assert.deepEqual([bounded.row.cost_usd, bounded.row.cost_exact, bounded.row.cost_usd_upper], ["0.00003", false, "0.03153"]);
  assert.equal(bounded.charged, 31_530_000_000_000_000n);
  assert.ok(bounded.row.warnings.includes("output tokens not reported: cost_usd_upper counts max_tokens (100) of output and max_uses (3) of web searches"), bounded.row.warnings.join("; "));
  assert.equal(cut(0).row.cost_usd_upper, "0.00153", "no web search: output alone");
  const unbounded = cut(null);
  assert.deepEqual([unbounded.row.cost_usd_upper, unbounded.charged], [null, held]);
});

test("the advisor tool's sub-inferences are priced at the advisor's rates, not the executor's; an advisor the catalog cannot price leaves a lower bound and no shadows", () => {
  const [haiku, sonnet] = deploymentsOf("{ id: a-haiku, provider: a, model: claude-haiku-4-5, route: global }", "{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }");
  const answered = answeredBy("a-haiku");
  // Executor: Haiku 4.5 ($1 / $5); advisor: Opus 4.6 ($5 / $25) on the Anthropic API.
  const usageWith = (advisor: string) =>
    fromAnthropicUsage({
      input_tokens: 1_000,
      output_tokens: 400,
      iterations: [
        { type: "message", input_tokens: 400, output_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        { type: "advisor_message", model: advisor, input_tokens: 2_000, output_tokens: 600, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        { type: "message", input_tokens: 600, output_tokens: 300, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      ],
    });
  const { row } = buildLedgerRow(outcomeOf({ deployment: haiku, candidates: [haiku, sonnet] as never, usage: usageWith("claude-opus-4-6"), attempts: [answered] }));
  // 1,000 x $1 + 400 x $5 = $0.003 (the executor's), plus 2,000 x $5 + 600 x $25 = $0.025 (the advisor's).
  assert.equal(row.cost_usd, "0.028");
  assert.equal(row.cost_exact, true);
  assert.equal(row.input_tokens, 1_000, "the row's counts are the executor's");
  // Sonnet 4.6 ($3 / $15) with the same advisor: $0.009 + $0.025.
  assert.deepEqual(row.shadow_costs, { "a-sonnet": "0.034" });
  assert.ok(row.warnings.some((warning) => /1 advisor sub-inference .* priced at claude-opus-4-6's rates/.test(warning)), row.warnings.join("\n"));

  const unknown = buildLedgerRow(outcomeOf({ deployment: haiku, candidates: [haiku, sonnet] as never, usage: usageWith("claude-made-up-9"), attempts: [answered] })).row;
  assert.equal(unknown.cost_usd, "0.003", "the executor's part, a lower bound");
  assert.equal(unknown.cost_exact, false);
  assert.equal(unknown.cost_usd_upper, null);
  assert.deepEqual(unknown.shadow_costs, {});
  assert.ok(unknown.warnings.some((warning) => /the advisor's claude-made-up-9 tokens are not priced: the catalog does not know "claude-made-up-9"/.test(warning)), unknown.warnings.join("\n"));
});

test("a row with the advisor's tokens has no shadow cost on a deployment that does not run the tool (Bedrock)", () => {
  const [anthropic, bedrock] = deploymentsOf("{ id: a-haiku, provider: a, model: claude-haiku-4-5, route: global }", "{ id: b-haiku, provider: b, model: claude-haiku-4-5, route: global }");
  const answered = answeredBy("a-haiku");
  const advisor = { type: "advisor_message", model: "claude-opus-4-6", input_tokens: 2_000, output_tokens: 600, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const usage = fromAnthropicUsage({ input_tokens: 1_000, output_tokens: 400, iterations: [{ type: "message", input_tokens: 1_000, output_tokens: 400, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, advisor] });
  const { row } = buildLedgerRow(outcomeOf({ deployment: anthropic, candidates: [anthropic, bedrock] as never, usage, attempts: [answered] }));
  assert.equal(row.cost_exact, true);
  assert.deepEqual(row.shadow_costs, {});
  // Without the advisor's tokens the same usage has its Bedrock shadow as ever.
  const plain = buildLedgerRow(outcomeOf({ deployment: anthropic, candidates: [anthropic, bedrock] as never, usage: fromAnthropicUsage({ input_tokens: 1_000, output_tokens: 400 }), attempts: [answered] })).row;
  assert.deepEqual(Object.keys(plain.shadow_costs), ["b-haiku"]);
});

test("a server-side fallback's attempt is priced at the fallback model's rates in the row, and in its shadows (none on Bedrock, which does not run it)", () => {
  const [global, us, bedrock] = deploymentsOf("{ id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }", "{ id: a-sonnet-us, provider: a, model: claude-sonnet-4-6, route: us }", "{ id: b-sonnet, provider: b, model: claude-sonnet-4-6, route: global }");
  const answered = answeredBy("a-sonnet");
  const zero = { cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const usage = fromAnthropicUsage({
    input_tokens: 1_000,
    output_tokens: 400,
    iterations: [
      { type: "message", input_tokens: 1_000, output_tokens: 0, ...zero },
      { type: "fallback_message", model: "claude-opus-4-6", input_tokens: 1_000, output_tokens: 400, ...zero },
    ],
  });
  const { row } = buildLedgerRow(outcomeOf({ deployment: global, candidates: [global, us, bedrock] as never, usage, attempts: [answered] }));
  // Sonnet 4.6 read 1,000 ($3) and refused; Opus 4.6 read 1,000 ($5) and wrote 400 ($25): $0.003 + $0.015.
  assert.equal(row.cost_usd, "0.018");
  assert.equal(row.cost_exact, true);
  // inference_geo us: 1.1x on both models.
  assert.deepEqual(row.shadow_costs, { "a-sonnet-us": "0.0198" });
  assert.ok(row.warnings.some((warning) => warning.startsWith("1 fallback attempt (usage.iterations type fallback_message) priced at claude-opus-4-6's rates")), row.warnings.join("\n"));
});

test("an output never reported, with an advisor's sub-inferences that were: the upper bound counts the advisor's tokens too, never below the cost", () => {
  const [haiku] = deploymentsOf("{ id: a-haiku, provider: a, model: claude-haiku-4-5, route: global }");
  assert.ok(haiku);
  const advisor = { type: "advisor_message", model: "claude-opus-4-6", input_tokens: 2_000, output_tokens: 600, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const answered = answeredBy("a-haiku");
  const { row, charged } = buildLedgerRow(outcomeOf({ deployment: haiku, maxTokens: 100, attempts: [answered], usage: fromAnthropicUsage({ input_tokens: 1_000, iterations: [advisor] }) }));
  assert.equal(row.cost_exact, false);
  // The bound adds max_tokens of the executor's output to what is known, the advisor's part included.
  const block = blockInForce(haiku.offering, "2026-11-22");
  assert.ok(block);
  const output = priceRequest(haiku.offering, block, { output: 100 }).total;
  assert.equal(parseUsd(row.cost_usd_upper ?? "none"), parseUsd(row.cost_usd ?? "none") + output, `${row.cost_usd} .. ${row.cost_usd_upper}`);
  assert.equal(charged, parseUsd(row.cost_usd_upper ?? "none"));
});

test("a stream cut before its message_delta, from a request with an advisor tool or a fallbacks chain: another model's tokens went unreported too, so there is no upper bound (charged the hold)", () => {
  const [haiku] = deploymentsOf("{ id: a-haiku, provider: a, model: claude-haiku-4-5, route: global }");
  const held = 1_000_000_000_000_000_000n; // $1
  const attempts: AttemptRecord[] = [answeredBy("a-haiku")];
  const cut = (needs: { advisor?: boolean; fallbacks?: boolean }) =>
    buildLedgerRow(outcomeOf({ deployment: haiku, stream: true, held, maxTokens: 100, ...needs, attempts, usage: fromAnthropicUsage({ input_tokens: 10 }), streamError: "upstream_closed" }));
  assert.notEqual(cut({}).row.cost_usd_upper, null, "without either, max_tokens bounds it");
  for (const [needs, warning] of [
    [{ advisor: true }, "output tokens and the advisor's sub-inferences not reported (the request has an advisor tool): no upper bound"],
    [{ fallbacks: true }, "output tokens not reported, and a fallback model may have served the request (it has a fallbacks chain): no upper bound"],
  ] as const) {
    const unbounded = cut(needs);
    assert.deepEqual([unbounded.row.cost_exact, unbounded.row.cost_usd_upper, unbounded.charged], [false, null, held], warning);
    assert.ok(unbounded.row.warnings.includes(warning), unbounded.row.warnings.join("; "));
  }
  // The advisor's sub-inferences reported (an answer that left out only the top-level output): bounded, with them.
  const advisorUsage = { type: "advisor_message", model: "claude-opus-4-6", input_tokens: 2_000, output_tokens: 600, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const reported = buildLedgerRow(outcomeOf({ deployment: haiku, maxTokens: 100, advisor: true, attempts, usage: fromAnthropicUsage({ input_tokens: 10, iterations: [advisorUsage] }) }));
  assert.notEqual(reported.row.cost_usd_upper, null);
});
