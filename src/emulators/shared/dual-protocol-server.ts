/**
 * One port that speaks HTTP/1.1 and cleartext HTTP/2 (prior knowledge). The AWS SDK's
 * BedrockRuntimeClient sends every call over HTTP/2 (NodeHttp2Handler), so against an
 * http:// endpoint it opens h2c; the Anthropic SDKs, undici and curl use HTTP/1.1. Each new
 * connection is sniffed for the HTTP/2 preface ("PRI * HTTP/2.0") and handed to the matching
 * Node server; both call the same Fastify handler.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session, type ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export function dualProtocolServer(handler: Handler): http.Server {
  const http1 = http.createServer(handler);
  const h2 = http2.createServer({}, handler as unknown as (request: Http2ServerRequest, response: Http2ServerResponse) => void);
  const sessions = new Set<Http2Session>();
  h2.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });

  const http1Listeners = http1.listeners("connection") as ((socket: Socket) => void)[];
  http1.removeAllListeners("connection");
  // Connections that have not sent a byte yet belong to neither server: closing down must close
  // them here, and one the client ends before sending anything (undici does this after an
  // aborted request) is closed at once, or it would hold close() open forever.
  const unsniffed = new Set<Socket>();
  http1.on("connection", (socket: Socket) => {
    unsniffed.add(socket);
    socket.once("close", () => unsniffed.delete(socket));
    socket.once("end", () => {
      if (unsniffed.has(socket)) socket.destroy();
    });
    socket.once("data", (chunk: Buffer) => {
      unsniffed.delete(socket);
      socket.pause();
      socket.unshift(chunk);
      if (chunk.subarray(0, 4).toString("latin1") === "PRI ") h2.emit("connection", socket);
      else for (const listener of http1Listeners) listener.call(http1, socket);
      process.nextTick(() => socket.resume());
    });
  });
  http1.once("close", () => {
    for (const session of sessions) session.destroy();
    h2.close();
  });
  // Fastify's forceCloseConnections calls these on close; HTTP/2 sessions and connections that
  // never sent a byte must go too.
  const closeAll = http1.closeAllConnections.bind(http1);
  http1.closeAllConnections = () => {
    for (const session of sessions) session.destroy();
    for (const socket of unsniffed) socket.destroy();
    closeAll();
  };
  const closeIdle = http1.closeIdleConnections.bind(http1);
  http1.closeIdleConnections = () => {
    for (const socket of unsniffed) socket.destroy();
    closeIdle();
  };
  return http1;
}

/** The HTTP/2 stream behind a compat response, when the request came over HTTP/2. */
export function http2Stream(response: ServerResponse): ServerHttp2Stream | undefined {
  const stream = (response as unknown as { stream?: ServerHttp2Stream }).stream;
  return stream && typeof stream.close === "function" ? stream : undefined;
}

/**
 * What a connection reset looks like to the client: the TCP connection dies (HTTP/1.1), or the
 * stream is reset with INTERNAL_ERROR (HTTP/2, where other streams share the connection).
 */
export function resetConnection(response: ServerResponse): void {
  const stream = http2Stream(response);
  if (stream) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  else response.socket?.destroy();
}
