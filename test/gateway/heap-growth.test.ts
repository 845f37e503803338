/** serve's GC settings (src/gateway/heap-growth.ts): the heap growth it sets unless the operator set their own, and the one-core hint. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { heapGrowthFlag, HEAP_GROWING_PERCENT, oneCoreGcHint } from "../../src/gateway/heap-growth.js";

test("serve sets the heap growth factor unless the node flags set one", () => {
  assert.equal(heapGrowthFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(["--enable-source-maps", "--max-old-space-size=512"]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(["--heap-growing-percent=50"]), undefined);
  assert.equal(heapGrowthFlag(["--heap_growing_percent=0"]), undefined);
});

test("with one CPU for the process serve suggests single-threaded GC, unless it has it or more CPUs", () => {
  assert.match(oneCoreGcHint([], 1) ?? "", /node --single-threaded-gc bin\/switchyard serve/);
  assert.match(oneCoreGcHint(["--heap-growing-percent=50"], 1) ?? "", /single-threaded-gc/);
  assert.equal(oneCoreGcHint([], 2), undefined);
  assert.equal(oneCoreGcHint(["--single-threaded-gc"], 1), undefined);
  assert.equal(oneCoreGcHint(["--single_threaded_gc"], 1), undefined);
  assert.equal(oneCoreGcHint(["--single-threaded"], 1), undefined, "it implies single-threaded GC");
  assert.match(oneCoreGcHint(["--single-threaded-gc-in-background"], 1) ?? "", /single-threaded-gc/, "another flag");
});
