/**
 * Self-hosting from GPU price, throughput, utilisation and operations cost, and its break-even
 * against the API. Llama 3.3 70B: Bedrock in-region $0.72 / $0.72 (fixture), Together $0.88.
 * Requests of 500 input + 500 output tokens; an H100 at $1.99/h serving 850 tokens/s (seed 003).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { lever, optionOf, planYaml } from "./planner-fixture.js";

const workload = (selfHost: string, arrival = "uniform") => `name: llama
segments:
  - name: s
    requests_per_month: 100000
    input_tokens: 500
    output_tokens: 500
    arrival: ${arrival}
    models: [llama-3-3-70b]
self_host:
  - name: h100
    model: llama-3-3-70b
    gpu_usd_per_hour: 1.99
    tokens_per_second: 850
    residency: us
${selfHost}`;

test("an always-on H100 costs the whole GPU-month, not the share of it the traffic uses", () => {
  const planned = planYaml(workload("    utilisation: 1\n"));
  const hosted = optionOf(planned, "self-host", "always-on", "llama-3-3-70b", "self-host");
  // 100M tokens. One replica serves 850 x 3,600 / 1,000 = 3,060 requests an hour; demand 100,000 / 730 = 137.
  // 1 replica x 730 h x $1.99 = 1,452.70 (seed 003 says "$1,453 x 4.5% = $65": you pay for idle hours too)
  assert.equal(formatUsd(hosted.monthly ?? -1n), "1452.7");
  const bedrock = optionOf(planned, "bedrock", "in-region", "llama-3-3-70b");
  assert.equal(formatUsd(bedrock.monthly ?? -1n), "72"); // 100,000 x 1,000 x 0.72 / 1e6
  const selfHost = lever(hosted, "self_host");
  assert.equal(formatUsd(selfHost.saving ?? -1n), "-1380.7"); // 72 - 1,452.70
  // break-even: 1,452.70 <= 0.00072 x V -> V >= 2,017,638.9 -> 2,017,639 requests (2.02B tokens),
  // still one replica (2,017,639 / 730 = 2,764 an hour < 3,060)
  assert.equal(selfHost.detail.break_even_requests_per_month, "2017639");
  assert.equal(planned.segments[0]?.recommended?.id, bedrock.id);
});

test("at 70% utilisation each extra replica costs more than the API traffic it carries: no break-even", () => {
  const planned = planYaml(workload("    utilisation: 0.7\n"));
  const hosted = optionOf(planned, "self-host", "always-on", "llama-3-3-70b", "self-host");
  // per replica-hour: 850 x 0.7 x 3,600 / 1,000 = 2,142 requests for $1.99 = $0.000929 a request > $0.00072 on Bedrock
  assert.equal(lever(hosted, "self_host").detail.requests_per_replica_hour, "2142");
  assert.equal(lever(hosted, "self_host").detail.break_even_requests_per_month, "never");
});

test("hourly scaling follows the traffic: business hours need one replica for 8 hours on 21.7 days", () => {
  const planned = planYaml(workload("    utilisation: 1\n    scaling: hourly\n    min_replicas: 0\n    ops_usd_per_month: 500\n", "business-hours"));
  const hosted = optionOf(planned, "self-host", "hourly", "llama-3-3-70b", "self-host");
  // GPU-hours = 8 h x 730/24 x 5/7 days = 29,200 / 168 = 173.8095...; x $1.99 = 58,108 / 168 = 345.880952380952380952... (half-even at 1e-18)
  // plus $500 operations
  assert.equal(formatUsd(hosted.monthly ?? -1n), "845.880952380952380952");
  assert.deepEqual(hosted.breakdown.map((line) => line.class), ["gpu_hours", "operations"]);
});

test("self-hosting is feasible only where it says it runs", () => {
  const planned = planYaml(
    "name: t\nconstraints: { residency: eu }\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 1\n    output_tokens: 1\n    models: [my-llama]\nself_host:\n  - { name: box, model: my-llama, gpu_usd_per_hour: 2, tokens_per_second: 100 }\n",
  );
  const hosted = optionOf(planned, "self-host", "always-on", "my-llama", "self-host");
  assert.equal(hosted.feasible, false);
  assert.match(hosted.reasons[0] ?? "", /say where box runs \(residency: eu\)/);
});

test("a self-hosting entry that fails residency names the entries that keep the data in place, by name (not as the route \"always-on\")", () => {
  const planned = planYaml(
    "name: t\nconstraints: { residency: eu }\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 1\n    output_tokens: 1\n    models: [my-llama]\nself_host:\n" +
      "  - { name: box, model: my-llama, gpu_usd_per_hour: 2, tokens_per_second: 100 }\n  - { name: frankfurt-box, model: my-llama, gpu_usd_per_hour: 2, tokens_per_second: 100, residency: eu }\n",
  );
  const box = planned.segments[0]?.options.find((option) => option.label === "box");
  assert.equal(box?.feasible, false);
  // 730 h x $2 = $1,460
  assert.match(box?.reasons[0] ?? "", /; self_host entries of my-llama that keep data in the European Union: frankfurt-box \(\$1,460\.00\/month\)$/);
});
