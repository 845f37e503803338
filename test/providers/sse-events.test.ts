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

/** Line endings mixed within a line pair: \n\r\n, \r\n\n, \r\n\r, \n\r, \r inside an event. */
const MIXED =
  "event: a\ndata: 1\n\r\n" +
  "event: b\r\ndata: 2\r\n\n" +
  "event: c\rdata: 3\r\n\r" +
  "event: d\ndata: 4\n\r" +
  "data: x\rdata: y\n\n" +
  "event: e\r\ndata: 5\r\n\r\n";

test("mixed line endings: a blank line is any two line endings in a row, whatever the chunking", () => {
  const expected: SseEvent[] = [
    { event: "a", data: "1" },
    { event: "b", data: "2" },
    { event: "c", data: "3" },
    { event: "d", data: "4" },
    { event: undefined, data: "x\ny" },
    { event: "e", data: "5" },
  ];
  const bytes = Buffer.from(MIXED);
  assert.deepEqual(splitAll([bytes]), expected);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }), (cuts) => {
      const points = [0, ...cuts.sort((left, right) => left - right), bytes.length];
      const splitter = new SseEventSplitter(["c", "e"]);
      const events = points.slice(1).flatMap((end, index) => splitter.push(bytes.subarray(points[index] as number, end)));
      assert.deepEqual(splitAll(points.slice(1).map((end, index) => bytes.subarray(points[index] as number, end))), expected);
      assert.deepEqual(events, expected.filter((event) => event.event === "c" || event.event === "e"));
      assert.equal(splitter.seen, expected.length);
    }),
    { numRuns: 300 },
  );
});

test("a \\r last in a chunk waits: it may be half of a \\r\\n", () => {
  const splitter = new SseEventSplitter();
  assert.deepEqual(splitter.push(Buffer.from("event: ping\r\ndata: {}\r")), []);
  assert.deepEqual(splitter.push(Buffer.from("\n\r\n")), [{ event: "ping", data: "{}" }]);
});

test("an unfinished event waits for the blank line that ends it", () => {
  const splitter = new SseEventSplitter();
  assert.deepEqual(splitter.push(Buffer.from("event: ping\ndata: {}\n")), []);
  assert.deepEqual(splitter.push(Buffer.from("\n")), [{ event: "ping", data: "{}" }]);
});

/** Blocks that look skippable and are not: a second event line, a comment first, the type in the data, CRLF. */
const TRICKY =
  "event: content_block_delta\ndata: {\"text\":\"event: message_delta\"}\n\n" +
  "event: content_block_delta\nevent: message_delta\ndata: {\"usage\":{\"output_tokens\":1}}\n\n" +
  ": comment first\nevent: message_start\ndata: {\"n\":1}\n\n" +
  "event:message_start\ndata: {\"n\":2}\n\n" +
  "data: {\"n\":3}\nevent: message_delta\n\n" +
  "event: message_deltas\ndata: {\"n\":4}\n\n" +
  "event: error\r\ndata: {\"n\":5}\r\n\r\n" +
  "event: ping\n\n" +
  "event: message_delta\n\n";

test("with a type filter, exactly the unfiltered events of those types, whatever the chunking", () => {
  const only = ["message_start", "message_delta", "error"];
  for (const stream of [STREAM, TRICKY, STREAM + TRICKY]) {
    const bytes = Buffer.from(stream);
    const all = splitAll([bytes]);
    const expected = all.filter((event) => event.event !== undefined && only.includes(event.event));
    assert.ok(expected.length > 0);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const splitter = new SseEventSplitter(only);
        const events = points.slice(1).flatMap((end, index) => splitter.push(bytes.subarray(points[index] as number, end)));
        assert.deepEqual(events, expected);
        // Every completed event is counted, skipped ones too; comment-only blocks are not events.
        assert.equal(splitter.seen, all.length);
      }),
      { numRuns: 200 },
    );
  }
  assert.deepEqual(
    splitAll([Buffer.from(TRICKY)]).filter((event) => event.event === "message_delta").map((event) => event.data),
    ['{"usage":{"output_tokens":1}}', '{"n":3}', ""],
  );
});

test("a byte-order mark at the start of the stream is dropped, even split across chunks", () => {
  const splitter = new SseEventSplitter();
  assert.deepEqual(splitter.push(Buffer.from([0xef])), []);
  assert.deepEqual(splitter.push(Buffer.from([0xbb, 0xbf])), []);
  assert.deepEqual(splitter.push(Buffer.from("event: ping\ndata: {}\n\n")), [{ event: "ping", data: "{}" }]);
  assert.deepEqual(new SseEventSplitter().push(Buffer.from("\ufeffevent: ping\ndata: {}\n\n")), [{ event: "ping", data: "{}" }]);
});

test("the chunk handed in is not kept: the caller may reuse its memory", () => {
  const splitter = new SseEventSplitter();
  const chunk = Buffer.from("event: ping\ndata: {\"a\":1}");
  splitter.push(chunk);
  chunk.fill(0x78);
  assert.deepEqual(splitter.push(Buffer.from("\n\n")), [{ event: "ping", data: '{"a":1}' }]);
});

test("a keep-alive comment before the first event does not count as an event", () => {
  const splitter = new SseEventSplitter(["message_start"]);
  assert.deepEqual(splitter.push(Buffer.from(": keep-alive\n\n\n\n")), []);
  assert.equal(splitter.seen, 0);
  assert.deepEqual(splitter.push(Buffer.from("event: ping\ndata: {}\n\n")), []);
  assert.equal(splitter.seen, 1);
});
