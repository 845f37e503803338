/**
 * keys and spend with a ledger path that is not an SQLite ledger file: a directory, or a file of
 * something else. Bad input naming where the path came from (--db or SWITCHYARD_DB), exit 2,
 * without a stack trace; the file is left as it was.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "ledger-path-"));
const textFile = join(directory, "notes.md");
const TEXT = "# not a database\n".repeat(100);
writeFileSync(textFile, TEXT);

function assertRefused(result: { code: number; stderr: string }, named: string, problem: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, new RegExp(`^switchyard \\w+: ${named}: `));
  assert.match(result.stderr, problem);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
}

test("--db naming a directory is refused for reading and for writing (exit 2, naming --db)", async () => {
  for (const argv of [["keys", "list"], ["spend"], ["keys", "create", "--name", "z"]]) {
    assertRefused(await runCli([...argv, "--db", directory]), "--db", /is a directory, not a ledger file/);
  }
});

test("--db or SWITCHYARD_DB naming a file that is not SQLite is refused, naming which, and the file is untouched", async () => {
  assertRefused(await runCli(["spend", "--db", textFile]), "--db", /notes\.md is not an SQLite database/);
  assertRefused(await runCli(["keys", "create", "--name", "z", "--db", textFile]), "--db", /is not an SQLite database/);
  assertRefused(await runCli(["keys", "list"], { env: { SWITCHYARD_DB: textFile } }), "SWITCHYARD_DB", /is not an SQLite database/);
  assert.equal(readFileSync(textFile, "utf8"), TEXT);
});
