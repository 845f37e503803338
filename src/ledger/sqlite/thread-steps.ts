/**
 * How the ledger's insert thread shares a core with the event loop serving requests: a lower
 * priority, and work in short steps with sleeps between them. A module of its own, with no side
 * effects, so that `bench/thread-wake.bench.ts` measures these very settings.
 */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

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
export const THREAD_NICE = 10;

/** The calling thread's own id on Linux (/proc/thread-self), else undefined. */
export function threadId(): number | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const id = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value (not the process's); without a thread id, or if refused, nothing. */
export function lowerThreadPriority(nice = THREAD_NICE): void {
  const id = threadId();
  if (id === undefined || id === process.pid) return;
  try {
    setPriority(id, nice);
  } catch {
    // Not permitted: normal priority.
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
 * the JSON batches of the other path (an earlier process's segments, replayed at start-up). The
 * pauses fall inside a batch's transaction, so SQLite's write lock is held through them: a write on
 * another connection (a key created or revoked on the main thread) waits up to a batch's length.
 */
export const LINES_PER_STEP = 16;
export const PAUSE_MS = 0.05;
const pauseCell = new Int32Array(new SharedArrayBuffer(4));

export function pause(): void {
  Atomics.wait(pauseCell, 0, 0, PAUSE_MS);
}

