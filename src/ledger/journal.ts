/**
 * The write-ahead journal in front of the ledger store: rows as JSON lines in segment files.
 *
 * A row is appended with one writeSync, so it is in the kernel before LedgerWriter.record returns
 * and survives a kill -9 of the process (with `fsync`, a power loss too). The writer rotates to a
 * fresh segment before each flush, so appends never wait for the database, and deletes a sealed
 * segment once its rows are committed. Segments left by a dead process are replayed on start.
 * One process owns a journal directory at a time (writer.lock holds its pid).
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { LedgerRow } from "./ledger.js";
import { checkRow, ledgerRowSchema } from "./row-schema.js";

const SEGMENT = /^segment-\d+-\d+-\d+\.jsonl$/;
/** Per process, not per journal: two journals opened in one millisecond must not pick the same name. */
let segmentCounter = 0;
const LOCK_FILE = "writer.lock";

export class JournalInUseError extends Error {
  override readonly name = "JournalInUseError";
}

export interface JournalOptions {
  /** fdatasync after every append: survives power loss, at the cost of a disk flush per row. */
  fsync?: boolean;
}

export class Journal {
  private fd: number;
  private path: string;
  private bytes = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    /** Segments a previous process left behind, oldest first: replay them. */
    readonly leftovers: string[],
    private readonly options: JournalOptions,
  ) {
    ({ fd: this.fd, path: this.path } = this.openSegment());
  }

  static open(dir: string, options: JournalOptions = {}): Journal {
    mkdirSync(dir, { recursive: true });
    takeLock(dir);
    const leftovers = readdirSync(dir)
      .filter((name) => SEGMENT.test(name))
      .sort(bySegmentOrder)
      .map((name) => join(dir, name));
    return new Journal(dir, leftovers, options);
  }

  /** Appends one line; returns only once all of it is in the kernel (or throws, e.g. disk full). */
  append(line: string): void {
    if (this.closed) throw new Error("the ledger journal is closed");
    // The string goes to write(2) directly (no Buffer copy); a short write, which a regular file
    // gives only in trouble (disk nearly full), is finished from a Buffer.
    const length = Buffer.byteLength(line, "utf8");
    let offset = writeSync(this.fd, line, null, "utf8");
    if (offset < length) {
      const buffer = Buffer.from(line, "utf8");
      while (offset < length) offset += writeSync(this.fd, buffer, offset, length - offset);
    }
    if (this.options.fsync) fdatasyncSync(this.fd);
    this.bytes += length;
  }

  /** Seals the current segment and starts a new one; returns the sealed path, or undefined if it was empty. */
  rotate(): string | undefined {
    if (this.bytes === 0) return undefined;
    const sealed = this.path;
    closeSync(this.fd);
    ({ fd: this.fd, path: this.path } = this.openSegment());
    return sealed;
  }

  /** A sealed segment whose rows are all in the store. */
  remove(path: string): void {
    rmSync(path, { force: true });
  }

  /** Keeps a segment with unreadable lines out of future replays, for a person to look at. */
  setAside(path: string): string {
    const rejected = `${path}.rejected`;
    renameSync(path, rejected);
    return rejected;
  }

  /** Closes the current segment (removing it if empty: a non-empty one is replayed next time) and unlocks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.bytes === 0) rmSync(this.path, { force: true });
    rmSync(join(this.dir, LOCK_FILE), { force: true });
  }

  private openSegment(): { fd: number; path: string } {
    segmentCounter += 1;
    this.bytes = 0;
    const path = join(this.dir, `segment-${Date.now()}-${process.pid}-${segmentCounter}.jsonl`);
    const fd = openSync(path, "wx");
    if (this.options.fsync) syncDirectory(this.dir);
    return { fd, path };
  }
}

export interface SegmentContents {
  rows: LedgerRow[];
  /** Complete lines that are not a valid row (a torn last line from a killed append is not counted). */
  rejectedLines: number;
}

export function readSegment(path: string): SegmentContents {
  const lines = readFileSync(path, "utf8").split("\n");
  // Text after the last newline is an append the process did not finish: record() never returned it.
  const torn = lines.pop() ?? "";
  const rows: LedgerRow[] = [];
  let rejectedLines = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    const row = parseRow(line);
    if (row) rows.push(row);
    else rejectedLines += 1;
  }
  const tail = torn.length > 0 ? parseRow(torn) : undefined;
  if (tail) rows.push(tail);
  return { rows, rejectedLines };
}

function parseRow(line: string): LedgerRow | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = ledgerRowSchema.safeParse(value);
  if (!parsed.success) return undefined;
  // A row no store could hold (a journal written before checkRow refused it) is set aside, not retried forever.
  try {
    checkRow(parsed.data);
  } catch {
    return undefined;
  }
  return parsed.data;
}

/** segment-<ms>-<pid>-<n>: by time, then pid, then counter (n is not zero-padded). */
function bySegmentOrder(a: string, b: string): number {
  const left = a.match(/\d+/g)?.map(Number) ?? [];
  const right = b.match(/\d+/g)?.map(Number) ?? [];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const order = (left[index] ?? 0) - (right[index] ?? 0);
    if (order !== 0) return order;
  }
  return 0;
}

function takeLock(dir: string): void {
  const lockPath = join(dir, LOCK_FILE);
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(lockPath, "utf8").trim());
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (holder !== undefined && Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new JournalInUseError(
      `ledger journal ${dir} is in use by process ${holder}; give each gateway process its own journal directory`,
    );
  }
  writeFileSync(lockPath, `${process.pid}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
