/**
 * count_tokens when a deployment cannot count: Bedrock refuses CountTokens for some models
 * ("The provided model doesn't support counting tokens."). The gateway moves on to the model's
 * next deployment; when none can count, the caller gets a 400 that says why (not a 404: the
 * model exists).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import Anthropic from "@anthropic-ai/sdk";
import { startHarness, type Harness } from "../helpers/gateway-harness.js";

let harness: Harness;
let client: Anthropic;
let refuser: Server;
let refused = 0;

before(async () => {
  refuser = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      refused += 1;
      response.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" });
      response.end(JSON.stringify({ message: "The provided model doesn't support counting tokens." }));
    });
  });
  await new Promise<void>((resolve) => refuser.listen(0, "127.0.0.1", resolve));
  const port = (refuser.address() as { port: number }).port;
  harness = await startHarness({
    providers: `  bedrock-no-count:
    kind: bedrock
    region: us-east-1
    endpoint: "http://127.0.0.1:${port}"
    credentials: { access_key_id_env: TEST_AWS_ACCESS_KEY_ID, secret_access_key_env: TEST_AWS_SECRET_ACCESS_KEY }`,
    policy: "ordered",
    deployments: `deployments:
  - { id: bedrock-cannot-count, provider: bedrock-no-count, model: claude-haiku-4-5, route: us }
  - { id: anthropic-haiku, provider: anthropic-emulator, model: claude-haiku-4-5, route: global }
models:
  haiku-bedrock-first: [bedrock-cannot-count, anthropic-haiku]
  haiku-bedrock-only: [bedrock-cannot-count]
`,
  });
  client = harness.client();
});

after(async () => {
  await harness.close();
  await new Promise<void>((resolve) => refuser.close(() => resolve()));
});

const prompt = { messages: [{ role: "user" as const, content: "How many tokens is this?" }] };

test("a deployment that cannot count leaves it to the model's next deployment", async () => {
  const before = refused;
  const counted = await client.messages.countTokens({ model: "haiku-bedrock-first", ...prompt }).withResponse();
  assert.equal(refused, before + 1, "the Bedrock deployment was asked first");
  assert.equal(counted.response.headers.get("x-switchyard-deployment"), "anthropic-haiku");
  assert.ok(counted.data.input_tokens > 0);
});

test("when no deployment can count, the caller gets a 400 invalid_request_error naming the reason", async () => {
  await assert.rejects(client.messages.countTokens({ model: "haiku-bedrock-only", ...prompt }), (error: unknown) => {
    assert.ok(error instanceof Anthropic.BadRequestError, `expected a 400, got ${String(error)}`);
    assert.equal(error.type, "invalid_request_error");
    assert.match(error.message, /cannot count tokens for/);
    return true;
  });
});
