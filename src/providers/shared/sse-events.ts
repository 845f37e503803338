/**
 * Splits an SSE byte stream into events as chunks arrive (events end at a blank line: \n\n,
 * \r\n\r\n or \r\r; several data: lines join with \n; lines starting with ":" are comments).
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

export class SseEventSplitter {
  private readonly decoder = new TextDecoder();
  private buffer = "";

  push(chunk: Uint8Array): SseEvent[] {
    const text = this.buffer + this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    const boundary = /\r\n\r\n|\n\n|\r\r/g;
    let start = 0;
    // One pass over the text, sliced once at the end (slicing the buffer after every event made a
    // chunk of n events cost O(n²)).
    for (let match = boundary.exec(text); match !== null; match = boundary.exec(text)) {
      const event = parseBlock(text.slice(start, match.index));
      if (event) events.push(event);
      start = match.index + match[0].length;
    }
    this.buffer = start === 0 ? text : text.slice(start);
    return events;
  }
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
