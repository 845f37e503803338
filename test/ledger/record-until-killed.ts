/**
 * The child process of kill-nine.test.ts: records ledger rows as fast as it can and prints each
 * request_id after record() returned, until it is killed. `node --test dist/test/` loads every file
 * under test/, so without its environment variable this file does nothing.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { openLedger, type LedgerConfig } from "../../src/ledger/open-ledger.js";
import { loadRow } from "./sample-rows.js";

export const CHILD_ENVIRONMENT = "SWITCHYARD_LEDGER_KILL_CHILD";

const setup = process.env[CHILD_ENVIRONMENT];
if (setup) {
  const { config, prefix } = JSON.parse(setup) as { config: LedgerConfig; prefix: string };
  const ledger = await openLedger(config);
  process.stdout.write("ready\n");
  for (let index = 0; ; index += 1) {
    ledger.writer.record(loadRow(prefix, index));
    process.stdout.write(`${prefix}-${index}\n`);
    // Let the background flush run now and then, as it would between a gateway's requests.
    if (index % 50 === 49) await yieldToEventLoop();
  }
}
