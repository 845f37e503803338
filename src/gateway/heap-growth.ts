/**
 * How far V8 lets the old generation grow before its next full (mark-compact) GC. A gateway's old
 * generation holds a steady ~40 MB (code, the catalog, caches) and gains a little with every
 * request that lives through two scavenges. V8 sizes the next limit from how cheap its last full GC
 * was: cheap, so it allowed only a little more, and at 1,000 requests/s a full GC came about every
 * 25 s, each stopping the event loop for 8–17 ms (up to 22 ms, and single marking steps of up to 20
 * ms on a busy core). A 15 ms stop holds up some 15 requests at that rate: a p99 over a few seconds
 * is made of such stops. With `--heap-growing-percent=300` (a factor of 4, V8's own maximum) the
 * only full GCs left under that load were the memory reducer's, which V8 forces when none has run
 * for about 100 s; the heap peaked at the same 83 MB used, since a gateway promotes little
 * (docs/BENCHMARKS.md, "Full GCs"; decision 0017). The memory reducer stays: it can only be turned
 * off when the process starts, and it gives memory back after a burst.
 *
 * An operator's own setting (`node --heap-growing-percent=N bin/switchyard serve`; 0 gives V8's
 * own choice back) is left as it is. NODE_OPTIONS cannot carry it: Node refuses V8 flags it does
 * not list there.
 */
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 300;

/** The flag serve sets, or undefined when the process was started with its own. */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  const own = execArgv.some((argument) => /^--heap[-_]growing[-_]percent\b/.test(argument));
  return own ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/**
 * With one CPU for the whole process (CPU affinity: `taskset`, a cpuset; `availableParallelism()`
 * does not see a cgroup CPU quota), V8's GC helper threads can only run in front of the event
 * loop. `--single-threaded-gc` does that work on the event loop instead; V8 takes it only at
 * start-up (set later, a GC crashes on a check), so serve can only suggest it. Measured at 1,000 requests/s on one pinned core (docs/BENCHMARKS.md, "One
 * core: single-threaded GC"): the event loop waited for its core 10 ms/s instead of 14, the other
 * threads ran 27 ms/s instead of 33, for 3–4% more CPU per request at saturation.
 * Returns the line to print, or undefined (more than one CPU, or the flag already given).
 */
export function oneCoreGcHint(execArgv: readonly string[], parallelism: number): string | undefined {
  // --single-threaded implies --single-threaded-gc.
  if (parallelism > 1 || execArgv.some((argument) => /^--single[-_]threaded(?:[-_]gc)?(?:=|$)/.test(argument))) return undefined;
  return "one CPU for this process: `node --single-threaded-gc bin/switchyard serve` keeps V8's GC threads from running in front of the event loop (docs/GATEWAY.md, \"Node flags\")";
}

/** Sets the heap growth for this process (see above); returns the flag set, if any. */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): string | undefined {
  const flag = heapGrowthFlag(execArgv);
  if (flag) setFlagsFromString(flag);
  return flag;
}
