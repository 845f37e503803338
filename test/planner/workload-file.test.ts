/** The workload file: defaults, exact decimals, and errors that name the file, the field path and the line. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { WorkloadError } from "../../src/planner/workload-file.js";
import { loadWorkload, type ResolvedWorkload } from "../../src/planner/workload-models.js";
import { ConfigError, readGatewayConfig } from "../../src/config/load-gateway-config.js";
import { formatFileIssue } from "../../src/util/yaml-file.js";
import { PLANNER_FIXTURES, plannerCatalog } from "./planner-fixture.js";

/** A workload's text loaded as switchyard plan loads it, against the planner's fixture catalog. */
const load = (text: string, file = "w.yaml"): ResolvedWorkload => loadWorkload(text, file, plannerCatalog());

function issuesOf(file: string): string[] {
  const path = resolve(PLANNER_FIXTURES, "bad", file);
  try {
    load(readFileSync(path, "utf8"), `bad/${file}`);
  } catch (error) {
    assert.ok(error instanceof WorkloadError, String(error));
    return error.message.split("\n");
  }
  assert.fail(`${file} parsed without error`);
}

test("defaults: PRODUCT.md's minimal segment gets uniform arrival, realtime, no prefix, no discounts", () => {
  const { workload } = load("name: w\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n");
  const segment = workload.segments[0];
  assert.equal(segment?.arrival.kind, "uniform");
  assert.equal(segment?.arrival.daysPerWeek, 7);
  assert.equal(segment?.latency, "realtime");
  assert.equal(segment?.cachedPrefixTokens, 0);
  assert.equal(segment?.constraints.residency, "any");
  assert.equal(segment?.constraints.ttftP99Ms, null);
  assert.equal(workload.discounts.awsPercent.toString(), "0");
  assert.equal(workload.horizonMonths, 12);
});

test("amounts stay exact: 1.99 is the decimal 1.99, not a binary float", () => {
  const { workload } = load(
    "name: w\ndiscounts: { aws_percent: 12.5 }\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [m] }\nself_host:\n  - { model: m, gpu_usd_per_hour: 1.99, tokens_per_second: 850, utilisation: 0.70, ops_usd_per_month: \"500.10\" }\n",
    "w.yaml",
  );
  assert.equal(workload.selfHost[0]?.gpuUsdPerHour.toString(), "1.99");
  assert.equal(workload.selfHost[0]?.utilisation.toString(), "0.7");
  assert.equal(workload.selfHost[0]?.opsUsdPerMonth.toString(), "500.1");
  assert.equal(workload.discounts.awsPercent.toString(), "12.5");
});

test("a wrong type names the file, the line, the field path, what was expected and what was found", () => {
  assert.deepEqual(issuesOf("bad-requests.yaml"), ['bad/bad-requests.yaml:4: segments.0.requests_per_month: expected a whole number of requests per month, got "lots"']);
});

test("every problem in the file is reported at once, each with its line", () => {
  const issues = issuesOf("bad-arrival.yaml");
  assert.ok(issues.includes("bad/bad-arrival.yaml:8: segments.0.arrival.hourly: expected exactly 24 weights, one per hour from 00:00, got a list of 3"), issues.join("\n"));
  assert.ok(issues.includes('bad/bad-arrival.yaml:9: segments.0.latency: expected realtime | batch-ok, got "sometimes"'), issues.join("\n"));
  assert.ok(issues.includes("bad/bad-arrival.yaml:12: discounts.aws_percent: expected a percentage from 0 to 100 (AWS discount), got 120"), issues.join("\n"));
});

/** The problems loading a workload's text finds, one a line. */
function problemsIn(text: string): string[] {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof WorkloadError, String(error));
    return error.message.split("\n");
  }
  assert.fail("the workload was accepted");
}

test("a misspelt choice is said with the allowed value it is a letter or two from, as the gateway config says it", () => {
  const found = problemsIn("name: w\nsegments:\n  - name: s\n    requests_per_month: 10\n    input_tokens: 5\n    output_tokens: 2\n    models: [m]\n    latency: realtim\n    arrival: unifrom\nconstraints: { residency: euu }\n");
  assert.deepEqual(found, [
    'w.yaml:8: segments.0.latency: expected realtime | batch-ok, got "realtim" (did you mean "realtime"?)',
    'w.yaml:9: segments.0.arrival: expected uniform | business-hours | {hourly: [24 weights], days_per_week: N}, got "unifrom" (did you mean "uniform"?)',
    'w.yaml:10: constraints.residency: expected one of any | us | eu | jp | au | apac | govcloud | ca | sa, got "euu" (did you mean "eu"?)',
  ]);
});

test("a required field left out is said to be missing, with what it is for, in the order of the file's lines", () => {
  assert.deepEqual(problemsIn("segments:\n  - name: s\n    input_tokens: 5\n    models: [m]\n"), [
    "w.yaml:1: name: required but missing: the workload's name, shown in the report (e.g. name: support-triage)",
    "w.yaml:2: segments.0.requests_per_month: required but missing: how many requests this segment sends a month, a whole number (e.g. requests_per_month: 10000)",
    "w.yaml:2: segments.0.output_tokens: required but missing: the mean output tokens per request: a whole number (e.g. output_tokens: 200) or {mean, p90, max}",
  ]);
});

test("a {mean, p90, max} mapping without its mean is said to miss mean, with what mean is for and an example, not as the union's general message", () => {
  const segment = (input: string, output: string) => `name: w\nsegments:\n  - name: s\n    requests_per_month: 10\n    input_tokens: ${input}\n    output_tokens: ${output}\n    models: [claude-haiku-4-5]\n`;
  const missing = (field: string, example: string) =>
    `segments.0.${field}.mean: required but missing: the mean ${field.replace("_", " ")} per request, which the cost is computed from (p90 and max are optional; they are checked against the model's limits), e.g. ${field}: ${example}`;
  assert.deepEqual(problemsIn(segment("{ p90: 10 }", "\n      p90: 600\n      max: 900")), [
    `w.yaml:5: ${missing("input_tokens", "{ mean: 3500, p90: 9000 }")}`,
    `w.yaml:7: ${missing("output_tokens", "{ mean: 200, p90: 600 }")}`,
  ]);
  // Beside a misspelt key, and a mean of the wrong type, each said at its own path.
  assert.deepEqual(problemsIn(segment("{ p9: 10 }", "{ mean: lots }")), [
    `w.yaml:5: ${missing("input_tokens", "{ mean: 3500, p90: 9000 }")}`,
    'w.yaml:5: segments.0.input_tokens: Unrecognized key: "p9" (did you mean "p90"?)',
    'w.yaml:6: segments.0.output_tokens.mean: expected a whole number of output tokens per request, got "lots"',
  ]);
  // A value of neither form still gets the union's message; a plain number or a full mapping is read.
  assert.deepEqual(problemsIn(segment('"five"', "2")), ['w.yaml:5: segments.0.input_tokens: expected a whole number of input tokens per request, or {mean, p90, max}, got "five"']);
  const { workload } = load(segment("3500", "{ mean: 200, p90: 600 }"));
  assert.deepEqual([workload.segments[0]?.input, workload.segments[0]?.output], [
    { mean: 3500, p90: undefined, max: undefined },
    { mean: 200, p90: 600, max: undefined },
  ]);
});

test("the other mapping-or-value fields (cache_hit_rate, arrival) say the field inside that is wrong, once", () => {
  const text = "name: w\nsegments:\n  - name: s\n    requests_per_month: 10\n    input_tokens: 5\n    output_tokens: 2\n    models: [claude-haiku-4-5]\n    cache_hit_rate: { 5m: [1] }\n    arrival: { hourly: flat, days_per_week: 5 }\n";
  assert.deepEqual(problemsIn(text), [
    'w.yaml:8: segments.0.cache_hit_rate.5m: expected a non-negative decimal (cache hit rate), e.g. 1.99 or "1.99", got a list of 1',
    'w.yaml:9: segments.0.arrival.hourly: expected a list of 24 weights, one per hour from 00:00, got "flat"',
  ]);
});

test("an unknown model names the closest known ids and the line of the list entry", () => {
  const [issue] = issuesOf("unknown-model.yaml");
  assert.match(issue ?? "", /^bad\/unknown-model\.yaml:9: segments\.0\.models\.1: unknown model "claude-haiku-9" \(and no self_host entry runs it\); closest known: claude-haiku-4-5/);
  const far = "name: w\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [nope] }\n";
  assert.deepEqual(problemsIn(far), ['w.yaml:3: segments.0.models.0: unknown model "nope" (and no self_host entry runs it); see switchyard catalog list for the models the catalog knows']);
});

test("at: a day the month does not have is refused with its line, not rolled over into the next month", () => {
  const text = "name: w\nat: 2026-02-31\nsegments:\n  - { name: s, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n";
  assert.throws(() => load(text), (error: unknown) => error instanceof WorkloadError && /^w\.yaml:2: at: not a day of the calendar \(a year from 0001 to 9999, a month from 01 to 12, a day that month has\)/.test(error.message));
  for (const [at, shape] of [["2026-13-01", false], ["2026-1-01", true]] as const) {
    assert.throws(() => load(text.replace("2026-02-31", at)), shape ? /at: expected a date as YYYY-MM-DD/ : /at: not a day of the calendar/, at);
  }
  assert.equal(load(text.replace("2026-02-31", "2028-02-29")).workload.at, "2028-02-29");
});

test("YAML syntax errors and misspelt fields", () => {
  const [syntax] = issuesOf("not-yaml.yaml");
  assert.match(syntax ?? "", /^bad\/not-yaml\.yaml:\d+: not valid YAML/);
  const [typo] = issuesOf("typo-field.yaml");
  // At the key's own line (not its segment's), with the keys known there, or the one it is a letter or two from.
  assert.match(typo ?? "", /^bad\/typo-field\.yaml:7: segments\.0: Unrecognized key: "cached_prefix"; known here: name, requests_per_month, input_tokens, output_tokens, cached_prefix_tokens,/);
  const text = "name: w\nsegments:\n  - name: s\n    requests_per_month: 10\n    input_tokens: 5\n    output_tokens: 2\n    models: [claude-haiku-4-5]\n    arival: { profile: flat }\n";
  assert.throws(() => load(text), (error: unknown) => error instanceof WorkloadError && /^w\.yaml:8: segments\.0: Unrecognized key: "arival" \(did you mean "arrival"\?\)$/.test(error.message));
});

test("a key given twice is named, in the words and at the line the gateway config gives it", () => {
  const text = "name: w\nsegments:\n  - name: s\n    requests_per_month: 10\n    name: t\n    input_tokens: 5\n    output_tokens: 2\n    models: [claude-haiku-4-5]\n";
  const said = 'not valid YAML: "name" is given twice in the same map: keep one';
  assert.deepEqual(problemsIn(text), [`w.yaml:5: ${said}`]);
  assert.throws(() => readGatewayConfig(text, "gw.yaml"), (error: unknown) => error instanceof ConfigError && error.issues.map(formatFileIssue).join("\n") === `gw.yaml:5: ${said}`);
});

test("cross-field checks: unique segment names, p90 >= mean, references to segments", () => {
  const text =
    "name: w\nsegments:\n  - { name: s, requests_per_month: 1, input_tokens: 5, output_tokens: { mean: 10, p90: 5 }, models: [m] }\n  - { name: s, requests_per_month: 1, input_tokens: 5, output_tokens: 2, models: [m] }\n" +
    "self_host:\n  - { model: m, gpu_usd_per_hour: 1, tokens_per_second: 1, segments: [nope] }\n";
  assert.throws(
    () => load(text),
    (error: unknown) =>
      error instanceof WorkloadError &&
      /w\.yaml:3: segments\.0\.output_tokens\.p90: expected p90 >= mean \(10\), got 5/.test(error.message) &&
      /w\.yaml:4: segments\.1\.name: segment name "s" is used twice/.test(error.message) &&
      /w\.yaml:6: self_host\.0\.segments\.0: no segment is named "nope"/.test(error.message),
  );
});

test("loadWorkload tells the problems across fields and the unknown models in one go, in the order of the file's lines", () => {
  const text =
    "name: w\nsegments:\n" +
    "  - { name: a, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-9] }\n" +
    "  - { name: a, requests_per_month: 10, input_tokens: 5, output_tokens: 2, models: [claude-haiku-4-5] }\n" +
    "self_host:\n  - { model: m, gpu_usd_per_hour: 1, tokens_per_second: 1, segments: [nope] }\n";
  assert.throws(
    () => load(text),
    (error: unknown) => {
      assert.ok(error instanceof WorkloadError, String(error));
      // Found in two passes (across fields, then models), told by line: 3, 4, 6.
      assert.deepEqual(
        error.message.split("\n").map((line) => line.split(": ").slice(0, 2).join(": ")),
        ["w.yaml:3: segments.0.models.0", "w.yaml:4: segments.1.name", "w.yaml:6: self_host.0.segments.0"],
      );
      assert.deepEqual(error.issues.map((issue) => issue.line), [3, 4, 6]);
      return true;
    },
  );
  const fixed = text.replace("claude-haiku-9", "claude-haiku-4-5").replace("{ name: a", "{ name: b").replace("[nope]", "[a]");
  assert.equal(load(fixed).segments.length, 2, "with all fixed it loads");
});
