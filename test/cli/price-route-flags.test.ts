/**
 * price's flags say what they price or refuse: --inference-geo picks the Claude API's (and Claude
 * Platform on AWS's) route, so a --route that contradicts it is bad input naming both (it was
 * silently overridden, 10% off either way); an empty --route is no route; a count is digits, grouped
 * in threes or not (1,0,0 was read as 100).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

const price = (...args: string[]) => runCli(["price", "--model", "claude-sonnet-4-6", "--input", "1000000", "--output", "0", "--at", "2026-11-24", "--json", ...args]);

test("--inference-geo with a contradicting --route is refused (exit 2), naming both", async () => {
  for (const [geo, route, provider] of [
    ["us", "global", "anthropic"],
    ["global", "us", "anthropic"],
    ["us", "global", "claude-platform-aws"],
  ] as const) {
    const result = await price("--provider", provider, "--inference-geo", geo, "--route", route);
    assert.equal(result.code, 2, `${provider} ${geo} ${route}: ${result.stdout}`);
    assert.match(result.stderr, new RegExp(`--inference-geo ${geo} and --route ${route} contradict each other`));
  }
});

test("--inference-geo with its own route, or alone, prices that route", async () => {
  const agreeing = await price("--inference-geo", "us", "--route", "us");
  assert.equal(agreeing.code, 0, agreeing.stderr);
  const alone = await price("--inference-geo", "us");
  assert.equal(alone.code, 0, alone.stderr);
  for (const result of [agreeing, alone]) assert.equal((JSON.parse(result.stdout) as { route: string }).route, "us");
});

test("a count flag takes digits grouped in threes (1,000 or 1_000), and refuses other commas and underscores", async () => {
  for (const [given, tokens] of [["1,000,000", 1_000_000], ["1_000", 1000], ["250", 250]] as const) {
    const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--input", given, "--output", "0", "--at", "2026-11-24", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { lines: { class: string; tokens: number }[] }).lines.find((line) => line.class === "input")?.tokens, tokens, given);
  }
  for (const given of ["1,0,0", ",,5,,", "12,34", "1_0000", "1,000_000", "1__000"]) {
    const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--input", given, "--output", "0"]);
    assert.equal(result.code, 2, given);
    assert.match(result.stderr, new RegExp(`--input must be a whole number \\(0 or more\\), got "${given}"\\ndigits may be grouped in threes`));
  }
});

test("an empty --route is refused, as an empty --provider or --region is, not read as none given", async () => {
  const result = await price("--route", "");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--route is empty: give a value, or leave the flag out/);
});

test("a route served from several places, each its own offering, asks for --region, listing them", async () => {
  const vertex = await runCli(["price", "--model", "claude-sonnet-4-6", "--provider", "vertex", "--route", "regional", "--input", "1000000", "--output", "0"]);
  assert.equal(vertex.code, 2, vertex.stdout);
  assert.match(vertex.stderr, /--region: claude-sonnet-4-6's vertex route regional is served from 3 places, each priced on its own: us-east5, us-central1 \(residency us\); europe-west1, europe-west4 \(residency eu\); asia-southeast1 \(residency apac\); say which with --region/);
  const named = await runCli(["price", "--model", "claude-sonnet-4-6", "--provider", "vertex", "--route", "regional", "--region", "europe-west1", "--input", "1000000", "--output", "0", "--json"]);
  assert.equal(named.code, 0, named.stderr);
  assert.equal((JSON.parse(named.stdout) as { residency: string }).residency, "eu");
  // Bedrock's in-region route: GovCloud is one of the places, at its own price; an ARN names its region.
  const haiku = await runCli(["price", "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--input", "1000000", "--output", "0"]);
  assert.equal(haiku.code, 2);
  assert.match(haiku.stderr, /us-gov-west-1 \(residency govcloud\)/);
  const arn = await runCli(["price", "--model", "arn:aws:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", "--input", "1000000", "--output", "0", "--json"]);
  assert.equal(arn.code, 0, arn.stderr);
  assert.equal((JSON.parse(arn.stdout) as { region: string }).region, "us-gov-west-1");
});
