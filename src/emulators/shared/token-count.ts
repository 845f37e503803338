/**
 * Token counting shared by generation, count_tokens and the prompt cache.
 * Not a real tokenizer: about one token per four UTF-8 bytes of text, with fixed costs for
 * images, documents and tool definitions. What matters is that it is deterministic and that
 * count_tokens, `usage` and the cache agree with each other exactly.
 */
import type { ContentBlockParam, ToolParam } from "./messages-request.js";
import { stableStringify } from "./stable-json.js";

/** Fixed costs, chosen near what the real API reports for the same inputs. */
export const TOKEN_COSTS = {
  /** Every request: start-of-conversation and assistant-turn markers. */
  request: 4,
  /** Every message: role and turn separators. */
  message: 3,
  /** The system prompt's separator. */
  system: 3,
  /** The hidden tool-use system prompt, once when any tool is defined. */
  toolsPreamble: 300,
  /** An image, about a 1.15-megapixel picture ((w x h) / 750). */
  image: 1600,
  /** One PDF page (text plus page image). */
  pdfPage: 1500,
  /** tool_use / tool_result framing. */
  toolBlock: 5,
} as const;

export function textTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

function jsonTokens(value: unknown): number {
  return textTokens(stableStringify(value));
}

/** Pages in a base64 PDF: the number of page objects, at least one. */
function pdfPages(base64: string): number {
  const text = Buffer.from(base64, "base64").toString("latin1");
  const matches = text.match(/\/Type\s*\/Page(?!s)/g);
  return Math.max(1, matches?.length ?? 0);
}

function documentTokens(source: Record<string, unknown>): number {
  const data = source["data"];
  if (source["type"] === "text" && typeof data === "string") return textTokens(data);
  if (source["type"] === "base64" && typeof data === "string") return pdfPages(data) * TOKEN_COSTS.pdfPage;
  if (source["type"] === "content") return jsonTokens(source["content"]);
  return TOKEN_COSTS.pdfPage;
}

export function blockTokens(block: ContentBlockParam): number {
  switch (block.type) {
    case "text":
      return textTokens(block.text);
    case "image":
      return TOKEN_COSTS.image;
    case "document":
      return documentTokens(block.source);
    case "tool_use":
      return TOKEN_COSTS.toolBlock + textTokens(block.name) + jsonTokens(block.input);
    case "tool_result": {
      const content = block.content;
      if (content === undefined) return TOKEN_COSTS.toolBlock;
      if (typeof content === "string") return TOKEN_COSTS.toolBlock + textTokens(content);
      return TOKEN_COSTS.toolBlock + content.reduce((sum, item) => sum + blockTokens(item), 0);
    }
    case "thinking":
      return textTokens(block.thinking);
    case "redacted_thinking":
      return textTokens(block.data);
    default:
      return jsonTokens(block);
  }
}

export function toolTokens(tool: ToolParam): number {
  const { cache_control: _ignored, ...definition } = tool;
  return jsonTokens(definition);
}
