/**
 * The durability promise, tested the hard way: a child process records rows under load and prints
 * each request_id once record() has returned; we SIGKILL it mid-run (twice for SQLite, the second
 * child replaying the first one's journal while it records), then open the ledger here and require
 * every printed request_id to be in the store with every field intact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openLedger, type LedgerConfig } from "../../src/ledger/open-ledger.js";
import type { JournalLedgerWriter } from "../../src/ledger/writer.js";
import { loadRow } from "./sample-rows.js";
import { CHILD_ENVIRONMENT } from "./record-until-killed.js";
import { postgresTestLedger, sqliteTestLedger, type TestLedger } from "./test-ledgers.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "record-until-killed.js");

/**
 * Runs a recording child until it has printed `atLeast` ids, run for `minimumMs` and background
 * flushes have stored at least `storedBefore` rows (so the kill falls between flushed and
 * journaled rows however the machine schedules the insert thread), then kills it with SIGKILL.
 */
async function recordUntilKilled(config: LedgerConfig, prefix: string, atLeast: number, minimumMs: number, storedBefore: number): Promise<string[]> {
  const reader = await openLedger({ ...config, journal: false });
  let stored = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      stored = await reader.store.count();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  try {
    return await runUntilKilled(config, prefix, atLeast, minimumMs, () => stored > storedBefore);
  } finally {
    polling = false;
    await poll;
    await reader.close();
  }
}

async function runUntilKilled(config: LedgerConfig, prefix: string, atLeast: number, minimumMs: number, flushed: () => boolean): Promise<string[]> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, [CHILD_ENVIRONMENT]: JSON.stringify({ config, prefix }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  let readyAt: number | undefined;
  let killed = false;
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output += chunk;
    if (readyAt === undefined && output.startsWith("ready\n")) readyAt = Date.now();
    // Counting newlines is enough to decide when to kill; ids are parsed after the exit.
    if (!killed && readyAt !== undefined && Date.now() - readyAt >= minimumMs && countLines(output) > atLeast && flushed()) {
      killed = true;
      child.kill("SIGKILL");
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const signal = await exited;
  clearTimeout(timer);
  assert.equal(signal, "SIGKILL", "the child must die by SIGKILL, not exit on its own");
  assert.ok(killed, "the child was killed before printing enough ids");
  // A line without its newline was cut by the kill: that id may not have been printed in full.
  const lines = output.split("\n").slice(0, -1);
  assert.equal(lines[0], "ready");
  return lines.slice(1);
}

function countLines(text: string): number {
  let count = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) count += 1;
  return count;
}

async function verify(config: LedgerConfig, printed: string[], prefixes: string[]): Promise<void> {
  const ledger = await openLedger(config);
  try {
    const storedBeforeReplay = await ledger.store.count();
    const pending = (ledger.writer as JournalLedgerWriter).pendingReplay;
    assert.ok(storedBeforeReplay > 0, "background flushes had stored rows before the kill");
    assert.ok(pending > 0, "the kill left journal segments to replay");
    await ledger.writer.flush();

    const stored = new Map((await ledger.store.recent(await ledger.store.count())).map((row) => [row.request_id, row]));
    for (const id of printed) {
      const row = stored.get(id);
      assert.ok(row, `${id} was printed after record() returned but is not in the store`);
      const separator = id.lastIndexOf("-");
      assert.deepEqual(row, loadRow(id.slice(0, separator), Number(id.slice(separator + 1))), `${id} is incomplete`);
    }
    // Rows recorded but killed before their id was printed are fine, as long as they are whole rows.
    // There can be many: the child's stdout is a pipe, and Node writes to pipes asynchronously, so
    // several printed lines may still be in its buffer when SIGKILL lands.
    for (const [id, row] of stored) {
      const separator = id.lastIndexOf("-");
      assert.ok(prefixes.includes(id.slice(0, separator)), `unexpected row ${id}`);
      assert.deepEqual(row, loadRow(id.slice(0, separator), Number(id.slice(separator + 1))));
    }
  } finally {
    await ledger.close();
  }
}

async function countStored(config: LedgerConfig): Promise<number> {
  const reader = await openLedger({ ...config, journal: false });
  try {
    return await reader.store.count();
  } finally {
    await reader.close();
  }
}

async function killNine(testLedger: TestLedger, rounds: number): Promise<void> {
  let storedAfter = 0;
  try {
    const printed: string[] = [];
    const prefixes: string[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const prefix = `${testLedger.kind}${round}`;
      prefixes.push(prefix);
      // Each round waits until its own rows have started to reach the store.
      printed.push(...(await recordUntilKilled(testLedger.config, prefix, 4_000 * round, 300, printed.length === 0 ? 0 : storedAfter)));
      storedAfter = await countStored(testLedger.config);
    }
    await verify(testLedger.config, printed, prefixes);
  } finally {
    await testLedger.cleanup();
  }
}

test("kill -9 under load: every row record() accepted is in the SQLite store (two kills in a row)", async () => {
  await killNine(sqliteTestLedger(), 2);
});

test("kill -9 under load: every row record() accepted is in the PostgreSQL store", async () => {
  await killNine(postgresTestLedger(), 1);
});
