/**
 * What a request itself requires of a deployment, read from its body and headers: its betas,
 * a 1-hour cache TTL, inference_geo, web search, tools, images. Routing never sends a request
 * to a deployment that cannot honour these. Its longest cache TTL also sets what a budget holds.
 */
export interface RequestNeeds {
  betas: string[];
  /** The longest prompt-cache TTL its breakpoints ask for (longestCacheTtl). */
  cacheTtl: "5m" | "1h" | undefined;
  /** inference_geo asked for in the body ("us" or "global"), if any. */
  inferenceGeo: string | undefined;
  webSearch: boolean;
  tools: boolean;
  images: boolean;
}

type CacheTtl = "5m" | "1h";

/** A block's breakpoint TTL: "1h" if its ephemeral cache_control says so, "5m" for any other, undefined for none. */
function breakpointTtl(block: unknown): CacheTtl | undefined {
  if (typeof block !== "object" || block === null) return undefined;
  const control = (block as { cache_control?: unknown }).cache_control;
  if (typeof control !== "object" || control === null || (control as { type?: unknown }).type !== "ephemeral") return undefined;
  return (control as { ttl?: unknown }).ttl === "1h" ? "1h" : "5m";
}

/** The longer of two TTLs (undefined: none). */
const longer = (a: CacheTtl | undefined, b: CacheTtl | undefined): CacheTtl | undefined => (a === "1h" || b === "1h" ? "1h" : (a ?? b));

/** The longest breakpoint among blocks, a tool_result's own content blocks included. */
function longestInBlocks(blocks: unknown): CacheTtl | undefined {
  if (!Array.isArray(blocks)) return undefined;
  let longest: CacheTtl | undefined;
  for (const block of blocks) {
    longest = longer(longest, breakpointTtl(block));
    if ((block as { type?: unknown } | null)?.type === "tool_result") longest = longer(longest, longestInBlocks((block as { content?: unknown }).content));
    if (longest === "1h") return longest;
  }
  return longest;
}

/**
 * The longest cache TTL a request's breakpoints ask for: the top-level (automatic) one, tools,
 * system blocks, message content blocks and a tool_result's content blocks, where the API takes
 * them (https://platform.claude.com/docs/en/build-with-claude/prompt-caching). A `cache_control`
 * anywhere else (inside a tool's input, say) is the client's data. Undefined for none.
 */
export function longestCacheTtl(body: Record<string, unknown>): CacheTtl | undefined {
  let longest = longer(breakpointTtl(body), longestInBlocks(body.tools));
  longest = longer(longest, longestInBlocks(body.system));
  if (longest === "1h" || !Array.isArray(body.messages)) return longest;
  for (const message of body.messages) {
    longest = longer(longest, longestInBlocks((message as { content?: unknown } | null)?.content));
    if (longest === "1h") return longest;
  }
  return longest;
}

function hasImage(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  return messages.some((message) => {
    const content = (message as { content?: unknown }).content;
    return Array.isArray(content) && content.some((block) => (block as { type?: unknown }).type === "image");
  });
}

/** The anthropic-beta values of a request, once each: the header may be repeated and comma-separated. */
export function betaHeaderValues(betaHeader: string | string[] | undefined): string[] {
  if (betaHeader === undefined || betaHeader === "") return [];
  const values = (Array.isArray(betaHeader) ? betaHeader : [betaHeader])
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  return [...new Set(values)];
}

export function readRequestNeeds(body: Record<string, unknown>, betaHeader: string | string[] | undefined): RequestNeeds {
  const tools = Array.isArray(body.tools) ? (body.tools as { type?: unknown }[]) : [];
  return {
    betas: betaHeaderValues(betaHeader),
    cacheTtl: longestCacheTtl(body),
    inferenceGeo: typeof body.inference_geo === "string" ? body.inference_geo : undefined,
    webSearch: tools.some((tool) => typeof tool.type === "string" && tool.type.startsWith("web_search")),
    tools: tools.length > 0,
    images: hasImage(body.messages),
  };
}
