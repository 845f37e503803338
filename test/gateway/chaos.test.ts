/**
 * Chaos: the emulators' fault scripts against the gateway. Each test asserts what the client saw,
 * which deployments served, and what the ledger holds.
 */
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import type { Attempt } from "../../src/routing/health.js";
import { CLAUDE_CODE_BETAS } from "../helpers/claude-code.js";
import { readHealth, startHarness, upstreamRequests, type Harness } from "../helpers/gateway-harness.js";

const CHAOS_DEPLOYMENTS = `deployments:
  - { id: anthropic-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global, drop_fields: [frequency_penalty] }
  - { id: bedrock-sonnet, provider: bedrock-emulator, model: claude-sonnet-4-6, route: global }
  - { id: bedrock-sonnet-us, provider: bedrock-emulator, model: claude-sonnet-4-6, route: us }
models:
  anthropic-first: [anthropic-sonnet, bedrock-sonnet]
  bedrock-first: [bedrock-sonnet, anthropic-sonnet]
  bedrock-only: [bedrock-sonnet]
keys:
  limited: { requests_per_minute: 2 }
  eu-only: { residency: eu }
`;

let harness: Harness;
let client: Anthropic;
const ask = (model: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
  client.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: `chaos ${Math.random()}` }], ...extra }).withResponse();

async function rowOf(response: Response): Promise<LedgerRow> {
  const requestId = response.headers.get("request-id");
  assert.ok(requestId);
  await harness.ledger.writer.flush();
  const row = await harness.ledger.store.get(requestId);
  assert.ok(row);
  return row;
}

before(async () => {
  harness = await startHarness({
    deployments: CHAOS_DEPLOYMENTS.replace(/keys:[\s\S]*$/, ""),
    extra: CHAOS_DEPLOYMENTS.slice(CHAOS_DEPLOYMENTS.indexOf("keys:")),
    policy: "ordered",
    // A throttle without retry-after cools for 30 s: long enough that a slow machine cannot see it end within a test.
    routing: "health: { failure_threshold: 3, cooldown_ms: 400, min_samples: 100, throttle_cooldown_ms: 30000 }",
    timeouts: "timeouts: { connect_ms: 1000, first_byte_ms: 400, total_ms: 10000 }",
  });
  client = harness.client();
});
after(async () => harness.close());
// Each scenario starts from a clean health book; cooling and open circuits are what they test.
beforeEach(() => harness.gateway.state.health.reset());

describe("chaos", () => {
  test("a throttle burst on Bedrock: the request fails over, then Bedrock cools (it sends no retry-after)", async () => {
    harness.bedrock.setProfile({ rules: [{ fault: { kind: "error", status: 429 }, window: { durationMs: 30_000 } }] });
    try {
      const first = await ask("bedrock-first");
      assert.equal(first.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
      const firstRow = await rowOf(first.response);
      assert.deepEqual(firstRow.attempts.map((attempt) => [attempt.deployment, attempt.status, attempt.error]), [
        ["bedrock-sonnet", 429, "rate_limited"],
        ["anthropic-sonnet", 200, null],
      ]);
      const bedrockCallsBefore = upstreamRequests(harness.bedrock);
      const second = await ask("bedrock-first");
      assert.equal((await rowOf(second.response)).attempts.length, 1, "Bedrock is skipped while it cools");
      assert.equal(upstreamRequests(harness.bedrock), bedrockCallsBefore);
    } finally {
      harness.bedrock.setProfile("instant");
    }
  });

  test("an outage answered with 529 + retry-after: one failover, then the provider is skipped while it cools", async () => {
    harness.anthropic.setProfile("outage");
    try {
      const first = await ask("anthropic-first");
      assert.equal(first.response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");
      assert.equal(first.response.headers.get("x-switchyard-attempts"), "2");
      const anthropicCalls = upstreamRequests(harness.anthropic);
      for (let index = 0; index < 3; index += 1) {
        const { response } = await ask("anthropic-first");
        assert.equal(response.headers.get("x-switchyard-attempts"), "1");
      }
      assert.equal(upstreamRequests(harness.anthropic), anthropicCalls, "no request went to the provider in outage while it cooled");
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("repeated 500s open the circuit; traffic goes straight to the healthy provider; a half-open probe closes it", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 500 }, probability: 1 }] });
    try {
      for (let index = 0; index < 3; index += 1) {
        const { response } = await ask("anthropic-first");
        assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");
        assert.equal(response.headers.get("x-switchyard-attempts"), "2");
      }
      const health = await readHealth(harness.gateway.url, harness.adminKey);
      const anthropic = health.deployments.find((entry) => entry.deployment === "anthropic-sonnet");
      assert.equal(anthropic?.state, "open");
      assert.equal(anthropic?.available, false);
      assert.equal(anthropic?.failures, 3);
      const { response } = await ask("anthropic-first");
      assert.equal(response.headers.get("x-switchyard-attempts"), "1", "the open circuit is skipped");
    } finally {
      harness.anthropic.setProfile("instant");
    }
    await new Promise((resolve) => setTimeout(resolve, 450));
    const { response } = await ask("anthropic-first");
    assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet", "the half-open probe succeeds and closes the circuit");
  });

  test("a half-open probe ended by the request's own fault (a 400) leaves the next request free to probe; every attempt tells health when it began", async () => {
    const health = harness.gateway.state.health;
    const recorded: { deployment: string; outcome: string; attempt: Attempt | undefined }[] = [];
    const record = health.record.bind(health);
    health.record = (deployment, outcome, timing = {}) => {
      recorded.push({ deployment, outcome, attempt: timing.attempt });
      record(deployment, outcome, timing);
    };
    try {
      harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 500 }, probability: 1 }] });
      try {
        for (let index = 0; index < 3; index += 1) await ask("anthropic-first");
      } finally {
        harness.anthropic.setProfile("instant");
      }
      const failures = recorded.filter((entry) => entry.deployment === "anthropic-sonnet");
      assert.deepEqual(failures.map((entry) => entry.outcome), ["failure", "failure", "failure"]);
      for (const entry of failures) assert.equal(entry.attempt?.deployment, "anthropic-sonnet", "a failure hands back its attempt: one begun before the circuit opened must not re-open it");
      assert.equal(health.snapshot().get("anthropic-sonnet")?.state, "open", "three 500s opened it");
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(health.snapshot().get("anthropic-sonnet")?.state, "half_open");
      const anthropicCalls = upstreamRequests(harness.anthropic);
      // The probe goes out with a request the upstream refuses as the client's fault: no failover, no health news.
      harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 400 }, count: 1 }] });
      try {
        await assert.rejects(ask("anthropic-first"), (error: unknown) => error instanceof Anthropic.BadRequestError);
      } finally {
        harness.anthropic.setProfile("instant");
      }
      assert.equal(upstreamRequests(harness.anthropic), anthropicCalls + 1, "the 400 was the half-open deployment's probe");
      assert.equal(health.snapshot().get("anthropic-sonnet")?.state, "half_open", "a 400 neither closes nor re-opens it");
      const { response } = await ask("anthropic-first");
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet", "the next request probes (and closes the circuit), not skipped behind a probe that ended");
      assert.equal(response.headers.get("x-switchyard-attempts"), "1");
    } finally {
      health.record = record;
    }
  });

  test("a stream's stalled first byte times out and fails over", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 3000 }, count: 1 }] });
    try {
      const { data: stream, response } = await client.messages.create({ model: "anthropic-first", max_tokens: 16, stream: true, messages: [{ role: "user", content: `chaos ${Math.random()}` }] }).withResponse();
      for await (const _event of stream);
      assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");
      const row = await rowOf(response);
      assert.equal(row.attempts[0]?.error, "timeout");
      // The timed-out attempt may have been billed for what it processed: the answer's cost is a lower bound.
      assert.equal(row.cost_exact, false);
      assert.equal(row.cost_usd_upper, null);
      assert.ok(row.cost_usd !== null && Number(row.cost_usd) > 0, String(row.cost_usd));
      assert.ok(row.warnings.some((warning) => warning.startsWith("the attempt on anthropic-sonnet ended without an answer (timeout)")), row.warnings.join("; "));
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a JSON answer cut off after its 200 fails over, and the row says the cut attempt may have been billed", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "reset", phase: "mid_stream" }, streaming: false, count: 1 }] });
    try {
      const { response } = await ask("anthropic-first");
      assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");
      assert.equal(response.headers.get("x-switchyard-cost-exact"), "false");
      const row = await rowOf(response);
      assert.deepEqual(
        row.attempts.map(({ deployment, status, error }) => ({ deployment, status, error })),
        [
          { deployment: "anthropic-sonnet", status: 200, error: "connection" },
          { deployment: "bedrock-sonnet", status: 200, error: null },
        ],
      );
      assert.equal(row.cost_exact, false);
      assert.equal(row.cost_usd_upper, null);
      assert.ok(row.warnings.some((warning) => warning.startsWith("the attempt on anthropic-sonnet failed after its 200 (connection): if the upstream had begun on it, it may bill")), row.warnings.join("; "));
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a JSON answer that takes longer than first_byte_ms is waited for: its headers come only once it is whole", async () => {
    // first_byte_ms is 400 here (undici's coarse timer fires it after about a second).
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "stall", phase: "before_headers", ms: 1_800 }, count: 1 }] });
    try {
      const { response } = await ask("anthropic-first");
      assert.equal(response.headers.get("x-switchyard-deployment"), "anthropic-sonnet", "not failed over (and paid for twice)");
      assert.equal(response.headers.get("x-switchyard-attempts"), "1");
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a reset mid-stream reaches the client as a stream error, is not failed over, and is recorded", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "reset", phase: "mid_stream" }, streaming: true, count: 1 }] });
    try {
      const stream = client.messages.stream({ model: "anthropic-first", max_tokens: 200, messages: [{ role: "user", content: "a long answer please" }] });
      await assert.rejects(stream.finalMessage(), (error: unknown) => error instanceof Anthropic.APIError || error instanceof Error);
      await harness.ledger.writer.flush();
      const rows = await harness.ledger.store.recent(3);
      const row = rows.find((candidate) => candidate.stream && candidate.warnings.some((warning) => /stream ended early/.test(warning)));
      assert.ok(row, "the broken stream is in the ledger");
      assert.equal(row.attempts.length, 1, "no failover once bytes were sent");
      assert.equal(row.deployment, "anthropic-sonnet");
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a 529 storm: every request is still answered, by Bedrock", async () => {
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 529 }, probability: 1, window: { durationMs: 60_000 } }] });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => ask("anthropic-first")));
      for (const { response } of results) assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");
    } finally {
      harness.anthropic.setProfile("instant");
      await new Promise((resolve) => setTimeout(resolve, 450));
    }
  });

  test("residency: a request that no deployment can serve in its region gets a 400 naming the constraint, never a silent fallback", async () => {
    await assert.rejects(
      client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-route": "residency=eu" } }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /residency=eu/.test(error.message),
    );
    const { response } = await client.messages
      .create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-route": "residency=us" } })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
    // a key whose settings pin it to the EU cannot be lifted by the request
    const { secret } = await harness.createKey({ name: "eu-only" });
    const euClient = harness.client(secret);
    await assert.rejects(
      euClient.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-route": "residency=us" } }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /conflicts/.test(error.message),
    );
  });

  test("residency holds for count_tokens too: the prompt is counted only where it may go", async () => {
    const anthropicCalls = upstreamRequests(harness.anthropic);
    await assert.rejects(
      client.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-route": "residency=eu" } }),
      (error: unknown) => error instanceof Anthropic.BadRequestError && /no deployment of claude-sonnet-4-6 can count this request: anthropic-sonnet fails residency=eu/.test(error.message),
    );
    assert.equal(upstreamRequests(harness.anthropic), anthropicCalls, "the prompt went nowhere");
    const { response } = await client.messages.countTokens({ model: "claude-sonnet-4-6", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-route": "residency=us" } }).withResponse();
    assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us", "not the global deployments listed before it");
  });

  test("per-key rate limits are answered like the Anthropic API (429, retry-after, anthropic-ratelimit-*)", async () => {
    const { secret } = await harness.createKey({ name: "limited" });
    const limited = harness.client(secret);
    const first = await limited.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "1" }] }).withResponse();
    assert.equal(first.response.headers.get("anthropic-ratelimit-requests-limit"), "2");
    await limited.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "2" }] });
    await assert.rejects(limited.messages.create({ model: "claude-sonnet-4-6", max_tokens: 5, messages: [{ role: "user", content: "3" }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.RateLimitError);
      assert.equal(error.headers.get("anthropic-ratelimit-requests-remaining"), "0");
      assert.ok(Number(error.headers.get("retry-after")) >= 1);
      return true;
    });
  });

  test("the deployment holding the cached prefix throttles briefly: the gateway waits for it rather than paying a cache rewrite elsewhere", async () => {
    const system = [{ type: "text" as const, text: "Reference manual, chapter one. ".repeat(900), cache_control: { type: "ephemeral" as const } }];
    const first = await client.messages.create({ model: "anthropic-first", max_tokens: 10, system, messages: [{ role: "user", content: "one" }] }).withResponse();
    assert.equal(first.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
    assert.ok((first.data.usage.cache_creation_input_tokens ?? 0) > 0);
    harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 429, retryAfterSeconds: 1 }, count: 1 }] });
    try {
      const started = Date.now();
      // A field the deployment drops: its warning is written once, though the deployment is tried twice.
      const dropped = { frequency_penalty: 0.5 } as Partial<Anthropic.MessageCreateParamsNonStreaming>;
      const second = await client.messages.create({ model: "anthropic-first", max_tokens: 10, system, messages: [{ role: "user", content: "two" }], ...dropped }).withResponse();
      assert.ok(Date.now() - started >= 900, "it waited for the retry-after");
      assert.equal(second.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
      assert.ok((second.data.usage.cache_read_input_tokens ?? 0) > 0, "and read the prefix from cache");
      const row = await rowOf(second.response);
      assert.deepEqual(row.attempts.map((attempt) => [attempt.deployment, attempt.status]), [
        ["anthropic-sonnet", 429],
        ["anthropic-sonnet", 200],
      ]);
      assert.ok(row.warnings.some((warning) => /waited 1000 ms for anthropic-sonnet, which holds the cached prefix/.test(warning)));
      assert.deepEqual(row.warnings.filter((warning) => warning.startsWith("dropped ")), ["dropped frequency_penalty for anthropic-sonnet (its drop_fields)"]);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });

  test("a field Bedrock does not accept: the request fails over to a deployment that takes it, and later ones carrying it try Bedrock last", async () => {
    // What Bedrock answers for a member of the Messages API it does not take (BerriAI/litellm#7416).
    const refuse = () =>
      harness.bedrock.setProfile({
        rules: [{ fault: { kind: "error", status: 400, message: "Malformed input request: #: extraneous key [service_tier] is not permitted, please reformat your input and try again." }, count: 1 }],
      });
    const withField: Partial<Anthropic.MessageCreateParamsNonStreaming> = { service_tier: "standard_only" };
    refuse();
    try {
      const first = await ask("bedrock-first", withField);
      assert.equal(first.response.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
      assert.deepEqual((await rowOf(first.response)).attempts.map((attempt) => [attempt.deployment, attempt.status, attempt.error]), [
        ["bedrock-sonnet", 400, "unsupported"],
        ["anthropic-sonnet", 200, null],
      ]);
      assert.equal(harness.gateway.state.health.snapshot().get("bedrock-sonnet")?.unavailable ?? false, false, "a refused field says nothing about Bedrock's health");
      const health = await readHealth(harness.gateway.url, harness.adminKey);
      const refused = health.deployments.find((entry) => entry.deployment === "bedrock-sonnet")?.refused_fields;
      assert.deepEqual(refused?.map((refusal) => refusal.field), ["service_tier"], "the health endpoint shows what Bedrock refused");
      assert.ok(Date.parse(refused?.[0]?.until ?? "") > Date.now() + 3_000_000, "for about an hour");

      // Bedrock's refusal is remembered: the next request with the field goes straight to the Anthropic API.
      const bedrockCalls = upstreamRequests(harness.bedrock);
      const second = await ask("bedrock-first", withField);
      const secondRow = await rowOf(second.response);
      assert.deepEqual(secondRow.attempts.map((attempt) => attempt.deployment), ["anthropic-sonnet"]);
      assert.ok(secondRow.warnings.includes("moved bedrock-sonnet last: it refused service_tier on an earlier request"), secondRow.warnings.join("; "));
      assert.equal(upstreamRequests(harness.bedrock), bedrockCalls);
      // A request without the field still goes to Bedrock first.
      const plain = await ask("bedrock-first");
      assert.equal(plain.response.headers.get("x-switchyard-deployment"), "bedrock-sonnet");

      // With no other deployment, Bedrock is still tried, and its 400 reaches the client naming the field.
      refuse();
      await assert.rejects(ask("bedrock-only", withField), (error: unknown) => {
        assert.ok(error instanceof Anthropic.BadRequestError);
        assert.match(error.message, /extraneous key \[service_tier\] is not permitted/);
        return true;
      });
    } finally {
      harness.bedrock.setProfile("instant");
    }
  });

  test("a Claude Code request on a Bedrock-first route: betas left off Bedrock, its deferred tool refused there, served by the Anthropic API, and the next one goes there first", async () => {
    // The shape Claude Code sends: its betas, a deferred tool, a cached system prompt, a user id, a stream.
    const request = {
      model: "bedrock-first",
      max_tokens: 32,
      system: [{ type: "text" as const, text: "You are Claude Code.", cache_control: { type: "ephemeral" as const } }],
      messages: [{ role: "user" as const, content: "list the files" }],
      tools: [{ name: "Glob", description: "Finds files", input_schema: { type: "object" as const, properties: {} }, defer_loading: true }],
      metadata: { user_id: "user_0f3a_account__session_7c1e" },
      betas: CLAUDE_CODE_BETAS,
    } as Anthropic.Beta.MessageCreateParamsStreaming;
    const first = client.beta.messages.stream(request);
    const answered = await first.finalMessage();
    assert.equal(answered.type, "message");
    const firstResponse = (await first.withResponse()).response;
    assert.equal(firstResponse.headers.get("x-switchyard-deployment"), "anthropic-sonnet");
    const firstRow = await rowOf(firstResponse);
    assert.deepEqual(firstRow.attempts.map((attempt) => [attempt.deployment, attempt.error]), [
      ["bedrock-sonnet", "unsupported"],
      ["anthropic-sonnet", null],
    ]);
    assert.ok(firstRow.warnings.some((warning) => warning.startsWith("left anthropic-beta thinking-token-count-2026-05-13, mid-conversation-system-2026-04-07")), firstRow.warnings.join("; "));

    const bedrockCalls = upstreamRequests(harness.bedrock);
    const second = client.beta.messages.stream(request);
    await second.finalMessage();
    const secondRow = await rowOf((await second.withResponse()).response);
    assert.deepEqual(secondRow.attempts.map((attempt) => attempt.deployment), ["anthropic-sonnet"]);
    assert.ok(secondRow.warnings.includes("moved bedrock-sonnet last: it refused tools.*.defer_loading on an earlier request"), secondRow.warnings.join("; "));
    assert.equal(upstreamRequests(harness.bedrock), bedrockCalls);
  });

  test("SSE is forwarded as it arrives, not buffered until the upstream finishes", async () => {
    harness.anthropic.setProfile({ latency: { ttftMs: { p50: 0, p99: 0 }, interTokenMs: { p50: 25, p99: 25 } } });
    try {
      const started = performance.now();
      let firstDelta: number | undefined;
      const stream = client.messages.stream({ model: "anthropic-first", max_tokens: 40, messages: [{ role: "user", content: "tell me a story" }] });
      stream.on("streamEvent", (event) => {
        if (event.type === "content_block_delta" && firstDelta === undefined) firstDelta = performance.now() - started;
      });
      await stream.finalMessage();
      const total = performance.now() - started;
      assert.ok(firstDelta !== undefined);
      assert.ok(total > 500, `the emulator paces ~40 tokens at 25 ms (took ${total.toFixed(0)} ms)`);
      assert.ok(firstDelta < total / 3, `first delta at ${firstDelta.toFixed(0)} ms of ${total.toFixed(0)} ms: chunks pass through as they come`);
    } finally {
      harness.anthropic.setProfile("instant");
    }
  });
});

