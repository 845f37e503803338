/**
 * HTTP to upstreams with undici (the client behind Node's fetch, used directly for its pooled
 * keep-alive connections and lower overhead). Network failures become UpstreamError kinds.
 */
import { Agent, errors as undiciErrors, request, type Dispatcher } from "undici";
import { UpstreamError } from "../upstream-error.js";

export interface HttpOptions {
  connectTimeoutMs: number;
}

export function createAgent(options: HttpOptions): Agent {
  return new Agent({ connect: { timeout: options.connectTimeoutMs }, keepAliveTimeout: 30_000, connections: 256 });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Dispatcher.ResponseData["body"];
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
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

export async function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
  options: { signal: AbortSignal; headersTimeoutMs: number; who: string },
): Promise<RawResponse> {
  try {
    const response = await request(url, {
      method: "POST",
      headers,
      body,
      dispatcher: agent,
      signal: options.signal,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: 0,
    });
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body: response.body };
  } catch (error) {
    if (options.signal.aborted) throw new UpstreamError("timeout", `${options.who}: request aborted (${String(options.signal.reason ?? "deadline")})`);
    throw networkError(error, options.who);
  }
}

export async function readText(body: RawResponse["body"], who: string): Promise<Buffer> {
  try {
    return Buffer.from(await body.arrayBuffer());
  } catch (error) {
    throw networkError(error, who);
  }
}

/** Headers worth passing to the client: the upstream's rate-limit state and request id. */
export function passThroughHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith("anthropic-ratelimit-")) kept[name] = value;
    else if (name === "request-id" || name === "x-amzn-requestid") kept[`x-switchyard-upstream-request-id`] = value;
  }
  return kept;
}

/**
 * Reads chunks until `hasFirst` says a first complete event has arrived, within a deadline.
 * Returns the bytes read so far and an iterator for the rest.
 */
export async function readUntilFirstEvent(
  iterator: AsyncIterator<Buffer>,
  hasFirst: (chunk: Buffer) => boolean,
  timeoutMs: number,
  who: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError("timeout", `${who}: no first event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), deadline]);
      if (next.done) throw new UpstreamError("connection", `${who}: stream ended before its first event`);
      chunks.push(next.value);
      if (hasFirst(next.value)) return Buffer.concat(chunks);
    }
  } catch (error) {
    throw networkError(error, who);
  } finally {
    clearTimeout(timer);
  }
}
