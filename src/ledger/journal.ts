/**
 * The write-ahead journal in front of the ledger store: rows as JSON lines in segment files.
 *
 * A row is appended with one writeSync, so it is in the kernel before LedgerWriter.record returns
 * and survives a kill -9 of the process (with `fsync`, a power loss too). The writer rotates to a
 * fresh segment before each flush, so appends never wait for the database, and deletes a sealed
 * segment once its rows are committed. Segments left by a dead process are replayed on start.
 * One process owns a journal directory at a time (see takeLock).
 */
import Database from "better-sqlite3";
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { errorCode } from "../util/error-code.js";
import type { LedgerRow } from "./ledger.js";
import { checkRow, ledgerRowSchema } from "./row-schema.js";
import { segmentRows, type SegmentContents } from "./segment-rows.js";

const SEGMENT = /^segment-\d+-\d+-\d+\.jsonl$/;
/** Per process, not per journal: two journals opened in one millisecond must not pick the same name. */
let segmentCounter = 0;
/** Held locked by the owner (takeLock); journal.owner says who that is, for people. */
const LOCK_FILE = "journal.lock";
const OWNER_FILE = "journal.owner";
/** Before 2026-11-22 the lock was a file holding the owner's pid. */
const LEGACY_LOCK_FILE = "writer.lock";

export class JournalInUseError extends Error {
  override readonly name = "JournalInUseError";
  constructor(
    message: string,
    /** Who holds it: "another process (pid … on host …, since …)". */
    readonly holder: string,
  ) {
    super(message);
  }
}

export interface JournalOptions {
  /** fdatasync after every append: survives power loss, at the cost of a disk flush per row. */
  fsync?: boolean;
}

export class Journal {
  private fd: number;
  private path: string;
  /** Bytes of whole lines in the current segment: where the next line is written. */
  private bytes = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    /** Segments a previous process left behind, oldest first: replay them. */
    readonly leftovers: string[],
    private readonly options: JournalOptions,
    private readonly lock: Database.Database,
  ) {
    ({ fd: this.fd, path: this.path } = this.openSegment());
  }

  static open(dir: string, options: JournalOptions = {}): Journal {
    mkdirSync(dir, { recursive: true });
    const lock = takeLock(dir);
    try {
      const leftovers = readdirSync(dir)
        .filter((name) => SEGMENT.test(name))
        .sort(bySegmentOrder)
        .map((name) => join(dir, name));
      return new Journal(dir, leftovers, options, lock);
    } catch (error) {
      lock.close();
      throw error;
    }
  }

  /**
   * Appends one line; returns only once all of it is in the kernel, or throws (disk full, file too
   * large) with none of it in the segment: a part already written is cut off again, so the next
   * line does not start in the middle of this one and make both unreadable.
   */
  append(line: string): void {
    if (this.closed) throw new Error("the ledger journal is closed");
    // The string goes to write(2) directly (no Buffer copy); a short write, which a regular file
    // gives only in trouble (disk nearly full), is finished from a Buffer. Each write says where
    // it goes, so a line after a failed one overwrites whatever part of it could not be cut off.
    const length = Buffer.byteLength(line, "utf8");
    try {
      let written = writeSync(this.fd, line, this.bytes, "utf8");
      if (written < length) {
        const buffer = Buffer.from(line, "utf8");
        while (written < length) written += writeSync(this.fd, buffer, written, length - written, this.bytes + written);
      }
      if (this.options.fsync) fdatasyncSync(this.fd);
    } catch (error) {
      this.cutTo(this.bytes);
      throw error;
    }
    this.bytes += length;
  }

  /**
   * Seals the current segment and starts a new one; returns the sealed path, or undefined if it was
   * empty. If the new segment cannot be made, this throws and the current one stays open for appends.
   */
  rotate(): string | undefined {
    if (this.bytes === 0) return undefined;
    const next = this.openSegment();
    const sealed = this.path;
    // Whatever a failed append left past the last whole line goes (best effort; readers skip it anyway).
    this.cutTo(this.bytes);
    closeSync(this.fd);
    ({ fd: this.fd, path: this.path } = next);
    this.bytes = 0;
    return sealed;
  }

  /** A sealed segment whose rows are all in the store. */
  remove(path: string): void {
    rmSync(path, { force: true });
  }

  /**
   * Writes rows a store refused (JSON lines) to <segment>.refused, outside of replays, for a person
   * to look at; with `fsync`, durable before the segment they came from is removed.
   */
  writeRefused(segmentPath: string, lines: string): string {
    const path = `${segmentPath}.refused`;
    writeFileSync(path, lines);
    if (this.options.fsync) {
      syncPath(path);
      syncPath(this.dir);
    }
    return path;
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
    rmSync(join(this.dir, OWNER_FILE), { force: true });
    // The lock file stays: removing it could let two processes lock two different files of that name.
    this.lock.close();
  }

  private cutTo(bytes: number): void {
    try {
      ftruncateSync(this.fd, bytes);
    } catch {
      // The next append overwrites from `bytes` on; a sealed segment's readers skip a torn tail.
    }
  }

  private openSegment(): { fd: number; path: string } {
    segmentCounter += 1;
    const path = join(this.dir, `segment-${Date.now()}-${process.pid}-${segmentCounter}.jsonl`);
    const fd = openSync(path, "wx");
    if (this.options.fsync) syncPath(this.dir);
    return { fd, path };
  }
}

export function readSegment(path: string): SegmentContents {
  return segmentRows(readFileSync(path, "utf8"), parseRow);
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

/**
 * Takes the journal directory for this process, or throws JournalInUseError. The lock is an
 * exclusive SQLite transaction on journal.lock, held open until close(). SQLite takes it with
 * fcntl(2) locks, which the kernel releases when the holder exits, however it exits (kill -9
 * included), so a lock is never stale, and which hold across PID namespaces: two containers
 * sharing a volume, each running the gateway as pid 1, cannot both take it. (A pid written in a
 * file, the lock before, could not tell those two apart, and a second gateway then replayed and
 * deleted the segment the first was still writing.) A second open in the same process is refused
 * too: SQLite knows its own locks. The lock lasts while the Journal is open and reachable: a
 * Journal dropped without close() is collected with its connection, which releases it.
 */
function takeLock(dir: string): Database.Database {
  const lock = tryLock(dir);
  if (lock === undefined) {
    const holder = ownerOf(dir);
    throw new JournalInUseError(`ledger journal ${dir} is in use by ${holder}; give each gateway process its own journal directory`, holder);
  }
  writeFileSync(join(dir, OWNER_FILE), `pid ${process.pid} on host ${hostname()}, since ${new Date().toISOString()}\n`);
  rmSync(join(dir, LEGACY_LOCK_FILE), { force: true });
  return lock;
}

/**
 * Who holds the journal directory now ("another process (pid … on host …, since …)"), or
 * undefined when nobody does (or it does not exist yet). A look, not a claim: takeLock decides.
 */
export function journalHolder(dir: string): string | undefined {
  if (!existsSync(join(dir, LOCK_FILE))) return undefined;
  const lock = tryLock(dir);
  if (lock === undefined) return ownerOf(dir);
  try {
    lock.exec("ROLLBACK");
  } finally {
    lock.close();
  }
  return undefined;
}

/** journal.lock opened in an exclusive transaction, or undefined when another connection holds it. */
function tryLock(dir: string): Database.Database | undefined {
  const lock = new Database(join(dir, LOCK_FILE), { timeout: 0 });
  try {
    lock.exec("BEGIN EXCLUSIVE");
    return lock;
  } catch (error) {
    lock.close();
    if (errorCode(error) === "SQLITE_BUSY") return undefined;
    throw error;
  }
}

function ownerOf(dir: string): string {
  try {
    return `another process (${readFileSync(join(dir, OWNER_FILE), "utf8").trim()})`;
  } catch {
    return "another process";
  }
}

/** fsync a file, or a directory (its entries: a file created or renamed in it). */
function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
