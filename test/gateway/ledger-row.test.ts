/** buildLedgerRow's timing (src/gateway/ledger-row.ts): latency and overhead are read once the row is priced. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { buildLedgerRow } from "../../src/gateway/ledger-row.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { catalog } from "../helpers/catalog.js";

test("a row's latency and overhead count the time up to the row being built, pricing and shadow costs included", () => {
  const config = parseGatewayConfig(
    "providers:\n  a: { kind: anthropic }\ndeployments:\n  - { id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }\n  - { id: a-sonnet-us, provider: a, model: claude-sonnet-4-6, route: us }\n",
    "t.yaml",
    catalog(),
  );
  const deployments = [...config.deployments.values()];
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
    requestId: "req_timing",
    startedAt: Date.now(),
    key: null,
    tags: {},
    requestedModel: "claude-sonnet-4-6",
    stream: false,
    attempts: [{ deployment: "a-sonnet", provider: "anthropic", status: 200, error: null, latency_ms: 4 }],
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
  const config = parseGatewayConfig("providers:\n  a: { kind: anthropic }\ndeployments:\n  - { id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }\n", "t.yaml", catalog());
  const deployment = [...config.deployments.values()][0];
  const priced = buildLedgerRow({
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

test("a request the upstream ran in the US on its own (a workspace's default inference_geo) is priced at the us route's rates, or marked a lower bound", () => {
  const config = parseGatewayConfig(
    "providers:\n  a: { kind: anthropic }\ndeployments:\n  - { id: a-sonnet, provider: a, model: claude-sonnet-4-6, route: global }\n  - { id: a-sonnet-us, provider: a, model: claude-sonnet-4-6, route: us }\n",
    "t.yaml",
    catalog(),
  );
  const [global, us] = [...config.deployments.values()];
  const row = (candidates: readonly (typeof global)[]) =>
    buildLedgerRow({
      requestId: "req_geo",
      startedAt: Date.UTC(2026, 10, 22),
      key: null,
      tags: {},
      requestedModel: "claude-sonnet-4-6",
      stream: false,
      attempts: [],
      candidates: candidates as NonNullable<typeof global>[],
      deployment: global,
      status: 200,
      usage: fromAnthropicUsage({ input_tokens: 1_000_000, output_tokens: 0, inference_geo: "us" }),
      startedMs: performance.now(),
      upstreamMs: 0,
      ttftMs: undefined,
      warnings: [],
    }).row;
  // 1M input at $3, x1.1 on the us route.
  const withUs = row([global, us]);
  assert.equal(withUs.cost_usd, "3.3");
  assert.equal(withUs.cost_exact, true);
  assert.ok(withUs.warnings.some((warning) => /ran inference_geo "us".*priced at a-sonnet-us's rates/.test(warning)), withUs.warnings.join("; "));
  const alone = row([global]);
  assert.equal(alone.cost_usd, "3");
  assert.equal(alone.cost_exact, false, "a lower bound");
  assert.ok(alone.warnings.some((warning) => /no "us" deployment of claude-sonnet-4-6 is configured/.test(warning)));
});
