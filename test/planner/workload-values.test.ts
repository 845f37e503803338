/**
 * What a workload file says about a bad value: one line a problem, naming the field, what was
 * expected in words (never a regex) and what the file gave, and never a crash (docs/PLANNER.md,
 * "Errors"; PRODUCT.md: exit 2 naming the field).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkloadError } from "../../src/planner/workload-file.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { plannerCatalog } from "./planner-fixture.js";
import { runCli } from "../cli/run-cli.js";

/** The problems `text` has, one a line, as plan prints them. */
function problems(text: string): string[] {
  try {
    loadWorkload(text, "w.yaml", plannerCatalog());
  } catch (error) {
    assert.ok(error instanceof WorkloadError, String(error instanceof Error ? error.stack : error));
    return error.message.split("\n");
  }
  assert.fail("the workload loaded without error");
}

/** A one-segment workload with `fields` added to the segment (flow-style YAML). */
const segment = (fields: string, top = "") =>
  `name: x\n${top}segments:\n  - {name: a, requests_per_month: 10, input_tokens: 100, output_tokens: 10, models: [claude-haiku-4-5], ${fields}}\n`;

const HOURS = (first: string): string => `arrival: {hourly: [${[first, ...Array.from({ length: 23 }, () => "1")].join(", ")}]}`;

test("a negative or non-numeric hourly weight is a field error, not a crash", () => {
  for (const [first, given] of [["-1", "-1"], ["x", '"x"']] as const) {
    assert.deepEqual(problems(segment(HOURS(first))), [
      `w.yaml:3: segments.0.arrival.hourly.0: expected a non-negative decimal (a relative weight), e.g. 1.99 or "1.99", got ${given}`,
    ]);
  }
  assert.deepEqual(problems(segment("arrival: {hourly: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}")), [
    "w.yaml:3: segments.0.arrival.hourly: at least one hour needs a weight above 0, got a list of 24",
  ]);
});

test("switchyard plan exits 2 on a bad hourly weight, naming the field, without a stack", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "workload-")), "w.yaml");
  writeFileSync(file, segment(HOURS("-1")));
  const result = await runCli(["plan", file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /segments\.0\.arrival\.hourly\.0: expected a non-negative decimal/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test("a decimal field given text says what a decimal is, not a regex", () => {
  const found = problems(segment("cached_prefix_tokens: 100, cache_hit_rate: {5m: abc}", "discounts:\n  aws_percent: abc\n"));
  assert.deepEqual(found, [
    'w.yaml:3: discounts.aws_percent: expected a non-negative decimal (AWS discount), e.g. 1.99 or "1.99", got "abc"',
    'w.yaml:5: segments.0.cache_hit_rate.5m: expected a non-negative decimal (cache hit rate), e.g. 1.99 or "1.99", got "abc"',
  ]);
});

test("a number is quoted as the file wrote it: 10.5 and -0.5 are numbers, not text to unquote", () => {
  assert.deepEqual(problems(segment("cached_prefix_tokens: 100, cache_hit_rate: {5m: -0.5}").replace("requests_per_month: 10,", "requests_per_month: 10.5,")), [
    "w.yaml:3: segments.0.requests_per_month: expected a whole number of requests per month, got 10.5",
    'w.yaml:3: segments.0.cache_hit_rate.5m: expected a non-negative decimal (cache hit rate), e.g. 1.99 or "1.99", got -0.5',
  ]);
});

test("a decimal in exponent form or without its leading 0 is the exact decimal it writes", () => {
  const { workload } = loadWorkload(segment(HOURS("1e-3")).replace("[claude-haiku-4-5]", "[claude-haiku-4-5], web_searches_per_request: .5, growth_percent_per_month: 2.5E-1"), "w.yaml", plannerCatalog());
  const loaded = workload.segments[0];
  assert.equal(loaded?.arrival.weights[0]?.toString(), "0.001");
  assert.equal(loaded?.webSearchesPerRequest.toString(), "0.5");
  assert.equal(loaded?.growthPercentPerMonth.toString(), "0.25");
});

test("a count beyond 2^53 is one problem, quoting the digits the file wrote", () => {
  const text = segment("cached_prefix_tokens: 1e30").replace("requests_per_month: 10,", "requests_per_month: 9007199254740993,").replace("input_tokens: 100,", "input_tokens: 9007199254740993,");
  assert.deepEqual(problems(text), [
    "w.yaml:3: segments.0.requests_per_month: too large for a whole number of requests per month (at most 9007199254740991), got 9007199254740993",
    "w.yaml:3: segments.0.input_tokens: too large for a whole number of input tokens per request (at most 9007199254740991), got 9007199254740993",
    "w.yaml:3: segments.0.cached_prefix_tokens: too large for a whole number of prefix tokens (at most 9007199254740991), got 1e+30",
  ]);
});

test("an amount beyond 2^53 is taken exactly, and one over its bound is said without a crash", () => {
  const hosted = `${segment("")}self_host: [{model: llama-3-3-70b, gpu_usd_per_hour: 12345678901234567891, tokens_per_second: 10}]\n`;
  assert.equal(loadWorkload(hosted, "w.yaml", plannerCatalog()).workload.selfHost[0]?.gpuUsdPerHour.toString(), "12345678901234567891");
  assert.deepEqual(problems(segment("", "discounts: {aws_percent: 12345678901234567890}\n")), [
    "w.yaml:2: discounts.aws_percent: expected a percentage from 0 to 100 (AWS discount), got 12345678901234567890",
  ]);
});

test("constraints.providers names the entry that is no provider, with the one it is a letter or two from", () => {
  const list = problems(segment("", "constraints: {providers: [anthropc, bedrock]}\n"));
  assert.equal(list.length, 1, list.join("\n"));
  assert.match(list[0] ?? "", /^w\.yaml:2: constraints\.providers: expected any, or a list of anthropic \| bedrock \| .*; "anthropc" is not a provider \(did you mean "anthropic"\?\)$/);
  assert.match(problems(segment("", "constraints: {providers: anthropic}\n"))[0] ?? "", /\(write a list: \[anthropic\]\), got "anthropic"$/);
});

test("a compliance programme a letter or two from a known one says which", () => {
  assert.match(problems(segment("", "constraints: {compliance: [hipa]}\n"))[0] ?? "", /^w\.yaml:2: constraints\.compliance\.0: unknown compliance programme "hipa"; the catalog knows .*hipaa.* \(did you mean "hipaa"\?\)$/);
});

test("a file whose aliases expand past YAML's limit (a billion-laughs file) is a problem of the file, not a crash", () => {
  const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"];
  for (let level = 1; level < 8; level += 1) lines.push(`a${level}: &a${level} [${Array.from({ length: 9 }, () => `*a${level - 1}`).join(", ")}]`);
  assert.deepEqual(problems(`${lines.join("\n")}\nname: bomb\n`), [
    "w.yaml: its YAML aliases (*name) expand too far: Excessive alias count indicates a resource exhaustion attack; write the values out, or use fewer aliases",
  ]);
});

test("a count below its minimum reads as English: the field's unit once, then the minimum (not \"at least 1 requests per month\")", () => {
  assert.deepEqual(problems(segment("prefix_variants: 0").replace("requests_per_month: 10", "requests_per_month: -5")), [
    "w.yaml:3: segments.0.requests_per_month: expected a whole number of requests per month, at least 1, got -5",
    "w.yaml:3: segments.0.prefix_variants: expected a whole number of distinct prefixes, at least 1, got 0",
  ]);
  assert.deepEqual(problems(segment("", "horizon_months: 0\n")), ["w.yaml:2: horizon_months: expected a whole number of months, at least 1, got 0"]);
});

test("a count may be quoted, as an amount may: \"200\" is 200, wherever a whole number goes", () => {
  const quoted = loadWorkload(
    `name: x\nhorizon_months: "6"\nsegments:\n  - {name: a, requests_per_month: "10000", input_tokens: {mean: "500", p90: "900"}, output_tokens: "200", cached_prefix_tokens: "0", prefix_variants: "2", arrival: {pattern: business-hours, days_per_week: "5"}, models: [claude-haiku-4-5]}\n`,
    "w.yaml",
    plannerCatalog(),
  ).workload;
  const bare = loadWorkload(
    `name: x\nhorizon_months: 6\nsegments:\n  - {name: a, requests_per_month: 10000, input_tokens: {mean: 500, p90: 900}, output_tokens: 200, cached_prefix_tokens: 0, prefix_variants: 2, arrival: {pattern: business-hours, days_per_week: 5}, models: [claude-haiku-4-5]}\n`,
    "w.yaml",
    plannerCatalog(),
  ).workload;
  assert.deepEqual(quoted, bare);
  assert.equal(quoted.segments[0]?.output.mean, 200);
});

test("a quoted count is checked as the number: too large, below its minimum, or not a whole number, each said once with the text as written", () => {
  assert.deepEqual(problems(segment("prefix_variants: \"0\"").replace("requests_per_month: 10,", 'requests_per_month: "9007199254740993",').replace("output_tokens: 10,", 'output_tokens: "2.5",')), [
    'w.yaml:3: segments.0.requests_per_month: too large for a whole number of requests per month (at most 9007199254740991), got "9007199254740993"',
    'w.yaml:3: segments.0.output_tokens: expected a whole number of output tokens per request, or {mean, p90, max}, got "2.5"',
    'w.yaml:3: segments.0.prefix_variants: expected a whole number of distinct prefixes, at least 1, got "0"',
  ]);
});

test("growth may be negative (a shrinking workload), written bare or quoted, exactly; -100 or below is refused", () => {
  const growth = (value: string) => loadWorkload(segment("", `growth_percent_per_month: ${value}\n`), "w.yaml", plannerCatalog()).workload.segments[0]?.growthPercentPerMonth.toString();
  assert.equal(growth("-5"), "-5");
  assert.equal(growth("-2.5"), "-2.5");
  assert.equal(growth('"-2.5"'), "-2.5");
  assert.equal(growth("-2.5e-1"), "-0.25");
  const refused = 'expected a percentage above -100 (growth per month; negative = shrinking), e.g. 5, -2.5 or "-2.5"';
  assert.deepEqual(problems(segment("", "growth_percent_per_month: -100\n")), [`w.yaml:2: growth_percent_per_month: ${refused}, got -100`]);
  assert.deepEqual(problems(segment("growth_percent_per_month: -150.5")), [`w.yaml:3: segments.0.growth_percent_per_month: ${refused}, got -150.5`]);
});
