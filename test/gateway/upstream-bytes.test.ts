/**
 * An Anthropic-shape upstream whose answer is not valid UTF-8 (a proxy that mangled it, say). The
 * gateway decodes it (each invalid byte becomes U+FFFD) and sends the decoded text: the
 * content-length must be that text's, or the client reads cut-off JSON and the connection carries
 * the rest into its next answer.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let upstream: Server;

/** A Messages answer whose text carries the bytes ff fe c3: three invalid sequences. */
function mangledAnswer(): Buffer {
  const [before, after] = JSON.stringify({
    id: "msg_mangled",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5",
    content: [{ type: "text", text: "SPLIT" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  }).split("SPLIT") as [string, string];
  return Buffer.concat([Buffer.from(`${before}ok `), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(after)]);
}

before(async () => {
  upstream = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const body = mangledAnswer();
      response.writeHead(200, { "content-type": "application/json", "content-length": String(body.length), "request-id": "req_mangled" });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  harness = await startHarness({
    providers: `  mangling: { kind: anthropic, base_url: "${url}", api_key_env: TEST_ANTHROPIC_KEY }`,
    deployments: `deployments:
  - { id: mangled-haiku, provider: mangling, model: claude-haiku-4-5, route: global }
`,
  });
});

after(async () => {
  await harness.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

test("an answer with invalid UTF-8 reaches the client whole: its content-length is the decoded text's", async () => {
  const client = harness.client();
  // Twice on one keep-alive connection: left-over bytes of the first would break the second.
  for (let round = 0; round < 2; round += 1) {
    const message = await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: `hello ${round}` }] });
    assert.deepEqual(message.content, [{ type: "text", text: "ok \uFFFD\uFFFD\uFFFD" }]);
  }
  const response = await fetch(`${harness.gateway.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": harness.key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "raw" }] }),
  });
  const body = Buffer.from(await response.arrayBuffer());
  assert.equal(response.headers.get("content-length"), String(body.length));
  assert.equal(JSON.parse(body.toString("utf8")).usage.output_tokens, 3);
});
