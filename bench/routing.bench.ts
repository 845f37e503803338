/**
 * npm run bench:routing — the time the routing step adds per request with 20 deployments of one
 * model: policy, needs, cacheable prefixes (a 10 KB cached system prompt), affinity lookup, health
 * snapshot and ranking by expected cost. Prints µs per decision (p50 and mean).
 */
import { parseGatewayConfig } from "../src/config/load-gateway-config.js";
import { loadCatalog } from "../src/catalog/files.js";
import { AffinityTable } from "../src/routing/affinity.js";
import { cachePrefixes, requestTokens } from "../src/routing/cache-prefixes.js";
import { rankCandidates } from "../src/routing/candidates.js";
import { DEFAULT_HEALTH, HealthBook } from "../src/routing/health.js";
import { readRequestNeeds } from "../src/routing/request-needs.js";

const catalog = loadCatalog();
const routes: [string, string, string][] = [
  ["anthropic", "global", "a"],
  ["anthropic", "us", "a"],
  ["bedrock-us", "global", "b"],
  ["bedrock-us", "us", "b"],
  ["bedrock-eu", "eu", "c"],
];
const providers = `providers:
  anthropic: { kind: anthropic }
  bedrock-us: { kind: bedrock, region: us-east-1 }
  bedrock-eu: { kind: bedrock, region: eu-west-1 }
`;
const deployments: string[] = [];
for (let copy = 0; copy < 4; copy += 1) {
  for (const [provider, route] of routes) deployments.push(`  - { id: d${deployments.length}, provider: ${provider}, model: claude-sonnet-4-6, route: ${route}, priority: ${copy} }`);
}
const config = parseGatewayConfig(`${providers}deployments:\n${deployments.join("\n")}\n`, "bench.yaml", catalog);
const all = [...config.deployments.values()];
if (all.length !== 20) throw new Error(`expected 20 deployments, got ${all.length}`);

const body = {
  model: "claude-sonnet-4-6",
  max_tokens: 1024,
  system: [{ type: "text", text: "You are a careful assistant. ".repeat(350), cache_control: { type: "ephemeral" } }],
  messages: [{ role: "user", content: "What is the capital of France?" }],
};
const bodyBytes = JSON.stringify(body).length;
const health = new HealthBook(DEFAULT_HEALTH);
for (const deployment of all) for (let index = 0; index < 50; index += 1) health.record(deployment.id, "success", { ttftMs: 100 + index, totalMs: 1000 + index });
const affinity = new AffinityTable();
affinity.remember(cachePrefixes(body), "d7");

function decide(rotation: number) {
  const prefixes = cachePrefixes(body);
  return rankCandidates({
    deployments: all,
    policy: { residency: "any", compliance: [], billing: "any", objective: "cheapest", weights: { cost: 1, latency: 0 } },
    needs: readRequestNeeds(body, undefined),
    knownBetas: catalog.data.betas,
    inputTokens: requestTokens(bodyBytes),
    maxTokens: body.max_tokens,
    prefixes,
    holdings: affinity.holdings(prefixes),
    health: health.snapshot(),
    at: "2026-11-22",
    rotation,
  });
}

for (let index = 0; index < 5_000; index += 1) decide(index);
const samples: number[] = [];
const rounds = 50_000;
const started = process.hrtime.bigint();
for (let index = 0; index < rounds; index += 1) {
  const before = process.hrtime.bigint();
  const ranking = decide(index);
  samples.push(Number(process.hrtime.bigint() - before) / 1000);
  if (ranking.ranked[0]?.deployment.id !== "d7") throw new Error("the prefix holder should rank first");
}
const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
samples.sort((a, b) => a - b);
const at = (fraction: number) => samples[Math.floor(fraction * (samples.length - 1))]?.toFixed(1);
console.log(`routing step, 20 deployments, ${bodyBytes}-byte request with a cached system prompt, ${rounds.toLocaleString("en-US")} decisions:`);
console.log(`  mean ${((totalMs * 1000) / rounds).toFixed(1)} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`);
