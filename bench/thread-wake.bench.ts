/**
 * npm run bench:thread-wake — how long an event loop waits for its core while a background thread
 * of the same process works on that core: the question behind the ledger insert thread's steps and
 * pauses (src/ledger/sqlite/insert-worker.ts).
 *
 * A server process pinned to CPU 1 echoes UDP datagrams on its event loop; a worker thread of it
 * sleeps PERIOD ms, then works BURST ms, over and over (the insert thread's pattern: a flush every
 * 50 ms). A client pinned to CPU 0 sends 1,000 datagrams per second and measures each round trip. The worker runs:
 *   idle-thread  — no worker work at all (the baseline);
 *   nice10       — each burst in one go, at nice 10 (what the insert thread did before);
 *   steps        — the same work in 0.1 ms steps with a 0.05 ms sleep between them, at nice 10 (now);
 *   sched-idle   — each burst in one go, under SCHED_IDLE (`chrt --idle`; skipped without chrt);
 *   batch        — each burst in one go, at nice 10 under SCHED_BATCH (`chrt --batch`: a woken
 *                  thread does not preempt the running one);
 *   batch-steps  — the steps of `steps`, at nice 10 under SCHED_BATCH.
 * Flags: --seconds S (per mode, default 10)  --burst MS (default 2)  --period MS (default 100)
 *        --rounds N (modes alternate, default 2)  --modes a,b (default all)  --json
 */
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, workerData } from "node:worker_threads";
import { lowerThreadPriority, pause, THREAD_NICE, threadId } from "../src/ledger/sqlite/thread-steps.js";
import { benchFlags, flagError, numberFlag, wholeFlag } from "./gateway/flags.js";
import { percentile, table } from "./gateway/stats.js";

/**
 * How long one of the insert thread's steps takes (an 8-row statement, or LINES_PER_STEP parsed
 * lines): an estimate from docs/BENCHMARKS.md, not a setting; the thread's real steps are counted
 * in rows and lines.
 */
const STEP_MS = 0.1;

type Mode = "idle-thread" | "nice10" | "steps" | "sched-idle" | "batch" | "batch-steps";
const MODES: readonly Mode[] = ["idle-thread", "nice10", "steps", "sched-idle", "batch", "batch-steps"];
interface WorkerSetup {
  mode: Mode;
  burstMs: number;
  periodMs: number;
}

if (!isMainThread) runWorker(workerData as WorkerSetup);
else if (process.argv[2] === "--serve") void serve();
else await main();

/** The background thread: sleeps PERIOD ms, then works BURST ms, as its mode says. */
function runWorker(setup: WorkerSetup): void {
  // The insert thread's own settings (src/ledger/sqlite/thread-steps.ts): nice, step and pause.
  if (setup.mode === "sched-idle") execFileSync("chrt", ["--idle", "-p", "0", String(threadId())]);
  else lowerThreadPriority(THREAD_NICE);
  if (setup.mode === "batch" || setup.mode === "batch-steps") execFileSync("chrt", ["--batch", "-p", "0", String(threadId())]);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  for (;;) {
    Atomics.wait(cell, 0, 0, setup.periodMs);
    if (setup.mode === "idle-thread") continue;
    if (setup.mode === "steps" || setup.mode === "batch-steps") {
      const steps = Math.max(1, Math.round(setup.burstMs / STEP_MS));
      for (let step = 0; step < steps; step += 1) {
        if (step > 0) pause();
        spin(STEP_MS);
      }
    } else spin(setup.burstMs);
  }
}

/** The server process: a UDP echo on the event loop, the worker beside it; prints its port. */
async function serve(): Promise<void> {
  const setup = JSON.parse(process.argv[3] ?? "{}") as WorkerSetup;
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: setup });
  worker.on("error", (error) => {
    process.stderr.write(`thread-wake: the ${setup.mode} worker failed: ${error.message}\n`);
    process.exit(1);
  });
  const socket = createSocket("udp4");
  socket.on("message", (message, from) => socket.send(message, from.port, from.address));
  socket.bind(0, "127.0.0.1", () => process.stdout.write(`${socket.address().port}\n`));
  process.stdin.on("end", () => {
    void worker.terminate();
    socket.close();
  });
  process.stdin.resume();
}

/** The modes to run: --modes a,b (any of MODES), else all; the chrt modes only where chrt may set their policy. */
function modeList(flag: string | undefined): Mode[] {
  const asked = flag === undefined ? [...MODES] : flag.split(",").map((name) => name.trim());
  const unknown = asked.filter((name) => !(MODES as readonly string[]).includes(name));
  if (unknown.length > 0) flagError(`--modes: unknown mode ${unknown.join(", ")}; the modes are ${MODES.join(", ")}`);
  return (asked as Mode[]).filter((mode) => {
    const policy = mode === "sched-idle" ? "--idle" : mode === "batch" || mode === "batch-steps" ? "--batch" : undefined;
    return policy === undefined || policyAvailable(policy, mode);
  });
}

/** Whether this process may put a thread under a scheduling policy (chrt installed, and allowed): tried on a throwaway child. */
function policyAvailable(policy: "--idle" | "--batch", mode: Mode): boolean {
  try {
    execFileSync("chrt", [policy, "0", "true"], { stdio: "ignore" });
    return true;
  } catch {
    process.stderr.write(`thread-wake: \`chrt ${policy}\` is not available here; the ${mode} mode is skipped\n`);
    return false;
  }
}

async function measure(setup: WorkerSetup, seconds: number): Promise<number[]> {
  const server = spawn("taskset", ["-c", "1", process.execPath, fileURLToPath(import.meta.url), "--serve", JSON.stringify(setup)], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => server.once("exit", resolve));
  const port = await Promise.race([
    new Promise<number>((resolve) => server.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())))),
    exited.then((code) => Promise.reject(new Error(`the ${setup.mode} echo server exited (${code}) before it listened`))),
  ]);
  const socket = createSocket("udp4");
  const roundTrips: number[] = [];
  socket.on("message", (message) => roundTrips.push(Number(process.hrtime.bigint() - message.readBigUInt64BE(0)) / 1e6));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  // A second of warm-up, then the measured seconds.
  const sends = (seconds + 1) * 1000;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      const datagram = Buffer.alloc(8);
      datagram.writeBigUInt64BE(process.hrtime.bigint());
      socket.send(datagram, port, "127.0.0.1");
      sent += 1;
      if (sent === 1000) roundTrips.length = 0;
      if (sent >= sends) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.close();
  const diedEarly = server.exitCode !== null;
  server.stdin.end();
  const code = await exited;
  if (diedEarly || roundTrips.length === 0) throw new Error(`the ${setup.mode} echo server exited (${code}) during the measurement`);
  return roundTrips;
}

async function main(): Promise<void> {
  const { values } = benchFlags({ options: { seconds: { type: "string" }, burst: { type: "string" }, period: { type: "string" }, rounds: { type: "string" }, modes: { type: "string" }, json: { type: "boolean" } } });
  const seconds = numberFlag("seconds", values.seconds, 10);
  const burstMs = numberFlag("burst", values.burst, 2);
  const periodMs = numberFlag("period", values.period, 100);
  const rounds = wholeFlag("rounds", values.rounds, 2);
  const modes = modeList(values.modes);
  // This process is the client: pin it to CPU 0 (the server gets CPU 1). After the flags: a bad
  // flag is reported without taskset.
  execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  const results: { mode: Mode; round: number; count: number; p50: number; p99: number; p999: number; max: number }[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const mode of modes) {
      process.stderr.write(`round ${round}/${rounds}: ${mode} (${seconds} s)\n`);
      const roundTrips = (await measure({ mode, burstMs, periodMs }, seconds)).sort((a, b) => a - b);
      results.push({ mode, round, count: roundTrips.length, p50: percentile(roundTrips, 0.5), p99: percentile(roundTrips, 0.99), p999: percentile(roundTrips, 0.999), max: roundTrips.at(-1) ?? Number.NaN });
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ seconds, burst_ms: burstMs, period_ms: periodMs, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`UDP echo round trips (ms) from CPU 0 to an event loop on CPU 1, while a worker thread there works ${burstMs} ms every ${periodMs} ms\n`);
  const rows = results.map((result) => [result.mode, String(result.round), String(result.count), result.p50.toFixed(3), result.p99.toFixed(3), result.p999.toFixed(3), result.max.toFixed(2)]);
  process.stdout.write(`${table(["worker", "round", "echoes", "p50", "p99", "p99.9", "max"], rows)}\n`);
}
