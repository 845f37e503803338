/**
 * Bedrock ids as `switchyard price` takes them: a geographic profile id pins the provider and the
 * route, so a different --provider or --route is a conflict (exit 2) rather than silently ignored;
 * a bare foundation-model id of a profile-only model says which profile ids to use.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: REPO_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PRICE = ["price", "--input", "100", "--at", "2026-11-22"];

test("a Bedrock profile id with another --provider is refused, naming the conflict and the id to use", () => {
  const result = run(...PRICE, "--model", "eu.anthropic.claude-sonnet-4-6", "--provider", "anthropic");
  assert.equal(result.code, 2, result.stdout);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /--provider: eu\.anthropic\.claude-sonnet-4-6 is Bedrock's eu profile, so it cannot be priced on anthropic; for anthropic use claude-sonnet-4-6\n/);
});

test("a Bedrock profile id with another --route is refused, naming the profile id of that route", () => {
  const result = run(...PRICE, "--model", "eu.anthropic.claude-sonnet-4-6", "--route", "us");
  assert.equal(result.code, 2, result.stdout);
  assert.match(result.stderr, /--route: eu\.anthropic\.claude-sonnet-4-6 is Bedrock's eu profile, so it cannot be priced on route us; for route us use us\.anthropic\.claude-sonnet-4-6\n/);
  const noSuchRoute = run(...PRICE, "--model", "eu.anthropic.claude-sonnet-4-6", "--route", "apac");
  assert.equal(noSuchRoute.code, 2);
  assert.match(noSuchRoute.stderr, /--route: .* cannot be priced on route apac; claude-sonnet-4-6 is on Bedrock routes global, us, eu, jp\n/);
});

test("a Bedrock profile id with its own provider and route still prices", () => {
  const result = run(...PRICE, "--model", "eu.anthropic.claude-sonnet-4-6", "--provider", "bedrock", "--route", "eu", "--json");
  assert.equal(result.code, 0, result.stderr);
  const priced = JSON.parse(result.stdout) as { provider: string; route: string };
  assert.deepEqual([priced.provider, priced.route], ["bedrock", "eu"]);
});

test("a Bedrock foundation-model id with a non-Bedrock --provider is refused", () => {
  const result = run(...PRICE, "--model", "anthropic.claude-sonnet-4-6", "--provider", "vertex");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--provider: anthropic\.claude-sonnet-4-6 is Bedrock's foundation-model id, so it cannot be priced on vertex/);
});

test("a bare foundation-model id of a profile-only model names its inference profiles, not a --route never given", () => {
  const result = run(...PRICE, "--model", "anthropic.claude-sonnet-4-6");
  assert.equal(result.code, 2);
  assert.doesNotMatch(result.stderr, /--route/);
  assert.match(
    result.stderr,
    /--model: anthropic\.claude-sonnet-4-6 is Bedrock's in-region foundation-model id, but claude-sonnet-4-6 is sold on Bedrock only through its inference profiles: global\.anthropic\.claude-sonnet-4-6, us\.anthropic\.claude-sonnet-4-6, eu\.anthropic\.claude-sonnet-4-6, jp\.anthropic\.claude-sonnet-4-6; give one of those ids, or name the route \(global, us, eu, jp\)\n/,
  );
  // With a route named, the base id still reaches that route's profile; a model with an in-Region offering still prices in-region
  // (in the region named: Haiku 3's in-region route is served from 8 places, GovCloud at its own price).
  assert.equal(run(...PRICE, "--model", "anthropic.claude-sonnet-4-6", "--route", "eu").code, 0);
  const haiku = run(...PRICE, "--model", "anthropic.claude-3-haiku-20240307-v1:0", "--region", "us-east-1", "--json");
  assert.equal(haiku.code, 0, haiku.stderr);
  assert.equal((JSON.parse(haiku.stdout) as { route: string }).route, "in-region");
});
