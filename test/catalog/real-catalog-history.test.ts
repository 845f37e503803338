/**
 * Dated facts of the real catalog that an audit (2026-11-24) found wrong or missing: launch prices,
 * price cuts, retirements, batch support, new models. Each test names the source the figure follows,
 * so a later edit that drops the fix fails here. Figures are recomputed by hand in the comments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { formatUsd } from "../../src/pricing/money.js";
import { quote } from "../../src/pricing/quote.js";
import { BIN } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

type Request = Parameters<typeof quote>[1];
const total = (request: Request) => formatUsd(quote(catalog(), request).result.total);

/** `switchyard price` as a user runs it; status 2 is a request the catalog refuses. */
function price(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, "price", ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("Claude Haiku 3.5: $1/$5 from launch (2024-11-04), $0.80/$4 from the cut Anthropic announced on 2024-12-03, on every provider", () => {
  const usage = { input: 100_000, output: 8_000 };
  // Launch: 100,000 x $1 + 8,000 x $5 (per million) = 0.1 + 0.04
  assert.equal(total({ model: "claude-3-5-haiku", at: "2024-11-20", usage }), "0.14");
  assert.equal(total({ model: "claude-3-5-haiku", at: "2024-12-02", usage }), "0.14");
  // From the cut: 100,000 x $0.80 + 8,000 x $4 = 0.08 + 0.032
  assert.equal(total({ model: "claude-3-5-haiku", at: "2024-12-03", usage }), "0.112");
  assert.equal(total({ model: "us.anthropic.claude-3-5-haiku-20241022-v1:0", at: "2024-11-20", usage }), "0.14");
  assert.equal(total({ model: "us.anthropic.claude-3-5-haiku-20241022-v1:0", at: "2024-12-03", usage }), "0.112");
  assert.equal(total({ model: "claude-3-5-haiku", provider: "vertex", route: "regional", region: "us-east5", at: "2024-11-20", usage }), "0.14");
  // Launch cache rates on the Claude API: 5m write $1.25, read $0.10
  assert.equal(total({ model: "claude-3-5-haiku", at: "2024-11-20", usage: { input: 0, output: 0, cacheWrite5m: 1_000_000, cacheRead: 1_000_000 } }), "1.35");
  const cli = price("--model", "claude-3-5-haiku", "--at", "2024-11-20", "--input", "100000", "--output", "8000");
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /total {2}\$0\.14\b/);
  assert.match(cli.stdout, /unverified/, "the launch figures are third-party readings and say so");
});

test("Claude Opus 5.5 on Bedrock: no batch (price refuses it, exit 2), geo profiles eu./au./jp. at $4.40/$22 and the us. profile from GovCloud at $4.80/$24", () => {
  const usage = { input: 100_000, output: 8_000 };
  for (const id of ["global.anthropic.claude-opus-5-5", "us.anthropic.claude-opus-5-5", "eu.anthropic.claude-opus-5-5"]) {
    const batched = price("--model", id, "--batch", "--input", "100000", "--output", "8000");
    assert.equal(batched.status, 2, `${id}: ${batched.stdout}`);
    assert.match(batched.stderr, /batch is not offered for claude-opus-5-5 on bedrock/);
  }
  // Geo: 100,000 x $4.40 + 8,000 x $22 = 0.44 + 0.176
  for (const prefix of ["us", "eu", "au", "jp"]) {
    assert.equal(total({ model: `${prefix}.anthropic.claude-opus-5-5`, at: "2026-11-24", usage }), "0.616", prefix);
  }
  // The us. profile called from us-gov-west-1: 100,000 x $4.80 + 8,000 x $24 = 0.48 + 0.192
  const gov = quote(catalog(), { model: "us.anthropic.claude-opus-5-5", region: "us-gov-west-1", at: "2026-11-24", usage });
  assert.equal(gov.offering.residency, "govcloud");
  assert.equal(formatUsd(gov.result.total), "0.672");
  // Global: 100,000 x $4 + 8,000 x $20 = 0.4 + 0.16
  assert.equal(total({ model: "global.anthropic.claude-opus-5-5", at: "2026-11-24", usage }), "0.56");
});

test("Claude Fable 5.2 and Mythos 5.2 (released 2026-11-09) are priced: $8/$40, cache hit $0.20, fast $16/$80 on the Claude API only", () => {
  const usage = { input: 1_000_000, output: 100_000, cacheRead: 1_000_000 };
  // 1M x $8 + 100,000 x $40 + 1M x $0.20 = 8 + 4 + 0.2
  assert.equal(total({ model: "claude-fable-5-2", at: "2026-11-24", usage }), "12.2");
  assert.equal(total({ model: "claude-mythos-5-2", at: "2026-11-24", usage }), "12.2");
  // inference_geo "us": x1.1 on every class
  assert.equal(total({ model: "claude-fable-5-2", inferenceGeo: "us", at: "2026-11-24", usage }), "13.42");
  // Fast: 1M x $16 + 100,000 x $80 + 1M x $0.40 = 16 + 8 + 0.4; batch halves the standard card
  assert.equal(total({ model: "claude-fable-5-2", at: "2026-11-24", speed: "fast", usage }), "24.4");
  assert.equal(total({ model: "claude-fable-5-2", at: "2026-11-24", batch: true, usage }), "6.1");
  // On every provider the migration guide names that the catalog models; regional routes at 1.1x
  assert.equal(total({ model: "global.anthropic.claude-fable-5-2", at: "2026-11-24", usage }), "12.2");
  assert.equal(total({ model: "us.anthropic.claude-fable-5-2", at: "2026-11-24", usage }), "13.42");
  assert.equal(total({ model: "claude-fable-5-2", provider: "vertex", route: "eu", at: "2026-11-24", usage }), "13.42");
  assert.equal(quote(catalog(), { model: "claude-fable-5-2", provider: "claude-platform-aws", at: "2026-11-24", usage }).billingUnits?.quantity.toString(), "1220");
  // Not before its release; fast mode where Google documents it but no rate is sourced is refused, not guessed
  assert.throws(() => quote(catalog(), { model: "claude-fable-5-2", at: "2026-11-08", usage }), /no price on 2026-11-08/);
  assert.throws(() => quote(catalog(), { model: "claude-fable-5-2", provider: "vertex", at: "2026-11-24", speed: "fast", usage }));
  assert.deepEqual([...new Set(catalog().offeringsOf("claude-mythos-5-2").map((offering) => offering.provider))], ["anthropic"]);
  const cli = price("--model", "claude-fable-5-2", "--input", "1000", "--output", "100");
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /unverified/);
});

test("Bedrock retirements: Claude Sonnet 3.7 ends 2026-04-27 (EOL 2026-04-28) and Opus 4 ends 2026-05-30 (EOL 2026-05-31); compare no longer ranks them", () => {
  const usage = { input: 100_000, output: 4_000 };
  // Last day: 100,000 x $3 + 4,000 x $15 = 0.3 + 0.06
  assert.equal(total({ model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", at: "2026-04-27", usage }), "0.36");
  assert.throws(() => quote(catalog(), { model: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", at: "2026-04-28", usage }), /no price on 2026-04-28/);
  assert.equal(catalog().model("claude-3-7-sonnet")?.retired.bedrock, "2026-04-28");
  assert.equal(total({ model: "us.anthropic.claude-opus-4-20250514-v1:0", at: "2026-05-30", usage }), "1.8");
  assert.throws(() => quote(catalog(), { model: "us.anthropic.claude-opus-4-20250514-v1:0", at: "2026-05-31", usage }), /no price on 2026-05-31/);
  assert.equal(catalog().model("claude-opus-4")?.retired.bedrock, "2026-05-31");
  const cli = price("--model", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "--at", "2026-11-24", "--input", "100000", "--output", "4000");
  assert.equal(cli.status, 2);
  // Claude Haiku 3's AWS EOL (2026-09-10) is for "specific regions" not named in our sources: still priced, not retired.
  assert.equal(catalog().model("claude-3-haiku")?.retired.bedrock, undefined);
});

test("Llama 3.1 on Bedrock: no backdated price before the first dated record (2024-12-17); 405B at the later $2.40; Nova caches only from Bedrock's caching GA", () => {
  const usage = { input: 100_000, output: 8_000 };
  for (const id of ["us.meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-405b-instruct-v1:0", "us.meta.llama3-1-8b-instruct-v1:0"]) {
    assert.throws(() => quote(catalog(), { model: id, at: "2024-08-01", usage }), /no price on 2024-08-01/, id);
  }
  // 108,000 tokens at $0.72, $2.40 and $0.22 a million
  assert.equal(total({ model: "us.meta.llama3-1-70b-instruct-v1:0", at: "2025-07-20", usage }), "0.07776");
  assert.equal(total({ model: "meta.llama3-1-405b-instruct-v1:0", at: "2025-07-20", usage }), "0.2592");
  assert.equal(total({ model: "us.meta.llama3-1-8b-instruct-v1:0", at: "2025-07-20", usage }), "0.02376");
  // Nova Micro: no cache class before 2025-04-07; a read at $0.00875 a million after
  const reads = { input: 0, output: 0, cacheRead: 1_000_000 };
  assert.throws(() => quote(catalog(), { model: "us.amazon.nova-micro-v1:0", at: "2025-01-10", usage: reads }), /no cache read rate/);
  assert.equal(total({ model: "us.amazon.nova-micro-v1:0", at: "2025-04-07", usage: reads }), "0.00875");
  // Nova Premier's cache read ($0.625, 0.25x) was missing
  assert.equal(total({ model: "us.amazon.nova-premier-v1:0", at: "2026-11-24", usage: reads }), "0.625");
  for (const offering of catalog().offerings.filter((o) => ["together", "groq"].includes(o.provider) || o.model.vendor !== "anthropic")) {
    for (const block of offering.prices) {
      assert.ok(!block.source.url.startsWith("shared/seeds/") || block.notes?.includes("Seed 002"), `${offering.key}: a seed-attributed block says what the seed gives`);
    }
  }
});

test("official sources: Sonnet 4.5 retires on the Claude API 2026-11-30, Opus 4.8 loses fast mode then (code.claude.com fast-mode page), Haiku 5.5's card is the official overview's", () => {
  const usage = { input: 1_000, output: 100 };
  const sonnet = quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-11-29", usage });
  assert.match(sonnet.block.notes ?? "", /retires on November 30, 2026/);
  assert.throws(() => quote(catalog(), { model: "claude-sonnet-4-5", at: "2026-11-30", usage }), /no price on 2026-11-30/);
  assert.equal(catalog().model("claude-sonnet-4-5")?.retired.anthropic, "2026-11-30");
  // Opus 4.8 fast: $10/$50 until 2026-11-29 (1,000 x 10 + 100 x 50 per million), refused from 2026-11-30 on an official source
  assert.equal(total({ model: "claude-opus-4-8", at: "2026-11-29", speed: "fast", usage }), "0.015");
  assert.throws(() => quote(catalog(), { model: "claude-opus-4-8", at: "2026-11-30", speed: "fast", usage }));
  const after = quote(catalog(), { model: "claude-opus-4-8", at: "2026-11-30", usage });
  assert.equal(after.block.source.url, "https://code.claude.com/docs/en/fast-mode");
  assert.equal(after.block.source.verified, true);
  // Haiku 5.5 on the Claude API: verified against the official overview, no unverified warning
  const haiku = quote(catalog(), { model: "claude-haiku-5-5", at: "2026-11-24", usage: { input: 100_000, output: 1_000 } });
  assert.equal(haiku.block.source.verified, true);
  assert.equal(haiku.warnings.filter((warning) => /unverified|third-party/.test(warning)).length, 0, haiku.warnings.join("; "));
  for (const id of ["claude-opus-5", "claude-opus-5-5", "claude-haiku-5-5"]) assert.equal(catalog().model(id)?.verified, true, id);
  // Opus 5 / 5.5 blocks carry a fast card that no official page gives: still unverified, pointing at the overview for the rest
  assert.match(quote(catalog(), { model: "claude-opus-5-5", at: "2026-11-24", usage }).block.source.url, /models\/opus-5-5\/overview/);
});

test("batch only from the Message Batches API launch: 2024-10-08 on the Claude API, 2024-12-17 (preview) on Vertex", () => {
  const usage = { input: 100_000, output: 4_000 };
  const batched = price("--model", "claude-3-haiku", "--batch", "--at", "2024-05-01", "--input", "100000", "--output", "4000");
  assert.equal(batched.status, 2, batched.stdout);
  assert.throws(() => quote(catalog(), { model: "claude-3-haiku", at: "2024-10-07", batch: true, usage }));
  // 2024-10-08: (100,000 x $0.25 + 4,000 x $1.25) x 0.5 = 0.015
  assert.equal(total({ model: "claude-3-haiku", at: "2024-10-08", batch: true, usage }), "0.015");
  assert.equal(total({ model: "claude-3-haiku", at: "2024-10-07", usage }), "0.03");
  const vertex = { model: "claude-3-5-haiku", provider: "vertex" as const, route: "regional", region: "us-east5", usage };
  assert.throws(() => quote(catalog(), { ...vertex, at: "2024-12-16", batch: true }));
  // (100,000 x $0.80 + 4,000 x $4) x 0.5 = 0.048
  assert.equal(total({ ...vertex, at: "2024-12-17", batch: true }), "0.048");
});
