/**
 * A harness gateway with the dashboard and metrics, after seeded traffic through both emulators
 * with the official SDK: several keys with tags and budgets, streams, cached prompts, an unknown
 * model, a spent budget, and failovers that open a circuit.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { registerDashboard } from "../../src/dashboard/register-dashboard.js";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.js";
import { registerMetricsRoute } from "../../src/metrics/metrics-route.js";
import type { LedgerRow } from "../../src/ledger/ledger.js";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

export const METRICS_TOKEN = "test-metrics-token";

export interface SeededGateway {
  harness: Harness;
  metrics: GatewayMetrics;
  keys: { search: string; support: string; data: string; tiny: string };
  /** What the test sent, to compare with what the pages and metrics show. */
  sent: { failovers: number; budgetRefusals: number; unknownModel: number };
  rows(): Promise<LedgerRow[]>;
  close(): Promise<void>;
}

const CACHED_SYSTEM = [{ type: "text" as const, text: "You are a meticulous support assistant for a railway company. ".repeat(300), cache_control: { type: "ephemeral" as const } }];

export async function startSeededGateway(): Promise<SeededGateway> {
  const metrics = new GatewayMetrics({ processMetrics: false });
  const harness = await startHarness({
    // Two failures open a circuit, which then stays open for the whole test.
    routing: "health: { failure_threshold: 2, cooldown_ms: 600000, max_cooldown_ms: 600000, min_samples: 100 }",
    observe: (ledger) => ({
      onRecord: metrics.observe,
      extraRoutes: (app, state) => {
        registerMetricsRoute(app, state, metrics, { keys: ledger.keys, metricsToken: METRICS_TOKEN });
        registerDashboard(app, state, { keys: ledger.keys });
      },
    }),
  });
  const search = await harness.createKey({ name: "search-team", tags: { team: "search" }, budget: "5" });
  const support = await harness.createKey({ name: "support-bot", tags: { team: "support" }, budget: "0.02" });
  const data = await harness.createKey({ name: "data-pipeline", tags: { team: "data" } });
  const tiny = await harness.createKey({ name: "intern-sandbox", tags: { team: "search" }, budget: "0.0001" });
  const client = (secret: string, tags?: string) =>
    new Anthropic({ apiKey: secret, baseURL: harness.gateway.url, maxRetries: 0, ...(tags ? { defaultHeaders: { "x-switchyard-tags": tags } } : {}) });
  const searchClient = client(search.secret, "env=prod");
  const supportClient = client(support.secret, "env=prod");
  const dataClient = client(data.secret, "env=staging");
  const tinyClient = client(tiny.secret);
  const ask = (anthropic: Anthropic, model: string, text: string, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
    anthropic.messages.create({ model, max_tokens: 60, messages: [{ role: "user", content: text }], ...extra });
  const stream = (anthropic: Anthropic, model: string, text: string) => anthropic.messages.stream({ model, max_tokens: 80, messages: [{ role: "user", content: text }] }).finalMessage();

  // Sonnet on the Anthropic API (cheapest), with a cached system prompt: one write, then reads.
  for (let index = 0; index < 4; index += 1) await ask(searchClient, "claude-sonnet-4-6", `Search query ${index}`, { system: CACHED_SYSTEM });
  await ask(searchClient, "claude-sonnet-4-6", "What is a switchyard?");
  // Bedrock: streams on Haiku, Sonnet in the US profile.
  for (let index = 0; index < 3; index += 1) await stream(supportClient, "haiku-via-bedrock", `Ticket ${index}: my train is late`);
  for (let index = 0; index < 2; index += 1) await ask(supportClient, "sonnet-via-bedrock", `Escalation ${index}`);
  // Haiku on the Anthropic API, cached and streamed.
  for (let index = 0; index < 3; index += 1) await ask(dataClient, "haiku-via-anthropic", `Row ${index}`, { system: CACHED_SYSTEM });
  await stream(dataClient, "haiku-via-anthropic", "Summarise the night's batch");
  // Errors: an unknown model (404), a spent budget (429 before any upstream call).
  let unknownModel = 0;
  await assert.rejects(ask(dataClient, "claude-imaginary-9", "hello"), (error: unknown) => error instanceof Anthropic.NotFoundError && ++unknownModel > 0);
  await ask(tinyClient, "haiku-via-anthropic", "First request within budget");
  let budgetRefusals = 0;
  await assert.rejects(ask(tinyClient, "haiku-via-anthropic", "Second request over budget"), (error: unknown) => error instanceof Anthropic.RateLimitError && ++budgetRefusals > 0);
  // The Anthropic API fails with 500s: two requests fail over to Bedrock, and the circuit opens.
  harness.anthropic.setProfile({ rules: [{ fault: { kind: "error", status: 500 }, probability: 1 }] });
  let failovers = 0;
  try {
    for (let index = 0; index < 2; index += 1) {
      const { response } = await ask(searchClient, "sonnet-anthropic-first", `Failover ${index}`).withResponse();
      assert.equal(response.headers.get("x-switchyard-deployment"), "bedrock-sonnet-us");
      failovers += 1;
    }
  } finally {
    harness.anthropic.setProfile("instant");
  }
  await harness.ledger.writer.flush();
  return {
    harness,
    metrics,
    keys: { search: search.id, support: support.id, data: data.id, tiny: tiny.id },
    sent: { failovers, budgetRefusals, unknownModel },
    rows: async () => {
      await harness.ledger.writer.flush();
      return harness.ledger.store.recent(10_000);
    },
    close: () => harness.close(),
  };
}
