/** The Latency page (src/dashboard/pages/latency-page.ts) when the health window is empty, and with long catalog sources. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DashboardContext } from "../../src/dashboard/context.js";
import { latencyPage } from "../../src/dashboard/pages/latency-page.js";
import type { DeploymentHealth } from "../../src/routing/health.js";

const LONG_TITLE = "Artificial Analysis: Claude Sonnet 4.6 intelligence, performance and price analysis, measured across providers with the same prompts in the text; measurement details";
const LONG_CONDITIONS =
  "Median over the last 14 days of 1,000-token prompts and 500-token answers, sent every 3 hours from us-east-1 with streaming on; time to first token counts from the request's last byte to the first content token, excluding the connection's setup, and the p99 is the 99th percentile of the same samples over the whole period measured";

function health(samples: number): DeploymentHealth {
  return { samples, state: "closed", ttftP50Ms: samples > 0 ? 420 : undefined, ttftP99Ms: samples > 0 ? 900 : undefined, errorRate: 0, throttleRate: 0 } as DeploymentHealth;
}

function context(samples: number): DashboardContext {
  const deployment = {
    id: "anthropic-sonnet",
    route: "global",
    provider: { kind: "anthropic" },
    model: { id: "claude-sonnet-4-6" },
    offering: { latency: [{ ttft_p50_ms: 600, ttft_p99_ms: 1500, conditions: LONG_CONDITIONS, source: { url: "https://example.com/sonnet", title: LONG_TITLE, verified: true } }] },
  };
  return {
    state: {
      health: { snapshot: () => new Map([["anthropic-sonnet", health(samples)]]) },
      config: { config: { routing: { health: { window_ms: 60_000 } } }, deployments: new Map([["anthropic-sonnet", deployment]]) },
      affinity: { size: 0 },
      sharedState: () => "off",
    },
  } as unknown as DashboardContext;
}

test("with no attempts in the window the page says so, and the chart says it shows the catalog's figures alone", async () => {
  const { body } = await latencyPage(context(0));
  assert.match(body, /<p class="note" role="status" data-idle>No attempts in the last 60 s: the live columns are empty until requests come/);
  assert.match(body, /class="chart-title">Time to first token, p50: the catalog's \(grey\); no live figures</);
  const live = await latencyPage(context(12));
  assert.doesNotMatch(live.body, /data-idle/);
  assert.match(live.body, /class="chart-title">Time to first token, p50: live \(blue\) against the catalog \(grey\)</);
});

test("a long source title and conditions are cut at the end of a word, the whole in the tooltip; the shared-state card says what it is about", async () => {
  const { body } = await latencyPage(context(0));
  const link = /<a href="https:\/\/example\.com\/sonnet" rel="noreferrer" title="([^"]+)">([^<]+)<\/a>/.exec(body);
  assert.equal(link?.[1], LONG_TITLE);
  assert.equal(link?.[2], "Artificial Analysis: Claude Sonnet 4.6 intelligence, performance and price analysis, measured across providers with…");
  const conditions = new RegExp(`<div class="note" title="${LONG_CONDITIONS}">([^<]+)</div>`).exec(body)?.[1] ?? "";
  assert.match(conditions, /excluding the connection's…$/);
  assert.ok(LONG_CONDITIONS.startsWith(conditions.slice(0, -1)) && LONG_CONDITIONS[conditions.length - 1] === " ", `cut before a space: ${conditions}`);
  assert.match(body, /data-figure="shared-state"><div class="label">rate limits and affinity<\/div><div class="figure">per replica<\/div><div class="sub">whether replicas share them</);
});
