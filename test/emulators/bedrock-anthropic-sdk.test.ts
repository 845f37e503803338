import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { DEFAULT_BEDROCK_API_KEY, DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { BEDROCK_PROFILE, fixtureModels } from "./emulator-fixtures.js";

let emulator: RunningEmulator;
let client: AnthropicBedrock;

before(async () => {
  emulator = await startBedrockEmulator({ models: fixtureModels, region: "us-west-2" });
  client = new AnthropicBedrock({
    awsAccessKey: DEFAULT_BEDROCK_CREDENTIALS.accessKeyId,
    awsSecretKey: DEFAULT_BEDROCK_CREDENTIALS.secretAccessKey,
    awsRegion: "us-west-2",
    baseURL: emulator.url,
    maxRetries: 0,
  });
});
after(() => emulator.close());

const request = { model: BEDROCK_PROFILE, max_tokens: 200, messages: [{ role: "user" as const, content: "Hello from AnthropicBedrock" }] };

test("AnthropicBedrock (SigV4) create and stream agree", async () => {
  const message = await client.messages.create(request);
  assert.match(message.id, /^msg_bdrk_/);
  assert.equal(message.type, "message");
  assert.ok(message.usage.output_tokens > 0);
  const final = await client.messages.stream(request).finalMessage();
  assert.deepEqual(final.content, message.content);
  assert.equal(final.usage.output_tokens, message.usage.output_tokens);
  assert.deepEqual(emulator.state().counters.byRoute, { invoke: 1, "invoke-with-response-stream": 1 });
});

test("a Bedrock API key works as Bearer; a wrong one is refused", async () => {
  const bearer = new AnthropicBedrock({ apiKey: DEFAULT_BEDROCK_API_KEY, awsRegion: "us-west-2", baseURL: emulator.url, maxRetries: 0 });
  assert.equal((await bearer.messages.create(request)).type, "message");
  const wrong = new AnthropicBedrock({ apiKey: "not-a-key", awsRegion: "us-west-2", baseURL: emulator.url, maxRetries: 0 });
  await assert.rejects(wrong.messages.create(request), (error: unknown) => error instanceof Error && "status" in error && error.status === 403);
});

test("an exception frame mid-stream becomes an error event the SDK throws", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "stream_error", status: 503 }, streaming: true }] });
  try {
    await assert.rejects(client.messages.stream(request).finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(JSON.stringify((error as { error?: unknown }).error ?? error.message), /serviceUnavailableException/);
      return true;
    });
  } finally {
    emulator.reset();
  }
});
