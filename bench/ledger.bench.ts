/**
 * npm run bench:ledger
 *  1. LedgerWriter.record() on the gateway's hot path: calls/s and µs per call (p50/p99/max), with the
 *     background flush into SQLite running meanwhile, and how long each flush holds the event loop;
 *  2. the same with durability "power-loss" (an fdatasync per row);
 *  3. rows/s ingested by insertBatch (500-row transactions) into SQLite and into PostgreSQL;
 *  4. spend report time over what was ingested.
 * Flags: --records N (default 200,000), --rows N (default 200,000), --postgres URL
 *        (default $SWITCHYARD_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test; "none" skips), --json
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import pg from "pg";
import { keySpend, type LedgerRow, type LedgerStore, type SegmentInsert } from "../src/ledger/ledger.js";
import { openLedger, type LedgerConfig } from "../src/ledger/open-ledger.js";
import { SqliteLedgerStore } from "../src/ledger/sqlite/store.js";
import { JournalLedgerWriter } from "../src/ledger/writer.js";
import { loadRow } from "../test/ledger/sample-rows.js";
import { benchFlags, wholeFlag } from "./gateway/flags.js";
import { percentile } from "./gateway/stats.js";

const { values } = benchFlags({ options: { records: { type: "string" }, rows: { type: "string" }, postgres: { type: "string" }, json: { type: "boolean" } } });
const recordCount = wholeFlag("records", values.records, 200_000);
const rowCount = wholeFlag("rows", values.rows, 200_000);
const postgresUrl = values.postgres ?? process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const BATCH = 500;
/** Requests a gateway would serve between two turns of its event loop, roughly. */
const CALLS_PER_TURN = 100;

const scratch = mkdtempSync(join(tmpdir(), "switchyard-ledger-bench-"));

/**
 * A store wrapper that times each write into the store twice: until the call returns its promise
 * (time the event loop is held: serialising, or the whole insert when SQLite runs on the main
 * thread) and until it settles. The writer hands SQLite's insert thread whole journal segments
 * (insertJournalSegment) and other stores batches of rows (insertBatch): both are timed.
 */
function timed(store: LedgerStore): { store: LedgerStore; heldMs: number[]; totalMs: number[]; calls: { batches: number; segments: number } } {
  const heldMs: number[] = [];
  const totalMs: number[] = [];
  const calls = { batches: 0, segments: 0 };
  const time = async <T>(write: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const written = write();
    heldMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    const result = await written;
    totalMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    return result;
  };
  const wrapper: LedgerStore = Object.create(store) as LedgerStore;
  wrapper.insertBatch = (batch: LedgerRow[]) => {
    calls.batches += 1;
    return time(() => store.insertBatch(batch));
  };
  const insertSegment = store.insertJournalSegment?.bind(store);
  if (insertSegment) {
    Object.defineProperty(wrapper, "insertJournalSegment", {
      value: (path: string, batchRows: number): Promise<SegmentInsert> => {
        calls.segments += 1;
        return time(() => insertSegment(path, batchRows));
      },
    });
  }
  return { store: wrapper, heldMs, totalMs, calls };
}

async function recordRate(count: number, durability: "process" | "power-loss") {
  const dir = mkdtempSync(join(scratch, "record-"));
  const ledger = await openLedger({ kind: "sqlite", path: join(dir, "ledger.db"), journal: false, durability });
  const spy = timed(ledger.store);
  const writer = JournalLedgerWriter.open(spy.store, { journalDir: join(dir, "journal"), fsync: durability === "power-loss" });
  const rows = Array.from({ length: Math.min(count, 20_000) }, (_, index) => loadRow("warm", index));
  const latencies = new Float64Array(count);
  const wallStarted = process.hrtime.bigint();
  for (let index = 0; index < count; index += 1) {
    const row = { ...(rows[index % rows.length] as LedgerRow), request_id: `bench-${index}` };
    const started = process.hrtime.bigint();
    writer.record(row);
    latencies[index] = Number(process.hrtime.bigint() - started) / 1e3;
    if (index % CALLS_PER_TURN === CALLS_PER_TURN - 1) await yieldToEventLoop();
  }
  await writer.flush();
  const wallSeconds = Number(process.hrtime.bigint() - wallStarted) / 1e9;
  await writer.close();
  const stored = await ledger.store.count();
  await ledger.close();
  if (stored !== count) throw new Error(`stored ${stored} of ${count} rows`);
  const recordMicros = latencies.reduce((sum, value) => sum + value, 0);
  latencies.sort();
  const heldMs = Float64Array.from(spy.heldMs).sort();
  const totalMs = Float64Array.from(spy.totalMs).sort();
  const writes = spy.calls.batches + spy.calls.segments;
  if (writes === 0) throw new Error("no write into the store was timed: the writer took a path this benchmark does not wrap");
  return {
    durability,
    records: count,
    calls_per_second: Math.round(count / (recordMicros / 1e6)),
    micros_mean: recordMicros / count,
    micros_p50: percentile(latencies, 0.5),
    micros_p99: percentile(latencies, 0.99),
    micros_max: latencies[latencies.length - 1] ?? 0,
    end_to_end_rows_per_second: Math.round(count / wallSeconds),
    batches: spy.calls.batches,
    segments: spy.calls.segments,
    rows_per_write_mean: count / writes,
    write_event_loop_held_ms_p50: percentile(heldMs, 0.5),
    write_event_loop_held_ms_max: heldMs[heldMs.length - 1] ?? 0,
    write_stored_ms_p50: percentile(totalMs, 0.5),
    write_stored_ms_max: totalMs[totalMs.length - 1] ?? 0,
  };
}

/**
 * How long a query takes, and the longest the event loop was held meanwhile (the largest gap
 * between turns of a setImmediate loop): what every request in flight would wait while it runs.
 */
async function timeQuery(run: () => Promise<unknown>): Promise<[number, number]> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const turn = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  running = false;
  return [ms, Math.max(longest, performance.now() - last)];
}

async function ingestRate(config: LedgerConfig, count: number, label: string = config.kind, mainThread = false) {
  const ledger = await openLedger({ ...config, journal: false });
  if (mainThread && config.kind === "sqlite") {
    // The same insert without the worker thread: what the thread costs, or saves.
    const store = new SqliteLedgerStore((ledger.store as SqliteLedgerStore).database, { insertThread: false });
    ledger.store = store;
  }
  try {
    const rows = Array.from({ length: count }, (_, index) => loadRow("ingest", index));
    const started = process.hrtime.bigint();
    for (let start = 0; start < count; start += BATCH) await ledger.store.insertBatch(rows.slice(start, start + BATCH));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const spend: Record<string, number> = {};
    const loopHeld: Record<string, number> = {};
    for (const [name, query] of [
      ["by_model", { group_by: ["model"] }],
      ["by_day", { group_by: ["day"] }],
      ["by_tag_team", { group_by: ["tag"], tag_key: "team" }],
    ] as const) {
      [spend[name], loopHeld[name]] = await timeQuery(() => ledger.store.spend({ ...query, group_by: [...query.group_by] }));
    }
    [spend.key_spend_one_key, loopHeld.key_spend_one_key] = await timeQuery(() => keySpend(ledger.store, "key_3", 0));
    return { store: label, rows: count, batch_rows: BATCH, seconds, rows_per_second: Math.round(count / seconds), spend_ms: spend, loop_held_ms: loopHeld };
  } finally {
    await ledger.close();
  }
}

async function postgresIngest() {
  if (postgresUrl === "none") return null;
  const schema = `ledger_bench_${process.pid}`;
  try {
    return await ingestRate({ kind: "postgres", url: postgresUrl, schema }, rowCount);
  } finally {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

try {
  const record = await recordRate(recordCount, "process");
  const recordPowerLoss = await recordRate(Math.min(recordCount, 5_000), "power-loss");
  const sqlite = await ingestRate({ kind: "sqlite", path: join(scratch, "ingest.db") }, rowCount, "sqlite (insert thread)");
  const sqliteMainThread = await ingestRate({ kind: "sqlite", path: join(scratch, "ingest-main.db") }, rowCount, "sqlite (main thread)", true);
  const postgres = await postgresIngest();
  const result = { node: process.version, cpus: availableParallelism(), load_average: loadavg().map((value) => Number(value.toFixed(2))), record, record_power_loss: recordPowerLoss, ingest: { sqlite, sqlite_main_thread: sqliteMainThread, postgres } };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const number = (value: number) => Math.round(value).toLocaleString("en-US");
    console.log(`node ${process.version}, ${result.cpus} CPUs, load average before/after ${result.load_average.join(" ")}`);
    for (const run of [record, recordPowerLoss]) {
      console.log(
        `record() [${run.durability}]: ${number(run.records)} calls, ${number(run.calls_per_second)} calls/s, ` +
          `mean ${run.micros_mean.toFixed(2)} µs, p50 ${run.micros_p50.toFixed(2)} µs, p99 ${run.micros_p99.toFixed(2)} µs, max ${run.micros_max.toFixed(0)} µs; ` +
          `end to end ${number(run.end_to_end_rows_per_second)} rows/s into SQLite; ${run.segments} segments and ${run.batches} batches, ${run.rows_per_write_mean.toFixed(0)} rows each, ` +
          `each holding the event loop ${run.write_event_loop_held_ms_p50.toFixed(2)} ms (p50) / ${run.write_event_loop_held_ms_max.toFixed(2)} ms (max), ` +
          `stored in ${run.write_stored_ms_p50.toFixed(1)} ms (p50) / ${run.write_stored_ms_max.toFixed(1)} ms (max)`,
      );
    }
    for (const run of [sqlite, sqliteMainThread, postgres]) {
      if (!run) continue;
      console.log(
        `insertBatch ${run.store}: ${number(run.rows)} rows in ${run.batch_rows}-row transactions, ${run.seconds.toFixed(2)} s = ${number(run.rows_per_second)} rows/s; ` +
          `spend over them: ${Object.entries(run.spend_ms).map(([name, ms]) => `${name} ${ms.toFixed(0)} ms (event loop held ${(run.loop_held_ms[name] ?? 0).toFixed(1)} ms)`).join(", ")}`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
