/**
 * The worker thread behind the store's inserts: its own connection to the ledger file, running each
 * batch in one transaction. A batch is either a JSON array of rows (cheaper to make and pass than a
 * structured clone) or the path of a journal segment the gateway wrote, which the thread reads
 * itself: then nothing but the path crosses threads.
 */
import { readFileSync } from "node:fs";
import { insertSettingAside, type LedgerRow, type SegmentInsert } from "../ledger.js";
import { segmentRows, type SegmentContents } from "../segment-rows.js";
import { openSqlite } from "./connection.js";
import { prepareInsert } from "./rows.js";
import { serveCalls } from "./thread-client.js";
import { LINES_PER_STEP, lowerThreadPriority, pause } from "./thread-steps.js";

export interface InsertWorkerSetup {
  path: string;
  synchronous: "NORMAL" | "FULL";
}

export type InsertCall = { json: string } | { segment: string; batchRows: number };

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
    return { rejectedLines, refused: await insertSettingAside(insertPausing, rows, call.batchRows) };
  };
});

/**
 * The rows of a segment written by the live writer: each line was checked (checkRow) before it was
 * appended, so parsing is enough (leftovers of a dead process go through readSegment's schema
 * check instead). Lines as readSegment reads them (segmentRows). `pause`, if given, runs after
 * every LINES_PER_STEP lines.
 */
export function parseOwnSegment(text: string, pause?: () => void): SegmentContents {
  const beforeLine = pause ? (index: number) => (index > 0 && index % LINES_PER_STEP === 0 ? pause() : undefined) : undefined;
  return segmentRows(text, parseJsonRow, beforeLine);
}

function parseJsonRow(line: string): LedgerRow | undefined {
  try {
    return JSON.parse(line) as LedgerRow;
  } catch {
    return undefined;
  }
}
