/**
 * npm run bench:emulator
 * How many requests per second one emulator process (one core: Node runs our code on one
 * thread) serves on loopback, for JSON and streaming replies, Anthropic and Bedrock. The
 * emulator runs in a child process with the `instant` profile and the repository catalog; this
 * process is a bounded load generator (undici, fixed connections, fixed duration).
 * Bedrock requests are SigV4-signed once and replayed, so the emulator's signature check is
 * measured and the generator's signing is not. "req per CPU-s" divides the requests served by
 * the emulator's CPU time: the rate one whole core sustains even when the machine is shared.
 * Flags: --duration SECONDS (default 5), --connections N (default 32), --json
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { Pool } from "undici";
import { startAnthropicEmulator } from "../src/emulators/anthropic/start-anthropic-emulator.js";
import { DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../src/emulators/bedrock/start-bedrock-emulator.js";
import { benchFlags, numberFlag, wholeFlag } from "./gateway/flags.js";

type Provider = "anthropic" | "bedrock";
type ChildMessage = { url: string } | { cpuMs: number };

const ANTHROPIC_MODEL = "claude-sonnet-4-6";
const BEDROCK_MODEL = "us.anthropic.claude-sonnet-4-6";
const PROMPT = [{ role: "user", content: "Summarise the benefits of prompt caching in two sentences." }];

/** Child mode: serve one emulator, report CPU time when asked. */
async function serve(provider: Provider): Promise<void> {
  const emulator = provider === "anthropic" ? await startAnthropicEmulator({ profile: "instant" }) : await startBedrockEmulator({ profile: "instant", region: "us-east-1" });
  const send = (message: ChildMessage) => process.send?.(message);
  process.on("message", (message: string) => {
    if (message === "cpu") {
      const usage = process.cpuUsage();
      send({ cpuMs: (usage.user + usage.system) / 1000 });
    } else if (message === "stop") {
      void emulator.close().then(() => process.exit(0));
    }
  });
  send({ url: emulator.url });
}

interface Scenario {
  name: string;
  provider: Provider;
  streaming: boolean;
  request: (url: string) => Promise<{ path: string; headers: Record<string, string>; body: string }>;
}

async function signed(url: string, path: string, body: string): Promise<{ path: string; headers: Record<string, string>; body: string }> {
  const { host, hostname, port } = new URL(url);
  const signer = new SignatureV4({ service: "bedrock", region: "us-east-1", credentials: DEFAULT_BEDROCK_CREDENTIALS, sha256: Sha256 });
  const request = await signer.sign(
    new HttpRequest({ method: "POST", protocol: "http:", hostname, port: Number(port), path, headers: { host, "content-type": "application/json" }, body }),
  );
  const { host: _host, ...headers } = request.headers;
  return { path, headers, body };
}

const anthropicHeaders = { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json" };
const invokeBody = JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 256, messages: PROMPT });
const converseBody = JSON.stringify({ messages: [{ role: "user", content: [{ text: PROMPT[0]?.content }] }], inferenceConfig: { maxTokens: 256 } });
const bedrockPath = (operation: string) => `/model/${encodeURIComponent(BEDROCK_MODEL)}/${operation}`;

const SCENARIOS: Scenario[] = [
  {
    name: "Anthropic /v1/messages JSON",
    provider: "anthropic",
    streaming: false,
    request: async () => ({ path: "/v1/messages", headers: anthropicHeaders, body: JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 256, messages: PROMPT }) }),
  },
  {
    name: "Anthropic /v1/messages SSE",
    provider: "anthropic",
    streaming: true,
    request: async () => ({ path: "/v1/messages", headers: anthropicHeaders, body: JSON.stringify({ model: ANTHROPIC_MODEL, max_tokens: 256, stream: true, messages: PROMPT }) }),
  },
  { name: "Bedrock InvokeModel (SigV4)", provider: "bedrock", streaming: false, request: (url) => signed(url, bedrockPath("invoke"), invokeBody) },
  {
    name: "Bedrock InvokeModelWithResponseStream (SigV4)",
    provider: "bedrock",
    streaming: true,
    request: (url) => signed(url, bedrockPath("invoke-with-response-stream"), invokeBody),
  },
  { name: "Bedrock Converse (SigV4)", provider: "bedrock", streaming: false, request: (url) => signed(url, bedrockPath("converse"), converseBody) },
  { name: "Bedrock ConverseStream (SigV4)", provider: "bedrock", streaming: true, request: (url) => signed(url, bedrockPath("converse-stream"), converseBody) },
];

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function ask(child: ChildProcess, message: string): Promise<ChildMessage> {
  return new Promise((resolve) => {
    child.once("message", (reply: ChildMessage) => resolve(reply));
    child.send(message);
  });
}

async function runScenario(scenario: Scenario, url: string, child: ChildProcess, seconds: number, connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const request = await scenario.request(url);
  const send = async () => {
    const response = await pool.request({ method: "POST", ...request });
    const bytes = (await response.body.arrayBuffer()).byteLength;
    if (response.statusCode !== 200) throw new Error(`${scenario.name}: HTTP ${response.statusCode}`);
    return bytes;
  };
  const load = async (forSeconds: number, latencies: number[]) => {
    let bytes = 0;
    const deadline = performance.now() + forSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          const begin = performance.now();
          const size = await send();
          bytes += size;
          latencies.push(performance.now() - begin);
        }
      }),
    );
    return bytes;
  };
  await load(Math.min(2, seconds), []); // warm-up: JIT on both sides, all connections open
  const cpuBefore = (await ask(child, "cpu")) as { cpuMs: number };
  const latencies: number[] = [];
  const started = performance.now();
  const bytes = await load(seconds, latencies);
  const wall = (performance.now() - started) / 1000;
  const cpuAfter = (await ask(child, "cpu")) as { cpuMs: number };
  await pool.close();
  latencies.sort((left, right) => left - right);
  return {
    scenario: scenario.name,
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / wall),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(2)),
    meanResponseBytes: Math.round(bytes / latencies.length),
    emulatorCpuPercent: Math.round((cpuAfter.cpuMs - cpuBefore.cpuMs) / (wall * 10)),
    /** Requests per second of emulator CPU: what one whole core sustains, whatever else the machine runs. */
    requestsPerCpuSecond: Math.round(latencies.length / ((cpuAfter.cpuMs - cpuBefore.cpuMs) / 1000)),
  };
}

async function main(): Promise<void> {
  const { values } = benchFlags({ options: { duration: { type: "string" }, connections: { type: "string" }, json: { type: "boolean" } } });
  const seconds = numberFlag("duration", values.duration, 5);
  const connections = wholeFlag("connections", values.connections, 32);
  const results = [];
  for (const provider of ["anthropic", "bedrock"] as const) {
    const child = fork(fileURLToPath(import.meta.url), ["--serve", provider], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const { url } = (await new Promise((resolve) => child.once("message", resolve))) as { url: string };
    for (const scenario of SCENARIOS.filter((candidate) => candidate.provider === provider)) results.push(await runScenario(scenario, url, child, seconds, connections));
    child.send("stop");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ node: process.version, seconds, connections, results }, null, 2)}\n`);
    return;
  }
  const header = ["Scenario", "req/s", "p50 ms", "p99 ms", "bytes/resp", "emulator CPU", "req per CPU-s"];
  const rows = results.map((result) => [
    result.scenario,
    result.requestsPerSecond.toLocaleString("en-US"),
    String(result.p50Ms),
    String(result.p99Ms),
    result.meanResponseBytes.toLocaleString("en-US"),
    `${result.emulatorCpuPercent}%`,
    result.requestsPerCpuSecond.toLocaleString("en-US"),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  ");
  process.stdout.write(`Emulator throughput: ${seconds} s per scenario, ${connections} connections, Node ${process.version}\n`);
  process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n\n${JSON.stringify({ seconds, connections, results })}\n`);
}

if (process.argv[2] === "--serve") await serve(process.argv[3] === "bedrock" ? "bedrock" : "anthropic");
else await main();
