/**
 * `npm run bench:alloc`: bytes of heap a gateway allocates per request, and what its garbage
 * collector does with them, for Switchyard and the floor proxy, streaming and not.
 *
 * Unlike CPU time and latency, which move by a factor of five with this machine's spells, the
 * bytes allocated per request are a property of the code: two runs of the same build agree to
 * well under a percent. They are also what the young-generation GC pauses, which every request in
 * flight waits out, scale with (docs/BENCHMARKS.md, "Gateway"; decision 0014).
 *
 * Each gateway runs with `--trace-gc-nvp`; V8 prints a line per GC with the bytes allocated since
 * the one before, what it promoted and how long it paused, for every isolate of the process: the
 * event loop's is reported apart from the other threads' (Switchyard's ledger insert thread). A closed loop (8 connections) runs for
 * --warmup S, then the window of --duration S; the GC lines printed inside the window are summed
 * and divided by the requests answered in it. A window's edges cut one GC interval each, so the
 * figure is good to about two of the window's longest GC intervals divided by its requests, which
 * the table prints as "±".
 *
 * Flags: --duration S (default 10)  --warmup S (default 3)  --concurrency N (default 8)
 *        --no-floor  --sites (Switchyard only: V8's sampling heap profiler over the window, garbage
 *        included, and the allocation sites by bytes: the function that allocated, and the
 *        innermost function of the project on its stack)  --json
 *        --gateway-node-flags="…" (extra node flags for Switchyard, e.g. "--max-semi-space-size=8")
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { closedLoop, makePool, requestBody, type RunResult, type Target } from "./gateway/load.js";
import { benchFlags, flagList, numberFlag, wholeFlag } from "./gateway/flags.js";
import { allocationSites, mainIsolate, parseGcLine, type GcEvent, type HeapNode, type Site } from "./gateway/gc-trace.js";
import { startEmulator, startMinimalProxy, startSwitchyard, type Child } from "./gateway/processes.js";
import { integer, table } from "./gateway/stats.js";
import { BENCH_ENV, BENCH_MODEL, prepareBenchGateway } from "./gateway/switchyard-setup.js";

const { values } = benchFlags({
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    concurrency: { type: "string" },
    "no-floor": { type: "boolean" },
    sites: { type: "boolean" },
    json: { type: "boolean" },
    "gateway-node-flags": { type: "string" },
  },
});
const durationMs = numberFlag("duration", values.duration, 10) * 1000;
const warmupMs = numberFlag("warmup", values.warmup, 3) * 1000;
const concurrency = wholeFlag("concurrency", values.concurrency, 8);
const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** GC events from a child's stdout (where V8 prints its traces) as they arrive; `mark()` returns how many have arrived so far. */
class GcTally {
  readonly events: GcEvent[] = [];
  private partial = "";

  private readonly listener = (text: string | Buffer) => {
    const lines = (this.partial + text.toString()).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      const event = parseGcLine(line);
      if (event) this.events.push(event);
    }
  };

  constructor(private readonly child: Child) {
    child.process.stdout?.on("data", this.listener);
  }

  stop(): void {
    this.child.process.stdout?.off("data", this.listener);
  }

  mark(): number {
    return this.events.length;
  }
}

interface Row {
  gateway: string;
  mode: "json" | "stream";
  requests: number;
  /** The event loop's isolate (the one that allocated most in the window). */
  bytesPerRequest: number;
  /** Every other isolate of the process together (Switchyard's ledger insert thread). */
  otherThreadsBytesPerRequest: number;
  /** ± bytes per request: the longest GC interval of the window at each of its edges. */
  edgeBytesPerRequest: number;
  promotedPerRequest: number;
  scavenges: number;
  scavengePauseMsPer1000: number;
  otherGcs: number;
  otherGcPauseMsPer1000: number;
}

function summarise(gateway: string, mode: Row["mode"], run: RunResult, all: GcEvent[]): Row {
  const requests = run.samples.length;
  const sum = (list: GcEvent[], pick: (event: GcEvent) => number) => list.reduce((total, event) => total + pick(event), 0);
  const main = mainIsolate(all);
  const events = all.filter((event) => event.isolate === main);
  const scavenges = events.filter((event) => event.kind === "s");
  const others = events.filter((event) => event.kind !== "s");
  return {
    gateway,
    mode,
    requests,
    bytesPerRequest: sum(events, (event) => event.allocated) / requests,
    otherThreadsBytesPerRequest: sum(all, (event) => (event.isolate === main ? 0 : event.allocated)) / requests,
    // Each edge cuts one GC interval: at most the largest the window saw (a young generation's worth).
    edgeBytesPerRequest: (2 * Math.max(0, ...events.map((event) => event.allocated))) / requests,
    promotedPerRequest: sum(events, (event) => event.promoted) / requests,
    scavenges: scavenges.length,
    scavengePauseMsPer1000: (sum(scavenges, (event) => event.pauseMs) * 1000) / requests,
    otherGcs: others.length,
    otherGcPauseMsPer1000: (sum(others, (event) => event.pauseMs) * 1000) / requests,
  };
}

// ---- The run -------------------------------------------------------------------------------------

async function measure(child: Child, target: Target, mode: Row["mode"], onWindow?: (edge: "start" | "end") => void): Promise<Row> {
  const tally = new GcTally(child);
  const pool = makePool(target.origin, concurrency);
  let startMark = 0;
  let endMark = 0;
  try {
    const run = await closedLoop(pool, target, requestBody(BENCH_MODEL, mode === "stream", 64), {
      concurrency,
      warmupMs,
      durationMs,
      onWindow: (edge) => {
        if (edge === "start") startMark = tally.mark();
        else endMark = tally.mark();
        onWindow?.(edge);
      },
    });
    if (run.failures.length > 0) throw new Error(`${target.name} ${mode}: ${run.failures.length} failed requests, e.g. ${JSON.stringify(run.failures[0])}`);
    return summarise(target.name, mode, run, tally.events.slice(startMark, endMark));
  } finally {
    tally.stop();
    await pool.close();
  }
}

/**
 * V8 prints its GC lines through C's stdio, which buffers a pipe in blocks: a line could reach this
 * process after the window it belongs to has closed. coreutils' stdbuf library makes the children's
 * stdout line-buffered (children inherit this environment); without it the edges are approximate.
 */
const STDBUF = ["/usr/libexec/coreutils/libstdbuf.so", "/usr/lib/coreutils/libstdbuf.so"].find((path) => existsSync(path));
if (STDBUF) Object.assign(process.env, { _STDBUF_O: "L", LD_PRELOAD: [process.env.LD_PRELOAD, STDBUF].filter(Boolean).join(" ") });
else log("coreutils' libstdbuf.so not found: GC lines may reach this process late, so the window's edges are approximate");

const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-alloc-"));
const children: Child[] = [];
try {
  const emulator = await startEmulator(root, undefined);
  children.push(emulator);
  const created = prepareBenchGateway(root, directory, emulator.url);
  const profilePath = join(directory, "heap.heapprofile");
  const samplerFlags = values.sites ? [`--import=${fileURLToPath(new URL("./gateway/heap-sampler.js", import.meta.url))}`] : [];
  const switchyard = await startSwitchyard(root, created.configPath, { ...BENCH_ENV, HEAP_SAMPLE_OUT: profilePath }, undefined, ["--trace-gc-nvp", ...samplerFlags, ...flagList(values["gateway-node-flags"])]);
  children.push(switchyard);
  const common = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
  const targets: Array<{ child: Child; target: Target }> = [
    { child: switchyard, target: { name: "switchyard", origin: switchyard.url, path: "/v1/messages", headers: { ...common, "x-api-key": created.key } } },
  ];
  if (!values["no-floor"]) {
    const floor = await startMinimalProxy(fileURLToPath(new URL("./gateway/minimal-proxy.js", import.meta.url)), emulator.url, undefined, ["--trace-gc-nvp"]);
    children.push(floor);
    targets.push({ child: floor, target: { name: "minimal-proxy", origin: floor.url, path: "/v1/messages", headers: { ...common, "x-api-key": "sk-emulator" } } });
  }
  const rows: Row[] = [];
  const sites: Record<string, ReturnType<typeof allocationSites>> = {};
  for (const mode of ["json", "stream"] as const) {
    for (const { child, target } of targets) {
      log(`${target.name} ${mode}: ${warmupMs / 1000} s warm-up, ${durationMs / 1000} s window, ${concurrency} connections…`);
      const sampled = values.sites && child === switchyard;
      if (sampled) rmSync(profilePath, { force: true });
      rows.push(await measure(child, target, mode, sampled ? () => child.process.kill("SIGUSR2") : undefined));
      if (sampled) {
        // The sampler writes the profile on the second signal: wait for this window's file.
        for (let waited = 0; !existsSync(profilePath); waited += 50) {
          if (waited > 10_000) throw new Error("the heap profile was not written within 10 s");
          await new Promise((done) => setTimeout(done, 50));
        }
        sites[mode] = allocationSites(JSON.parse(readFileSync(profilePath, "utf8")) as { head: HeapNode }, root);
      }
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rows, sites }, null, 2)}\n`);
  } else {
    const kb = (bytes: number) => (bytes / 1024).toFixed(1);
    process.stdout.write(
      `${table(
        ["gateway", "mode", "requests", "KB allocated/request (±)", "other threads KB/req", "KB promoted/request", "scavenges", "scavenge pause ms/1,000 req", "other GCs (pause ms/1,000 req)"],
        rows.map((row) => [
          row.gateway,
          row.mode,
          integer(row.requests),
          `${kb(row.bytesPerRequest)} (±${kb(row.edgeBytesPerRequest)})`,
          kb(row.otherThreadsBytesPerRequest),
          (row.promotedPerRequest / 1024).toFixed(2),
          integer(row.scavenges),
          row.scavengePauseMsPer1000.toFixed(1),
          `${row.otherGcs} (${row.otherGcPauseMsPer1000.toFixed(1)})`,
        ]),
      )}\n`,
    );
    for (const [mode, result] of Object.entries(sites)) {
      const lines = (list: Site[]) => list.map((site) => [site.name, `${(site.share * 100).toFixed(1)}%`]);
      process.stdout.write(`\nSwitchyard ${mode}: allocation sites over the window (sampled, ${integer(result.total / 1024)} KB in the samples)\n`);
      process.stdout.write(`${table(["allocating function", "share"], lines(result.self))}\n\n`);
      process.stdout.write(`${table(["innermost project function on the stack", "share"], lines(result.project))}\n`);
    }
  }
} finally {
  await Promise.all(children.map((child) => child.stop()));
  rmSync(directory, { recursive: true, force: true });
}
