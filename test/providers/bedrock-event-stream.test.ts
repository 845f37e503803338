import { test } from "node:test";
import assert from "node:assert/strict";
import { BedrockStreamDecoder, ConverseStreamDecoder } from "../../src/providers/bedrock/event-stream.js";
import { toInvokeBody } from "../../src/providers/bedrock/request-body.js";
import { bedrockError, errorTypeName } from "../../src/providers/bedrock/errors.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";
import { eventFrame } from "../../src/emulators/bedrock/event-stream.js";

/** The 150-byte chunk frame wrapping {"type":"message_stop"} with "p":"abcdefgh" (shared/reference/protocols.md §2.4). */
const WORKED_FRAME = Buffer.from(
  "00000096" + "0000004b" + "da6a95c1" +
    "0b3a6576656e742d7479706507000563687" + "56e6b" +
    "0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e" +
    "0d3a6d6573736167652d747970650700056576656e74" +
    Buffer.from('{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0=","p":"abcdefgh"}').toString("hex") +
    "f1c95632",
  "hex",
);

test("the worked frame decodes to an SSE message_stop, even fed one byte at a time", () => {
  assert.equal(WORKED_FRAME.length, 150);
  const decoder = new BedrockStreamDecoder("test");
  const items = [];
  for (const byte of WORKED_FRAME) items.push(...decoder.push(Uint8Array.of(byte)));
  assert.deepEqual(items, [{ kind: "event", sse: 'event: message_stop\ndata: {"type":"message_stop"}\n\n' }]);
});

test("message_stop reaches the client as the Anthropic API sends it: Bedrock's invocation metrics are read, not passed on", () => {
  const metrics = { inputTokenCount: 12, outputTokenCount: 34, invocationLatency: 500, firstByteLatency: 100 };
  const bytes = Buffer.from(JSON.stringify({ type: "message_stop", "amazon-bedrock-invocationMetrics": metrics })).toString("base64");
  const decoder = new BedrockStreamDecoder("test");
  const items = decoder.push(eventFrame("chunk", JSON.stringify({ bytes })));
  assert.deepEqual(items, [{ kind: "event", sse: 'event: message_stop\ndata: {"type":"message_stop"}\n\n' }]);
  const usage = decoder.usage().usage;
  assert.deepEqual([usage.input, usage.output], [12, 34], "the metrics still price a stream without Anthropic usage events");
});

/** A chunk frame carrying `json` as the event's bytes. */
const chunkOf = (json: string) => eventFrame("chunk", JSON.stringify({ bytes: Buffer.from(json).toString("base64") }));

test("a stream whose message_delta never reported the output takes it from message_stop's metrics", () => {
  const decoder = new BedrockStreamDecoder("test");
  decoder.push(chunkOf(JSON.stringify({ type: "message_start", message: { usage: { input_tokens: 12, output_tokens: 1 } } })));
  decoder.push(chunkOf(JSON.stringify({ type: "message_stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 12, outputTokenCount: 15 } })));
  const { usage, warnings } = decoder.usage();
  assert.deepEqual([usage.input, usage.output], [12, 15]);
  assert.ok(warnings.includes("output from the invocation metrics (no message_delta reported it)"), warnings.join("; "));
  assert.ok(!warnings.some((warning) => warning.startsWith("no message_delta reported the output")));
});

test("an event's JSON spread over lines reaches the client on one data line; an event name with a line break is dropped", () => {
  const decoder = new BedrockStreamDecoder("test");
  const spread = decoder.push(chunkOf('{"type":"content_block_delta",\n"index":0,\r\n"delta":{"type":"text_delta","text":"hi"}}'));
  assert.deepEqual(spread, [{ kind: "event", sse: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n' }]);
  assert.deepEqual(decoder.push(chunkOf('{"type":"ping\\ndata: {}"}')), []);
});

test("two frames in one chunk both decode", () => {
  const decoder = new BedrockStreamDecoder("test");
  assert.equal(decoder.push(Buffer.concat([WORKED_FRAME, WORKED_FRAME])).length, 2);
});

test("a corrupted frame is refused by the CRC check, not passed on, as the upstream's failure (fail over, 5xx)", () => {
  const corrupted = Buffer.from(WORKED_FRAME);
  corrupted[100] = (corrupted[100] as number) ^ 0xff;
  assert.throws(
    () => new BedrockStreamDecoder("test").push(corrupted),
    (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && /corrupt event-stream frame.*(checksum|CRC)/i.test(error.message),
  );
});

test("the end of the body: a frame cut short, or no message_stop, is a cut stream; a whole stream ends quietly", () => {
  const cut = new BedrockStreamDecoder("test");
  assert.deepEqual(cut.push(WORKED_FRAME.subarray(0, 100)), []);
  assert.throws(() => cut.finish(), (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && /truncated event-stream message \(100 bytes/.test(error.message));
  const unstopped = new BedrockStreamDecoder("test");
  assert.throws(() => unstopped.finish(), /test: the stream ended before message_stop/);
  assert.throws(() => new ConverseStreamDecoder("test", "m", "msg_1").finish(), /test: the stream ended before its metadata event/);
  const whole = new BedrockStreamDecoder("test");
  whole.push(WORKED_FRAME);
  assert.doesNotThrow(() => whole.finish());
});

test("the InvokeModel body drops model and stream, adds anthropic_version and moves betas into the body", () => {
  const body = toInvokeBody({ model: "claude-x", stream: true, max_tokens: 5, messages: [], custom_field: 1 }, ["context-1m-2025-08-07"]);
  assert.deepEqual(body, { anthropic_version: "bedrock-2023-05-31", max_tokens: 5, messages: [], custom_field: 1, anthropic_beta: ["context-1m-2025-08-07"] });
  assert.equal(toInvokeBody({ anthropic_version: "2023-06-01", max_tokens: 5, messages: [] }, []).anthropic_version, "bedrock-2023-05-31", "Bedrock's version, whatever the body says");
});

test("Bedrock error types are read the way the AWS SDK reads them", () => {
  assert.equal(errorTypeName("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", {}), "ThrottlingException");
  assert.equal(errorTypeName(undefined, { __type: "com.amazon.bedrock#ValidationException" }), "ValidationException");
  const throttled = bedrockError(429, { "x-amzn-errortype": "ThrottlingException" }, '{"message":"Too many requests"}', 2000, "bedrock");
  assert.equal(throttled.kind, "rate_limited");
  assert.equal(throttled.details.retryAfterMs, 2000);
  assert.equal(bedrockError(403, { "x-amzn-errortype": "UnrecognizedClientException" }, "{}", undefined, "bedrock").kind, "upstream_auth");
  assert.equal(bedrockError(403, { "x-amzn-errortype": "AccessDeniedException" }, '{"message":"You don\'t have access to the model with the specified model ID."}', undefined, "bedrock").kind, "upstream_auth");
  assert.equal(bedrockError(503, {}, "{}", undefined, "bedrock").kind, "unavailable");
  // No exception name: the status decides. A 401 is the gateway's own credentials (another deployment may serve), never the client's 400.
  const byStatus = [401, 403, 404, 408, 413, 429, 503, 504, 529, 400, 500].map((status) => [status, bedrockError(status, {}, "{}", undefined, "bedrock").kind]);
  assert.deepEqual(byStatus, [
    [401, "upstream_auth"], [403, "upstream_auth"], [404, "not_found"], [408, "timeout"], [413, "request_too_large"], [429, "rate_limited"],
    [503, "unavailable"], [504, "timeout"], [529, "unavailable"], [400, "invalid_request"], [500, "upstream_server"],
  ]);
  // A name that is an object's own property is not an exception name.
  assert.equal(bedrockError(400, { "x-amzn-errortype": "__proto__" }, "{}", undefined, "bedrock").kind, "invalid_request");
});

test("an event the upstream sent unreadable is its failure (upstream_server); a fault in the translation is not", () => {
  for (const payload of ["{not json", "null", "[1]"]) {
    assert.throws(
      () => new ConverseStreamDecoder("test", "claude-haiku-4-5", "msg_1").push(eventFrame("messageStart", payload)),
      (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_server" && /unreadable messageStart event/.test(error.message),
      payload,
    );
  }
  const decoder = new ConverseStreamDecoder("test", "claude-haiku-4-5", "msg_1");
  const translator = (decoder as unknown as { translator: { translate: () => never } }).translator;
  translator.translate = () => {
    throw new TypeError("a bug in the translation");
  };
  assert.throws(
    () => decoder.push(eventFrame("messageStart", '{"role":"assistant"}')),
    (error: unknown) => error instanceof TypeError && !(error instanceof UpstreamError),
  );
});
