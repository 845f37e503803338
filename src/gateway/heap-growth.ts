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

/** Sets the heap growth for this process (see above); returns the flag set, if any. */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): string | undefined {
  const flag = heapGrowthFlag(execArgv);
  if (flag) setFlagsFromString(flag);
  return flag;
}
