/**
 * A gateway on loopback in front of the built-in emulators, with a temporary SQLite ledger and a
 * virtual key: what the end-to-end tests drive with the official SDKs.
 */
import Anthropic from "@anthropic-ai/sdk";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog } from "./catalog.js";
import { parseGatewayConfig } from "../../src/config/load-gateway-config.js";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { startBedrockEmulator } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import { emulatorProviderLines, emulatorSecrets } from "../../src/emulators/shared/emulator-providers.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { startGateway, type RunningGateway, type StartGatewayOptions } from "../../src/gateway/start-gateway.js";
import { newApiKey } from "../../src/ledger/api-keys.js";
import { openLedger, type Ledger } from "../../src/ledger/open-ledger.js";
import type { HealthAnswer } from "../../src/gateway/health-answer.js";

export { catalog };

/** GET /v1/switchyard/health (its figures may be up to 100 ms old: HealthBook's snapshotMs). */
export async function readHealth(gatewayUrl: string, adminKey: string): Promise<HealthAnswer> {
  const response = await fetch(`${gatewayUrl}/v1/switchyard/health`, { headers: { "x-api-key": adminKey } });
  if (response.status !== 200) throw new Error(`GET /v1/switchyard/health: ${response.status} ${await response.text()}`);
  return (await response.json()) as HealthAnswer;
}

/** Requests an emulator has received so far (its admin counters); fails loudly if the shape changes. */
export function upstreamRequests(emulator: RunningEmulator): number {
  const counters = emulator.state().counters as { requests?: unknown } | undefined;
  if (typeof counters?.requests !== "number") throw new Error("emulator state has no counters.requests");
  return counters.requests;
}

/** Requests an emulator has received by anthropic-beta value (its admin counters). */
export function betasSeen(emulator: RunningEmulator): Record<string, number> {
  const counters = emulator.state().counters as { betas?: unknown } | undefined;
  if (typeof counters?.betas !== "object" || counters.betas === null) throw new Error("emulator state has no counters.betas");
  return counters.betas as Record<string, number>;
}

export interface Harness {
  gateway: RunningGateway;
  anthropic: RunningEmulator;
  bedrock: RunningEmulator;
  ledger: Ledger;
  /** A virtual key's secret (no budget, any model). */
  key: string;
  adminKey: string;
  directory: string;
  /** The official SDK pointed at the gateway with `secret` (else the harness's key), not retrying unless told to. */
  client(secret?: string, maxRetries?: number): Anthropic;
  /** Creates another key and returns its secret. */
  createKey(options: { name: string; budget?: string; models?: string[]; tags?: Record<string, string> }): Promise<{ secret: string; id: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** YAML for `deployments:` and `models:`; the providers are anthropic-emulator and bedrock-emulator. */
  deployments?: string;
  policy?: "cheapest" | "ordered";
  maxAttempts?: number;
  /** More fields inside `routing:` (e.g. "health: { failure_threshold: 2, cooldown_ms: 300 }"). */
  routing?: string;
  /** Replaces the `timeouts:` line. */
  timeouts?: string;
  extra?: string;
  /** More providers (YAML lines, indented two spaces, inside \`providers:\`); "{bedrock}" is the Bedrock emulator's URL. */
  providers?: string;
  /** More environment for the gateway (the secrets of the extra providers). */
  env?: Record<string, string>;
  /** More routes and a ledger-row observer (the dashboard, metrics), given the harness's ledger. */
  observe?: (ledger: Ledger) => Pick<StartGatewayOptions, "extraRoutes" | "onRecord">;
}

export const DEFAULT_DEPLOYMENTS = `deployments:
  - { id: anthropic-sonnet, provider: anthropic-emulator, model: claude-sonnet-4-6, route: global }
  - { id: bedrock-sonnet-us, provider: bedrock-emulator, model: claude-sonnet-4-6, route: us }
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
  - { id: bedrock-haiku-global, provider: bedrock-emulator, model: claude-haiku-4-5, route: global }
models:
  sonnet-via-bedrock: [bedrock-sonnet-us]
  haiku-via-bedrock: [bedrock-haiku-global]
  haiku-via-anthropic: [anthropic-haiku]
  sonnet-anthropic-first: [anthropic-sonnet, bedrock-sonnet-us]
`;

/** A Bedrock provider on the Converse API (`api: converse`) against the harness's Bedrock emulator, for HarnessOptions.providers. */
export const CONVERSE_PROVIDER = `  bedrock-converse:
    kind: bedrock
    region: us-east-1
    endpoint: "{bedrock}"
    api: converse
    credentials: { access_key_id_env: TEST_AWS_ACCESS_KEY_ID, secret_access_key_env: TEST_AWS_SECRET_ACCESS_KEY }`;

/** The `providers:` section for the two emulators; their secrets are in EMULATOR_ENV. */
export function emulatorProviders(anthropic: RunningEmulator, bedrock: RunningEmulator): string {
  return ["providers:", ...emulatorProviderLines({ anthropic: anthropic.url, bedrock: bedrock.url }, "TEST_")].join("\n");
}

export const EMULATOR_ENV = emulatorSecrets("TEST_");

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  const anthropic = await startAnthropicEmulator();
  const bedrock = await startBedrockEmulator({ region: "us-east-1" });
  const ledger = await openLedger({ kind: "sqlite", path: join(directory, "ledger.db"), flushIntervalMs: 10 });
  const text = `
listen: { host: 127.0.0.1, port: 0 }
admin_key_env: TEST_ADMIN_KEY
${emulatorProviders(anthropic, bedrock)}
${(options.providers ?? "").replaceAll("{bedrock}", bedrock.url)}
${options.deployments ?? DEFAULT_DEPLOYMENTS}
routing: { policy: ${options.policy ?? "cheapest"}, max_attempts: ${options.maxAttempts ?? 3}${options.routing ? `, ${options.routing}` : ""} }
${options.timeouts ?? "timeouts: { connect_ms: 2000, first_byte_ms: 5000, total_ms: 20000 }"}
${options.extra ?? ""}
`;
  const resolved = parseGatewayConfig(text, "test-config.yaml", catalog());
  const adminKey = "test-admin-key";
  const gateway = await startGateway({
    config: resolved,
    catalog: catalog(),
    ledger,
    env: { ...EMULATOR_ENV, TEST_ADMIN_KEY: adminKey, ...options.env },
    port: 0,
    keyRefreshMs: 50,
    ...options.observe?.(ledger),
  });
  const createKey: Harness["createKey"] = async ({ name, budget, models, tags }) => {
    const { secret, record } = newApiKey({ name, monthly_budget_usd: budget ?? null, allowed_models: models ?? [], tags: tags ?? {} });
    await ledger.keys.create(record);
    await gateway.state.keys.refresh(true);
    return { secret, id: record.id };
  };
  const { secret } = await createKey({ name: "test" });
  return {
    gateway,
    anthropic,
    bedrock,
    ledger,
    key: secret,
    adminKey,
    directory,
    client: (apiKey = secret, maxRetries = 0) => new Anthropic({ apiKey, baseURL: gateway.url, maxRetries }),
    createKey,
    async close() {
      await gateway.close();
      await ledger.close();
      await anthropic.close();
      await bedrock.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
