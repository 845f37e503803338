/**
 * `verified` per rate card: a card may carry its own `source` (docs/CATALOG.md, price blocks), which
 * stands for its rates instead of the block's. Claude Opus 5 and 5.5 on the Claude API: the standard
 * rates come from Anthropic's overview pages (verified), the fast cards from third-party gateway
 * pages (unverified). A request is warned about the source of the card that priced it, and only
 * that one; a block without card sources is read as before (its one flag covers every card).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadCatalog } from "../../src/catalog/files.js";
import { quote } from "../../src/pricing/quote.js";
import { compareOfferings } from "../../src/pricing/compare.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

const AT = "2026-11-24";
const USAGE = { input: 1000, output: 100 };

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

for (const model of ["claude-opus-5", "claude-opus-5-5"]) {
  test(`${model}: the official standard rates are not called unverified; the third-party fast card is`, () => {
    const standard = quote(catalog(), { model, at: AT, usage: USAGE });
    assert.equal(standard.result.source.verified, true);
    assert.match(standard.result.source.url, /^https:\/\/platform\.claude\.com\/docs\/en\/models\//);
    assert.ok(!standard.warnings.some((warning) => /unverified/.test(warning)), standard.warnings.join("\n"));
    const fast = quote(catalog(), { model, at: AT, speed: "fast", usage: USAGE });
    assert.equal(fast.result.source.verified, false);
    assert.match(fast.result.source.url, /^https:\/\/vercel\.com\/ai-gateway/);
    assert.ok(fast.warnings.some((warning) => /^the fast rates' source is marked unverified: https:\/\/vercel\.com\/ai-gateway/.test(warning)), fast.warnings.join("\n"));
  });
}

test("compare notes an unverified price only where the card used is unverified", () => {
  const offerings = catalog().offeringsOf("claude-opus-5-5").filter((offering) => offering.provider === "anthropic");
  const standard = compareOfferings(catalog(), offerings, USAGE, undefined, AT);
  assert.ok(standard.every((option) => !option.warnings.includes("price from unverified third-party quotes")), standard.map((option) => option.warnings.join("; ")).join("\n"));
  const fast = compareOfferings(catalog(), offerings, USAGE, undefined, AT, { speed: "fast" });
  assert.ok(fast.every((option) => option.warnings.includes("price from unverified third-party quotes")));
});

test("a block with no card sources keeps its one flag for every card (the old form is still read)", () => {
  const directory = mkdtempSync(join(tmpdir(), "card-source-"));
  const file = join(directory, "mine.yaml");
  writeFileSync(
    file,
    [
      "schema_version: 1",
      "provider: anthropic",
      "offerings:",
      "  - model: claude-opus-5-5",
      "    route: global",
      "    model_id: claude-opus-5-5",
      "    residency: global",
      "    billing: anthropic",
      "    prices:",
      "      - effective_from: 2026-09-22",
      '        standard: { input: "4", output: "20" }',
      '        fast: { input: "8", output: "40" }',
      "        source: { url: https://example.com/quote, accessed: 2026-11-01, verified: false }",
      "",
    ].join("\n"),
  );
  const mine = loadCatalog({ extraFiles: [file] });
  for (const speed of ["standard", "fast"] as const) {
    const priced = quote(mine, { model: "claude-opus-5-5", at: AT, speed, usage: USAGE });
    assert.equal(priced.result.source.url, "https://example.com/quote");
    assert.ok(priced.warnings.includes("this price period's source is marked unverified: https://example.com/quote"), priced.warnings.join("\n"));
  }
});

test("price --json names the card's source; catalog show lists it under the block's", () => {
  const fast = run("price", "--model", "claude-opus-5", "--at", AT, "--input", "1000", "--output", "100", "--speed", "fast", "--json");
  assert.equal(fast.code, 0, fast.stderr);
  const priced = JSON.parse(fast.stdout) as { catalog_source: { url: string; verified: boolean } };
  assert.deepEqual([priced.catalog_source.url, priced.catalog_source.verified], ["https://vercel.com/ai-gateway/models/claude-opus-5-fast", false]);
  const standard = run("price", "--model", "claude-opus-5", "--at", AT, "--input", "1000", "--output", "100", "--json");
  assert.equal((JSON.parse(standard.stdout) as { catalog_source: { verified: boolean } }).catalog_source.verified, true);
  const shown = run("catalog", "show", "claude-opus-5", "--at", AT);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /anthropic\/global {2}claude-opus-5 .*\n.*\n.*fast: in 10 out 50.*\n {4}source: https:\/\/platform\.claude\.com\/docs\/en\/models\/opus-5\/overview \(accessed 2026-11-24\)\n {4}fast rates' source: https:\/\/vercel\.com\/ai-gateway\/models\/claude-opus-5-fast \(accessed 2026-11-24, unverified\)\n/);
  const json = run("catalog", "show", "claude-opus-5", "--json");
  const shownJson = JSON.parse(json.stdout) as { offerings: { key: string; prices: { source: { verified: boolean }; fast: { source?: { verified: boolean } } | null }[] }[] };
  const global = shownJson.offerings.find((offering) => offering.key === "anthropic/claude-opus-5/global");
  assert.equal(global?.prices[0]?.source.verified, true);
  assert.equal(global?.prices[0]?.fast?.source?.verified, false);
});
