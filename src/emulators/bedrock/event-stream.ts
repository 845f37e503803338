/**
 * AWS event-stream frames for Bedrock's streaming responses, encoded with the AWS SDK's own
 * codec (@smithy/eventstream-codec: prelude, headers, payload, two CRC-32s). Frame shapes follow
 * reference/protocols.md §2.3-2.4 and the Bedrock API reference:
 * - InvokeModelWithResponseStream: `chunk` events whose payload is {"bytes": base64(Anthropic event), "p": padding}
 * - ConverseStream: events named messageStart, contentBlockDelta, … whose payload is the member JSON (+ "p")
 * - exceptions: :message-type exception, :exception-type <camelCase name>, payload {"message", …}
 */
import { EventStreamCodec, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function encode(headers: MessageHeaders, payload: string): Uint8Array {
  return codec.encode({ headers, body: fromUtf8(payload) });
}

/** Headers in the order Bedrock sends them: :event-type, :content-type, :message-type. */
export function eventFrame(eventType: string, payload: string): Uint8Array {
  return encode(
    {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    payload,
  );
}

/** One InvokeModelWithResponseStream chunk wrapping an Anthropic stream event (JSON text). */
export function chunkFrame(eventJson: string, padding: string): Uint8Array {
  const bytes = Buffer.from(eventJson, "utf8").toString("base64");
  return eventFrame("chunk", JSON.stringify({ bytes, p: padding }));
}

/** A ConverseStream event: the member's JSON with Bedrock's `p` padding added. */
export function converseFrame(eventType: string, member: Record<string, unknown>, padding: string): Uint8Array {
  return eventFrame(eventType, JSON.stringify({ ...member, p: padding }));
}

export function exceptionFrame(exceptionType: string, payload: Record<string, unknown>): Uint8Array {
  return encode(
    {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    JSON.stringify(payload),
  );
}

export function decodeFrame(bytes: Uint8Array) {
  return codec.decode(bytes);
}
