/**
 * price's route flags say what they price or refuse: --inference-geo picks the Claude API's (and
 * Claude Platform on AWS's) route, so a --route that contradicts it is bad input naming both (it
 * was silently overridden, 10% off either way).
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
