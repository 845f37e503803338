/**
 * An upstream connection cut inside an SSE event, after the stream started. The gateway passes
 * each upstream chunk on at once (no buffering, not even of an event's tail), so the client has
 * half an event when the gateway adds its `event: error`: the SDK must still read an error event
 * (an APIError naming the failure), not choke on a glued line (a SyntaxError).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
let upstream: Server;
/** What the fake upstream sends before it cuts the connection. */
let cutAfter = "";

const MESSAGE_START = `event: message_start\ndata: ${JSON.stringify({
  type: "message_start",
  message: { id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } },
})}\n\n`;

before(async () => {
  upstream = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write(MESSAGE_START);
      setTimeout(() => {
        response.write(cutAfter);
        setTimeout(() => response.socket?.destroy(), 20);
      }, 20);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as { port: number }).port;
  harness = await startHarness({
    providers: `  cutting-upstream: { kind: anthropic, base_url: "http://127.0.0.1:${port}", api_key_env: TEST_ANTHROPIC_KEY }`,
    deployments: `deployments:
  - { id: cutting-haiku, provider: cutting-upstream, model: claude-haiku-4-5, route: global }
models:
  haiku-cut: [cutting-haiku]
`,
  });
  client = harness.client();
});

after(async () => {
  await harness.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const halfEvents = {
  "inside a data line": 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_bl',
  "inside an event line": "event: content_blo",
  "between two lines of an event": 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n',
  "between two events": "",
};

/** Events the client reads before the error: a whole event whose blank line was cut is ended and passed on. */
const eventsBefore: Record<keyof typeof halfEvents, string[]> = {
  "inside a data line": ["message_start"],
  "inside an event line": ["message_start"],
  "between two lines of an event": ["message_start", "content_block_start"],
  "between two events": ["message_start"],
};

for (const [where, half] of Object.entries(halfEvents) as [keyof typeof halfEvents, string][]) {
  test(`cut ${where}: the SDK reads an error event naming the failure`, async () => {
    cutAfter = half;
    const stream = client.messages.stream({ model: "haiku-cut", max_tokens: 50, messages: [{ role: "user", content: "Hi" }] });
    const events: string[] = [];
    stream.on("streamEvent", (event) => events.push(event.type));
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError, `an APIError, not ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      assert.match(error.message, /cutting-upstream/);
      // Unless a data line was cut, the error event's data is the gateway's JSON alone, so its type reads.
      if (where !== "inside a data line") assert.equal((error.error as { error?: { type?: string } } | undefined)?.error?.type, "api_error", JSON.stringify(error.error));
      return true;
    });
    // Nothing of a half event reaches the client as an event of its own (a stray blank line would send it).
    assert.deepEqual(events, eventsBefore[where]);
  });
}
