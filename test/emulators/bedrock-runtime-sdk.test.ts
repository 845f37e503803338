import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseCommandInput,
  type ConverseStreamOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../../src/emulators/bedrock/start-bedrock-emulator.js";
import { ManualClock } from "../../src/emulators/shared/clock.js";
import type { RunningEmulator } from "../../src/emulators/shared/emulator-options.js";
import { BEDROCK_PROFILE, fixtureModels, textOfTokens } from "./emulator-fixtures.js";

let emulator: RunningEmulator;
let client: BedrockRuntimeClient;
let lastHeaders: Record<string, string> = {};
const clock = new ManualClock();
const clients: BedrockRuntimeClient[] = [];

function bedrockClient(overrides: Partial<ConstructorParameters<typeof BedrockRuntimeClient>[0]> = {}): BedrockRuntimeClient {
  const created = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emulator.url, credentials: DEFAULT_BEDROCK_CREDENTIALS, maxAttempts: 1, ...overrides });
  clients.push(created);
  return created;
}

before(async () => {
  emulator = await startBedrockEmulator({ models: fixtureModels, clock, region: "us-east-1" });
  client = bedrockClient();
  // The token-count headers are not modelled outputs; read them from the raw response.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { headers?: Record<string, string> };
      lastHeaders = response.headers ?? {};
      return result;
    },
    { step: "deserialize", name: "captureHeaders" },
  );
});
beforeEach(() => emulator.reset());
after(async () => {
  for (const created of clients) created.destroy();
  await emulator.close();
});

const decoder = new TextDecoder();
const invokeBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 200, messages: [{ role: "user", content: "Hello Bedrock" }], ...extra });

interface BedrockMessage {
  id: string;
  model: string;
  content: { type: string; text?: string }[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

test("InvokeModel returns the Anthropic message and the x-amzn-bedrock token-count headers", async () => {
  const output = await client.send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body: invokeBody(), contentType: "application/json", accept: "application/json" }));
  const message = JSON.parse(decoder.decode(output.body)) as BedrockMessage;
  assert.match(message.id, /^msg_bdrk_01/);
  assert.equal(message.model, "claude-sonnet-4-6");
  assert.equal(message.stop_reason, "end_turn");
  assert.match(output.$metadata.requestId ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4/);
  assert.equal(lastHeaders["x-amzn-bedrock-input-token-count"], String(message.usage.input_tokens));
  assert.equal(lastHeaders["x-amzn-bedrock-output-token-count"], String(message.usage.output_tokens));
  assert.equal(lastHeaders["x-amzn-bedrock-cache-read-input-token-count"], "0");
  assert.equal(lastHeaders["x-amzn-bedrock-cache-write-input-token-count"], "0");
  assert.ok(lastHeaders["x-amzn-bedrock-invocation-latency"] !== undefined);
});

test("InvokeModelWithResponseStream: base64 chunks of the Anthropic events, no ping, metrics with cache counts on message_stop", async () => {
  const system = [{ type: "text", text: textOfTokens(2000, "manual"), cache_control: { type: "ephemeral" } }];
  const body = invokeBody({ system });
  const invoked = JSON.parse(decoder.decode((await client.send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body }))).body)) as BedrockMessage;
  assert.ok(invoked.usage.cache_creation_input_tokens >= 2000);
  const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: BEDROCK_PROFILE, body }));
  assert.equal(output.contentType, "application/json");
  const events: { type: string; delta?: { text?: string }; "amazon-bedrock-invocationMetrics"?: Record<string, number> }[] = [];
  for await (const part of output.body ?? []) {
    assert.ok(part.chunk?.bytes, "only chunk events");
    events.push(JSON.parse(decoder.decode(part.chunk.bytes)) as (typeof events)[number]);
  }
  const types = events.map((event) => event.type);
  assert.equal(types[0], "message_start");
  assert.deepEqual(types.slice(-2), ["message_delta", "message_stop"]);
  assert.ok(!types.includes("ping"));
  const text = events.map((event) => event.delta?.text ?? "").join("");
  assert.equal(text, invoked.content[0]?.text);
  const metrics = events.at(-1)?.["amazon-bedrock-invocationMetrics"];
  assert.ok(metrics);
  assert.equal(metrics["outputTokenCount"], invoked.usage.output_tokens);
  assert.equal(metrics["inputTokenCount"], invoked.usage.input_tokens);
  assert.equal(metrics["cacheReadInputTokenCount"], invoked.usage.cache_creation_input_tokens, "the second call reads what the first wrote");
  assert.equal(metrics["cacheWriteInputTokenCount"], 0);
});

const converseInput = (extra: Partial<ConverseCommandInput> = {}): ConverseCommandInput => ({
  modelId: BEDROCK_PROFILE,
  messages: [{ role: "user", content: [{ text: "Hello Converse" }] }],
  inferenceConfig: { maxTokens: 300 },
  ...extra,
});

test("Converse: camelCase usage, cachePoint writes then reads, cacheDetails by TTL", async () => {
  const plain = await client.send(new ConverseCommand(converseInput()));
  assert.equal(plain.stopReason, "end_turn");
  assert.equal(plain.output?.message?.role, "assistant");
  assert.ok(plain.output?.message?.content?.[0]?.text);
  const usage = plain.usage;
  assert.ok(usage);
  assert.equal(usage.totalTokens, (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0));
  assert.equal(usage.cacheReadInputTokens, 0);

  const cached = converseInput({ system: [{ text: textOfTokens(1500, "rules") }, { cachePoint: { type: "default", ttl: "1h" } }] });
  const first = await client.send(new ConverseCommand(cached));
  assert.ok((first.usage?.cacheWriteInputTokens ?? 0) >= 1500);
  assert.deepEqual(first.usage?.cacheDetails, [{ ttl: "1h", inputTokens: first.usage?.cacheWriteInputTokens }]);
  clock.advance(10 * 60_000);
  const second = await client.send(new ConverseCommand(cached));
  assert.equal(second.usage?.cacheReadInputTokens, first.usage?.cacheWriteInputTokens);
  assert.equal(second.usage?.cacheWriteInputTokens, 0);
  assert.equal(second.usage?.cacheDetails, undefined);
  assert.deepEqual(second.output, first.output, "same request, same reply");
});

test("Converse: requestMetadata is checked against Bedrock's pattern (Java's \\s: ASCII whitespace only)", async () => {
  await assert.rejects(client.send(new ConverseCommand(converseInput({ requestMetadata: { user_id: '{"device_id":"d1"}' } }))), (error: unknown) => {
    assert.ok(error instanceof Error && error.name === "ValidationException");
    assert.equal(
      error.message,
      "1 validation error detected: Value at 'requestMetadata' failed to satisfy constraint: Map value must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z0-9\\s:_@$#=/+,-.]{0,256}]",
    );
    return true;
  });
  await assert.rejects(client.send(new ConverseCommand(converseInput({ requestMetadata: { user_id: "no-break\u00a0space" } }))), /Map value must satisfy constraint/);
  const accepted = await client.send(new ConverseCommand(converseInput({ requestMetadata: { user_id: "user_ab12 session:9f" } })));
  assert.equal(accepted.stopReason, "end_turn");
});

test("ConverseStream: the six event types in order, usage only in metadata, tool input as partial JSON", async () => {
  const input = converseInput({
    toolConfig: {
      tools: [{ toolSpec: { name: "get_weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } } }],
      toolChoice: { any: {} },
    },
  });
  const whole = await client.send(new ConverseCommand(input));
  assert.equal(whole.stopReason, "tool_use");
  const output = await client.send(new ConverseStreamCommand(input));
  const events: ConverseStreamOutput[] = [];
  for await (const event of output.stream ?? []) events.push(event);
  const kinds = events.map((event) => Object.keys(event).find((key) => key !== "$unknown"));
  assert.deepEqual(kinds, ["messageStart", "contentBlockStart", ...kinds.slice(2, -3), "contentBlockStop", "messageStop", "metadata"]);
  assert.ok(kinds.slice(2, -3).every((kind) => kind === "contentBlockDelta"));
  const start = events[1]?.contentBlockStart?.start?.toolUse;
  assert.equal(start?.name, "get_weather");
  const json = events.map((event) => event.contentBlockDelta?.delta?.toolUse?.input ?? "").join("");
  assert.deepEqual(JSON.parse(json), whole.output?.message?.content?.[0]?.toolUse?.input);
  assert.equal(events.at(-2)?.messageStop?.stopReason, "tool_use");
  assert.deepEqual(events.at(-1)?.metadata?.usage, whole.usage);
});

test("credentials: a wrong secret, an unknown key, a wrong region and a missing session token get 403", async () => {
  const body = invokeBody();
  const expectFailure = async (overrides: Partial<ConstructorParameters<typeof BedrockRuntimeClient>[0]>, name: string, message: RegExp) => {
    await assert.rejects(bedrockClient(overrides).send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body })), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, name);
      assert.match(error.message, message);
      assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 403);
      return true;
    });
  };
  await expectFailure({ credentials: { accessKeyId: DEFAULT_BEDROCK_CREDENTIALS.accessKeyId, secretAccessKey: "wrong" } }, "InvalidSignatureException", /signature we calculated does not match/);
  await expectFailure({ credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" } }, "UnrecognizedClientException", /security token included in the request is invalid/);
  await expectFailure({ region: "eu-west-1" }, "InvalidSignatureException", /scoped to a valid region/);
  const withToken = await startBedrockEmulator({ models: fixtureModels, credentials: [{ accessKeyId: "ASIATEMP", secretAccessKey: "temp-secret", sessionToken: "session-1" }] });
  try {
    const good = bedrockClient({ endpoint: withToken.url, credentials: { accessKeyId: "ASIATEMP", secretAccessKey: "temp-secret", sessionToken: "session-1" } });
    assert.ok((await good.send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body }))).body);
    await expectFailure({ endpoint: withToken.url, credentials: { accessKeyId: "ASIATEMP", secretAccessKey: "temp-secret" } }, "UnrecognizedClientException", /security token/);
  } finally {
    await withToken.close();
  }
});

test("model identifiers are checked against the catalog for this region", async () => {
  const invoke = (modelId: string, body = invokeBody()) => client.send(new InvokeModelCommand({ modelId, body }));
  const validation = (message: RegExp) => (error: unknown) => error instanceof Error && error.name === "ValidationException" && message.test(error.message);
  await assert.rejects(invoke("anthropic.claude-nope-v1:0"), validation(/^The provided model identifier is invalid\.$/));
  await assert.rejects(invoke("eu.anthropic.claude-sonnet-4-6"), validation(/^The provided model identifier is invalid\.$/));
  await assert.rejects(
    invoke("anthropic.claude-sonnet-4-6"),
    validation(/^Invocation of model ID anthropic\.claude-sonnet-4-6 with on-demand throughput isn't supported\. Retry your request with the ID or ARN of an inference profile that contains this model\.$/),
  );
  assert.ok((await invoke("anthropic.claude-3-haiku-20240307-v1:0")).body, "a bare in-region id works where it is offered");
  assert.ok((await invoke("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6")).body);
  await assert.rejects(invoke("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6"), validation(/identifier is invalid/));
});

test("InvokeModel body rules: anthropic_version required; model and stream refused in Bedrock's words", async () => {
  const send = (body: string) => client.send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body }));
  await assert.rejects(send(invokeBody({ model: "claude-sonnet-4-6", stream: true })), (error: unknown) => {
    assert.ok(error instanceof Error && error.name === "ValidationException");
    assert.equal(
      error.message,
      "Malformed input request: #: extraneous key [stream] is not permitted#: extraneous key [model] is not permitted, please reformat your input and try again.",
    );
    return true;
  });
  await assert.rejects(send(JSON.stringify({ max_tokens: 5, messages: [{ role: "user", content: "x" }] })), /required key \[anthropic_version\] not found/);
  await assert.rejects(send(invokeBody({ messages: [{ role: "assistant", content: "x" }] })), /first message must use the "user" role/);
});

test("InvokeModel refuses an image or document by URL (base64 sources only) with a 400 ValidationException in the model's words", async () => {
  const send = (content: unknown[]) => client.send(new InvokeModelCommand({ modelId: BEDROCK_PROFILE, body: invokeBody({ messages: [{ role: "user", content }] }) }));
  const refused = (message: string) => (error: unknown) => {
    assert.ok(error instanceof Error && error.name === "ValidationException", String(error));
    assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 400);
    assert.equal(error.message, message);
    return true;
  };
  const image = { type: "image", source: { type: "url", url: "https://example.com/cat.png" } };
  await assert.rejects(send([{ type: "text", text: "What is this?" }, image]), refused("messages.0.content.1.image.source.base64.data: URL sources are not supported"));
  await assert.rejects(send([{ type: "document", source: { type: "url", url: "https://example.com/a.pdf" } }]), refused("messages.0.content.0.document.source.base64.data: URL sources are not supported"));
  await assert.rejects(
    client.send(new InvokeModelCommand({
      modelId: BEDROCK_PROFILE,
      body: invokeBody({
        messages: [
          { role: "user", content: "Fetch it" },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "fetch", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [image] }] },
        ],
      }),
    })),
    refused("messages.2.content.0.tool_result.content.0.image.source.base64.data: URL sources are not supported"),
  );
  const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
  assert.ok((await send([{ type: "image", source: { type: "base64", media_type: "image/png", data: pixel } }, { type: "text", text: "And this?" }])).body, "a base64 image is taken");
});

test("throttling: rate limits and injected faults give ThrottlingException 429; overload gives ServiceUnavailableException 503", async () => {
  emulator.setProfile({ rateLimits: { requestsPerMinute: 1 } });
  await client.send(new ConverseCommand(converseInput()));
  await assert.rejects(client.send(new ConverseCommand(converseInput())), (error: unknown) => {
    assert.ok(error instanceof Error && error.name === "ThrottlingException");
    assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 429);
    assert.match(error.message, /Too many requests/);
    return true;
  });
  emulator.setProfile("outage");
  await assert.rejects(client.send(new ConverseCommand(converseInput())), (error: unknown) => error instanceof Error && error.name === "ServiceUnavailableException");
  const counters = emulator.state().counters;
  assert.deepEqual(counters.byStatus, { "200": 1, "429": 1, "503": 1 });
});

test("exception frames after the 200 surface as modelled exceptions from the stream", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "stream_error" }, streaming: true }] });
  const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: BEDROCK_PROFILE, body: invokeBody() }));
  let chunks = 0;
  await assert.rejects(
    (async () => {
      for await (const part of output.body ?? []) if (part.chunk) chunks += 1;
    })(),
    (error: unknown) => error instanceof Error && error.name === "ModelStreamErrorException",
  );
  assert.ok(chunks >= 1, "some chunks arrived before the exception");

  emulator.setProfile({ rules: [{ fault: { kind: "stream_error", status: 429 }, streaming: true }] });
  const converse = await client.send(new ConverseStreamCommand(converseInput()));
  await assert.rejects(
    (async () => {
      for await (const event of converse.stream ?? []) void event;
    })(),
    (error: unknown) => error instanceof Error && error.name === "ThrottlingException",
  );
});

test("resets over HTTP/2 kill one stream, not the connection: the next call on the same client works", async () => {
  emulator.setProfile({ rules: [{ fault: { kind: "reset", phase: "before_headers" }, count: 1 }] });
  await assert.rejects(client.send(new ConverseCommand(converseInput())));
  emulator.setProfile({ rules: [{ fault: { kind: "reset", phase: "mid_stream" }, count: 1, streaming: true }] });
  const output = await client.send(new ConverseStreamCommand(converseInput()));
  await assert.rejects(
    (async () => {
      for await (const event of output.stream ?? []) void event;
    })(),
  );
  const after = await client.send(new ConverseCommand(converseInput()));
  assert.equal(after.stopReason, "end_turn");
  const counters = emulator.state().counters;
  assert.equal(counters.closedBeforeHeaders, 1);
  assert.equal(counters.incomplete, 1);
  assert.deepEqual(counters.faults, { "reset:before_headers": 1, "reset:mid_stream": 1 });
});
