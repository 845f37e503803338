/**
 * HTTP to upstreams with undici (the client behind Node's fetch), through its low-level
 * `dispatch` API: pooled keep-alive connections, and no Readable stream, promise chain or header
 * object per request beyond what the gateway reads. A response body is an UpstreamBody: its
 * chunks as they arrive, read whole, up to a first event, or as an async iterable, with undici's
 * own backpressure. Network failures become UpstreamError kinds.
 */
import type { Readable } from "node:stream";
import { Agent, errors as undiciErrors, util as undiciUtil, type Dispatcher } from "undici";
import { ClientLeft, type Cancel } from "../../util/cancel.js";
import { UpstreamError } from "../upstream-error.js";

export interface HttpOptions {
  connectTimeoutMs: number;
}

export function createAgent(options: HttpOptions): Agent {
  return new Agent({ connect: { timeout: options.connectTimeoutMs }, keepAliveTimeout: 30_000, connections: 256 });
}

/** An upstream's answer: status and body at once; the header record is decoded only if asked for. */
export class RawResponse {
  private record: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    private readonly rawHeaders: Buffer[],
    readonly body: UpstreamBody,
  ) {}

  /** Every header, lower-case names, repeats joined with ", ". */
  get headers(): Record<string, string> {
    return (this.record ??= headerRecord(this.rawHeaders));
  }

  /**
   * passThroughHeaders(this.headers), without decoding the headers it drops: on the success path
   * this is all the gateway reads, and decoding every header was 3–4% of its CPU.
   */
  passThrough(): Record<string, string> {
    if (this.record) return passThroughHeaders(this.record);
    // The headers passThroughHeaders keeps, in a record built as headerRecord would: the same result.
    const raw = this.rawHeaders;
    const candidates = Object.create(null) as Record<string, string>;
    for (let index = 0; index + 1 < raw.length; index += 2) {
      const nameBytes = raw[index] as Buffer;
      // Only names starting with a, r or x (any case) can be kept: anthropic-ratelimit-*, request-id, x-amzn-requestid.
      const first = (nameBytes[0] ?? 0) | 0x20;
      if (first !== 0x61 && first !== 0x72 && first !== 0x78) continue;
      const name = undiciUtil.headerNameToString(nameBytes);
      if (!isPassedThrough(name)) continue;
      const value = (raw[index + 1] as Buffer).toString("latin1");
      const existing = candidates[name];
      candidates[name] = existing === undefined ? value : `${existing}, ${value}`;
    }
    return passThroughHeaders(candidates);
  }
}

/** A request stopped by its Cancel: its client went away (client_disconnected), or its deadline passed (timeout). */
export function abortedError(reason: Error | undefined, who: string): UpstreamError {
  if (reason instanceof ClientLeft) return new UpstreamError("client_disconnected", `${who}: request aborted (client disconnected)`);
  return new UpstreamError("timeout", `${who}: request aborted (${reason?.message ?? "deadline"})`);
}

/**
 * A 3xx from an upstream. The gateway does not follow redirects (it would resend a signed body
 * to wherever it is told): the deployment's base URL or endpoint is wrong, which is the gateway's
 * own configuration failing (upstream_auth: the next deployment is tried, the operator is told).
 */
export function redirectError(status: number, headers: Record<string, string>, who: string, setting: "base_url" | "endpoint"): UpstreamError {
  const location = headers["location"];
  return new UpstreamError(
    "upstream_auth",
    `${who}: answered ${status} (a redirect${location ? ` to ${location.slice(0, 200)}` : ""}); the gateway does not follow redirects: set the provider's ${setting} to the address the upstream answers on`,
    { status },
  );
}

/**
 * A failure after the upstream answered `status` (its body cut off, stalled or unreadable): the
 * attempt keeps the status, which tells the ledger that the upstream had the request in hand and
 * may bill what it processed, though it never reported it.
 */
export function failedAfterAnswer(error: unknown, status: number, who: string): UpstreamError {
  const failure = networkError(error, who);
  return failure.details.status !== undefined ? failure : new UpstreamError(failure.kind, failure.message, { ...failure.details, status });
}

/** Maps undici / socket errors to the closed set: timeouts vs connection failures. */
export function networkError(error: unknown, who: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    (error instanceof Error && error.name === "TimeoutError")
  ) {
    return new UpstreamError("timeout", `${who}: timed out (${(error as Error).message})`);
  }
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}` : String(error);
  return new UpstreamError("connection", `${who}: connection failed: ${message}`);
}

/** Bytes a body may hold unread before undici stops reading the socket (a slow client's backpressure). */
const HIGH_WATER_BYTES = 256 * 1024;

/**
 * A response body fed by undici's handler callbacks. One reader at a time: `bytes()`,
 * `readUntil()` then iteration, or iteration alone.
 */
export class UpstreamBody implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: UpstreamError | undefined;
  private wake: (() => void) | undefined;
  /** undici's resume(), held while reading is paused. */
  private paused: (() => void) | undefined;

  constructor(
    private readonly who: string,
    private readonly abortRequest: (error: Error) => void,
  ) {}

  /** @internal from the handler: false asks undici to pause until resume is called. */
  push(chunk: Buffer, resume: () => void): boolean {
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    this.notify();
    if (this.queuedBytes < HIGH_WATER_BYTES) return true;
    this.paused = resume;
    return false;
  }

  /** @internal */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** @internal */
  fail(error: UpstreamError): void {
    this.failure ??= error;
    this.notify();
  }

  /** Stops the upstream request; further reads fail. */
  destroy(): void {
    if (this.ended || this.failure) return;
    this.failure = new UpstreamError("connection", `${this.who}: response abandoned`);
    this.abortRequest(this.failure);
  }

  private notify(): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  }

  private take(): Buffer[] {
    const chunks = this.chunks;
    this.chunks = [];
    this.queuedBytes = 0;
    const resume = this.paused;
    if (resume) {
      this.paused = undefined;
      resume();
    }
    return chunks;
  }

  private unshift(chunks: Buffer[]): void {
    this.chunks = chunks.concat(this.chunks);
    for (const chunk of chunks) this.queuedBytes += chunk.length;
  }

  private waitForMore(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** The whole body. */
  async bytes(): Promise<Buffer> {
    // Chunks are taken as they come, so a body over the high-water mark keeps flowing.
    const chunks: Buffer[] = [];
    for (let chunk = await this.read(); chunk !== undefined; chunk = await this.read()) chunks.push(chunk);
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  /**
   * Reads chunks until `hasFirst` says a complete first event has arrived (it sees every chunk, in
   * order), within `timeoutMs`. Returns the bytes read so far; iteration continues after them.
   */
  async readUntil(hasFirst: (chunk: Buffer) => boolean, timeoutMs: number): Promise<Buffer> {
    const read: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        const taken = this.take();
        for (let index = 0; index < taken.length; index += 1) {
          const chunk = taken[index] as Buffer;
          read.push(chunk);
          if (hasFirst(chunk)) {
            // Chunks after the first event go back to the front of the queue, for the iterator.
            if (index + 1 < taken.length) this.unshift(taken.slice(index + 1));
            return read.length === 1 ? (read[0] as Buffer) : Buffer.concat(read);
          }
        }
        if (this.failure) throw this.failure;
        if (this.ended) throw new UpstreamError("connection", `${this.who}: stream ended before its first event`);
        timer ??= setTimeout(() => {
          const error = new UpstreamError("timeout", `${this.who}: no first event within ${timeoutMs} ms`);
          this.fail(error);
          this.abortRequest(error);
        }, timeoutMs);
        await this.waitForMore();
      }
    } catch (error) {
      // `hasFirst` found the bytes unreadable (a corrupt frame): nobody reads the rest, so the
      // upstream request stops here rather than generate on, paid for, until its deadline.
      this.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next chunks (joined) as they arrive; undefined at the end. Throws the body's failure. */
  async read(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.chunks.length > 0) {
        const chunks = this.take();
        return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      }
      if (this.failure) throw this.failure;
      if (this.ended) return undefined;
      await this.waitForMore();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return mapBody(this, (chunk) => chunk, (error) => error)[Symbol.asyncIterator]();
  }
}

/**
 * The rest of a body for a client: each chunk through `map` (undefined: nothing to pass on for it
 * yet), a failure through `mapError`. A plain iterator over `read()`, not an async generator: the
 * providers used to wrap the body's own async generator in one of theirs, and with that nesting
 * V8 kept every stream's objects alive through a young-generation GC and then promoted them, about
 * 6 KB per streamed request; at 200 streams/s each scavenge took 5–7 ms instead of under 1.
 */
export function mapBody(
  body: UpstreamBody,
  map: (chunk: Buffer) => Buffer | undefined,
  mapError: (error: unknown) => unknown,
  /** Called when the body has ended: throws if the stream was not complete (through `mapError`). */
  atEnd?: () => void,
  /** True once the stream is over before its body is (the upstream sent its error): the body is dropped. */
  over?: () => boolean,
): AsyncIterable<Buffer> {
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let ended = false;
  const next = async (): Promise<IteratorResult<Buffer>> => {
    try {
      if (!ended && over?.()) {
        ended = true;
        body.destroy();
      }
      for (;;) {
        const chunk = ended ? undefined : await body.read();
        if (chunk === undefined) {
          if (!ended) {
            ended = true;
            atEnd?.();
          }
          return done;
        }
        const mapped = map(chunk);
        if (mapped !== undefined) return { done: false, value: mapped };
      }
    } catch (error) {
      // A body that failed, or bytes `map` or `atEnd` could not read: the stream is over, and the
      // upstream request must not go on generating (and billing) behind it (a no-op once ended).
      ended = true;
      body.destroy();
      throw mapError(error);
    }
  };
  // Leaving the loop early does not stop the upstream: the request's Cancel does that.
  const iterator: AsyncIterator<Buffer> = { next, return: async () => done };
  return { [Symbol.asyncIterator]: () => iterator };
}

/** undici's raw headers (name, value, name, value… as Buffers) as lower-case names; repeats joined with ", ". */
function headerRecord(raw: Buffer[]): Record<string, string> {
  // No prototype: a header named "constructor" or "__proto__" is just a header.
  const headers = Object.create(null) as Record<string, string>;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    // undici's lookup returns interned lower-case names for well-known headers without decoding.
    const name = undiciUtil.headerNameToString(raw[index] as Buffer);
    const value = (raw[index + 1] as Buffer).toString("latin1");
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing}, ${value}`;
  }
  return headers;
}

/**
 * POSTs `body` and resolves with the status and headers as soon as they arrive; the body follows
 * through `response.body`. Rejects with an UpstreamError (timeout, connection) when no headers come.
 */
export function post(
  agent: Dispatcher,
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: string | Buffer,
  options: { cancel: Cancel; headersTimeoutMs: number; who: string },
): Promise<RawResponse> {
  return send(agent, origin, "POST", path, headers, body, options);
}

/**
 * `post` for any method, with a body that may be a stream (an upload passed through as it
 * arrives, never held whole); undefined for none.
 */
export function send(
  agent: Dispatcher,
  origin: string,
  method: "GET" | "POST" | "DELETE",
  path: string,
  headers: Record<string, string>,
  body: string | Buffer | Readable | undefined,
  options: { cancel: Cancel; headersTimeoutMs: number; who: string },
): Promise<RawResponse> {
  const { cancel, who } = options;
  if (cancel.aborted) return Promise.reject(abortedError(cancel.reason, who));
  return new Promise<RawResponse>((resolve, reject) => {
    let abort: ((error: Error) => void) | undefined;
    let pendingAbort: Error | undefined;
    let response: UpstreamBody | undefined;
    let resumeReading: () => void = () => undefined;
    let settled = false;
    let stopListening: () => void = () => undefined;
    const abortRequest = (error: Error) => {
      if (abort) return abort(error);
      // Not on a socket yet (queued for a free connection, or connecting): undici aborts it when it
      // gets one; the caller need not wait for that.
      pendingAbort = error;
      if (!settled) {
        settled = true;
        stopListening();
        reject(error instanceof UpstreamError ? error : networkError(error, who));
      }
    };
    stopListening = cancel.onAbort((reason) => abortRequest(abortedError(reason, who)));
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortFn) {
        abort = abortFn;
        if (pendingAbort) abortFn(pendingAbort);
      },
      onHeaders(statusCode, rawHeaders, resume) {
        if (statusCode < 200) return true; // 1xx informational: the real answer follows.
        response = new UpstreamBody(who, abortRequest);
        resumeReading = resume;
        settled = true;
        resolve(new RawResponse(statusCode, rawHeaders, response));
        return true;
      },
      onData(chunk) {
        return response ? response.push(chunk, resumeReading) : true;
      },
      onComplete() {
        stopListening();
        response?.end();
      },
      onError(error) {
        stopListening();
        const failure = cancel.aborted && !(error instanceof UpstreamError) ? abortedError(cancel.reason, who) : networkError(error, who);
        if (!settled) {
          settled = true;
          reject(failure);
        } else {
          response?.fail(failure);
        }
      },
    };
    agent.dispatch({ origin, path, method, headers, body: body ?? null, headersTimeout: options.headersTimeoutMs, bodyTimeout: 0 }, handler);
  });
}

const UPSTREAM_REQUEST_IDS = new Set(["request-id", "x-amzn-requestid"]);

/** Whether an upstream header (lower-case name) goes to the client. */
function isPassedThrough(name: string): boolean {
  return name.startsWith("anthropic-ratelimit-") || UPSTREAM_REQUEST_IDS.has(name);
}

/**
 * Headers worth passing to the client, renamed as the upstream's: its request id as
 * x-switchyard-upstream-request-id, its rate-limit state (anthropic-ratelimit-*, which is the
 * gateway's account's, shared by every key) as x-switchyard-upstream-ratelimit-*. The
 * anthropic-ratelimit-* names a client reads are the gateway's own limits for its key alone.
 */
export function passThroughHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name in headers) {
    if (!isPassedThrough(name)) continue;
    kept[UPSTREAM_REQUEST_IDS.has(name) ? "x-switchyard-upstream-request-id" : `x-switchyard-upstream-${name.slice(ANTHROPIC_PREFIX_LENGTH)}`] = headers[name] as string;
  }
  return kept;
}

const ANTHROPIC_PREFIX_LENGTH = "anthropic-".length;
