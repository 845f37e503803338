/**
 * price --usage-json reads a Messages stream captured as it came over the wire (text/event-stream,
 * curl's headers and CRLFs included): usage from message_start and the last message_delta, as the
 * gateway reads it. A file that is neither JSON nor such a stream is bad input naming the file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { normalizeUsageDocument } from "../../src/pricing/normalize-usage.js";
import { parseUsageDocument } from "../../src/cli/usage-document.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

/** A Messages stream in the API's own words (https://platform.claude.com/docs/en/build-with-claude/streaming), cache counts in message_start, output's running total in each message_delta. */
const CAPTURE = [
  "event: message_start",
  'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"usage":{"input_tokens":2500,"cache_creation_input_tokens":0,"cache_read_input_tokens":12000,"output_tokens":1}}}',
  "",
  "event: ping",
  'data: {"type": "ping"}',
  "",
  "event: content_block_delta",
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
  "",
  "event: message_delta",
  'data: {"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":15}}',
  "",
  "event: message_delta",
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":350}}',
  "",
  "event: message_stop",
  'data: {"type":"message_stop"}',
].join("\n");

test("a captured stream gives message_start's input and cache counts and the last message_delta's output", () => {
  for (const text of [CAPTURE, `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n${CAPTURE.replaceAll("\n", "\r\n")}\r\n`]) {
    const { usage, format, warnings } = normalizeUsageDocument(parseUsageDocument(text, "stream.txt"));
    assert.equal(format, "anthropic-stream");
    assert.deepEqual([usage.input, usage.cacheRead, usage.cacheWrite5m, usage.cacheWrite1h, usage.output], [2500, 12000, 0, 0, 350]);
    assert.deepEqual(warnings, []);
  }
});

test("a file that is neither JSON nor an event stream, or an event whose data is not JSON, is bad input naming the file", () => {
  assert.throws(() => parseUsageDocument("input_tokens = 5\n", "usage.txt"), (error: unknown) => error instanceof UsageError && /^--usage-json: usage\.txt is neither JSON \(.*\) nor a captured event stream/.test(error.message));
  assert.throws(
    () => parseUsageDocument("event: message_start\ndata: {not json\n", "cut.txt"),
    (error: unknown) => error instanceof UsageError && /^--usage-json: cut\.txt: event 1 \(message_start\) has data that is not JSON/.test(error.message),
  );
});

test("price --usage-json - prices a stream piped in", () => {
  const result = spawnSync(process.execPath, [BIN, "price", "--model", "claude-sonnet-4-6", "--usage-json", "-", "--at", "2026-11-22", "--json"], { input: CAPTURE, encoding: "utf8", cwd: REPO_ROOT });
  assert.equal(result.status, 0, result.stderr);
  const priced = JSON.parse(result.stdout) as { lines: { class: string; tokens: number }[] };
  assert.deepEqual(priced.lines.map((line) => [line.class, line.tokens]), [["input", 2500], ["cache_read", 12000], ["output", 350]]);
});

test("price and compare say a missing cache-write TTL split once (it was said by the usage and again by the pricing)", () => {
  const usage = JSON.stringify({ input_tokens: 1000, output_tokens: 200, cache_creation_input_tokens: 5000 });
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, "--usage-json", "-", "--at", "2026-11-22"], { input: usage, encoding: "utf8", cwd: REPO_ROOT });
  for (const result of [run("price", "--model", "claude-sonnet-4-6"), run("compare", "--model", "claude-sonnet-4-6")]) {
    assert.equal(result.status, 0, result.stderr);
    const mentions = result.stdout.split("\n").filter((line) => /TTL/.test(line));
    assert.deepEqual(mentions, [
      "warning: cache_creation_input_tokens = 5000 without its cache_creation 5m/1h split: the TTL is unknown, so the cost is a range (5-minute rate to 1-hour rate), not guessed",
    ]);
  }
  const priced = JSON.parse(run("price", "--model", "claude-sonnet-4-6", "--json").stdout) as { warnings: string[]; total_usd: string; total_usd_upper: string };
  assert.equal(priced.warnings.filter((warning) => /TTL/.test(warning)).length, 1, priced.warnings.join("\n"));
  assert.notEqual(priced.total_usd, priced.total_usd_upper, "still priced as a range");
});
