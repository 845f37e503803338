/**
 * Writes a streaming body frame by frame with the profile's pacing: the first frame after the
 * time to first token, each later frame after (its tokens x inter-token time). A mid-stream
 * fault fires before a chosen frame: the connection is destroyed, the stream stalls, or an
 * error frame is written and the body ends. With no latency and no fault the body is one write.
 */
import type { ServerResponse } from "node:http";
import { resetConnection } from "./dual-protocol-server.js";
import type { LatencyDraw } from "./latency.js";
import { pause } from "./latency.js";

export interface Frame {
  bytes: string | Uint8Array;
  /** Output tokens this frame carries. */
  tokens: number;
}

export type MidStreamFault =
  | { action: "reset"; beforeFrame: number }
  | { action: "stall"; beforeFrame: number; ms: number }
  | { action: "error"; beforeFrame: number; frame: string | Uint8Array };

export type StreamOutcome = "completed" | "client_gone" | "reset" | "errored";

function joined(frames: Frame[]): string | Uint8Array {
  if (frames.every((frame) => typeof frame.bytes === "string")) return frames.map((frame) => frame.bytes).join("");
  return Buffer.concat(frames.map((frame) => (typeof frame.bytes === "string" ? Buffer.from(frame.bytes) : frame.bytes)));
}

export async function writePaced(
  response: ServerResponse,
  frames: Frame[],
  latency: LatencyDraw,
  fault: MidStreamFault | undefined,
): Promise<StreamOutcome> {
  const instant = latency.ttftMs === 0 && latency.interTokenMs === 0;
  if (instant && fault === undefined) {
    // One write for the whole body: what a zero-latency stream is, and far fewer syscalls.
    response.end(joined(frames));
    return "completed";
  }
  const abort = new AbortController();
  const onClose = () => abort.abort();
  response.once("close", onClose);
  try {
    for (const [index, frame] of frames.entries()) {
      const wait = index === 0 ? latency.ttftMs : frame.tokens * latency.interTokenMs;
      if (!(await pause(wait, abort.signal))) return "client_gone";
      if (fault && fault.beforeFrame === index) {
        if (fault.action === "reset") {
          // Let what was written reach the client first, then cut the connection.
          await new Promise<void>((resolve) => response.write("", () => resolve()));
          resetConnection(response);
          return "reset";
        }
        if (fault.action === "error") {
          response.end(fault.frame);
          return "errored";
        }
        if (!(await pause(fault.ms, abort.signal))) return "client_gone";
      }
      if (response.destroyed) return "client_gone";
      response.write(frame.bytes);
    }
    response.end();
    return "completed";
  } finally {
    response.off("close", onClose);
  }
}
