/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per function
 * and per source file, the idle and GC pseudo-frames included so the shares add up.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of the busy (non-idle) time. */
  functions: HotSpot[];
  files: HotSpot[];
  /** Time with the function anywhere on the stack (self + callees), for the project's own code (dist/src/). */
  inclusive: HotSpot[];
  idleMs: number;
}

function shortUrl(url: string, root: string): string {
  if (!url) return "(native)";
  let path = url.replace(/^file:\/\//, "");
  if (path.startsWith(root)) path = path.slice(root.length).replace(/^\//, "");
  return path.replace(/^.*node_modules\//, "node_modules/");
}

/**
 * `windows`: only samples taken inside these [start, end] intervals, in microseconds of
 * CLOCK_MONOTONIC (process.hrtime.bigint() / 1000n in any process: V8 stamps its samples with the
 * same clock), so the summary covers the measured load and not start-up.
 */
export function summariseProfile(path: string, root: string, top = 20, windows: Array<[number, number]> = []): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || "(anonymous)"} ${url ? `${shortUrl(url, root)}:${lineNumber + 1}` : ""}`.trim();
  };
  const inclusiveUs = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time from sample i-1 to sample i; sample i is charged until sample i+1.
  let at = profile.startTime;
  const inside = (time: number) => windows.length === 0 || windows.some(([start, end]) => time >= start && time <= end);
  for (let index = 0; index < samples.length; index += 1) {
    at += deltas[index] ?? 0;
    if (!inside(at)) continue;
    const id = samples[index] as number;
    const delta = Math.max(0, deltas[index + 1] ?? 0);
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const node = byId.get(current);
      if (!node || !node.callFrame.url.includes("/dist/src/")) continue;
      const name = label(node);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveUs.set(name, (inclusiveUs.get(name) ?? 0) + delta);
    }
  }
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    if (node.callFrame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const file = shortUrl(node.callFrame.url, root);
    const name = label(node);
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const rank = (map: Map<string, number>): HotSpot[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: rank(functions), files: rank(files), inclusive: rank(inclusiveUs) };
}
