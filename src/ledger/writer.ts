/**
 * LedgerWriter: what the gateway calls once per request. `record` appends the row to the journal
 * (journal.ts) and queues it; a background flush moves queued rows into the store in batches, one
 * transaction each, then deletes the journal segments they came from. So the request path pays a
 * JSON.stringify and a write(2), never a database round trip, and an accepted row survives a crash:
 * whatever is still in the journal is replayed when the next writer opens it. A store that reads
 * segments itself (SQLite with its insert thread) is handed each sealed segment's path instead of
 * the rows, so rows are not kept in memory or passed between threads at all.
 */
import { insertSettingAside, type LedgerRow, type LedgerStore, type LedgerWriter, type RefusedRow, type SegmentInsert } from "./ledger.js";
import { Journal, readSegment } from "./journal.js";
import { journalLine } from "./row-json.js";
import { checkRow } from "./row-schema.js";

export interface JournalWriterOptions {
  journalDir: string;
  /** Longest a row waits in the journal before a flush starts (ms). */
  flushIntervalMs?: number;
  /** Rows per insertBatch (one transaction); a queue this long starts a flush at once. */
  batchRows?: number;
  /**
   * Most rows a journal segment holds: past it the segment is sealed even while a flush is under
   * way, so a store that hangs or is down leaves segments of a bounded size behind (each read back
   * whole when the store returns) and no rows in memory.
   */
  segmentRows?: number;
  /** fdatasync each append (power-loss durability; see docs/LEDGER.md). */
  fsync?: boolean;
  /**
   * Told about background flush failures. The rows stay in the journal and are retried with backoff,
   * so this is for alerting; the default writes one line to stderr.
   */
  onError?: (error: Error) => void;
}

const DEFAULT_FLUSH_INTERVAL_MS = 50;
const DEFAULT_BATCH_ROWS = 500;
/** About 10 MB of journal, and of rows kept in memory for a store that cannot read segments. */
const DEFAULT_SEGMENT_ROWS = 10_000;
/** After a failed seal (the new segment could not be made), try again this many rows later. */
const SEAL_RETRY_ROWS = 1_000;
const MAX_RETRY_DELAY_MS = 5_000;

interface SealedSegment {
  path: string;
  /** Rows still in memory; undefined after a failed flush, for a leftover, or when the store reads segments itself. */
  rows: LedgerRow[] | undefined;
  /** Written by this writer (every line checked): the store may read it itself. Leftovers are not. */
  own: boolean;
  /** Own segments: the writer's row count when it was sealed (its last row's number). */
  through?: number;
}

/** Where ledger troubles go when the caller gives no onError: standard error. */
export function reportLedgerError(error: Error): void {
  process.stderr.write(`switchyard ledger: ${error.message}\n`);
}

export class JournalLedgerWriter implements LedgerWriter {
  /** Rows of the journal's current segment, in the order appended (kept only when the store cannot read segments). */
  private queue: LedgerRow[] = [];
  /** How many rows the current segment holds. */
  private queued = 0;
  /** The current segment's rows are on disk only (a full segment could not be sealed): read back when it is. */
  private queueDropped = false;
  /** Rows recorded by this writer, and how many of them (the oldest first) the store holds. */
  private recorded = 0;
  private stored = 0;
  /** The store's own segment reader, if it has one (SQLite's insert thread). */
  private readonly insertSegment: ((path: string, batchRows: number) => Promise<SegmentInsert>) | undefined;
  private readonly sealed: SealedSegment[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private backgroundFlushing = false;
  private failures = 0;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly batchRows: number;
  private readonly segmentRows: number;
  private readonly onError: (error: Error) => void;

  private constructor(
    private readonly store: LedgerStore,
    private readonly journal: Journal,
    options: JournalWriterOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.segmentRows = options.segmentRows ?? DEFAULT_SEGMENT_ROWS;
    this.onError = options.onError ?? reportLedgerError;
    this.insertSegment = store.insertJournalSegment?.bind(store);
    this.sealed = journal.leftovers.map((path) => ({ path, rows: undefined, own: false }));
    if (this.sealed.length > 0) this.schedule(0);
  }

  /** Takes the journal directory (throws JournalInUseError if a live process has it) and replays leftovers in the background. */
  static open(store: LedgerStore, options: JournalWriterOptions): JournalLedgerWriter {
    return new JournalLedgerWriter(store, Journal.open(options.journalDir, { fsync: options.fsync ?? false }), options);
  }

  /** Journal segments left by an earlier process that are not yet in the store. */
  get pendingReplay(): number {
    return this.sealed.filter((segment) => !segment.own).length;
  }

  record(row: LedgerRow): number {
    if (this.closed) throw new Error("the ledger writer is closed");
    checkRow(row);
    if (this.insertSegment) {
      // The store reads the segment itself: the row need not stay in memory.
      this.journal.append(`${JSON.stringify(row)}\n`);
    } else {
      this.journal.append(`${journalLine(row)}\n`);
      if (!this.queueDropped) this.queue.push(row);
    }
    this.queued += 1;
    this.recorded += 1;
    if (this.queued >= this.segmentRows && (this.queued - this.segmentRows) % SEAL_RETRY_ROWS === 0) this.sealFull();
    if (this.queued >= this.batchRows && this.failures === 0 && !this.backgroundFlushing) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule(0);
    } else {
      this.schedule(this.flushIntervalMs);
    }
    return this.recorded;
  }

  storedRows(): number {
    return this.stored;
  }

  /** Writes every row recorded before the call (and any leftovers) to the store. */
  flush(): Promise<void> {
    const flushed = this.running.then(() => this.flushOnce());
    this.running = flushed.catch(() => undefined);
    return flushed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.flush();
    } finally {
      // Whatever could not be flushed stays in the journal's files for the next writer.
      this.journal.close();
    }
  }

  /** Seals the current segment (throws if a new one cannot be made: then the current one stays). */
  private seal(keepRows: boolean): void {
    const path = this.journal.rotate();
    if (path === undefined) return;
    this.sealed.push({ path, rows: keepRows && !this.insertSegment && !this.queueDropped ? this.queue : undefined, own: true, through: this.recorded });
    this.queue = [];
    this.queued = 0;
    this.queueDropped = false;
  }

  /**
   * A segment reached segmentRows: the flush that would have sealed it is late (the store is slow,
   * down or hanging). Sealed now, its rows are dropped from memory; the flush reads them back.
   */
  private sealFull(): void {
    try {
      this.seal(false);
    } catch (error) {
      // The row is in the journal already; the segment grows until a seal succeeds, on disk only:
      // its rows leave memory now (the flush reads them back), or a store that stays down while
      // the seals keep failing (no file descriptors, no room) would grow the heap without end.
      this.queue = [];
      this.queueDropped = true;
      this.onError(new Error(`sealing a full journal segment failed (retried in ${SEAL_RETRY_ROWS} rows): ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private async flushOnce(): Promise<void> {
    // A segment that cannot be sealed (no space for the next file) must not keep the ones sealed
    // before from the store: they are flushed, and the flush then fails with the sealing's error.
    let sealFailure: unknown;
    try {
      this.seal(true);
    } catch (error) {
      sealFailure = error;
    }
    try {
      while (this.sealed.length > 0) {
        const segment = this.sealed[0] as SealedSegment;
        let rejectedLines = 0;
        let refused: RefusedRow[] = [];
        // With a segment reader, own segments keep no rows in memory (seal): the store reads the file.
        if (segment.own && this.insertSegment) {
          ({ rejectedLines, refused } = await this.insertSegment(segment.path, this.batchRows));
        } else {
          let rows = segment.rows;
          if (rows === undefined) ({ rows, rejectedLines } = readSegment(segment.path));
          refused = await insertSettingAside((batch) => this.store.insertBatch(batch), rows, this.batchRows);
        }
        if (refused.length > 0) this.keepRefused(segment.path, refused);
        if (rejectedLines > 0) {
          const kept = this.journal.setAside(segment.path);
          this.onError(new Error(`${rejectedLines} unreadable line(s) in ${segment.path}; the valid rows were stored and the file kept as ${kept}`));
        } else {
          this.journal.remove(segment.path);
        }
        if (segment.through !== undefined) this.stored = segment.through;
        this.sealed.shift();
      }
      if (sealFailure !== undefined) throw sealFailure;
    } catch (error) {
      // Free the memory of rows that are safe on disk: a long outage must not grow the heap.
      for (const segment of this.sealed) segment.rows = undefined;
      throw error;
    }
  }

  /** Writes refused rows next to their segment (<segment>.refused), for a person to look at, and says so. */
  private keepRefused(segmentPath: string, refused: RefusedRow[]): void {
    const kept = this.journal.writeRefused(segmentPath, refused.map(({ row }) => `${journalLine(row)}\n`).join(""));
    const first = refused[0] as RefusedRow;
    this.onError(
      new Error(`the store refused ${refused.length} row(s) of ${segmentPath} (first ${first.row.request_id}: ${first.reason}); they are kept in ${kept}, the segment's other rows are stored`),
    );
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.backgroundFlush();
    }, delayMs);
    // The journal already holds every row: a pending flush need not keep the process alive.
    this.timer.unref();
  }

  private async backgroundFlush(): Promise<void> {
    if (this.backgroundFlushing) return;
    this.backgroundFlushing = true;
    try {
      await this.flush();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      const pending = this.sealed.length;
      this.onError(new Error(`flushing the ledger failed (attempt ${this.failures}; ${pending} journal segment(s) kept and retried): ${error instanceof Error ? error.message : String(error)}`));
    } finally {
      this.backgroundFlushing = false;
    }
    if (this.queued > 0 || this.sealed.length > 0) {
      const delay =
        this.failures > 0
          ? Math.min(this.flushIntervalMs * 2 ** this.failures, MAX_RETRY_DELAY_MS)
          : this.queued >= this.batchRows
            ? 0
            : this.flushIntervalMs;
      this.schedule(delay);
    }
  }
}

/** For ledgers opened without a journal (reports, key administration): recording is a mistake there. */
export const noJournalWriter: LedgerWriter = {
  record(): never {
    throw new Error("this ledger was opened without a journal (journal: false); it cannot record rows");
  },
  storedRows() {
    return 0;
  },
  async flush() {},
  async close() {},
};
