/**
 * A binary file (an executable, a PNG, a gzip) given where a command reads YAML or JSON is said to
 * be not text, naming the file, exit 2; no message quotes its bytes (no control characters, no
 * U+FFFD reach the terminal). A long text value a problem quotes is cut to an excerpt.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { binaryContent } from "../../src/util/binary-text.js";
import { runCli } from "./run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-binary-"));
const files: Record<string, string> = {};

before(() => {
  const write = (name: string, bytes: Buffer) => {
    files[name] = join(directory, name);
    writeFileSync(files[name] as string, bytes);
  };
  // An ELF executable's header, then text a parser would go on to quote (as /bin/ls's strings).
  write("program", Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), Buffer.from("\nkey: value\n\u0000GNU coreutils\u0000: <%s>\n")]));
  write("image.png", Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from("IHDR"), Buffer.from(Array.from({ length: 256 }, (_, index) => index))]));
  write("catalog.yaml.gz", gzipSync("schema_version: 1\nmodels: []\n"));
});

/** What would show as garbage on a terminal: control characters other than a line feed, and U+FFFD. */
const GARBAGE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufffd]/;

const readers: { name: string; argv: (file: string) => string[] }[] = [
  { name: "catalog validate FILE", argv: (file) => ["catalog", "validate", file] },
  { name: "catalog list --catalog FILE", argv: (file) => ["catalog", "list", "--catalog", file] },
  { name: "plan FILE", argv: (file) => ["plan", file] },
  { name: "emulate --profile FILE", argv: (file) => ["emulate", "anthropic", "--profile", file] },
  { name: "keys list --config FILE", argv: (file) => ["keys", "list", "--config", file] },
  { name: "price --usage-json FILE", argv: (file) => ["price", "--model", "claude-sonnet-4-6", "--usage-json", file] },
];

for (const reader of readers) {
  test(`${reader.name}: a binary file is not text, named, exit 2, none of its bytes printed`, async () => {
    for (const name of ["program", "image.png", "catalog.yaml.gz"]) {
      const file = files[name] as string;
      const result = await runCli(reader.argv(file));
      const output = result.stdout + result.stderr;
      assert.equal(result.code, 2, `${name}: ${output}`);
      assert.ok(output.includes(file), `${name}: names the file: ${output}`);
      assert.match(output, /not text: it holds (a control character \(U\+[0-9A-F]{4}\)|bytes that are not UTF-8)/, name);
      assert.doesNotMatch(output, GARBAGE, `${name}: ${JSON.stringify(output)}`);
      assert.doesNotMatch(output, /GNU coreutils|IHDR|not valid YAML/, name);
    }
  });
}

test("price --usage-json -: binary standard input is said to be not text", async () => {
  const result = await runCli(["price", "--model", "claude-sonnet-4-6", "--usage-json", "-"], { input: "\u0000\u0001binary" });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--usage-json: standard input \(line 1\) is not text: it holds a control character \(U\+0000\)/);
});

test("a long text value a problem quotes is cut to an excerpt with its length", async () => {
  const file = join(directory, "long.yaml");
  writeFileSync(file, `schema_version: 1\nmodels: ${"x".repeat(5000)}\n`);
  const result = await runCli(["catalog", "validate", file]);
  assert.equal(result.code, 2);
  assert.match(result.stdout, new RegExp(`long\\.yaml:2: error: models: expected a list, got "x{60}"… \\(5000 characters\\)\\n`));
  assert.ok(result.stdout.length < 1000, result.stdout);
});

test("binaryContent: text (tabs, CRLF, NEL, any script) is text; controls, DEL and undecodable bytes are not", () => {
  for (const text of ["a: 1\r\n\tb: 2\n", "name: café 日本 🚀\u0085", ""]) assert.equal(binaryContent(text), undefined, JSON.stringify(text));
  assert.deepEqual(binaryContent("a: 1\nb: \u0000"), { line: 2, reason: "a control character (U+0000)" });
  assert.deepEqual(binaryContent("\u007fELF"), { line: 1, reason: "a control character (U+007F)" });
  assert.deepEqual(binaryContent("a\n\nb\ufffd"), { line: 3, reason: "bytes that are not UTF-8" });
});
