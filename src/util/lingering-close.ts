/**
 * Closing a connection after refusing a request whose body is still arriving. Node destroys a
 * connection it will not keep alive as soon as the answer is written; bytes the client sends after
 * that are answered with a TCP reset, and a reset can take the unread answer with it (the client
 * sees EPIPE or ECONNRESET instead of the 413, and the SDKs answer a connection error by sending
 * the whole body again). As web servers do ("lingering close"): stop writing, keep reading and
 * discarding until the client stops or LINGER_MS passes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a refused request's connection keeps reading (and discarding) after the answer. */
const LINGER_MS = 2_000;

/** Call before the answer is written: the connection closes after it, lingering. */
export function closeLingering(request: IncomingMessage, response: ServerResponse): void {
  response.shouldKeepAlive = false;
  const socket = request.socket;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("end", () => {
      clearTimeout(timer);
      socket.destroy();
    });
  };
}

/** Before a framework's refusal is written: a body it refused before reading it to its end (too large) closes the connection lingering. */
export function lingerIfUnread(request: { raw: IncomingMessage }, reply: { raw: ServerResponse }): void {
  if (!request.raw.complete) closeLingering(request.raw, reply.raw);
}
