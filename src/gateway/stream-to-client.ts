/**
 * A streamed answer on its way to the client (gateway/messages.ts hands it over once the upstream's
 * first event is in, so failover is over): the upstream's SSE bytes as they arrive, with the
 * client's backpressure; a failure after that as an `event: error`; and `finish` (which records the
 * request's ledger row) before the stream ends.
 */
import { CLIENT_GONE, type AttemptRecord } from "../ledger/ledger.js";
import type { UpstreamResult } from "../providers/provider.js";
import { anthropicErrorType } from "../providers/error-types.js";
import { sseError } from "../providers/shared/sse-events.js";
import { UpstreamError, type ErrorKind } from "../providers/upstream-error.js";
import type { Deployment } from "../config/load-gateway-config.js";
import type { ClientResponse } from "./client-response.js";
import { ClientLeft, type Cancel } from "../util/cancel.js";

const LF = 0x0a;

/**
 * Waits for a full response buffer to drain. Ends early when the client goes away ("drained": there
 * is nothing more to wait for), when it has read nothing for `stallMs` ("stalled"), or when the
 * request's cancel fires meanwhile, e.g. at stream_max_ms ("cancelled"): a client that stops
 * reading must not hold the request, its budget hold and a half-open probe for ever.
 */
function clientReady(response: ClientResponse, cancel: Cancel | undefined, stallMs: number): Promise<"drained" | "stalled" | "cancelled"> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let stopListening: (() => void) | undefined;
    const done = (how: "drained" | "stalled" | "cancelled") => {
      response.off("drain", drained);
      response.off("close", drained);
      clearTimeout(timer);
      stopListening?.();
      resolve(how);
    };
    const drained = () => done("drained");
    response.on("drain", drained);
    response.on("close", drained);
    if (stallMs > 0) timer = setTimeout(() => done("stalled"), stallMs);
    stopListening = cancel?.onAbort((reason) => done(reason instanceof ClientLeft ? "drained" : "cancelled"));
  });
}

interface StreamContext {
  deployment: Deployment;
  requestId: string;
  attempts: AttemptRecord[];
  rateHeaders: Record<string, string>;
  /** Called for every chunk from the upstream (messages.ts: the stream's silence deadline). */
  alive?: () => void;
  /** Called while the client, not the upstream, is what the stream waits for (a full socket): the silence deadline stops until the next chunk. */
  waitingForClient?: () => void;
  /** The request's cancel: its firing (stream_max_ms) also ends a wait for a client that is not reading. */
  cancel?: Cancel;
  /** How long a client may leave a full buffer unread before it is let go (ms; 0 or absent: no limit). */
  clientStallMs?: number;
}

/**
 * Streams the upstream's SSE bytes to the client as they arrive. The headers and first event go
 * out together (the upstream already sent its first event, so failover is over). A failure after
 * that becomes an `event: error` in the stream. `finish` is called before the stream ends.
 */
export async function streamToClient(
  result: Extract<UpstreamResult, { kind: "stream" }>,
  response: ClientResponse,
  context: StreamContext,
  finish: (ttftMs: number, streamMs: number, failure: ErrorKind | undefined) => void,
  started: number,
): Promise<void> {
  response.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": context.requestId,
    "x-switchyard-deployment": context.deployment.id,
    "x-switchyard-provider": context.deployment.provider.kind,
    "x-switchyard-attempts": String(context.attempts.length),
    ...result.headers,
    ...context.rateHeaders,
  });
  response.write(result.first);
  const ttftMs = performance.now() - started;
  const streamStarted = performance.now();
  let failure: ErrorKind | undefined;
  /** The last two bytes passed on: a stream that did not stop at an event's end ("\n\n") leaves it open. */
  let beforeLast = result.first.at(-2);
  let lastByte = result.first.at(-1);
  try {
    for await (const chunk of result.rest) {
      context.alive?.();
      if (response.destroyed) break;
      if (chunk.length > 0) {
        beforeLast = chunk.length > 1 ? chunk[chunk.length - 2] : lastByte;
        lastByte = chunk[chunk.length - 1];
      }
      if (!response.write(chunk)) {
        context.waitingForClient?.();
        const how = await clientReady(response, context.cancel, context.clientStallMs ?? 0);
        if (how !== "drained") {
          // The client's buffer is full: no error event could reach it. Let it go, and the upstream
          // with it (the request's cancel stops the upstream call; leaving the loop does not).
          if (how === "cancelled") failure = "timeout";
          else context.cancel?.abort(new ClientLeft());
          response.destroy();
          break;
        }
        context.alive?.();
      }
    }
  } catch (error) {
    // The client leaving cancels the upstream call, which then throws: that is not the upstream's failure.
    if (!response.destroyed) {
      const upstreamError = error instanceof UpstreamError ? error : new UpstreamError("connection", String(error));
      failure = upstreamError.kind;
      const type = anthropicErrorType(upstreamError.kind);
      if (response.writeStreamError) response.writeStreamError(type, upstreamError.message);
      else {
        // Cut anywhere but at an event's end, one newline goes first. Inside a line, it ends the
        // half line, so that `event: error` is a line of its own and the event the client reads is
        // an error event (its data starts with the half of a cut `data:` line: SSE cannot take it
        // back, and ending the event there would hand the client truncated JSON). After a whole
        // line, it is the blank line that ends the upstream's event, whose lines are all there.
        const eventOpen = lastByte !== undefined && !(lastByte === LF && beforeLast === LF);
        response.write(`${eventOpen ? "\n" : ""}${sseError(type, upstreamError.message)}`);
      }
    }
  }
  // An error the upstream sent in the stream has reached the client already; it is still a failure.
  if (failure === undefined) failure = result.failure()?.kind;
  if (failure === undefined && response.destroyed) failure = CLIENT_GONE;
  finish(ttftMs, performance.now() - streamStarted, failure);
  // Not on a destroyed response: end() would make it look finished to whoever listens for its close.
  if (!response.destroyed) response.end();
}
