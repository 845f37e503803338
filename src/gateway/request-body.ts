/**
 * The fields of a Messages request the gateway needs, checked at the edge. Everything else in
 * the body is passed upstream untouched. Messages follow the Anthropic API's own wording.
 */
import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "./errors.js";
import { TAG_KEY_PATTERN } from "../ledger/row-schema.js";

export interface MessagesRequest {
  body: Record<string, unknown>;
  model: string;
  maxTokens: number;
  stream: boolean;
}

export function parseMessagesRequest(body: unknown): MessagesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "the request body must be a JSON object");
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== "string" || record.model.length === 0) throw new GatewayError("invalid_request", "model: Field required (a model name string)");
  if (record.max_tokens === undefined) throw new GatewayError("invalid_request", "max_tokens: Field required");
  if (typeof record.max_tokens !== "number" || !Number.isSafeInteger(record.max_tokens) || record.max_tokens < 1) {
    throw new GatewayError("invalid_request", "max_tokens: Input should be a whole number greater than or equal to 1");
  }
  requireMessages(record);
  requireTools(record);
  if (record.stream !== undefined && typeof record.stream !== "boolean") throw new GatewayError("invalid_request", "stream: Input should be a valid boolean");
  refuseBodyBetas(record);
  return { body: record, model: record.model, maxTokens: record.max_tokens, stream: record.stream === true };
}

/** A list of at least one message: checked here, so the answer does not depend on which upstream would have said so, in its own words. */
function requireMessages(record: Record<string, unknown>): void {
  if (!Array.isArray(record.messages)) throw new GatewayError("invalid_request", "messages: Field required (a list of messages)");
  if (record.messages.length === 0) throw new GatewayError("invalid_request", "messages: at least one message is required");
  // Every part routing reads must be an object: a null there is the client's 400, not the gateway's 500.
  record.messages.forEach((message: unknown, index) => {
    if (!isObject(message)) throw new GatewayError("invalid_request", `messages.${index}: Input should be an object (a message with role and content)`);
    const content = message.content;
    if (!Array.isArray(content)) return;
    content.forEach((block: unknown, blockIndex) => {
      if (!isObject(block)) throw new GatewayError("invalid_request", `messages.${index}.content.${blockIndex}: Input should be an object (a content block with a type)`);
    });
  });
}

/** `tools`, if sent: a list of tool definitions, each an object. */
function requireTools(record: Record<string, unknown>): void {
  const tools = record.tools;
  if (tools === undefined) return;
  if (!Array.isArray(tools)) throw new GatewayError("invalid_request", "tools: Input should be a valid list (of tool definitions)");
  tools.forEach((tool: unknown, index) => {
    if (!isObject(tool)) throw new GatewayError("invalid_request", `tools.${index}: Input should be an object (a tool definition)`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The `anthropic-version` to send upstream: the client's, or the API's first version when the
 * client sent none (curl users; the SDKs always send it). It must be a version the API has
 * (https://platform.claude.com/docs/en/api/versioning), or a date after the latest of them (a
 * version newer than this list is passed on); anything else is a 400 here, whichever deployment
 * would have served, since Bedrock replaces the version with its own and the Claude API would
 * refuse it ("is not a valid version"). A header sent twice counts once.
 */
export function anthropicVersion(headers: IncomingHttpHeaders): string {
  const value = headers["anthropic-version"];
  if (value === undefined || value === "") return DEFAULT_VERSION;
  // The SDKs' own version, on nearly every request: one comparison, no parse.
  if (value === DEFAULT_VERSION) return value;
  const first = (Array.isArray(value) ? (value[0] ?? "") : value).split(",", 1)[0]?.trim() ?? "";
  if (KNOWN_VERSIONS.includes(first)) return first;
  if (!isCalendarDate(first)) throw new GatewayError("invalid_request", `anthropic-version: ${JSON.stringify(value)} is not a version (a date such as ${DEFAULT_VERSION})`);
  if (first < LATEST_VERSION) {
    throw new GatewayError("invalid_request", `anthropic-version: ${JSON.stringify(first)} is not a valid version (the API's versions: ${KNOWN_VERSIONS.join(", ")})`);
  }
  return first;
}

/** The API's versions, oldest first: the version history of https://platform.claude.com/docs/en/api/versioning (read 2026-11-24). */
const KNOWN_VERSIONS: readonly string[] = ["2023-01-01", "2023-06-01", "2026-10-21"];
const LATEST_VERSION = KNOWN_VERSIONS[KNOWN_VERSIONS.length - 1] as string;
const DEFAULT_VERSION = "2023-06-01";
const VERSION = /^(\d{4})-(\d{2})-(\d{2})$/;

/** YYYY-MM-DD naming a day that exists (not 2023-13-45 or 0000-00-00). */
function isCalendarDate(text: string): boolean {
  const parts = VERSION.exec(text);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The 404 for a name no deployment answers to, in the Anthropic API's words, with where to look. */
export function unknownModel(model: string): GatewayError {
  return new GatewayError("not_found", `model: ${model} (not served by this gateway: GET /v1/models lists the names it answers to)`);
}

/**
 * Betas come in the anthropic-beta header, which the gateway checks against each deployment and
 * moves into the body for Bedrock. Bedrock's own `anthropic_beta` body field would bypass that
 * check: the Anthropic API refuses it as an extra input, which reads as "another deployment may
 * take it", and Bedrock would then get betas it answers with an opaque "invalid beta flag".
 */
function refuseBodyBetas(record: Record<string, unknown>): void {
  if (record.anthropic_beta !== undefined) {
    throw new GatewayError("invalid_request", "anthropic_beta: betas go in the anthropic-beta header (the Messages API has no such body field); Switchyard moves them into the body for Bedrock, with only the betas each deployment accepts");
  }
}

export function parseCountTokensRequest(body: unknown): { body: Record<string, unknown>; model: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "the request body must be a JSON object");
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== "string" || record.model.length === 0) throw new GatewayError("invalid_request", "model: Field required (a model name string)");
  requireMessages(record);
  refuseBodyBetas(record);
  return { body: record, model: record.model };
}

const TAG_PART = new RegExp(`^(${TAG_KEY_PATTERN})=([^=]{0,256})$`);

/** "team=search, env=prod" -> {team: "search", env: "prod"}; malformed parts are a 400 naming them. */
export function parseTagsHeader(header: string | string[] | undefined): Record<string, string> {
  if (header === undefined) return {};
  const text = Array.isArray(header) ? header.join(",") : header;
  const tags: Record<string, string> = {};
  for (const part of text.split(",").map((piece) => piece.trim()).filter(Boolean)) {
    const match = TAG_PART.exec(part);
    if (!match) throw new GatewayError("invalid_request", `x-switchyard-tags: ${JSON.stringify(part)} is not key=value (keys: letters, digits, _.:-)`);
    tags[match[1] as string] = (match[2] as string).trim();
  }
  return tags;
}

/**
 * A request's tags: its key's own, then those of its x-switchyard-tags header that the key does
 * not set. A key's tags say who pays (a team, a cost centre): a client cannot move its spend by
 * sending another value for one of them; one that tries is named in the row's warnings.
 */
export function withHeaderTags(keyTags: Record<string, string>, headerTags: Record<string, string>, warnings: string[]): Record<string, string> {
  let merged = keyTags;
  for (const [name, value] of Object.entries(headerTags)) {
    if (Object.hasOwn(keyTags, name)) {
      if (keyTags[name] !== value) warnings.push(`x-switchyard-tags: ${name}=${value} ignored: the key's own tag ${name}=${keyTags[name]} stands`);
      continue;
    }
    if (merged === keyTags) merged = { ...keyTags };
    merged[name] = value;
  }
  return merged;
}
