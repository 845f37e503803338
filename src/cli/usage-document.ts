/**
 * The text --usage-json reads: JSON (a usage object, a whole response, a JSON array of stream
 * events), or a stream captured as it came over the wire (text/event-stream, e.g. `curl -N`
 * output, headers, CRLFs and all), whose events become that array. A Messages stream (`event:` and
 * `data:` lines): usage from message_start and the message_delta events as the gateway reads it
 * (normalize-usage.ts's fromAnthropicStream). An OpenAI chat-completions stream (`data:` lines of
 * chat.completion.chunk, then `data: [DONE]`): usage from the chunk include_usage adds
 * (fromOpenAIStream).
 */
import { SseEventSplitter } from "../providers/shared/sse-events.js";
import { UsageError } from "./usage-error.js";
import { binaryContent, notTextMessage } from "../util/binary-text.js";

export function parseUsageDocument(text: string, source: string): unknown {
  // Said before JSON.parse, whose message would quote the file's bytes.
  const where = source === "-" ? "standard input" : source;
  const expected = "a JSON usage object, a response or a captured event stream";
  const binary = binaryContent(text);
  if (binary) throw new UsageError(`--usage-json: ${where} (line ${binary.line}) is ${notTextMessage(binary, expected)}`);
  if (text.trim() === "") throw new UsageError(`--usage-json: ${where} is empty: give ${expected}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    const events = streamEvents(text, source);
    if (events) return events;
    throw new UsageError(
      `--usage-json: ${where} is neither JSON (${(error as Error).message.replace(/\s+/g, " ")}) nor a captured event stream (data: lines)`,
      "give a usage object, a whole response, a JSON array of stream events, or a Messages or chat-completions stream as it was sent (text/event-stream)",
    );
  }
}

/** The events of an SSE capture, each its data's JSON (typed by its event: line if the data says no type); undefined if the text has none. */
function streamEvents(text: string, source: string): unknown[] | undefined {
  // A blank line ends the last event, which a capture cut after its data line would leave open.
  const events = new SseEventSplitter().push(Buffer.from(`${text}\n\n`)).filter((event) => event.data !== "" && event.data !== "[DONE]");
  if (events.length === 0) return undefined;
  return events.map((event, index) => {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      throw new UsageError(`--usage-json: ${source}: event ${index + 1}${event.event ? ` (${event.event})` : ""} has data that is not JSON: ${(error as Error).message}`);
    }
    const untyped = typeof data === "object" && data !== null && !Array.isArray(data) && !("type" in data) && event.event !== undefined;
    return untyped ? { type: event.event, ...(data as Record<string, unknown>) } : data;
  });
}
