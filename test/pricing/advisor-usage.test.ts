/**
 * The advisor tool (beta advisor-tool-2026-03-01): an executor consults a stronger model, whose
 * sub-inferences are usage.iterations entries of type `advisor_message` naming that model. They are
 * billed at the advisor's rates; summing them into the executor's counts priced them at the
 * executor's (pricing/other-models.ts, normalize-usage.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { compareOfferings, offeringsForModelQuery } from "../../src/pricing/compare.js";
import { formatUsd } from "../../src/pricing/money.js";
import { catalog } from "../helpers/catalog.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

const iteration = (fields: Record<string, unknown>) => ({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0, ...fields });

const USAGE = {
  input_tokens: 1_000,
  output_tokens: 500,
  iterations: [
    iteration({ type: "message", input_tokens: 400, output_tokens: 200 }),
    iteration({ type: "advisor_message", model: "claude-opus-4-6", input_tokens: 823, output_tokens: 531, cache_read_input_tokens: 100 }),
    iteration({ type: "message", input_tokens: 600, output_tokens: 300 }),
  ],
};

test("an advisor_message entry is left out of the executor's counts and kept, with its model, to be priced apart", () => {
  const normalized = fromAnthropicUsage(USAGE);
  assert.equal(normalized.usage.input, 1_000);
  assert.equal(normalized.usage.output, 500);
  assert.deepEqual(normalized.otherModels, [{ model: "claude-opus-4-6", role: "advisor", usage: { input: 823, output: 531, cacheRead: 100, cacheWrite5m: 0, cacheWrite1h: 0 } }]);
  assert.ok(normalized.warnings.includes("1 advisor sub-inference (usage.iterations type advisor_message) priced at claude-opus-4-6's rates, not the executor's"), normalized.warnings.join("\n"));
  // Without an advisor there is nothing apart, and compaction is named only where there is one.
  const plain = fromAnthropicUsage({ ...USAGE, iterations: [USAGE.iterations[0], USAGE.iterations[2]] });
  assert.equal(plain.otherModels, undefined);
  assert.ok(plain.warnings.includes("input and output and cache counts summed over 2 usage.iterations"), plain.warnings.join("\n"));
});

test("an advisor entry that names no model stays in the executor's sum (a lower bound), and says so", () => {
  const unnamed = fromAnthropicUsage({ ...USAGE, iterations: [USAGE.iterations[0], { ...USAGE.iterations[1], model: undefined }, USAGE.iterations[2]] });
  assert.equal(unnamed.otherModels, undefined);
  assert.equal(unnamed.usage.input, 1_823);
  assert.ok(unnamed.warnings.some((warning) => /^iterations\[1\]\.model \(an advisor's sub-inference\) is not named/.test(warning)), unnamed.warnings.join("\n"));
});

test("quote prices the advisor's tokens at its own rates on the same provider and route, in lines that name it", () => {
  const normalized = fromAnthropicUsage(USAGE);
  const priced = quote(catalog(), { model: "claude-sonnet-4-6", at: "2026-11-22", usage: normalized.usage, otherModels: normalized.otherModels });
  // Sonnet 4.6: 1,000 x $3 + 500 x $15 = $0.0105. Opus 4.6: 823 x $5 + 531 x $25 + 100 x $0.50 = $0.01744.
  assert.equal(priced.result.total, 27_940_000_000_000_000n);
  assert.equal(priced.result.exact, true);
  const advisorLines = priced.result.lines.filter((line) => line.model !== undefined);
  assert.deepEqual(advisorLines.map((line) => [line.class, line.quantity, line.model]), [
    ["input", 823, "claude-opus-4-6"],
    ["cache_read", 100, "claude-opus-4-6"],
    ["output", 531, "claude-opus-4-6"],
  ]);
});

test("compare prices the advisor on each offering's own provider, route and regions; an advisor the catalog does not know leaves every total a lower bound", () => {
  // Only where the advisor tool runs: Bedrock and Vertex AI offerings are compared below.
  const sonnet = offeringsForModelQuery(catalog(), "claude-sonnet-4-6").filter((offering) => offering.capabilities.advisor_tool !== false);
  assert.deepEqual([...new Set(sonnet.map((offering) => `${offering.provider}/${offering.route}`))].sort(), ["anthropic/global", "anthropic/us", "claude-platform-aws/global", "claude-platform-aws/us"]);
  const executor = { input: 1_000, output: 400 };
  const compared = compareOfferings(catalog(), sonnet, executor, [{ model: "claude-opus-4-6", role: "advisor", usage: { input: 2_000, output: 600 } }], "2026-11-22");
  for (const option of compared) {
    const result = option.result;
    assert.ok(result, option.offering.key);
    assert.deepEqual(result.lines.filter((line) => line.model).map((line) => line.model), ["claude-opus-4-6", "claude-opus-4-6"], option.offering.key);
    assert.equal(result.exact, true, option.offering.key);
  }
  // Global routes at list rates ($0.009 + $0.025), inference_geo us at 1.1x: the advisor's us rates too.
  assert.deepEqual([...new Set(compared.map((option) => formatUsd(option.result?.total ?? 0n)))].sort(), ["0.034", "0.0374"]);
  const unknown = compareOfferings(catalog(), sonnet, executor, [{ model: "claude-made-up-9", role: "advisor", usage: { input: 2_000, output: 600 } }], "2026-11-22");
  assert.ok(unknown.every((option) => option.result?.exact === false && option.result.upper === undefined && option.result.unpricedModels?.[0] === "claude-made-up-9"));
});

test("advisor usage on an offering that does not run the tool (Bedrock, Vertex AI) is no price of it: compare leaves it out, price refuses it", () => {
  const elsewhere = offeringsForModelQuery(catalog(), "claude-sonnet-4-6").filter((offering) => offering.capabilities.advisor_tool === false);
  assert.deepEqual([...new Set(elsewhere.map((offering) => offering.provider))].sort(), ["bedrock", "vertex"]);
  const compared = compareOfferings(catalog(), elsewhere, { input: 1_000, output: 400 }, [{ model: "claude-opus-4-6", role: "advisor", usage: { input: 2_000, output: 600 } }], "2026-11-22");
  for (const option of compared) {
    assert.equal(option.feasible, false, option.offering.key);
    assert.equal(option.result, undefined, option.offering.key);
    assert.deepEqual(option.reasons, [`${option.offering.provider} does not run the advisor tool, and the usage has claude-opus-4-6 advisor tokens`], option.offering.key);
  }
  // Without advisor usage the same offerings are priced as ever.
  assert.ok(compareOfferings(catalog(), elsewhere, { input: 1_000, output: 400 }, [], "2026-11-22").every((option) => option.feasible));
  const dir = mkdtempSync(join(tmpdir(), "switchyard-advisor-"));
  try {
    const file = join(dir, "response.json");
    writeFileSync(file, JSON.stringify({ type: "message", model: "claude-sonnet-4-6", content: [], usage: USAGE }));
    const refused = spawnSync(process.execPath, [BIN, "price", "--model", "claude-sonnet-4-6", "--provider", "bedrock", "--route", "global", "--usage-json", file, "--at", "2026-11-22"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(refused.status, 2, refused.stdout);
    assert.equal(refused.stderr.trim(), "switchyard price: --usage-json: bedrock does not run the advisor tool, and the usage has claude-opus-4-6 advisor tokens");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("switchyard price --usage-json: the advisor's lines are named in the table and carry `model` in --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-advisor-"));
  try {
    const file = join(dir, "response.json");
    writeFileSync(file, JSON.stringify({ type: "message", model: "claude-sonnet-4-6", content: [], usage: USAGE }));
    const json = spawnSync(process.execPath, [BIN, "price", "--model", "claude-sonnet-4-6", "--usage-json", file, "--at", "2026-11-22", "--json"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { total_usd: string; lines: { class: string; model?: string; usd: string }[] };
    assert.equal(parsed.total_usd, "0.02794");
    assert.deepEqual(parsed.lines.filter((line) => line.model).map((line) => `${line.class} ${line.model} ${line.usd}`), ["input claude-opus-4-6 0.004115", "cache_read claude-opus-4-6 0.00005", "output claude-opus-4-6 0.013275"]);
    const table = spawnSync(process.execPath, [BIN, "price", "--model", "claude-sonnet-4-6", "--usage-json", file, "--at", "2026-11-22"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^output \(advisor claude-opus-4-6\) +531 +25 +0\.013275$/m);
    assert.match(table.stdout, /^total  \$0\.02794$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
