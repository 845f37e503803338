/**
 * Server-side fallback (`fallbacks` on the request): when the requested model refuses, a fallback
 * model serves the request, and its attempt is a usage.iterations entry of type `fallback_message`
 * naming that model (the SDK's BetaFallbackMessageIterationUsage). It is billed at the fallback's
 * rates; summing it into the requested model's counts priced it at the requested model's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blockInForce } from "../../src/catalog/model.js";
import { Decimal } from "../../src/pricing/decimal.js";
import { formatUsd, moneyFromUsd } from "../../src/pricing/money.js";
import { fromAnthropicUsage } from "../../src/pricing/normalize-usage.js";
import { quote } from "../../src/pricing/quote.js";
import { catalog } from "../helpers/catalog.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

const AT = "2026-11-22";
const iteration = (fields: Record<string, unknown>) => ({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cache_creation: null, ...fields });

/** Claude Fable 5 refused (its input read, nothing written); Claude Opus 4.8 served the request. */
const REFUSED_THEN_SERVED = {
  input_tokens: 5_000,
  output_tokens: 700,
  iterations: [iteration({ type: "message", input_tokens: 5_000, output_tokens: 0 }), iteration({ type: "fallback_message", model: "claude-opus-4-8", input_tokens: 5_000, output_tokens: 700 })],
};

/** `input` and `output` tokens at a model's Claude API (global) rates in force on AT, from the catalog. */
function listPrice(model: string, input: number, output: number): bigint {
  const offering = catalog().findOffering("anthropic", model, "global");
  const rates = offering && blockInForce(offering, AT)?.standard;
  assert.ok(rates, `${model} is priced on ${AT}`);
  return moneyFromUsd(rates.input.mul(Decimal.fromInteger(input)).add(rates.output.mul(Decimal.fromInteger(output))).div(Decimal.fromInteger(1_000_000), 18));
}

test("a fallback_message entry is left out of the requested model's counts and priced at the fallback model's rates", () => {
  const normalized = fromAnthropicUsage(REFUSED_THEN_SERVED);
  assert.deepEqual({ input: normalized.usage.input, output: normalized.usage.output }, { input: 5_000, output: 0 });
  assert.deepEqual(
    normalized.otherModels?.map((other) => ({ model: other.model, role: other.role, input: other.usage.input, output: other.usage.output })),
    [{ model: "claude-opus-4-8", role: "fallback", input: 5_000, output: 700 }],
  );
  assert.ok(normalized.warnings.includes("1 fallback attempt (usage.iterations type fallback_message) priced at claude-opus-4-8's rates, not the requested model's"), normalized.warnings.join("; "));
  const priced = quote(catalog(), { model: "claude-fable-5", provider: "anthropic", route: "global", at: AT, usage: normalized.usage, otherModels: normalized.otherModels }).result;
  assert.equal(priced.exact, true);
  assert.equal(priced.total, listPrice("claude-fable-5", 5_000, 0) + listPrice("claude-opus-4-8", 5_000, 700));
  assert.ok(priced.total < listPrice("claude-fable-5", 10_000, 700), "the case this checks: Fable 5's rates are dearer than Opus 4.8's");
  assert.deepEqual(
    priced.lines.filter((line) => line.model).map((line) => `${line.class} ${line.model} ${line.role}`),
    ["input claude-opus-4-8 fallback", "output claude-opus-4-8 fallback"],
  );
});

test("only a fallback model ran: the requested model's own usage is 0, not the top-level counts again", () => {
  const normalized = fromAnthropicUsage({ input_tokens: 5_000, output_tokens: 700, iterations: [iteration({ type: "fallback_message", model: "claude-opus-4-8", input_tokens: 5_000, output_tokens: 700 })] });
  assert.deepEqual({ input: normalized.usage.input, output: normalized.usage.output, cacheRead: normalized.usage.cacheRead }, { input: 0, output: 0, cacheRead: undefined });
  assert.ok(normalized.warnings.includes("every usage.iterations entry is a fallback model's: the requested model's own usage is 0"));
  const priced = quote(catalog(), { model: "claude-fable-5", provider: "anthropic", route: "global", at: AT, usage: normalized.usage, otherModels: normalized.otherModels }).result;
  assert.equal(priced.total, listPrice("claude-opus-4-8", 5_000, 700));
});

test("a fallback_message entry that names no model stays in the requested model's sum, a lower bound, and says so", () => {
  const normalized = fromAnthropicUsage({ input_tokens: 5_000, output_tokens: 700, iterations: [iteration({ type: "message", input_tokens: 5_000, output_tokens: 0 }), iteration({ type: "fallback_message", input_tokens: 5_000, output_tokens: 700 })] });
  assert.equal(normalized.otherModels, undefined);
  assert.deepEqual({ input: normalized.usage.input, output: normalized.usage.output }, { input: 10_000, output: 700 });
  assert.ok(normalized.warnings.some((warning) => warning.startsWith("iterations[1].model (the fallback model that served the request) is not named")));
});

test("switchyard price --usage-json names the fallback's lines in the table and gives `model` and `role` in --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-fallback-"));
  try {
    const file = join(dir, "response.json");
    writeFileSync(file, JSON.stringify({ type: "message", model: "claude-fable-5", content: [], usage: REFUSED_THEN_SERVED }));
    const total = formatUsd(listPrice("claude-fable-5", 5_000, 0) + listPrice("claude-opus-4-8", 5_000, 700));
    const json = spawnSync(process.execPath, [BIN, "price", "--model", "claude-fable-5", "--usage-json", file, "--at", AT, "--json"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { total_usd: string; lines: { class: string; model?: string; role?: string }[] };
    assert.equal(parsed.total_usd, total);
    assert.deepEqual(parsed.lines.filter((line) => line.model).map((line) => `${line.class} ${line.model} ${line.role}`), ["input claude-opus-4-8 fallback", "output claude-opus-4-8 fallback"]);
    const table = spawnSync(process.execPath, [BIN, "price", "--model", "claude-fable-5", "--usage-json", file, "--at", AT], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^output \(fallback claude-opus-4-8\) +700 /m);
    assert.match(table.stdout, new RegExp(`^total  \\$${total.replace(".", "\\.")}$`, "m"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
