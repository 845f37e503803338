/**
 * The cost-against-volume curves (src/planner/volume-curves.ts): a break-even marker sits where a
 * commitment's line crosses the line it is compared with, so that line is drawn.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { plan } from "../../src/planner/plan.js";
import { volumeCurves } from "../../src/planner/volume-curves.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { AT, plannerCatalog } from "./planner-fixture.js";

const WORKLOAD = `name: w
segments:
  - name: s
    requests_per_month: 2000000
    input_tokens: 1500
    output_tokens: 300
    models: [claude-haiku-4-5, llama-3-3-70b]
provisioned_throughput:
  - name: haiku-pt
    model: claude-haiku-4-5
    provider: bedrock
    route: us
    region: us-east-1
    term: 1-month
    usd_per_mu_hour: 2
    input_tokens_per_minute_per_mu: 400000
    output_tokens_per_minute_per_mu: 80000
`;

test("a provisioned quote's break-even is drawn with the line it is measured against, even when another option is its provider's cheapest", () => {
  const catalog = plannerCatalog();
  const resolved = loadWorkload(WORKLOAD, "w.yaml", catalog);
  const planned = plan(catalog, resolved, { at: AT });
  const [curves] = volumeCurves(catalog, resolved, planned, 6);
  const provisioned = planned.segments[0]?.options.find((option) => option.kind === "provisioned");
  const detail = provisioned?.levers.find((lever) => lever.lever === "provisioned_throughput")?.detail;
  const comparator = detail?.on_demand_comparator;
  assert.equal(typeof comparator, "string");
  assert.match(String(detail?.spill_over_route), /bedrock\/us.*claude-haiku-4-5/, "spill-over goes to Haiku on Bedrock's us route");
  assert.match(comparator as string, /bedrock\/global.*claude-haiku-4-5/, "measured against Haiku's cheapest on-demand route, the global one");
  assert.ok(curves?.markers.some((marker) => marker.kind === "break_even"), "the break-even is marked");
  const ids = curves?.series.map((series) => series.optionId) ?? [];
  assert.ok(ids.includes(comparator as string), `the comparator's line is drawn; drawn: ${ids.join(", ")}`);
  assert.equal(new Set(ids).size, ids.length, "each line once");
});

test("every model the team lists gets a line, and routes that cost within 1% of a drawn line of the same model are named instead of drawn", () => {
  const catalog = plannerCatalog();
  const workload = `name: chat
segments:
  - name: chat
    requests_per_month: 2000000
    input_tokens: 800
    output_tokens: 350
    models: [claude-sonnet-4-6, claude-haiku-4-5]
`;
  const resolved = loadWorkload(workload, "chat.yaml", catalog);
  const planned = plan(catalog, resolved, { at: AT });
  const [curves] = volumeCurves(catalog, resolved, planned, 4);
  const onDemand = planned.segments[0]?.options.filter((option) => option.kind === "on-demand" && option.feasible) ?? [];
  const drawn = curves?.series.map((series) => series.optionId) ?? [];
  const drawnOptions = onDemand.filter((option) => drawn.includes(option.id));
  // The case this checks: the four cheapest routes are all Haiku's, at the same list price.
  assert.deepEqual([...new Set(onDemand.slice(0, 4).map((option) => option.model))], ["claude-haiku-4-5"]);
  assert.ok(drawnOptions.some((option) => option.model === "claude-sonnet-4-6"), `Sonnet has a line; drawn: ${drawn.join(", ")}`);
  assert.ok(drawnOptions.length <= 4);
  for (const [index, line] of drawnOptions.entries()) {
    for (const other of drawnOptions.slice(index + 1)) {
      if (line.model !== other.model || line.monthly === undefined || other.monthly === undefined) continue;
      const [low, high] = line.monthly < other.monthly ? [line.monthly, other.monthly] : [other.monthly, line.monthly];
      assert.ok((high - low) * 100n > high, `${line.id} and ${other.id} would lie on top of each other`);
    }
  }
  assert.ok((curves?.nearlyDrawn.length ?? 0) > 0, "the Haiku routes left out are named");
  assert.ok(curves?.nearlyDrawn.every((label) => label.endsWith("claude-haiku-4-5")), curves?.nearlyDrawn.join(", "));
});
