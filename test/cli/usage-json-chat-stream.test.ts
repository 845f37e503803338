/**
 * price and compare --usage-json read an OpenAI chat-completions stream (chat.completion.chunk
 * events, then data: [DONE]) as the gateway's /v1/chat/completions route sends it: the bytes here
 * are written by the gateway's own ChatCompletionResponse over loopback HTTP, from a Messages
 * stream with cache reads and writes. Usage comes from the chunk stream_options.include_usage adds,
 * read as a whole chat.completion's usage is; a stream without it is bad input saying so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { ChatCompletionResponse, chatCompletion } from "../../src/gateway/openai/chat-response.js";
import { normalizeUsageDocument } from "../../src/pricing/normalize-usage.js";
import { parseUsageDocument } from "../../src/cli/usage-document.js";
import { BIN, REPO_ROOT } from "../helpers/paths.js";

const USAGE = { input_tokens: 2500, cache_creation_input_tokens: 3000, cache_read_input_tokens: 12000, output_tokens: 350 };

/** An upstream Messages stream (https://platform.claude.com/docs/en/build-with-claude/streaming) whose final usage is USAGE. */
const MESSAGES_STREAM = [
  ["message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-6", content: [], stop_reason: null, usage: { ...USAGE, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: USAGE.output_tokens } }],
  ["message_stop", { type: "message_stop" }],
]
  .map(([event, data]) => `event: ${String(event)}\ndata: ${JSON.stringify(data)}\n\n`)
  .join("");

/** What a client of the gateway's chat route receives for MESSAGES_STREAM, as `curl -N -i` shows it: status line, headers, then the body. */
async function chatStreamCapture(includeUsage: boolean): Promise<string> {
  const server = createServer((_incoming, response) => {
    const chat = new ChatCompletionResponse(response);
    chat.translate({ model: "claude-sonnet-4-6", stream: true, messages: [{ role: "user", content: "Hi" }], ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }, () => undefined);
    chat.writeHead(200, { "content-type": "text/event-stream", "request-id": "req_1" });
    chat.write(Buffer.from(MESSAGES_STREAM));
    chat.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      request({ host: "127.0.0.1", port, method: "POST", path: "/v1/chat/completions" }, (response) => {
        const head = [`HTTP/1.1 ${response.statusCode} ${response.statusMessage}`];
        for (let index = 0; index < response.rawHeaders.length; index += 2) head.push(`${response.rawHeaders[index]}: ${response.rawHeaders[index + 1]}`);
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(`${head.join("\r\n")}\r\n\r\n${Buffer.concat(chunks).toString("utf8")}`));
        response.on("error", reject);
      })
        .on("error", reject)
        .end();
    });
  } finally {
    server.close();
  }
}

const withoutHead = (capture: string) => capture.slice(capture.indexOf("\r\n\r\n") + 4);

test("a chat-completions stream with its usage chunk, bare or as curl -N -i shows it (headers, CRLFs), reads as the whole chat.completion does", async () => {
  const capture = await chatStreamCapture(true);
  assert.match(capture, /"object":"chat\.completion\.chunk"[\s\S]*"usage":\{"prompt_tokens":17500,[\s\S]*data: \[DONE\]\n\n$/);
  const whole = normalizeUsageDocument(chatCompletion({ id: "msg_1", model: "claude-sonnet-4-6", content: [], stop_reason: "end_turn", usage: USAGE }, 0));
  for (const text of [capture, withoutHead(capture), capture.replaceAll("\n", "\r\n").replaceAll("\r\r\n", "\r\n")]) {
    const read = normalizeUsageDocument(parseUsageDocument(text, "chat.txt"));
    assert.equal(read.format, "openai-stream");
    assert.deepEqual(read.usage, whole.usage);
    assert.deepEqual(read.warnings, whole.warnings);
    // prompt_tokens 17500 less cached_tokens 12000 and cache_write_tokens 3000; the writes' TTL the chat route does not say.
    assert.deepEqual([read.usage.input, read.usage.cacheRead, read.usage.cacheWriteUnsplit, read.usage.output], [2500, 12000, 3000, 350]);
  }
});

test("price and compare --usage-json price a chat-completions stream piped in, as its token classes", async () => {
  const capture = await chatStreamCapture(true);
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, "--usage-json", "-", "--at", "2026-11-22", "--json"], { input: capture, encoding: "utf8", cwd: REPO_ROOT });
  const priced = run("price", "--model", "claude-sonnet-4-6");
  assert.equal(priced.status, 0, priced.stderr);
  const lines = (JSON.parse(priced.stdout) as { lines: { class: string; tokens: number }[] }).lines.map((line) => [line.class, line.tokens]);
  assert.deepEqual(lines.find(([name]) => name === "input"), ["input", 2500]);
  assert.deepEqual(lines.find(([name]) => name === "cache_read"), ["cache_read", 12000]);
  assert.deepEqual(lines.find(([name]) => name === "output"), ["output", 350]);
  const compared = run("compare", "--model", "claude-sonnet-4-6");
  assert.equal(compared.status, 0, compared.stderr);
});

test("a chat-completions stream without a usage chunk is bad input (exit 2) saying to set stream_options.include_usage, not priced as zero", async () => {
  const capture = await chatStreamCapture(false);
  assert.doesNotMatch(capture, /"usage":\{/);
  for (const command of [["price"], ["compare"]]) {
    const result = spawnSync(process.execPath, [BIN, ...command, "--model", "claude-sonnet-4-6", "--usage-json", "-", "--at", "2026-11-22"], { input: capture, encoding: "utf8", cwd: REPO_ROOT });
    assert.equal(result.status, 2, result.stdout);
    assert.match(result.stderr, /--usage-json: an OpenAI chat-completions stream with no usage chunk: its usage is unknown, not zero\. Send the request with stream_options: \{include_usage: true\}/);
  }
  // One cut short by an error says the error too.
  const failed = 'data: {"id":"msg_1","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null,"logprobs":null}]}\n\ndata: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}\n\n';
  assert.throws(() => normalizeUsageDocument(parseUsageDocument(failed, "cut.txt")), /no usage chunk \(it ended in an error: Overloaded\): its usage is unknown, not zero/);
});
