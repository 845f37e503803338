/**
 * A commitment with no on-demand option to measure it against has no break-even, and the report
 * and --json say why instead of leaving the figure out (null with no word) or giving one.
 *
 * Residency jp rules out every on-demand route of Haiku 4.5 in the fixture catalog (global, us, eu),
 * while a Bedrock quote in ap-northeast-1 (jp) is feasible: $28.50 x 730 = $20,805 a month for one
 * MU, which carries 1,000,000 x 60 / 500 = 120,000 requests an hour, so 1,000,000 uniform requests
 * (1,369.9 an hour) need one MU and never spill.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatUsd } from "../../src/pricing/money.js";
import { planJson } from "../../src/planner/plan-json.js";
import { renderMarkdown } from "../../src/planner/report/markdown.js";
import { renderTerminal } from "../../src/planner/report/terminal.js";
import { lever, optionOf, planYaml } from "./planner-fixture.js";

const quote = `provisioned_throughput:
  - name: tokyo
    model: claude-haiku-4-5
    route: jp
    region: ap-northeast-1
    term: 1-month
    usd_per_mu_hour: 28.5
    input_tokens_per_minute_per_mu: 1000000
    output_tokens_per_minute_per_mu: 1000000
`;

const workload = (constraints: string, extra = "") => `name: no-on-demand
segments:
  - name: s
    requests_per_month: 1000000
    input_tokens: 500
    output_tokens: 500
    models: [claude-haiku-4-5]
constraints: ${constraints}
${quote}${extra}`;

const NO_REFERENCE = "claude-haiku-4-5 has no feasible on-demand option under this segment's constraints, so there is nothing to measure the units against";

test("residency rules out every on-demand route: the provisioned lever says why it has no break-even, in the report and in --json", () => {
  const planned = planYaml(workload("{ residency: jp }"));
  const pt = optionOf(planned, "bedrock", "jp", "claude-haiku-4-5", "provisioned");
  assert.equal(pt.feasible, true, pt.reasons.join("; "));
  assert.equal(planned.segments[0]?.recommended?.id, pt.id);
  assert.equal(formatUsd(pt.monthly ?? -1n), "20805");
  const units = lever(pt, "provisioned_throughput");
  assert.equal(units.saving, undefined, "no saving without a reference");
  assert.equal(units.detail.on_demand_comparator, null);
  assert.equal(units.detail.break_even_requests_per_month, null);
  assert.match(String(units.detail.no_break_even_reason), new RegExp(`^${NO_REFERENCE}`));

  const json = planJson(planned);
  const jsonLever = json.recommendation.levers.find((entry) => entry.lever === "provisioned_throughput");
  assert.equal(jsonLever?.saving_usd, null);
  assert.equal(jsonLever?.detail.break_even_requests_per_month, null);
  assert.match(String(jsonLever?.detail.no_break_even_reason), new RegExp(`^${NO_REFERENCE}`));

  // The terminal and Markdown reports show the lever's title, which ends with the reason.
  for (const report of [renderTerminal(planned), renderMarkdown(planned)]) assert.ok(report.includes(`no break-even: ${NO_REFERENCE}`), report);
});

test("beside a cheaper self-hosted entry: both commitments say why they have no break-even", () => {
  const selfHost = `self_host:
  - name: box
    model: claude-haiku-4-5
    gpu_usd_per_hour: 2
    tokens_per_second: 1000
    utilisation: 0.5
    scaling: always-on
    residency: jp
`;
  const planned = planYaml(workload("{ residency: jp }", selfHost));
  const segment = planned.segments[0];
  // One replica: $2 x 730 = $1,460, below the MU's $20,805.
  assert.equal(segment?.recommended?.kind, "self-host");
  assert.equal(formatUsd(segment?.recommended?.monthly ?? -1n), "1460");
  const hosted = lever(optionOf(planned, "self-host", "always-on", "claude-haiku-4-5", "self-host"), "self_host");
  assert.equal(hosted.detail.break_even_requests_per_month, null);
  assert.match(String(hosted.detail.no_break_even_reason), /^no API option is feasible under this segment's constraints/);
  // The quote, restated against the recommendation, keeps its reason.
  const restated = segment?.levers.find((entry) => entry.lever === "provisioned_throughput");
  assert.match(restated?.title ?? "", new RegExp(`^tokyo: \\$20,805\\.00/month vs \\$1,460\\.00 recommended; no break-even: ${NO_REFERENCE}`));
  assert.equal(restated?.detail.no_break_even_reason, lever(optionOf(planned, "bedrock", "jp", "claude-haiku-4-5", "provisioned"), "provisioned_throughput").detail.no_break_even_reason);
});

test("a reference on another provider but no route of the quote's own to spill to: no break-even, and the lever says that is why", () => {
  // Only anthropic is allowed: the quote (Bedrock) is infeasible, and so is every Bedrock on-demand route it could spill to.
  const planned = planYaml(workload("{ providers: [anthropic] }"));
  const units = lever(optionOf(planned, "bedrock", "jp", "claude-haiku-4-5", "provisioned"), "provisioned_throughput");
  assert.match(String(units.detail.on_demand_comparator), /anthropic\/global/);
  assert.equal(units.detail.spill_over_route, null);
  assert.equal(units.detail.break_even_requests_per_month, null);
  assert.match(String(units.detail.no_break_even_reason), /^bedrock has no feasible on-demand route of claude-haiku-4-5 for the busy hours' spill-over/);
});
