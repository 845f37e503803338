/**
 * One request's reply and accounting, the part both emulators share: lay out the prompt,
 * consult the prompt cache, generate the reply, and split input tokens into uncached, cache
 * reads and cache writes. Nothing is recorded until `commitExchange` (a refused or faulted
 * request leaves no trace in the cache).
 */
import type { UsageCounts } from "./anthropic-message.js";
import type { EmulatorState } from "./emulator-state.js";
import type { PromptRequest } from "./messages-request.js";
import type { EmulatedModel } from "./model-access.js";
import type { CachePlan } from "./prompt-cache.js";
import { layoutPrompt } from "./prompt-layout.js";
import { generateReply, type Reply } from "./reply-generator.js";

export interface Exchange {
  reply: Reply;
  usage: UsageCounts;
  totalInputTokens: number;
  cachePlan: CachePlan;
}

export function prepareExchange(state: EmulatorState, prompt: PromptRequest, model: EmulatedModel): Exchange {
  const layout = layoutPrompt(prompt, model.id);
  const cachePlan = state.cache.plan(layout, model.cache);
  const reply = generateReply(prompt, model.id);
  const written = cachePlan.write5mTokens + cachePlan.write1hTokens;
  return {
    reply,
    cachePlan,
    totalInputTokens: layout.totalTokens,
    usage: {
      input: layout.totalTokens - cachePlan.readTokens - written,
      cacheRead: cachePlan.readTokens,
      cacheWrite5m: cachePlan.write5mTokens,
      cacheWrite1h: cachePlan.write1hTokens,
      output: reply.outputTokens,
    },
  };
}

/**
 * What the request may not do on this model (too many output tokens, too long a prompt), in the
 * words of the API that refuses it: Bedrock says a prompt is too long its own way, without the
 * counts (anthropics/claude-code#6012).
 */
export function modelLimitProblem(prompt: PromptRequest, model: EmulatedModel, totalInputTokens: number, api: "anthropic" | "bedrock" = "anthropic"): string | undefined {
  if (model.maxOutputTokens !== undefined && prompt.max_tokens > model.maxOutputTokens) {
    return `max_tokens: ${prompt.max_tokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${model.responseId}`;
  }
  if (model.contextWindow !== undefined && totalInputTokens > model.contextWindow) {
    return api === "bedrock" ? "Input is too long for requested model." : `prompt is too long: ${totalInputTokens} tokens > ${model.contextWindow} maximum`;
  }
  return undefined;
}

export function commitExchange(state: EmulatorState, exchange: Exchange): void {
  exchange.cachePlan.commit();
  state.rateLimiter.recordOutput(exchange.usage.output);
  state.counters.tokens({
    input: exchange.usage.input,
    output: exchange.usage.output,
    cacheRead: exchange.usage.cacheRead,
    cacheWrite: exchange.usage.cacheWrite5m + exchange.usage.cacheWrite1h,
  });
}
