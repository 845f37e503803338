/** serve's heap growth setting (src/gateway/heap-growth.ts): set unless the operator set their own. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { heapGrowthFlag, HEAP_GROWING_PERCENT } from "../../src/gateway/heap-growth.js";

test("serve sets the heap growth factor unless the node flags set one", () => {
  assert.equal(heapGrowthFlag([]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(["--enable-source-maps", "--max-old-space-size=512"]), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  assert.equal(heapGrowthFlag(["--heap-growing-percent=50"]), undefined);
  assert.equal(heapGrowthFlag(["--heap_growing_percent=0"]), undefined);
});
