import { test } from "node:test";
import assert from "node:assert/strict";
import { ThreadClient } from "../../src/ledger/sqlite/thread-client.js";

type Call = { index: number; fail?: boolean; uncloneable?: boolean };
type Answer = { index: number; overlapped: boolean };

test("serveCalls answers an async handler's calls one at a time, in order; a failed or unsendable answer fails only its own call", async () => {
  const client = new ThreadClient<Call, Answer>(new URL("./ordered-worker.js", import.meta.url), undefined, "test");
  try {
    const settled: number[] = [];
    const calls = Array.from({ length: 8 }, (_, index) => {
      const payload: Call = { index, ...(index === 3 ? { fail: true } : {}), ...(index === 5 ? { uncloneable: true } : {}) };
      return client.call(payload).finally(() => settled.push(index));
    });
    const results = await Promise.allSettled(calls);
    // Earlier calls sleep longer: run side by side, the later ones would finish first.
    assert.deepEqual(settled, [0, 1, 2, 3, 4, 5, 6, 7]);
    for (const [index, result] of results.entries()) {
      if (index === 3) assert.ok(result.status === "rejected" && /call 3 failed/.test(String(result.reason)) && (result.reason as Error).name === "RangeError");
      else if (index === 5) assert.ok(result.status === "rejected" && /could not be cloned/.test(String(result.reason)), String(result.status === "rejected" ? result.reason : "fulfilled"));
      else assert.deepEqual(result, { status: "fulfilled", value: { index, overlapped: false } });
    }
  } finally {
    await client.close();
  }
});
