/**
 * Bedrock Runtime CountTokens on the emulator, through the official AWS SDK (CountTokensCommand):
 * a bare foundation-model id counts, an InvokeModel or a Converse input, the same number the
 * Anthropic emulator's count_tokens gives for the same prompt; an inference-profile id is refused
 * as Bedrock refuses it. And the gateway's Bedrock client against an upstream that cannot count.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BedrockRuntimeClient, CountTokensCommand, ValidationException } from "@aws-sdk/client-bedrock-runtime";
import { startAnthropicEmulator } from "../../src/emulators/anthropic/start-anthropic-emulator.js";
import { DEFAULT_BEDROCK_API_KEY, DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { createServer } from "node:http";
import { createBedrockProvider, foundationModelId } from "../../src/providers/bedrock/index.js";
import { createAgent } from "../../src/providers/shared/http.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";
import { Cancel } from "../../src/util/cancel.js";


const HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0";
let bedrock: RunningEmulator;
let anthropic: RunningEmulator;
let client: BedrockRuntimeClient;

before(async () => {
  bedrock = await startBedrockEmulator({ region: "us-east-1" });
  anthropic = await startAnthropicEmulator();
  client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: bedrock.url, credentials: DEFAULT_BEDROCK_CREDENTIALS, maxAttempts: 1 });
});

after(async () => {
  client.destroy();
  await bedrock.close();
  await anthropic.close();
});

const prompt = { system: "You answer in one word.", messages: [{ role: "user", content: "How many tokens is this question, roughly?" }] };

async function anthropicCount(): Promise<number> {
  const response = await fetch(`${anthropic.url}/v1/messages/count_tokens`, {
    method: "POST",
    headers: { "x-api-key": "sk-emulator", "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model: "claude-haiku-4-5", ...prompt }),
  });
  return ((await response.json()) as { input_tokens: number }).input_tokens;
}

test("an InvokeModel body counts what the Anthropic API counts for the same prompt", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 1, ...prompt }));
  const counted = await client.send(new CountTokensCommand({ modelId: HAIKU, input: { invokeModel: { body } } }));
  assert.equal(counted.inputTokens, await anthropicCount());
  assert.ok((counted.inputTokens ?? 0) > 0);
});

test("a Converse input of the same prompt counts the same", async () => {
  const counted = await client.send(
    new CountTokensCommand({ modelId: HAIKU, input: { converse: { system: [{ text: prompt.system }], messages: [{ role: "user", content: [{ text: prompt.messages[0]?.content ?? "" }] }] } } }),
  );
  assert.equal(counted.inputTokens, await anthropicCount());
});

test("a Converse input is checked as Converse checks it, with Converse's wording and path", async () => {
  const assistantFirst = { messages: [{ role: "assistant" as const, content: [{ text: "Hello." }] }] };
  await assert.rejects(client.send(new CountTokensCommand({ modelId: HAIKU, input: { converse: assistantFirst } })), (error: unknown) => {
    assert.ok(error instanceof ValidationException);
    assert.equal(error.message, "A conversation must start with a user message. Try again with a conversation that starts with a user message.");
    return true;
  });
  const noMessages = { messages: "not a list" } as unknown as typeof assistantFirst;
  const sent = await fetch(`${bedrock.url}/model/${encodeURIComponent(HAIKU)}/count-tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${DEFAULT_BEDROCK_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ input: { converse: noMessages } }),
  });
  assert.match(((await sent.json()) as { message: string }).message, /^1 validation error detected: Value at 'input\.converse\.messages'/);
});

test("an inference-profile id is refused: CountTokens takes the foundation model's id", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 1, ...prompt }));
  await assert.rejects(client.send(new CountTokensCommand({ modelId: `global.${HAIKU}`, input: { invokeModel: { body } } })), (error: unknown) => {
    assert.ok(error instanceof ValidationException);
    assert.equal(error.message, "The provided model doesn't support counting tokens.");
    return true;
  });
  // What the gateway's Bedrock client sends instead.
  assert.equal(foundationModelId(`global.${HAIKU}`), HAIKU);
  assert.equal(foundationModelId(`us-gov.${HAIKU}`), HAIKU);
  assert.equal(foundationModelId(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${HAIKU}`), HAIKU);
  assert.equal(foundationModelId(HAIKU), HAIKU);
  const application = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
  assert.equal(foundationModelId(application), application, "an application profile cannot be mapped; it is sent as is");
});

test("a body without max_tokens is not a valid InvokeModel body", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ anthropic_version: "bedrock-2023-05-31", ...prompt }));
  await assert.rejects(client.send(new CountTokensCommand({ modelId: HAIKU, input: { invokeModel: { body } } })), (error: unknown) => {
    assert.ok(error instanceof ValidationException);
    assert.match(error.message, /required key \[max_tokens\] not found/);
    return true;
  });
});

test("the gateway's Bedrock client: a model Bedrock cannot count is 'unsupported' there (400 if no other deployment can count)", async () => {
  const seen: { url: string; body: string }[] = [];
  const fake = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      seen.push({ url: request.url ?? "", body });
      response.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" });
      response.end(JSON.stringify({ message: "The provided model doesn't support counting tokens." }));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const agent = createAgent({ connectTimeoutMs: 1_000 });
  try {
    const port = (fake.address() as { port: number }).port;
    const provider = createBedrockProvider({
      name: "fake-bedrock",
      config: { kind: "bedrock", region: "us-east-1", endpoint: `http://127.0.0.1:${port}`, credentials: { bearer_token_env: "FAKE_BEDROCK_KEY" }, api: "invoke" },
      env: { FAKE_BEDROCK_KEY: "key" },
      agent,
    });
    const call = { upstreamModel: `us.${HAIKU}`, anthropicVersion: "2023-06-01", betas: [], requestId: "req_test", cancel: new Cancel(), firstByteTimeoutMs: 2_000 };
    await assert.rejects(provider.countTokens({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "Hi" }] }, call), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.kind, "unsupported");
      return true;
    });
    assert.equal(seen[0]?.url, `/model/${encodeURIComponent(HAIKU)}/count-tokens`, "the foundation model's id, not the profile's");
    const sent = JSON.parse(Buffer.from((JSON.parse(seen[0]?.body ?? "{}") as { input: { invokeModel: { body: string } } }).input.invokeModel.body, "base64").toString("utf8")) as Record<string, unknown>;
    assert.equal(sent.max_tokens, 1);
    assert.equal(sent.anthropic_version, "bedrock-2023-05-31");
    assert.equal(sent.model, undefined);
    // With thinking enabled, an InvokeModel body needs max_tokens above the budget.
    const thinking = { type: "enabled", budget_tokens: 2_048 };
    await assert.rejects(provider.countTokens({ model: "claude-haiku-4-5", thinking, messages: [{ role: "user", content: "Hi" }] }, call));
    const withThinking = JSON.parse(Buffer.from((JSON.parse(seen[1]?.body ?? "{}") as { input: { invokeModel: { body: string } } }).input.invokeModel.body, "base64").toString("utf8")) as Record<string, unknown>;
    assert.equal(withThinking.max_tokens, 2_049);
    assert.deepEqual(withThinking.thinking, thinking);
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  }
});
