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

/**
 * The longest cache TTL any cache_control in `value` asks for: "1h" if one says so, else "5m" for
 * any breakpoint. Nested ones count (a tool_result's content blocks). Stops at the first "1h".
 */
function longestTtlIn(value: unknown, depth: number): CacheTtl | undefined {
  if (depth > 6 || typeof value !== "object" || value === null) return undefined;
  let longest: CacheTtl | undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const ttl = longestTtlIn(item, depth + 1);
      if (ttl === "1h") return ttl;
      longest ??= ttl;
    }
    return longest;
  }
  const record = value as Record<string, unknown>;
  for (const name in record) {
    const child = record[name];
    if (typeof child !== "object" || child === null) continue;
    if (name === "cache_control") {
      if ((child as { ttl?: unknown }).ttl === "1h") return "1h";
      longest = "5m";
      continue;
    }
    const ttl = longestTtlIn(child, depth + 1);
    if (ttl === "1h") return ttl;
    longest ??= ttl;
  }
  return longest;
}

/** The longest cache TTL a request's breakpoints ask for, the top-level (automatic) one included; undefined for none. */
export function longestCacheTtl(body: Record<string, unknown>): CacheTtl | undefined {
  let longest: CacheTtl | undefined;
  for (const part of [body.cache_control === undefined ? undefined : { cache_control: body.cache_control }, body.system, body.tools, body.messages]) {
    const ttl = longestTtlIn(part, 1);
    if (ttl === "1h") return ttl;
    longest ??= ttl;
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
