/** The SSE splitter: the same events whatever the chunking, every line-ending form, comments. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SseEventSplitter, type SseEvent } from "../../src/providers/shared/sse-events.js";

function splitAll(chunks: Uint8Array[]): SseEvent[] {
  const splitter = new SseEventSplitter();
  return chunks.flatMap((chunk) => splitter.push(chunk));
}

const STREAM =
  "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}\n\n" +
  ": a comment\n\n" +
  "event: ping\ndata: {\"type\": \"ping\"}\r\n\r\n" +
  "event: content_block_delta\ndata: {\"delta\":{\"text\":\"héllo ✓\"}}\n\n" +
  "data: line one\ndata: line two\r\r" +
  "event: message_delta\ndata: {\"usage\":{\"output_tokens\":5}}\n\n" +
  "event: message_stop\ndata: {}\n\n";

const EXPECTED: SseEvent[] = [
  { event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":12}}}' },
  { event: "ping", data: '{"type": "ping"}' },
  { event: "content_block_delta", data: '{"delta":{"text":"héllo ✓"}}' },
  { event: undefined, data: "line one\nline two" },
  { event: "message_delta", data: '{"usage":{"output_tokens":5}}' },
  { event: "message_stop", data: "{}" },
];

test("a whole stream in one chunk gives every event, in order", () => {
  assert.deepEqual(splitAll([Buffer.from(STREAM)]), EXPECTED);
});

test("any chunking (even inside a multi-byte character or a CRLF) gives the same events", () => {
  const bytes = Buffer.from(STREAM);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const chunks = points.slice(1).map((end, index) => bytes.subarray(points[index] as number, end));
      assert.deepEqual(splitAll(chunks), EXPECTED);
    }),
    { numRuns: 300 },
  );
});

test("an unfinished event waits for the blank line that ends it", () => {
  const splitter = new SseEventSplitter();
  assert.deepEqual(splitter.push(Buffer.from("event: ping\ndata: {}\n")), []);
  assert.deepEqual(splitter.push(Buffer.from("\n")), [{ event: "ping", data: "{}" }]);
});
