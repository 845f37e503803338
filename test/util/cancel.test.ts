/** The per-request cancellation token. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Cancel, cancelAfter } from "../../src/util/cancel.js";

test("abort calls each listener once with the reason; later aborts are ignored", () => {
  const cancel = new Cancel();
  const seen: string[] = [];
  cancel.onAbort((reason) => seen.push(`a:${reason.message}`));
  cancel.onAbort((reason) => seen.push(`b:${reason.message}`));
  cancel.abort(new Error("client disconnected"));
  cancel.abort(new Error("deadline"));
  assert.deepEqual(seen, ["a:client disconnected", "b:client disconnected"]);
  assert.equal(cancel.aborted, true);
  assert.equal(cancel.reason?.message, "client disconnected");
});

test("a listener added after the abort runs at once; a removed one never runs", () => {
  const cancel = new Cancel();
  const seen: string[] = [];
  const remove = cancel.onAbort(() => seen.push("removed"));
  remove();
  remove(); // twice is harmless
  cancel.abort(new Error("deadline"));
  cancel.onAbort((reason) => seen.push(`late:${reason.message}`));
  assert.deepEqual(seen, ["late:deadline"]);
});

test("cancelAfter aborts by itself, and clear() stops it", async () => {
  const fires = cancelAfter(5);
  const cleared = cancelAfter(5);
  cleared.clear();
  await sleep(30);
  assert.equal(fires.cancel.aborted, true);
  assert.match(fires.cancel.reason?.message ?? "", /deadline of 5 ms/);
  assert.equal(cleared.cancel.aborted, false);
});
