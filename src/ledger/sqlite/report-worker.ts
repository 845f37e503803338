/**
 * The worker thread behind spend reports and keys' budget spend on a SQLite file: its own
 * connection, so a query over hundreds of thousands of rows (about 3 µs a row) never holds the
 * gateway's event loop. Calls are answered in order: a key's first budget check of the month waits
 * behind a report already running, but no other request does.
 */
import type { SpendGroup, SpendQuery } from "../ledger.js";
import { openSqlite } from "./connection.js";
import { keysSpend, spend } from "./spend.js";
import { serveCalls } from "./thread-client.js";

export interface ReportWorkerSetup {
  path: string;
}

export type ReportCall = { spend: SpendQuery } | { keysSpend: { keyIds: string[]; from: number } };
export type ReportResult = SpendGroup[] | Map<string, string>;

serveCalls<ReportWorkerSetup, ReportCall, ReportResult>((setup) => {
  const database = openSqlite(setup.path, { mustExist: true });
  return (call) => ("spend" in call ? spend(database, call.spend) : keysSpend(database, call.keysSpend.keyIds, call.keysSpend.from));
});
