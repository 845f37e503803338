/** `switchyard catalog validate` as a user runs it: the built bin, a user's own catalog files, exit codes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapeRegExp } from "../helpers/escape-regexp.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

function validate(...files: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [BIN, "catalog", "validate", ...files], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout };
}

test("catalog validate: ours is valid and counts its betas; a user's file adds or replaces a beta, or is refused with its line", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-catalog-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const ours = catalog().data.betas.size;
  const plain = validate();
  assert.equal(plain.status, 0);
  assert.match(plain.stdout, new RegExp(`^ok: \\d+ models, \\d+ offerings, \\d+ price periods, ${ours} betas;`, "m"));

  const beta = (id: string) => `schema_version: 1
betas:
  - id: ${id}
    needed: true
    note: a tool type our Bedrock deployments lack
    source: { url: "https://example.com/our-notes", accessed: 2026-11-22 }
`;
  const added = join(directory, "added.yaml");
  writeFileSync(added, `${beta("thinking-token-count-2026-05-13")}  - id: claude-code-20250219\n    needed: true\n    note: ours\n    source: { url: "https://example.com/our-notes", accessed: 2026-11-22 }\n`);
  const merged = validate(added);
  assert.equal(merged.status, 0, merged.stdout);
  // One new beta; the other has the id of one of ours, which it replaces rather than adds to.
  assert.match(merged.stdout, new RegExp(`, ${ours + 1} betas \\(with ${escapeRegExp(added)}\\);`));
  const json = spawnSync(process.execPath, [BIN, "catalog", "validate", added, "--json"], { encoding: "utf8" });
  assert.equal((JSON.parse(json.stdout) as { summary: { betas: number } }).summary.betas, ours + 1);

  const bad = join(directory, "bad.yaml");
  writeFileSync(bad, beta("Context_1M"));
  const refused = validate(bad);
  assert.equal(refused.status, 2);
  assert.match(refused.stdout, /bad\.yaml:3: error: betas\.0\.id: expected a beta id of lower-case letters, digits and dashes/);
});

test("catalog validate counts its rule findings by rule; --notes lists each; --json carries them all", () => {
  const plain = validate();
  assert.equal(plain.status, 0);
  assert.doesNotMatch(plain.stdout, /^note:/m, "no wall of notes before the verdict");
  const counted = /; (\d+) rule finding\(s\) to confirm \(([^;]+); --notes lists them\)$/m.exec(plain.stdout);
  assert.ok(counted, plain.stdout);
  const byRule = (counted[2] ?? "").split(", ").map((entry) => Number(entry.split(" ").at(-1)));
  assert.equal(byRule.reduce((sum, count) => sum + count, 0), Number(counted[1]));
  const listed = validate("--notes");
  assert.equal((listed.stdout.match(/^note: /gm) ?? []).length, Number(counted[1]));
  const json = spawnSync(process.execPath, [BIN, "catalog", "validate", "--json"], { encoding: "utf8" });
  assert.equal((JSON.parse(json.stdout) as { rule_findings: unknown[] }).rule_findings.length, Number(counted[1]));
});

test("a reader that stops early (| head) ends the command quietly, not with an EPIPE stack", () => {
  const result = spawnSync("sh", ["-c", `"${process.execPath}" "${BIN}" catalog validate --notes | head -c 10 > /dev/null`], { encoding: "utf8" });
  assert.equal(result.status, 0);
  assert.doesNotMatch(result.stderr, /EPIPE|Unhandled/);
});

test("docs/CATALOG.md quotes validate's counts as validate prints them", () => {
  const plain = validate();
  const printed = /^ok: (\d+ models, \d+ offerings, \d+ price periods, \d+ betas);/m.exec(plain.stdout)?.[1];
  const quoted = /`ok: (\d+ models, \d+ offerings, \d+ price periods, \d+ betas); …`/.exec(readFileSync(join(REPO_ROOT, "docs/CATALOG.md"), "utf8"))?.[1];
  assert.ok(printed, plain.stdout);
  assert.equal(quoted, printed);
});
