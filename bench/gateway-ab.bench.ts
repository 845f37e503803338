/**
 * npm run bench:gateway-ab -- --base REF — does a change make the gateway cheaper or dearer?
 *
 * This machine's speed moves by a third between runs of the same code (docs/BENCHMARKS.md), so
 * two full `bench:gateway` runs cannot tell a 5% change from the weather. This benchmark runs two
 * builds side by side instead and alternates short saturation loads between them: A B A B … Each
 * side's cycle runs from the start of one of its loads to the start of its next, so it holds the
 * load and the idle time after it, in which deferred work (V8's idle-time garbage collection, the
 * ledger's last flush) happens; its CPU per request is the process's CPU over the cycle (from
 * /proc/<pid>/stat) divided by the requests the load completed. Pair k compares head cycle k with
 * the mean of base cycles k and k+1, one on either side of it in time, so a drift in the machine's
 * speed cancels; the median over the pairs drops the pairs a slow spell split.
 *
 *   A = the base: another commit (`--base REF`, exported with git archive, compiled once into a
 *       cache directory with this checkout's node_modules), or this checkout with other flags;
 *   B = the head: this checkout's build (dist/), or another commit (`--head REF`), built as the base is.
 *
 * Placement as in bench:gateway: both gateways on CPU 1, the emulator and this load generator on
 * CPU 0; only the build being measured gets requests.
 *
 * Flags: --base REF (a commit, tag or branch; default HEAD, with --base-node-flags the usual reason)
 *        --head REF (default: this checkout as it is, uncommitted changes included)
 *        --base-node-flags="…"  --head-node-flags="…" (extra node flags for one side, e.g.
 *        "--max-semi-space-size=16")
 *        --base-config="…"  --head-config="…" (YAML appended to one side's gateway config, e.g.
 *        "redis: { url_env: REDIS_URL }"; "\n" starts a new line; the environment is passed on)
 *        --windows N (pairs per mode, default 8)  --window S (seconds of load each, default 4)
 *        --prime S (unmeasured load on each side before a mode's first load, default 3)
 *        --concurrency N (default 64)
 *        --modes json,stream (default both)  --max-tokens N (default 64)  --no-pin
 *        --json (JSON instead of the tables)  --json-out FILE (the tables, and the JSON into FILE)
 * docs/BENCHMARKS.md ("Comparing two builds") has figures; docs/decisions/0009-benchmark-method.md the method.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { Pool } from "undici";
import { closedLoop, completedCount, makePool, requestBody, type Target } from "./gateway/load.js";
import { cpuSeconds, machineBusySeconds, pinProcess, startEmulator, startSwitchyard, taskset, type Child } from "./gateway/processes.js";
import { benchFlags, configFlag, flagError, flagList, numberFlag, wholeFlag } from "./gateway/flags.js";
import { integer, median, ms, table } from "./gateway/stats.js";
import { BENCH_ENV, BENCH_MODEL, prepareBenchGateway } from "./gateway/switchyard-setup.js";

const { values } = benchFlags({
  options: {
    base: { type: "string" },
    head: { type: "string" },
    "base-node-flags": { type: "string" },
    "head-node-flags": { type: "string" },
    "base-config": { type: "string" },
    "head-config": { type: "string" },
    windows: { type: "string" },
    window: { type: "string" },
    prime: { type: "string" },
    concurrency: { type: "string" },
    modes: { type: "string" },
    "max-tokens": { type: "string" },
    "no-pin": { type: "boolean" },
    json: { type: "boolean" },
    "json-out": { type: "string" },
  },
});

type Mode = "json" | "stream";
const windows = wholeFlag("windows", values.windows, 8);
const windowMs = numberFlag("window", values.window, 4) * 1000;
/** Unmeasured load on each side before the first pair of a mode: the first seconds of a process run colder code. */
const primeMs = numberFlag("prime", values.prime, 3) * 1000;
const concurrency = wholeFlag("concurrency", values.concurrency, 64);
const maxTokens = wholeFlag("max-tokens", values["max-tokens"], 64);
const modes = (values.modes ?? "json,stream").split(",").map((mode) => {
  const trimmed = mode.trim();
  if (trimmed !== "json" && trimmed !== "stream") flagError(`--modes takes json and/or stream, got ${JSON.stringify(mode)}`);
  return trimmed as Mode;
});

const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- The two builds ---------------------------------------------------------------------------

interface Build {
  label: string;
  root: string;
  nodeFlags: string[];
  /** YAML appended to its gateway config. */
  config: string;
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
}

/**
 * The commit `ref` names, compiled into ~/.cache/switchyard/bench-builds/<sha> (kept: a second
 * comparison against the same base starts at once). It runs with this checkout's node_modules, so
 * a base whose package-lock.json differs is compared with today's dependencies (said in the report).
 */
function buildCommit(ref: string): { root: string; sha: string; sameLock: boolean } {
  const sha = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const directory = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "switchyard", "bench-builds", sha);
  const stamp = join(directory, ".built");
  if (!existsSync(stamp)) {
    log(`building ${ref} (${sha.slice(0, 10)}) into ${directory} ...`);
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    execFileSync("sh", ["-c", `git archive --format=tar ${sha} | tar -x -C "${directory}"`], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    symlinkSync(join(root, "node_modules"), join(directory, "node_modules"), "dir");
    execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(directory, "tsconfig.json")], { cwd: directory, stdio: "inherit" });
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
  }
  let sameLock = true;
  try {
    sameLock = git(["diff", "--quiet", sha, "--", "package-lock.json"]) === "";
  } catch {
    sameLock = false;
  }
  return { root: directory, sha, sameLock };
}

function headLabel(): string {
  const sha = git(["rev-parse", "--short=10", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--untracked-files=no"]) !== "";
  return `${sha}${dirty ? "+changes" : ""}`;
}

// ---- Measuring --------------------------------------------------------------------------------

type SideName = "base" | "head";

/** What the processes had used when one side's load began. */
interface Snapshot {
  at: number;
  gatewayCpu: number;
  /** Successful requests the load generator has seen from this side so far. */
  completed: number;
  /** CPU of everything of ours: both gateways, the emulator and this process. */
  oursCpu: number;
  machineBusy: number;
}

/**
 * One side's cycle: from the start of its load to the start of its next load, so the cycle holds
 * its load and the time the other side's load took, in which this side is idle. Work a load leaves
 * behind (garbage collection that V8 puts off until the process idles, the ledger's last flush,
 * a WAL checkpoint) is charged to the load that caused it. It is small (`afterShare`, under 1% of
 * a cycle in the runs in docs/BENCHMARKS.md), but a change that defers work would otherwise look
 * cheaper than it is.
 */
interface Cycle {
  mode: Mode;
  side: SideName;
  index: number;
  /** Requests completed during the load (all of them: the cycle's CPU includes all of them). */
  requests: number;
  failures: number;
  /** Completed requests per second of load. */
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  /** Share of the cycle's CPU used after the load ended (deferred work). */
  afterShare: number;
  /** Cores used by processes other than ours over the cycle. */
  otherCores: number;
}

function cycleBetween(mode: Mode, side: SideName, index: number, from: Snapshot, loadEnd: Snapshot, to: Snapshot, failures: number, loadSeconds: number): Cycle {
  const requests = to.completed - from.completed;
  const cpu = to.gatewayCpu - from.gatewayCpu;
  const seconds = (to.at - from.at) / 1000;
  return {
    mode,
    side,
    index,
    requests,
    failures,
    requestsPerSecond: requests / loadSeconds,
    cpuMsPerRequest: requests > 0 ? (cpu * 1000) / requests : Number.NaN,
    afterShare: cpu > 0 ? (to.gatewayCpu - loadEnd.gatewayCpu) / cpu : 0,
    otherCores: Math.max(0, (to.machineBusy - from.machineBusy - (to.oursCpu - from.oursCpu)) / seconds),
  };
}

// ---- Main -------------------------------------------------------------------------------------

const cores = availableParallelism();
const pin = !values["no-pin"] && cores >= 2 && process.platform === "linux" && taskset();
const placement = pin ? { loadgen: "0", emulator: "0", gateway: "1" } : { loadgen: undefined, emulator: undefined, gateway: undefined };
if (pin) pinProcess(process.pid, placement.loadgen as string);

const baseRef = values.base ?? "HEAD";
const baseBuild = buildCommit(baseRef);
const base: Build = { label: `base ${baseRef === "HEAD" ? "" : `${baseRef} `}(${baseBuild.sha.slice(0, 10)})`, root: baseBuild.root, nodeFlags: flagList(values["base-node-flags"]), config: configFlag(values["base-config"]) };
const headBuild = values.head === undefined ? undefined : buildCommit(values.head);
const head: Build = headBuild
  ? { label: `head ${values.head} (${headBuild.sha.slice(0, 10)})`, root: headBuild.root, nodeFlags: flagList(values["head-node-flags"]), config: configFlag(values["head-config"]) }
  : { label: `head (${headLabel()})`, root, nodeFlags: flagList(values["head-node-flags"]), config: configFlag(values["head-config"]) };
if (!headBuild && !existsSync(join(root, "dist", "src", "cli", "main.js"))) throw new Error("no build in dist/: run npm run build (npm run bench:gateway-ab does)");

const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-ab-"));
const children: Child[] = [];
async function cleanup(): Promise<void> {
  await Promise.all(children.map((child) => child.stop()));
  rmSync(directory, { recursive: true, force: true });
}
// Interrupted (Ctrl-C) or told to stop (kill): the emulator and gateways it started stop too.
process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
process.once("SIGTERM", () => void cleanup().then(() => process.exit(143)));

interface Side {
  child: Child;
  target: Target;
  pool: Pool;
}

async function startSide(build: Build, name: "base" | "head", emulatorUrl: string): Promise<Side> {
  const sideDir = join(directory, name);
  mkdirSync(sideDir);
  const files = prepareBenchGateway(build.root, sideDir, emulatorUrl, build.config);
  const child = await startSwitchyard(build.root, files.configPath, BENCH_ENV, placement.gateway, build.nodeFlags);
  children.push(child);
  const target: Target = {
    name,
    origin: child.url,
    path: "/v1/messages",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": files.key },
  };
  return { child, target, pool: makePool(child.url, concurrency) };
}

interface Pair {
  mode: Mode;
  pair: number;
  head: Cycle;
  /** The base cycles just before and just after the head's: their mean is centred on it in time. */
  base: [Cycle, Cycle];
  /** head CPU per request ÷ the mean of the two base cycles' CPU per request. */
  ratio: number;
}

interface Summary {
  mode: Mode;
  pairs: number;
  medianRatio: number;
  minRatio: number;
  maxRatio: number;
  baseCpuMsPerRequest: number;
  headCpuMsPerRequest: number;
  basePerCore: number;
  headPerCore: number;
}

function summarise(mode: Mode, pairs: Pair[], cycles: Cycle[]): Summary {
  const ratios = pairs.map((pair) => pair.ratio).filter(Number.isFinite);
  const baseCpu = median(cycles.filter((cycle) => cycle.side === "base").map((cycle) => cycle.cpuMsPerRequest));
  const headCpu = median(cycles.filter((cycle) => cycle.side === "head").map((cycle) => cycle.cpuMsPerRequest));
  return {
    mode,
    pairs: ratios.length,
    medianRatio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    baseCpuMsPerRequest: baseCpu,
    headCpuMsPerRequest: headCpu,
    basePerCore: 1000 / baseCpu,
    headPerCore: 1000 / headCpu,
  };
}

function percent(ratio: number): string {
  if (!Number.isFinite(ratio)) return "—";
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? "+" : "−"}${Math.abs(change).toFixed(1)}%`;
}

async function main(): Promise<void> {
  const emulator = await startEmulator(root, placement.emulator);
  children.push(emulator);
  const sides = { base: await startSide(base, "base", emulator.url), head: await startSide(head, "head", emulator.url) };
  log(`emulator ${emulator.url}; ${base.label} at ${sides.base.child.url} (pid ${sides.base.child.pid}); ${head.label} at ${sides.head.child.url} (pid ${sides.head.child.pid})`);
  for (const [side, build] of [["base", baseBuild], ["head", headBuild]] as const) {
    if (build && !build.sameLock) log(`note: the ${side} commit's package-lock.json differs from this checkout's; it runs with this checkout's node_modules`);
  }
  const ours = [sides.base.child, sides.head.child, emulator];
  const snapshot = (side: SideName): Snapshot => {
    const self = process.cpuUsage();
    return {
      at: performance.now(),
      gatewayCpu: cpuSeconds(sides[side].child.pid),
      completed: completedCount(side),
      oursCpu: ours.reduce((sum, child) => sum + cpuSeconds(child.pid), 0) + (self.user + self.system) / 1e6,
      machineBusy: machineBusySeconds(),
    };
  };

  const pairs: Pair[] = [];
  const cycles: Cycle[] = [];
  for (const mode of modes) {
    const body = requestBody(BENCH_MODEL, mode === "stream", maxTokens);
    const load = (side: SideName, ms: number) => closedLoop(sides[side].pool, sides[side].target, body, { concurrency, warmupMs: 0, durationMs: ms, onWindow: () => {} });
    log(`priming both sides (${mode}) ...`);
    for (const side of ["base", "head"] as const) await load(side, primeMs);
    // base 1, head 1, base 2, head 2, …, base n+1, head n+1: a cycle runs from one load's start to
    // the same side's next; head n+1 only closes base n+1's cycle. Pair k is head k against the
    // mean of base k and base k+1, which sit on either side of it in time.
    const starts: Record<SideName, Snapshot[]> = { base: [], head: [] };
    const ends: Record<SideName, Snapshot[]> = { base: [], head: [] };
    const failures: Record<SideName, number[]> = { base: [], head: [] };
    for (let index = 0; index <= windows; index += 1) {
      for (const side of ["base", "head"] as const) {
        starts[side].push(snapshot(side));
        const result = await load(side, windowMs);
        ends[side].push(snapshot(side));
        failures[side].push(result.failures.length);
        log(`${mode} load ${index + 1}/${windows + 1} ${side}: ${integer(result.samples.length / (windowMs / 1000))} req/s${result.failures.length ? `, ${result.failures.length} failed` : ""}`);
      }
    }
    const final = { base: snapshot("base"), head: snapshot("head") };
    const modeCycles: Record<SideName, Cycle[]> = { base: [], head: [] };
    for (const side of ["base", "head"] as const) {
      for (let index = 0; index <= windows; index += 1) {
        const next = starts[side][index + 1] ?? final[side];
        modeCycles[side].push(cycleBetween(mode, side, index + 1, starts[side][index] as Snapshot, ends[side][index] as Snapshot, next, failures[side][index] ?? 0, windowMs / 1000));
      }
    }
    // head n+1 was only there to give base n+1 its idle time.
    modeCycles.head.pop();
    for (let index = 0; index < windows; index += 1) {
      const headCycle = modeCycles.head[index] as Cycle;
      const before = modeCycles.base[index] as Cycle;
      const afterward = modeCycles.base[index + 1] as Cycle;
      const ratio = headCycle.cpuMsPerRequest / ((before.cpuMsPerRequest + afterward.cpuMsPerRequest) / 2);
      pairs.push({ mode, pair: index + 1, head: headCycle, base: [before, afterward], ratio });
      log(`${mode} pair ${index + 1}/${windows}: base ${ms(before.cpuMsPerRequest, 3)} / ${ms(afterward.cpuMsPerRequest, 3)} ms/req, head ${ms(headCycle.cpuMsPerRequest, 3)} ms/req, head/base ${ratio.toFixed(3)}`);
    }
    cycles.push(...modeCycles.base, ...modeCycles.head);
  }

  const summaries = modes.map((mode) => summarise(mode, pairs.filter((pair) => pair.mode === mode), cycles.filter((cycle) => cycle.mode === mode)));
  const label = (build: Build) => `${build.label}${build.nodeFlags.length ? ` [${build.nodeFlags.join(" ")}]` : ""}${build.config ? ` {${build.config.replaceAll("\n", "; ")}}` : ""}`;
  const modeName = (mode: Mode) => (mode === "json" ? "non-stream" : "stream");
  const report = [
    `Gateway A/B: ${label(base)} against ${label(head)}`,
    `${windows + 1} base and ${windows + 1} head loads of ${windowMs / 1000} s per mode, alternating (${concurrency} connections; ${primeMs / 1000} s priming each first);`,
    "a cycle's CPU runs from its load's start to the same side's next load (the deferred work counted); CPU from /proc/<pid>/stat",
    "",
    table(
      ["mode", "side", "cycle", "req/s", "CPU ms/req", "after load", "failures", "other load"],
      cycles.map((cycle) => [modeName(cycle.mode), cycle.side, String(cycle.index), integer(cycle.requestsPerSecond), ms(cycle.cpuMsPerRequest, 3), `${(cycle.afterShare * 100).toFixed(1)}%`, String(cycle.failures), ms(cycle.otherCores, 2)]),
    ),
    "",
    table(
      ["mode", "pair", "base before", "head", "base after", "head/base"],
      pairs.map((pair) => [modeName(pair.mode), String(pair.pair), ms(pair.base[0].cpuMsPerRequest, 3), ms(pair.head.cpuMsPerRequest, 3), ms(pair.base[1].cpuMsPerRequest, 3), pair.ratio.toFixed(3)]),
    ),
    "",
    table(
      ["mode", "base CPU ms/req", "head CPU ms/req", "base req/s per core", "head req/s per core", "head vs base (median pair)", "pairs ranged"],
      summaries.map((summary) => [
        modeName(summary.mode),
        ms(summary.baseCpuMsPerRequest, 3),
        ms(summary.headCpuMsPerRequest, 3),
        integer(summary.basePerCore),
        integer(summary.headPerCore),
        `${percent(summary.medianRatio)} CPU/req`,
        `${percent(summary.minRatio)} … ${percent(summary.maxRatio)}`,
      ]),
    ),
    "",
    "head vs base: the median over the pairs of (head CPU per request ÷ the mean of the base cycles before and after it) − 1;",
    "negative is cheaper. A difference inside the range of the pairs of an A/A run (--base HEAD, no changes) is not shown to be real.",
  ].join("\n");
  const json = JSON.stringify(
    {
      base: { ...base, sha: baseBuild.sha, sameLock: baseBuild.sameLock },
      head: { ...head, ...(headBuild ? { sha: headBuild.sha, sameLock: headBuild.sameLock } : {}) },
      windows,
      windowMs,
      primeMs,
      concurrency,
      cycles,
      pairs: pairs.map((pair) => ({ mode: pair.mode, pair: pair.pair, ratio: pair.ratio, head: pair.head.index, base: pair.base.map((cycle) => cycle.index) })),
      summaries,
    },
    null,
    2,
  );
  process.stdout.write(values.json ? `${json}\n` : `${report}\n`);
  if (values["json-out"]) writeFileSync(values["json-out"], `${json}\n`);
  for (const side of Object.values(sides)) await side.pool.close();
}

try {
  await main();
} finally {
  await cleanup();
}
