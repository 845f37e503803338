/**
 * A worker for the serveCalls test: an async handler that waits a few milliseconds (longer for
 * earlier calls) and says whether another call was running meanwhile. Run as a test file by
 * `node --test` (it lives under test/), it does nothing: there is no parent port.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { serveCalls } from "../../src/ledger/sqlite/thread-client.js";

let running = 0;
serveCalls<undefined, { index: number; fail?: boolean; uncloneable?: boolean }, { index: number; overlapped: boolean } | { index: number; send: () => void }>(() => async (call) => {
  running += 1;
  const overlapped = running > 1;
  try {
    await sleep(Math.max(0, 8 - call.index));
    if (call.fail) throw new RangeError(`call ${call.index} failed`);
    if (call.uncloneable) return { index: call.index, send: () => undefined };
    return { index: call.index, overlapped };
  } finally {
    running -= 1;
  }
});
