/**
 * catalog show ID --at DATE: the help offers --at, so it is read (each offering's price period in
 * force that day; --json adds price_on_date) and checked as every date flag is. One model id only.
 * The model's keys are snake_case as the rest (tokenizer_factor beside the older tokenizerFactor).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

interface Shown {
  at?: string;
  model: Record<string, unknown>;
  offerings: { key: string; prices: { effective_from: string }[]; price_on_date?: { effective_from: string } | null }[];
}

test("catalog show --at shows the period in force that day, or says there is none", async () => {
  const all = await runCli(["catalog", "show", "claude-opus-4-8"]);
  const onDay = await runCli(["catalog", "show", "claude-opus-4-8", "--at", "2026-11-24"]);
  assert.equal(onDay.code, 0, onDay.stderr);
  assert.notEqual(onDay.stdout, all.stdout);
  assert.match(onDay.stdout, /^prices in force 2026-11-24\n/);
  // Opus 4.8 on the Claude API: 2026-05-28..2026-11-29, then 2026-11-30 onwards; only the first is in force.
  assert.match(onDay.stdout, /^ {2}2026-05-28\.\.2026-11-29: in 5 out 25 /m);
  assert.doesNotMatch(onDay.stdout, /^ {2}2026-11-30 onwards/m);
  const before = await runCli(["catalog", "show", "claude-sonnet-4-5", "--at", "2020-01-01"]);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /^ {2}no price on 2020-01-01 \(priced 2025-09-29\.\.2026-11-29\)$/m);
});

test("catalog show --json --at adds at and each offering's price_on_date, keeping every period in prices", async () => {
  const result = await runCli(["catalog", "show", "claude-opus-4-8", "--at", "2026-11-24", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  const shown = JSON.parse(result.stdout) as Shown;
  assert.equal(shown.at, "2026-11-24");
  const direct = shown.offerings.find((offering) => offering.key.startsWith("anthropic/"));
  assert.ok(direct && direct.prices.length > 1);
  assert.equal(direct.price_on_date?.effective_from, "2026-05-28");
  const plain = JSON.parse((await runCli(["catalog", "show", "claude-opus-4-8", "--json"])).stdout) as Shown;
  assert.equal(plain.at, undefined);
  assert.equal(plain.offerings[0]?.price_on_date, undefined);
  assert.equal(plain.model.tokenizer_factor, plain.model.tokenizerFactor);
  assert.ok("tokenizer_factor" in plain.model);
});

test("catalog show refuses a malformed --at and an extra argument (exit 2)", async () => {
  const garbage = await runCli(["catalog", "show", "claude-sonnet-4-5", "--at", "garbage"]);
  assert.equal(garbage.code, 2);
  assert.match(garbage.stderr, /--at must be a date as YYYY-MM-DD, got "garbage"/);
  const extra = await runCli(["catalog", "show", "claude-sonnet-4-5", "extra-arg"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /unexpected argument "extra-arg"/);
});
