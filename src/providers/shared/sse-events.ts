/**
 * Splits an SSE byte stream into events as chunks arrive (lines end with \r\n, \n or \r, mixed
 * freely; an event ends at a blank line; several data: lines join with \n; lines starting with
 * ":" are comments).
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;
const LF_LF = Buffer.from("\n\n");
/** "event:" */
const EVENT_FIELD_LENGTH = 6;
const LF_EVENT_FIELD = Buffer.from("\nevent:");
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Works on bytes: an event is decoded only once its blank line has arrived, so a character split
 * between chunks is whole by then (a boundary is ASCII and cannot fall inside one).
 *
 * With `only`, events of other types are skipped without being decoded. The gateway's usage
 * observer reads two event types of a stream whose bulk is content_block_delta; decoding and
 * splitting every event cost about 1 µs each, as much CPU as the whole request for a long answer.
 * An event is skipped only when its type is certain at a glance (`event: <type>` as its first line
 * and no other `event:` line in it); anything else is parsed and then filtered, so the result is
 * exactly the unfiltered events of those types.
 */
export class SseEventSplitter {
  /** Bytes after the last event boundary: an event still arriving (a copy, never the caller's chunk). */
  private pending: Buffer | undefined;
  private atStart = true;
  private readonly only: ReadonlySet<string> | undefined;
  private readonly onlyBytes: readonly Buffer[] | undefined;
  /** Events completed so far, skipped ones included (comment-only blocks are not events). */
  seen = 0;

  constructor(only?: readonly string[]) {
    this.only = only && new Set(only);
    this.onlyBytes = only?.map((type) => Buffer.from(type));
  }

  /** Drops the event still arriving (its bytes so far): the next push starts a new event. */
  reset(): void {
    this.pending = undefined;
  }

  push(chunk: Uint8Array): SseEvent[] {
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending) data = Buffer.concat([this.pending, data]);
    if (this.atStart) {
      // The stream may open with a byte-order mark, which is not part of the first field.
      if (data.length < BOM.length && BOM.subarray(0, data.length).equals(data)) {
        this.pending = Buffer.from(data);
        return [];
      }
      this.atStart = false;
      if (data.subarray(0, BOM.length).equals(BOM)) data = data.subarray(BOM.length);
    }
    const hasCr = data.indexOf(CR) !== -1;
    const events: SseEvent[] = [];
    let start = 0;
    for (let end = nextBoundary(data, 0, hasCr); end !== -1; end = nextBoundary(data, start, hasCr)) {
      if (this.skippable(data, start, end, hasCr)) {
        this.seen += 1;
      } else {
        // A block of comments or blank lines (a keep-alive) is no event: it is neither counted nor returned.
        const event = parseBlock(data.toString("utf8", start, end));
        if (event) this.seen += 1;
        if (event && (this.only === undefined || (event.event !== undefined && this.only.has(event.event)))) events.push(event);
      }
      start = end + boundaryLength(data, end);
    }
    this.pending = start >= data.length ? undefined : Buffer.from(data.subarray(start));
    return events;
  }

  /** True when the block [start, end) is certainly not of a type in `only`. */
  private skippable(data: Buffer, start: number, end: number, hasCr: boolean): boolean {
    const wanted = this.onlyBytes;
    if (wanted === undefined || hasCr || !startsWithEventField(data, start, end)) return false;
    let valueStart = start + EVENT_FIELD_LENGTH;
    if (data[valueStart] === 0x20) valueStart += 1;
    let valueEnd = valueStart;
    while (valueEnd < end && data[valueEnd] !== LF) valueEnd += 1;
    for (const type of wanted) {
      if (valueEnd - valueStart === type.length && data.compare(type, 0, type.length, valueStart, valueEnd) === 0) return false;
    }
    // A later event: line in the same block would set the type again.
    const later = data.indexOf(LF_EVENT_FIELD, valueEnd);
    return later === -1 || later >= end;
  }
}

/** "event:" at `start`, inside the block (byte by byte: a native call costs more than six compares). */
function startsWithEventField(data: Buffer, start: number, end: number): boolean {
  return (
    end - start >= EVENT_FIELD_LENGTH &&
    data[start] === 0x65 &&
    data[start + 1] === 0x76 &&
    data[start + 2] === 0x65 &&
    data[start + 3] === 0x6e &&
    data[start + 4] === 0x74 &&
    data[start + 5] === 0x3a
  );
}

/** The length of the line ending at `at` (\r\n: 2; \n or \r: 1), or 0 if none starts there. */
function lineEndLength(data: Buffer, at: number): number {
  const byte = data[at];
  if (byte === LF) return 1;
  if (byte !== CR) return 0;
  return data[at + 1] === LF ? 2 : 1;
}

/**
 * Where the next blank line starts (the end of an event), or -1: the first line ending at or
 * after `from` that another line ending follows at once (\n\n, \r\n\r\n, \r\r, \n\r\n, …).
 * A \r at the end of the data may be the first half of a \r\n: as the second ending it ends the
 * event anyway, and a \n arriving next is an empty line before the next event, which changes nothing.
 */
function nextBoundary(data: Buffer, from: number, hasCr: boolean): number {
  if (!hasCr) return data.indexOf(LF_LF, from);
  for (let index = from; index < data.length; index += 1) {
    const first = lineEndLength(data, index);
    if (first === 0) continue;
    // Nothing after the first ending (a \r last in the data, maybe half of a \r\n) is no boundary yet.
    if (lineEndLength(data, index + first) > 0) return index;
    index += first - 1;
  }
  return -1;
}

/** The length of the blank line at `at`: its two line endings. */
function boundaryLength(data: Buffer, at: number): number {
  const first = lineEndLength(data, at);
  return first + lineEndLength(data, at + first);
}

function parseBlock(block: string): SseEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.includes("\r") ? block.split(/\r\n|\n|\r/) : block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (event === undefined && data.length === 0) return undefined;
  return { event, data: data.join("\n") };
}

/** One SSE event in Anthropic's wire form: `event: <type>` then one `data:` line. */
export function formatSseEvent(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

/** How an error reaches an Anthropic streaming client after the 200: an `event: error`. */
export function sseError(errorType: string, message: string): string {
  return formatSseEvent("error", JSON.stringify({ type: "error", error: { type: errorType, message } }));
}
