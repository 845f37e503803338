/**
 * The Claude API retired the context-1m beta for Sonnet 4 and 4.5 on 2026-04-30: a request over
 * 200K tokens errors there from then on (the catalog's note on claude-sonnet-4-5; docs/CATALOG.md).
 * price notes it as it notes any request over the window, compare lists it among the reasons, and
 * plan finds the Claude API infeasible for such a segment; Bedrock and Vertex still serve the beta.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compareOfferings, offeringsForModelQuery } from "../../src/pricing/compare.js";
import { quote } from "../../src/pricing/quote.js";
import { plan } from "../../src/planner/plan.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { catalog } from "../helpers/catalog.js";

const LONG = { input: 300_000, output: 1_000 };
const ENDED = /300000 prompt \+ 1000 output tokens exceed claude-sonnet-4-5's 200000-token context window \(anthropic ended the context-1m beta, and its 1M window, on 2026-04-30\): the upstream would refuse it/;
const windowNotes = (warnings: string[]) => warnings.filter((warning) => /context window/.test(warning));

test("price: Sonnet 4.5 over 200K on the Claude API is noted from 2026-04-30, not before; on Bedrock it fits the beta's 1M", () => {
  assert.match(windowNotes(quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-10-01", usage: LONG }).warnings).join("\n"), ENDED);
  assert.match(windowNotes(quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-04-30", usage: LONG }).warnings).join("\n"), ENDED);
  assert.deepEqual(windowNotes(quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-04-29", usage: LONG }).warnings), []);
  assert.deepEqual(windowNotes(quote(catalog(), { model: "claude-sonnet-4-5", provider: "bedrock", at: "2026-10-01", usage: LONG }).warnings), []);
  // 200,000 in all still fits the standard window.
  assert.deepEqual(windowNotes(quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-10-01", usage: { input: 199_000, output: 1_000 } }).warnings), []);
});

test("compare: the Claude API's Sonnet 4.5 option says why; the Bedrock ones do not", () => {
  const compared = compareOfferings(catalog(), offeringsForModelQuery(catalog(), "claude-sonnet-4-5"), LONG, undefined, "2026-10-01");
  const direct = compared.find((option) => option.offering.provider === "anthropic");
  assert.ok(direct);
  assert.ok(direct.reasons.some((reason) => ENDED.test(reason)), direct.reasons.join("; "));
  for (const option of compared.filter((candidate) => candidate.offering.provider === "bedrock")) {
    assert.deepEqual(windowNotes(option.reasons), [], option.offering.key);
  }
});

test("plan: a segment of 300K-token requests on Sonnet 4.5 after 2026-04-30 is not recommended on the Claude API", () => {
  const yaml = "name: long-docs\nsegments:\n  - { name: a, requests_per_month: 1000, input_tokens: 300000, output_tokens: 1000, models: [claude-sonnet-4-5] }\n";
  const planned = plan(catalog(), loadWorkload(yaml, "w.yaml", catalog()), { at: "2026-10-01" });
  const segment = planned.segments[0];
  assert.ok(segment?.recommended);
  assert.notEqual(segment.recommended.provider, "anthropic");
  const direct = segment.options.find((option) => option.provider === "anthropic" && option.kind === "on-demand");
  assert.equal(direct?.feasible, false);
  assert.match(direct?.reasons.join("\n") ?? "", /exceeds the 200000-token context window \(anthropic ended the context-1m beta, and its 1M window, on 2026-04-30\)/);
  const before = plan(catalog(), loadWorkload(yaml, "w.yaml", catalog()), { at: "2026-04-01" });
  assert.equal(before.segments[0]?.options.find((option) => option.provider === "anthropic" && option.kind === "on-demand")?.feasible, true);
});

test("plan: requires [context_1m] is met by Sonnet 4.5 on Bedrock, not on the Claude API after 2026-04-30", () => {
  const yaml = "name: w\nsegments:\n  - { name: a, requests_per_month: 10, input_tokens: 1000, output_tokens: 10, requires: [context_1m], models: [claude-sonnet-4-5] }\n";
  const planned = plan(catalog(), loadWorkload(yaml, "w.yaml", catalog()), { at: "2026-10-01" });
  const options = planned.segments[0]?.options ?? [];
  const featureCheck = (provider: string) => options.find((option) => option.provider === provider && option.kind === "on-demand")?.checks.find((check) => check.check === "features");
  assert.equal(featureCheck("anthropic")?.ok, false);
  assert.equal(featureCheck("bedrock")?.ok, true);
});
