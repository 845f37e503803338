/**
 * A --usage-json file with a count that is not one (-5, "100", 1.5) is bad input naming the field
 * (exit 2). The gateway reads such a count from an upstream as not reported, with a warning; for a
 * file the user hands to price or compare that reading priced "at least" a total with warnings that
 * contradicted each other. A count left out, or null, is still unknown, not an error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./run-cli.js";

const withUsage = (command: string, usage: unknown) =>
  runCli([command, "--model", "claude-sonnet-4-6", "--usage-json", "-", "--at", "2026-11-24", "--json"], { input: JSON.stringify(usage) });

test("price and compare refuse a usage whose token counts are not non-negative whole numbers, naming each", async () => {
  for (const command of ["price", "compare"]) {
    const result = await withUsage(command, { input_tokens: -5, output_tokens: "100", cache_read_input_tokens: 1.5 });
    assert.equal(result.code, 2, `${command}: ${result.stdout}`);
    assert.match(
      result.stderr,
      /--usage-json: in standard input, input_tokens must be a non-negative whole number, got -5; output_tokens must be a non-negative whole number, got "100"; cache_read_input_tokens must be a non-negative whole number, got 1\.5/,
    );
  }
});

test("a count that is null is unknown, as before: priced as a lower bound with a warning", async () => {
  const result = await withUsage("price", { input_tokens: null, output_tokens: 100 });
  assert.equal(result.code, 0, result.stderr);
  const priced = JSON.parse(result.stdout) as { exact: boolean; warnings: string[] };
  assert.equal(priced.exact, false);
  assert.ok(priced.warnings.includes("input_tokens not reported"), priced.warnings.join("\n"));
});
