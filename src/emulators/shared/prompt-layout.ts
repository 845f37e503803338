/**
 * A prompt as the ordered list of pieces the cache sees: tools, then system, then messages
 * (https://platform.claude.com/docs/en/build-with-claude/prompt-caching#how-prompt-caching-works).
 * Each piece carries its tokens and the hash of the whole prefix up to it, so "is this prefix
 * cached?" is one map lookup.
 */
import type { CacheControl, ContentBlockParam, PromptRequest } from "./messages-request.js";
import { sha256Hex, stableStringify } from "./stable-json.js";
import { TOKEN_COSTS, blockTokens, textTokens, toolTokens } from "./token-count.js";

export interface PromptPiece {
  /** Tokens of this piece alone. */
  tokens: number;
  /** Tokens of the prefix ending with this piece. */
  prefixTokens: number;
  /** Hash of the prefix ending with this piece (model included). */
  prefixHash: string;
  /** A cache breakpoint at the end of this piece. */
  cacheControl: CacheControl | undefined;
}

export interface PromptLayout {
  pieces: PromptPiece[];
  totalTokens: number;
}

interface RawPiece {
  tokens: number;
  identity: string;
  cacheControl: CacheControl | undefined;
}

function withoutCacheControl(block: ContentBlockParam): Record<string, unknown> {
  const { cache_control: _ignored, ...rest } = block as ContentBlockParam & { cache_control?: unknown };
  return rest;
}

function rawPieces(request: PromptRequest): RawPiece[] {
  const pieces: RawPiece[] = [];
  (request.tools ?? []).forEach((tool, index) => {
    const { cache_control, ...definition } = tool;
    const preamble = index === 0 ? TOKEN_COSTS.toolsPreamble : 0;
    pieces.push({ tokens: preamble + toolTokens(tool), identity: `tool:${stableStringify(definition)}`, cacheControl: cache_control ?? undefined });
  });
  if (typeof request.system === "string") {
    pieces.push({ tokens: TOKEN_COSTS.system + textTokens(request.system), identity: `system:${request.system}`, cacheControl: undefined });
  } else if (request.system) {
    request.system.forEach((block, index) => {
      const separator = index === 0 ? TOKEN_COSTS.system : 0;
      pieces.push({ tokens: separator + textTokens(block.text), identity: `system:${block.text}`, cacheControl: block.cache_control ?? undefined });
    });
  }
  for (const message of request.messages) {
    if (typeof message.content === "string") {
      // A string content is one text block: the same prompt, so the same prefix.
      pieces.push({
        tokens: TOKEN_COSTS.message + textTokens(message.content),
        identity: `${message.role}:first:${stableStringify({ type: "text", text: message.content })}`,
        cacheControl: undefined,
      });
      continue;
    }
    message.content.forEach((block, index) => {
      const separator = index === 0 ? TOKEN_COSTS.message : 0;
      pieces.push({
        tokens: separator + blockTokens(block),
        identity: `${message.role}${index === 0 ? ":first" : ""}:${stableStringify(withoutCacheControl(block))}`,
        cacheControl: "cache_control" in block ? (block.cache_control ?? undefined) : undefined,
      });
    });
  }
  return pieces;
}

/** `cacheScope` separates caches that must not share entries (one per model). */
export function layoutPrompt(request: PromptRequest, cacheScope: string): PromptLayout {
  const raw = rawPieces(request);
  // Top-level cache_control ("automatic caching") puts a breakpoint on the last block.
  const last = raw[raw.length - 1];
  if (request.cache_control && last && !last.cacheControl) last.cacheControl = request.cache_control;

  let previousHash = sha256Hex(`scope:${cacheScope}`);
  let prefixTokens = TOKEN_COSTS.request;
  const pieces = raw.map((piece) => {
    prefixTokens += piece.tokens;
    previousHash = sha256Hex(`${previousHash}\u0000${piece.identity}`);
    return { tokens: piece.tokens, prefixTokens, prefixHash: previousHash, cacheControl: piece.cacheControl };
  });
  return { pieces, totalTokens: prefixTokens };
}
