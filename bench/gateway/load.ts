/**
 * The load generator: undici keep-alive Pools in the benchmark process.
 *
 * - openLoop: requests scheduled at a fixed rate whatever the answers do; each latency is measured
 *   from the request's scheduled send time (not from when it actually left), so a server that
 *   stalls is charged for the queue it causes (no coordinated omission).
 * - closedLoop: N workers, each sending its next request when the previous one has ended: the
 *   saturation throughput, with the CPU time of the processes read over the measured window.
 */
import { performance } from "node:perf_hooks";
import { Pool, type Dispatcher } from "undici";

export interface Target {
  name: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
}

/** Milliseconds, each from the request's scheduled send time. */
export interface Sample {
  /** To the first byte of the body (streaming: the first SSE event). */
  firstByte: number;
  /** To the end of the body. */
  total: number;
  /** When the request actually left (the generator's own lag). */
  lag: number;
}

export interface Failure {
  status: number | string;
  detail: string;
}

export function requestBody(model: string, stream: boolean, maxTokens: number): string {
  return JSON.stringify({
    model,
    max_tokens: maxTokens,
    stream,
    system: "You are a concise assistant. Answer in plain text.",
    messages: [
      {
        role: "user",
        content:
          "A gateway benchmark sends this message many times. It asks for a short answer about railway switchyards: " +
          "how are freight cars sorted into trains, what is a hump yard, and why do yards need so many parallel tracks?",
      },
    ],
  });
}

const completed = new Map<string, number>();

/** Successful (200, body read to the end) requests sent to a target so far, warm-ups and smoke tests included. */
export function completedCount(target: string): number {
  return completed.get(target) ?? 0;
}

export function noteCompleted(target: string): void {
  completed.set(target, (completed.get(target) ?? 0) + 1);
}

export function makePool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
}

/**
 * Sends one request; `scheduled` is the performance.now() it was due at. Through undici's
 * low-level `dispatch` (no Readable body, no async iteration): the load generator shares a core
 * with the emulator, and every microsecond it spends is one the emulator cannot (decision 0009).
 */
function send(pool: Pool, target: Target, body: string, scheduled: number): Promise<Sample | Failure> {
  const sent = performance.now();
  return new Promise((resolve) => {
    let status = 0;
    let first = -1;
    let errorText = "";
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData(chunk) {
        if (first < 0) first = performance.now();
        if (status !== 200 && errorText.length < 4096) errorText += chunk.toString("utf8");
        return true;
      },
      onComplete() {
        const end = performance.now();
        if (status !== 200) resolve({ status, detail: errorText.slice(0, 300) });
        else if (first < 0) resolve({ status: "empty", detail: "200 with an empty body" });
        else {
          noteCompleted(target.name);
          resolve({ firstByte: first - scheduled, total: end - scheduled, lag: sent - scheduled });
        }
      },
      onError(error) {
        resolve({ status: "error", detail: error.message });
      },
    };
    pool.dispatch({ path: target.path, method: "POST", headers: target.headers, body }, handler);
  });
}

function isFailure(result: Sample | Failure): result is Failure {
  return "status" in result;
}

export interface RunResult {
  /** Latency samples of the measured window (warm-up excluded). */
  samples: Sample[];
  failures: Failure[];
  sent: number;
  /** Wall seconds of the measured window. */
  seconds: number;
}

export interface OpenLoopOptions {
  rate: number;
  warmupMs: number;
  durationMs: number;
}

/**
 * The open-loop clock: slot i is due at start + i / rate; a 1 ms timer starts every slot that is
 * due (Node timers cannot wait less than 1 ms, so a slot may start up to ~1 ms late: `lag`, which is
 * counted in its latency, the same for every target). Resolves when every slot's work has ended.
 */
async function fixedRateSlots(options: OpenLoopOptions, startSlot: (index: number, scheduled: number) => Promise<void>): Promise<void> {
  const interval = 1000 / options.rate;
  const total = warmupCountOf(options) + measuredCountOf(options);
  const pending: Promise<void>[] = [];
  const start = performance.now() + 2;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        pending.push(startSlot(next, start + next * interval));
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
}

/** Slots of the warm-up, whose results are dropped, and of the measured window. */
export function warmupCountOf(options: OpenLoopOptions): number {
  return Math.round((options.warmupMs / 1000) * options.rate);
}

function measuredCountOf(options: OpenLoopOptions): number {
  return Math.round((options.durationMs / 1000) * options.rate);
}

/** Open loop: one request per slot; latency from the slot's scheduled time (no coordinated omission). Ends when every request has answered. */
export async function openLoop(pool: Pool, target: Target, body: string, options: OpenLoopOptions): Promise<RunResult> {
  const samples: Sample[] = [];
  const failures: Failure[] = [];
  const warmupCount = warmupCountOf(options);
  await fixedRateSlots(options, (index, scheduled) =>
    send(pool, target, body, scheduled).then((result) => {
      if (index < warmupCount) return;
      if (isFailure(result)) failures.push(result);
      else samples.push(result);
    }),
  );
  return { samples, failures, sent: measuredCountOf(options), seconds: options.durationMs / 1000 };
}

export interface PairedRunResult {
  /** Slots where both requests succeeded: each side's sample, from the slot's one scheduled time. */
  pairs: Array<{ direct: Sample; gateway: Sample }>;
  /** Failures of either side (a slot with one is not a pair). */
  failures: Array<Failure & { side: "direct" | "gateway" }>;
  /** Slots in the measured window. */
  sent: number;
}

/**
 * Paired open loop: every slot sends the same request twice at once, straight to the upstream and
 * through the gateway, so both sides live through the same milliseconds of a machine whose speed
 * moves (steal time, the other core's load, a stall of the load generator). Which of the two is
 * dispatched first alternates from slot to slot. The upstream serves both streams, twice the rate.
 */
export async function pairedOpenLoop(direct: { pool: Pool; target: Target }, gateway: { pool: Pool; target: Target }, body: string, options: OpenLoopOptions): Promise<PairedRunResult> {
  const pairs: PairedRunResult["pairs"] = [];
  const failures: PairedRunResult["failures"] = [];
  const warmupCount = warmupCountOf(options);
  await fixedRateSlots(options, async (index, scheduled) => {
    // Which side is dispatched first alternates from slot to slot.
    const directFirst = index % 2 === 0;
    const first = directFirst ? direct : gateway;
    const second = directFirst ? gateway : direct;
    const sent = [send(first.pool, first.target, body, scheduled), send(second.pool, second.target, body, scheduled)] as const;
    const [directSample, gatewaySample] = await Promise.all(directFirst ? sent : ([sent[1], sent[0]] as const));
    if (index < warmupCount) return;
    if (isFailure(directSample)) failures.push({ ...directSample, side: "direct" });
    if (isFailure(gatewaySample)) failures.push({ ...gatewaySample, side: "gateway" });
    if (!isFailure(directSample) && !isFailure(gatewaySample)) pairs.push({ direct: directSample, gateway: gatewaySample });
  });
  return { pairs, failures, sent: measuredCountOf(options) };
}

export interface ClosedLoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Called at the start and at the end of the measured window (CPU snapshots). */
  onWindow: (edge: "start" | "end") => void;
}

/** Closed loop: `concurrency` workers back to back; counts the requests completed inside the measured window. */
export async function closedLoop(pool: Pool, target: Target, body: string, options: ClosedLoopOptions): Promise<RunResult> {
  const samples: Sample[] = [];
  const failures: Failure[] = [];
  const begin = performance.now();
  const windowStart = begin + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  let started = false;
  let ended = false;
  let measuredSent = 0;
  const startTimer = setTimeout(() => {
    started = true;
    options.onWindow("start");
  }, options.warmupMs);
  const endTimer = setTimeout(() => {
    ended = true;
    options.onWindow("end");
  }, options.warmupMs + options.durationMs);
  const worker = async () => {
    while (performance.now() < windowEnd) {
      const scheduled = performance.now();
      const result = await send(pool, target, body, scheduled);
      const done = performance.now();
      // A request counts if it completed inside the window.
      if (done < windowStart || done > windowEnd) continue;
      measuredSent += 1;
      if (isFailure(result)) failures.push(result);
      else samples.push(result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearTimeout(startTimer);
  clearTimeout(endTimer);
  if (!started) options.onWindow("start");
  if (!ended) options.onWindow("end");
  return { samples, failures, sent: measuredSent, seconds: options.durationMs / 1000 };
}
