/**
 * An empty path or an empty document is said as such, naming the flag: `--catalog "$FILE"` with FILE
 * unset used to be reported as a file named "" that cannot be read; an empty --usage-json as a JSON
 * parse error, and standard input as a file named "-".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

const price = ["price", "--model", "claude-sonnet-4-6"];

test("--catalog '' and catalog validate '' are bad input asking for a path", async () => {
  const flag = await runCli([...price, "--input", "5", "--catalog", ""]);
  assert.equal(flag.code, 2);
  assert.equal(flag.stderr, "switchyard price: --catalog is empty: give a value, or leave the flag out\nsee: switchyard price --help\n");
  const validate = await runCli(["catalog", "validate", ""]);
  assert.equal(validate.code, 2);
  assert.equal(validate.stdout, "");
  assert.match(validate.stderr, /catalog validate: a FILE is empty \(""\): give a path/);
});

test("an empty --usage-json is empty; standard input is called standard input", async () => {
  const empty = await runCli([...price, "--usage-json", "-"], { input: "  \n" });
  assert.equal(empty.code, 2);
  assert.equal(empty.stderr, "switchyard price: --usage-json: standard input is empty: give a JSON usage object, a response or a captured event stream\n");
  const notJson = await runCli([...price, "--usage-json", "-"], { input: "x" });
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /^switchyard price: --usage-json: standard input is neither JSON/);
});

test("catalog validate --catalog FILE checks FILE, as list and show read it (was: unknown flag)", async () => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-validate-"));
  const file = join(directory, "prices.yaml");
  writeFileSync(file, "schema_version: 1\nmodels: not-a-list\n");
  const result = await runCli(["catalog", "validate", "--catalog", file]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stdout, /prices\.yaml:2: error: models: expected a list, got "not-a-list"/);
});

test("an empty value is refused for every flag of every command, before anything runs: a script's unset $VARIABLE", async () => {
  for (const argv of [
    ["spend", "--from", ""],
    ["spend", "--tag-key", " ", "--by", "tag"],
    ["compare", "--model", ""],
    ["serve", "--config", ""],
    ["keys", "create", "--name", ""],
    ["plan", "examples/workloads/chat-app-cached.yaml", "--html", ""],
    ["price", "--model", "claude-sonnet-4-6", "--input", "5", "--region=", "--provider", "bedrock"],
  ]) {
    const result = await runCli(argv);
    assert.equal(result.code, 2, argv.join(" "));
    const flag = argv.find((word, index) => word.startsWith("--") && (argv[index + 1]?.trim() === "" || word.endsWith("=")))?.replace(/=$/, "");
    assert.match(result.stderr, new RegExp(`^switchyard ${argv[0]}: ${flag} is empty: give a value, or leave the flag out\\nsee: switchyard ${argv[0]} --help\\n$`), argv.join(" "));
  }
});
