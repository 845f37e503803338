/**
 * Warm-up before a gateway takes traffic. A fresh Node process runs the request path in V8's
 * interpreter until its functions are hot enough to be compiled, and compiles them on background
 * threads that compete with the event loop for the CPU. Measured on this project's benchmark
 * machine (docs/BENCHMARKS.md, "Warm-up"), a cold gateway's first seconds at 1,000 requests/s had
 * a p99 of 55–670 ms; after 4,000 requests of load it was 5 ms. Behind a load balancer a new
 * replica gets its full share at once, so those seconds are every rolling restart's.
 *
 * So `switchyard serve` first sends requests (1,000 by default) through a second gateway of its own,
 * in the same process, on loopback, in front of the built-in emulators: the same code (JIT work is
 * per function, not per instance) through every part of the path a request takes, both upstream
 * shapes, JSON and SSE, pricing, the ledger row and its journal. Nothing of it is kept: the
 * warm-up gateway has its own temporary ledger, and the real one starts after it is closed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import type { Catalog } from "../catalog/catalog.js";
import { parseGatewayConfig } from "../config/load-gateway-config.js";
import { startAnthropicEmulator } from "../emulators/anthropic/start-anthropic-emulator.js";
import { startBedrockEmulator } from "../emulators/bedrock/start-bedrock-emulator.js";
import { emulatorProviderLines, emulatorSecrets } from "../emulators/shared/emulator-providers.js";
import { newApiKey } from "../ledger/api-keys.js";
import { openLedger } from "../ledger/open-ledger.js";
import { GatewayMetrics } from "../metrics/gateway-metrics.js";
import { startGateway } from "./start-gateway.js";
import { UndoStack } from "../util/undo-stack.js";

export interface WarmUpResult {
  /** Requests answered 200 (all of them, or warmUp throws). */
  requests: number;
  /** Requests each of its emulators received, as they counted them: the path went through both upstream shapes. */
  upstream: { anthropic: number; bedrock: number };
  ms: number;
  /** Its temporary ledger's folder, removed by the time it returns. */
  directory: string;
}

/** In flight at once: enough to keep the loop busy, few enough that each request is short. */
const CONCURRENCY = 8;

const MODEL = "claude-haiku-4-5";
const WARM_UP_ENV_PREFIX = "WARM_UP_";

/** The requests sent, in turn: each upstream shape, JSON and SSE, with and without a cache breakpoint. */
function bodies(): string[] {
  const list: string[] = [];
  for (const model of ["warm-up-anthropic", "warm-up-bedrock"]) {
    for (const stream of [false, true]) {
      for (const cached of [false, true]) {
        list.push(
          JSON.stringify({
            model,
            max_tokens: 64,
            stream,
            system: cached ? [{ type: "text", text: "You are a concise assistant.", cache_control: { type: "ephemeral" } }] : "You are a concise assistant.",
            messages: [{ role: "user", content: "Warming up: how are freight cars sorted into trains in a hump yard?" }],
          }),
        );
      }
    }
  }
  return list;
}

/** Sends one request and reads its answer to the end; throws with the answer's start unless it is a 200. */
async function send(pool: Pool, headers: Record<string, string>, body: string): Promise<void> {
  const answer = await pool.request({ path: "/v1/messages", method: "POST", headers, body });
  if (answer.statusCode === 200) {
    await answer.body.text();
    return;
  }
  const text = await answer.body.text().catch((error: Error) => `(its body could not be read: ${error.message})`);
  throw new Error(`a warm-up request was answered ${answer.statusCode}: ${text.slice(0, 300)}`);
}

/**
 * Sends `requests` requests through a throwaway gateway in front of in-process emulators, then
 * closes everything. Throws if one of them fails (the path it warms would be broken).
 * `emulatorProfile` (tests): the emulators' profile, "instant" by default.
 */
/** `stop`: asked between requests; once true, no more are sent and the warm-up cleans up and returns. */
export async function warmUp(catalog: Catalog, requests: number, options: { emulatorProfile?: string; stop?: () => boolean } = {}): Promise<WarmUpResult> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), "switchyard-warm-up-"));
  const profile = options.emulatorProfile ?? "instant";
  // Whatever has started is stopped, newest first, each step even if one before it failed.
  const undo = new UndoStack();
  undo.push(() => rmSync(directory, { recursive: true, force: true }));
  try {
    const anthropic = await startAnthropicEmulator({ host: "127.0.0.1", port: 0, profile });
    undo.push(() => anthropic.close());
    const bedrock = await startBedrockEmulator({ host: "127.0.0.1", port: 0, region: "us-east-1", profile });
    undo.push(() => bedrock.close());
    const ledger = await openLedger({ kind: "sqlite", path: join(directory, "ledger.db"), flushIntervalMs: 50 });
    undo.push(() => ledger.close());
    const key = newApiKey({ name: "warm-up", tags: {} });
    await ledger.keys.create(key.record);
    const config = parseGatewayConfig(
      `listen: { host: 127.0.0.1, port: 0 }
admin_key_env: WARM_UP_ADMIN_KEY
providers:
${emulatorProviderLines({ anthropic: anthropic.url, bedrock: bedrock.url }, WARM_UP_ENV_PREFIX).join("\n")}
deployments:
  - { id: warm-up-anthropic, provider: anthropic-emulator, model: ${MODEL}, route: global }
  - { id: warm-up-bedrock, provider: bedrock-emulator, model: ${MODEL}, route: global }
models:
  warm-up-anthropic: [warm-up-anthropic]
  warm-up-bedrock: [warm-up-bedrock]
`,
      "warm-up.yaml",
      catalog,
    );
    const metrics = new GatewayMetrics({ processMetrics: false });
    const gateway = await startGateway({
      config,
      catalog,
      ledger,
      env: { ...emulatorSecrets(WARM_UP_ENV_PREFIX), WARM_UP_ADMIN_KEY: "warm-up" },
      onRecord: metrics.observe,
      port: 0,
    });
    undo.push(() => gateway.close());
    const pool = new Pool(gateway.url, { connections: CONCURRENCY, pipelining: 1 });
    undo.push(() => pool.close());
    const headers = { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": key.secret };
    const list = bodies();
    let next = 0;
    let served = 0;
    const worker = async () => {
      while (next < requests && !options.stop?.()) {
        const body = list[next % list.length] as string;
        next += 1;
        await send(pool, headers, body);
        served += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests) }, worker));
    const upstream = { anthropic: anthropic.state().counters.requests, bedrock: bedrock.state().counters.requests };
    const result = { requests: served, upstream, ms: performance.now() - started, directory };
    await undo.undo();
    return result;
  } catch (error) {
    // A failure to stop something is thrown only when nothing failed before it: it must not hide the cause.
    return await undo.undoAfter(error);
  }
}
