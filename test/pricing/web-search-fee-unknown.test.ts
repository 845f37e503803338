/**
 * Web search where the provider offers it but the catalog does not know its fee (Vertex AI: Google
 * documents the tool for Claude, not its price; docs/CATALOG.md, "Known gaps"). Unknown is not
 * zero: the searches are left out of a total that is then a lower bound with no upper one, with a
 * warning naming the missing fee. Where search is not offered at all (Bedrock) it is still refused.
 * Sonnet 4.6 on 2026-11-24: $3 / $15 per MTok on Vertex global, $10 per 1,000 searches on the Claude API.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { PricingError } from "../../src/pricing/price-request.js";
import { compareOfferings, offeringsForModelQuery } from "../../src/pricing/compare.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

const AT = "2026-11-24";
const USAGE = { input: 1000, output: 100, webSearchRequests: 3 };
const FEE_UNKNOWN = /the web search fee for claude-sonnet-4-6 on vertex\/global is not in the catalog: 3 searches are not priced, so the total is a lower bound/;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("Vertex: searches with no known fee make the total a lower bound, not a refusal and not $0", () => {
  const priced = quote(catalog(), { model: "claude-sonnet-4-6", provider: "vertex", at: AT, usage: USAGE });
  // 1,000 x 3 / 1e6 = 0.003; 100 x 15 / 1e6 = 0.0015 -> at least 0.0045, the searches unpriced
  assert.equal(formatUsd(priced.result.total), "0.0045");
  assert.equal(priced.result.exact, false);
  assert.equal(priced.result.upper, undefined);
  const search = priced.result.lines.find((line) => line.class === "web_search");
  assert.deepEqual(search, { class: "web_search", quantity: 3, rate: undefined, usd: undefined });
  assert.ok(priced.warnings.some((warning) => FEE_UNKNOWN.test(warning)), priced.warnings.join("\n"));
  assert.ok(!priced.warnings.some((warning) => /token counts were not reported/.test(warning)), "the token counts were all reported");
});

test("Bedrock has no web search: still refused, naming the field", () => {
  assert.throws(
    () => quote(catalog(), { model: "claude-sonnet-4-6", provider: "bedrock", route: "global", at: AT, usage: USAGE }),
    (error: unknown) => error instanceof PricingError && error.field === "web_search_requests" && /web search is not offered/.test(error.message),
  );
});

test("compare: a lower bound with no upper one ranks after the known prices, however low", () => {
  const offerings = offeringsForModelQuery(catalog(), "claude-sonnet-4-6").filter((offering) => offering.provider !== "bedrock");
  const compared = compareOfferings(catalog(), offerings, USAGE, undefined, AT);
  assert.ok(compared.every((option) => option.feasible), compared.map((option) => option.reasons.join("; ")).join("\n"));
  // 0.0045 tokens + 3 x $10 / 1,000 = 0.0345 on the Claude API: known, so first, though Vertex's lower bound is 0.0045
  assert.equal(compared[0]?.offering.key, "anthropic/claude-sonnet-4-6/global");
  assert.equal(formatUsd(compared[0]?.result?.total ?? -1n), "0.0345");
  const vertex = compared.filter((option) => option.offering.provider === "vertex");
  assert.ok(vertex.length > 0);
  const firstVertex = compared.findIndex((option) => option.offering.provider === "vertex");
  assert.ok(compared.slice(firstVertex).every((option) => option.offering.provider === "vertex"), "every Vertex row comes after every known price");
  assert.ok(vertex.every((option) => option.warnings.some((warning) => /web search fee .* is not in the catalog/.test(warning))));
});

test("price --json and the table: exit 0, exact false, the fee null and 'unknown', never 0", () => {
  const json = run("price", "--provider", "vertex", "--model", "claude-sonnet-4-6", "--at", AT, "--input", "1000", "--output", "100", "--web-search-requests", "3", "--json");
  assert.equal(json.code, 0, json.stderr);
  const priced = JSON.parse(json.stdout) as { total_usd: string; exact: boolean; total_usd_upper: string | null; lines: Record<string, unknown>[]; warnings: string[] };
  assert.equal(priced.total_usd, "0.0045");
  assert.equal(priced.exact, false);
  assert.equal(priced.total_usd_upper, null);
  assert.deepEqual(priced.lines.find((line) => line.class === "web_search"), { class: "web_search", tokens: null, requests: 3, usd_per_mtok: null, usd_per_1000: null, usd: null });
  assert.ok(priced.warnings.some((warning) => FEE_UNKNOWN.test(warning)));
  const text = run("price", "--provider", "vertex", "--model", "claude-sonnet-4-6", "--at", AT, "--input", "1000", "--output", "100", "--web-search-requests", "3");
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /web_search +3 searches +unknown +unknown/);
  assert.match(text.stdout, /total {2}at least \$0\.0045/);
  const compared = run("compare", "--provider", "vertex", "--provider", "anthropic", "--model", "claude-sonnet-4-6", "--at", AT, "--input", "1000", "--output", "100", "--web-search-requests", "3", "--json");
  assert.equal(compared.code, 0, compared.stderr);
  const options = (JSON.parse(compared.stdout) as { options: { provider: string; exact: boolean; total_usd_upper: string | null; vs_cheapest_percent: string | null }[] }).options;
  const vertex = options.filter((option) => option.provider === "vertex");
  assert.ok(vertex.length > 0 && vertex.every((option) => !option.exact && option.total_usd_upper === null && option.vs_cheapest_percent === null));
});
