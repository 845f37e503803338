/**
 * The fields of a Messages request the gateway needs, checked at the edge. Everything else in
 * the body is passed upstream untouched. Messages follow the Anthropic API's own wording.
 */
import { GatewayError } from "./errors.js";

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
  if (!Array.isArray(record.messages)) throw new GatewayError("invalid_request", "messages: Field required (a list of messages)");
  if (record.stream !== undefined && typeof record.stream !== "boolean") throw new GatewayError("invalid_request", "stream: Input should be a valid boolean");
  refuseBodyBetas(record);
  return { body: record, model: record.model, maxTokens: record.max_tokens, stream: record.stream === true };
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
  if (!Array.isArray(record.messages)) throw new GatewayError("invalid_request", "messages: Field required (a list of messages)");
  refuseBodyBetas(record);
  return { body: record, model: record.model };
}

/** "team=search, env=prod" -> {team: "search", env: "prod"}; malformed parts are a 400 naming them. */
export function parseTagsHeader(header: string | string[] | undefined): Record<string, string> {
  if (header === undefined) return {};
  const text = Array.isArray(header) ? header.join(",") : header;
  const tags: Record<string, string> = {};
  for (const part of text.split(",").map((piece) => piece.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_.:-]{1,64})=([^=]{0,256})$/.exec(part);
    if (!match) throw new GatewayError("invalid_request", `x-switchyard-tags: ${JSON.stringify(part)} is not key=value (keys: letters, digits, _.:-)`);
    tags[match[1] as string] = (match[2] as string).trim();
  }
  return tags;
}
