/**
 * The Files API through the gateway (https://platform.claude.com/docs/en/build-with-claude/files):
 * upload, list, metadata, download and delete, passed through to the one provider that holds
 * files (config/files-holder.ts) under its credentials, with the client's virtual key checked as
 * on /v1/messages. Served off node:http, as POST /v1/messages is (front.ts): an upload streams
 * through to the upstream as it arrives, never held whole, and is cut at `files.max_file_bytes`
 * with a 413. Files API calls are free ("Files API operations are free", same page, "Usage and
 * billing"): they have no ledger row and spend nothing of a budget.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { headerValues } from "../util/header-values.js";
import { cancelOnClose } from "../util/cancel.js";
import { closeLingering } from "../util/lingering-close.js";
import { UpstreamError } from "../providers/upstream-error.js";
import type { FilesCall } from "../providers/provider.js";
import { authenticate } from "./authenticate.js";
import { asKnownError, errorResponse, GatewayError } from "./errors.js";
import { newRequestId } from "./messages.js";
import { anthropicVersion } from "./request-body.js";
import type { GatewayState } from "./state.js";
import { FILES_API_MAX_FILE_BYTES } from "../config/gateway-config.js";

/** What a Files API request asks for, read from its method and path. */
type FilesRoute =
  | { kind: "list" | "upload"; fileId?: undefined }
  | { kind: "metadata" | "content" | "delete"; fileId: string };

/** Room for the multipart framing around the file (boundaries, part headers, other fields) over `max_file_bytes`. */
const MULTIPART_ALLOWANCE_BYTES = 64 * 1024;

const FILES_PATH = /^\/v1\/files(?:\/([^/?#]+)(\/content)?)?\/?(?:[?#]|$)/;

/** Whether a request URL is one of the Files API's paths (`/v1/files`, `/v1/files/{id}`, `/v1/files/{id}/content`). */
export function isFilesPath(url: string): boolean {
  return FILES_PATH.test(url);
}

/** The route a method and URL name, or undefined (answered as an unknown route). */
function filesRoute(method: string | undefined, url: string): FilesRoute | undefined {
  const match = FILES_PATH.exec(url);
  if (!match) return undefined;
  const [, encodedId, content] = match;
  if (encodedId === undefined) return method === "GET" ? { kind: "list" } : method === "POST" ? { kind: "upload" } : undefined;
  let fileId: string;
  try {
    fileId = decodeURIComponent(encodedId);
  } catch {
    return undefined;
  }
  // A dot segment would name another path once the upstream normalises it.
  if (fileId === "." || fileId === "..") return undefined;
  if (content) return method === "GET" ? { kind: "content", fileId } : undefined;
  return method === "GET" ? { kind: "metadata", fileId } : method === "DELETE" ? { kind: "delete", fileId } : undefined;
}

/** The upstream path for a route, with the client's query as it sent it (a list's `limit`, `after_id`, …). */
function upstreamPath(route: FilesRoute, url: string): string {
  const queryAt = url.indexOf("?");
  const query = queryAt === -1 ? "" : url.slice(queryAt).split("#", 1)[0];
  if (route.fileId === undefined) return `/v1/files${query}`;
  return `/v1/files/${encodeURIComponent(route.fileId)}${route.kind === "content" ? "/content" : ""}${query}`;
}

/** The largest upload body the gateway passes on: the file and its multipart framing. */
function uploadLimit(state: GatewayState): number {
  return state.config.files.maxFileBytes + MULTIPART_ALLOWANCE_BYTES;
}

function fileTooLarge(state: GatewayState): GatewayError {
  const most = state.config.files.maxFileBytes;
  return new GatewayError("request_too_large", `the file is larger than this gateway takes (${most} bytes, files.max_file_bytes${most === FILES_API_MAX_FILE_BYTES ? ": the Files API's own limit of 500 MB" : ""})`);
}

/**
 * Why an upload is refused before a byte of it is read: not multipart/form-data (what the Files
 * API takes), or a declared size over the limit. Also asked for `Expect: 100-continue` (front.ts).
 */
export function uploadProblem(state: GatewayState, headers: IncomingHttpHeaders): GatewayError | undefined {
  const type = headers["content-type"]?.split(";", 1)[0]?.trim().toLowerCase();
  if (type !== "multipart/form-data") {
    return new GatewayError("invalid_request", `content-type must be multipart/form-data with the file in a part named "file" (got ${headers["content-type"] ?? "none"})`);
  }
  if (Number(headers["content-length"] ?? 0) > uploadLimit(state)) return fileTooLarge(state);
  return undefined;
}

/** Counts an upload's bytes on their way through, and stops it once there are more than `limit`; `sent` is called once all of it has passed. */
class UploadLimit extends Transform {
  exceeded = false;
  private seen = 0;

  constructor(
    private readonly limit: number,
    private readonly sent: () => void,
  ) {
    super();
  }

  override _flush(callback: TransformCallback): void {
    this.sent();
    callback();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      callback(new Error(`upload larger than ${this.limit} bytes`));
      return;
    }
    callback(null, chunk);
  }
}

/** The request headers an upstream Files call needs of the client's: what the body is, and what the client accepts. */
function passedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of ["content-type", "content-length", "accept"] as const) {
    const value = headers[name];
    if (typeof value === "string") passed[name] = value;
  }
  return passed;
}

/** Answers `error` in the Anthropic shape; a body not read to its end is discarded, and the connection closed lingering. */
function refuse(request: IncomingMessage, response: ServerResponse, error: unknown, requestId: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (!request.complete) closeLingering(request, response);
  // An upload piped to the upstream call is taken back, so that its rest is read and discarded.
  request.unpipe();
  request.resume();
  const answer = errorResponse(asKnownError(error), requestId);
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

/** Serves one request to a Files API path (front.ts sends every such request here). */
export function acceptFiles(state: GatewayState, request: IncomingMessage, response: ServerResponse): void {
  const requestId = newRequestId();
  const url = request.url ?? "";
  const route = filesRoute(request.method, url);
  if (!route) return refuse(request, response, new GatewayError("not_found", `no route ${request.method} ${url} (the Files API: GET and POST /v1/files, GET and DELETE /v1/files/{file_id}, GET /v1/files/{file_id}/content)`), requestId);
  if (route.kind === "upload") {
    const problem = uploadProblem(state, request.headers);
    if (problem) return refuse(request, response, problem, requestId);
  } else {
    request.resume();
  }
  void serve(state, route, request, response, requestId);
}

async function serve(state: GatewayState, route: FilesRoute, request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
  const cancel = cancelOnClose(response);
  const timeouts = state.config.config.timeouts;
  // Until the answer's headers: an upload may take as long as its client takes to send it, and
  // then waits first_byte_ms for the answer; the other calls are bounded by total_ms. The
  // answer's body (a download) then goes at the client's pace.
  let clearDeadline = route.kind === "upload" ? undefined : cancel.abortAfter(timeouts.total_ms, "timeouts.total_ms");
  let upload: UploadLimit | undefined;
  try {
    const known = authenticate(state, request.headers);
    if (known instanceof Promise) await known;
    const version = anthropicVersion(request.headers);
    const holder = state.config.files;
    if (holder.provider === undefined) throw new GatewayError("no_route", `the Files API is not available through this gateway: ${holder.why}`);
    const client = state.clients.get(holder.provider);
    if (!client?.files) throw new GatewayError("internal", `provider ${holder.provider} has no Files API client`);
    const call: FilesCall = {
      method: route.kind === "upload" ? "POST" : route.kind === "delete" ? "DELETE" : "GET",
      path: upstreamPath(route, request.url ?? ""),
      anthropicVersion: version,
      betas: headerValues(request.headers["anthropic-beta"]),
      headers: passedHeaders(request.headers),
      cancel,
      // undici's headers timeout runs from the start of the request (a slow upload would reach it): see UploadLimit's `sent`.
      firstByteTimeoutMs: route.kind === "upload" ? 0 : timeouts.first_byte_ms,
    };
    if (route.kind === "upload") {
      upload = new UploadLimit(uploadLimit(state), () => {
        clearDeadline = cancel.abortAfter(timeouts.first_byte_ms, "timeouts.first_byte_ms after the upload");
      });
      call.body = request.pipe(upload);
    }
    const answer = await client.files(call);
    clearDeadline?.();
    clearDeadline = undefined;
    response.writeHead(answer.status, { ...answer.headers, "request-id": requestId, "x-switchyard-provider": holder.provider });
    // A download may be large: passed on as it arrives, at the client's pace; a cut upstream cuts the client's connection.
    await pipeline(Readable.from(answer.body), response);
  } catch (error) {
    // After the headers (a download cut, or its client gone) there is nothing to answer: the connection is dropped.
    if (response.headersSent) return void response.destroy();
    if (upload?.exceeded) return refuse(request, response, fileTooLarge(state), requestId);
    if (error instanceof UpstreamError && error.kind === "client_disconnected") return void response.destroy();
    if (!(error instanceof GatewayError) && !(error instanceof UpstreamError)) state.faults.note(requestId, error, true);
    refuse(request, response, error, requestId);
  } finally {
    clearDeadline?.();
  }
}
