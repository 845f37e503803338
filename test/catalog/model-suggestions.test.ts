/**
 * "Did you mean" for an unknown model name: a bare family word suggests that family's models,
 * newest first, before anything a few letters away; a near-miss id still gets its neighbour; a
 * name close to nothing gets no suggestion rather than an unrelated one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { UnknownModelError } from "../../src/catalog/catalog.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";
import { catalog } from "../helpers/catalog.js";

function suggestionsFor(name: string): string[] {
  try {
    catalog().resolve(name);
  } catch (error) {
    assert.ok(error instanceof UnknownModelError, String(error));
    return error.suggestions;
  }
  assert.fail(`${name} resolved`);
}

test("a bare family word suggests that family's models, newest first", () => {
  assert.deepEqual(suggestionsFor("haiku"), ["claude-haiku-5-5", "claude-haiku-4-5", "claude-3-5-haiku"]);
  assert.deepEqual(suggestionsFor("opus"), ["claude-opus-5-5", "claude-opus-5", "claude-opus-4-8"]);
  assert.deepEqual(suggestionsFor("Sonnet"), ["claude-sonnet-5-5", "claude-sonnet-5", "claude-sonnet-4-6"]);
  assert.deepEqual(suggestionsFor("llama").length, 3);
  for (const id of suggestionsFor("llama")) assert.match(id, /^llama-/);
});

test("a name of a known family with a version that does not exist suggests its nearest siblings", () => {
  assert.deepEqual(suggestionsFor("claude-opus-4-9"), ["claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6"]);
  assert.equal(suggestionsFor("us.anthropic.claude-sonnet-4-7")[0], "us.anthropic.claude-sonnet-4-6");
});

test("a misspelt id still gets its neighbour first; a name close to nothing gets no suggestion", () => {
  assert.equal(suggestionsFor("claude-sonet-4-6")[0], "claude-sonnet-4-6");
  assert.deepEqual(suggestionsFor("nope"), []);
  assert.deepEqual(suggestionsFor("gpt-4o"), []);
});

test("price and catalog show print those suggestions (exit 2)", () => {
  const price = spawnSync(process.execPath, [BIN, "price", "--model", "haiku", "--input", "1"], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(price.status, 2);
  assert.match(price.stderr, /--model: unknown model "haiku"; closest known: claude-haiku-5-5, claude-haiku-4-5, claude-3-5-haiku\n/);
  const show = spawnSync(process.execPath, [BIN, "catalog", "show", "nope"], { encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(show.status, 2);
  assert.match(show.stderr, /unknown model "nope"\n/);
  assert.doesNotMatch(show.stderr, /nova/);
});
