/**
 * Every day the command line takes (--at of price, compare, catalog list/show and plan; spend's
 * --from and --to; a workload's `at:`) is a year from 0001 to 9999: a five-digit or signed year and
 * year 0000 are bad input, exit 2, with a message that names the flag (or the field) and the range,
 * not a lookup that finds no price on year 0 or a bare "must be YYYY-MM-DD".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isCalendarDay } from "../../src/util/calendar-date.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const WORKLOAD = resolve(REPO_ROOT, "examples/workloads/cached-system-prompt.yaml");

const commandsTakingADay: { argv: string[]; flag: string }[] = [
  { argv: ["price", "--model", "claude-sonnet-4-6", "--input", "10"], flag: "at" },
  { argv: ["compare", "--model", "sonnet-4.6", "--input", "10"], flag: "at" },
  { argv: ["catalog", "list"], flag: "at" },
  { argv: ["catalog", "show", "claude-sonnet-4-6"], flag: "at" },
  { argv: ["plan", WORKLOAD], flag: "at" },
  // Checked before the ledger is opened: no ledger is needed to be told the day is wrong.
  { argv: ["spend"], flag: "from" },
  { argv: ["spend"], flag: "to" },
];

for (const { argv, flag } of commandsTakingADay) {
  test(`${argv.slice(0, 2).join(" ")} --${flag}: a year outside 0001..9999 is bad input naming --${flag}`, async () => {
    for (const day of ["10000-01-01", "+2026-01-01", "0000-01-01"]) {
      const result = await runCli([...argv, `--${flag}`, day]);
      assert.equal(result.code, 2, `${day}: ${result.stderr}`);
      assert.equal(result.stdout, "", day);
      assert.match(result.stderr, new RegExp(`: --${flag}[: ]`), day);
      assert.match(result.stderr, /0001 to 9999/, day);
    }
  });
}

test("the last day the range has is a day: price --at 9999-12-31 prices", async () => {
  const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--input", "10", "--at", "9999-12-31", "--json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { total_usd: string }).total_usd, "0.00003");
});

test("a workload whose at: is year 0000 is refused naming the field and the range", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-date-"));
  const file = join(directory, "workload.yaml");
  writeFileSync(file, "name: x\nat: 0000-01-01\nsegments:\n  - name: a\n    requests_per_month: 10\n    input_tokens: 10\n    output_tokens: 10\n    models: [claude-haiku-4-5]\n");
  const result = await runCli(["plan", file]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /workload\.yaml:2: at: not a day of the calendar \(a year from 0001 to 9999/);
});

test("isCalendarDay: years 0001 to 9999", () => {
  for (const day of ["0001-01-01", "9999-12-31"]) assert.equal(isCalendarDay(day), true, day);
  for (const day of ["0000-01-01", "0000-02-29", "10000-01-01", "+2026-01-01"]) assert.equal(isCalendarDay(day), false, day);
});
