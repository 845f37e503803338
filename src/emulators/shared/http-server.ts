/**
 * The HTTP shell both emulators share: a Fastify app that keeps every body as raw bytes (SigV4
 * needs the exact bytes; each provider parses JSON itself so that bad JSON gets the provider's
 * own error), counts requests and outcomes, and listens on loopback by default.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { dualProtocolServer, resetConnection } from "./dual-protocol-server.js";
import type { EmulatorState } from "./emulator-state.js";

export const ADMIN_PREFIX = "/_emulator";

export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function createEmulatorApp(state: EmulatorState, bodyLimit: number): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit,
    // Tests close emulators while clients still hold keep-alive or stalled connections.
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 2048 },
    serverFactory: (handler) => dualProtocolServer(handler),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.addHook("onRequest", (request, reply, done) => {
    if (!request.url.startsWith(ADMIN_PREFIX)) {
      state.counters.request();
      const response = reply.raw;
      // HTTP/2 compat responses report writableFinished after a stream reset too; writableEnded tells.
      response.once("close", () => state.counters.closed(response.headersSent, response.statusCode, response.writableEnded && response.writableFinished));
    }
    done();
  });
  return app;
}

export function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJson(body: Buffer): JsonParse {
  if (body.length === 0) return { ok: false, message: "empty request body" };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Drops the connection without a response: what a reset looks like to the client. */
export function destroyConnection(reply: FastifyReply): void {
  reply.hijack();
  resetConnection(reply.raw);
}

export async function listen(app: FastifyInstance, options: ListenOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("emulator did not get a TCP address");
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return { url: `http://${urlHost}:${address.port}`, port: address.port, close: () => app.close() };
}
