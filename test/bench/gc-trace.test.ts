/** bench:alloc's readers (bench/gateway/gc-trace.ts), on this Node's own --trace-gc-nvp output and a heap profile's shape. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { allocationSites, mainIsolate, parseGcLine, type GcEvent, type HeapNode } from "../../bench/gateway/gc-trace.js";

test("the allocated bytes of every --trace-gc-nvp line add up to what the program allocated", () => {
  // 1,024 arrays of 8,192 doubles (64 KB of elements each, and the smaller ones they start as), dying young.
  const program = "let kept; for (let i = 0; i < 1024; i += 1) { kept = new Array(8192); for (let j = 0; j < 8192; j += 1) kept[j] = j + 0.5; } console.log(kept.length)";
  const output = execFileSync(process.execPath, ["--trace-gc-nvp", "--max-semi-space-size=1", "-e", program], { encoding: "utf8" });
  const events = output.split("\n").map(parseGcLine).filter((event) => event !== undefined);
  assert.ok(events.length >= 5, `expected several GCs, got ${events.length}:\n${output.slice(0, 500)}`);
  const scavenges = events.filter((event) => event.kind === "s");
  assert.ok(scavenges.length > 0, "young-generation GCs are kind s");
  const allocated = events.reduce((total, event) => total + event.allocated, 0);
  // At least the 64 MB of doubles; not absurdly more (166 MB on Node 20: each array starts with small-integer elements).
  assert.ok(allocated > 64 * 1024 * 1024 && allocated < 400e6, `allocated ${allocated} bytes`);
  for (const event of events) {
    assert.match(event.isolate, /^0x[0-9a-f]+$/);
    assert.ok(event.pauseMs >= 0 && event.promoted >= 0);
  }
});

test("the event loop's isolate is the one that allocated most: a worker's GC lines are told apart", () => {
  const event = (isolate: string, allocated: number): GcEvent => ({ isolate, kind: "s", pauseMs: 0.5, allocated, promoted: 0 });
  assert.equal(mainIsolate([event("0xworker", 900), event("0xmain", 600), event("0xmain", 600), event("0xworker", 100)]), "0xmain");
  assert.equal(mainIsolate([]), undefined);
});

test("other output is not a GC line", () => {
  assert.equal(parseGcLine("switchyard gateway listening on http://127.0.0.1:1234"), undefined);
  assert.equal(parseGcLine("[1:0x1]    5 ms: Scavenge 1.0 (2.0) -> 0.5 (2.0) MB, 0.3 / 0.0 ms"), undefined, "--trace-gc's short form has no allocated=");
});

test("allocation sites: bytes by allocating function and by the innermost project function on the stack", () => {
  const frame = (functionName: string, url: string): HeapNode["callFrame"] => ({ functionName, url, lineNumber: 9 });
  const profile: { head: HeapNode } = {
    head: {
      callFrame: frame("(root)", ""),
      selfSize: 0,
      children: [
        {
          callFrame: frame("handle", "file:///repo/dist/src/gateway/messages.js"),
          selfSize: 100,
          children: [{ callFrame: frame("stringify", ""), selfSize: 300, children: [] }],
        },
        { callFrame: frame("onData", "file:///repo/node_modules/undici/x.js"), selfSize: 600, children: [] },
      ],
    },
  };
  const sites = allocationSites(profile, "/repo");
  assert.equal(sites.total, 1000);
  assert.deepEqual(
    sites.self.map((site) => [site.name, site.share]),
    [
      ["onData node_modules/undici/x.js:10", 0.6],
      ["stringify (native)", 0.3],
      ["handle dist/src/gateway/messages.js:10", 0.1],
    ],
  );
  assert.deepEqual(
    sites.project.map((site) => [site.name, site.bytes]),
    [
      ["(no project frame)", 600],
      ["handle dist/src/gateway/messages.js:10", 400],
    ],
  );
});
