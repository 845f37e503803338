/**
 * The worker thread behind the store's inserts: its own connection to the ledger file, running each
 * batch in one transaction. A batch is either a JSON array of rows (cheaper to make and pass than a
 * structured clone) or the path of a journal segment the gateway wrote, which the thread reads
 * itself: then nothing but the path crosses threads.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { insertSettingAside, type LedgerRow, type RefusedRow, type SegmentInsert } from "../ledger.js";
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

/**
 * The thread works in steps of about 0.1 ms (a statement of ROWS_PER_STATEMENT rows, or parsing
 * LINES_PER_STEP journal lines) and sleeps PAUSE_MS between two steps. Nice 10 alone does not keep
 * a batch from delaying requests: the kernel lets a running thread finish its time slice before a
 * woken one of higher priority runs, so a request that arrives while the thread inserts waits for
 * the rest of the batch (about 1 ms for the 50 rows of a 50 ms flush at 1,000 requests/s).
 * `npm run bench:thread-wake` (an event loop echoing UDP beside a thread busy 2 ms every 100 ms,
 * on one core): echo p99 1.10–1.48 ms with the burst in one go at nice 10, 0.38 ms in 0.1 ms steps
 * with these pauses, 0.23–0.42 ms with no thread (docs/BENCHMARKS.md). Still in one piece: reading
 * the segment file, a batch's COMMIT and the WAL checkpoint a commit sometimes runs, and parsing
 * the JSON batches of the other path (an earlier process's segments, replayed at start-up).
 */
const LINES_PER_STEP = 16;
const PAUSE_MS = 0.05;
const pauseCell = new Int32Array(new SharedArrayBuffer(4));

function pause(): void {
  Atomics.wait(pauseCell, 0, 0, PAUSE_MS);
}

serveCalls<InsertWorkerSetup, InsertCall, SegmentInsert>((setup) => {
  lowerThreadPriority();
  const insert = prepareInsert(openSqlite(setup.path, { synchronous: setup.synchronous, mustExist: true }));
  const insertPausing = (rows: LedgerRow[]): void => {
    pause();
    insert(rows, pause);
  };
  return async (call) => {
    if ("json" in call) {
      // Rows the writer read itself (an earlier process's segment, checked against the schema on
      // replay): it halves a refused batch itself, from the RowsRefusedError this throws.
      insert(JSON.parse(call.json) as LedgerRow[], pause);
      return { rejectedLines: 0, refused: [] };
    }
    const { rows, rejectedLines } = parseOwnSegment(readFileSync(call.segment, "utf8"), pause);
    const refused: RefusedRow[] = [];
    for (let start = 0; start < rows.length; start += call.batchRows) {
      await insertSettingAside(insertPausing, rows.slice(start, start + call.batchRows), refused);
    }
    return { rejectedLines, refused };
  };
});

/**
 * The rows of a segment written by the live writer: each line was checked (checkRow) before it was
 * appended, so parsing is enough. A line that does not parse (a write cut short) is counted, not
 * stored; text after the last newline is an append that failed and was not cut back (record()
 * threw for it), so it is left out as readSegment leaves it out. Leftovers of a dead process go
 * through readSegment's schema check instead. `pause`, if given, runs after every LINES_PER_STEP lines.
 */
export function parseOwnSegment(text: string, pause?: () => void): { rows: LedgerRow[]; rejectedLines: number } {
  const rows: LedgerRow[] = [];
  let rejectedLines = 0;
  let parsed = 0;
  const lines = text.split("\n");
  const torn = lines.pop() ?? "";
  for (const line of lines) {
    if (line.length === 0) continue;
    if (parsed > 0 && parsed % LINES_PER_STEP === 0) pause?.();
    parsed += 1;
    try {
      rows.push(JSON.parse(line) as LedgerRow);
    } catch {
      rejectedLines += 1;
    }
  }
  if (torn.length > 0) {
    try {
      rows.push(JSON.parse(torn) as LedgerRow);
    } catch {
      // An unfinished append: not a row.
    }
  }
  return { rows, rejectedLines };
}
