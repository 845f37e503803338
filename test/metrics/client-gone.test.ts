/** A client that went away is not an upstream error in /metrics. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CLIENT_GONE } from "../../src/ledger/ledger.js";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.js";
import { sampleRow } from "../ledger/sample-rows.js";

test("attempts cut short by the client leaving are not counted as upstream errors", async () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  metrics.observe(
    sampleRow({
      request_id: "left",
      status: 499,
      error_type: CLIENT_GONE,
      deployment: null,
      attempts: [{ deployment: "anthropic-sonnet", provider: "anthropic", status: null, error: CLIENT_GONE, latency_ms: 120 }],
    }),
  );
  metrics.observe(
    sampleRow({
      request_id: "failed-over",
      attempts: [
        { deployment: "anthropic-sonnet", provider: "anthropic", status: 529, error: "overloaded", latency_ms: 40 },
        { deployment: "bedrock-sonnet-us", provider: "bedrock", status: 200, error: null, latency_ms: 800 },
      ],
    }),
  );
  const { body } = await metrics.render();
  const errors = body.split("\n").filter((line) => line.startsWith("switchyard_upstream_errors_total{"));
  assert.deepEqual(errors, ['switchyard_upstream_errors_total{deployment="anthropic-sonnet",provider="anthropic",kind="overloaded"} 1']);
});

test("a stream the upstream broke after its first event counts as an upstream error of its deployment; one the client left does not", async () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  const served = [{ deployment: "anthropic-sonnet", provider: "anthropic", status: 200, error: null, latency_ms: 300 }];
  metrics.observe(sampleRow({ request_id: "broken", stream: true, attempts: served, warnings: ["stream ended early: overloaded"] }));
  metrics.observe(sampleRow({ request_id: "left", stream: true, attempts: served, warnings: [`stream ended early: ${CLIENT_GONE}`] }));
  const { body } = await metrics.render();
  const errors = body.split("\n").filter((line) => line.startsWith("switchyard_upstream_errors_total{"));
  assert.deepEqual(errors, ['switchyard_upstream_errors_total{deployment="anthropic-sonnet",provider="anthropic",kind="overloaded"} 1']);
});
