/** The benchmark's per-thread scheduler reading (bench/gateway/processes.ts threadTimes), on this process. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { threadTimes } from "../../bench/gateway/processes.js";

/** Spins until this thread has run `ms` of CPU (wall time would stretch on a busy machine). */
const spinCpu = (ms: number) => {
  const ran = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  const until = ran() + ms;
  while (ran() < until);
};

/** The same, inside a worker: its source is evaluated there. */
const WORKER_SPIN = `
const { readFileSync } = require("node:fs");
const ran = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
const until = ran() + 80;
while (ran() < until);
require("node:worker_threads").parentPort.postMessage("done");
setInterval(() => {}, 1000);
`;

test("threadTimes splits the main thread's run and wait times from every other thread's run time", { skip: process.platform !== "linux" && "needs /proc" }, async () => {
  const before = threadTimes(process.pid);
  assert.ok(before);
  spinCpu(60);
  // A worker that runs 80 ms of CPU: its time counts as "other threads", not the main thread's.
  const worker = new Worker(WORKER_SPIN, { eval: true });
  await new Promise((resolve) => worker.once("message", resolve));
  const after = threadTimes(process.pid);
  await worker.terminate();
  assert.ok(after);
  assert.ok(after.mainRunMs - before.mainRunMs >= 59, `main thread ran ${after.mainRunMs - before.mainRunMs} ms`);
  assert.ok(after.otherRunMs - before.otherRunMs >= 79, `other threads ran ${after.otherRunMs - before.otherRunMs} ms`);
  assert.ok(after.mainWaitMs >= before.mainWaitMs);
  assert.equal(threadTimes(2 ** 22 + 12345), undefined, "no such process");
});

test("threadTimes reads schedstat's fields as run, wait: the main thread's wait, the others' run, a vanished thread skipped", () => {
  const root = mkdtempSync(join(tmpdir(), "switchyard-proc-"));
  try {
    const thread = (tid: number, schedstat?: string) => {
      mkdirSync(join(root, "42", "task", String(tid)), { recursive: true });
      if (schedstat !== undefined) writeFileSync(join(root, "42", "task", String(tid), "schedstat"), schedstat);
    };
    thread(42, "3000000000 250000000 9000\n"); // main: ran 3 s, waited 250 ms, 9,000 timeslices
    thread(43, "700000000 90000000 100\n");
    thread(44, "50000000 1000000 5\n");
    thread(45); // ended between the listing and the read
    assert.deepEqual(threadTimes(42, root), { mainRunMs: 3000, mainWaitMs: 250, otherRunMs: 750 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
