/**
 * npm run bench:routing — the time the routing step adds per request with 20 deployments of one
 * model: policy, needs, cacheable prefixes, affinity lookup, health snapshot and ranking by
 * expected cost, for two requests: a 10 KB cached system prompt and one question; and a Claude
 * Code-like conversation (a cached system prompt, 150 tool calls and their results, a breakpoint
 * on the last message). Prints µs per decision (mean, p50 and p99).
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

const health = new HealthBook(DEFAULT_HEALTH);
for (const deployment of all) for (let index = 0; index < 50; index += 1) health.record(deployment.id, "success", { ttftMs: 100 + index, totalMs: 1000 + index });

const system = [{ type: "text", text: "You are a careful assistant. ".repeat(350), cache_control: { type: "ephemeral" } }];
const question: Record<string, unknown> = {
  model: "claude-sonnet-4-6",
  max_tokens: 1024,
  system,
  messages: [{ role: "user", content: "What is the capital of France?" }],
};
const turns: Record<string, unknown>[] = [{ role: "user", content: "Fix the failing test in src/parser.ts." }];
for (let call = 0; call < 150; call += 1) {
  turns.push({ role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: `toolu_${call}`, name: "Read", input: { file_path: `/repo/src/file-${call}.ts` } }] });
  turns.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${call}`, content: [{ type: "text", text: "export const value = 1;\n".repeat(10) }] }] });
}
const last = turns.at(-1) as { content: { cache_control?: unknown }[] };
(last.content[0] as { cache_control?: unknown }).cache_control = { type: "ephemeral" };
const conversation: Record<string, unknown> = { model: "claude-sonnet-4-6", max_tokens: 32000, system, messages: turns };

function measure(name: string, body: Record<string, unknown>, rounds: number): void {
  const bodyBytes = JSON.stringify(body).length;
  const affinity = new AffinityTable();
  affinity.remember(cachePrefixes(body), "d7");
  const decide = (rotation: number) => {
    const lookback: string[] = [];
    const prefixes = cachePrefixes(body, lookback);
    return rankCandidates({
      deployments: all,
      policy: { residency: "any", compliance: [], billing: "any", objective: "cheapest", weights: { cost: 1, latency: 0 } },
      needs: readRequestNeeds(body, undefined),
      knownBetas: catalog.data.betas,
      files: config.files,
      inputTokens: requestTokens(bodyBytes),
      maxTokens: body.max_tokens as number,
      prefixes,
      holdings: affinity.holdings(prefixes, lookback),
      health: health.snapshot(),
      at: "2026-11-22",
      rotation,
    });
  };
  for (let index = 0; index < rounds / 10; index += 1) decide(index);
  const samples: number[] = [];
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
  console.log(`routing step, 20 deployments, ${name} (${bodyBytes.toLocaleString("en-US")} bytes), ${rounds.toLocaleString("en-US")} decisions:`);
  console.log(`  mean ${((totalMs * 1000) / rounds).toFixed(1)} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`);
}

measure("a cached system prompt and one question", question, 50_000);
measure("a Claude Code-like conversation of 301 messages, a breakpoint on the last", conversation, 10_000);
