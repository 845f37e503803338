/** The benchmark's per-thread scheduler reading (bench/gateway/processes.ts threadTimes), on this process. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { threadTimes } from "../../bench/gateway/processes.js";

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test("threadTimes splits the main thread's run and wait times from every other thread's run time", { skip: process.platform !== "linux" && "needs /proc" }, async () => {
  const before = threadTimes(process.pid);
  assert.ok(before);
  spin(60);
  // A worker that spins for 80 ms: its time counts as "other threads", not the main thread's.
  const worker = new Worker("const until = performance.now() + 80; while (performance.now() < until); require('node:worker_threads').parentPort.postMessage('done'); setInterval(() => {}, 1000);", { eval: true });
  await new Promise((resolve) => worker.once("message", resolve));
  const after = threadTimes(process.pid);
  await worker.terminate();
  assert.ok(after);
  assert.ok(after.mainRunMs - before.mainRunMs >= 50, `main thread ran ${after.mainRunMs - before.mainRunMs} ms`);
  assert.ok(after.otherRunMs - before.otherRunMs >= 70, `other threads ran ${after.otherRunMs - before.otherRunMs} ms`);
  assert.ok(after.mainWaitMs >= before.mainWaitMs);
  assert.equal(threadTimes(2 ** 22 + 12345), undefined, "no such process");
});
