/**
 * The worker thread behind the store's inserts: its own connection to the ledger file, running each
 * batch in one transaction. A batch is either a JSON array of rows (cheaper to make and pass than a
 * structured clone) or the path of a journal segment the gateway wrote, which the thread reads
 * itself: then nothing but the path crosses threads.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import type { LedgerRow } from "../ledger.js";
import { openSqlite } from "./connection.js";
import { prepareInsert } from "./rows.js";
import { serveCalls } from "./thread-client.js";

export interface InsertWorkerSetup {
  path: string;
  synchronous: "NORMAL" | "FULL";
}

export type InsertCall = { json: string } | { segment: string; batchRows: number };

/**
 * Runs this thread at a lower CPU priority (nice 10). Inserts are background work: when the
 * thread shares a core with the event loop serving requests (a one-core container, or a
 * benchmark pinned to one core), requests should win, or a batch and the WAL checkpoint it
 * triggers (5–35 ms) delay every request in flight. Not the lowest priority: at nice 10 the thread
 * still gets about a tenth of a contended core, more than the inserts need at full load, so rows
 * keep reaching the database while the event loop is saturated (at nice 19 they starved, and the
 * journal only grew). Linux only (setpriority on the thread's own id, from /proc/thread-self);
 * elsewhere, or if refused, the thread keeps the normal priority.
 */
const THREAD_NICE = 10;

function lowerThreadPriority(): void {
  if (process.platform !== "linux") return;
  try {
    const threadId = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(threadId) && threadId > 0 && threadId !== process.pid) setPriority(threadId, THREAD_NICE);
  } catch {
    // Not available or not permitted: normal priority.
  }
}

serveCalls<InsertWorkerSetup, InsertCall, { rejectedLines: number }>((setup) => {
  lowerThreadPriority();
  const insert = prepareInsert(openSqlite(setup.path, { synchronous: setup.synchronous, mustExist: true }));
  return (call) => {
    if ("json" in call) {
      insert(JSON.parse(call.json) as LedgerRow[]);
      return { rejectedLines: 0 };
    }
    const { rows, rejectedLines } = parseOwnSegment(readFileSync(call.segment, "utf8"));
    for (let start = 0; start < rows.length; start += call.batchRows) insert(rows.slice(start, start + call.batchRows));
    return { rejectedLines };
  };
});

/**
 * The rows of a segment written by the live writer: each line was checked (checkRow) before it was
 * appended, so parsing is enough. A line that does not parse (a write cut short) is counted, not
 * stored. Leftovers of a dead process go through readSegment's schema check instead.
 */
export function parseOwnSegment(text: string): { rows: LedgerRow[]; rejectedLines: number } {
  const rows: LedgerRow[] = [];
  let rejectedLines = 0;
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    try {
      rows.push(JSON.parse(line) as LedgerRow);
    } catch {
      rejectedLines += 1;
    }
  }
  return { rows, rejectedLines };
}
