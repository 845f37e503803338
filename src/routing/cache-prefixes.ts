/**
 * The cacheable prefixes of a Messages request: for each cache_control breakpoint, a hash of
 * everything before and including that block (in cache order: tools, system, messages), its
 * approximate token length and its TTL. Two requests with the same hash share that prefix, so
 * the deployment that cached it for one can serve the other from cache.
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching
 */
import { createHash, type Hash } from "node:crypto";

/** The two lifetimes a cache entry can be written for (5-minute and 1-hour writes bill differently). */
export type CacheTtl = "5m" | "1h";

export interface CachePrefix {
  hash: string;
  /** ~4 bytes of JSON per token: only used to estimate what a read or a write would cost. */
  tokens: number;
  ttl: CacheTtl;
}

const BYTES_PER_TOKEN = 4;

/** A block's breakpoint TTL: "1h" if its ephemeral cache_control says so, "5m" for any other, undefined for none. */
function breakpointTtl(block: unknown): CacheTtl | undefined {
  if (typeof block !== "object" || block === null) return undefined;
  return ephemeralTtl((block as { cache_control?: unknown }).cache_control);
}

/** The TTL a cache-control object (`{type: "ephemeral", ttl?}`) writes at, 5 minutes unless it says 1h; undefined if it is none. */
export function ephemeralTtl(control: unknown): CacheTtl | undefined {
  if (typeof control !== "object" || control === null || (control as { type?: unknown }).type !== "ephemeral") return undefined;
  return (control as { ttl?: unknown }).ttl === "1h" ? "1h" : "5m";
}

/**
 * A block's breakpoint TTL, or the longest one among a tool_result's own content blocks (where the
 * API takes breakpoints too): the prefix cached there ends within this block.
 */
function blockTtl(block: unknown): CacheTtl | undefined {
  const own = breakpointTtl(block);
  const content = (block as { type?: unknown; content?: unknown } | null)?.type === "tool_result" ? (block as { content?: unknown }).content : undefined;
  if (own === "1h" || !Array.isArray(content)) return own;
  let longest = own;
  for (const inner of content) {
    const ttl = breakpointTtl(inner);
    if (ttl === "1h") return ttl;
    longest ??= ttl;
  }
  return longest;
}

/**
 * Calls `visit` on the request's blocks in the order the cache sees them (as blocksInCacheOrder
 * yields them), until it returns true; a string system prompt or message content is passed as the
 * string (it has no breakpoint). For the walks every request makes: no object per block.
 */
function forEachBlock(body: Record<string, unknown>, visit: (block: unknown) => boolean): void {
  if (Array.isArray(body.tools)) for (const tool of body.tools) if (visit(tool)) return;
  if (typeof body.system === "string") {
    if (visit(body.system)) return;
  } else if (Array.isArray(body.system)) {
    for (const block of body.system) if (visit(block)) return;
  }
  if (!Array.isArray(body.messages)) return;
  for (const message of body.messages as { content?: unknown }[]) {
    const content = message.content;
    if (typeof content === "string") {
      if (visit(content)) return;
    } else if (Array.isArray(content)) {
      for (const block of content) if (visit(block)) return;
    }
  }
}

/** The request's blocks in the order the cache sees them, each with the role it belongs to. */
function* blocksInCacheOrder(body: Record<string, unknown>): Generator<{ label: string; block: unknown }> {
  if (Array.isArray(body.tools)) for (const tool of body.tools) yield { label: "tool", block: tool };
  if (typeof body.system === "string") yield { label: "system", block: { type: "text", text: body.system } };
  else if (Array.isArray(body.system)) for (const block of body.system) yield { label: "system", block };
  if (Array.isArray(body.messages)) {
    for (const message of body.messages as { role?: unknown; content?: unknown }[]) {
      const label = `message:${String(message.role)}`;
      if (typeof message.content === "string") yield { label, block: { type: "text", text: message.content } };
      else if (Array.isArray(message.content)) for (const block of message.content) yield { label, block };
    }
  }
}

/**
 * Adds one block's hashed text to `parts` and returns its size. Text blocks (most of a prompt's
 * bytes) are hashed as their text, without serialising, and so is the text a tool result holds
 * (most of a coding agent's bytes: serialising each result was a third of routing a 300-message
 * conversation), after the rest of the result as JSON; other blocks (tools, images, documents) as
 * JSON.
 */
function blockParts(parts: string[], block: unknown): number {
  const record = block as { type?: unknown; text?: unknown; content?: unknown } | null;
  if (record && record.type === "text" && typeof record.text === "string") {
    parts.push("\u0000text\u0000", record.text);
    return record.text.length;
  }
  if (record && record.type === "tool_result" && (typeof record.content === "string" || Array.isArray(record.content))) {
    const { content, ...rest } = record;
    const head = JSON.stringify(rest);
    parts.push("\u0000tool_result\u0000", head);
    let size = head.length;
    for (const inner of typeof content === "string" ? [{ type: "text", text: content }] : (content as unknown[])) size += blockParts(parts, inner);
    return size;
  }
  const text = JSON.stringify(block) ?? "";
  parts.push(text);
  return text.length;
}

export function cachePrefixes(body: Record<string, unknown>): CachePrefix[] {
  const automatic = breakpointTtl({ cache_control: body.cache_control });
  // Most requests carry no breakpoint: find the last one before hashing anything.
  let lastBreakpoint = -1;
  let count = 0;
  forEachBlock(body, (block) => {
    if (blockTtl(block)) lastBreakpoint = count;
    count += 1;
    return false;
  });
  if (lastBreakpoint === -1 && !automatic) return [];
  const stopAfter = automatic ? count - 1 : lastBreakpoint;

  const prefixes: CachePrefix[] = [];
  const hash: Hash = createHash("sha256");
  // The hashed text is gathered in JS and fed to the hash once per breakpoint: the same bytes as an
  // update per piece (so the same hashes), without a native call for each of a long
  // conversation's thousands of pieces.
  let parts: string[] = [typeof body.model === "string" ? body.model : ""];
  let bytes = 0;
  let index = 0;
  for (const entry of blocksInCacheOrder(body)) {
    if (index > stopAfter) break;
    parts.push(entry.label);
    bytes += blockParts(parts, entry.block);
    const ttl = blockTtl(entry.block) ?? (automatic && index === count - 1 ? automatic : undefined);
    if (ttl) {
      hash.update(parts.join(""));
      parts = [];
      prefixes.push({ hash: hash.copy().digest("base64url"), tokens: Math.ceil(bytes / BYTES_PER_TOKEN), ttl });
    }
    index += 1;
  }
  return prefixes;
}

/**
 * The longest cache TTL a request's breakpoints ask for (nothing hashed): the top-level (automatic)
 * one, and every block's, a tool_result's content blocks included; undefined for none. A
 * `cache_control` anywhere else (inside a tool's input, say) is the client's data.
 */
export function longestCacheTtl(body: Record<string, unknown>): CacheTtl | undefined {
  let longest = breakpointTtl(body);
  if (longest !== "1h") {
    forEachBlock(body, (block) => {
      const ttl = blockTtl(block);
      longest = ttl === "1h" ? ttl : (longest ?? ttl);
      return ttl === "1h";
    });
  }
  return longest;
}
export function requestTokens(bodyBytes: number): number {
  return Math.ceil(bodyBytes / BYTES_PER_TOKEN);
}
