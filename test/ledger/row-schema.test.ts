/**
 * Rows every store can hold (src/ledger/row-schema.ts): text from a client is made storable,
 * checkRow refuses a row that is not, and a journal line holding such a row is set aside on
 * replay instead of failing its batch on every retry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSegment } from "../../src/ledger/journal.js";
import { checkRow, ledgerRowSchema, storableText } from "../../src/ledger/row-schema.js";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { sampleRow } from "./sample-rows.js";

const RAW = "claude\u0000x\uD800y\uDFFFz";

test("storableText: NULs and lone surrogates become U+FFFD; whole pairs stay; a cut never leaves half a pair", () => {
  assert.equal(storableText(RAW), "claude\uFFFDx\uFFFDy\uFFFDz");
  assert.equal(storableText("ok 😀"), "ok 😀");
  const long = storableText("m".repeat(300), 256);
  assert.equal(long.length, 256);
  assert.ok(long.endsWith("…"));
  // Code unit 255 is the first half of the emoji: the cut takes it alone, and it is cleaned.
  const cut = storableText(`${"m".repeat(254)}😀tail`, 256);
  assert.equal(cut, `${"m".repeat(254)}\uFFFD…`);
  assert.doesNotThrow(() => checkRow(sampleRow({ request_id: "cut", requested_model: cut })));
});

test("checkRow refuses a row holding text no store could keep, naming the field", () => {
  assert.throws(() => checkRow(sampleRow({ request_id: "a", requested_model: RAW })), /requested_model holds a NUL or a lone surrogate/);
  assert.throws(() => checkRow(sampleRow({ request_id: "b", tags: { team: RAW } })), /tags\.team holds a NUL/);
  assert.throws(() => checkRow(sampleRow({ request_id: "c", warnings: [RAW] })), /warnings hold a NUL/);
});

test("checkRow refuses a time JSON cannot hold (NaN, Infinity), which would reach the store as null", () => {
  assert.throws(() => checkRow(sampleRow({ request_id: "d", latency_ms: Number.NaN })), /latency_ms must be a finite number/);
  assert.throws(() => checkRow(sampleRow({ request_id: "e", overhead_ms: Number.POSITIVE_INFINITY })), /overhead_ms must be a finite number/);
  assert.throws(() => checkRow(sampleRow({ request_id: "f", ttft_ms: Number.NaN })), /ttft_ms must be a finite number/);
  assert.throws(() => checkRow(sampleRow({ request_id: "g", attempts: [{ deployment: "d", provider: "anthropic", status: 200, error: null, latency_ms: Number.NaN }] })), /attempts\.latency_ms/);
  assert.doesNotThrow(() => checkRow(sampleRow({ request_id: "h", ttft_ms: null })));
});

test("checkRow and the journal's schema agree on a status: a row let into the journal is read back from it", () => {
  const attempt = (status: number | null) => ({ deployment: "d", provider: "anthropic", status, error: null, latency_ms: 1 });
  const rows: [string, LedgerRow, boolean][] = [];
  for (const [status, storable] of [[200, true], [100, true], [599, true], [999, true], [99, false], [1000, false], [200.5, false], [1e300, false], [-1, false]] as const) {
    rows.push([`status ${status}`, sampleRow({ request_id: "s", status }), storable]);
    rows.push([`attempt status ${status}`, sampleRow({ request_id: "s", attempts: [attempt(status)] }), storable]);
  }
  rows.push(["attempt status null", sampleRow({ request_id: "s", attempts: [attempt(null)] }), true]);
  for (const [name, row, storable] of rows) {
    const checked = (() => {
      try {
        checkRow(row);
        return true;
      } catch {
        return false;
      }
    })();
    const read = ledgerRowSchema.safeParse(JSON.parse(JSON.stringify(row))).success;
    assert.deepEqual({ name, checked, read }, { name, checked: storable, read: storable });
  }
  assert.throws(() => checkRow(sampleRow({ request_id: "t", status: 1e300 })), /status must be an HTTP status \(a whole number from 100 to 999\)/);
  assert.throws(() => checkRow(sampleRow({ request_id: "u", attempts: [attempt(42)] })), /attempts\.status must be an HTTP status/);
});

test("replay: a journal line holding such a row (written before checkRow refused it) is a rejected line; the others are read", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-rows-"));
  try {
    const path = join(dir, "segment-1-1-0.jsonl");
    const good = sampleRow({ request_id: "good" });
    writeFileSync(path, `${JSON.stringify(sampleRow({ request_id: "poison", requested_model: RAW }))}\n${JSON.stringify(good)}\n`);
    const { rows, rejectedLines } = readSegment(path);
    assert.equal(rejectedLines, 1);
    assert.deepEqual(rows.map((row) => row.request_id), ["good"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
