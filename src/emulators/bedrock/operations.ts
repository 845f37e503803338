/**
 * The four Bedrock operations' replies for an accepted request:
 * - invoke: the Anthropic Message JSON, with x-amzn-bedrock-*-token-count headers;
 * - invoke-with-response-stream: each Anthropic event (no ping) as a base64 `chunk` frame, the
 *   last message_stop carrying amazon-bedrock-invocationMetrics;
 * - converse / converse-stream: the Converse shapes (converse-response.ts).
 */
import type { FastifyReply } from "fastify";
import { buildMessage, streamEvents, usageObject } from "../shared/anthropic-message.js";
import type { EmulatorState } from "../shared/emulator-state.js";
import type { Exchange } from "../shared/exchange.js";
import { sendJsonWithFault } from "../shared/faulty-json-reply.js";
import type { LatencyDraw } from "../shared/latency.js";
import { pause } from "../shared/latency.js";
import type { EmulatedModel } from "../shared/model-access.js";
import { writePaced, type Frame, type MidStreamFault } from "../shared/paced-writer.js";
import type { Fault } from "../shared/profile-schema.js";
import type { ConverseBody } from "./converse-request.js";
import { converseResponse, converseStreamEvents, converseUsage } from "./converse-response.js";
import { streamException } from "./errors.js";
import { chunkFrame, converseFrame, exceptionFrame } from "./event-stream.js";
import type { BedrockOperation } from "./model-path.js";

export interface Accepted {
  state: EmulatorState;
  reply: FastifyReply;
  operation: BedrockOperation;
  model: EmulatedModel;
  exchange: Exchange;
  fault: Fault | undefined;
  converseBody: ConverseBody | undefined;
  latency: LatencyDraw;
}

function totalLatencyMs(accepted: Accepted): number {
  return Math.round(accepted.latency.ttftMs + accepted.exchange.usage.output * accepted.latency.interTokenMs);
}

function midStreamFault(accepted: Accepted, frameCount: number): MidStreamFault | undefined {
  const { fault, state } = accepted;
  if (!fault) return undefined;
  const beforeFrame = state.faults.pickEventIndex(frameCount);
  if (fault.kind === "reset" && fault.phase === "mid_stream") return { action: "reset", beforeFrame };
  if (fault.kind === "stall" && fault.phase === "mid_stream") return { action: "stall", beforeFrame, ms: fault.ms };
  if (fault.kind === "stream_error") {
    const { exceptionType, payload } = streamException(fault.status, fault.type, fault.message, accepted.operation === "converse-stream");
    return { action: "error", beforeFrame, frame: exceptionFrame(exceptionType, payload) };
  }
  return undefined;
}

async function stream(accepted: Accepted, frames: Frame[]): Promise<FastifyReply> {
  const { reply } = accepted;
  reply.hijack();
  reply.raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "content-type": "application/vnd.amazon.eventstream",
    "x-amzn-bedrock-content-type": "application/json",
  });
  await writePaced(reply.raw, frames, accepted.latency, midStreamFault(accepted, frames.length));
  return reply;
}

export async function respond(accepted: Accepted): Promise<FastifyReply> {
  const { state, reply, exchange, model, latency } = accepted;
  const usage = exchange.usage;
  const paths = accepted.converseBody?.additionalModelResponseFieldPaths;

  if (accepted.operation === "invoke" || accepted.operation === "invoke-with-response-stream") {
    const message = buildMessage(state.ids.message("msg_bdrk_01"), model.responseId, exchange.reply, usageObject(usage, "bedrock"), "bedrock");
    if (accepted.operation === "invoke") {
      if (!(await pause(totalLatencyMs(accepted)))) return reply;
      reply
        .header("x-amzn-bedrock-invocation-latency", String(totalLatencyMs(accepted)))
        .header("x-amzn-bedrock-input-token-count", String(usage.input))
        .header("x-amzn-bedrock-output-token-count", String(usage.output))
        .header("x-amzn-bedrock-cache-read-input-token-count", String(usage.cacheRead))
        .header("x-amzn-bedrock-cache-write-input-token-count", String(usage.cacheWrite5m + usage.cacheWrite1h));
      return sendJsonWithFault(reply, JSON.stringify(message), accepted.fault);
    }
    const frames = streamEvents(message, { ping: false }).map((paced): Frame => {
      const event =
        paced.event.type === "message_stop"
          ? {
              ...paced.event,
              "amazon-bedrock-invocationMetrics": {
                inputTokenCount: usage.input,
                outputTokenCount: usage.output,
                invocationLatency: totalLatencyMs(accepted),
                firstByteLatency: Math.round(latency.ttftMs),
                cacheReadInputTokenCount: usage.cacheRead,
                cacheWriteInputTokenCount: usage.cacheWrite5m + usage.cacheWrite1h,
              },
            }
          : paced.event;
      return { bytes: chunkFrame(JSON.stringify(event), state.padding()), tokens: paced.tokens };
    });
    return stream(accepted, frames);
  }

  const converse = converseUsage(usage);
  if (accepted.operation === "converse") {
    if (!(await pause(totalLatencyMs(accepted)))) return reply;
    return sendJsonWithFault(reply, JSON.stringify(converseResponse(exchange.reply, converse, totalLatencyMs(accepted), paths)), accepted.fault);
  }
  const events = converseStreamEvents(exchange.reply, converse, totalLatencyMs(accepted), paths);
  return stream(
    accepted,
    events.map((event) => ({ bytes: converseFrame(event.type, event.member, state.padding()), tokens: event.tokens })),
  );
}
