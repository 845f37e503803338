/**
 * Child processes of the gateway benchmark: the Anthropic emulator, the Switchyard gateway and the
 * Portkey gateway, each a separate `node` process that this module spawns, pins to a CPU (taskset),
 * waits for, reads the CPU time of (/proc/<pid>/stat) and stops.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds used so far by a process (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

/** Scheduler times of a process's threads so far, in ms (from each thread's /proc/<pid>/task/<tid>/schedstat). */
export interface ThreadTimes {
  /** The main thread (the event loop): time on a CPU, and time runnable but waiting for one. */
  mainRunMs: number;
  mainWaitMs: number;
  /** Every other thread together (V8's helpers, libuv's pool, worker threads such as the ledger's insert thread). */
  otherRunMs: number;
}

/** `procRoot` is /proc, or a directory laid out like it (tests). */
export function threadTimes(pid: number, procRoot = "/proc"): ThreadTimes | undefined {
  const times: ThreadTimes = { mainRunMs: 0, mainWaitMs: 0, otherRunMs: 0 };
  let tids: string[];
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    let fields: number[];
    try {
      fields = readFileSync(`${procRoot}/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number);
    } catch {
      continue; // the thread ended meanwhile
    }
    const [runNs = 0, waitNs = 0] = fields;
    if (tid === String(pid)) {
      times.mainRunMs = runNs / 1e6;
      times.mainWaitMs = waitNs / 1e6;
    } else {
      times.otherRunMs += runNs / 1e6;
    }
  }
  return times;
}

/** Busy CPU seconds of the whole machine so far (all CPUs), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / ticksPerSecond();
}

export function taskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of an existing process (the benchmark itself) to the given CPU list. */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
}

/** A free loopback port (for children that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  url: string;
  /** Everything it printed, for error messages. */
  output(): string;
  /** SIGINT, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  /** Arguments after `node` (script and flags). */
  args: string[];
  nodeFlags?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** CPU list for taskset -c, or undefined for no pinning. */
  cpus?: string | undefined;
  /** Finds the URL in the output printed so far, or returns undefined to keep waiting. */
  ready: (output: string) => string | undefined | Promise<string | undefined>;
  timeoutMs?: number;
}

export async function spawnChild(options: SpawnOptions): Promise<Child> {
  const nodeArgs = [...(options.nodeFlags ?? []), ...options.args];
  // taskset execs node in place, so the pid we get is node's.
  const child = options.cpus !== undefined ? spawn("taskset", ["-c", options.cpus, process.execPath, ...nodeArgs], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] }) : spawn(process.execPath, nodeArgs, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    if (output.length < 1 << 20) output += text;
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    if (output.length < 1 << 20) output += text;
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (exited) return;
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) throw new Error(`${options.name} exited before it was ready:\n${output}`);
    const url = await options.ready(output);
    if (url) return { name: options.name, process: child, pid: child.pid ?? 0, url, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop(1_000);
      throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The built-in Anthropic emulator: `switchyard emulate anthropic --port 0 --profile instant --json`. */
export function startEmulator(root: string, cpus: string | undefined): Promise<Child> {
  return spawnChild({
    name: "emulator",
    args: [`${root}/bin/switchyard`, "emulate", "anthropic", "--host", "127.0.0.1", "--port", "0", "--profile", "instant", "--json"],
    cwd: root,
    cpus,
    ready: (output) => {
      const start = output.indexOf("{");
      if (start < 0) return undefined;
      try {
        return (JSON.parse(output.slice(start)) as { url: string }).url;
      } catch {
        return undefined;
      }
    },
  });
}

/** `switchyard serve --config FILE`: prints "switchyard gateway listening on URL" once listening. */
export function startSwitchyard(root: string, configPath: string, env: NodeJS.ProcessEnv, cpus: string | undefined, nodeFlags: string[]): Promise<Child> {
  return spawnChild({
    name: "switchyard",
    args: [`${root}/bin/switchyard`, "serve", "--config", configPath],
    nodeFlags,
    cwd: root,
    env: { ...process.env, ...env },
    cpus,
    ready: (output) => /switchyard gateway listening on (http:\/\/\S+)/.exec(output)?.[1],
  });
}

/** Portkey's Node server (`build/start-server.js --port=N --headless`); it answers GET / once up. */
export async function startPortkey(entry: string, cpus: string | undefined, nodeFlags: string[]): Promise<Child> {
  if (!existsSync(entry)) throw new Error(`Portkey is not installed at ${entry}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return spawnChild({
    name: "portkey",
    args: [entry, `--port=${port}`, "--headless"],
    nodeFlags,
    env: { ...process.env },
    cpus,
    ready: async () => {
      try {
        const response = await fetch(`${url}/`);
        return response.ok && (await response.text()).includes("AI Gateway") ? url : undefined;
      } catch {
        return undefined;
      }
    },
  });
}

/** The floor: bench/gateway/minimal-proxy.ts (node:http + JSON.parse + undici), compiled next to this file. */
export function startMinimalProxy(script: string, upstream: string, cpus: string | undefined, nodeFlags: string[]): Promise<Child> {
  return spawnChild({
    name: "minimal-proxy",
    args: [script, "--upstream", upstream, "--port", "0"],
    nodeFlags,
    cpus,
    ready: (output) => /minimal proxy listening on (http:\/\/\S+)/.exec(output)?.[1],
  });
}
