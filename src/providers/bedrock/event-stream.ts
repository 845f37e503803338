/**
 * InvokeModelWithResponseStream (and ConverseStream) body -> Anthropic SSE bytes.
 * Each AWS event-stream message (decoded and CRC-checked by the AWS SDK's codec) is a `chunk`
 * event whose JSON payload carries the Anthropic event JSON base64-encoded in `bytes` (plus
 * padding `p`, ignored); exception frames carry an error. Bedrock drops `ping` and SSE names,
 * so the event name is the JSON `type`. Usage: message_start, message_delta and the
 * `amazon-bedrock-invocationMetrics` on message_stop.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { fromAnthropicStream, fromBedrockConverse, fromBedrockMetrics, type NormalizedUsage } from "../../pricing/normalize-usage.js";
import { ConverseToAnthropic } from "./converse.js";
import { formatSseEvent } from "../shared/sse-events.js";
import { streamCutError, upstreamJsonObject, UpstreamError } from "../upstream-error.js";
import { anthropicStreamError } from "../shared/anthropic-errors.js";
import { bedrockStreamException, type ErrorAnswer } from "./errors.js";

export type StreamItem = { kind: "event"; sse: string } | { kind: "error"; error: UpstreamError };

/** One decoded event-stream message: an event (its :event-type and JSON text) or an error. */
type Frame =
  | { kind: "event"; eventType: string | undefined; payload: string }
  | { kind: "exception"; exceptionType: string; payload: string }
  | { kind: "error"; error: UpstreamError };

/** AWS event-stream frames out of raw bytes, CRCs checked by the AWS SDK's codec. */
class FrameReader {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  /** Bytes of a frame not complete yet: frames straddle network reads. */
  private pendingBytes: Buffer = Buffer.alloc(0);
  private readonly utf8 = new TextDecoder();

  constructor(private readonly who: string) {}

  /** The frames these bytes complete. Throws on a corrupt frame. */
  push(chunk: Uint8Array): Frame[] {
    this.pendingBytes = this.pendingBytes.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pendingBytes, chunk]);
    const frames: Frame[] = [];
    // Each frame starts with its total length (uint32, big-endian); the codec decodes whole frames
    // and checks both CRCs.
    while (this.pendingBytes.length >= 4) {
      const total = this.pendingBytes.readUInt32BE(0);
      if (total < 16) throw new UpstreamError("upstream_server", `${this.who}: corrupt event-stream frame (length ${total})`);
      if (this.pendingBytes.length < total) break;
      let message: ReturnType<EventStreamCodec["decode"]>;
      try {
        message = this.codec.decode(this.pendingBytes.subarray(0, total));
      } catch (error) {
        throw new UpstreamError("upstream_server", `${this.who}: corrupt event-stream frame (${error instanceof Error ? error.message : String(error)})`);
      }
      this.pendingBytes = this.pendingBytes.subarray(total);
      const header = (name: string) => {
        const value = message.headers[name]?.value;
        return typeof value === "string" ? value : undefined;
      };
      const messageType = header(":message-type");
      const payload = this.utf8.decode(message.body);
      if (messageType === "exception") {
        frames.push({ kind: "exception", exceptionType: header(":exception-type") ?? "internalServerException", payload });
      } else if (messageType === "error") {
        frames.push({ kind: "error", error: new UpstreamError("upstream_server", `${this.who}: ${header(":error-code")}: ${header(":error-message")}`) });
      } else {
        frames.push({ kind: "event", eventType: header(":event-type"), payload });
      }
    }
    return frames;
  }

  /**
   * The stream items these bytes complete, up to the first error: errors as they are, each event as
   * `sse` makes it (an SSE event, an error the event carries, or nothing: skipped). `sse` reads JSON through `json`,
   * so only what the upstream sent counts as unreadable: a fault in `sse` itself stays the gateway's.
   */
  items(
    chunk: Uint8Array,
    sse: (eventType: string | undefined, payload: string, json: (text: string) => Record<string, unknown>) => string | UpstreamError | undefined,
  ): StreamItem[] {
    const items: StreamItem[] = [];
    for (const frame of this.push(chunk)) {
      const made =
        frame.kind === "error" ? frame.error : frame.kind === "exception" ? bedrockStreamException(frame.exceptionType, frame.payload, this.who) : sse(frame.eventType, frame.payload, (json) => upstreamJsonObject(json, this.who, `${frame.eventType ?? "event"} event`));
      if (made instanceof UpstreamError) {
        // The stream ends at its error: later frames are not read (their usage does not count).
        items.push({ kind: "error", error: made });
        break;
      }
      if (made) items.push({ kind: "event", sse: made });
    }
    return items;
  }

  /** At the end of the body: throws if it ended inside a frame (as the AWS SDK does) or before its `closing` event. */
  finish(closed: boolean, closing: string): void {
    if (this.pendingBytes.length > 0) throw new UpstreamError("upstream_server", `${this.who}: truncated event-stream message (${this.pendingBytes.length} bytes of an unfinished frame)`);
    if (!closed) throw streamCutError(this.who, closing);
  }
}

/**
 * The exception in an error response whose body is event-stream frames. Bedrock has answered a
 * stream with HTTP 400 and a serviceUnavailableException frame (github.com/BerriAI/litellm/issues/7637):
 * read as a plain 400 it would be the request's fault and defeat failover. Undefined if the body
 * holds no readable exception frame.
 */
export function exceptionInFrames(body: Uint8Array, who: string, answer: ErrorAnswer): UpstreamError | undefined {
  try {
    for (const frame of new FrameReader(who).push(body)) if (frame.kind === "exception") return bedrockStreamException(frame.exceptionType, frame.payload, who, answer);
  } catch {
    // not frames after all: the caller reads the body as text
  }
  return undefined;
}

const MESSAGE_STOP = formatSseEvent("message_stop", '{"type":"message_stop"}');

export class BedrockStreamDecoder {
  private readonly frames: FrameReader;
  private startUsage: unknown;
  private readonly deltaUsages: unknown[] = [];
  private metrics: unknown;
  private stopped = false;

  constructor(private readonly who: string) {
    this.frames = new FrameReader(who);
  }

  /**
   * Feeds raw bytes; returns the SSE events (or errors) completed by them. Throws on corrupt frames.
   * An Anthropic `error` event inside a chunk is an error, as an exception frame is: the upstream
   * ended the stream, and the gateway must learn of it (a failed attempt before the message, a
   * failure counted against the deployment after it), not pass it on as an ordinary event.
   */
  push(chunk: Uint8Array): StreamItem[] {
    return this.frames.items(chunk, (eventType, payload, parse) => {
      if (eventType !== "chunk") return undefined;
      const wrapper = parse(payload);
      if (typeof wrapper.bytes !== "string") return undefined;
      const json = Buffer.from(wrapper.bytes, "base64").toString("utf8");
      const event = parse(json) as { type?: unknown; message?: { usage?: unknown }; usage?: unknown; "amazon-bedrock-invocationMetrics"?: unknown };
      if (typeof event.type !== "string") return undefined;
      if (event.type === "error") return anthropicStreamError(event as Record<string, unknown>, this.who);
      if (event.type === "message_start") this.startUsage = event.message?.usage;
      else if (event.type === "message_delta") this.deltaUsages.push(event.usage);
      else if (event.type === "message_stop") {
        this.metrics = event["amazon-bedrock-invocationMetrics"];
        this.stopped = true;
        // The Anthropic API's message_stop carries nothing else: Bedrock's metrics (usage, latency)
        // are the gateway's to read, not a field its clients should find only on some deployments.
        return MESSAGE_STOP;
      }
      // An SSE line ends at CR or LF: JSON spread over lines (legal JSON, whitespace between tokens)
      // is passed on compact, and an event name that would break its line is not an event.
      if (/[\r\n]/.test(event.type)) return undefined;
      return formatSseEvent(event.type, json.includes("\n") || json.includes("\r") ? JSON.stringify(event) : json);
    });
  }

  /** At the end of the body: throws if the stream was cut (inside a frame, or before message_stop). */
  finish(): void {
    this.frames.finish(this.stopped, "message_stop");
  }

  /**
   * The usage seen: Anthropic events first; the invocation metrics when they are all there is, or
   * for the output when no message_delta reported it (message_stop's metrics still did).
   */
  usage(): NormalizedUsage {
    if (this.startUsage === undefined && this.deltaUsages.length === 0) return fromBedrockMetrics(this.metrics);
    const streamed = fromAnthropicStream(this.startUsage, this.deltaUsages);
    if (streamed.usage.output !== undefined || this.metrics === undefined) return streamed;
    const output = fromBedrockMetrics(this.metrics).usage.output;
    if (output === undefined) return streamed;
    const warnings = streamed.warnings.filter((warning) => !warning.startsWith("no message_delta reported the output"));
    return { ...streamed, usage: { ...streamed.usage, output }, warnings: [...warnings, "output from the invocation metrics (no message_delta reported it)"] };
  }
}

/** ConverseStream body -> Anthropic SSE bytes (converse.ts translates each event); usage from metadata. */
export class ConverseStreamDecoder {
  private readonly frames: FrameReader;
  private readonly translator: ConverseToAnthropic;

  constructor(who: string, model: string, id: string) {
    this.frames = new FrameReader(who);
    this.translator = new ConverseToAnthropic(model, id);
  }

  push(chunk: Uint8Array): StreamItem[] {
    return this.frames.items(chunk, (eventType, payload, parse) => (eventType === undefined ? undefined : this.translator.translate(eventType, parse(payload))));
  }

  usage(): NormalizedUsage {
    return fromBedrockConverse(this.translator.usage);
  }

  /** At the end of the body: throws if the stream was cut (inside a frame, or before its metadata). */
  finish(): void {
    this.frames.finish(this.translator.ended, "its metadata event");
  }
}
