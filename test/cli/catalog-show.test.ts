/** `switchyard catalog show` names price periods as `price` does: a period with no announced end is "FROM onwards", never "..today". */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

test("catalog show: an open-ended price period (even one that starts in the future) reads 'FROM onwards'", () => {
  const result = spawnSync(process.execPath, [BIN, "catalog", "show", "claude-opus-4-8"], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /today/);
  // Opus 4.8's Anthropic API fast mode ends 2026-11-29; the block after it has no end.
  assert.match(result.stdout, /^ {2}2026-05-28\.\.2026-11-29: in 5 out 25 /m);
  assert.match(result.stdout, /^ {2}2026-11-30 onwards: in 5 out 25 /m);
  const periods = result.stdout.split("\n").filter((line) => /^ {2}\d{4}-/.test(line));
  assert.ok(periods.length > 5);
  for (const line of periods) assert.match(line, /^ {2}\d{4}-\d\d-\d\d(\.\.\d{4}-\d\d-\d\d| onwards): /);
});
