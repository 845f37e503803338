/**
 * Fast mode withdrawn from a model: the catalog keeps a `fast` card equal to the standard one
 * (docs/CATALOG.md), because such a request is accepted and billed at standard rates. price and
 * compare say so instead of printing "tier fast, fast mode" as if fast mode still ran.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

const WITHDRAWN = /fast mode is no longer available for claude-opus-4-6 on anthropic\/global \(price period 2026-06-29 onwards\): a request asking for speed "fast" runs at standard speed and is billed at standard rates/;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("Opus 4.6 fast after 2026-06-29: billed at standard rates, with a warning; before, the fast premium and no warning", () => {
  const after = quote(catalog(), { model: "claude-opus-4-6", at: "2026-11-22", speed: "fast", usage: { input: 1_000_000, output: 0 } });
  assert.equal(formatUsd(after.result.total), "5");
  assert.ok(after.warnings.some((warning) => WITHDRAWN.test(warning)), after.warnings.join("\n"));
  const before = quote(catalog(), { model: "claude-opus-4-6", at: "2026-05-01", speed: "fast", usage: { input: 1_000_000, output: 0 } });
  assert.equal(formatUsd(before.result.total), "30");
  assert.ok(!before.warnings.some((warning) => /fast mode/.test(warning)), before.warnings.join("\n"));
  const standard = quote(catalog(), { model: "claude-opus-4-6", at: "2026-11-22", usage: { input: 1_000_000, output: 0 } });
  assert.ok(!standard.warnings.some((warning) => /fast mode/.test(warning)), "a standard request is not warned");
});

test("price --speed fast warns in the text and in --json warnings; compare notes it on the row", () => {
  const text = run("price", "--model", "claude-opus-4-6", "--speed", "fast", "--input", "100", "--at", "2026-11-22");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`\\nwarning: ${WITHDRAWN.source}\\n`));
  const json = run("price", "--model", "claude-opus-4-6", "--speed", "fast", "--input", "100", "--at", "2026-11-22", "--json");
  const priced = JSON.parse(json.stdout) as { warnings: string[]; total_usd: string };
  assert.equal(priced.total_usd, "0.0005");
  assert.ok(priced.warnings.some((warning) => WITHDRAWN.test(warning)), priced.warnings.join("\n"));
  const compared = run("compare", "--model", "claude-opus-4-6", "--provider", "anthropic", "--speed", "fast", "--input", "100", "--at", "2026-11-22", "--json");
  const options = (JSON.parse(compared.stdout) as { options: { route: string; reasons: string[] }[] }).options;
  const global = options.find((option) => option.route === "global");
  assert.ok(global?.reasons.some((reason) => WITHDRAWN.test(reason)), JSON.stringify(global));
});
