/**
 * Starting and stopping a gateway: a start that fails (its port taken) undoes what it had started —
 * Redis connections, the key and budget refresh timers, upstream connection pools — so the process
 * is left as it was; close() drains and may be called twice. Sockets and servers are counted with
 * process.getActiveResourcesInfo(); timers with an async hook, since the refresh timers are unref'd
 * and that list leaves them out.
 */
import { createHook } from "node:async_hooks";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { catalog } from "../helpers/gateway-harness.js";
import { REDIS_URL } from "../helpers/redis.js";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startGateway, type RunningGateway, type StartGatewayOptions } from "../../src/gateway/start-gateway.js";
import { openLedger } from "../../src/ledger/open-ledger.js";

const CONFIG = `
listen: { host: 127.0.0.1, port: 0 }
admin_key_env: TEST_ADMIN_KEY
redis: { url_env: TEST_REDIS_URL, key_prefix: "switchyard-start-stop-${process.pid}:" }
budgets: { refresh_ms: 50 }
providers:
  fake-anthropic: { kind: anthropic, base_url: "http://127.0.0.1:9", api_key_env: TEST_FAKE_KEY }
deployments:
  - { id: fake-haiku, provider: fake-anthropic, model: claude-haiku-4-5, route: global }
`;
const ENV = { TEST_FAKE_KEY: "sk-fake", TEST_ADMIN_KEY: "admin", TEST_REDIS_URL: REDIS_URL };

/** What keeps the event loop alive (sockets, timers), as counts by kind. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Timers (setTimeout, setInterval, ref'd or not) created since the hook was enabled and neither fired nor cleared. */
const liveTimers = new Set<number>();
const timerHook = createHook({
  init(asyncId, type) {
    if (type === "Timeout") liveTimers.add(asyncId);
  },
  destroy(asyncId) {
    liveTimers.delete(asyncId);
  },
});

/** Resources of a kind there are more of now than in `before`, and timers still live ("" when none): what a start or stop left behind. */
function leftSince(before: Map<string, number>): string {
  const left = [...activeResources()]
    .filter(([kind, count]) => count > (before.get(kind) ?? 0))
    .map(([kind, count]) => `${kind} ×${count - (before.get(kind) ?? 0)}`);
  if (liveTimers.size > 0) left.push(`timers ×${liveTimers.size}`);
  return left.join(", ");
}

/** Runs `body` with the timer hook on, counting only the timers created meanwhile. */
async function watchingTimers(body: () => Promise<void>): Promise<void> {
  liveTimers.clear();
  timerHook.enable();
  try {
    await body();
  } finally {
    timerHook.disable();
  }
}

/**
 * Waits until nothing is left since `before` (closed sockets leave the list on a later turn of the
 * event loop, and a timer's destroy hook runs after it fires). Its own sleeps are made with the
 * timer hook off, so they are not counted.
 */
async function nothingLeftSince(before: Map<string, number>): Promise<void> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const left = leftSince(before);
    if (left === "") return;
    if (performance.now() > deadline) assert.fail(`left behind: ${left}`);
    timerHook.disable();
    const pause = sleep(10);
    timerHook.enable();
    await pause;
  }
}

/**
 * Runs `body` with a fresh SQLite ledger and `start` (startGateway on that ledger, the test config
 * and `options`), counting timers; then checks that nothing it started is left.
 */
async function leavesNothing(body: (start: (options?: Partial<StartGatewayOptions>) => Promise<RunningGateway>) => Promise<void>): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-start-stop-"));
  const ledger = await openLedger({ kind: "sqlite", path: join(directory, "ledger.db") });
  try {
    const before = activeResources();
    await watchingTimers(async () => {
      await body((options) => startGateway({ config: parseGatewayConfig(CONFIG, "start-stop.yaml", catalog()), catalog: catalog(), ledger, env: ENV, port: 0, keyRefreshMs: 50, ...options }));
      await nothingLeftSince(before);
    });
  } finally {
    await ledger.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

test("a gateway whose port is taken fails to start with EADDRINUSE and leaves no sockets or timers behind", async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
  try {
    await leavesNothing(async (start) => {
      await assert.rejects(start({ port: (squatter.address() as AddressInfo).port }), (error: NodeJS.ErrnoException) => error.code === "EADDRINUSE");
    });
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
});

test("close() stops a started gateway completely, and a second close() does nothing", async () => {
  await leavesNothing(async (start) => {
    const gateway = await start();
    try {
      const health = await fetch(`${gateway.url}/v1/switchyard/health`, { headers: { "x-api-key": "admin" } });
      assert.equal(health.status, 200, await health.text());
      assert.equal(gateway.app.server.listening, true);
    } finally {
      await gateway.close();
    }
    assert.equal(gateway.app.server.listening, false);
    await gateway.close();
  });
});

test("close() runs every step of the stop even when one fails, and then throws that failure", async () => {
  await leavesNothing(async (start) => {
    // The server's close fails; the steps undone after it (budgets, keys, Redis, upstream pools) must still run.
    const gateway = await start({
      extraRoutes: (app) => {
        app.addHook("onClose", async () => {
          throw new Error("a route's close failed");
        });
      },
    });
    await assert.rejects(gateway.close(), /a route's close failed/);
  });
});
