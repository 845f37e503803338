/**
 * `switchyard plan` as a user runs it: exit codes, the --json contract, --markdown, --html, and
 * the rule that a one-request workload costs exactly what `switchyard price` says. These run the
 * real catalog, so they compare the two commands with each other rather than with fixed figures.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadCatalogChecked } from "../../src/catalog/files.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { PLANNER_CATALOG_FILES, PLANNER_FIXTURES } from "./planner-fixture.js";

const OUTPUT = resolve(REPO_ROOT, "test-output");
mkdirSync(OUTPUT, { recursive: true });

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const realCatalog = loadCatalogChecked();
const skipReal = realCatalog.catalog ? false : "the repository catalog does not load right now (being edited); skipping the real-catalog CLI checks";

test("a bad workload file exits 2 and names the file, the line and the field", () => {
  const file = resolve(PLANNER_FIXTURES, "bad/bad-requests.yaml");
  const result = run("plan", file);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /bad-requests\.yaml:4: segments\.0\.requests_per_month: expected a whole number of requests per month, got "lots"/);
  assert.match(result.stderr, /docs\/PLANNER\.md/);
  assert.equal(run("plan", resolve(PLANNER_FIXTURES, "bad/no-such-file.yaml")).code, 2);
  assert.equal(run("plan").code, 2);
  const empty = run("plan", "");
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /the workload file is empty \(""\): give a path/, "an empty path is asked for, not read as a file named ''");
  assert.equal(run("plan", file, "--json", "--markdown").code, 2);
  assert.equal(run("plan", file, "--at", "yesterday").code, 2);
});

test("an unknown model in the workload exits 2 with suggestions", { skip: skipReal }, () => {
  const result = run("plan", resolve(PLANNER_FIXTURES, "bad/unknown-model.yaml"));
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown-model\.yaml:9: segments\.0\.models\.1: unknown model "claude-haiku-9"/);
});

test("a one-request workload costs exactly what switchyard price says", { skip: skipReal }, () => {
  const workload = resolve(OUTPUT, "one-request.yaml");
  writeFileSync(workload, "name: one\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 3500\n    output_tokens: 200\n    models: [claude-haiku-4-5, claude-sonnet-4-6]\n");
  const planned = JSON.parse(run("plan", workload, "--json", "--at", "2026-11-01").stdout) as { options: { provider: string; route: string; model: string; monthly_usd: string | null }[] };
  let compared = 0;
  for (const [model, provider, route] of [
    ["claude-haiku-4-5", "anthropic", "global"],
    ["claude-haiku-4-5", "bedrock", "global"],
    ["claude-sonnet-4-6", "anthropic", "us"],
    ["claude-sonnet-4-6", "bedrock", "us"],
  ] as const) {
    const option = planned.options.find((candidate) => candidate.provider === provider && candidate.route === route && candidate.model === model);
    if (!option) continue;
    const priced = JSON.parse(run("price", "--model", model, "--provider", provider, "--route", route, "--input", "3500", "--output", "200", "--at", "2026-11-01", "--json").stdout) as { total_usd: string };
    assert.equal(option.monthly_usd, priced.total_usd, `${provider}/${route}/${model}`);
    compared += 1;
  }
  assert.ok(compared >= 2, "at least two deployments compared");
});

test("plan and price agree on the context window: a 200K model whose 1M window comes with the context-1m beta takes a 500K request in both", { skip: skipReal }, () => {
  const workload = resolve(OUTPUT, "long-context.yaml");
  writeFileSync(workload, "name: long\nsegments:\n  - name: s\n    requests_per_month: 1\n    input_tokens: 500000\n    output_tokens: 1000\n    models: [claude-sonnet-4-5]\n");
  const planned = JSON.parse(run("plan", workload, "--json", "--at", "2026-01-15").stdout) as { options: { provider: string; route: string; feasible: boolean; reasons: string[] }[] };
  const direct = planned.options.find((option) => option.provider === "anthropic" && option.route === "global");
  assert.ok(direct, "an Anthropic API option");
  assert.equal(direct.feasible, true, direct.reasons.join("; "));
  const priced = run("price", "--model", "claude-sonnet-4-5", "--provider", "anthropic", "--route", "global", "--input", "500000", "--output", "1000", "--at", "2026-01-15");
  assert.equal(priced.code, 0, priced.stderr);
  assert.doesNotMatch(priced.stdout + priced.stderr, /context window/);
});

test("--json carries the contract fields, money as exact decimal strings, feasible options ranked by cost", { skip: skipReal }, () => {
  const workload = resolve(PLANNER_FIXTURES, "workloads/mixed.yaml");
  const result = run("plan", workload, "--json", "--at", "2026-11-22", ...PLANNER_CATALOG_FILES.flatMap((file) => ["--catalog", file]));
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as {
    options: { segment: string; provider: string; route: string; model: string; feasible: boolean; reasons: string[]; monthly_usd: string | null; breakdown: { class: string; usd: string }[]; levers: { lever: string; saving_usd: string | null; formula: string; preconditions: string[] }[]; rank: number | null }[];
    recommendation: { monthly_usd: string; segments: { segment: string; option_id: string }[]; levers: unknown[] };
  };
  const money = /^-?\d+(\.\d+)?$/;
  for (const option of json.options) {
    for (const field of ["provider", "route", "model", "feasible", "reasons", "monthly_usd", "breakdown", "levers"]) assert.ok(field in option, field);
    if (option.monthly_usd !== null) assert.match(option.monthly_usd, money);
    for (const line of option.breakdown) assert.match(line.usd, money);
    for (const lever of option.levers) {
      assert.ok(lever.saving_usd === null || money.test(lever.saving_usd));
      assert.ok(lever.formula.length > 10);
    }
    if (!option.feasible) assert.ok(option.reasons.length > 0);
  }
  for (const segment of ["triage", "nightly"]) {
    const feasible = json.options.filter((option) => option.segment === segment && option.feasible);
    assert.deepEqual(feasible.map((option) => option.rank), feasible.map((_, index) => index + 1));
    const costs = feasible.map((option) => Number(option.monthly_usd)); // ordering check only
    assert.deepEqual([...costs].sort((a, b) => a - b), costs);
    const firstInfeasible = json.options.findIndex((option) => option.segment === segment && !option.feasible);
    const lastFeasible = json.options.map((option) => option.segment === segment && option.feasible).lastIndexOf(true);
    assert.ok(firstInfeasible === -1 || firstInfeasible > lastFeasible);
  }
  assert.match(json.recommendation.monthly_usd, money);
  assert.equal(json.recommendation.segments.length, 2);
});

test("--markdown prints tables; --html writes one self-contained page", { skip: skipReal }, () => {
  const workload = resolve(PLANNER_FIXTURES, "workloads/mixed.yaml");
  const markdown = run("plan", workload, "--markdown", "--at", "2026-11-22");
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /^# Plan: mixed/);
  assert.match(markdown.stdout, /\| # \| deployment \| model \| monthly \| list price \| levers pulled \| feasible \|/);
  assert.match(markdown.stdout, /### Levers/);
  const page = resolve(OUTPUT, "cli-plan.html");
  const html = run("plan", workload, "--html", page, "--at", "2026-11-22");
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stderr, /wrote .*cli-plan\.html/);
  const text = readFileSync(page, "utf8");
  assert.match(text, /^<!doctype html>/);
  assert.doesNotMatch(text, /<script|https?:\/\/[^"<\s]*\.(js|css)|<link /);
  assert.equal((text.match(/data-chart="cost-per-option"/g) ?? []).length, 2);
  assert.match(text, /<th>saving\/month<\/th><th>in the recommendation<\/th>/, "the levers table's third column is named");
  assert.match(html.stdout, /Recommended plan: \$/);
});

test("a segment nothing can serve gets the reasons, not an empty ranked table", { skip: skipReal }, () => {
  const file = resolve(OUTPUT, "nothing-feasible.yaml");
  writeFileSync(file, "name: nf\nat: 2026-11-22\nsegments:\n  - { name: a, requests_per_month: 1000, input_tokens: 3500, output_tokens: 200, models: [claude-opus-4-6] }\nconstraints: { residency: govcloud }\n");
  const result = run("plan", file);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Segment a: [^\n]*\n\nNot feasible \(\d+\):\n/);
  assert.doesNotMatch(result.stdout, /levers pulled/, "no table header");
  assert.match(result.stdout, /No deployment satisfies this segment's constraints/);
  // The page: no frame without a chart in it, and every table in a frame that scrolls on a phone.
  const page = resolve(OUTPUT, "nothing-feasible.html");
  assert.equal(run("plan", file, "--html", page).code, 0);
  const text = readFileSync(page, "utf8");
  for (const figure of text.match(/<figure>[^]*?<\/figure>/g) ?? []) assert.match(figure, /data-(?:bar|stack|series)="/, "a figure with a chart drawn in it");
  assert.doesNotMatch(text, /<figure><\/figure>/);
  assert.equal((text.match(/<table>/g) ?? []).length, (text.match(/<div class="table-wrap"><table>/g) ?? []).length);
});

test("compare --residency takes only a residency the catalog knows, naming the flag (a typo is not 'no deployment offers it')", { skip: skipReal }, () => {
  const typo = run("compare", "--model", "sonnet-4.6", "--input", "1000", "--residency", "mars");
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--residency must be one of global, us, eu, .*govcloud.*; got "mars"/);
  const eu = run("compare", "--model", "sonnet-4.6", "--input", "1000", "--residency", "eu", "--json");
  assert.equal(eu.code, 0, eu.stderr);
});

test("compare --json names the usage as the ledger does, an unknown count null rather than 0", { skip: skipReal }, () => {
  const flags = run("compare", "--model", "claude-sonnet-4-6", "--input", "1000", "--output", "100", "--cache-read", "7", "--json");
  assert.equal(flags.code, 0, flags.stderr);
  const fromFlags = JSON.parse(flags.stdout) as { usage: Record<string, number | null>; options: { rank: number; total_usd: string }[] };
  assert.deepEqual(fromFlags.usage, {
    input_tokens: 1000,
    output_tokens: 100,
    cache_write_5m_tokens: 0,
    cache_write_1h_tokens: 0,
    cache_write_unsplit_tokens: null,
    cache_read_tokens: 7,
    web_search_requests: null,
  });
  assert.equal(fromFlags.options[0]?.rank, 1);
  assert.match(fromFlags.options[0]?.total_usd ?? "", /^\d+(\.\d+)?$/);
  const usageFile = resolve(OUTPUT, "compare-usage.json");
  writeFileSync(usageFile, JSON.stringify({ input_tokens: 10, output_tokens: 3 }));
  const fromJson = JSON.parse(run("compare", "--model", "claude-sonnet-4-6", "--usage-json", usageFile, "--json").stdout) as { usage: Record<string, number | null> };
  assert.equal(fromJson.usage.input_tokens, 10);
  assert.equal(fromJson.usage.cache_read_tokens, null, "a count the usage object did not report is unknown");
  // Each option says how far its price can go, as price --json does: exact ones have their total as the bound.
  const exactOption = fromFlags.options[0] as { total_usd: string; total_usd_upper?: string | null };
  assert.equal(exactOption.total_usd_upper, exactOption.total_usd);
});

test("a negative number after a flag reaches the flag's own check; a flag given twice is refused, not its last value kept", () => {
  const negative = run("price", "--model", "claude-haiku-4-5", "--input", "-5", "--output", "1");
  assert.equal(negative.code, 2);
  assert.match(negative.stderr, /--input must be a whole number \(0 or more\), got "-5"/);
  const twice = run("price", "--model", "claude-haiku-4-5", "--input", "10", "--input", "20", "--output", "1");
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--input is given twice \("10" and "20"\): give it once/);
  // A flag meant to repeat still does: both catalog files are read (the second one's error shows it).
  const catalogs = run("price", "--model", "claude-haiku-4-5", "--input", "1", "--output", "1", "--catalog", "/nonexistent-a.yaml", "--catalog", "/nonexistent-b.yaml");
  assert.equal(catalogs.code, 2);
  assert.doesNotMatch(catalogs.stderr, /given twice/);
  assert.match(catalogs.stderr, /nonexistent-b\.yaml/);
});

test("switchyard --version prints the package's version; switchyard help COMMAND is COMMAND --help", () => {
  const version = run("--version");
  assert.equal(version.code, 0);
  const manifest = JSON.parse(readFileSync(resolve(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(version.stdout, `switchyard ${manifest.version}\n`);
  const help = run("help", "serve");
  assert.equal(help.code, 0);
  assert.equal(help.stdout, run("serve", "--help").stdout);
  assert.match(help.stdout, /^switchyard serve — the gateway/);
});

test("price --region: a region name, and only where prices go by region", () => {
  const mars = run("price", "--model", "claude-sonnet-4-6", "--provider", "bedrock", "--region", "mars-1", "--input", "10", "--output", "1");
  assert.equal(mars.code, 2);
  assert.match(mars.stderr, /--region must be a cloud region such as us-east-1 or europe-west1, got "mars-1"/);
  const direct = run("price", "--model", "claude-sonnet-4-6", "--provider", "anthropic", "--region", "us-east-1", "--input", "10", "--output", "1");
  assert.equal(direct.code, 2);
  assert.match(direct.stderr, /--region: anthropic is not priced by region; it has global and us routes \(--inference-geo us\)/);
  const bedrock = run("price", "--model", "claude-sonnet-4-6", "--provider", "bedrock", "--region", "eu-west-1", "--input", "10", "--output", "1");
  assert.equal(bedrock.code, 0, bedrock.stderr);
});
