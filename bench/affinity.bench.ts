/**
 * npm run bench:affinity — what prompt-cache affinity is worth on a multi-deployment workload,
 * measured with the emulators' real prompt caches (one cache per deployment, as real providers
 * have). Four equally priced Sonnet 4.6 deployments (two Anthropic API accounts, Claude Platform on
 * AWS and Bedrock global); 24 distinct ~6,000-token system prompts (documents), each reused by
 * several requests in a random order. Runs the same workload with affinity on and off (off = the
 * usual load balancing across equally cheap deployments) and reports cache hit rate and cost from
 * the ledger.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGatewayConfig } from "../src/config/load-gateway-config.js";
import { loadCatalog } from "../src/catalog/files.js";
import { startAnthropicEmulator } from "../src/emulators/anthropic/start-anthropic-emulator.js";
import { DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../src/emulators/bedrock/start-bedrock-emulator.js";
import { startGateway } from "../src/gateway/start-gateway.js";
import { newApiKey } from "../src/ledger/api-keys.js";
import { openLedger } from "../src/ledger/open-ledger.js";
import { Decimal } from "../src/pricing/decimal.js";
import { formatUsd, parseUsd } from "../src/pricing/money.js";

const catalog = loadCatalog();
const PROMPTS = 24;
const REQUESTS = 240;

function* numbers(seed: number): Generator<number> {
  let state = seed >>> 0;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    // An LCG's low bits repeat with short periods (the lowest three every 8 draws): use the high ones.
    yield state >>> 8;
  }
}

async function run(affinity: boolean) {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-affinity-"));
  const accountA = await startAnthropicEmulator();
  const accountB = await startAnthropicEmulator();
  const platform = await startAnthropicEmulator();
  const bedrock = await startBedrockEmulator({ region: "us-east-1" });
  const ledger = await openLedger({ kind: "sqlite", path: join(directory, "ledger.db"), flushIntervalMs: 20 });
  const config = parseGatewayConfig(
    `
providers:
  account-a: { kind: anthropic, base_url: "${accountA.url}", api_key_env: EMULATOR_KEY }
  account-b: { kind: anthropic, base_url: "${accountB.url}", api_key_env: EMULATOR_KEY }
  platform: { kind: claude-platform-aws, base_url: "${platform.url}", api_key_env: EMULATOR_KEY }
  bedrock: { kind: bedrock, region: us-east-1, endpoint: "${bedrock.url}", credentials: { access_key_id_env: AWS_ID, secret_access_key_env: AWS_SECRET } }
deployments:
  - { id: anthropic-a, provider: account-a, model: claude-sonnet-4-6, route: global }
  - { id: anthropic-b, provider: account-b, model: claude-sonnet-4-6, route: global }
  - { id: platform, provider: platform, model: claude-sonnet-4-6, route: global }
  - { id: bedrock-global, provider: bedrock, model: claude-sonnet-4-6, route: global }
routing: { policy: cheapest, affinity: { enabled: ${affinity} } }
`,
    "affinity-bench.yaml",
    catalog,
  );
  const gateway = await startGateway({
    config,
    catalog,
    ledger,
    port: 0,
    env: { EMULATOR_KEY: "sk-emulator", AWS_ID: DEFAULT_BEDROCK_CREDENTIALS.accessKeyId, AWS_SECRET: DEFAULT_BEDROCK_CREDENTIALS.secretAccessKey },
  });
  const { secret, record } = newApiKey({ name: "bench" });
  await ledger.keys.create(record);
  await gateway.state.keys.refresh(true);

  const random = numbers(2026);
  for (let index = 0; index < REQUESTS; index += 1) {
    const prompt = (random.next().value as number) % PROMPTS;
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": secret, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-6",
        max_tokens: 64,
        system: [{ type: "text", text: `Document ${prompt}. ${"Contract clause text for review. ".repeat(800)}`, cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: `Question ${index} about document ${prompt}` }],
      }),
    });
    if (response.status !== 200) throw new Error(`request ${index}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  await ledger.writer.flush();
  const rows = await ledger.store.recent(REQUESTS + 10);
  const served = new Map<string, number>();
  for (const row of rows) served.set(row.deployment ?? "none", (served.get(row.deployment ?? "none") ?? 0) + 1);
  let reads = 0;
  let writes = 0;
  let cost = 0n;
  for (const row of rows) {
    reads += row.cache_read_tokens ?? 0;
    writes += (row.cache_write_5m_tokens ?? 0) + (row.cache_write_1h_tokens ?? 0);
    cost += parseUsd(row.cost_usd ?? "0");
  }
  const seen = Object.fromEntries(
    ([["anthropic-a", accountA], ["anthropic-b", accountB], ["platform", platform], ["bedrock-global", bedrock]] as const).map(([name, emulator]) => [name, emulator.state().counters.requests]),
  );
  console.error(`affinity=${affinity}: requests seen by each emulator ${JSON.stringify(seen)}`);
  await gateway.close();
  await ledger.close();
  await Promise.all([accountA.close(), accountB.close(), platform.close(), bedrock.close()]);
  rmSync(directory, { recursive: true, force: true });
  return { requests: rows.length, reads, writes, hitRate: reads / (reads + writes), cost, served: Object.fromEntries(served) };
}

const withAffinity = await run(true);
const without = await run(false);
const saving = Decimal.fromBigInt(without.cost - withAffinity.cost, 18).mul(Decimal.fromInteger(100)).div(Decimal.fromBigInt(without.cost, 18), 1);
console.log(`${REQUESTS} requests over ${PROMPTS} cached system prompts, 4 equally priced Sonnet 4.6 deployments`);
console.log("                 cache hit rate   cache reads   cache writes   total cost");
for (const [name, result] of [["with affinity", withAffinity], ["without", without]] as const) {
  console.log(`${name.padEnd(16)} ${(result.hitRate * 100).toFixed(1).padStart(13)}%  ${String(result.reads).padStart(12)}  ${String(result.writes).padStart(13)}   $${formatUsd(result.cost)}`);
}
console.log(`affinity saves ${saving}% of the cost`);
console.log(`served with affinity: ${JSON.stringify(withAffinity.served)}`);
console.log(`served without:       ${JSON.stringify(without.served)}`);
