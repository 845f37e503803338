/**
 * A journal segment's text as rows: the line loop shared by readSegment (journal.ts) and the
 * SQLite insert thread. A module with no imports but a type, so that the thread loads neither the
 * row schema (zod) nor the journal's file code.
 */
import type { LedgerRow } from "./ledger.js";

export interface SegmentContents {
  rows: LedgerRow[];
  /** Complete lines that are not a valid row (a torn last line from a killed append is not counted). */
  rejectedLines: number;
}

/**
 * The rows of a segment's text, each line read by `parse` (undefined: not a row, and counted).
 * Text after the last newline is an append its process did not finish (record() threw, or the
 * process was killed): kept if it is a whole row (that request was served; counting it errs
 * towards the truth), never counted as rejected. `beforeLine(n)` runs before the n-th non-empty
 * line, from 0 (the insert thread pauses there).
 */
export function segmentRows(text: string, parse: (line: string) => LedgerRow | undefined, beforeLine?: (index: number) => void): SegmentContents {
  const lines = text.split("\n");
  const torn = lines.pop() ?? "";
  const rows: LedgerRow[] = [];
  let rejectedLines = 0;
  let index = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    beforeLine?.(index);
    index += 1;
    const row = parse(line);
    if (row) rows.push(row);
    else rejectedLines += 1;
  }
  const tail = torn.length > 0 ? parse(torn) : undefined;
  if (tail) rows.push(tail);
  return { rows, rejectedLines };
}
