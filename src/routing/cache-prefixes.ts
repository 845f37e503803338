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
 * How many block boundaries a cache lookup checks: a breakpoint's own and the 19 before it. The
 * API "automatically checks for cache hits at all previous content block boundaries (up to
 * approximately 20 blocks before your explicit breakpoint)", which is how a conversation whose one
 * breakpoint moves to its last block every turn (automatic caching, or a coding agent's marker)
 * reads what the turn before wrote. The emulators' prompt cache checks the same 20.
 */
export const LOOKBACK_BLOCKS = 20;

/** Blocks that cannot carry a breakpoint: thinking is cached as part of its turn, never marked. */
const UNMARKABLE: ReadonlySet<unknown> = new Set(["thinking", "redacted_thinking"]);

/**
 * Whether a block (or a string content or system prompt, as the text block it stands for) can
 * carry a cache breakpoint: anything but a thinking block or an empty text. Automatic caching's
 * breakpoint goes on the last such block of the request, in cache order (the API "applies the cache
 * breakpoint to the last cacheable block"); routing hashes it there, and the Bedrock provider, which
 * does not take a top-level cache_control, places it there (providers/bedrock/automatic-cache.ts).
 */
export function takesBreakpoint(block: unknown): boolean {
  if (typeof block === "string") return block !== "";
  if (typeof block !== "object" || block === null || Array.isArray(block)) return false;
  const { type, text } = block as { type?: unknown; text?: unknown };
  return !UNMARKABLE.has(type) && !(type === "text" && text === "");
}

const MESSAGE_LABELS: Record<string, string> = { user: "message:user", assistant: "message:assistant" };

/**
 * Calls `visit` on the request's blocks in the order the cache sees them (tools, system, then each
 * message's content), with the part of the prompt each belongs to, until it returns true; a string
 * system prompt or message content is passed as the string (it has no breakpoint). For the walks
 * every request makes: no object per block.
 */
function forEachBlock(body: Record<string, unknown>, visit: (block: unknown, label: string) => boolean): void {
  if (Array.isArray(body.tools)) for (const tool of body.tools) if (visit(tool, "tool")) return;
  if (typeof body.system === "string") {
    if (visit(body.system, "system")) return;
  } else if (Array.isArray(body.system)) {
    for (const block of body.system) if (visit(block, "system")) return;
  }
  if (!Array.isArray(body.messages)) return;
  for (const message of body.messages as { role?: unknown; content?: unknown }[]) {
    const role = String(message.role);
    const label = MESSAGE_LABELS[role] ?? `message:${role}`;
    const content = message.content;
    if (typeof content === "string") {
      if (visit(content, label)) return;
    } else if (Array.isArray(content)) {
      for (const block of content) if (visit(block, label)) return;
    }
  }
}

/**
 * Adds a tool call's or a tool result's fields to `parts`, but its type, its `cache_control` and
 * a result's content: a string as itself, any other value as JSON. Returns their size.
 */
function fieldParts(parts: string[], record: Record<string, unknown>): number {
  let size = 0;
  for (const key in record) {
    if (key === "type" || key === "cache_control" || key === "content") continue;
    const value = record[key];
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    parts.push("\u0000", key, typeof value === "string" ? "\u0000" : "\u0000\u0001", text);
    size += key.length + text.length;
  }
  return size;
}

/** A block as JSON without its `cache_control`. */
function unmarkedJson(block: unknown): string {
  if (typeof block === "object" && block !== null && "cache_control" in block) return JSON.stringify({ ...block, cache_control: undefined });
  return JSON.stringify(block) ?? "";
}

/**
 * Adds one block's hashed text to `parts` and returns its size. Text blocks and string contents
 * (most of a prompt's bytes) are hashed as their text, without serialising, and so is the text a
 * tool result holds (most of a coding agent's bytes: serialising each result was a third of
 * routing a 300-message conversation), after the result's other fields; a tool call field by
 * field; other blocks (tools, images, documents) as JSON. A `cache_control` is left out
 * everywhere: where a breakpoint sits is not part of the prompt, so the same prompt with its
 * breakpoint moved is the same prefix.
 */
function blockParts(parts: string[], block: unknown): number {
  if (typeof block === "string") {
    parts.push("\u0000text\u0000", block);
    return block.length;
  }
  const record = block as { type?: unknown; text?: unknown; content?: unknown } | null;
  const type = record?.type;
  if (type === "text" && typeof record?.text === "string") {
    parts.push("\u0000text\u0000", record.text);
    return record.text.length;
  }
  if (type === "tool_use" && record) {
    parts.push("\u0000tool_use");
    return fieldParts(parts, record);
  }
  if (type === "tool_result" && record && (typeof record.content === "string" || Array.isArray(record.content))) {
    parts.push("\u0000tool_result");
    let size = fieldParts(parts, record);
    parts.push("\u0000content");
    const content = record.content;
    if (typeof content === "string") size += blockParts(parts, content);
    else for (const inner of content as unknown[]) size += blockParts(parts, inner);
    return size;
  }
  const text = unmarkedJson(block);
  parts.push(text);
  return text.length;
}

/**
 * The request's cacheable prefixes, one per breakpoint (what a deployment that serves it will
 * hold). With `lookback`, also pushes there the hashes of the LOOKBACK_BLOCKS − 1 block boundaries
 * before each breakpoint, where the cache also looks for a prefix an earlier request wrote: a
 * deployment holding one of them serves this request's prefix up to there from cache.
 */
export function cachePrefixes(body: Record<string, unknown>, lookback?: string[]): CachePrefix[] {
  const automatic = ephemeralTtl(body.cache_control);
  // Most requests carry no breakpoint: find them before hashing anything.
  const breakpoints: number[] = [];
  let count = 0;
  let lastMarkable = -1;
  forEachBlock(body, (block) => {
    if (blockTtl(block)) breakpoints.push(count);
    if (automatic && takesBreakpoint(block)) lastMarkable = count;
    count += 1;
    return false;
  });
  if (lastMarkable >= 0 && !breakpoints.includes(lastMarkable)) {
    breakpoints.push(lastMarkable);
    breakpoints.sort((a, b) => a - b);
  }
  const stopAfter = breakpoints.at(-1);
  if (stopAfter === undefined) return [];

  const prefixes: CachePrefix[] = [];
  const hash: Hash = createHash("sha256");
  // The hashed text is gathered in JS and fed to the hash once per digest: the same bytes as an
  // update per piece (so the same hashes), without a native call for each of a long
  // conversation's thousands of pieces.
  let parts: string[] = [typeof body.model === "string" ? body.model : ""];
  let bytes = 0;
  let index = 0;
  let next = 0; // breakpoints[next] is the first breakpoint at or after index
  forEachBlock(body, (block, label) => {
    parts.push(label);
    bytes += blockParts(parts, block);
    if (index === breakpoints[next]) {
      next += 1;
      hash.update(parts.join(""));
      parts = [];
      const ttl = blockTtl(block) ?? automatic ?? "5m";
      prefixes.push({ hash: hash.copy().digest("base64url"), tokens: Math.ceil(bytes / BYTES_PER_TOKEN), ttl });
    } else if (lookback && (breakpoints[next] as number) - index < LOOKBACK_BLOCKS) {
      hash.update(parts.join(""));
      parts = [];
      lookback.push(hash.copy().digest("base64url"));
    }
    index += 1;
    return index > stopAfter;
  });
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
