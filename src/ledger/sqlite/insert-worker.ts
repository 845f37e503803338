/**
 * The worker thread behind the store's inserts: its own connection to the ledger file, running each
 * batch it is sent (as a JSON array: cheaper to make and pass than a structured clone) in one transaction.
 */
import type { LedgerRow } from "../ledger.js";
import { openSqlite } from "./connection.js";
import { prepareInsert } from "./rows.js";
import { serveCalls } from "./thread-client.js";

export interface InsertWorkerSetup {
  path: string;
  synchronous: "NORMAL" | "FULL";
}

serveCalls<InsertWorkerSetup, string, null>((setup) => {
  const insert = prepareInsert(openSqlite(setup.path, { synchronous: setup.synchronous, mustExist: true }));
  return (rows) => {
    insert(JSON.parse(rows) as LedgerRow[]);
    return null;
  };
});
