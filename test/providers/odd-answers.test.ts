/**
 * Upstream answers that are JSON but not the object they should be (`null`, a list, a string):
 * each is the upstream's failure (`upstream_server`, so the next deployment is tried), never a
 * TypeError the gateway reports as its own fault. A 200's failure keeps its status, which tells the
 * ledger that the upstream had the request and may bill it. Error answers whose JSON is not an
 * object are still read by their status.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAnthropicProvider } from "../../src/providers/anthropic/index.js";
import { createBedrockProvider } from "../../src/providers/bedrock/index.js";
import type { ProviderClient as Provider } from "../../src/providers/provider.js";
import type { Agent } from "undici";
import { createAgent } from "../../src/providers/shared/http.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";
import { Cancel } from "../../src/util/cancel.js";
import { messagesCall } from "../helpers/messages-call.js";
import { chunkFrame } from "../../src/emulators/bedrock/event-stream.js";

const NOT_OBJECTS = ["null", "[1, 2]", '"text"', "42"];

/** A fake upstream answering every request with `status`, `contentType` and `body`. */
async function withUpstream(status: number, contentType: string, body: string | Uint8Array, run: (url: string, agent: Agent) => Promise<void>): Promise<void> {
  const fake = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(status, { "content-type": contentType }).end(body));
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const agent = createAgent({ connectTimeoutMs: 1_000 });
  try {
    await run(`http://127.0.0.1:${(fake.address() as AddressInfo).port}`, agent);
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
}

const anthropic = (url: string, agent: Agent): Provider => createAnthropicProvider({ name: "odd-anthropic", config: { kind: "anthropic", base_url: url, api_key_env: "K" }, env: { K: "k" }, agent });
const bedrock = (api: "invoke" | "converse") => (url: string, agent: Agent): Provider =>
  createBedrockProvider({ name: "odd-bedrock", config: { kind: "bedrock", region: "us-east-1", endpoint: url, credentials: { bearer_token_env: "K" }, api }, env: { K: "k" }, agent });

const call = messagesCall;

const upstreamFailure = (status: number | undefined, what: RegExp) => (error: unknown) =>
  error instanceof UpstreamError && error.kind === "upstream_server" && error.details.status === status && what.test(error.message);

for (const [name, provider] of [["Anthropic", anthropic], ["Bedrock InvokeModel", bedrock("invoke")], ["Bedrock Converse", bedrock("converse")]] as const) {
  test(`${name}: a 200 whose JSON is not an object is the upstream's failure after its answer`, async () => {
    for (const body of NOT_OBJECTS) {
      await withUpstream(200, "application/json", body, async (url, agent) => {
        await assert.rejects(provider(url, agent).messages(call(false)), upstreamFailure(200, /unreadable answer \(not a JSON object\)/), body);
      });
    }
  });

  test(`${name}: an error answer whose JSON is not an object is read by its status`, async () => {
    for (const body of NOT_OBJECTS) {
      await withUpstream(429, "application/json", body, async (url, agent) => {
        await assert.rejects(provider(url, agent).messages(call(false)), (error: unknown) => error instanceof UpstreamError && error.kind === "rate_limited" && error.details.status === 429, body);
      });
    }
  });
}

test("Anthropic: a stream whose message_start is not an object fails its attempt as the upstream's, keeping its 200", async () => {
  const stream = "event: message_start\ndata: null\n\n";
  await withUpstream(200, "text/event-stream", stream, async (url, agent) => {
    await assert.rejects(anthropic(url, agent).messages(call(true)), upstreamFailure(200, /unreadable message_start event \(not a JSON object\)/));
  });
});

test("Bedrock: a stream chunk whose event is not an object fails its attempt as the upstream's, keeping its 200", async () => {
  await withUpstream(200, "application/vnd.amazon.eventstream", chunkFrame("[]", "p"), async (url, agent) => {
    await assert.rejects(bedrock("invoke")(url, agent).messages(call(true)), upstreamFailure(200, /unreadable chunk event \(not a JSON object\)/));
  });
});

test("count_tokens answers that are not objects are the upstream's failure (the next deployment may count)", async () => {
  for (const body of NOT_OBJECTS) {
    await withUpstream(200, "application/json", body, async (url, agent) => {
      const counting = { upstreamModel: "claude-haiku-4-5", anthropicVersion: "2023-06-01", betas: [], requestId: "req_test", cancel: new Cancel(), firstByteTimeoutMs: 2_000 };
      const messages = { messages: [{ role: "user", content: "Hi" }] };
      await assert.rejects(anthropic(url, agent).countTokens(messages, counting), upstreamFailure(undefined, /unreadable count_tokens answer/), body);
      await assert.rejects(bedrock("invoke")(url, agent).countTokens(messages, counting), upstreamFailure(undefined, /unreadable CountTokens answer/), body);
    });
  }
});
