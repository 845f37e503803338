/**
 * What a request itself requires of a deployment, read from its body and headers: its betas,
 * a 1-hour cache TTL, inference_geo, web search, the advisor tool, a fallbacks chain, tools, images,
 * an image or document by URL, an uploaded file (a file_id), fast mode. Routing never sends a request to a deployment that cannot honour these. Its longest
 * cache TTL also sets what a budget holds; what bounds its other models' cost (readOtherModels) is
 * read only for a budget.
 */
import { ephemeralTtl, longestCacheTtl, type CacheTtl } from "./cache-prefixes.js";
import { headerValues } from "../util/header-values.js";

export interface RequestNeeds {
  betas: string[];
  /** The longest prompt-cache TTL its breakpoints ask for (longestCacheTtl). */
  cacheTtl: CacheTtl | undefined;
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
  /**
   * A server-side fallback chain (`fallbacks`, an entry naming a model): a fallback model's attempt
   * is reported only with the output. Only a deployment that runs server-side fallback can take it.
   */
  fallbacks: boolean;
  tools: boolean;
  /** An image block anywhere in its messages, a tool result's content included. */
  images: boolean;
  /**
   * The first image or document whose `source.type` is "url", anywhere in its messages (a tool
   * result's content and a document's content source included), as the path to its source
   * ("messages.0.content.1.source") and what it is; undefined without one. Only a deployment that
   * fetches URL sources can take it: the gateway never fetches them itself.
   */
  urlSource: UrlSource | undefined;
  /**
   * The first uploaded file the request names (an image or document whose `source.type` is
   * "file", or a `container_upload` block), anywhere in its messages; undefined without one. A
   * file_id belongs to the workspace it was uploaded to: only the provider holding files can take it.
   */
  fileSource: FileSource | undefined;
  /** `speed: "fast"` (fast mode): billed at the fast rates, and only where the price block has them. */
  fast: boolean;
}

/** Where a URL-sourced image or document is, and which of the two it is. */
export interface UrlSource {
  path: string;
  kind: "image" | "document";
}

/** Where a file_id is named ("messages.0.content.1.source", or a container_upload block's own path), and the id. */
export interface FileSource {
  path: string;
  /** The id as sent; undefined when the block has none (the upstream refuses that itself). */
  fileId: string | undefined;
}

/** An advisor tool's model and the fields that bound what its sub-inferences can cost. */
export interface AdvisorTool {
  /** The advisor model the tool names (its `model`), if it names one. */
  model: string | undefined;
  /** Its `max_uses`: the most consultations in the request; null without one (no bound). */
  maxUses: number | null;
  /** Its `max_tokens`: the most each consultation writes, thinking included; undefined without one. */
  maxTokens: number | undefined;
  /** The TTL its `caching` writes the advisor's prompt at; undefined without `caching` (not cached). */
  cacheTtl: CacheTtl | undefined;
}

/** One entry of a request's `fallbacks` chain: a model that serves the request if those before it refuse. */
export interface FallbackHop {
  model: string;
  /** The entry's own `max_tokens`, in place of the request's; undefined without one. */
  maxTokens: number | undefined;
}

/** A request's advisor tools and fallback chain, as the budget hold bounds them (otherModelsHold). */
export interface OtherModels {
  /** Its advisor tools (empty without one). */
  advisors: AdvisorTool[];
  /** Its server-side fallback chain's entries that name a model (empty without one). */
  fallbacks: FallbackHop[];
}

/**
 * What bounds the cost of a request's other models: read only for a key with a budget (routing
 * needs no more than RequestNeeds' `advisor` and `fallbacks`), so not on every request.
 */
export function readOtherModels(body: Record<string, unknown>): OtherModels {
  return { advisors: advisorTools(toolsOf(body)), fallbacks: fallbackHops(body.fallbacks) };
}

type Tool = { type?: unknown; model?: unknown; max_uses?: unknown; max_tokens?: unknown; caching?: unknown };

function toolsOf(body: Record<string, unknown>): Tool[] {
  return Array.isArray(body.tools) ? (body.tools as Tool[]) : [];
}

function fallbackHops(fallbacks: unknown): FallbackHop[] {
  if (!Array.isArray(fallbacks)) return [];
  const hops: FallbackHop[] = [];
  for (const entry of fallbacks as { model?: unknown; max_tokens?: unknown }[]) {
    if (typeof entry?.model === "string") hops.push({ model: entry.model, maxTokens: count(entry.max_tokens) });
  }
  return hops;
}

function hasFallbacks(fallbacks: unknown): boolean {
  return Array.isArray(fallbacks) && fallbacks.some((entry: { model?: unknown } | null) => typeof entry?.model === "string");
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function isAdvisor(tool: Tool): boolean {
  return typeof tool.type === "string" && tool.type.startsWith("advisor_");
}

function advisorTools(tools: Tool[]): AdvisorTool[] {
  const advisors: AdvisorTool[] = [];
  for (const tool of tools) {
    if (!isAdvisor(tool)) continue;
    advisors.push({ model: typeof tool.model === "string" ? tool.model : undefined, maxUses: count(tool.max_uses) ?? null, maxTokens: count(tool.max_tokens), cacheTtl: ephemeralTtl(tool.caching) });
  }
  return advisors;
}

type Block = { type?: unknown; source?: unknown; content?: unknown; file_id?: unknown };
type Source = { type?: unknown; file_id?: unknown; content?: unknown };

/** What a scan of the content blocks has found so far, and the path to the block it is in (built into text only for a URL or file source). */
interface Scan {
  images: boolean;
  urlSource: UrlSource | undefined;
  fileSource: FileSource | undefined;
  trail: (string | number)[];
}

/** What the content scan finds: whether there is an image, and the first URL source and the first file source. */
export interface ContentSources {
  images: boolean;
  urlSource: UrlSource | undefined;
  fileSource: FileSource | undefined;
}

/**
 * Whether the messages hold an image, and the first image or document by URL and the first
 * uploaded file, every content block read as deep as blocks nest (a tool result's content, a
 * document's content source). On every request: plain loops, and no text built unless a URL or
 * file source is found.
 */
function contentSources(messages: unknown): ContentSources {
  const scan: Scan = { images: false, urlSource: undefined, fileSource: undefined, trail: ["messages", 0, "content"] };
  if (Array.isArray(messages)) {
    for (let index = 0; index < messages.length; index += 1) {
      const message = messages[index] as { content?: unknown } | null;
      scan.trail[1] = index;
      if (typeof message === "object" && message !== null && scanBlocks(message.content, scan)) break;
    }
  }
  return { images: scan.images, urlSource: scan.urlSource, fileSource: scan.fileSource };
}

/** Scans one content list; true once all three are found (nothing left to learn). */
function scanBlocks(content: unknown, scan: Scan): boolean {
  if (!Array.isArray(content)) return false;
  for (let index = 0; index < content.length; index += 1) {
    const block = content[index] as Block | null;
    if (typeof block !== "object" || block === null) continue;
    const { type } = block;
    const source = typeof block.source === "object" && block.source !== null ? (block.source as Source) : undefined;
    if (type === "image") scan.images = true;
    if (type === "image" || type === "document") {
      if (scan.urlSource === undefined && source?.type === "url") scan.urlSource = { path: [...scan.trail, index, "source"].join("."), kind: type };
      if (scan.fileSource === undefined && source?.type === "file") scan.fileSource = { path: [...scan.trail, index, "source"].join("."), fileId: fileIdOf(source.file_id) };
    } else if (type === "container_upload" && scan.fileSource === undefined) {
      scan.fileSource = { path: [...scan.trail, index].join("."), fileId: fileIdOf(block.file_id) };
    }
    if (scan.images && scan.urlSource && scan.fileSource) return true;
    if (Array.isArray(block.content) && nested(block.content, scan, index, CONTENT)) return true;
    const inSource = source?.content;
    if (Array.isArray(inSource) && nested(inSource, scan, index, SOURCE_CONTENT)) return true;
  }
  return false;
}

function fileIdOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const CONTENT = ["content"] as const;
const SOURCE_CONTENT = ["source", "content"] as const;

/** Scans the content list inside block `index`, at `segments` below it. */
function nested(content: unknown[], scan: Scan, index: number, segments: readonly string[]): boolean {
  const depth = scan.trail.length;
  scan.trail.push(index, ...segments);
  const done = scanBlocks(content, scan);
  scan.trail.length = depth;
  return done;
}

/** The first image or document by URL and the first uploaded file in a request's messages (count_tokens reads only these needs). */
export function contentSourcesIn(body: Record<string, unknown>): ContentSources {
  return contentSources(body.messages);
}

function webSearchesAtMost(tools: Tool[]): number | null {
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
  const tools = toolsOf(body);
  return {
    betas: headerValues(betaHeader),
    cacheTtl: longestCacheTtl(body),
    inferenceGeo: typeof body.inference_geo === "string" ? body.inference_geo : undefined,
    webSearch: tools.some((tool) => typeof tool.type === "string" && tool.type.startsWith("web_search")),
    webSearchesAtMost: webSearchesAtMost(tools),
    advisor: tools.some(isAdvisor),
    fallbacks: hasFallbacks(body.fallbacks),
    tools: tools.length > 0,
    ...contentSources(body.messages),
    fast: body.speed === "fast",
  };
}
