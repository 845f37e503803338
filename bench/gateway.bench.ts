/**
 * npm run bench:gateway — what the gateway adds, against calling the emulator directly and
 * against the open-source Portkey gateway pointed at the same emulator.
 *
 * Separate processes besides this one (the load generator), all on 127.0.0.1: the Anthropic
 * emulator (`switchyard emulate anthropic --profile instant`), `switchyard serve` (pricing and the
 * SQLite ledger on, a real virtual key), Portkey (`build/start-server.js`, installed for the
 * benchmark only in a temp directory) and the floor, a minimal Node proxy. On a machine with 2+
 * cores the gateways get CPU 1 (only the one under test is busy) and this load generator and the
 * emulator share CPU 0 (taskset); --no-pin leaves placement to Linux.
 *
 *  1. fixed rates, open loop (latency from each request's scheduled send time): p50/p99 direct,
 *     via Switchyard, via Portkey, non-streaming (whole response) and streaming (first body byte),
 *     in --rounds interleaved rounds (direct, floor, Switchyard, Portkey, then again): a round's
 *     "added" figures are the gateway minus direct in that round, and the report gives the median
 *     round, with every round's added p99 beside it, and (gw overhead) the overhead_ms of Switchyard's
 *     ledger rows (its time outside the upstream call until the row is built). Switchyard's own event-loop delay over each of
 *     its runs (max and p99, from its /metrics) says how much of a tail happened inside it, and
 *     each gateway's threads (/proc/<pid>/task/<tid>/schedstat) how long its event loop waited for
 *     the pinned core while its other threads ran;
 *  2. paired fixed rates: every scheduled slot sends the request both directly and through a
 *     gateway (Switchyard, and the floor as the control), so the two sides share the same seconds
 *     of the machine; "added" is the gateway's percentile minus direct's over the same slots, and
 *     the per-slot difference (gateway − direct) is given too. Portkey is left out: it cannot keep
 *     up with the rates the goals are set at;
 *  3. saturation, closed loop: requests/s, and CPU per request of each gateway process from
 *     /proc/<pid>/stat → requests/s per core of gateway CPU.
 *
 * Flags: --rates 200,500,1000  --duration S (each rate and round, default 5)  --warmup S (default 2)
 *        --rounds N (fixed-rate rounds, default 3; 1 with --quick; the paired runs take as many)
 *        --paired-rates 1000 (default: the highest of --rates)  --no-paired
 *        --saturation S (default 10)  --concurrency N (default 64)  --max-tokens N (default 64)
 *        --quick (rates 1000, 2.5 s each, no floor, < 60 s)  --no-portkey  --portkey-dir DIR  --no-pin
 *        --floor / --no-floor (the minimal Node proxy of bench/gateway/minimal-proxy.ts, default on)
 *        --profile (node --cpu-prof on the gateways; prints their hottest functions)
 *        --gateway-config="…" (YAML lines added to Switchyard's config, "\n" between lines, e.g.
 *        "warm_up: { requests: 0 }")
 *        --gateway-node-flags="…" (extra node flags for Switchyard only, e.g. "--trace-gc"; its
 *        output is printed at the end)
 *        --json (JSON instead of the tables)  --json-out FILE (the tables, and the JSON into FILE)
 *        --wait-quiet S (before each run, wait up to S seconds, default 30, 0 with --quick, while
 *        other processes use > 0.15 cores; every run reports that "other load" either way)
 *        --retries N (a run that other processes disturbed anyway is measured again, up to N times,
 *        default 3, 0 with --quick; the least disturbed run is kept)
 * docs/BENCHMARKS.md ("Gateway") has the figures; docs/decisions/0009-benchmark-method.md the method.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus as cpuList, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type { Pool } from "undici";
import { summariseProfile, type ProfileSummary } from "./gateway/cpu-profile.js";
import { closedLoop, completedCount, makePool, noteCompleted, openLoop, pairedOpenLoop, requestBody, warmupCountOf, type Target } from "./gateway/load.js";
import { defaultPortkeyDir, ensurePortkey, HONO_NODE_SERVER_OVERRIDE, PORTKEY_VERSION } from "./gateway/portkey.js";
import { cpuSeconds, machineBusySeconds, pinProcess, startEmulator, startMinimalProxy, startPortkey, startSwitchyard, taskset, threadTimes, type Child, type ThreadTimes } from "./gateway/processes.js";
import { benchFlags, configFlag, countFlag, flagList, numberFlag, wholeFlag } from "./gateway/flags.js";
import { distribution, integer, median, ms, signedMs, table, type Distribution } from "./gateway/stats.js";
import { BENCH_ADMIN_KEY, BENCH_ENV, BENCH_MODEL, benchLedgerPath, prepareBenchGateway } from "./gateway/switchyard-setup.js";

const { values } = benchFlags({
  options: {
    rates: { type: "string" },
    "paired-rates": { type: "string" },
    "no-paired": { type: "boolean" },
    rounds: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    saturation: { type: "string" },
    concurrency: { type: "string" },
    "max-tokens": { type: "string" },
    quick: { type: "boolean" },
    "no-portkey": { type: "boolean" },
    floor: { type: "boolean" },
    "no-floor": { type: "boolean" },
    "portkey-dir": { type: "string" },
    "no-pin": { type: "boolean" },
    profile: { type: "boolean" },
    "gateway-node-flags": { type: "string" },
    "gateway-config": { type: "string" },
    "wait-quiet": { type: "string" },
    retries: { type: "string" },
    json: { type: "boolean" },
    "json-out": { type: "string" },
  },
});

const quick = values.quick ?? false;
const rates = (values.rates ?? (quick ? "1000" : "200,500,1000")).split(",").map((rate) => numberFlag("rates", rate.trim(), 1));
/** Rates of the paired runs (direct and through a gateway in the same slots): by default the top rate, the goals' rate. */
const pairedRates = values["no-paired"] ? [] : (values["paired-rates"]?.split(",").map((rate) => numberFlag("paired-rates", rate.trim(), 1)) ?? [Math.max(...rates)]);
const durationMs = numberFlag("duration", values.duration, quick ? 2.5 : 5) * 1000;
/** Fixed-rate rounds: one round's p99 on a shared 2-core machine swings by tens of ms either way. */
const rounds = wholeFlag("rounds", values.rounds, quick ? 1 : 3);
const warmupMs = numberFlag("warmup", values.warmup, quick ? 0.5 : 2) * 1000;
const saturationMs = numberFlag("saturation", values.saturation, quick ? 2.5 : 10) * 1000;
const concurrency = wholeFlag("concurrency", values.concurrency, 64);
const maxTokens = wholeFlag("max-tokens", values["max-tokens"], 64);
const withPortkey = !values["no-portkey"];
/** The minimal Node proxy (bench/gateway/minimal-proxy.ts): the floor any Node gateway starts from. */
const withFloor = values["no-floor"] ? false : (values.floor ?? !quick);
const profiling = values.profile ?? false;
/** Before each phase, wait up to this long for other processes to leave the CPUs alone. */
const waitQuietMs = countFlag("wait-quiet", values["wait-quiet"], quick ? 0 : 30) * 1000;
/** Disturbed runs are measured again up to this many times. */
const retries = countFlag("retries", values.retries, quick ? 0 : 3);
/** Other processes using more than this many cores make a phase "disturbed". */
const QUIET_CORES = 0.15;
const MODEL = BENCH_MODEL;
const ADMIN_KEY = BENCH_ADMIN_KEY;

const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- CPU placement -------------------------------------------------------------------------
const cores = availableParallelism();
const pin = !values["no-pin"] && cores >= 2 && process.platform === "linux" && taskset();
const placement = pin
  ? { loadgen: "0", emulator: cores >= 3 ? "2" : "0", gateway: "1" }
  : { loadgen: undefined, emulator: undefined, gateway: undefined };
if (pin) pinProcess(process.pid, placement.loadgen as string);

// ---- Set-up ---------------------------------------------------------------------------------
const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-gateway-"));
const dbPath = benchLedgerPath(directory);
const profileDir = join(directory, "profiles");
const children: Child[] = [];
let cleanedUp: Promise<void> | undefined;
/** Stops every child once; a second call (a signal during the normal cleanup) waits for the same stop. */
function cleanup(): Promise<void> {
  cleanedUp ??= Promise.all(children.map((child) => child.stop())).then(() => undefined);
  return cleanedUp;
}
// Interrupted (Ctrl-C) or told to stop (kill): the emulator and gateways it started stop too.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    void cleanup().then(() => {
      rmSync(directory, { recursive: true, force: true });
      process.exit(code);
    });
  });
}

interface Targets {
  direct: Target;
  floor?: Target;
  switchyard: Target;
  portkey?: Target;
}

async function setUp(): Promise<{ emulator: Child; switchyard: Child; portkey?: Child; floor?: Child; targets: Targets; key: string }> {
  const emulator = await startEmulator(root, placement.emulator);
  children.push(emulator);
  const created = prepareBenchGateway(root, directory, emulator.url, configFlag(values["gateway-config"]));
  const nodeFlags = (name: string) => (profiling ? ["--cpu-prof", `--cpu-prof-dir=${join(profileDir, name)}`] : []);
  const extraFlags = flagList(values["gateway-node-flags"]);
  const switchyard = await startSwitchyard(root, created.configPath, BENCH_ENV, placement.gateway, [...nodeFlags("switchyard"), ...extraFlags]);
  children.push(switchyard);
  const common = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
  const targets: Targets = {
    direct: { name: "direct", origin: emulator.url, path: "/v1/messages", headers: { ...common, "x-api-key": "sk-emulator" } },
    switchyard: { name: "switchyard", origin: switchyard.url, path: "/v1/messages", headers: { ...common, "x-api-key": created.key } },
  };
  let portkey: Child | undefined;
  if (withPortkey) {
    const entry = ensurePortkey(values["portkey-dir"] ?? defaultPortkeyDir(), log);
    portkey = await startPortkey(entry, placement.gateway, nodeFlags("portkey"));
    children.push(portkey);
    targets.portkey = {
      name: "portkey",
      origin: portkey.url,
      // Portkey serves the Anthropic Messages API itself at /v1/messages (fn "messages"); the
      // upstream is x-portkey-provider + x-portkey-custom-host (base URL incl. /v1) + the client's x-api-key.
      path: "/v1/messages",
      headers: { ...common, "x-api-key": "sk-emulator", "x-portkey-provider": "anthropic", "x-portkey-custom-host": `${emulator.url}/v1` },
    };
  }
  let floor: Child | undefined;
  if (withFloor) {
    floor = await startMinimalProxy(fileURLToPath(new URL("./gateway/minimal-proxy.js", import.meta.url)), emulator.url, placement.gateway, nodeFlags("minimal-proxy"));
    children.push(floor);
    targets.floor = { name: "minimal-proxy", origin: floor.url, path: "/v1/messages", headers: { ...common, "x-api-key": "sk-emulator" } };
  }
  return { emulator, switchyard, ...(portkey ? { portkey } : {}), ...(floor ? { floor } : {}), targets, key: created.key };
}

/** Rows of served requests: refused ones have rows too, and must not stand in for a lost served one. */
const SERVED_ROWS = "SELECT count(*) AS n FROM ledger_rows WHERE status = 200";

/** Waits (up to 30 s) until the ledger holds a row for every request answered through Switchyard. */
async function ledgerCaughtUp(): Promise<void> {
  const database = new Database(dbPath, { readonly: true });
  try {
    const count = database.prepare(SERVED_ROWS);
    const deadline = Date.now() + 30_000;
    while ((count.get() as { n: number }).n < completedCount("switchyard")) {
      if (Date.now() > deadline) throw new Error("the ledger did not catch up within 30 s of a run");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    database.close();
  }
}

/** The ledger's overhead_ms of the successful requests Switchyard started between two Date.now() instants (OwnTime). */
async function ownTime(from: number, to: number): Promise<OwnTime | undefined> {
  try {
    await ledgerCaughtUp();
  } catch (error) {
    // Lost rows are reported at the end (the ledger line); here the column just stays empty.
    log(`gw overhead: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const database = new Database(dbPath, { readonly: true });
  try {
    const rows = database.prepare("SELECT overhead_ms AS ms FROM ledger_rows WHERE created_at >= ? AND created_at <= ? AND status = 200").all(from, to) as { ms: number }[];
    if (rows.length === 0) return undefined;
    const times = distribution(rows.map((row) => row.ms));
    return { p50Ms: times.p50, p99Ms: times.p99 };
  } finally {
    database.close();
  }
}

/** One request each way, streaming and not, checked before measuring anything. */
async function smokeTest(pools: Map<string, Pool>, targets: Target[]): Promise<void> {
  for (const target of targets) {
    for (const stream of [false, true]) {
      const pool = pools.get(target.name) as Pool;
      const response = await pool.request({ path: target.path, method: "POST", headers: target.headers, body: requestBody(MODEL, stream, maxTokens) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`${target.name} (${stream ? "streaming" : "non-streaming"}) answered ${response.statusCode}: ${text.slice(0, 300)}`);
      if (stream ? !text.includes("event: message_stop") : !text.includes('"usage"')) throw new Error(`${target.name}: unexpected body ${text.slice(0, 300)}`);
      if (target.name === "switchyard" && !stream && !response.headers["x-switchyard-cost-usd"]) throw new Error("switchyard: no x-switchyard-cost-usd header: pricing is off?");
      noteCompleted(target.name);
    }
  }
}

// ---- Measurements ---------------------------------------------------------------------------
type Mode = "json" | "stream";

interface RateRow {
  rate: number;
  mode: Mode;
  target: string;
  /** 1-based fixed-rate round. */
  round: number;
  /** Non-streaming: whole response; streaming: first body byte. Milliseconds from the scheduled send time. */
  latency: Distribution;
  /** Streaming: the whole stream. */
  total: Distribution;
  lagP99: number;
  sent: number;
  failures: number;
  failureSample?: string;
  /** Cores used by other processes on the machine during the run (0 on a quiet machine). */
  otherCores: number;
  /** Runs it took to get one that other processes left alone (or the least disturbed of --retries + 1). */
  runs: number;
  /** The gateway process's CPU milliseconds per request over the run (warm-up included). */
  gatewayCpuMsPerRequest?: number;
  /** Switchyard only: how late its event loop ran a 10 ms timer over the run (prom-client's monitor), in ms. */
  loopDelay?: LoopDelay;
  threads?: ThreadShare;
  own?: OwnTime;
  addedP50?: number;
  addedP99?: number;
}

interface LoopDelay {
  maxMs: number;
  p99Ms: number;
}

/**
 * Switchyard only: its ledger rows' `overhead_ms` over the run: a request's time in the gateway
 * outside its upstream call, up to the moment its row is built (pricing included; for a stream, its
 * headers and first event's write too). Reading the body before, and the journal write and the
 * (rest of the) response write after, are not in it, nor are waits in the
 * kernel or for the CPU before the request reaches the gateway; the external "added" columns have
 * them all.
 */
interface OwnTime {
  p50Ms: number;
  p99Ms: number;
}

/**
 * Where the gateway's pinned core went during a run, per second of the run: how long its main
 * thread (the event loop) was runnable but waiting for the CPU, and how long its other threads
 * (V8's helpers, the ledger's insert thread) ran. A tail with no loop delay of its own but a long
 * wait here is the process's own threads (or other processes) taking the core.
 */
interface ThreadShare {
  mainWaitMsPerS: number;
  otherThreadsMsPerS: number;
}

function threadShare(before: ThreadTimes | undefined, after: ThreadTimes | undefined, wallMs: number): ThreadShare | undefined {
  if (!before || !after || !(wallMs > 0)) return undefined;
  return {
    mainWaitMsPerS: ((after.mainWaitMs - before.mainWaitMs) * 1000) / wallMs,
    // A thread that ended during the run takes its time with it: never below zero.
    otherThreadsMsPerS: (Math.max(0, after.otherRunMs - before.otherRunMs) * 1000) / wallMs,
  };
}

/** What a fixed-rate latency column measures in each mode. */
function latencyModeLabel(mode: Mode): string {
  return mode === "json" ? "non-stream" : "stream TTFB";
}

function ownTimeCell(row: { ownP50Ms?: number; ownP99Ms?: number }): string {
  return row.ownP50Ms === undefined ? "" : `${ms(row.ownP50Ms)} / ${ms(row.ownP99Ms ?? Number.NaN)}`;
}

function loopDelayCell(row: { loopDelayP99Ms?: number; loopDelayMaxMs?: number }): string {
  return row.loopDelayMaxMs === undefined ? "" : `${ms(row.loopDelayP99Ms ?? Number.NaN, 1)}/${ms(row.loopDelayMaxMs, 1)}`;
}

function threadShareCell(share: { mainWaitMsPerS?: number; otherThreadsMsPerS?: number }): string {
  return share.mainWaitMsPerS === undefined ? "" : `${share.mainWaitMsPerS.toFixed(0)} / ${(share.otherThreadsMsPerS ?? Number.NaN).toFixed(0)}`;
}

function medianShare(shares: ThreadShare[]): Partial<ThreadShare> {
  return shares.length === 0 ? {} : { mainWaitMsPerS: median(shares.map((share) => share.mainWaitMsPerS)), otherThreadsMsPerS: median(shares.map((share) => share.otherThreadsMsPerS)) };
}

/** One rate, mode and target over every round: medians of the rounds, and each round's added p99. */
interface RateSummary {
  rate: number;
  mode: Mode;
  target: string;
  rounds: number;
  /** Medians over the rounds of each round's p50 and p99; max over every round. */
  p50: number;
  p99: number;
  max: number;
  /** Medians over the rounds of (this target − direct) in the same round. */
  addedP50?: number;
  addedP99?: number;
  addedP99ByRound?: number[];
  lagP99: number;
  sent: number;
  failures: number;
  otherCores: number;
  gatewayCpuMsPerRequest?: number;
  /** Largest and median-round p99 of Switchyard's event-loop delay. */
  loopDelayMaxMs?: number;
  loopDelayP99Ms?: number;
  /** Switchyard's ledger overhead per request (OwnTime), medians over the rounds. */
  ownP50Ms?: number;
  ownP99Ms?: number;
  /** Medians over the rounds (see ThreadShare). */
  mainWaitMsPerS?: number;
  otherThreadsMsPerS?: number;
}

/** One paired run: the same slots sent directly and through one gateway. */
interface PairedRow {
  rate: number;
  mode: Mode;
  target: string;
  round: number;
  /** Non-streaming: whole response; streaming: first body byte; ms from the slot's scheduled time. */
  direct: Distribution;
  gateway: Distribution;
  /** Per slot: gateway − direct. */
  difference: Distribution;
  lagP99: number;
  sent: number;
  pairs: number;
  failures: number;
  failureSample?: string;
  otherCores: number;
  runs: number;
  loopDelay?: LoopDelay;
  threads?: ThreadShare;
  own?: OwnTime;
}

interface PairedSummary {
  rate: number;
  mode: Mode;
  target: string;
  rounds: number;
  /** Medians over the rounds. */
  directP50: number;
  directP99: number;
  gatewayP50: number;
  gatewayP99: number;
  addedP50: number;
  addedP99: number;
  addedP99ByRound: number[];
  /** The load generator's own lateness, the worst round's p99 (it sends twice the rate here). */
  lagP99: number;
  differenceP50: number;
  differenceP99: number;
  /** Slots, and slots where both sides succeeded. */
  sent: number;
  pairs: number;
  failures: number;
  otherCores: number;
  loopDelayMaxMs?: number;
  loopDelayP99Ms?: number;
  /** Switchyard's ledger overhead per request (OwnTime), medians over the rounds. */
  ownP50Ms?: number;
  ownP99Ms?: number;
  mainWaitMsPerS?: number;
  otherThreadsMsPerS?: number;
}

interface SaturationRow {
  mode: Mode;
  target: string;
  requestsPerSecond: number;
  latency: Distribution;
  failures: number;
  failureSample?: string;
  otherCores: number;
  runs: number;
  /** Share of one core each process used over the window. */
  gatewayCores?: number;
  emulatorCores: number;
  loadgenCores: number;
  gatewayCpuMsPerRequest?: number;
  /** Requests per second of gateway CPU (1000 / CPU ms per request). */
  perCore?: number;
}

/** CPU used by processes other than the benchmark's own four (other work on a shared machine). */
interface Snapshot {
  at: number;
  machine: number;
  ours: number;
}

function snapshot(pids: number[]): Snapshot {
  let ours = 0;
  for (const pid of pids) {
    try {
      ours += cpuSeconds(pid);
    } catch {
      // exited
    }
  }
  return { at: performance.now(), machine: machineBusySeconds(), ours };
}

function otherCores(before: Snapshot, after: Snapshot): number {
  const wall = (after.at - before.at) / 1000;
  return wall > 0 ? Math.max(0, after.machine - before.machine - (after.ours - before.ours)) / wall : 0;
}

async function waitQuiet(pids: number[]): Promise<number> {
  if (waitQuietMs < 1) return 0;
  const deadline = performance.now() + waitQuietMs;
  for (;;) {
    const before = snapshot(pids);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const other = otherCores(before, snapshot(pids));
    if (other <= QUIET_CORES || performance.now() >= deadline) return other;
    log(`  other processes are using ${other.toFixed(2)} cores; waiting for a quiet machine ...`);
  }
}

/**
 * Runs a measurement, again (up to --retries times) while other processes disturbed it; keeps the
 * least disturbed run. `runs` says how many it took.
 */
async function leastDisturbed<T extends { otherCores: number; runs: number }>(pids: number[], run: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    await waitQuiet(pids);
    const row = await run();
    if (!best || row.otherCores < best.otherCores) best = row;
    best.runs = attempt + 1;
    if (row.otherCores <= QUIET_CORES) break;
    if (attempt < retries) log(`  other processes used ${row.otherCores.toFixed(2)} cores during that run: measuring it again`);
  }
  return best as T;
}

function gatewayOf(target: string, processes: { switchyard: Child; portkey?: Child; floor?: Child }): Child | undefined {
  if (target === "switchyard") return processes.switchyard;
  if (target === "portkey") return processes.portkey;
  if (target === "minimal-proxy") return processes.floor;
  return undefined;
}

function firstFailure(result: { failures: { status: number | string; detail: string; side?: string }[] }): string | undefined {
  const failure = result.failures[0];
  return failure ? `${failure.side ? `${failure.side} ` : ""}${failure.status}: ${failure.detail}` : undefined;
}

/** What a latency column measures: the whole response, or a stream's first body byte. */
function latencyOf(mode: Mode, sample: { firstByte: number; total: number }): number {
  return mode === "stream" ? sample.firstByte : sample.total;
}

/** prom-client's default event-loop monitor period (eventLoopMonitoringPrecision). */
const LOOP_MONITOR_PERIOD_MS = 10;

/**
 * Switchyard's event-loop delay since the last scrape (prom-client's default metrics sample a 10 ms
 * timer and reset at every scrape): scraped once before a run to reset, once after to read.
 */
async function scrapeLoopDelay(url: string): Promise<LoopDelay | undefined> {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const text = await response.text();
    // The monitor records the time between two runs of its 10 ms timer: lateness is that minus 10 ms.
    const lateMs = (name: string) => Math.max(0, Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? Number.NaN) * 1000 - LOOP_MONITOR_PERIOD_MS);
    return { maxMs: lateMs("nodejs_eventloop_lag_max_seconds"), p99Ms: lateMs("nodejs_eventloop_lag_p99_seconds") };
  } catch {
    return undefined;
  }
}

/** The rounds of each rate, mode and target, in the order first seen. */
function roundsOf<Row extends { rate: number; mode: Mode; target: string }>(rows: Row[]): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const name = `${row.rate}|${row.mode}|${row.target}`;
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  return [...groups.values()];
}

/** What both kinds of summary fold alike: totals, the most disturbed round, the loop delay and thread medians. */
function foldRounds(group: { sent: number; failures: number; otherCores: number; loopDelay?: LoopDelay; threads?: ThreadShare; own?: OwnTime }[]) {
  const delays = group.flatMap((row) => (row.loopDelay ? [row.loopDelay] : []));
  const own = group.flatMap((row) => (row.own ? [row.own] : []));
  return {
    ...(own.length > 0 ? { ownP50Ms: median(own.map((time) => time.p50Ms)), ownP99Ms: median(own.map((time) => time.p99Ms)) } : {}),
    sent: group.reduce((sum, row) => sum + row.sent, 0),
    failures: group.reduce((sum, row) => sum + row.failures, 0),
    otherCores: Math.max(...group.map((row) => row.otherCores)),
    ...(delays.length > 0 ? { loopDelayMaxMs: Math.max(...delays.map((delay) => delay.maxMs)), loopDelayP99Ms: median(delays.map((delay) => delay.p99Ms)) } : {}),
    ...medianShare(group.flatMap((row) => (row.threads ? [row.threads] : []))),
  };
}

/** Folds the rounds of each rate, mode and target into one summary row. */
function summarise(rows: RateRow[]): RateSummary[] {
  return roundsOf(rows).map((group) => {
    const first = group[0] as RateRow;
    const added = group.filter((row) => row.addedP99 !== undefined);
    const cpu = group.flatMap((row) => (row.gatewayCpuMsPerRequest === undefined ? [] : [row.gatewayCpuMsPerRequest]));
    return {
      rate: first.rate,
      mode: first.mode,
      target: first.target,
      rounds: group.length,
      p50: median(group.map((row) => row.latency.p50)),
      p99: median(group.map((row) => row.latency.p99)),
      max: Math.max(...group.map((row) => row.latency.max)),
      ...(added.length > 0
        ? { addedP50: median(added.map((row) => row.addedP50 as number)), addedP99: median(added.map((row) => row.addedP99 as number)), addedP99ByRound: added.map((row) => row.addedP99 as number) }
        : {}),
      lagP99: Math.max(...group.map((row) => row.lagP99)),
      ...(cpu.length > 0 ? { gatewayCpuMsPerRequest: median(cpu) } : {}),
      ...foldRounds(group),
    };
  });
}

function summarisePaired(rows: PairedRow[]): PairedSummary[] {
  return roundsOf(rows).map((group) => {
    const first = group[0] as PairedRow;
    const middle = (pick: (row: PairedRow) => number) => median(group.map(pick));
    return {
      rate: first.rate,
      mode: first.mode,
      target: first.target,
      rounds: group.length,
      directP50: middle((row) => row.direct.p50),
      directP99: middle((row) => row.direct.p99),
      gatewayP50: middle((row) => row.gateway.p50),
      gatewayP99: middle((row) => row.gateway.p99),
      // gateway − direct, percentile by percentile, over the same slots
      addedP50: middle((row) => row.gateway.p50 - row.direct.p50),
      addedP99: middle((row) => row.gateway.p99 - row.direct.p99),
      addedP99ByRound: group.map((row) => row.gateway.p99 - row.direct.p99),
      lagP99: Math.max(...group.map((row) => row.lagP99)),
      differenceP50: middle((row) => row.difference.p50),
      differenceP99: middle((row) => row.difference.p99),
      pairs: group.reduce((sum, row) => sum + row.pairs, 0),
      ...foldRounds(group),
    };
  });
}

async function main(): Promise<void> {
  log(`gateway benchmark: ${cores} cores (${cpuList()[0]?.model ?? "?"}), node ${process.version}; ${pin ? `pinned: load generator cpu ${placement.loadgen}, emulator cpu ${placement.emulator}, gateways cpu ${placement.gateway}` : "not pinned"}`);
  const { emulator, switchyard, portkey, floor, targets } = await setUp();
  const processes = { switchyard, ...(portkey ? { portkey } : {}), ...(floor ? { floor } : {}) };
  const order: Target[] = [targets.direct, ...(targets.floor ? [targets.floor] : []), targets.switchyard, ...(targets.portkey ? [targets.portkey] : [])];
  const pids = [process.pid, emulator.pid, switchyard.pid, ...(portkey ? [portkey.pid] : []), ...(floor ? [floor.pid] : [])];
  const pools = new Map(order.map((target) => [target.name, makePool(target.origin, Math.max(concurrency, 128))]));
  await smokeTest(pools, order);
  log(
    `emulator ${emulator.url} (pid ${emulator.pid}), switchyard ${switchyard.url} (pid ${switchyard.pid})${portkey ? `, portkey ${portkey.url} (pid ${portkey.pid})` : ""}${floor ? `, minimal proxy ${floor.url} (pid ${floor.pid})` : ""}; ledger ${dbPath}`,
  );

  // Warm every process's JIT on both paths before the first measured run.
  for (const target of order) {
    for (const stream of [false, true]) {
      log(`priming ${target.name} (${stream ? "streaming" : "non-streaming"}) ...`);
      await closedLoop(pools.get(target.name) as Pool, target, requestBody(MODEL, stream, maxTokens), { concurrency: 8, warmupMs: 0, durationMs: warmupMs, onWindow: () => undefined });
    }
  }

  /**
   * One fixed-rate or paired load on a target, and what its row reports about the run: other
   * processes' cores, and for a gateway its CPU, its threads' share of its core and (Switchyard)
   * its event-loop delay over the run.
   */
  const observed = async <R,>(targetName: string, run: () => Promise<R>) => {
    const gateway = gatewayOf(targetName, processes);
    const scrape = targetName === "switchyard" ? () => scrapeLoopDelay(switchyard.url) : undefined;
    await scrape?.(); // resets the monitor's histogram: the next scrape covers this run only
    const cpuBefore = gateway ? cpuSeconds(gateway.pid) : 0;
    const machineBefore = snapshot(pids);
    const threadsBefore = gateway && threadTimes(gateway.pid);
    const started = performance.now();
    // The measured window on the gateway's clock (Date.now, as its ledger rows' created_at): after the run's warm-up.
    const windowFrom = Date.now() + warmupMs;
    const result = await run();
    const threads = gateway && threadShare(threadsBefore, threadTimes(gateway.pid), performance.now() - started);
    const gatewayCpuSeconds = gateway ? cpuSeconds(gateway.pid) - cpuBefore : undefined;
    const otherCoresUsed = otherCores(machineBefore, snapshot(pids));
    const loopDelay = await scrape?.();
    const own = targetName === "switchyard" ? await ownTime(windowFrom, Date.now()) : undefined;
    return { result, gatewayCpuSeconds, around: { otherCores: otherCoresUsed, ...(loopDelay ? { loopDelay } : {}), ...(threads ? { threads } : {}), ...(own ? { own } : {}) } };
  };

  const rateRows: RateRow[] = [];
  for (const rate of rates) {
    for (const mode of ["json", "stream"] as const) {
      const body = requestBody(MODEL, mode === "stream", maxTokens);
      for (let round = 1; round <= rounds; round += 1) {
        let direct: RateRow | undefined;
        for (const target of order) {
          log(`fixed rate ${rate}/s, ${mode === "json" ? "non-streaming" : "streaming"}, ${target.name}${rounds > 1 ? `, round ${round} of ${rounds}` : ""} ...`);
          const loadOptions = { rate, warmupMs, durationMs };
          const row = await leastDisturbed(pids, async (): Promise<RateRow> => {
            const { result, gatewayCpuSeconds, around } = await observed(target.name, () => openLoop(pools.get(target.name) as Pool, target, body, loadOptions));
            const totalRequests = result.sent + warmupCountOf(loadOptions);
            return {
              rate,
              mode,
              target: target.name,
              round,
              latency: distribution(result.samples.map((sample) => latencyOf(mode, sample))),
              total: distribution(result.samples.map((sample) => sample.total)),
              lagP99: distribution(result.samples.map((sample) => sample.lag)).p99,
              sent: result.sent,
              failures: result.failures.length,
              ...(firstFailure(result) ? { failureSample: firstFailure(result) } : {}),
              runs: 1,
              ...(gatewayCpuSeconds !== undefined ? { gatewayCpuMsPerRequest: (gatewayCpuSeconds * 1000) / totalRequests } : {}),
              ...around,
            };
          });
          if (target.name === "direct") direct = row;
          else if (direct) {
            row.addedP50 = row.latency.p50 - direct.latency.p50;
            row.addedP99 = row.latency.p99 - direct.latency.p99;
          }
          rateRows.push(row);
        }
      }
    }
  }

  const pairedRows: PairedRow[] = [];
  const pairedTargets = [...(targets.floor ? [targets.floor] : []), targets.switchyard];
  for (const rate of pairedRates) {
    for (const mode of ["json", "stream"] as const) {
      const body = requestBody(MODEL, mode === "stream", maxTokens);
      for (let round = 1; round <= rounds; round += 1) {
        for (const target of pairedTargets) {
          log(`paired ${rate}/s, ${mode === "json" ? "non-streaming" : "streaming"}, direct + ${target.name}${rounds > 1 ? `, round ${round} of ${rounds}` : ""} ...`);
          const row = await leastDisturbed(pids, async (): Promise<PairedRow> => {
            const { result, around } = await observed(target.name, () =>
              pairedOpenLoop({ pool: pools.get("direct") as Pool, target: targets.direct }, { pool: pools.get(target.name) as Pool, target }, body, { rate, warmupMs, durationMs }),
            );
            return {
              rate,
              mode,
              target: target.name,
              round,
              direct: distribution(result.pairs.map((pair) => latencyOf(mode, pair.direct))),
              gateway: distribution(result.pairs.map((pair) => latencyOf(mode, pair.gateway))),
              difference: distribution(result.pairs.map((pair) => latencyOf(mode, pair.gateway) - latencyOf(mode, pair.direct))),
              lagP99: distribution(result.pairs.map((pair) => Math.max(pair.direct.lag, pair.gateway.lag))).p99,
              sent: result.sent,
              pairs: result.pairs.length,
              failures: result.failures.length,
              ...(firstFailure(result) ? { failureSample: firstFailure(result) } : {}),
              runs: 1,
              ...around,
            };
          });
          pairedRows.push(row);
        }
      }
    }
  }

  const saturationRows: SaturationRow[] = [];
  /** Measured windows of each gateway's saturation runs, for the CPU profiles (µs, CLOCK_MONOTONIC). */
  const profileWindows = new Map<string, Array<[number, number]>>();
  for (const mode of ["json", "stream"] as const) {
    const body = requestBody(MODEL, mode === "stream", maxTokens);
    for (const target of order) {
      log(`saturation, ${mode === "json" ? "non-streaming" : "streaming"}, ${target.name}, ${concurrency} connections ...`);
      const gateway = gatewayOf(target.name, processes);
      const row = await leastDisturbed(pids, async (): Promise<SaturationRow> => {
        const snapshots: Record<"start" | "end", { gateway: number; emulator: number; loadgen: number; at: number; machine: Snapshot }> = {
          start: { gateway: 0, emulator: 0, loadgen: 0, at: 0, machine: snapshot(pids) },
          end: { gateway: 0, emulator: 0, loadgen: 0, at: 0, machine: snapshot(pids) },
        };
        const result = await closedLoop(pools.get(target.name) as Pool, target, body, {
          concurrency,
          warmupMs,
          durationMs: saturationMs,
          onWindow: (edge) => {
            const monotonicUs = Number(process.hrtime.bigint() / 1000n);
            const windows = profileWindows.get(target.name) ?? [];
            if (edge === "start") windows.push([monotonicUs, Number.POSITIVE_INFINITY]);
            else if (windows.length > 0) (windows[windows.length - 1] as [number, number])[1] = monotonicUs;
            profileWindows.set(target.name, windows);
            const usage = process.cpuUsage();
            snapshots[edge] = {
              gateway: gateway ? cpuSeconds(gateway.pid) : 0,
              emulator: cpuSeconds(emulator.pid),
              loadgen: (usage.user + usage.system) / 1e6,
              at: performance.now(),
              machine: snapshot(pids),
            };
          },
        });
        const wall = (snapshots.end.at - snapshots.start.at) / 1000;
        const completed = result.samples.length;
        // Switchyard stores ledger rows after answering: the CPU it spends catching up with the
        // window's rows belongs to the window too. Wait until every answered request is in the
        // database and count the CPU until then (idle time in between adds nearly nothing).
        const ledgerCatchUp = target.name === "switchyard" && gateway ? (await ledgerCaughtUp(), cpuSeconds(gateway.pid) - snapshots.end.gateway) : 0;
        const gatewayCpu = snapshots.end.gateway - snapshots.start.gateway + ledgerCatchUp;
        return {
          mode,
          target: target.name,
          requestsPerSecond: completed / result.seconds,
          latency: distribution(result.samples.map((sample) => latencyOf(mode, sample))),
          failures: result.failures.length,
          ...(firstFailure(result) ? { failureSample: firstFailure(result) } : {}),
          otherCores: otherCores(snapshots.start.machine, snapshots.end.machine),
          runs: 1,
          emulatorCores: (snapshots.end.emulator - snapshots.start.emulator) / wall,
          loadgenCores: (snapshots.end.loadgen - snapshots.start.loadgen) / wall,
          ...(gateway
            ? { gatewayCores: gatewayCpu / wall, gatewayCpuMsPerRequest: (gatewayCpu * 1000) / completed, perCore: completed / gatewayCpu }
            : {}),
        };
      });
      saturationRows.push(row);
    }
  }

  for (const pool of pools.values()) await pool.close();
  const sentThroughSwitchyard = completedCount("switchyard");
  await cleanup();
  if (values["gateway-node-flags"]) log(`switchyard output (${values["gateway-node-flags"]}):\n${switchyard.output()}`);

  // The ledger: every completed request through Switchyard must have its row.
  const database = new Database(dbPath, { readonly: true });
  const ledgerRows = (database.prepare(SERVED_ROWS).get() as { n: number }).n;
  const priced = (database.prepare(`${SERVED_ROWS} AND cost_usd IS NOT NULL`).get() as { n: number }).n;
  database.close();

  const profiles: Record<string, ProfileSummary> = {};
  if (profiling) {
    for (const name of ["switchyard", "portkey", "minimal-proxy"]) {
      const dir = join(profileDir, name);
      let files: string[] = [];
      try {
        files = readdirSync(dir).filter((file) => file.endsWith(".cpuprofile"));
      } catch {
        files = [];
      }
      const file = files[0];
      if (file) profiles[name] = summariseProfile(join(dir, file), root, 25, profileWindows.get(name) ?? []);
    }
  }

  report(rateRows, pairedRows, saturationRows, { ledgerRows, priced, sentThroughSwitchyard }, profiles);
  if (!profiling) rmSync(directory, { recursive: true, force: true });
  else log(`profiles kept in ${profileDir}`);
}

/**
 * "yes" only when every round met the target: with 3 rounds, a median under 1 ms can come from one
 * round whose direct baseline had the bigger tail (a negative "added" value). Then it says so.
 */
function verdict(median: number, byRound: number[] | undefined, limit: number): string {
  if (!(median <= limit)) return "NO";
  if (byRound && byRound.some((value) => !(value <= limit))) return "median only: not in every round";
  return "yes";
}

function goals(rateRows: RateSummary[], pairedRows: PairedSummary[], saturationRows: SaturationRow[]) {
  const topRate = Math.max(...rates);
  const at = (mode: Mode) => rateRows.find((row) => row.rate === topRate && row.mode === mode && row.target === "switchyard");
  const pairedTop = Math.max(...pairedRates);
  const pairedAt = (mode: Mode) => pairedRows.find((row) => row.rate === pairedTop && row.mode === mode && row.target === "switchyard");
  const saturated = saturationRows.find((row) => row.mode === "json" && row.target === "switchyard");
  const perCore = saturated?.perCore ?? Number.NaN;
  const json = at("json");
  const ttfb = at("stream");
  const median = rounds > 1 ? ", median round" : "";
  const latencyGoal = (what: string, mode: Mode, pick: "addedP50" | "addedP99") => {
    const sequential = mode === "json" ? json : ttfb;
    const paired = pairedAt(mode);
    const value = (row: { addedP50?: number; addedP99?: number } | undefined) => row?.[pick] ?? Number.NaN;
    const byRound = (row: { addedP99ByRound?: number[] } | undefined) => (pick === "addedP99" ? row?.addedP99ByRound : undefined);
    return [
      { goal: `${what} at ${integer(topRate)} requests/s (separate runs${median})`, target: "≤ 1 ms", value: `${ms(value(sequential))} ms`, met: verdict(value(sequential), byRound(sequential), 1) },
      ...(paired
        ? [{ goal: `${what} at ${integer(pairedTop)} requests/s (paired with direct${median})`, target: "≤ 1 ms", value: `${ms(value(paired))} ms`, met: verdict(value(paired), byRound(paired), 1) }]
        : []),
    ];
  };
  return [
    { goal: "requests/s per core of gateway CPU (non-streaming, saturated)", target: "≥ 4,000", value: integer(perCore), met: perCore >= 4000 ? "yes" : "NO" },
    ...latencyGoal("added p99, non-streaming,", "json", "addedP99"),
    ...latencyGoal("added time to first byte p50, streaming,", "stream", "addedP50"),
    ...latencyGoal("added time to first byte p99, streaming,", "stream", "addedP99"),
  ];
}

function report(rateRows: RateRow[], pairedRows: PairedRow[], saturationRows: SaturationRow[], ledger: { ledgerRows: number; priced: number; sentThroughSwitchyard: number }, profiles: Record<string, ProfileSummary>): void {
  const settings = {
    node: process.version,
    cores,
    cpu: cpuList()[0]?.model ?? "unknown",
    pinning: pin ? placement : "none",
    rates,
    paired_rates: pairedRates,
    rounds,
    duration_s: durationMs / 1000,
    warmup_s: warmupMs / 1000,
    saturation_s: saturationMs / 1000,
    concurrency,
    max_tokens: maxTokens,
    model: MODEL,
    emulator_profile: "instant",
    quiet_threshold_cores: QUIET_CORES,
    portkey: withPortkey ? { version: PORTKEY_VERSION, hono_node_server: HONO_NODE_SERVER_OVERRIDE } : null,
    minimal_proxy: withFloor,
  };
  const summaries = summarise(rateRows);
  const pairedSummaries = summarisePaired(pairedRows);
  const goalRows = goals(summaries, pairedSummaries, saturationRows);
  const json = JSON.stringify(
    { settings, fixed_rates: summaries, fixed_rate_rounds: rateRows, paired: pairedSummaries, paired_rounds: pairedRows, saturation: saturationRows, ledger, goals: goalRows, profiles },
    null,
    2,
  );
  if (values["json-out"]) writeFileSync(values["json-out"], `${json}\n`);
  if (values.json) {
    console.log(json);
    return;
  }
  const out: string[] = [];
  out.push(
    `Fixed rates, open loop (${rounds > 1 ? `${rounds} interleaved rounds of ` : ""}${durationMs / 1000} s each after ${warmupMs / 1000} s warm-up; ms from each request's scheduled send time; non-streaming: whole response, streaming: first body byte${rounds > 1 ? "; p50, p99 and added: the median round; max: over all rounds" : ""})`,
  );
  out.push(
    table(
      ["rate/s", "mode", "target", "p50", "p99", "max", "added p50", "added p99", ...(rounds > 1 ? ["added p99 by round"] : []), "gw overhead p50 / p99", "lag p99", "errors", "gw CPU ms/req", "gw loop delay p99/max", "gw main waited / other threads ms/s", "other load"],
      summaries.map((row) => [
        integer(row.rate),
        latencyModeLabel(row.mode),
        row.target,
        ms(row.p50),
        ms(row.p99),
        ms(row.max),
        row.addedP50 === undefined ? "" : signedMs(row.addedP50),
        row.addedP99 === undefined ? "" : signedMs(row.addedP99),
        ...(rounds > 1 ? [row.addedP99ByRound?.map((value) => signedMs(value, 1)).join(" ") ?? ""] : []),
        ownTimeCell(row),
        ms(row.lagP99),
        `${row.failures}/${row.sent}`,
        row.gatewayCpuMsPerRequest === undefined ? "" : ms(row.gatewayCpuMsPerRequest, 3),
        loopDelayCell(row),
        threadShareCell(row),
        row.otherCores.toFixed(2),
      ]),
    ),
  );
  if (pairedSummaries.length > 0) {
    out.push("");
    out.push(
      `Paired fixed rates (each slot sent directly and through the gateway at once, so both sides share the same seconds; ${rounds > 1 ? `${rounds} rounds, the median round; ` : ""}ms from the slot's scheduled time; added = gateway − direct percentile by percentile; per slot = the percentiles of each slot's gateway − direct)`,
    );
    out.push(
      table(
        ["rate/s", "mode", "gateway", "direct p50", "direct p99", "gw p50", "gw p99", "added p50", "added p99", ...(rounds > 1 ? ["added p99 by round"] : []), "per slot p50", "per slot p99", "gw overhead p50 / p99", "lag p99", "errors", "gw loop delay p99/max", "gw main waited / other threads ms/s", "other load"],
        pairedSummaries.map((row) => [
          integer(row.rate),
          latencyModeLabel(row.mode),
          row.target,
          ms(row.directP50),
          ms(row.directP99),
          ms(row.gatewayP50),
          ms(row.gatewayP99),
          signedMs(row.addedP50),
          signedMs(row.addedP99),
          ...(rounds > 1 ? [row.addedP99ByRound.map((value) => signedMs(value, 1)).join(" ")] : []),
          signedMs(row.differenceP50),
          signedMs(row.differenceP99),
          ownTimeCell(row),
          ms(row.lagP99),
          `${row.failures}/${row.sent * 2}`,
          loopDelayCell(row),
          threadShareCell(row),
          row.otherCores.toFixed(2),
        ]),
      ),
    );
  }
  out.push("");
  out.push(`Saturation, closed loop (${concurrency} connections, ${saturationMs / 1000} s after ${warmupMs / 1000} s warm-up; CPU from /proc/<pid>/stat, in cores)`);
  out.push(
    table(
      ["mode", "target", "req/s", "p50 ms", "p99 ms", "gw cores", "gw CPU ms/req", "req/s per gw core", "emulator cores", "loadgen cores", "errors", "other load"],
      saturationRows.map((row) => [
        row.mode === "json" ? "non-stream" : "stream",
        row.target,
        integer(row.requestsPerSecond),
        ms(row.latency.p50),
        ms(row.latency.p99),
        row.gatewayCores === undefined ? "" : row.gatewayCores.toFixed(2),
        row.gatewayCpuMsPerRequest === undefined ? "" : ms(row.gatewayCpuMsPerRequest, 3),
        row.perCore === undefined ? "" : integer(row.perCore),
        row.emulatorCores.toFixed(2),
        row.loadgenCores.toFixed(2),
        String(row.failures),
        row.otherCores.toFixed(2),
      ]),
    ),
  );
  const disturbed = [...rateRows, ...pairedRows, ...saturationRows].filter((row) => row.otherCores > QUIET_CORES).length;
  out.push(
    disturbed
      ? `WARNING: in ${disturbed} run(s) other processes used more than ${QUIET_CORES} cores ("other load"): those figures are disturbed; re-run on a quiet machine.`
      : `"other load": cores used by processes other than these four; every run stayed under ${QUIET_CORES}.`,
  );
  out.push("");
  out.push(`Ledger: ${integer(ledger.ledgerRows)} rows of served requests (${integer(ledger.priced)} priced) for ${integer(ledger.sentThroughSwitchyard)} successful requests through Switchyard`);
  if (ledger.ledgerRows < ledger.sentThroughSwitchyard) out.push("WARNING: fewer ledger rows than successful requests: rows were lost.");
  out.push("");
  out.push(table(["goal", "target", "measured", "met"], goalRows.map((row) => [row.goal, row.target, row.value, row.met])));
  out.push(
    '"gw overhead": the overhead_ms of Switchyard\'s ledger rows, median round: a request\'s time in the gateway outside its upstream call, up to the moment its row is built (routing, the key, limits and budget, pricing, a stream\'s first write, and any wait for the event loop meanwhile). It leaves out reading the body before, and the journal write and the (rest of the) response write after; so it is a part of "added", not the goals\' measure.',
  );
  for (const [name, summary] of Object.entries(profiles)) {
    out.push("");
    out.push(
      `CPU profile of ${name} (node --cpu-prof), saturation windows only: ${ms(summary.totalMs - summary.idleMs, 0)} ms busy of ${ms(summary.totalMs, 0)} ms; hottest functions (self time, share of busy time):`,
    );
    out.push(table(["function", "self ms", "share"], summary.functions.map((spot) => [spot.name, ms(spot.ms, 0), `${(spot.share * 100).toFixed(1)}%`])));
    out.push("by file:");
    out.push(table(["file", "self ms", "share"], summary.files.slice(0, 12).map((spot) => [spot.name, ms(spot.ms, 0), `${(spot.share * 100).toFixed(1)}%`])));
    if (summary.inclusive.length > 0) {
      out.push("the project's own functions, inclusive (self + callees):");
      out.push(table(["function", "total ms", "share"], summary.inclusive.map((spot) => [spot.name, ms(spot.ms, 0), `${(spot.share * 100).toFixed(1)}%`])));
    }
  }
  for (const row of [...rateRows, ...pairedRows, ...saturationRows]) if (row.failureSample) out.push(`first error, ${row.target} ${row.mode}: ${row.failureSample}`);
  console.log(out.join("\n"));
}

try {
  await main();
} catch (error) {
  await cleanup();
  log(`gateway benchmark failed: ${(error as Error).stack ?? String(error)}`);
  for (const child of children) log(`--- ${child.name} output ---\n${child.output().slice(-4000)}`);
  rmSync(directory, { recursive: true, force: true });
  process.exitCode = 1;
}
