/**
 * Reading V8's memory traces for `bench:alloc`: the lines `node --trace-gc-nvp` prints (one per
 * GC), and a sampling heap profile's allocation sites.
 */

/** One `--trace-gc-nvp` line's figures. */
export interface GcEvent {
  isolate: string;
  kind: string;
  pauseMs: number;
  allocated: number;
  promoted: number;
}

/** Parses a `--trace-gc-nvp` line ("[pid:0xisolate]  N ms: pause=… gc=s … allocated=… promoted=…"); undefined for other output. */
export function parseGcLine(line: string): GcEvent | undefined {
  const head = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: pause=/.exec(line);
  if (!head) return undefined;
  const field = (name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1];
  const allocated = Number(field("allocated"));
  const promoted = Number(field("promoted"));
  const pauseMs = Number(field("pause"));
  if (!Number.isFinite(allocated) || !Number.isFinite(promoted) || !Number.isFinite(pauseMs)) return undefined;
  return { isolate: head[1] as string, kind: field("gc") ?? "?", pauseMs, allocated, promoted };
}

/**
 * The event loop's isolate among a process's GC events: --trace-gc-nvp prints for every isolate,
 * worker threads' too, and the event loop's is the one that allocated most (its pauses are the
 * ones requests wait out). Undefined for no events.
 */
export function mainIsolate(events: readonly GcEvent[]): string | undefined {
  const byIsolate = new Map<string, number>();
  for (const event of events) byIsolate.set(event.isolate, (byIsolate.get(event.isolate) ?? 0) + event.allocated);
  let main: string | undefined;
  for (const [isolate, bytes] of byIsolate) if (main === undefined || bytes > (byIsolate.get(main) ?? 0)) main = isolate;
  return main;
}

export interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

export interface Site {
  name: string;
  bytes: number;
  share: number;
}

function frameName(frame: HeapNode["callFrame"], root: string): string {
  const path = frame.url.replace(/^file:\/\//, "").replace(`${root}/`, "");
  return `${frame.functionName || "(anonymous)"} ${path ? `${path}:${frame.lineNumber + 1}` : "(native)"}`;
}

/** The sampled bytes by allocating function, and by the innermost project function (dist/src/) on the stack. */
export function allocationSites(profile: { head: HeapNode }, root: string, top = 25): { self: Site[]; project: Site[]; total: number } {
  const self = new Map<string, number>();
  const project = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node: HeapNode, innermostProject: string | undefined) => {
    const own = node.callFrame.url.includes("/dist/src/") ? frameName(node.callFrame, root) : innermostProject;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(self, frameName(node.callFrame, root), node.selfSize);
      add(project, own ?? "(no project frame)", node.selfSize);
    }
    for (const child of node.children) walk(child, own);
  };
  walk(profile.head, undefined);
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytes, share: bytes / total }));
  return { self: ranked(self), project: ranked(project), total };
}

