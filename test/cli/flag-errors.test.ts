/**
 * parseArgs's own errors said as the other flag errors are: the flag first, what is wrong with it,
 * the nearest flag the command has for a mistyped one; exit 2. And emulate's first argument is an
 * emulator, not a "--provider" flag it does not have.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

const price = ["price", "--model", "claude-sonnet-4-6"];

test("a mistyped flag is unknown, with the flag the command has nearest to it", async () => {
  for (const [argv, expected] of [
    [[...price, "--inptu", "5"], /^switchyard price: unknown flag --inptu \(did you mean "--input"\?\)\nsee: switchyard price --help\n$/],
    [["spend", "--form", "2026-01-01"], /^switchyard spend: unknown flag --form \(did you mean "--from"\?\)\n/],
    [[...price, "--colour"], /^switchyard price: unknown flag --colour\n/],
  ] as const) {
    const result = await runCli([...argv]);
    assert.equal(result.code, 2, argv.join(" "));
    assert.match(result.stderr, expected);
  }
});

test("a flag without its value, or a switch given one, names the flag", async () => {
  const missing = await runCli([...price, "--input"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^switchyard price: --input needs a value\n/);
  const ambiguous = await runCli([...price, "--input", "--json"]);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.stderr, /^switchyard price: --input needs a value \(the next word starts with "-"; a value that does: --input=-VALUE\)\n/);
  const valued = await runCli([...price, "--input", "5", "--json=yes"]);
  assert.equal(valued.code, 2);
  assert.match(valued.stderr, /^switchyard price: --json takes no value\n/);
});

test("emulate: an unknown emulator or two of them is said as such, not as a --provider flag", async () => {
  const unknown = await runCli(["emulate", "bedrok"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^switchyard emulate: unknown emulator "bedrok" \(did you mean "bedrock"\?\): there are anthropic and bedrock\n/);
  assert.doesNotMatch(unknown.stderr, /--provider/);
  const two = await runCli(["emulate", "anthropic", "bedrock"]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /^switchyard emulate: one emulator at a time; got anthropic, bedrock\n/);
});
