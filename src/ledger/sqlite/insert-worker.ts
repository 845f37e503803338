/**
 * The worker thread behind sqlite/insert-thread.ts: its own connection to the ledger file, running
 * each batch it is sent as one transaction. better-sqlite3 is synchronous, so inserts (and the WAL
 * checkpoints they trigger, tens of ms) would otherwise stop the gateway's event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { LedgerRow } from "../ledger.js";
import { openSqlite } from "./connection.js";
import { prepareInsert } from "./rows.js";

export interface InsertWorkerSetup {
  path: string;
  synchronous: "NORMAL" | "FULL";
}

export interface InsertRequest {
  id: number;
  /** The batch as a JSON array: cheaper to make and to pass than a structured clone of the rows. */
  rows: string;
}

export interface InsertReply {
  id: number;
  error?: { name: string; message: string };
}

const port = parentPort;
if (port) {
  const setup = workerData as InsertWorkerSetup;
  const database = openSqlite(setup.path, { synchronous: setup.synchronous, mustExist: true });
  const insert = prepareInsert(database);
  port.on("message", (request: InsertRequest) => {
    let reply: InsertReply;
    try {
      insert(JSON.parse(request.rows) as LedgerRow[]);
      reply = { id: request.id };
    } catch (error) {
      reply = { id: request.id, error: error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) } };
    }
    port.postMessage(reply);
  });
}
