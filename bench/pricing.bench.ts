/**
 * npm run bench:pricing
 *  1. usage records priced per second in-process, one core (goal >= 1,000,000/s);
 *  2. a JSONL file of Anthropic Messages responses read, parsed, normalised and priced, in MB/s,
 *     next to the rate of JSON.parse alone on the same lines (goal: bounded by parsing, >= 100 MB/s).
 * Flags: --records N (default 2,000,000), --megabytes N (default 200), --json
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalog } from "../src/catalog/files.js";
import { formatUsd } from "../src/pricing/money.js";
import { fromAnthropicUsage } from "../src/pricing/normalize-usage.js";
import { priceRequest } from "../src/pricing/price-request.js";
import type { Usage } from "../src/pricing/usage.js";
import { benchFlags, numberFlag, wholeFlag } from "./gateway/flags.js";

const { values } = benchFlags({ options: { records: { type: "string" }, megabytes: { type: "string" }, json: { type: "boolean" } } });
const recordCount = wholeFlag("records", values.records, 2_000_000);
const megabytes = numberFlag("megabytes", values.megabytes, 200);

const catalog = loadCatalog();
const offering = catalog.resolve("claude-sonnet-4-5", { provider: "anthropic" }).offering;
if (!offering) throw new Error("claude-sonnet-4-5 on the Anthropic API is missing from the catalog");
const block = catalog.priceOn(offering, "2026-01-15");

/** A deterministic pseudo-random sequence, so every run prices the same records. */
function* numbers(seed: number): Generator<number> {
  let state = seed >>> 0;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    // An LCG's low bits repeat with short periods (the lowest three every 8 draws): use the high ones.
    yield state >>> 8;
  }
}

function makeUsages(count: number): Usage[] {
  const random = numbers(42);
  const next = (limit: number) => (random.next().value as number) % limit;
  return Array.from({ length: count }, () => ({
    input: next(300_000),
    output: next(8_000),
    cacheWrite5m: next(4) === 0 ? next(20_000) : 0,
    cacheWrite1h: next(8) === 0 ? next(20_000) : 0,
    cacheRead: next(2) === 0 ? next(100_000) : 0,
  }));
}

function pricedPerSecond(): { records: number; seconds: number; perSecond: number; checksum: string } {
  const distinct = makeUsages(100_000);
  for (let index = 0; index < 200_000; index += 1) priceRequest(offering!, block, distinct[index % distinct.length] as Usage); // warm-up
  let checksum = 0n;
  const started = process.hrtime.bigint();
  for (let index = 0; index < recordCount; index += 1) checksum += priceRequest(offering!, block, distinct[index % distinct.length] as Usage).total;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { records: recordCount, seconds, perSecond: recordCount / seconds, checksum: formatUsd(checksum) };
}

function writeJsonl(path: string, targetBytes: number): number {
  const random = numbers(7);
  const next = (limit: number) => (random.next().value as number) % limit;
  const lines: string[] = [];
  let bytes = 0;
  let written = 0;
  const handle = openSync(path, "w");
  while (written < targetBytes) {
    const message = {
      id: `msg_${next(1e9).toString(36)}${next(1e9).toString(36)}`,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "The quick brown fox jumps over the lazy dog. ".repeat(4 + next(20)) }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: next(200_000),
        cache_creation_input_tokens: 2048,
        cache_read_input_tokens: next(50_000),
        cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
        output_tokens: 1 + next(4000),
        service_tier: "standard",
      },
    };
    const line = `${JSON.stringify(message)}\n`;
    lines.push(line);
    bytes += line.length;
    if (bytes > 8 << 20) {
      const chunk = lines.join("");
      writeFileSync(handle, chunk);
      written += Buffer.byteLength(chunk);
      lines.length = 0;
      bytes = 0;
    }
  }
  closeSync(handle);
  return written;
}

/** Reads the file in 16 MiB chunks, splits lines, and applies `onLine` to each. */
function scanLines(path: string, onLine: (line: string) => void): number {
  const handle = openSync(path, "r");
  const buffer = Buffer.alloc(16 << 20);
  let carry = "";
  let total = 0;
  for (;;) {
    const read = readSync(handle, buffer, 0, buffer.length, null);
    if (read === 0) break;
    total += read;
    const text = carry + buffer.toString("utf8", 0, read);
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      onLine(text.slice(start, newline));
      start = newline + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) onLine(carry);
  closeSync(handle);
  return total;
}

function jsonlRates(): { megabytes: number; parseOnlyMBps: number; pricedMBps: number; responses: number; total: string } {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const path = join(directory, "responses.jsonl");
  try {
    const bytes = writeJsonl(path, megabytes * 1e6);
    let started = process.hrtime.bigint();
    let parsed = 0;
    scanLines(path, (line) => {
      if (JSON.parse(line)) parsed += 1;
    });
    const parseSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    started = process.hrtime.bigint();
    let total = 0n;
    let responses = 0;
    scanLines(path, (line) => {
      const message = JSON.parse(line) as { usage?: unknown };
      total += priceRequest(offering!, block, fromAnthropicUsage(message.usage).usage).total;
      responses += 1;
    });
    const pricedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (parsed !== responses) throw new Error("line counts differ between passes");
    return { megabytes: bytes / 1e6, parseOnlyMBps: bytes / 1e6 / parseSeconds, pricedMBps: bytes / 1e6 / pricedSeconds, responses, total: formatUsd(total) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const inProcess = pricedPerSecond();
const file = jsonlRates();
const result = { node: process.version, in_process: inProcess, jsonl: file };
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`node ${process.version}, one core`);
  console.log(`in-process: ${inProcess.records.toLocaleString("en-US")} usage records priced in ${inProcess.seconds.toFixed(2)} s = ${Math.round(inProcess.perSecond).toLocaleString("en-US")} records/s`);
  console.log(
    `JSONL: ${file.megabytes.toFixed(0)} MB, ${file.responses.toLocaleString("en-US")} responses; JSON.parse alone ${file.parseOnlyMBps.toFixed(0)} MB/s; ` +
      `parse + normalise + price ${file.pricedMBps.toFixed(0)} MB/s (${((file.pricedMBps / file.parseOnlyMBps) * 100).toFixed(0)}% of parse-only); total $${file.total}`,
  );
}
