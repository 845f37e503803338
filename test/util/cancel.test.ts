/** The per-request cancellation token. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Cancel, cancelAfter, sleepUnlessCancelled } from "../../src/util/cancel.js";

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

test("abortAfter aborts with the reason after the delay, unless cleared first", async () => {
  const timed = new Cancel();
  timed.abortAfter(5, "deadline");
  const cleared = new Cancel();
  cleared.abortAfter(5, "deadline")();
  await sleep(30);
  assert.equal(timed.reason?.message, "deadline");
  assert.equal(cleared.aborted, false);
});

test("sleepUnlessCancelled waits the full time, or ends as soon as the token aborts", async () => {
  const started = performance.now();
  await sleepUnlessCancelled(20, new Cancel());
  assert.ok(performance.now() - started >= 19);
  const cancel = new Cancel();
  const cut = performance.now();
  setTimeout(() => cancel.abort(new Error("client disconnected")), 5);
  await sleepUnlessCancelled(10_000, cancel);
  assert.ok(performance.now() - cut < 5_000, "ended on the abort, not after 10 s");
});

test("abortWhenSilent: each touch restarts the wait, hold stops it until the next touch, clear ends it", async () => {
  const cancel = new Cancel();
  const silence = cancel.abortWhenSilent(400, "silent");
  for (let index = 0; index < 4; index += 1) {
    await sleep(50);
    silence.touch();
  }
  assert.equal(cancel.aborted, false, "touched every 50 ms: never 400 ms of silence");
  silence.hold();
  await sleep(800);
  assert.equal(cancel.aborted, false, "held: the wait is not the silence being timed");
  silence.touch();
  await sleep(1_200);
  assert.equal(cancel.aborted, true, "touched again, then silent");
  assert.equal(cancel.reason?.message, "silent");
  const other = new Cancel();
  other.abortWhenSilent(30, "x").clear();
  await sleep(100);
  assert.equal(other.aborted, false);
});
