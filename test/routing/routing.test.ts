/** Route choice is a pure function of the request, the deployments, a health snapshot and affinity. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { AffinityTable } from "../../src/routing/affinity.js";
import { cachePrefixes, longestCacheTtl } from "../../src/routing/cache-prefixes.js";
import { blockInForce } from "../../src/catalog/model.js";
import { Decimal } from "../../src/pricing/decimal.js";
import { moneyFromUsd } from "../../src/pricing/money.js";
import { budgetHold, deploymentsFor, rankCandidates, type RouteInput } from "../../src/routing/candidates.js";
import { DEFAULT_HEALTH, HealthBook } from "../../src/routing/health.js";
import { combinePolicy, parseRouteHeader, PolicyError, type RoutingPolicy } from "../../src/routing/policy.js";
import { readOtherModels, readRequestNeeds } from "../../src/routing/request-needs.js";
import { RateLimiter } from "../../src/gateway/rate-limiter.js";
import { catalog } from "../helpers/catalog.js";

const config = parseGatewayConfig(
  `
providers:
  anthropic: { kind: anthropic }
  bedrock-us: { kind: bedrock, region: us-east-1 }
  bedrock-eu: { kind: bedrock, region: eu-west-1 }
  bedrock-gov: { kind: bedrock, region: us-gov-west-1 }
deployments:
  - { id: a-global, provider: anthropic, model: claude-sonnet-4-6, route: global }
  - { id: a-us, provider: anthropic, model: claude-sonnet-4-6, route: us }
  - { id: b-global, provider: bedrock-us, model: claude-sonnet-4-6, route: global }
  - { id: b-us, provider: bedrock-us, model: claude-sonnet-4-6, route: us }
  - { id: b-eu, provider: bedrock-eu, model: claude-sonnet-4-6, route: eu }
`,
  "routing-test.yaml",
  catalog(),
);
const all = [...config.deployments.values()];
const cheapest: RoutingPolicy = { residency: "any", compliance: [], billing: "any", objective: "cheapest", weights: { cost: 1, latency: 0 } };

function input(overrides: Partial<RouteInput> = {}): RouteInput {
  const body = { model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };
  return {
    deployments: all,
    policy: cheapest,
    needs: readRequestNeeds(body, undefined),
    knownBetas: catalog().data.betas,
    files: config.files,
    inputTokens: 1000,
    maxTokens: 100,
    prefixes: [],
    holdings: new Map(),
    health: new Map(),
    at: "2026-11-22",
    rotation: 0,
    ...overrides,
  };
}
const ids = (ranking: ReturnType<typeof rankCandidates>) => ranking.ranked.map((candidate) => candidate.deployment.id);

test("cheapest: global routes (1x) before regional and inference_geo us (1.1x)", () => {
  const ranking = rankCandidates(input());
  // 1,000 input x $3 + 100 output x $15 = $0.0045 on global; x1.1 = $0.00495 on us/eu routes
  assert.deepEqual(ids(ranking).slice(0, 2).sort(), ["a-global", "b-global"]);
  assert.deepEqual(ids(ranking).slice(2).sort(), ["a-us", "b-eu", "b-us"]);
  assert.equal(ranking.ranked[0]?.expectedCost, 4_500_000_000_000_000n);
  assert.equal(ranking.ranked[2]?.expectedCost, 4_950_000_000_000_000n);
});

test("ties rotate so equally cheap deployments share the load", () => {
  const first = ids(rankCandidates(input({ rotation: 0 })))[0];
  const second = ids(rankCandidates(input({ rotation: 1 })))[0];
  assert.notEqual(first, second);
});

test("residency is a hard constraint, and the refusal names it", () => {
  const eu = rankCandidates(input({ policy: { ...cheapest, residency: "eu" } }));
  assert.deepEqual(ids(eu), ["b-eu"]);
  assert.ok(eu.excluded.every((exclusion) => exclusion.rule === "constraint" && /residency=eu/.test(exclusion.reason)));
  const jp = rankCandidates(input({ policy: { ...cheapest, residency: "jp" } }));
  assert.deepEqual(ids(jp), []);
  // us accepts the US routes only: global routing may leave the US
  assert.deepEqual(ids(rankCandidates(input({ policy: { ...cheapest, residency: "us" } }))).sort(), ["a-us", "b-us"]);
});

test("billing aws-invoice keeps only Bedrock; compliance needs every programme listed", () => {
  assert.ok(ids(rankCandidates(input({ policy: { ...cheapest, billing: "aws-invoice" } }))).every((id) => id.startsWith("b-")));
  const impossible = rankCandidates(input({ policy: { ...cheapest, compliance: ["made-up-programme"] } }));
  assert.equal(impossible.ranked.length, 0);
  assert.match(impossible.excluded[0]?.reason ?? "", /compliance=made-up-programme/);
});

test("what the request needs: inference_geo us keeps the us routes; a needed beta Bedrock does not accept excludes Bedrock, others do not", () => {
  const geo = readRequestNeeds({ inference_geo: "us", messages: [] }, undefined);
  assert.deepEqual(ids(rankCandidates(input({ needs: geo }))).sort(), ["a-us", "b-us"]);
  // tool-search-tool-2025-10-19 is needed (catalog/betas.yaml) and not on Bedrock's list for Sonnet 4.6.
  const needed = rankCandidates(input({ needs: readRequestNeeds({ messages: [] }, "tool-search-tool-2025-10-19") }));
  assert.deepEqual(ids(needed).sort(), ["a-global", "a-us"]);
  assert.deepEqual(
    needed.excluded.filter((exclusion) => exclusion.rule === "need").map((exclusion) => [exclusion.deployment, exclusion.reason]),
    ["b-global", "b-us", "b-eu"].map((id) => [id, "anthropic-beta tool-search-tool-2025-10-19: the request needs it, and the deployment does not accept it"]),
  );
  // A beta the catalog does not know, or knows as not needed, is left off where it is not accepted: every deployment stays.
  assert.equal(ids(rankCandidates(input({ needs: readRequestNeeds({ messages: [] }, "some-unknown-beta-2099-01-01, claude-code-20250219") }))).length, all.length);
});

test("cache affinity: the deployment holding the prefix is cheaper there than a rewrite elsewhere, even at 1.1x", () => {
  const body = {
    model: "claude-sonnet-4-6",
    max_tokens: 100,
    system: [{ type: "text", text: "x".repeat(40_000), cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "question" }],
  };
  const prefixes = cachePrefixes(body);
  assert.equal(prefixes.length, 1);
  const table = new AffinityTable();
  table.remember(prefixes, "b-us");
  const ranking = rankCandidates(input({ prefixes, holdings: table.holdings(prefixes), inputTokens: 10_100 }));
  assert.equal(ids(ranking)[0], "b-us", "reads at $0.33 beat writes at $3.75");
  const holder = ranking.ranked[0];
  assert.equal(holder?.expectedUsage.cacheRead, prefixes[0]?.tokens);
  assert.equal(ranking.ranked[1]?.expectedUsage.cacheWrite5m, prefixes[0]?.tokens);
});

test("fast mode (speed: fast): ranked and held at the fast rates, and never sent where the price block has none", () => {
  const opus = parseGatewayConfig(
    `
providers:
  anthropic: { kind: anthropic }
  bedrock-us: { kind: bedrock, region: us-east-1 }
deployments:
  - { id: opus-bedrock, provider: bedrock-us, model: claude-opus-4-8, route: global }
  - { id: opus-anthropic, provider: anthropic, model: claude-opus-4-8, route: global }
`,
    "fast-test.yaml",
    catalog(),
  );
  const body = { model: "claude-opus-4-8", max_tokens: 100, speed: "fast", messages: [{ role: "user", content: "hi" }] };
  const needs = readRequestNeeds(body, undefined);
  assert.equal(needs.fast, true);
  const ranking = rankCandidates(input({ deployments: [...opus.deployments.values()], needs }));
  assert.deepEqual(ids(ranking), ["opus-anthropic"]);
  assert.match(ranking.excluded.find((exclusion) => exclusion.deployment === "opus-bedrock")?.reason ?? "", /fast mode is not available/);
  // 1,000 input x $10 + 100 output x $50 (fast; standard is $5/$25) = $0.015.
  assert.equal(ranking.ranked[0]?.expectedCost, 15_000_000_000_000_000n);
  assert.equal(budgetHold(ranking.ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined, fast: true }), 15_000_000_000_000_000n);
  assert.equal(budgetHold(ranking.ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined }), 7_500_000_000_000_000n, "standard speed");
});

test("budgetHold: all of max_tokens and all input at the priciest rate it can be billed at, on the priciest of the candidates", () => {
  const ranked = rankCandidates(input({ maxTokens: 8192 })).ranked;
  assert.equal(ranked[0]?.deployment.id === "a-global" || ranked[0]?.deployment.id === "b-global", true, "a global route ranks first");
  // Cheapest first (global, 1x), but a us route (1.1x) may be tried too: the hold is its figure.
  // 1,000 input x $3 + 8,192 output x $15 = $0.125880, x1.1.
  assert.equal(budgetHold(ranked, { inputTokens: 1000, maxTokens: 8192, cacheTtl: undefined }), 138_468_000_000_000_000n);
  assert.equal(budgetHold(ranked.slice(0, 1), { inputTokens: 1000, maxTokens: 8192, cacheTtl: undefined }), 125_880_000_000_000_000n, "only the first: 1x");
  // With a 1-hour breakpoint every input token may be a 1-hour write ($6 on Sonnet): (1,000 x $6 + 100 x $15) x1.1.
  assert.equal(budgetHold(ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: "1h" }), 8_250_000_000_000_000n);
  assert.equal(budgetHold(ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: "5m" }), (3_750n + 1_500n) * 1_100_000_000_000n);
  assert.equal(budgetHold([], { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined }), 0n);
  // A block with no 1-hour rate (Sonnet 4 on Bedrock) holds the 5-minute write, not nothing.
  const sonnet4 = parseGatewayConfig(
    `providers:\n  bedrock: { kind: bedrock, region: us-east-1 }\ndeployments:\n  - { id: b-sonnet-4, provider: bedrock, model: claude-sonnet-4, route: global }\n`,
    "sonnet-4.yaml",
    catalog(),
  );
  const only = rankCandidates(input({ deployments: [...sonnet4.deployments.values()] })).ranked;
  assert.equal(only.length, 1);
  const fiveMinute = budgetHold(only, { inputTokens: 1000, maxTokens: 100, cacheTtl: "5m" });
  assert.ok(fiveMinute > 0n);
  assert.equal(budgetHold(only, { inputTokens: 1000, maxTokens: 100, cacheTtl: "1h" }), fiveMinute);
  assert.ok(fiveMinute > budgetHold(only, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined }), "the 5-minute write rate, not the plain input rate");
});

test("budgetHold: a server-side fallback chain adds every hop: the request's input, billed as the request's breakpoints write it, at the hop model's rates, and its max_tokens (else the request's)", () => {
  const body = { model: "claude-sonnet-4-6", max_tokens: 4000, fallbacks: [{ model: "claude-opus-4-8" }, { model: "claude-opus-4-6", max_tokens: 500 }, { max_tokens: 9 }], messages: [] };
  const { fallbacks } = readOtherModels(body);
  assert.deepEqual(fallbacks, [{ model: "claude-opus-4-8", maxTokens: undefined }, { model: "claude-opus-4-6", maxTokens: 500 }], "an entry without a model is no hop");
  assert.equal(readRequestNeeds(body, undefined).fallbacks, true);
  assert.equal(readRequestNeeds({ ...body, fallbacks: [{ max_tokens: 9 }, null] }, undefined).fallbacks, false, "no entry names a model: no chain");
  const global = rankCandidates(input({ deployments: all.filter((deployment) => deployment.id === "a-global") })).ranked;
  const request = { inputTokens: 1000, maxTokens: 4000, cacheTtl: undefined };
  const plain = budgetHold(global, request);
  /** One call on a model's Claude API (global) rates that day, from the catalog: input at the rate `billed` names. */
  const call = (model: string, reads: number, writes: number, billed: "input" | "cacheWrite1h" = "input") => {
    const offering = catalog().findOffering("anthropic", model, "global");
    const rates = offering && blockInForce(offering, "2026-11-22")?.standard;
    const rate = rates?.[billed];
    assert.ok(rates && rate, `${model} ${billed}`);
    return moneyFromUsd(rate.mul(Decimal.fromInteger(reads)).add(rates.output.mul(Decimal.fromInteger(writes))).div(Decimal.fromInteger(1_000_000), 18));
  };
  const held = budgetHold(global, request, { advisors: [], fallbacks, catalog: catalog(), at: "2026-11-22" });
  assert.equal(held - plain, call("claude-opus-4-8", 1000, 4000) + call("claude-opus-4-6", 1000, 500), "no breakpoint: plain input");
  // The fallback model reads the same request: a 1-hour breakpoint is a 1-hour write there too.
  const cached = { ...request, cacheTtl: "1h" as const };
  const heldCached = budgetHold(global, cached, { advisors: [], fallbacks, catalog: catalog(), at: "2026-11-22" });
  assert.equal(heldCached - budgetHold(global, cached), call("claude-opus-4-8", 1000, 4000, "cacheWrite1h") + call("claude-opus-4-6", 1000, 500, "cacheWrite1h"));
  assert.equal(budgetHold(global, request, { advisors: [], fallbacks: [{ model: "claude-opus-9", maxTokens: undefined }], catalog: catalog(), at: "2026-11-22" }), plain, "a model the catalog cannot price is not held for");
});

test("longestCacheTtl: the longest TTL any breakpoint asks for, the top-level one included", () => {
  const text = (cache?: Record<string, unknown>) => ({ type: "text", text: "x", ...(cache ? { cache_control: cache } : {}) });
  assert.equal(longestCacheTtl({ messages: [{ role: "user", content: [text()] }] }), undefined);
  assert.equal(longestCacheTtl({ system: [text({ type: "ephemeral" })], messages: [] }), "5m");
  assert.equal(longestCacheTtl({ system: [text({ type: "ephemeral" })], messages: [{ role: "user", content: [text({ type: "ephemeral", ttl: "1h" })] }] }), "1h");
  assert.equal(longestCacheTtl({ cache_control: { type: "ephemeral" }, messages: [{ role: "user", content: "hi" }] }), "5m");
  assert.equal(longestCacheTtl({ cache_control: { type: "ephemeral", ttl: "1h" }, messages: [{ role: "user", content: [text({ type: "ephemeral" })] }] }), "1h");
  assert.equal(longestCacheTtl({ tools: [{ name: "t", input_schema: {}, cache_control: { type: "ephemeral", ttl: "1h" } }], messages: [] }), "1h");
  // A breakpoint inside a tool_result's content counts too.
  const nested = { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [text({ type: "ephemeral", ttl: "1h" })] }] }] };
  assert.equal(longestCacheTtl(nested), "1h");
  assert.equal(readRequestNeeds(nested, undefined).cacheTtl, "1h", "the request's needs carry it: routing and the budget hold read one walk");
  // The cacheable prefixes see the same breakpoint: affinity and expected cost agree with the hold.
  assert.deepEqual(cachePrefixes({ model: "m", ...nested }).map((prefix) => prefix.ttl), ["1h"]);
  // A cache_control in a tool's input or schema is the client's data, not a breakpoint.
  const data = { type: "ephemeral", ttl: "1h" };
  assert.equal(longestCacheTtl({ messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n", input: { cache_control: data } }] }] }), undefined);
  assert.equal(longestCacheTtl({ tools: [{ name: "t", input_schema: { type: "object", properties: { cache_control: data } } }], messages: [] }), undefined);
});

test("the affinity entry expires with its TTL", () => {
  let now = 0;
  const table = new AffinityTable(10, () => now);
  const prefixes = [{ hash: "h", tokens: 5000, ttl: "5m" as const }];
  table.remember(prefixes, "a-global");
  now = 5 * 60_000 - 1;
  assert.equal(table.holdings(prefixes).size, 1);
  now = 5 * 60_000;
  assert.equal(table.holdings(prefixes).size, 0);
});

test("remember returns the news for other replicas: new, moved, or a tenth of the TTL since told; heard news is never returned", () => {
  let now = 0;
  const table = new AffinityTable(10, () => now);
  const five = { hash: "five", tokens: 5000, ttl: "5m" as const };
  const hour = { hash: "hour", tokens: 9000, ttl: "1h" as const };
  const hashes = (prefixes: { hash: string }[]) => prefixes.map((prefix) => prefix.hash);
  assert.deepEqual(hashes(table.remember([five, hour], "a-global")), ["five", "hour"], "new");
  now = 29_999;
  assert.deepEqual(hashes(table.remember([five, hour], "a-global")), [], "a hit within a tenth of the TTL");
  now = 30_000;
  assert.deepEqual(hashes(table.remember([five, hour], "a-global")), ["five"], "a tenth of 5 minutes since told");
  assert.deepEqual(hashes(table.remember([hour], "b-us")), ["hour"], "moved");
  assert.deepEqual(hashes(table.remember([{ hash: "heard", tokens: 1, ttl: "5m" }], "b-us", true)), [], "heard from another replica");
  assert.deepEqual(hashes(table.remember([{ hash: "heard", tokens: 1, ttl: "5m" }], "b-us")), [], "and already told");
});

test("fastest uses live time to first token", () => {
  const book = new HealthBook(DEFAULT_HEALTH, () => 1000);
  for (let index = 0; index < 5; index += 1) {
    book.record("b-eu", "success", { ttftMs: 50, totalMs: 100 });
    book.record("a-global", "success", { ttftMs: 400, totalMs: 900 });
  }
  const ranking = rankCandidates(input({ policy: { ...cheapest, objective: "fastest" }, health: book.snapshot() }));
  assert.equal(ids(ranking)[0], "b-eu");
});

test("circuit breaker: opens after consecutive failures, half-opens after the cooldown for one probe, closes on success", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 3, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  for (let index = 0; index < 3; index += 1) book.record("a-global", "failure");
  assert.equal(book.snapshot().get("a-global")?.state, "open");
  let ranking = rankCandidates(input({ health: book.snapshot() }));
  assert.ok(!ids(ranking).includes("a-global"));
  assert.ok(ranking.excluded.some((exclusion) => exclusion.deployment === "a-global" && exclusion.rule === "health"));
  now = 1000;
  assert.equal(book.snapshot().get("a-global")?.state, "half_open");
  book.begin("a-global");
  assert.equal(book.snapshot().get("a-global")?.unavailable, true, "one probe at a time");
  book.record("a-global", "failure");
  assert.equal(book.snapshot().get("a-global")?.state, "open");
  assert.equal(book.snapshot().get("a-global")?.openUntil, 1000 + 2000, "the cooldown doubles on re-open");
  now = 3000;
  book.begin("a-global");
  book.record("a-global", "success", { ttftMs: 10, totalMs: 20 });
  assert.equal(book.snapshot().get("a-global")?.state, "closed");
  ranking = rankCandidates(input({ health: book.snapshot() }));
  assert.ok(ids(ranking).includes("a-global"));
});

test("an attempt that ends without a word on health (client gone, request at fault) releases the half-open probe; one begun before the circuit opened does not", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 1, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  const old = book.begin("a-global");
  now = 10;
  book.record("a-global", "failure", { attempt: book.begin("a-global") });
  now = 1010;
  const probe = book.begin("a-global");
  assert.equal(book.snapshot().get("a-global")?.unavailable, true, "the probe is out");
  book.settle(old);
  assert.equal(book.snapshot().get("a-global")?.unavailable, true, "not the probe: it began before the circuit opened");
  // A last-resort attempt sent while the probe is out, whose client leaves, is not the probe either.
  now = 1020;
  const lastResort = book.begin("a-global");
  book.settle(lastResort);
  assert.equal(book.snapshot().get("a-global")?.unavailable, true, "only the probe's own end releases it");
  book.settle(probe);
  assert.equal(book.snapshot().get("a-global")?.state, "half_open");
  assert.equal(book.snapshot().get("a-global")?.unavailable, false, "the next request may probe");
  assert.equal(book.snapshot().get("a-global")?.failures, 1, "nothing was counted");
});

test("attempts are told apart by their tokens, not the clock: one begun in the probe's millisecond is not the probe, and one begun after an opening is fresh though the clock stepped back", () => {
  let now = 5_000;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 1, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  book.record("a-global", "failure");
  now = 6_000;
  const probe = book.begin("a-global");
  const lastResort = book.begin("a-global");
  book.settle(lastResort);
  assert.equal(book.snapshot().get("a-global")?.unavailableReason, "circuit half-open: a probe is in flight", "the same millisecond, but not the probe");
  book.record("a-global", "failure", { attempt: probe });
  assert.equal(book.snapshot().get("a-global")?.state, "open", "the probe failed: open again until 8,000");
  // The clock steps back (NTP) to before the opening; an attempt begun now is still after it.
  now = 4_000;
  const afterStep = book.begin("a-global");
  book.record("a-global", "success", { ttftMs: 5, totalMs: 5, attempt: afterStep });
  assert.equal(book.snapshot().get("a-global")?.state, "closed", "a fresh success closes the circuit whatever the clock says");
});

test("reset() forgets the circuits but not their openings: an attempt begun before a reset and the next opening is still old news", () => {
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 1, cooldownMs: 1000, snapshotMs: 0 }, () => 0);
  book.record("a-global", "failure");
  const lastResort = book.begin("a-global");
  book.reset();
  book.record("a-global", "failure");
  book.record("a-global", "success", { ttftMs: 5, totalMs: 5, attempt: lastResort });
  assert.equal(book.snapshot().get("a-global")?.state, "open", "begun before this opening: it does not close the circuit");
});

test("attempts begun before the circuit last opened are no samples: the error-rate rule does not count them once a probe has closed it", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 100, errorRateThreshold: 0.5, minSamples: 3, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  const old = book.begin("a-global");
  now = 10;
  book.hear("a-global", { kind: "opened", forMs: 1000, cooldownMs: 1000 }, "replica-a");
  now = 1010;
  book.record("a-global", "success", { ttftMs: 5, totalMs: 5, attempt: book.begin("a-global") });
  assert.equal(book.snapshot().get("a-global")?.state, "closed");
  for (let index = 0; index < 3; index += 1) book.record("a-global", "failure", { totalMs: 5, attempt: old });
  book.record("a-global", "success", { ttftMs: 5, totalMs: 5, attempt: book.begin("a-global") });
  book.record("a-global", "failure", { totalMs: 5, attempt: book.begin("a-global") });
  const health = book.snapshot().get("a-global");
  assert.equal(health?.state, "closed", "1 fresh failure in 3 fresh samples is under the 50% rule; the 3 old ones are not samples");
  assert.equal(health?.failures, 4, "every failure still counts in the totals");
  assert.equal(health?.samples, 3);
});

test("the failures that opened a circuit do not open it again once a probe has closed it: the error-rate rule counts samples since the last opening", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 100, minSamples: 4, errorRateThreshold: 0.5, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  for (let index = 0; index < 4; index += 1) book.record("a-global", "failure", { totalMs: 5, attempt: book.begin("a-global") });
  assert.equal(book.snapshot().get("a-global")?.state, "open");
  now = 1000;
  book.record("a-global", "success", { ttftMs: 5, totalMs: 5, attempt: book.begin("a-global") });
  assert.equal(book.snapshot().get("a-global")?.state, "closed");
  now = 1001;
  book.record("a-global", "failure", { totalMs: 5, attempt: book.begin("a-global") });
  assert.equal(book.snapshot().get("a-global")?.state, "closed", "2 samples since the opening, under minSamples: the 4 before it are not counted again");
});

test("throttles with a retry-after are cooled, not counted as failures by the error-rate rule; a probe throttled so cools without re-opening", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 100, minSamples: 20, errorRateThreshold: 0.5, cooldownMs: 1000, snapshotMs: 0 }, () => now);
  for (let index = 0; index < 10; index += 1) book.record("a-global", "success", { ttftMs: 5, totalMs: 5 });
  for (let index = 0; index < 9; index += 1) book.record("a-global", "throttled", { retryAfterMs: 100 });
  book.record("a-global", "failure");
  assert.equal(book.snapshot().get("a-global")?.state, "closed", "1 failure in 20 samples (the 9 throttles said when to come back)");
  // Throttles without a retry-after are failures for the rule, as for the consecutive count.
  for (let index = 0; index < 17; index += 1) book.record("a-global", "throttled");
  assert.equal(book.snapshot().get("a-global")?.state, "closed", "18 failures in 37");
  book.record("a-global", "throttled");
  assert.equal(book.snapshot().get("a-global")?.state, "open", "19 in 38: half");
  now = 2000;
  assert.equal(book.snapshot().get("a-global")?.state, "half_open");
  book.record("a-global", "throttled", { retryAfterMs: 500, attempt: book.begin("a-global") });
  const probed = book.snapshot().get("a-global");
  assert.equal(probed?.state, "half_open", "not re-opened with a doubled cooldown");
  assert.equal(probed?.unavailable, true, "cooling until the retry-after");
  now = 2500;
  assert.equal(book.snapshot().get("a-global")?.unavailable, false, "the next request may probe");
});

test("the last resort is tried soonest-available first, whether a deployment is open or cooling", () => {
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 1, cooldownMs: 5_000, snapshotMs: 0 }, () => 0);
  book.record("b-eu", "throttled", { retryAfterMs: 300_000 });
  book.record("a-global", "failure");
  const ranking = rankCandidates(input({ deployments: all.filter((deployment) => deployment.id === "b-eu" || deployment.id === "a-global"), health: book.snapshot() }));
  assert.equal(ranking.lastResort, true);
  assert.deepEqual(ids(ranking), ["a-global", "b-eu"], "open for 5 s comes before cooling for 300 s");
});

test("a throttle with retry-after cools the deployment until then; when every candidate is unhealthy they are tried anyway", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, snapshotMs: 0 }, () => now);
  book.record("b-eu", "throttled", { retryAfterMs: 2000 });
  const eu = { ...cheapest, residency: "eu" as const };
  const ranking = rankCandidates(input({ policy: eu, health: book.snapshot() }));
  assert.equal(ranking.lastResort, true);
  assert.deepEqual(ids(ranking), ["b-eu"]);
  now = 2000;
  assert.equal(rankCandidates(input({ policy: eu, health: book.snapshot() })).lastResort, false);
});

test("policy layers only narrow: a request cannot lift its key's residency", () => {
  const key = combinePolicy(cheapest, { residency: "eu" });
  assert.equal(combinePolicy(key, parseRouteHeader("objective=fastest")).objective, "fastest");
  assert.throws(() => combinePolicy(key, parseRouteHeader("residency=us")), PolicyError);
  assert.deepEqual(parseRouteHeader("residency=eu; compliance=hipaa,soc2; billing=aws-invoice; weights=cost:0.7,latency:0.3"), {
    residency: "eu",
    compliance: ["hipaa", "soc2"],
    billing: "aws-invoice",
    weights: { cost: 0.7, latency: 0.3 },
    objective: "weighted",
  });
  assert.throws(() => parseRouteHeader("residency=mars"), /residency must be one of/);
  assert.throws(() => parseRouteHeader("colour=blue"), /unknown setting "colour"/);
});

test("rate limits refill continuously and say when to retry", () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  const limits = { requests_per_minute: 60 };
  for (let index = 0; index < 60; index += 1) limiter.admit("k", limits, 0);
  assert.throws(
    () => limiter.admit("k", limits, 0),
    (error: Error & { headers?: Record<string, string> }) => error.headers?.["retry-after"] === "1" && error.headers["anthropic-ratelimit-requests-limit"] === "60",
  );
  now = 1000; // one second refills one request
  const headers = limiter.admit("k", limits, 0);
  assert.equal(headers["anthropic-ratelimit-requests-remaining"], "0");
});

test("cache prefixes: one per breakpoint, in cache order, stable across requests that share them", () => {
  const system = [{ type: "text", text: "policy ".repeat(1000), cache_control: { type: "ephemeral", ttl: "1h" } }];
  const tools = [{ name: "lookup", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } }];
  const one = cachePrefixes({ model: "m", tools, system, messages: [{ role: "user", content: "first question" }] });
  const two = cachePrefixes({ model: "m", tools, system, messages: [{ role: "user", content: "another question" }] });
  assert.deepEqual(one.map((prefix) => prefix.ttl), ["5m", "1h"], "tools come before system");
  assert.deepEqual(one, two, "the messages after the last breakpoint do not matter");
  assert.ok((one[1]?.tokens ?? 0) > (one[0]?.tokens ?? 0));
  assert.deepEqual(cachePrefixes({ model: "m", messages: [{ role: "user", content: "no breakpoint" }] }), []);
  const automatic = cachePrefixes({ model: "m", cache_control: { type: "ephemeral" }, messages: [{ role: "user", content: "x" }] });
  assert.equal(automatic.length, 1, "top-level cache_control caches up to the last block");
  assert.notEqual(cachePrefixes({ model: "other", tools, system, messages: [] })[0]?.hash, one[0]?.hash, "prefixes are per model");
});

test("cache prefixes of a coding agent's conversation: a tool result's text, its id and is_error all count, the same conversation hashes the same", () => {
  const conversation = (result: Record<string, unknown>) => ({
    model: "m",
    messages: [
      { role: "user", content: "Read the file" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: { path: "/a" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "const a = 1;" }], ...result }, { type: "text", text: "Now fix it", cache_control: { type: "ephemeral" } }] },
    ],
  });
  const [base] = cachePrefixes(conversation({}));
  assert.ok(base);
  assert.equal(cachePrefixes(conversation({}))[0]?.hash, base.hash, "the same conversation, the same prefix");
  for (const [what, change] of [
    ["the result's text", { content: [{ type: "text", text: "const a = 2;" }] }],
    ["a string result", { content: "const a = 2;" }],
    ["is_error", { is_error: true }],
    ["the tool_use_id", { tool_use_id: "toolu_2" }],
    ["an image in the result", { content: [{ type: "text", text: "const a = 1;" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }],
  ] as const) {
    assert.notEqual(cachePrefixes(conversation(change))[0]?.hash, base.hash, what);
  }
  // The result's text moved out of it into a text block of its own is another prompt.
  const moved = conversation({ content: [] });
  (moved.messages[2]?.content as unknown[]).splice(1, 0, { type: "text", text: "const a = 1;" });
  assert.notEqual(cachePrefixes(moved)[0]?.hash, base.hash, "text inside a result and text after it differ");
  assert.ok(base.tokens > 0);
});

test("the health snapshot is reused between state changes and refreshed the moment availability changes", () => {
  let now = 0;
  const book = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 2, snapshotMs: 1000 }, () => now);
  book.record("d", "success", { ttftMs: 10, totalMs: 10 });
  const first = book.snapshot();
  book.record("d", "success", { ttftMs: 20, totalMs: 20 });
  assert.equal(book.snapshot(), first, "a success that changes no availability reuses the snapshot");
  book.record("d", "failure");
  book.record("d", "failure");
  assert.equal(book.snapshot().get("d")?.state, "open", "opening the circuit shows at once");
  now = 1;
  book.record("e", "throttled", { retryAfterMs: 500 });
  assert.equal(book.snapshot().get("e")?.unavailable, true, "cooling shows at once");
});

test("a Claude API id, dated or not, names the model on every provider; a provider's own wire id pins its deployments", () => {
  const haiku = parseGatewayConfig(
    `
providers:
  anthropic: { kind: anthropic }
  bedrock: { kind: bedrock, region: us-east-1 }
deployments:
  - { id: a-haiku, provider: anthropic, model: claude-haiku-4-5, route: global }
  - { id: b-haiku, provider: bedrock, model: claude-haiku-4-5, route: global }
  - { id: b-haiku-us, provider: bedrock, model: claude-haiku-4-5, route: us }
`,
    "haiku.yaml",
    catalog(),
  );
  const named = (name: string) => deploymentsFor(haiku, catalog(), name).map((deployment) => deployment.id);
  // What Claude Code sends: the dated id is the Anthropic API's wire id, but it names the model.
  assert.deepEqual(named("claude-haiku-4-5-20251001"), ["a-haiku", "b-haiku", "b-haiku-us"]);
  assert.deepEqual(named("claude-haiku-4-5"), ["a-haiku", "b-haiku", "b-haiku-us"]);
  const usProfile = haiku.deployments.get("b-haiku-us")?.upstreamModel ?? "";
  assert.match(usProfile, /^us\.anthropic\./);
  assert.deepEqual(named(usProfile), ["b-haiku-us"]);
  // Answers depend on the config alone: one per name and config, made once.
  assert.equal(deploymentsFor(haiku, catalog(), "claude-haiku-4-5-20251001"), deploymentsFor(haiku, catalog(), "claude-haiku-4-5-20251001"));
  const other = parseGatewayConfig("providers:\n  anthropic: { kind: anthropic }\ndeployments:\n  - { id: only, provider: anthropic, model: claude-haiku-4-5, route: global }\n", "other.yaml", catalog());
  assert.deepEqual(deploymentsFor(other, catalog(), "claude-haiku-4-5-20251001").map((deployment) => deployment.id), ["only"]);
  // Made-up names past the memory's cap are still answered (empty), each time.
  for (let index = 0; index < 1_100; index += 1) assert.equal(deploymentsFor(haiku, catalog(), `claude-made-up-${index}`).length, 0);
  // Misses are not remembered: a real name first asked for after them is remembered still.
  const bedrockBaseId = "anthropic.claude-haiku-4-5-20251001-v1:0";
  assert.equal(deploymentsFor(haiku, catalog(), bedrockBaseId).length, 3);
  assert.equal(deploymentsFor(haiku, catalog(), bedrockBaseId), deploymentsFor(haiku, catalog(), bedrockBaseId));
});

test("web search: max_uses bounds the searches a request may make, summed over its web_search tools; one without max_uses leaves them unbounded; the budget hold counts them at their fee", () => {
  const tool = (extra: Record<string, unknown>) => ({ type: "web_search_20250305", name: "web_search", ...extra });
  const needs = (tools: unknown[]) => readRequestNeeds({ model: "claude-sonnet-4-6", max_tokens: 100, tools, messages: [] }, undefined);
  assert.equal(needs([]).webSearchesAtMost, 0);
  assert.equal(needs([tool({ max_uses: 3 })]).webSearchesAtMost, 3);
  assert.equal(needs([tool({ max_uses: 3 }), tool({ max_uses: 2 }), { name: "get_weather", input_schema: {} }]).webSearchesAtMost, 5);
  assert.equal(needs([tool({ max_uses: 3 }), tool({})]).webSearchesAtMost, null, "one tool with no limit: no bound");
  assert.equal(needs([tool({ max_uses: "3" })]).webSearchesAtMost, null);

  const ranked = rankCandidates(input({ deployments: all.filter((deployment) => deployment.id === "a-global"), needs: needs([tool({ max_uses: 3 })]) })).ranked;
  assert.equal(ranked.length, 1);
  const plain = budgetHold(ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined });
  // Three searches at $10 per 1,000 = $0.03 more.
  assert.equal(budgetHold(ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined, webSearches: 3 }) - plain, 30_000_000_000_000_000n);
  assert.equal(budgetHold(ranked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined, webSearches: null }), plain, "unbounded searches cannot be held");
  // A block with no search fee (Bedrock's) holds its tokens all the same, not nothing.
  const bedrock = all.filter((deployment) => deployment.id === "b-global");
  const bedrockRanked = rankCandidates(input({ deployments: bedrock })).ranked;
  assert.equal(bedrockRanked[0]?.block.fees.webSearchPer1000, undefined, "the case this checks");
  assert.equal(budgetHold(bedrockRanked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined, webSearches: 3 }), budgetHold(bedrockRanked, { inputTokens: 1000, maxTokens: 100, cacheTtl: undefined }));
});

test("an advisor tool is read from the request's tools", () => {
  const needs = (tools: unknown[]) => readRequestNeeds({ model: "claude-haiku-4-5", max_tokens: 100, tools, messages: [] }, "advisor-tool-2026-03-01");
  assert.equal(needs([{ type: "advisor_20260301", name: "advisor", model: "claude-opus-4-6" }]).advisor, true);
  assert.equal(needs([{ name: "get_weather", input_schema: {} }]).advisor, false, "the beta header alone (Claude Code sends it on every request) is no advisor");
  // What bounds its consultations, read for a budget's hold.
  const advisors = (tools: unknown[]) => readOtherModels({ model: "claude-haiku-4-5", max_tokens: 100, tools, messages: [] }).advisors;
  assert.deepEqual(advisors([{ name: "get_weather", input_schema: {} }]), []);
  assert.deepEqual(advisors([{ type: "advisor_20260301", name: "advisor", model: "claude-opus-4-6", max_uses: 3, max_tokens: 2048 }]), [{ model: "claude-opus-4-6", maxUses: 3, maxTokens: 2048, cacheTtl: undefined }]);
  assert.deepEqual(advisors([{ type: "advisor_20260301", name: "advisor", max_uses: -1, max_tokens: "2048" }]), [{ model: undefined, maxUses: null, maxTokens: undefined, cacheTtl: undefined }], "bounds that are not counts bound nothing");
  // Its `caching` (not its cache_control, a breakpoint in the executor's prompt) is how the advisor's own prompt is cached.
  const cachedAt = (tool: Record<string, unknown>) => advisors([{ type: "advisor_20260301", name: "advisor", model: "claude-opus-4-6", ...tool }])[0]?.cacheTtl;
  assert.equal(cachedAt({ caching: { type: "ephemeral" } }), "5m");
  assert.equal(cachedAt({ caching: { type: "ephemeral", ttl: "1h" } }), "1h");
  assert.equal(cachedAt({ cache_control: { type: "ephemeral", ttl: "1h" } }), undefined);
  assert.equal(cachedAt({ caching: null }), undefined);
});

test("an advisor tool is not sent where it does not run (Bedrock, capabilities.advisor_tool false)", () => {
  const body = { model: "claude-sonnet-4-6", max_tokens: 100, tools: [{ type: "advisor_20260301", name: "advisor", model: "claude-opus-4-6" }], messages: [] };
  const ranking = rankCandidates(input({ needs: readRequestNeeds(body, "advisor-tool-2026-03-01") }));
  assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"]);
  for (const id of ["b-global", "b-us", "b-eu"]) {
    assert.deepEqual(ranking.excluded.find((exclusion) => exclusion.deployment === id), { deployment: id, reason: "the advisor tool: it does not run it", rule: "need" });
  }
});

test("a request with server-side fallback (its beta header) is not sent to Bedrock, which answers the header with a 400", () => {
  for (const beta of ["server-side-fallback-2026-06-01", "server-side-fallback-2026-07-01"]) {
    const body = { model: "claude-sonnet-4-6", max_tokens: 100, fallbacks: [{ model: "claude-opus-4-8" }], messages: [] };
    const ranking = rankCandidates(input({ needs: readRequestNeeds(body, beta) }));
    assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"], beta);
    assert.deepEqual(ranking.excluded.map((exclusion) => exclusion.deployment).sort(), ["b-eu", "b-global", "b-us"], beta);
    assert.ok(ranking.excluded.every((exclusion) => exclusion.reason.startsWith(`anthropic-beta ${beta}: the request needs it`)), beta);
  }
  // A `fallbacks` chain without the header: the catalog's capability keeps it off Bedrock all the same.
  const body = { model: "claude-sonnet-4-6", max_tokens: 100, fallbacks: [{ model: "claude-opus-4-8" }], messages: [] };
  const ranking = rankCandidates(input({ needs: readRequestNeeds(body, undefined) }));
  assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"]);
  assert.ok(ranking.excluded.every((exclusion) => exclusion.reason === "fallbacks: it does not run server-side fallback" && exclusion.rule === "need"));
});

test("budgetHold: an advisor tool adds max_uses consultations, each reading the whole transcript (plain input, or a cache write at its caching TTL) and writing its max_tokens", () => {
  const global = rankCandidates(input({ deployments: all.filter((deployment) => deployment.id === "a-global") })).ranked;
  const request = { inputTokens: 1000, maxTokens: 4000, cacheTtl: undefined };
  const plain = budgetHold(global, request);
  type Tool = { model: string | undefined; maxUses: number | null; maxTokens: number | undefined; cacheTtl?: "5m" | "1h" };
  const held = (advisors: Tool[]) => budgetHold(global, request, { advisors: advisors.map((tool) => ({ cacheTtl: undefined, ...tool })), fallbacks: [], catalog: catalog(), at: "2026-11-22" });
  // From the catalog: Opus 4.6's rates on the Claude API (global) that day.
  const opus = catalog().findOffering("anthropic", "claude-opus-4-6", "global");
  const rates = opus && blockInForce(opus, "2026-11-22")?.standard;
  assert.ok(rates?.cacheWrite1h && rates.cacheWrite5m, "the case this checks: Opus 4.6 has both cache-write rates");
  const consultation = (reads: number, writes: number, inputRate = rates.input) => inputRate.mul(Decimal.fromInteger(reads)).add(rates.output.mul(Decimal.fromInteger(writes))).div(Decimal.fromInteger(1_000_000), 18);
  // Two consultations, each reading 1,000 + 4,000 + 2 x 2,048 tokens and writing 2,048.
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: 2, maxTokens: 2048 }]) - plain, 2n * moneyFromUsd(consultation(1000 + 4000 + 2 * 2048, 2048)));
  // No max_tokens: the advisor model's output limit bounds each consultation.
  const limit = opus?.capabilities.max_output_tokens;
  assert.ok(limit !== undefined);
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: 1, maxTokens: undefined }]) - plain, moneyFromUsd(consultation(1000 + 4000 + limit, limit)));
  // Two tools add up.
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: 1, maxTokens: 2048 }, { model: "claude-opus-4-6", maxUses: 1, maxTokens: 2048 }]) - plain, 2n * moneyFromUsd(consultation(1000 + 4000 + 2048, 2048)));
  // A tool whose caching writes the advisor's prompt: each consultation's reading is a write at that TTL.
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: 2, maxTokens: 2048, cacheTtl: "1h" }]) - plain, 2n * moneyFromUsd(consultation(1000 + 4000 + 2 * 2048, 2048, rates.cacheWrite1h)));
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: 2, maxTokens: 2048, cacheTtl: "5m" }]) - plain, 2n * moneyFromUsd(consultation(1000 + 4000 + 2 * 2048, 2048, rates.cacheWrite5m)));
  // What cannot be bounded or priced is not held for (the row says so): no max_uses, no model, an unknown model.
  assert.equal(held([{ model: "claude-opus-4-6", maxUses: null, maxTokens: 2048 }]), plain);
  assert.equal(held([{ model: undefined, maxUses: 2, maxTokens: 2048 }]), plain);
  assert.equal(held([{ model: "claude-opus-9", maxUses: 2, maxTokens: 2048 }]), plain);
  assert.equal(held([]), plain);
});

/** Ranks a request of these messages (images and documents by URL: Bedrock takes base64 sources only). */
function rankMessages(messages: unknown[], deployments = all): ReturnType<typeof rankCandidates> {
  return rankCandidates(input({ deployments, needs: readRequestNeeds({ model: "claude-sonnet-4-6", max_tokens: 100, messages }, undefined) }));
}
const imageByUrl = { type: "image", source: { type: "url", url: "https://example.com/cat.png" } };
const base64Image = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };

test("the catalog keeps URL sources off Bedrock and Vertex AI (capabilities.url_sources false) and leaves them on the Claude API and Claude Platform on AWS", () => {
  for (const offering of catalog().offerings) {
    const expected = offering.provider === "bedrock" || offering.provider === "vertex" ? false : undefined;
    assert.equal(offering.capabilities.url_sources, expected, offering.key);
  }
});

test("an image by URL goes only where URL sources are fetched; the reason names where it is and what to do", () => {
  const ranking = rankMessages([{ role: "user", content: [{ type: "text", text: "What is this?" }, imageByUrl] }]);
  assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"]);
  for (const id of ["b-global", "b-us", "b-eu"]) {
    const exclusion = ranking.excluded.find((excluded) => excluded.deployment === id);
    assert.equal(exclusion?.rule, "need");
    assert.equal(
      exclusion?.reason,
      'messages.0.content.1.source.type "url" (an image by URL): it takes base64 images only (Switchyard does not fetch URLs): send the image as base64 data, or route the request to the Claude API or Claude Platform on AWS',
    );
  }
  // A base64 image goes anywhere.
  assert.equal(ids(rankMessages([{ role: "user", content: [base64Image] }])).length, all.length);
});

test("URL sources are found anywhere in the messages: a document, a tool result's content, a document's content source", () => {
  const documentByUrl = { type: "document", source: { type: "url", url: "https://example.com/report.pdf" } };
  const cases: [unknown[], string, "image" | "document"][] = [
    [[{ role: "user", content: [documentByUrl] }], "messages.0.content.0.source", "document"],
    [
      [
        { role: "user", content: "Look it up" },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "fetch", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "here" }, imageByUrl] }] },
      ],
      "messages.2.content.0.content.1.source",
      "image",
    ],
    [[{ role: "user", content: [{ type: "document", source: { type: "content", content: [{ type: "text", text: "a" }, imageByUrl] } }] }], "messages.0.content.0.source.content.1.source", "image"],
  ];
  for (const [messages, path, kind] of cases) {
    assert.deepEqual(readRequestNeeds({ messages }, undefined).urlSource, { path, kind });
    const ranking = rankMessages(messages);
    assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"], path);
    assert.ok(ranking.excluded.every((excluded) => excluded.reason.startsWith(`${path}.type "url"`)), path);
  }
  // A tool result's image counts as an image too.
  assert.equal(readRequestNeeds({ messages: cases[1]?.[0] }, undefined).images, true);
  assert.equal(readRequestNeeds({ messages: [{ role: "user", content: "hi" }, { role: "user", content: [{ type: "text", text: "x", source: { type: "url" } }] }] }, undefined).urlSource, undefined, "only images and documents have sources");
});

test("with only Bedrock deployments an image by URL is refused by routing, not sent", () => {
  const ranking = rankMessages([{ role: "user", content: [imageByUrl] }], all.filter((deployment) => deployment.provider.kind === "bedrock"));
  assert.deepEqual(ids(ranking), []);
  assert.equal(ranking.excluded.length, 3);
});

test("cache affinity follows a conversation whose breakpoint moves to its last block: the previous turn's prefix is found among the 20 boundaries before it, as the cache finds it", () => {
  const turn = (call: number) => [
    { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: `toolu_${call}`, name: "Read", input: { file_path: `/repo/file-${call}.ts` } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${call}`, content: [{ type: "text", text: "export const value = 1;\n".repeat(40) }] }] },
  ];
  const history = (turns: number) => [{ role: "user", content: "Fix the failing test. ".repeat(400) }, ...Array.from({ length: turns }, (_, call) => turn(call)).flat()];
  // Explicit caching as a coding agent does it: a marker on the last block only, moved every turn.
  const marked = (turns: number) => {
    const messages = structuredClone(history(turns)) as { content: Record<string, unknown>[] | string }[];
    const lastContent = messages.at(-1)?.content as Record<string, unknown>[];
    (lastContent.at(-1) as Record<string, unknown>).cache_control = { type: "ephemeral" };
    return { model: "claude-sonnet-4-6", max_tokens: 100, messages };
  };
  // Automatic caching: a top-level cache_control, which the API applies to the last block.
  const automatic = (turns: number) => ({ model: "claude-sonnet-4-6", max_tokens: 100, cache_control: { type: "ephemeral" }, messages: history(turns) });

  for (const [how, body] of [["marked", marked], ["automatic", automatic]] as const) {
    const table = new AffinityTable();
    const first = cachePrefixes(body(8));
    table.remember(first, "b-us");
    const lookback: string[] = [];
    const next = cachePrefixes(body(9), lookback);
    assert.equal(next.length, 1, `${how}: one breakpoint, on the last block`);
    assert.notEqual(next[0]?.hash, first[0]?.hash, `${how}: the breakpoint itself is a new prefix`);
    assert.equal(lookback.length, 19, `${how}: the 19 boundaries before the breakpoint are looked up too`);
    const held = table.holdings(next, lookback);
    assert.equal(held.get("b-us")?.tokens, first[0]?.tokens, `${how}: the previous turn's prefix, 3 blocks back, is held`);
    const ranking = rankCandidates(input({ prefixes: next, holdings: held, inputTokens: next[0]?.tokens ?? 0 }));
    assert.equal(ids(ranking)[0], "b-us", `${how}: reading the conversation beats writing it elsewhere`);
    assert.equal(ranking.ranked[0]?.expectedUsage.cacheRead, first[0]?.tokens);
    // Only breakpoints are remembered: a boundary is where a later request may read, not where this one wrote.
    assert.equal(table.remember(next, "b-us").length, 1);

    // 11 turns on (22 blocks), the previous prefix is beyond the cache's reach, and the gateway's.
    const far: string[] = [];
    const farPrefixes = cachePrefixes(body(19), far);
    const fresh = new AffinityTable();
    fresh.remember(first, "b-us");
    assert.equal(fresh.holdings(farPrefixes, far).size, 0, `${how}: 22 blocks back is out of reach`);
  }
  // Without the lookups (affinity off) nothing is hashed but the breakpoints.
  assert.deepEqual(cachePrefixes(marked(9)), cachePrefixes(marked(9), []));
});

test("cache prefixes: a block's cache_control is not part of the prefix, as it is not part of the prompt", () => {
  const result = { type: "tool_result", tool_use_id: "toolu_1", content: "const a = 1;" };
  const use = { type: "tool_use", id: "toolu_1", name: "Read", input: { path: "/a" } };
  const body = (marker: "result" | "use" | "none") => ({
    model: "m",
    cache_control: { type: "ephemeral" },
    messages: [
      { role: "user", content: "Read the file" },
      { role: "assistant", content: [marker === "use" ? { ...use, cache_control: { type: "ephemeral", ttl: "1h" } } : use] },
      { role: "user", content: [marker === "result" ? { ...result, cache_control: { type: "ephemeral" } } : result] },
    ],
  });
  const plain = cachePrefixes(body("none")).at(-1)?.hash;
  assert.ok(plain);
  assert.equal(cachePrefixes(body("result")).at(-1)?.hash, plain, "a marker on a tool result");
  assert.equal(cachePrefixes(body("use")).at(-1)?.hash, plain, "a marker on a tool use");
});

test("an uploaded file, wherever it is named, keeps the request on the provider that holds files (the only Anthropic-shape one here), and the first one is named", () => {
  const fileImage = { type: "image", source: { type: "file", file_id: "file_011Cimage" } };
  const cases: [unknown[], string, string | undefined][] = [
    [[{ role: "user", content: [{ type: "text", text: "see" }, { type: "document", source: { type: "file", file_id: "file_011Cdoc" } }, fileImage] }], "messages.0.content.1.source", "file_011Cdoc"],
    [[{ role: "user", content: [{ type: "container_upload", file_id: "file_011Cdata" }] }], "messages.0.content.0", "file_011Cdata"],
    [[{ role: "user", content: [{ type: "document", source: { type: "content", content: [{ type: "text", text: "a" }, fileImage] } }] }], "messages.0.content.0.source.content.1.source", "file_011Cimage"],
    [[{ role: "user", content: [{ type: "image", source: { type: "file" } }] }], "messages.0.content.0.source", undefined],
  ];
  assert.equal(config.files.provider, "anthropic");
  for (const [messages, path, fileId] of cases) {
    assert.deepEqual(readRequestNeeds({ messages }, undefined).fileSource, { path, fileId });
    const ranking = rankMessages(messages);
    assert.deepEqual(ids(ranking).sort(), ["a-global", "a-us"], path);
    assert.ok(ranking.excluded.every((excluded) => excluded.reason.startsWith(`${path} (file_id ${fileId === undefined ? "missing" : JSON.stringify(fileId)}): files are held by provider anthropic`)), path);
  }
  // An image by URL and a file in one request: both found, each named by its own rule.
  const both = readRequestNeeds({ messages: [{ role: "user", content: [imageByUrl, fileImage] }] }, undefined);
  assert.deepEqual([both.urlSource?.path, both.fileSource?.path, both.images], ["messages.0.content.0.source", "messages.0.content.1.source", true]);
  assert.equal(readRequestNeeds({ messages: [{ role: "user", content: [base64Image, { type: "text", text: "x", file_id: "file_1" }] }] }, undefined).fileSource, undefined, "only images, documents and container uploads name files");
});
