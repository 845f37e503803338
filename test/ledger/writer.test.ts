/** The journal writer: batching, background flushes, replay after a crash, and what it refuses. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LedgerRow, LedgerStore } from "../../src/ledger/ledger.js";
import { JournalInUseError } from "../../src/ledger/journal.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { InvalidLedgerRowError } from "../../src/ledger/row-schema.js";
import { JournalLedgerWriter } from "../../src/ledger/writer.js";
import { loadRow } from "./sample-rows.js";

function scratch(): { dir: string; journalDir: string; path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-writer-"));
  return { dir, journalDir: join(dir, "journal"), path: join(dir, "ledger.db"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A store that records each batch it is given and can be told to fail. With `segments`, the
 * store's own journal-segment reader (SQLite's insert thread) is used and spied on too; without,
 * the writer is made to pass rows (as it does for PostgreSQL).
 */
function spyOn(store: LedgerStore, options: { segments: boolean } = { segments: false }): { store: LedgerStore; batches: number[]; segmentCalls: () => number; failNext: (times: number) => void } {
  const batches: number[] = [];
  let failures = 0;
  let segmentCalls = 0;
  const spy: LedgerStore = Object.create(store) as LedgerStore;
  spy.insertBatch = async (rows: LedgerRow[]) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error("database unavailable (test)");
    }
    batches.push(rows.length);
    await store.insertBatch(rows);
  };
  const readSegments = store.insertJournalSegment?.bind(store);
  if (options.segments && !readSegments) throw new Error("this store has no segment reader");
  Object.defineProperty(spy, "insertJournalSegment", {
    value: options.segments
      ? async (path: string, batchRows: number) => {
          if (failures > 0) {
            failures -= 1;
            throw new Error("database unavailable (test)");
          }
          segmentCalls += 1;
          return (readSegments as NonNullable<LedgerStore["insertJournalSegment"]>)(path, batchRows);
        }
      : undefined,
  });
  return { store: spy, batches, segmentCalls: () => segmentCalls, failNext: (times) => (failures = times) };
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the writer");
    await sleep(5);
  }
}

const segments = (journalDir: string) => readdirSync(journalDir).filter((name) => name.startsWith("segment-"));

async function storeOnly(path: string): Promise<Ledger> {
  return openLedger({ kind: "sqlite", path, journal: false });
}

test("a full batch is flushed at once, in transactions of at most batchRows rows", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  const spy = spyOn(ledger.store);
  const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, batchRows: 100, flushIntervalMs: 60_000 });
  for (let index = 0; index < 250; index += 1) writer.record(loadRow("batch", index));
  await until(async () => (await ledger.store.count()) === 250);
  assert.ok(spy.batches.every((size) => size <= 100), `batches ${spy.batches.join(",")}`);
  assert.equal(spy.batches.reduce((sum, size) => sum + size, 0), 250);
  await writer.close();
  assert.deepEqual(segments(paths.journalDir), [], "every flushed segment is deleted, and close removes the empty current one");
  await ledger.close();
  paths.done();
});

test("a few rows are flushed by the timer without anyone calling flush", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  const writer = JournalLedgerWriter.open(ledger.store, { journalDir: paths.journalDir, batchRows: 1_000, flushIntervalMs: 20 });
  for (let index = 0; index < 5; index += 1) writer.record(loadRow("timer", index));
  assert.equal(await ledger.store.count(), 0, "record does not touch the database");
  await until(async () => (await ledger.store.count()) === 5);
  assert.deepEqual(await ledger.store.get("timer-3"), loadRow("timer", 3));
  await writer.close();
  await ledger.close();
  paths.done();
});

test("rows recorded and never flushed (a crash) are replayed by the next writer", async () => {
  const paths = scratch();
  const crashed = await openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir, flushIntervalMs: 60_000, batchRows: 10_000 });
  for (let index = 0; index < 30; index += 1) crashed.writer.record(loadRow("crash", index));
  assert.equal(await crashed.store.count(), 0);
  assert.equal(segments(paths.journalDir).length, 1);
  // No close(): the process "died". The same pid may take the lock over, as a restarted container would.

  const restarted = await openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir });
  assert.equal((restarted.writer as JournalLedgerWriter).pendingReplay, 1);
  await restarted.writer.flush();
  assert.equal(await restarted.store.count(), 30);
  for (let index = 0; index < 30; index += 1) assert.deepEqual(await restarted.store.get(`crash-${index}`), loadRow("crash", index));
  await restarted.close();
  assert.deepEqual(segments(paths.journalDir), []);
  await crashed.store.close();
  paths.done();
});

test("a torn last line (an append cut by the kill) is dropped; a bad line in the middle is set aside", async () => {
  const paths = scratch();
  const errors: Error[] = [];
  const line = (row: LedgerRow) => `${JSON.stringify(row)}\n`;
  const { mkdirSync } = await import("node:fs");
  mkdirSync(paths.journalDir, { recursive: true });
  writeFileSync(join(paths.journalDir, "segment-1-1-1.jsonl"), line(loadRow("torn", 1)) + line(loadRow("torn", 2)) + line(loadRow("torn", 3)).slice(0, 40));
  writeFileSync(join(paths.journalDir, "segment-1-1-2.jsonl"), line(loadRow("bad", 1)) + "{not json\n" + JSON.stringify({ request_id: "x" }) + "\n" + line(loadRow("bad", 2)));
  const ledger = await openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir, onError: (error) => errors.push(error) });
  await ledger.writer.flush();
  assert.deepEqual((await ledger.store.recent(10)).map((row) => row.request_id).sort(), ["bad-1", "bad-2", "torn-1", "torn-2"]);
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /2 unreadable line\(s\)/);
  assert.ok(existsSync(join(paths.journalDir, "segment-1-1-2.jsonl.rejected")));
  assert.ok(!existsSync(join(paths.journalDir, "segment-1-1-1.jsonl")));
  await ledger.close();
  paths.done();
});

for (const readsSegments of [false, true]) {
  const mode = readsSegments ? "the store reads journal segments itself" : "rows passed to the store";
  test(`when the database fails, rows stay in the journal and arrive once it is back (${mode})`, async () => {
    const paths = scratch();
    const ledger = await storeOnly(paths.path);
    const spy = spyOn(ledger.store, { segments: readsSegments });
    const errors: Error[] = [];
    const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, flushIntervalMs: 5, onError: (error) => errors.push(error) });
    spy.failNext(3);
    for (let index = 0; index < 40; index += 1) writer.record(loadRow("outage", index));
    await until(async () => errors.length >= 3);
    for (let index = 40; index < 50; index += 1) writer.record(loadRow("outage", index));
    await until(async () => (await ledger.store.count()) === 50);
    assert.match(errors[0]?.message ?? "", /database unavailable \(test\)/);
    await writer.close();
    assert.deepEqual(segments(paths.journalDir), []);
    await ledger.close();
    paths.done();
  });

  test(`an explicit flush that fails rejects, and the rows are still delivered later (${mode})`, async () => {
    const paths = scratch();
    const ledger = await storeOnly(paths.path);
    const spy = spyOn(ledger.store, { segments: readsSegments });
    const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, flushIntervalMs: 60_000, onError: () => undefined });
    writer.record(loadRow("explicit", 1));
    spy.failNext(1);
    await assert.rejects(writer.flush(), /database unavailable/);
    assert.equal(segments(paths.journalDir).length, 2, "the sealed segment is kept, next to the new current one");
    await writer.flush();
    assert.equal(await ledger.store.count(), 1);
    await writer.close();
    await ledger.close();
    paths.done();
  });
}

for (const readsSegments of [false, true]) {
  test(`record() numbers the rows, and storedRows() counts, in order, those the store holds (${readsSegments ? "the store reads segments" : "rows passed"})`, async () => {
    const paths = scratch();
    const ledger = await storeOnly(paths.path);
    const spy = spyOn(ledger.store, { segments: readsSegments });
    const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, flushIntervalMs: 60_000, onError: () => undefined });
    assert.equal(writer.storedRows(), 0);
    assert.deepEqual([0, 1, 2].map((index) => writer.record(loadRow("progress", index))), [1, 2, 3]);
    assert.equal(writer.storedRows(), 0);
    await writer.flush();
    assert.equal(writer.storedRows(), 3);
    assert.equal(writer.record(loadRow("progress", 3)), 4);
    spy.failNext(1);
    await assert.rejects(writer.flush());
    assert.equal(writer.storedRows(), 3, "a failed flush stores nothing");
    assert.equal(writer.record(loadRow("progress", 4)), 5);
    await writer.flush();
    assert.equal(writer.storedRows(), 5);
    assert.equal(await ledger.store.count(), 5);
    await writer.close();
    await ledger.close();
    paths.done();
  });
}

test("with a store that reads segments itself, rows are not passed over: each sealed segment goes in whole, in transactions of at most batchRows", async () => {
  const paths = scratch();
  const ledger = await openLedger({ kind: "sqlite", path: paths.path, journal: false });
  const spy = spyOn(ledger.store, { segments: true });
  const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, batchRows: 100, flushIntervalMs: 60_000 });
  for (let index = 0; index < 250; index += 1) writer.record(loadRow("segment", index));
  await writer.flush();
  assert.equal(await ledger.store.count(), 250);
  assert.deepEqual(spy.batches, [], "no rows went through insertBatch");
  assert.ok(spy.segmentCalls() >= 1);
  assert.deepEqual(await ledger.store.get("segment-249"), loadRow("segment", 249));
  await writer.close();
  assert.deepEqual(segments(paths.journalDir), []);
  await ledger.close();
  paths.done();
});

test("record refuses a row no store could hold, before it reaches the journal", async () => {
  const paths = scratch();
  const ledger = await openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir });
  assert.throws(() => ledger.writer.record({ ...loadRow("bad", 1), cost_usd: "1e-3" }), InvalidLedgerRowError);
  assert.throws(() => ledger.writer.record({ ...loadRow("bad", 2), input_tokens: 1.5 }), /input_tokens/);
  assert.throws(() => ledger.writer.record({ ...loadRow("bad", 3), shadow_costs: { other: "0.1234567890123456789" } }), /shadow_costs\.other/);
  await ledger.writer.flush();
  assert.equal(await ledger.store.count(), 0);
  await ledger.close();
  assert.throws(() => ledger.writer.record(loadRow("late", 1)), /closed/);
  paths.done();
});

test("a journal directory held by a live process is refused", async () => {
  const paths = scratch();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(paths.journalDir, { recursive: true });
  // The test runner that started this file is alive and is not us.
  writeFileSync(join(paths.journalDir, "writer.lock"), `${process.ppid}\n`);
  await assert.rejects(openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir }), JournalInUseError);
  // A lock left by a dead process is taken over.
  writeFileSync(join(paths.journalDir, "writer.lock"), "999999999\n");
  const ledger = await openLedger({ kind: "sqlite", path: paths.path, journalDir: paths.journalDir });
  await ledger.close();
  paths.done();
});

test("the insert thread's segment parser counts lines that are not JSON instead of storing them", async () => {
  const { parseOwnSegment } = await import("../../src/ledger/sqlite/insert-worker.js");
  const good = JSON.stringify(loadRow("parse", 1));
  const parsed = parseOwnSegment(`${good}\n{"request_id":\n\n${good}\n`);
  assert.equal(parsed.rows.length, 2);
  assert.equal(parsed.rejectedLines, 1);
});
