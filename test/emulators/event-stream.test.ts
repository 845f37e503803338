import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { chunkFrame, converseFrame, decodeFrame, exceptionFrame } from "../../src/emulators/bedrock/event-stream.js";
import { fixturePath } from "./fixture-paths.js";

interface Vector {
  encoded: string;
  headers: MessageHeaders;
  body: string;
}
const vectors = JSON.parse(readFileSync(fixturePath("event-stream/vectors.json"), "utf8")) as {
  positive: Record<string, Vector>;
  negative: Record<string, string>;
};
const codec = new EventStreamCodec(toUtf8, fromUtf8);

test("the Bedrock message_stop chunk is byte-for-byte the 150-byte worked example", () => {
  const expected = Buffer.from(readFileSync(fixturePath("event-stream/bedrock-message-stop-chunk.hex"), "utf8").replace(/\s+/g, ""), "hex");
  const frame = chunkFrame('{"type":"message_stop"}', "abcdefgh");
  assert.equal(frame.length, 150);
  assert.equal(Buffer.from(frame).toString("hex"), expected.toString("hex"));
});

for (const [name, vector] of Object.entries(vectors.positive)) {
  test(`codec vector ${name}: encodes to the published bytes and decodes back`, () => {
    const headers: MessageHeaders = {};
    for (const [key, value] of Object.entries(vector.headers)) headers[key] = value;
    const encoded = codec.encode({ headers, body: fromUtf8(vector.body) });
    assert.equal(Buffer.from(encoded).toString("hex"), vector.encoded);
    const decoded = codec.decode(Buffer.from(vector.encoded, "hex"));
    assert.equal(toUtf8(decoded.body), vector.body);
    assert.deepEqual(Object.keys(decoded.headers), Object.keys(vector.headers));
  });
}

for (const [name, encoded] of Object.entries(vectors.negative)) {
  test(`codec vector ${name}: a corrupted frame is rejected`, () => {
    assert.throws(() => codec.decode(Buffer.from(encoded, "hex")));
  });
}

test("chunk frames carry base64 of the event and decode back to it", () => {
  const event = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hé"}}';
  const decoded = decodeFrame(chunkFrame(event, "abc"));
  assert.equal(decoded.headers[":event-type"]?.value, "chunk");
  assert.equal(decoded.headers[":message-type"]?.value, "event");
  const payload = JSON.parse(toUtf8(decoded.body)) as { bytes: string; p: string };
  assert.equal(Buffer.from(payload.bytes, "base64").toString("utf8"), event);
  assert.equal(payload.p, "abc");
});

test("converse and exception frames have the event-stream headers the AWS SDK dispatches on", () => {
  const converse = decodeFrame(converseFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } }, "ab"));
  assert.equal(converse.headers[":event-type"]?.value, "contentBlockDelta");
  assert.deepEqual(JSON.parse(toUtf8(converse.body)), { contentBlockIndex: 0, delta: { text: "hi" }, p: "ab" });
  const exception = decodeFrame(exceptionFrame("throttlingException", { message: "slow down" }));
  assert.equal(exception.headers[":message-type"]?.value, "exception");
  assert.equal(exception.headers[":exception-type"]?.value, "throttlingException");
  assert.deepEqual(Object.keys(exception.headers), [":exception-type", ":content-type", ":message-type"]);
});
