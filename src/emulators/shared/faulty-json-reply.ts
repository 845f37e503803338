/**
 * Sends a complete JSON reply, unless a mid-stream fault says otherwise: then the headers and
 * half of the body go out and the connection is cut (reset) or paused (stall). Non-streaming
 * clients see a truncated body or a slow one, as they would from a failing upstream.
 */
import type { FastifyReply } from "fastify";
import { resetConnection } from "./dual-protocol-server.js";
import { pause } from "./latency.js";
import type { Fault } from "./profile-schema.js";

export async function sendJsonWithFault(reply: FastifyReply, json: string, fault: Fault | undefined): Promise<FastifyReply> {
  const cut = fault?.kind === "reset" && fault.phase === "mid_stream";
  const stallMs = fault?.kind === "stall" && fault.phase === "mid_stream" ? fault.ms : 0;
  if (!cut && stallMs === 0) return reply.code(200).header("content-type", "application/json").send(json);
  const bytes = Buffer.from(json);
  reply.hijack();
  reply.raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), "content-type": "application/json", "content-length": String(bytes.length) });
  const half = Math.floor(bytes.length / 2);
  reply.raw.write(bytes.subarray(0, half));
  if (cut) {
    await new Promise<void>((resolve) => reply.raw.write("", () => resolve()));
    resetConnection(reply.raw);
    return reply;
  }
  await pause(stallMs);
  reply.raw.end(bytes.subarray(half));
  return reply;
}
