/**
 * Gateway replicas sharing one PostgreSQL ledger (each with its own journal) and one Redis:
 * - a key's monthly budget counts what all of them spent: each replica reloads the key's spend
 *   from the ledger (`budgets.refresh_ms`), so a replica that last saw the key under budget refuses
 *   it once another replica's spend has reached the ledger — before any upstream call;
 * - a key's rate limit is one bucket in Redis, whichever replica serves the request.
 */
import { after, before, test } from "node:test";
import { spawn } from "node:child_process";
import { connect, createServer as createNetServer, type AddressInfo } from "node:net";
import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.js";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Anthropic from "@anthropic-ai/sdk";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { DEFAULT_SHARED_BUDGET_REFRESH_MS, startGateway, type RunningGateway } from "../../src/gateway/start-gateway.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { formatUsd, parseUsd } from "../../src/pricing/money.js";
import { catalog, readHealth, upstreamRequests } from "../helpers/gateway-harness.js";
import type { HealthAnswer } from "../../src/gateway/health-answer.js";
import { postgresTestLedger, type TestLedger } from "../ledger/test-ledgers.js";
import { REDIS_URL } from "../helpers/redis.js";
import { cachePrefixes } from "../../src/routing/cache-prefixes.js";

const REFRESH_MS = 100;

let emulator: RunningEmulator;
let shared: TestLedger;
const replicas: { ledger: Ledger; gateway: RunningGateway }[] = [];

async function startReplica(name: string, extraConfig: string, extraEnv: Record<string, string> = {}): Promise<{ ledger: Ledger; gateway: RunningGateway }> {
  if (shared.config.kind !== "postgres") throw new Error("a PostgreSQL test ledger");
  const ledger = await openLedger({ ...shared.config, journalDir: join(shared.dir, `journal-${name}`), flushIntervalMs: 10 });
  const config = `
listen: { host: 127.0.0.1, port: 0 }
admin_key_env: TEST_ADMIN_KEY
providers:
  anthropic-emulator: { kind: anthropic, base_url: "${emulator.url}", api_key_env: TEST_ANTHROPIC_KEY }
deployments:
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
${extraConfig}
`;
  const gateway = await startGateway({
    config: parseGatewayConfig(config, `${name}.yaml`, catalog()),
    catalog: catalog(),
    ledger,
    env: { TEST_ANTHROPIC_KEY: "sk-emulator", TEST_ADMIN_KEY: "admin", TEST_REDIS_URL: REDIS_URL, ...extraEnv },
    port: 0,
    keyRefreshMs: 50,
  });
  const replica = { ledger, gateway };
  replicas.push(replica);
  return replica;
}

before(async () => {
  emulator = await startAnthropicEmulator();
  shared = postgresTestLedger();
});

after(async () => {
  for (const { gateway, ledger } of replicas) {
    await gateway.close();
    await ledger.close();
  }
  await emulator.close();
  await shared.cleanup();
});

/** GET /v1/switchyard/health's shared_state. */
async function sharedState(gateway: RunningGateway): Promise<HealthAnswer["shared_state"]> {
  return (await readHealth(gateway.url, "admin")).shared_state;
}

/** A new key in the shared ledger, known to every replica given. */
async function addKey(name: string, replicasToTell: { ledger: Ledger; gateway: RunningGateway }[], budget: string | null = null): Promise<ReturnType<typeof newApiKey>> {
  const key = newApiKey({ name, monthly_budget_usd: budget, allowed_models: [], tags: {} });
  await replicasToTell[0]?.ledger.keys.create(key.record);
  for (const replica of replicasToTell) await replica.gateway.state.keys.refresh(true);
  return key;
}

function client(gateway: RunningGateway, secret: string): Anthropic {
  return new Anthropic({ baseURL: gateway.url, apiKey: secret, maxRetries: 0 });
}

const ask = (anthropic: Anthropic) =>
  anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 32, messages: [{ role: "user", content: "The same question each time." }] }).withResponse();

test("a key's budget counts what every replica sharing the ledger spent", async () => {
  const a = await startReplica("a", `budgets: { refresh_ms: ${REFRESH_MS} }`);
  const b = await startReplica("b", ""); // the default for a PostgreSQL ledger
  assert.equal(a.ledger.store.shared, true);

  // What one request costs (the emulator answers the same question the same way).
  const probe = await addKey("probe", [a]);
  const cost = parseUsd((await ask(client(a.gateway, probe.secret))).response.headers.get("x-switchyard-cost-usd") ?? "");
  assert.ok(cost > 0n);

  // A budget of one and a half requests.
  const tight = await addKey("shared-budget", [a, b], formatUsd((cost * 3n) / 2n));

  // B serves the first request (spend 0 before it); A serves the second once B's row is in the
  // ledger (A loads the key's spend at its first request: one request's worth, under budget).
  await ask(client(b.gateway, tight.secret));
  await b.ledger.writer.flush();
  await ask(client(a.gateway, tight.secret));
  await a.ledger.writer.flush();

  // B last saw one request's spend; within a reload (every 5 s by default with PostgreSQL) it
  // sees both, and refuses before calling upstream.
  const upstreamBefore = upstreamRequests(emulator);
  const deadline = Date.now() + DEFAULT_SHARED_BUDGET_REFRESH_MS + 2_000;
  let refused: unknown;
  while (Date.now() < deadline) {
    if (b.gateway.state.budgets.spent(tight.record.id, Date.now()) === cost * 2n) break;
    await sleep(50);
  }
  assert.equal(formatUsd(b.gateway.state.budgets.spent(tight.record.id, Date.now()) ?? -1n), formatUsd(cost * 2n), "B counts both requests, exactly");
  const bShared = await sharedState(b.gateway);
  assert.equal(bShared.budgets_refresh_ms, DEFAULT_SHARED_BUDGET_REFRESH_MS);
  assert.ok(bShared.budgets_reloaded_at !== null, "health says when budgets were last reloaded");
  assert.equal(bShared.redis, "off");
  try {
    await ask(client(b.gateway, tight.secret));
  } catch (error) {
    refused = error;
  }
  assert.ok(refused instanceof Anthropic.RateLimitError, `B refuses with a 429 (got ${String(refused)})`);
  assert.match((refused as Error).message, /shared-budget.*monthly budget.*resets/);
  assert.equal(upstreamRequests(emulator), upstreamBefore, "no upstream call for the refused request");
  // A, which saw both requests itself, refuses too.
  await assert.rejects(ask(client(a.gateway, tight.secret)), Anthropic.RateLimitError);
});

test("a key's rate limit is one bucket for every replica (Redis)", async () => {
  const prefix = `switchyard-replicas-${process.pid}-${Date.now()}:`;
  const redisLine = `redis: { url_env: TEST_REDIS_URL, key_prefix: "${prefix}" }\nkeys: { limited: { requests_per_minute: 3 } }`;
  const a = await startReplica("limits-a", redisLine);
  const b = await startReplica("limits-b", redisLine);
  const limited = await addKey("limited", [a, b]);

  const remaining: string[] = [];
  for (const replica of [a, b, a]) {
    const { response } = await ask(client(replica.gateway, limited.secret));
    remaining.push(response.headers.get("anthropic-ratelimit-requests-remaining") ?? "");
  }
  assert.deepEqual(remaining, ["2", "1", "0"], "one bucket, whichever replica answered");
  const upstreamBefore = upstreamRequests(emulator);
  const refused = await ask(client(b.gateway, limited.secret)).catch((error: unknown) => error);
  assert.ok(refused instanceof Anthropic.RateLimitError, `a 429 (got ${String(refused)})`);
  assert.match(refused.message, /rate limit of 3 requests per minute/);
  assert.equal(refused.headers.get("anthropic-ratelimit-requests-remaining"), "0");
  assert.ok(Number(refused.headers.get("retry-after")) >= 1);
  assert.equal(upstreamRequests(emulator), upstreamBefore, "refused before any upstream call");
});

test("which deployment holds a prompt prefix, learnt on one replica, is known to the others (Redis)", async () => {
  const redisLine = `redis: { url_env: TEST_REDIS_URL, key_prefix: "switchyard-replicas-${process.pid}-${Date.now()}:" }`;
  const a = await startReplica("affinity-a", redisLine);
  const b = await startReplica("affinity-b", redisLine);
  const plain = await addKey("plain", [a]);
  const body = {
    model: "claude-haiku-4-5",
    max_tokens: 16,
    system: [{ type: "text" as const, text: "A long shared system prompt. ".repeat(200), cache_control: { type: "ephemeral" as const } }],
    messages: [{ role: "user" as const, content: "Hello" }],
  };
  const prefixes = cachePrefixes(body);
  assert.equal(prefixes.length, 1);
  assert.equal(b.gateway.state.affinity.holdings(prefixes).size, 0);
  await client(a.gateway, plain.secret).messages.create(body);
  await eventually(() => (b.gateway.state.affinity.holdings(prefixes).size > 0 ? true : undefined), "replica b hears of the prefix", 2_000);
  assert.deepEqual([...b.gateway.state.affinity.holdings(prefixes).keys()], ["anthropic-haiku"]);
});

test("Redis going away mid-run: requests keep being served on per-replica limits; sharing resumes when it is back", async () => {
  const port = await freePort();
  const startRedis = () => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let server = startRedis();
  try {
    await waitForRedis(port);
    const redisLine = `redis: { url_env: TEST_OWN_REDIS_URL, command_timeout_ms: 200 }\nkeys: { flaky: { requests_per_minute: 60 } }`;
    const a = await startReplica("flaky-a", redisLine, { TEST_OWN_REDIS_URL: `redis://127.0.0.1:${port}` });
    const flaky = await addKey("flaky", [a]);
    const remaining = async () => Number((await ask(client(a.gateway, flaky.secret))).response.headers.get("anthropic-ratelimit-requests-remaining"));
    assert.deepEqual([await remaining(), await remaining()], [59, 58], "the shared bucket");
    assert.equal((await sharedState(a.gateway)).redis, "connected");
    server.kill("SIGKILL");
    await new Promise((resolve) => server.once("exit", resolve));
    // Every request is still served, from the replica's own bucket (which starts full).
    assert.deepEqual([await remaining(), await remaining(), await remaining()], [59, 58, 57]);
    assert.equal((await sharedState(a.gateway)).redis, "unavailable", "health says limits are per replica now");
    server = startRedis();
    await waitForRedis(port);
    // The client reconnects by itself (backoff up to 2 s) to an empty Redis: a fresh shared bucket
    // answers 59 again, where the replica's own bucket would be below 57 by now.
    const deadline = Date.now() + 10_000;
    let seen = 0;
    while (seen !== 59 && Date.now() < deadline) {
      await sleep(200);
      seen = await remaining();
    }
    assert.equal(seen, 59, "rate limits are shared again once Redis is back");
    assert.equal((await sharedState(a.gateway)).redis, "connected");
  } finally {
    server.kill("SIGKILL");
  }
});

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitForRedis(port: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const ready = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await sleep(50);
  }
}
