/**
 * The worker thread behind spend reports on a SQLite file: its own connection, so a report over
 * hundreds of thousands of rows (about 3 µs a row) never holds the gateway's event loop.
 */
import type { SpendGroup, SpendQuery } from "../ledger.js";
import { openSqlite } from "./connection.js";
import { spend } from "./spend.js";
import { serveCalls } from "./thread-client.js";

export interface ReportWorkerSetup {
  path: string;
}

serveCalls<ReportWorkerSetup, SpendQuery, SpendGroup[]>((setup) => {
  const database = openSqlite(setup.path, { mustExist: true });
  return (query) => spend(database, query);
});
