/**
 * Amazon Bedrock Runtime, InvokeModel and InvokeModelWithResponseStream: the Anthropic body
 * rewritten, SigV4-signed (or a Bedrock API key as bearer), event-stream decoded back to SSE,
 * errors mapped to the Anthropic shape by the gateway.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 */
import { fromBedrockConverse, fromBedrockInvoke, type NormalizedUsage } from "../../pricing/normalize-usage.js";
import type { MessagesCall, ProviderClient, UpstreamResult } from "../provider.js";
import type { ProviderFactory } from "../registry-types.js";
import { failedAfterAnswer, mapBody, networkError, post, redirectError } from "../shared/http.js";
import type { Cancel } from "../../util/cancel.js";
import { retryAfterMs, upstreamJsonObject, upstreamRequestId, UpstreamError } from "../upstream-error.js";
import { bedrockAuth } from "./credentials.js";
import { bedrockError } from "./errors.js";
import { fromConverseResponse, toConverseRequest } from "./converse.js";
import { BedrockStreamDecoder, ConverseStreamDecoder, exceptionInFrames, type StreamItem } from "./event-stream.js";
import { sseError } from "../shared/sse-events.js";
import { toInvokeBody } from "./request-body.js";
import { withAutomaticBreakpoint } from "./automatic-cache.js";
import { createSigner, signedHeaders } from "./signer.js";
import { anthropicErrorType } from "../error-types.js";
import { withoutBedrockGeo } from "../../catalog/bedrock-ids.js";

/** Converse answers carry no message id: one made from the gateway's request id. */
const converseMessageId = (requestId: string) => `msg_bdrk_${requestId.replace(/[^A-Za-z0-9]/g, "")}`;

/**
 * The foundation model behind an inference-profile id or ARN ("global.anthropic.claude-…" →
 * "anthropic.claude-…"), for CountTokens, which refuses profile ids. Anything else is returned as is.
 */
export function foundationModelId(modelId: string): string {
  const id = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:inference-profile\/(.+)$/.exec(modelId)?.[1] ?? modelId;
  return withoutBedrockGeo(id);
}

/** The max_tokens a CountTokens body carries: 1, or one more than the thinking budget it enables. */
function countingMaxTokens(body: Record<string, unknown>): number {
  const thinking = body.thinking;
  const budget = typeof thinking === "object" && thinking !== null ? (thinking as { budget_tokens?: unknown }).budget_tokens : undefined;
  return typeof budget === "number" && Number.isSafeInteger(budget) && budget > 0 ? budget + 1 : 1;
}

export const createBedrockProvider: ProviderFactory<"bedrock"> = ({ name, config, env, agent }): ProviderClient => {
  const endpoint = (config.endpoint ?? `https://bedrock-runtime.${config.region}.amazonaws.com`).replace(/\/$/, "");
  const auth = bedrockAuth(name, config, env);
  const signer = auth.kind === "sigv4" ? createSigner(config.region, auth.credentials) : undefined;

  async function send(path: string, body: string, accept: string, call: { cancel: Cancel; firstByteTimeoutMs: number }) {
    const url = new URL(`${endpoint}${path}`);
    const base = { "content-type": "application/json", accept };
    const headers = signer ? await signedHeaders(signer, url, base, body) : { ...base, authorization: `Bearer ${auth.kind === "bearer" ? auth.token() : ""}` };
    return post(agent, url.origin, `${url.pathname}${url.search}`, headers, body, { cancel: call.cancel, headersTimeoutMs: call.firstByteTimeoutMs, who: name });
  }

  const modelPath = (modelId: string, operation: string) => `/model/${encodeURIComponent(modelId)}/${operation}`;

  return {
    kind: "bedrock",

    async messages(call: MessagesCall): Promise<UpstreamResult> {
      const converse = config.api === "converse";
      /** What the Converse translation left out, added to the usage's warnings (so to the ledger row). */
      const notes: string[] = [];
      const withNotes = (usage: NormalizedUsage): NormalizedUsage => (notes.length === 0 ? usage : { ...usage, warnings: [...usage.warnings, ...notes] });
      const request = withAutomaticBreakpoint(call.body);
      const body = JSON.stringify(converse ? toConverseRequest(request, call.betas, notes) : toInvokeBody(request, call.betas));
      const operation = converse ? (call.stream ? "converse-stream" : "converse") : call.stream ? "invoke-with-response-stream" : "invoke";
      const response = await send(modelPath(call.upstreamModel, operation), body, call.stream ? "application/vnd.amazon.eventstream" : "application/json", call);
      if (response.status !== 200) {
        const bytes = await response.body.bytes();
        if (response.status >= 300 && response.status < 400) throw redirectError(response.status, response.headers, name, "endpoint");
        const retryAfter = retryAfterMs(response.headers);
        const framed = (response.headers["content-type"] ?? "").toLowerCase().includes("application/vnd.amazon.eventstream");
        // The frame's exception decides; an exception name Bedrock has not documented falls back on the status.
        const requestId = upstreamRequestId(response.headers);
        const answer = { status: response.status, retryAfterMs: retryAfter, ...(requestId ? { requestId } : {}) };
        throw (framed ? exceptionInFrames(bytes, name, answer) : undefined) ?? bedrockError(response.status, response.headers, bytes.toString("utf8"), retryAfter, name);
      }
      const headers = response.passThrough();
      if (!call.stream) {
        const bytes = await response.body.bytes().catch((error: unknown) => {
          throw failedAfterAnswer(error, response.status, name);
        });
        const message = upstreamJsonObject(bytes.toString("utf8"), name, "answer", response.status);
        if (converse) {
          const text = JSON.stringify(fromConverseResponse(message, call.answerModel ?? call.upstreamModel, converseMessageId(call.requestId)));
          return { kind: "json", bytes: Buffer.from(text), text, usage: withNotes(fromBedrockConverse(message.usage)), headers };
        }
        return { kind: "json", bytes, usage: fromBedrockInvoke(message.usage, response.headers), headers };
      }

      const decoder = converse ? new ConverseStreamDecoder(name, call.answerModel ?? call.upstreamModel, converseMessageId(call.requestId)) : new BedrockStreamDecoder(name);
      const pending: StreamItem[] = [];
      const decode = (chunk: Buffer): boolean => {
        pending.push(...decoder.push(chunk));
        return pending.length > 0;
      };
      await response.body.readUntil(decode, call.firstByteTimeoutMs).catch((error: unknown) => {
        throw failedAfterAnswer(error, response.status, name);
      });
      const firstItem = pending[0];
      if (firstItem?.kind === "error") {
        // An exception before any event (e.g. a validation error sent as a 200 + exception frame).
        response.body.destroy();
        throw firstItem.error;
      }
      // An exception after the first event reaches the client as an `event: error`, and the
      // gateway learns of it through failure(). The stream ends there: whatever the upstream
      // sends after its error is neither decoded nor passed on.
      let failure: UpstreamError | undefined;
      const drain = (): Buffer => {
        let text = "";
        for (const item of pending) {
          if (item.kind === "event") text += item.sse;
          else {
            // The decoder's items end at the first error, so this is the last item.
            failure = item.error;
            text += sseError(anthropicErrorType(item.error.kind), item.error.message);
          }
        }
        pending.length = 0;
        return Buffer.from(text, "utf8");
      };
      const first = drain();
      const rest = mapBody(
        response.body,
        (chunk) => {
          decode(chunk);
          return pending.length > 0 ? drain() : undefined;
        },
        (error) => networkError(error, name),
        () => decoder.finish(),
        () => failure !== undefined,
      );
      return { kind: "stream", first, rest, usage: () => withNotes(decoder.usage()), failure: () => failure, headers };
    },

    async countTokens(body, call) {
      // Bedrock Runtime CountTokens: the InvokeModel body, base64-encoded, inside {input:{invokeModel:{body}}}.
      // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CountTokens.html
      // It takes the foundation model's own id, not an inference profile's, and an InvokeModel
      // body, which requires max_tokens (a count_tokens request has none; it changes no count),
      // above a thinking budget, as an InvokeModel body must have it.
      const invokeBody = Buffer.from(JSON.stringify({ max_tokens: countingMaxTokens(body), ...toInvokeBody(withAutomaticBreakpoint(body), call.betas) })).toString("base64");
      const response = await send(modelPath(foundationModelId(call.upstreamModel), "count-tokens"), JSON.stringify({ input: { invokeModel: { body: invokeBody } } }), "application/json", call);
      const text = (await response.body.bytes()).toString("utf8");
      if (response.status === 400 && /doesn't support counting tokens/i.test(text)) {
        // Some models (those offered only through cross-region profiles) cannot count on Bedrock:
        // count_tokens moves on to the model's next deployment; if none can, the caller gets a 400.
        throw new UpstreamError("unsupported", `${name}: Bedrock cannot count tokens for ${call.upstreamModel}`);
      }
      if (response.status >= 300 && response.status < 400) throw redirectError(response.status, response.headers, name, "endpoint");
      if (response.status !== 200) throw bedrockError(response.status, response.headers, text, retryAfterMs(response.headers), name);
      const parsed = upstreamJsonObject(text, name, "CountTokens answer");
      if (typeof parsed.inputTokens !== "number") throw new UpstreamError("upstream_server", `${name}: CountTokens answer has no inputTokens`);
      return { input_tokens: parsed.inputTokens };
    },

    async close() {},
  };
};
