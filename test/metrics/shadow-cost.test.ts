/** switchyard_shadow_cost_usd_total is of the requests switchyard_cost_usd_total counts, as the ledger's reports sum them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.js";
import { sampleRow } from "../ledger/sample-rows.js";

test("shadow costs count for priced requests only: an unpriced request (no cost to compare with) adds none", async () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  metrics.observe(sampleRow({ request_id: "priced", cost_usd: "0.1", shadow_costs: { "bedrock-sonnet-us": "0.11" } }));
  metrics.observe(sampleRow({ request_id: "unpriced", cost_usd: null, cost_exact: false, shadow_costs: { "bedrock-sonnet-us": "7" } }));
  const { body } = await metrics.render();
  assert.deepEqual(
    body.split("\n").filter((line) => line.startsWith("switchyard_shadow_cost_usd_total{")),
    ['switchyard_shadow_cost_usd_total{deployment="bedrock-sonnet-us"} 0.11'],
  );
});
