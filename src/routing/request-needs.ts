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
   * are reported only with the output, and nothing in the request bounds what they read.
   */
  advisor: boolean;
  tools: boolean;
  images: boolean;
  /** `speed: "fast"` (fast mode): billed at the fast rates, and only where the price block has them. */
  fast: boolean;
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
    if (typeof tool.max_uses !== "number" || !Number.isSafeInteger(tool.max_uses) || tool.max_uses < 0) return null;
    most += tool.max_uses;
  }
  return most;
}

export function readRequestNeeds(body: Record<string, unknown>, betaHeader: string | string[] | undefined): RequestNeeds {
  const tools = Array.isArray(body.tools) ? (body.tools as { type?: unknown; max_uses?: unknown }[]) : [];
  return {
    betas: headerValues(betaHeader),
    cacheTtl: longestCacheTtl(body),
    inferenceGeo: typeof body.inference_geo === "string" ? body.inference_geo : undefined,
    webSearch: tools.some((tool) => typeof tool.type === "string" && tool.type.startsWith("web_search")),
    webSearchesAtMost: webSearchesAtMost(tools),
    advisor: tools.some((tool) => typeof tool.type === "string" && tool.type.startsWith("advisor_")),
    tools: tools.length > 0,
    images: hasImage(body.messages),
    fast: body.speed === "fast",
  };
}
