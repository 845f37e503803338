/**
 * The gateway's front door. POST /v1/messages, the hot path, is read straight off node:http: the
 * body collected within the size limit, JSON-parsed once and handed to handleMessages, which
 * writes the response itself. The Files API (/v1/files…) is served off node:http too (files.ts),
 * so that an upload streams through instead of being read whole. Everything else (count_tokens, models, admin, metrics, the
 * dashboard) goes to fastify. Going through fastify's routing, request and reply objects and a
 * hijacked reply cost about 10% of the CPU of a request (docs/BENCHMARKS.md).
 */
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { cancelOnClose } from "../util/cancel.js";
import { closeLingering } from "../util/lingering-close.js";
import { errorResponse, GatewayError } from "./errors.js";
import { acceptFiles, isFilesPath, uploadProblem } from "./files.js";
import { handleMessages, newRequestId } from "./messages.js";
import { openAIErrorResponse } from "./openai/chat-response.js";
import type { GatewayState } from "./state.js";

// The Anthropic API's 529 (overloaded_error) has no reason phrase in Node's table: without one
// the status line reads "529 unknown".
STATUS_CODES[529] ??= "Overloaded";

/** The Anthropic API's request-size limit for Messages and count_tokens. */
export const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** Node's default (5 s) is shorter than most clients' idle pools; a closed pooled socket costs a retry. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** While closing, how long a connection may stay idle after its answer. */
const CLOSING_KEEP_ALIVE_MS = 500;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A node:http server that serves POST /v1/messages itself and passes every other request to `fallback`. */
export function createFrontServer(state: GatewayState, fallback: Handler): Server {
  const server = createServer((request, response) => {
    // Closing (draining): a request on a connection already open is still served, but its
    // connection ends with the answer, so that the drain ends (fastify does so for its routes).
    if (!server.listening) response.setHeader("connection", "close");
    const url = request.url ?? "";
    // A browser's request (it names its page's origin) to the API: CORS, as the APIs answer it.
    if (request.headers.origin !== undefined && url.startsWith("/v1/")) {
      if (request.method === "OPTIONS") return answerPreflight(request, response, url);
      response.setHeader("access-control-allow-origin", "*");
      response.setHeader("access-control-expose-headers", "*");
      // Refused whatever the preflight said (a browser keeps a preflight's permission for a while,
      // and a request within it need not carry the opt-in): readable, so the page learns why.
      if (!browserMayCall(url, request.headers[BROWSER_OPT_IN] === "true")) {
        request.resume();
        return refuse(response, new GatewayError("authentication", `CORS requests must set '${BROWSER_OPT_IN}: true' (the Anthropic SDK's dangerouslyAllowBrowser), as the Anthropic API requires`), false);
      }
    }
    if (request.method === "POST" && (url === "/v1/messages" || url.startsWith("/v1/messages?"))) acceptMessages(state, request, response);
    else if (url.startsWith("/v1/files") && isFilesPath(url)) acceptFiles(state, request, response);
    else fallback(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Node closes the connections idle when the close begins, once: one busy then (a stream) was
  // answered keep-alive, and its client may keep it for the whole keep-alive timeout, holding the
  // close (and the process) for 65 s after its answer ended. Closing, the timeout is cut to half a
  // second: Node arms it when an answer ends, so such a connection closes once idle that long (in
  // practice within 2 s: Node's socket timers are coarse), while a client's next request sent
  // before then is still served, with connection: close. No sweep that could close a connection
  // just as its client sends on it.
  const close = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    server.keepAliveTimeout = CLOSING_KEEP_ALIVE_MS;
    return close(callback);
  }) as typeof server.close;
  // `Expect: 100-continue` (curl sends it for large uploads): a body that would be refused unread
  // (its content type, its declared size) is refused before the client is told to send it.
  server.on("checkContinue", (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? "";
    const problem = request.method !== "POST" ? undefined : isFilesPath(url) ? uploadProblem(state, request.headers) : bodyProblem(request.headers, JSON_ROUTES.test(url));
    if (problem) {
      closeLingering(request, response);
      request.resume();
      refuse(response, problem, isChatRoute(request.url));
      return;
    }
    response.writeContinue();
    server.emit("request", request, response);
  });
  return server;
}

/** The header with which a page opts in to calling the Anthropic API from a browser (the SDK's `dangerouslyAllowBrowser` sends it). */
const BROWSER_OPT_IN = "anthropic-dangerous-direct-browser-access";

/**
 * Whether a page may call this route. The Anthropic API lets a browser call it only when the page
 * opts in (BROWSER_OPT_IN: true); without it a browser's request is refused (401). OpenAI's API
 * lets any page call it: the chat route and the model list (which both SDKs read) do too. A
 * key is still needed, and a virtual key can be one with a small budget and a few models.
 */
function browserMayCall(url: string, optedIn: boolean): boolean {
  return optedIn || isChatRoute(url) || url === "/v1/models" || url.startsWith("/v1/models?") || url.startsWith("/v1/models/");
}

/**
 * A CORS preflight on the API. The page may send its request if the route takes browsers: with the
 * opt-in among the headers it will send (`access-control-request-headers`), or on OpenAI's routes.
 * Otherwise the preflight carries no permission and the browser never sends the request, so
 * nothing runs (and nothing is billed) for an answer the page could not read.
 */
function answerPreflight(request: IncomingMessage, response: ServerResponse, url: string): void {
  request.resume();
  const asked = String(request.headers["access-control-request-headers"] ?? "");
  const optedIn = asked.split(",").some((name) => name.trim().toLowerCase() === BROWSER_OPT_IN);
  if (!browserMayCall(url, optedIn)) {
    response.writeHead(204, { vary: "origin, access-control-request-headers" });
    response.end();
    return;
  }
  response.writeHead(204, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
    ...(asked ? { "access-control-allow-headers": asked } : {}),
    "access-control-max-age": "86400",
    vary: "origin, access-control-request-headers",
  });
  response.end();
}

/** The API routes whose bodies are JSON (the dashboard's forms are not). */
const JSON_ROUTES = /^\/v1\/(?:messages(?:\/count_tokens)?|chat\/completions)(?:\?|$)/;

/** A body refused before any byte of it is read: a content type that is not JSON (`json`: on a JSON route), or a declared size over the limit. */
function bodyProblem(headers: IncomingHttpHeaders, json = true): GatewayError | undefined {
  const problem = json ? contentTypeProblem(headers["content-type"]) : undefined;
  if (problem) return problem;
  if (Number(headers["content-length"] ?? 0) > BODY_LIMIT_BYTES) return requestTooLarge();
  return undefined;
}

/** Why a request's content type is not acceptable for a JSON body, if it is not (checked before any byte is read). */
export function contentTypeProblem(contentType: string | undefined): GatewayError | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(";", 1)[0]?.trim().toLowerCase();
  if (type === "application/json" || type === "text/plain") return undefined;
  return new GatewayError("invalid_request", `content-type must be application/json (got ${contentType})`);
}

/** The body as JSON (undefined when empty); a GatewayError naming the JSON problem otherwise. */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new GatewayError("invalid_request", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Whether a request URL is the OpenAI chat completions route, whose refusals are in OpenAI's shape. */
export function isChatRoute(url: string | undefined): boolean {
  return url !== undefined && url.startsWith("/v1/chat/completions");
}

/** A body over BODY_LIMIT_BYTES, however it was found out (declared, counted, or by fastify). */
export function requestTooLarge(): GatewayError {
  return new GatewayError("request_too_large", `request body is larger than ${BODY_LIMIT_BYTES} bytes`);
}

/** Answers `error` in the Anthropic shape, or OpenAI's on the chat route. */
function refuse(response: ServerResponse, error: GatewayError, openai = false): void {
  const reply = openai ? openAIErrorResponse(error, newRequestId()) : errorResponse(error, newRequestId());
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}

function acceptMessages(state: GatewayState, request: IncomingMessage, response: ServerResponse): void {
  const problem = bodyProblem(request.headers);
  if (problem) {
    // Answer at once; the unread body is discarded and the connection closed after the answer.
    closeLingering(request, response);
    request.resume();
    refuse(response, problem);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) {
      if (!tooLarge) {
        tooLarge = true;
        chunks.length = 0;
        closeLingering(request, response);
        refuse(response, requestTooLarge());
      }
      return;
    }
    chunks.push(chunk);
  });
  request.on("error", () => response.destroy());
  request.on("end", () => {
    if (tooLarge) return;
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let body: unknown;
    try {
      body = parseJsonBody(bytes);
    } catch (error) {
      refuse(response, error as GatewayError);
      return;
    }
    void handleMessages(state, { headers: request.headers, body, raw: bytes, cancel: cancelOnClose(response), beta: isBetaCall(request.url) }, response);
  });
}

const BETA_CALL = /[?&]beta=true(?:&|#|$)/;

/** Whether a request URL asks for the beta variant (`?beta=true`) of its endpoint. */
export function isBetaCall(url: string | undefined): boolean {
  return url !== undefined && BETA_CALL.test(url);
}
