/**
 * The benchmark's load generator (bench/gateway/load.ts): the open loop keeps its rate and charges
 * a slow server from the scheduled time, and the paired loop sends every slot to both targets and
 * measures each side from that slot's one scheduled time.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { makePool, openLoop, pairedOpenLoop, type Target } from "../../bench/gateway/load.js";

/** A server answering every POST after `delayMs`, counting what it received. */
async function server(delayMs: number): Promise<{ server: Server; target: Target; received: () => number }> {
  let received = 0;
  const instance = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received += 1;
      setTimeout(() => response.end('{"usage":{}}'), delayMs);
    });
  });
  instance.listen(0, "127.0.0.1");
  await once(instance, "listening");
  const { port } = instance.address() as AddressInfo;
  return { server: instance, target: { name: `delay-${delayMs}`, origin: `http://127.0.0.1:${port}`, path: "/v1/messages", headers: { "content-type": "application/json" } }, received: () => received };
}

let fast: Awaited<ReturnType<typeof server>>;
let slow: Awaited<ReturnType<typeof server>>;
before(async () => {
  fast = await server(0);
  slow = await server(20);
});
after(() => {
  fast.server.close();
  slow.server.close();
});

test("the open loop sends rate × duration requests after the warm-up, and counts a slow server's time in each", async () => {
  const pool = makePool(slow.target.origin, 16);
  try {
    const before = slow.received();
    const result = await openLoop(pool, slow.target, "{}", { rate: 100, warmupMs: 100, durationMs: 300 });
    assert.equal(result.sent, 30);
    assert.equal(result.samples.length, 30);
    assert.equal(result.failures.length, 0);
    assert.equal(slow.received() - before, 40, "warm-up requests are sent but not measured");
    for (const sample of result.samples) assert.ok(sample.total >= 19, `a 20 ms server cannot answer in ${sample.total} ms`);
  } finally {
    await pool.close();
  }
});

test("a stalled generator still charges each request from its slot's scheduled time (no coordinated omission)", async () => {
  const pool = makePool(fast.target.origin, 16);
  try {
    // Block this process's event loop for 80 ms once the measured part has begun: the slots due
    // meanwhile leave late, and their latency must include that lateness.
    const stall = setTimeout(() => {
      const until = performance.now() + 80;
      while (performance.now() < until);
    }, 150);
    const result = await openLoop(pool, fast.target, "{}", { rate: 100, warmupMs: 100, durationMs: 300 });
    clearTimeout(stall);
    assert.equal(result.sent, 30, "the slots due during the stall are sent after it, not dropped");
    const late = result.samples.filter((sample) => sample.lag >= 40);
    assert.ok(late.length >= 3, `several slots left late (lags ${result.samples.map((sample) => sample.lag.toFixed(0)).join(",")})`);
    for (const sample of late) assert.ok(sample.total >= sample.lag, `a late request's latency (${sample.total} ms) includes its lateness (${sample.lag} ms)`);
    const worst = Math.max(...result.samples.map((sample) => sample.total));
    assert.ok(worst >= 60, `the stall shows in the latency (worst ${worst} ms), though the server answers at once`);
  } finally {
    await pool.close();
  }
});

test("the paired loop sends each slot to both targets and measures both sides from the same scheduled time", async () => {
  const directPool = makePool(fast.target.origin, 16);
  const gatewayPool = makePool(slow.target.origin, 16);
  try {
    const [fastBefore, slowBefore] = [fast.received(), slow.received()];
    const result = await pairedOpenLoop({ pool: directPool, target: fast.target }, { pool: gatewayPool, target: slow.target }, "{}", { rate: 100, warmupMs: 50, durationMs: 300 });
    assert.equal(result.sent, 30);
    assert.equal(result.pairs.length, 30);
    assert.equal(result.failures.length, 0);
    assert.equal(fast.received() - fastBefore, 35);
    assert.equal(slow.received() - slowBefore, 35);
    for (const pair of result.pairs) {
      // From the slot's scheduled time, the 20 ms server cannot answer sooner (libuv may fire a timer under a ms early).
      assert.ok(pair.gateway.total >= 19, `the slow side answered after ${pair.gateway.total} ms`);
    }
    // Both sides of a slot leave together (a median: the OS may deschedule this process between the two sends).
    const apart = result.pairs.map((pair) => Math.abs(pair.gateway.lag - pair.direct.lag)).sort((a, b) => a - b);
    assert.ok((apart[Math.floor(apart.length / 2)] as number) < 2, `sides of a slot left ${apart.join(",")} ms apart`);
    // Per slot, the slow side is about 20 ms behind (a median: a stall of this busy test machine can delay either side).
    const differences = result.pairs.map((pair) => pair.gateway.total - pair.direct.total).sort((a, b) => a - b);
    const middle = differences[Math.floor(differences.length / 2)] as number;
    assert.ok(middle >= 15 && middle < 60, `median difference ${middle} ms`);
  } finally {
    await Promise.all([directPool.close(), gatewayPool.close()]);
  }
});

test("a side that fails is counted as a failure of that side, and its slot is not a pair", async () => {
  const broken = createServer((request, response) => {
    request.resume();
    response.statusCode = 500;
    response.end("boom");
  });
  broken.listen(0, "127.0.0.1");
  await once(broken, "listening");
  const { port } = broken.address() as AddressInfo;
  const target: Target = { name: "broken", origin: `http://127.0.0.1:${port}`, path: "/", headers: {} };
  const directPool = makePool(fast.target.origin, 4);
  const gatewayPool = makePool(target.origin, 4);
  try {
    const result = await pairedOpenLoop({ pool: directPool, target: fast.target }, { pool: gatewayPool, target }, "{}", { rate: 100, warmupMs: 0, durationMs: 100 });
    assert.equal(result.pairs.length, 0);
    assert.equal(result.failures.length, 10);
    assert.deepEqual(new Set(result.failures.map((failure) => `${failure.side} ${failure.status} ${failure.detail}`)), new Set(["gateway 500 boom"]));
  } finally {
    await Promise.all([directPool.close(), gatewayPool.close()]);
    broken.close();
  }
});
