/** The journal writer: batching, background flushes, replay after a crash, and what it refuses. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RowsRefusedError, type LedgerRow, type LedgerStore } from "../../src/ledger/ledger.js";
import type { Journal } from "../../src/ledger/journal.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { InvalidLedgerRowError } from "../../src/ledger/row-schema.js";
import { JournalLedgerWriter } from "../../src/ledger/writer.js";
import { openSqlite } from "../../src/ledger/sqlite/connection.js";
import { prepareInsert, ROWS_PER_STATEMENT } from "../../src/ledger/sqlite/rows.js";
import { LINES_PER_STEP } from "../../src/ledger/sqlite/thread-steps.js";
import { migrate } from "../../src/ledger/sqlite/schema.js";
import { loadRow } from "./sample-rows.js";
import { eventually } from "../helpers/eventually.js";
import { postgresTestLedger, refuseRequestId, sqliteMemoryTestLedger, sqliteTestLedger } from "./test-ledgers.js";

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

/** Waits (up to 10 s: the whole suite may be running beside it) until the writer has done what `condition` checks. */
const until = (condition: () => Promise<boolean>) => eventually(async () => ((await condition()) ? true : undefined), "waiting for the writer", 10_000);

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
  // The process "died": no flush, no close. Its journal is left as a kill leaves it (the segment
  // stays, the kernel drops the lock); kill-nine.test.ts does this with real processes.
  (crashed.writer as unknown as { journal: Journal }).journal.close();

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

test("a segment that cannot be sealed (no room for the next file) does not hold up the segments sealed before it", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  const spy = spyOn(ledger.store);
  const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, flushIntervalMs: 60_000, onError: () => undefined });
  for (let index = 0; index < 10; index += 1) writer.record(loadRow("sealed", index));
  spy.failNext(1);
  await assert.rejects(writer.flush(), /database unavailable/, "the first segment is sealed, and kept");
  const journal = (writer as unknown as { journal: Journal }).journal;
  const rotate = journal.rotate.bind(journal);
  journal.rotate = () => {
    throw new Error("ENOSPC: no space left on device (test)");
  };
  for (let index = 10; index < 15; index += 1) writer.record(loadRow("sealed", index));
  await assert.rejects(writer.flush(), /ENOSPC/, "the flush still fails: the newer rows are not stored");
  assert.equal(await ledger.store.count(), 10, "but the segment sealed before is");
  journal.rotate = rotate;
  await writer.flush();
  assert.equal(await ledger.store.count(), 15);
  await writer.close();
  await ledger.close();
  paths.done();
});

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

test("the insert thread halves a refused batch itself: the refused row is kept aside, the rest stored, and nothing is read back on the event loop", async () => {
  const paths = scratch();
  const errors: string[] = [];
  const ledger = await openLedger({ kind: "sqlite", path: paths.path, journal: false });
  await refuseRequestId(ledger.store, "thread-7");
  const spy = spyOn(ledger.store, { segments: true });
  const writer = JournalLedgerWriter.open(spy.store, { journalDir: paths.journalDir, batchRows: 4, flushIntervalMs: 60_000, onError: (error) => errors.push(error.message) });
  for (let index = 0; index < 10; index += 1) writer.record(loadRow("thread", index));
  await writer.flush();
  assert.equal(await ledger.store.count(), 9);
  assert.deepEqual(spy.batches, [], "no rows went through insertBatch");
  assert.ok(spy.segmentCalls() >= 1, "the segment went to the thread");
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0] as string, /refused 1 row\(s\) of .* \(first thread-7: SQLite refused the rows: refused for the test\); they are kept in .*\.refused/);
  const keptPath = (errors[0] as string).replace(/^.*they are kept in (\S+), .*$/, "$1");
  assert.deepEqual(JSON.parse(readFileSync(keptPath, "utf8")), JSON.parse(JSON.stringify(loadRow("thread", 7))));
  await writer.close();
  await ledger.close();
  paths.done();
});

test("a batch SQLite's insert thread refuses comes back as a RowsRefusedError (the class the writer halves batches on)", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  await refuseRequestId(ledger.store, "json-1");
  await assert.rejects(ledger.store.insertBatch([loadRow("json", 0), loadRow("json", 1)]), (error: unknown) => error instanceof RowsRefusedError && /SQLite refused the rows: refused for the test/.test(error.message));
  assert.equal(await ledger.store.count(), 0);
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

/**
 * `inner`, passed rows as PostgreSQL is (no segment reader: the writer keeps rows in memory until
 * sealed), whose inserts wait until release(): `flushing` resolves when the first one begins, and
 * `given` holds the rows each insert was handed, in order.
 */
function hangingStore(inner: LedgerStore): { store: LedgerStore; given: LedgerRow[]; flushing: Promise<void>; release: () => void } {
  let release = (): void => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const given: LedgerRow[] = [];
  let entered = (): void => {};
  const flushing = new Promise<void>((resolve) => (entered = resolve));
  const store = Object.create(inner) as LedgerStore;
  store.insertBatch = async (rows: LedgerRow[]) => {
    entered();
    await gate;
    given.push(...rows);
    await inner.insertBatch(rows);
  };
  Object.defineProperty(store, "insertJournalSegment", { value: undefined });
  return { store, given, flushing, release };
}

test("while a flush hangs, full segments are sealed and their rows leave memory; once the store answers, every row is stored in order", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  const { store, given, flushing, release } = hangingStore(ledger.store);
  const writer = JournalLedgerWriter.open(store, { journalDir: paths.journalDir, batchRows: 10, segmentRows: 25, flushIntervalMs: 1 });
  const recorded = [loadRow("hang", 0)];
  writer.record(recorded[0] as LedgerRow);
  // The first flush takes row 0 and waits on the store. It runs from the writer's timer, which is
  // unref'd (a writer never keeps a process alive): hold the event loop open until it fires, or
  // the test runner finds nothing left to run and cancels the test.
  const keepAlive = setInterval(() => undefined, 1_000);
  await flushing;
  clearInterval(keepAlive);
  for (let index = 1; index < 100; index += 1) {
    recorded.push(loadRow("hang", index));
    writer.record(recorded[index] as LedgerRow);
  }
  const lineCounts = segments(paths.journalDir).map((name) => readFileSync(join(paths.journalDir, name), "utf8").split("\n").length - 1);
  assert.deepEqual(lineCounts.sort((a, b) => a - b), [1, 24, 25, 25, 25], "row 0's segment, three full ones, the current one");
  release();
  await writer.close();
  assert.deepEqual(given.map((row) => row.request_id), recorded.map((row) => row.request_id));
  // Rows 1–75 went to disk only and were read back (new objects); rows 0 and 76–99 were still in memory.
  const readBack = given.map((row, index) => (row === recorded[index] ? "memory" : "disk"));
  assert.deepEqual(readBack, recorded.map((_, index) => (index >= 1 && index <= 75 ? "disk" : "memory")));
  assert.equal(await ledger.store.count(), 100);
  assert.deepEqual(segments(paths.journalDir), []);
  await ledger.close();
  paths.done();
});

test("a full segment that cannot be sealed while the store hangs keeps its rows on disk only, not in memory; all are stored in order once both recover", async () => {
  const paths = scratch();
  const ledger = await storeOnly(paths.path);
  const { store, given, flushing, release } = hangingStore(ledger.store);
  const errors: string[] = [];
  const writer = JournalLedgerWriter.open(store, { journalDir: paths.journalDir, batchRows: 10, segmentRows: 25, flushIntervalMs: 1, onError: (error) => errors.push(error.message) });
  const recorded = [loadRow("unsealable", 0)];
  writer.record(recorded[0] as LedgerRow);
  const keepAlive = setInterval(() => undefined, 1_000);
  await flushing;
  clearInterval(keepAlive);
  const journal = (writer as unknown as { journal: Journal }).journal;
  const rotate = journal.rotate.bind(journal);
  journal.rotate = () => {
    throw new Error("EMFILE: too many open files (test)");
  };
  for (let index = 1; index < 300; index += 1) {
    recorded.push(loadRow("unsealable", index));
    writer.record(recorded[index] as LedgerRow);
  }
  assert.ok(errors.some((message) => /sealing a full journal segment failed/.test(message)), errors.join("\n"));
  journal.rotate = rotate;
  release();
  await writer.close();
  assert.deepEqual(given.map((row) => row.request_id), recorded.map((row) => row.request_id));
  // Row 0 was in the hanging flush; rows 1–299 are one segment that could not be sealed at 25 rows,
  // so none of them stayed in memory: all were read back from the journal.
  const readBack = given.map((row, index) => (row === recorded[index] ? "memory" : "disk"));
  assert.deepEqual(readBack, recorded.map((_, index) => (index === 0 ? "memory" : "disk")));
  assert.equal(await ledger.store.count(), 300);
  await ledger.close();
  paths.done();
});

for (const makeLedger of [sqliteTestLedger, sqliteMemoryTestLedger, postgresTestLedger]) {
  test(`a row the store refuses is set aside and holds nothing up: the rest of its segment and later rows are stored (${makeLedger.name})`, async (t) => {
    const testLedger = makeLedger();
    const journalDir = mkdtempSync(join(tmpdir(), "switchyard-refused-"));
    t.after(async () => {
      await testLedger.cleanup();
      rmSync(journalDir, { recursive: true, force: true });
    });
    const errors: string[] = [];
    const ledger = await openLedger({ ...testLedger.config, journalDir, flushIntervalMs: 10, onError: (error) => errors.push(error.message) });
    t.after(() => ledger.close());
    // A row checkRow lets through and the store refuses, wherever it is inserted: in the insert
    // thread (SQLite in a file), on the event loop (in memory), or by PostgreSQL.
    await refuseRequestId(ledger.store, "refuse-3");
    const poison = loadRow("refuse", 3);
    for (let index = 0; index < 10; index += 1) ledger.writer.record(index === 3 ? poison : loadRow("refuse", index));
    await until(async () => (await ledger.store.count()) === 9);
    for (let index = 10; index < 15; index += 1) ledger.writer.record(loadRow("refuse", index));
    await ledger.writer.flush();
    assert.equal(await ledger.store.count(), 14);
    assert.equal(await ledger.store.get("refuse-3"), undefined);
    assert.equal(errors.length, 1, errors.join("\n"));
    // The batch is halved until the refused row is alone; only that row is kept aside.
    assert.match(errors[0] as string, /refused 1 row\(s\) of .* \(first refuse-3: (SQLite|PostgreSQL) refused the rows: .*(refuse_for_test|refused for the test).*\); they are kept in .*\.refused/);
    const keptPath = (errors[0] as string).replace(/^.*they are kept in (\S+), .*$/, "$1");
    assert.deepEqual(readFileSync(keptPath, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown), [JSON.parse(JSON.stringify(poison))]);
    assert.deepEqual(segments(journalDir).filter((name) => name.endsWith(".jsonl") && readFileSync(join(journalDir, name), "utf8") !== ""), []);
  });
}

test("the insert thread's segment parser counts lines that are not JSON instead of storing them", async () => {
  const { parseOwnSegment } = await import("../../src/ledger/sqlite/insert-worker.js");
  const good = JSON.stringify(loadRow("parse", 1));
  const parsed = parseOwnSegment(`${good}\n{"request_id":\n\n${good}\n`);
  assert.equal(parsed.rows.length, 2);
  assert.equal(parsed.rejectedLines, 1);
  // Text after the last newline is an unfinished append: a half row is left out and not counted,
  // a whole row missing only its newline is kept (as readSegment does).
  assert.deepEqual(parseOwnSegment(`${good}\n{"request_i`), { rows: [JSON.parse(good) as LedgerRow], rejectedLines: 0 });
  assert.deepEqual(parseOwnSegment(`${good}\n${good}`), { rows: [JSON.parse(good), JSON.parse(good)] as LedgerRow[], rejectedLines: 0 });
});

test("the insert thread works in steps: it pauses after every LINES_PER_STEP parsed lines and between two INSERT statements of a batch", async () => {
  const { parseOwnSegment } = await import("../../src/ledger/sqlite/insert-worker.js");
  // Two and a half steps of lines: a pause after the first and after the second.
  const lineCount = LINES_PER_STEP * 2 + LINES_PER_STEP / 2;
  const lines = Array.from({ length: lineCount }, (_, index) => JSON.stringify(loadRow("steps", index)));
  let pauses = 0;
  const parsed = parseOwnSegment(`${lines.join("\n")}\n`, () => (pauses += 1));
  assert.equal(parsed.rows.length, lineCount);
  assert.equal(pauses, 2);

  const directory = mkdtempSync(join(tmpdir(), "switchyard-steps-"));
  const database = openSqlite(join(directory, "ledger.db"));
  try {
    migrate(database);
    const insert = prepareInsert(database);
    pauses = 0;
    // Two full statements and a shorter one, with a pause before the second and the third.
    const batchRows = ROWS_PER_STATEMENT * 2 + ROWS_PER_STATEMENT / 2;
    insert(parsed.rows.slice(0, batchRows), () => {
      pauses += 1;
      // The pause runs inside the batch's transaction: its rows are not committed yet.
      assert.ok(database.inTransaction);
    });
    assert.equal(pauses, 2);
    assert.equal((database.prepare("SELECT count(*) AS n FROM ledger_rows").get() as { n: number }).n, batchRows);
    // A pause that fails is the thread's problem, not the rows': no RowsRefusedError (which would set them aside).
    const failing = () => {
      throw new TypeError("cannot block here");
    };
    assert.throws(() => insert(parsed.rows.slice(batchRows), failing), (error: Error) => !(error instanceof RowsRefusedError) && error.message === "cannot block here");
    assert.equal((database.prepare("SELECT count(*) AS n FROM ledger_rows").get() as { n: number }).n, batchRows, "the failed batch was rolled back");
  } finally {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
