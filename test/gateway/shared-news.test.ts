/**
 * Replicas telling each other about deployments through Redis (src/gateway/shared-news.ts): a
 * circuit one replica opens is open on the others, an upstream's retry-after cools the deployment
 * everywhere, and a field one replica saw refused sends the others' requests elsewhere first.
 * Unit tests of the health book's and field refusals' news first, then two real gateways.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { Redis } from "ioredis";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { startBedrockEmulator } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { parseNews } from "../../src/gateway/shared-news.js";
import { startGateway, type RunningGateway } from "../../src/gateway/start-gateway.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import { FieldRefusals, refusalScope, type RefusalScope } from "../../src/routing/field-refusals.js";
import { DEFAULT_HEALTH, HealthBook, type HealthNews } from "../../src/routing/health.js";
import { eventually } from "../helpers/eventually.js";
import { catalog, EMULATOR_ENV, emulatorProviders, readHealth, upstreamRequests } from "../helpers/gateway-harness.js";
import type { HealthAnswer } from "../../src/gateway/health-answer.js";
import { REDIS_URL } from "../helpers/redis.js";

/** A /v1/messages request without anthropic-beta. */
const MESSAGES = refusalScope("messages", []);

describe("news a replica tells and hears", () => {
  test("the health book tells when a breaker opens and closes and when a deployment cools; hearing it does the same", () => {
    let now = 1_000_000;
    const told: Array<[string, HealthNews]> = [];
    const settings = { ...DEFAULT_HEALTH, failureThreshold: 2, cooldownMs: 5_000 };
    const a = new HealthBook(settings, () => now);
    const b = new HealthBook(settings, () => now);
    a.tell = (deployment, news) => told.push([deployment, news]);
    a.record("d", "failure");
    assert.deepEqual(told, [], "one failure is not news");
    a.record("d", "failure");
    assert.deepEqual(told, [["d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }]]);
    b.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "replica-a");
    assert.equal(b.snapshot().get("d")?.unavailable, true, "open on the replica that heard it");
    // The half-open probe succeeds on A: closed everywhere.
    now += 5_000;
    a.begin("d");
    a.record("d", "success", { ttftMs: 10, totalMs: 20 });
    assert.deepEqual(told.at(-1), ["d", { kind: "closed" }]);
    b.hear("d", { kind: "closed" }, "replica-a");
    assert.equal(b.snapshot().get("d")?.state, "closed");
    // A retry-after cools; a second one that reaches less than a second further is not news again.
    told.length = 0;
    a.record("d", "throttled", { retryAfterMs: 30_000 });
    a.record("d", "throttled", { retryAfterMs: 30_500 });
    assert.deepEqual(told, [["d", { kind: "cooling", forMs: 30_000 }]]);
    b.hear("d", { kind: "cooling", forMs: 30_000 }, "replica-a");
    now += 100;
    assert.match(b.snapshot().get("d")?.unavailableReason ?? "", /cooling after retry-after/);
    // Shorter news does not shorten what is known; a heard cooling is not told again by the
    // replica that heard it when its own throttle reaches less than a second further.
    const echoes: HealthNews[] = [];
    b.tell = (_deployment, news) => echoes.push(news);
    b.hear("d", { kind: "cooling", forMs: 1 }, "replica-a");
    assert.ok((b.snapshot().get("d")?.coolingUntil ?? 0) >= now + 29_000);
    b.record("d", "throttled", { retryAfterMs: 30_000 });
    assert.deepEqual(echoes, []);
    b.record("d", "throttled", { retryAfterMs: 45_000 });
    assert.deepEqual(echoes, [{ kind: "cooling", forMs: 45_000 }], "a second and more further is news");
  });

  test("a throttle without retry-after is this replica's own guess, not news; heard news is capped at max_cooldown_ms", () => {
    const now = 5_000_000;
    const told: HealthNews[] = [];
    const a = new HealthBook({ ...DEFAULT_HEALTH, maxCooldownMs: 60_000 }, () => now);
    a.tell = (_deployment, news) => told.push(news);
    a.record("d", "throttled");
    assert.deepEqual(told, []);
    a.hear("d", { kind: "opened", forMs: 86_400_000, cooldownMs: 86_400_000 }, "replica-a");
    assert.equal(a.snapshot().get("d")?.openUntil, now + 60_000);
    a.hear("e", { kind: "cooling", forMs: 86_400_000 }, "replica-a");
    assert.equal(a.snapshot().get("e")?.coolingUntil, now + 60_000);
    // A retry-after far ahead (an HTTP date) cools for max_cooldown_ms at most, here too.
    a.record("f", "throttled", { retryAfterMs: 3_600_000 });
    assert.equal(a.snapshot().get("f")?.coolingUntil, now + 60_000);
  });

  test("a success of a request sent before the circuit opened does not close it (here or, by news, anywhere)", () => {
    let now = 1_000_000;
    const told: HealthNews[] = [];
    const a = new HealthBook({ ...DEFAULT_HEALTH, failureThreshold: 1, cooldownMs: 5_000 }, () => now);
    a.tell = (_deployment, news) => told.push(news);
    const streamBegan = a.begin("d");
    a.record("d", "failure");
    assert.equal(told[0]?.kind, "opened");
    // A stream that began before the circuit opened ends well now (cut short by its client: no total time).
    now += 100;
    a.record("d", "success", { ttftMs: 200, attempt: streamBegan });
    assert.equal(a.snapshot().get("d")?.state, "open");
    assert.equal(told.length, 1, "no closed news");
    // One sent while open (every deployment was unhealthy: the last resort) that succeeds closes it.
    now += 100;
    const lastResort = a.begin("d");
    a.record("d", "success", { ttftMs: 20, totalMs: 50, attempt: lastResort });
    assert.equal(a.snapshot().get("d")?.state, "closed");
    assert.deepEqual(told.at(-1), { kind: "closed" });
    // The same holds for a circuit opened by news.
    const before = a.begin("d");
    now += 10;
    a.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "replica-a");
    now += 10;
    a.record("d", "success", { ttftMs: 20, attempt: before });
    assert.equal(a.snapshot().get("d")?.state, "open");
    // Nor does one that began before, ending while the half-open probe is out.
    now += 5_000;
    const probe = a.begin("d");
    a.record("d", "success", { ttftMs: 20, attempt: before });
    assert.equal(a.snapshot().get("d")?.state, "half_open");
    assert.equal(a.snapshot().get("d")?.unavailableReason, "circuit half-open: a probe is in flight", "the old stream is not the probe: a second one must not start");
    // Nor does an old one failing re-open it (and double the cooldown) while the probe is out.
    a.record("d", "failure", { totalMs: 20, attempt: before });
    assert.equal(a.snapshot().get("d")?.state, "half_open");
    assert.equal(a.snapshot().get("d")?.unavailableReason, "circuit half-open: a probe is in flight");
    a.record("d", "success", { ttftMs: 20, attempt: probe });
    assert.equal(a.snapshot().get("d")?.state, "closed");
    // Closed again, old attempts failing one after another do not open it (failureThreshold is 1 here).
    now += 100;
    a.record("d", "failure", { totalMs: 20, attempt: before });
    assert.equal(a.snapshot().get("d")?.state, "closed", "an attempt begun before the outage is not the next one");
    assert.equal(a.snapshot().get("d")?.failures, 3, "still counted in the totals");
    a.record("d", "failure", { totalMs: 20, attempt: a.begin("d") });
    assert.equal(a.snapshot().get("d")?.state, "open", "a fresh failure opens it");
  });

  test("a replica whose path alone is broken (its own credentials, its own network) keeps its doubled cooldown, and cannot keep the deployment open on replicas that reach it", () => {
    let now = 1_000_000;
    const settings = { ...DEFAULT_HEALTH, failureThreshold: 2, cooldownMs: 5_000 };
    const a = new HealthBook(settings, () => now);
    const b = new HealthBook(settings, () => now);
    const fromA: HealthNews[] = [];
    const fromB: HealthNews[] = [];
    a.tell = (_deployment, news) => fromA.push(news);
    b.tell = (_deployment, news) => fromB.push(news);
    // A fails on its own: open for 5 s, and so is B, by A's news.
    a.record("d", "failure", { attempt: a.begin("d") });
    a.record("d", "failure", { attempt: a.begin("d") });
    b.hear("d", fromA.at(-1) as HealthNews, "a");
    assert.equal(b.snapshot().get("d")?.state, "open");
    // B's probe succeeds: closed on B, which now doubts A's openings.
    now += 5_000;
    b.record("d", "success", { ttftMs: 10, totalMs: 20, attempt: b.begin("d") });
    assert.deepEqual(fromB.at(-1), { kind: "closed" });
    a.hear("d", { kind: "closed" }, "b");
    // A's own probe fails again: reopened for twice as long, and told; B does not apply it.
    a.record("d", "failure", { attempt: a.begin("d") });
    assert.deepEqual(fromA.at(-1), { kind: "opened", forMs: 10_000, cooldownMs: 10_000 });
    b.hear("d", fromA.at(-1) as HealthNews, "a");
    assert.equal(b.snapshot().get("d")?.state, "closed", "B reaches the deployment: A's news is not applied");
    // News of a close heard while A's own opening runs: A probes at once, keeping its cooldown,
    // so a path still broken fails once (not failure_threshold times) and backs off further.
    now += 1_000;
    a.hear("d", { kind: "closed" }, "c");
    assert.equal(a.snapshot().get("d")?.state, "half_open", "not closed by news: probed at once");
    a.record("d", "failure", { attempt: a.begin("d") });
    assert.deepEqual(fromA.at(-1), { kind: "opened", forMs: 20_000, cooldownMs: 20_000 });
    // One stray failure on B does not end the doubt; failures enough to open B's own circuit do.
    b.record("d", "failure", { attempt: b.begin("d") });
    b.hear("d", fromA.at(-1) as HealthNews, "a");
    assert.equal(b.snapshot().get("d")?.state, "closed", "one timeout is not an outage");
    b.record("d", "failure", { attempt: b.begin("d") });
    assert.equal(b.snapshot().get("d")?.state, "open", "B's own circuit");
    now += 5_000;
    b.record("d", "success", { ttftMs: 10, attempt: b.begin("d") });
    b.hear("d", fromA.at(-1) as HealthNews, "a");
    assert.equal(b.snapshot().get("d")?.state, "open", "A believed again");
    // News of an opening does not take over a circuit this replica opened and is probing.
    const own = new HealthBook(settings, () => now);
    own.record("d", "failure", { attempt: own.begin("d") });
    own.record("d", "failure", { attempt: own.begin("d") });
    now += 5_000;
    own.begin("d");
    own.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    own.hear("d", { kind: "closed" }, "a");
    assert.notEqual(own.snapshot().get("d")?.state, "closed", "still its own: probed, not closed by news");
    // Opened by A's news, half-open, then opened again by B's: a success here doubts B, the last teller, not A.
    const heard = new HealthBook(settings, () => now);
    heard.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    now += 5_000;
    heard.begin("d");
    heard.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "b");
    now += 5_000;
    heard.record("d", "success", { ttftMs: 10, attempt: heard.begin("d") });
    heard.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    assert.equal(heard.snapshot().get("d")?.state, "open", "A is still believed");
    heard.hear("d", { kind: "closed" }, "a");
    heard.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "b");
    assert.equal(heard.snapshot().get("d")?.state, "closed", "B is doubted");
    // And A telling closed (its path mended) ends the doubt too.
    const c = new HealthBook(settings, () => now);
    c.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    now += 5_000;
    c.record("d", "success", { ttftMs: 10, attempt: c.begin("d") });
    c.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    assert.equal(c.snapshot().get("d")?.state, "closed", "doubted");
    c.hear("d", { kind: "closed" }, "a");
    c.hear("d", { kind: "opened", forMs: 5_000, cooldownMs: 5_000 }, "a");
    assert.equal(c.snapshot().get("d")?.state, "open", "believed again");
  });

  test("field refusals tell only what is new, as learned paths; hearing one demotes the deployment", () => {
    let told: Array<[string, RefusalScope, string[], number]> = [];
    const a = new FieldRefusals();
    a.tell = (deployment, scope, fields, forMs) => told.push([deployment, scope, fields, forMs]);
    const body = { tools: [{ name: "x" }, { name: "y", defer_loading: true }] };
    a.learn("bedrock", MESSAGES, ["tools.1.custom.defer_loading"], body, 0);
    assert.deepEqual(told, [["bedrock", MESSAGES, ["tools.*.defer_loading"], 3_600_000]]);
    told = [];
    a.learn("bedrock", MESSAGES, ["tools.1.custom.defer_loading"], body, 10);
    assert.deepEqual(told, [], "known already");
    const b = new FieldRefusals();
    b.hear("bedrock", MESSAGES, ["tools.*.defer_loading"], 60_000, 0);
    const ranked = [{ deployment: { id: "bedrock" } }, { deployment: { id: "anthropic" } }];
    assert.deepEqual(b.demote(ranked, MESSAGES, body, 1)?.triedLast, [{ deployment: "bedrock", field: "tools.*.defer_loading" }]);
    assert.equal(b.demote(ranked, MESSAGES, body, 60_001), undefined, "for as long as the news said");
    // Shorter news does not shorten what this replica learned itself.
    a.hear("bedrock", MESSAGES, ["tools.*.defer_loading"], 1_000, 20);
    assert.equal(a.list("bedrock", 20)[0]?.until, 3_600_010, "its own, from the second refusal at 10");
  });

  test("a refusal of more fields at once than a deployment keeps tells only those it keeps", () => {
    const told: string[][] = [];
    const a = new FieldRefusals(3_600_000, 4);
    a.tell = (_deployment, _scope, fields) => told.push(fields);
    a.learn("bedrock", MESSAGES, ["a", "b", "c", "d", "e", "f"], {}, 0);
    assert.deepEqual(told, [["c", "d", "e", "f"]]);
  });

  test("a message on the channel is news only in the shape a replica sends", () => {
    assert.deepEqual(parseNews(JSON.stringify({ from: "r", deployment: "d", health: { kind: "opened", forMs: 5, cooldownMs: 5 } }))?.deployment, "d");
    const refused = { fields: ["tools.*.defer_loading"], forMs: 5, endpoint: "messages", betas: ["context-management-2025-06-27"] };
    assert.deepEqual(parseNews(JSON.stringify({ from: "r", deployment: "d", refusal: refused })), { from: "r", deployment: "d", refused });
    // As the versions that first sent a scope named it.
    assert.deepEqual(parseNews(JSON.stringify({ from: "r", deployment: "d", refused })), { from: "r", deployment: "d", refused });
    assert.deepEqual((parseNews(JSON.stringify({ from: "r", deployment: "d", health: { kind: "cooling", forMs: 1e12 } })) as { health: HealthNews }).health, { kind: "cooling", forMs: 1e12 }, "the hearer caps it (max_cooldown_ms)");
    for (const junk of [
      "not json",
      "{}",
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "opened", forMs: -1, cooldownMs: 5 } }),
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "sideways" } }),
      JSON.stringify({ from: "r", deployment: "", health: { kind: "closed" } }),
      // A refusal that does not say which requests it concerns (an earlier version's) would apply to all of them.
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 5 } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 5, endpoint: "messages" } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 5, endpoint: "batches", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 5, endpoint: "messages", betas: [""] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 5, endpoint: "messages", betas: Array.from({ length: 65 }, (_, index) => `b${index}`) } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: [], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: [7], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: "5", endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x"], forMs: 0, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: Array.from({ length: 65 }, (_, index) => `f${index}`), forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refused: { fields: ["x".repeat(257)], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "opened", forMs: 5 } }),
      JSON.stringify({ from: "r", deployment: "d", health: null }),
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "closed" }, refused: { fields: ["x"], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "closed" }, refusal: { fields: ["x"], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refusal: { fields: ["x"], forMs: 5, endpoint: "messages", betas: [] }, refused: { fields: ["y"], forMs: 5, endpoint: "messages", betas: [] } }),
      JSON.stringify({ from: "r", deployment: "d", refusal: { fields: ["x"], forMs: 5 } }),
      JSON.stringify({ from: "r", deployment: "d", health: { kind: "closed" }, padding: "x".repeat(40_000) }),
    ]) {
      assert.equal(parseNews(junk), undefined, junk);
    }
  });
});

describe("two gateways sharing one Redis", () => {
  const keyPrefix = `switchyard-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
  let anthropic: RunningEmulator;
  let bedrock: RunningEmulator;
  const directory = mkdtempSync(join(tmpdir(), "switchyard-shared-news-"));
  const replicas: { gateway: RunningGateway; ledger: Ledger; client: Anthropic }[] = [];

  async function startReplica(name: string): Promise<{ gateway: RunningGateway; ledger: Ledger; client: Anthropic }> {
    const ledger = await openLedger({ kind: "sqlite", path: join(directory, `${name}.db`), flushIntervalMs: 10 });
    const key = newApiKey({ name: "k", monthly_budget_usd: null, allowed_models: [], tags: {} });
    await ledger.keys.create(key.record);
    const config = `
listen: { host: 127.0.0.1, port: 0 }
admin_key_env: TEST_ADMIN_KEY
redis: { url_env: TEST_REDIS_URL, key_prefix: "${keyPrefix}" }
routing: { policy: ordered, health: { failure_threshold: 2, cooldown_ms: 60000 } }
${emulatorProviders(anthropic, bedrock)}
deployments:
  - { id: anthropic-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global }
  - { id: bedrock-sonnet-us, provider: bedrock-emulator, model: claude-sonnet-4-6, route: us }
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
  - { id: bedrock-haiku, provider: bedrock-emulator, model: claude-haiku-4-5, route: global }
models:
  anthropic-first: [anthropic-sonnet, bedrock-sonnet-us]
  bedrock-first: [bedrock-sonnet-us, anthropic-sonnet]
  haiku-bedrock-first: [bedrock-haiku, anthropic-haiku]
`;
    const gateway = await startGateway({
      config: parseGatewayConfig(config, `${name}.yaml`, catalog()),
      catalog: catalog(),
      ledger,
      env: { ...EMULATOR_ENV, TEST_ADMIN_KEY: "admin", TEST_REDIS_URL: REDIS_URL },
      port: 0,
    });
    const replica = { gateway, ledger, client: new Anthropic({ apiKey: key.secret, baseURL: gateway.url, maxRetries: 0 }) };
    replicas.push(replica);
    return replica;
  }

  async function healthOf(gateway: RunningGateway, deployment: string): Promise<HealthAnswer["deployments"][number] | undefined> {
    return (await readHealth(gateway.url, "admin")).deployments.find((entry) => entry.deployment === deployment);
  }

  const ask = (client: Anthropic, model: string, extra: Record<string, unknown> = {}) =>
    client.messages.create({ model, max_tokens: 8, messages: [{ role: "user", content: "hello" }], ...extra } as Anthropic.MessageCreateParamsNonStreaming).withResponse();

  let a: { gateway: RunningGateway; client: Anthropic };
  let b: { gateway: RunningGateway; client: Anthropic };
  before(async () => {
    anthropic = await startAnthropicEmulator();
    bedrock = await startBedrockEmulator({ region: "us-east-1" });
    a = await startReplica("a");
    b = await startReplica("b");
  });
  after(async () => {
    for (const { gateway, ledger } of replicas) {
      await gateway.close();
      await ledger.close();
    }
    await Promise.all([anthropic.close(), bedrock.close()]);
    rmSync(directory, { recursive: true, force: true });
  });

  test("a field one replica saw refused sends the other replica's requests elsewhere first", async () => {
    // Bedrock refuses a custom tool's defer_loading (what Claude Code sends).
    const tools = [{ name: "lookup", description: "Looks a word up", input_schema: { type: "object", properties: {} }, defer_loading: true }];
    // What goes on the channel, as a replica of an earlier version reads it.
    const listener = new Redis(REDIS_URL);
    const onChannel: Record<string, unknown>[] = [];
    listener.on("message", (_channel: string, text: string) => onChannel.push(JSON.parse(text) as Record<string, unknown>));
    try {
      await listener.subscribe(`${keyPrefix}deployments`);
      const first = await ask(a.client, "bedrock-first", { tools });
      assert.equal(first.response.headers.get("x-switchyard-attempts"), "2");
      await eventually(async () => ((await healthOf(b.gateway, "bedrock-sonnet-us"))?.refused_fields.length ? true : undefined), "replica B to hear of the refusal");
      await eventually(async () => (onChannel.some((message) => "refusal" in message) ? true : undefined), "the refusal on the channel");
    } finally {
      listener.disconnect();
    }
    // A replica from before refusals had a scope read `refused` as applying to every request.
    assert.ok(onChannel.every((message) => !("refused" in message)), JSON.stringify(onChannel));
    const before = upstreamRequests(bedrock);
    const second = await ask(b.client, "bedrock-first", { tools });
    assert.equal(second.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
    assert.equal(second.response.headers.get("x-switchyard-attempts"), "1", "B never tried Bedrock with the field");
    assert.equal(upstreamRequests(bedrock), before);
  });

  test("a refusal travels with the kind of request it was learned in: a count_tokens refusal of max_tokens leaves the other replica's Messages requests alone", async () => {
    const counted = await fetch(`${a.gateway.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "x-api-key": a.client.apiKey ?? "", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ model: "anthropic-first", max_tokens: 8, messages: [{ role: "user", content: "hello" }] }),
    });
    assert.equal(counted.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us", await counted.text());
    const heard = await eventually(async () => {
      const refused = (await healthOf(b.gateway, "anthropic-sonnet"))?.refused_fields ?? [];
      return refused.length > 0 ? refused : undefined;
    }, "replica B to hear of the refusal");
    const { response } = await ask(b.client, "anthropic-first");
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
    assert.equal(response.headers.get("x-switchyard-attempts"), "1");
    assert.deepEqual(
      heard.map(({ field, endpoint, betas }) => ({ field, endpoint, betas })),
      [{ field: "max_tokens", endpoint: "count_tokens", betas: [] }],
    );
  });

  test("an upstream's retry-after cools the deployment on every replica", async () => {
    anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 429, retryAfterSeconds: 30 }, count: 1 }] });
    try {
      const first = await ask(a.client, "anthropic-first");
      assert.equal(first.response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
      const cooled = await eventually(async () => {
        const health = await healthOf(b.gateway, "anthropic-sonnet");
        return health?.available === false ? health : undefined;
      }, "replica B to cool the Anthropic deployment");
      assert.match(cooled.reason ?? "", /cooling after retry-after/);
      const before = upstreamRequests(anthropic);
      const second = await ask(b.client, "anthropic-first");
      assert.equal(second.response.headers.get("x-switchyard-attempts"), "1");
      assert.equal(upstreamRequests(anthropic), before, "B left the throttled account alone");
    } finally {
      anthropic.setProfile("instant");
    }
  });

  test("a circuit one replica opened is open on the other, which never saw a failure", async () => {
    bedrock.setProfile({ rules: [{ fault: { kind: "error", status: 500 }, probability: 1 }] });
    try {
      for (let index = 0; index < 2; index += 1) {
        const { response } = await ask(a.client, "haiku-bedrock-first");
        assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
      }
      assert.equal((await healthOf(a.gateway, "bedrock-haiku"))?.state, "open");
      await eventually(async () => ((await healthOf(b.gateway, "bedrock-haiku"))?.state === "open" ? true : undefined), "replica B to open its circuit");
      const before = upstreamRequests(bedrock);
      const { response } = await ask(b.client, "haiku-bedrock-first");
      assert.equal(response.headers.get("x-switchyard-attempts"), "1");
      assert.equal(upstreamRequests(bedrock), before);
    } finally {
      bedrock.setProfile("instant");
    }
  });
});
