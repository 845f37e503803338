/**
 * What a request itself requires of a deployment, read from its body and headers: its betas,
 * a 1-hour cache TTL, inference_geo, web search, tools, images, fast mode. Routing never sends a request
 * to a deployment that cannot honour these. Its longest cache TTL also sets what a budget holds.
 */
import { longestCacheTtl, type CachePrefix } from "./cache-prefixes.js";
import { headerValues } from "../util/header-values.js";

export interface RequestNeeds {
  betas: string[];
  /** The longest prompt-cache TTL its breakpoints ask for (longestCacheTtl). */
  cacheTtl: CachePrefix["ttl"] | undefined;
  /** inference_geo asked for in the body ("us" or "global"), if any. */
  inferenceGeo: string | undefined;
  webSearch: boolean;
  /** The most web searches it may make: its web_search tools' max_uses summed; null when one has no max_uses (no bound); 0 without web search. */
  webSearchesAtMost: number | null;
  /**
   * An advisor tool (advisor_20260301): its sub-inferences, billed at the advisor model's rates,
   * are reported only with the output. Only a deployment that runs the tool can take it.
   */
  advisor: boolean;
  /** Its advisor tools, as the budget hold bounds them (empty without one). */
  advisors: AdvisorTool[];
  /** Its server-side fallback chain (`fallbacks`), as the budget hold bounds it (empty without one). */
  fallbacks: FallbackHop[];
  tools: boolean;
  images: boolean;
  /** `speed: "fast"` (fast mode): billed at the fast rates, and only where the price block has them. */
  fast: boolean;
}

/** An advisor tool's model and the fields that bound what its sub-inferences can cost. */
export interface AdvisorTool {
  /** The advisor model the tool names (its `model`), if it names one. */
  model: string | undefined;
  /** Its `max_uses`: the most consultations in the request; null without one (no bound). */
  maxUses: number | null;
  /** Its `max_tokens`: the most each consultation writes, thinking included; undefined without one. */
  maxTokens: number | undefined;
}

/** One entry of a request's `fallbacks` chain: a model that serves the request if those before it refuse. */
export interface FallbackHop {
  model: string;
  /** The entry's own `max_tokens`, in place of the request's; undefined without one. */
  maxTokens: number | undefined;
}

function fallbackHops(fallbacks: unknown): FallbackHop[] {
  if (!Array.isArray(fallbacks)) return [];
  const hops: FallbackHop[] = [];
  for (const entry of fallbacks as { model?: unknown; max_tokens?: unknown }[]) {
    if (typeof entry?.model === "string") hops.push({ model: entry.model, maxTokens: count(entry.max_tokens) });
  }
  return hops;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function advisorTools(tools: { type?: unknown; model?: unknown; max_uses?: unknown; max_tokens?: unknown }[]): AdvisorTool[] {
  const advisors: AdvisorTool[] = [];
  for (const tool of tools) {
    if (typeof tool.type !== "string" || !tool.type.startsWith("advisor_")) continue;
    advisors.push({ model: typeof tool.model === "string" ? tool.model : undefined, maxUses: count(tool.max_uses) ?? null, maxTokens: count(tool.max_tokens) });
  }
  return advisors;
}

function hasImage(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  return messages.some((message) => {
    const content = (message as { content?: unknown }).content;
    return Array.isArray(content) && content.some((block) => (block as { type?: unknown }).type === "image");
  });
}

function webSearchesAtMost(tools: { type?: unknown; max_uses?: unknown }[]): number | null {
  let most = 0;
  for (const tool of tools) {
    if (typeof tool.type !== "string" || !tool.type.startsWith("web_search")) continue;
    const uses = count(tool.max_uses);
    if (uses === undefined) return null;
    most += uses;
  }
  return most;
}

export function readRequestNeeds(body: Record<string, unknown>, betaHeader: string | string[] | undefined): RequestNeeds {
  const tools = Array.isArray(body.tools) ? (body.tools as { type?: unknown; model?: unknown; max_uses?: unknown; max_tokens?: unknown }[]) : [];
  const advisors = advisorTools(tools);
  return {
    betas: headerValues(betaHeader),
    cacheTtl: longestCacheTtl(body),
    inferenceGeo: typeof body.inference_geo === "string" ? body.inference_geo : undefined,
    webSearch: tools.some((tool) => typeof tool.type === "string" && tool.type.startsWith("web_search")),
    webSearchesAtMost: webSearchesAtMost(tools),
    advisor: advisors.length > 0,
    advisors,
    fallbacks: fallbackHops(body.fallbacks),
    tools: tools.length > 0,
    images: hasImage(body.messages),
    fast: body.speed === "fast",
  };
}
