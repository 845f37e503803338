/** POST /v1/messages/count_tokens: answered by the first deployment of the model that can count. */
import type { IncomingHttpHeaders } from "node:http";
import { isFailoverable, UpstreamError } from "../providers/upstream-error.js";
import { betasOn } from "../routing/betas.js";
import { deploymentsFor } from "../routing/candidates.js";
import { readRequestNeeds } from "../routing/request-needs.js";
import { authenticate } from "./authenticate.js";
import { GatewayError } from "./errors.js";
import { anthropicVersion, bodyWithout, countTokensJsonFor } from "./messages.js";
import { parseCountTokensRequest } from "./request-body.js";
import type { GatewayState } from "./state.js";
import type { Deployment } from "../config/load-gateway-config.js";
import { cancelAfter, type Cancel } from "../util/cancel.js";

/** `raw` is the body as received: Anthropic-shape upstreams get it byte for byte, with only `model` replaced. */
export async function countTokens(state: GatewayState, headers: IncomingHttpHeaders, body: unknown, requestId: string, raw?: Buffer, beta = false): Promise<{ input_tokens: number; deployment: string }> {
  const key = authenticate(state, headers);
  const request = parseCountTokensRequest(body);
  if (key && key.allowed_models.length > 0 && !key.allowed_models.includes(request.model)) {
    throw new GatewayError("permission", `key "${key.name}" may not use model ${request.model}`);
  }
  const deployments = deploymentsFor(state.config, state.catalog, request.model);
  if (deployments.length === 0) throw new GatewayError("not_found", `model: ${request.model}`);
  const needs = readRequestNeeds(request.body, headers["anthropic-beta"]);
  const { cancel, clear } = cancelAfter(state.config.config.timeouts.total_ms);
  try {
    return await countOn(state, deployments, { body: request.body, raw, beta }, headers, needs.betas, requestId, cancel);
  } finally {
    clear();
  }
}

async function countOn(
  state: GatewayState,
  deployments: Deployment[],
  { body, raw, beta }: { body: Record<string, unknown>; raw: Buffer | undefined; beta: boolean },
  headers: IncomingHttpHeaders,
  betas: string[],
  requestId: string,
  cancel: Cancel,
): Promise<{ input_tokens: number; deployment: string }> {
  let lastError: UpstreamError | undefined;
  for (const deployment of deployments.slice(0, state.config.config.routing.max_attempts)) {
    const client = state.clients.get(deployment.providerName);
    if (!client) continue;
    const betasHere = betasOn(deployment, betas, state.catalog.data.betas);
    if (betasHere.missing.length > 0) {
      lastError = new UpstreamError("unsupported", `${deployment.id} does not accept anthropic-beta ${betasHere.missing.join(", ")}, which the request needs`);
      continue;
    }
    try {
      const sentBody = bodyWithout(deployment, body, []);
      const json = sentBody === body ? countTokensJsonFor(deployment, raw) : undefined;
      const counted = await client.countTokens(sentBody, {
        ...(json ? { json } : {}),
        upstreamModel: deployment.upstreamModel,
        anthropicVersion: anthropicVersion(headers),
        betas: betasHere.send,
        beta,
        requestId,
        cancel,
        firstByteTimeoutMs: state.config.config.timeouts.first_byte_ms,
      });
      return { input_tokens: counted.input_tokens, deployment: deployment.id };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      lastError = error;
      // A deployment that does not serve the model (or cannot count for it: unsupported, which fails over) leaves it to the next.
      if (!isFailoverable(error.kind) && error.kind !== "not_found") break;
    }
  }
  throw lastError ?? new GatewayError("internal", "no deployment could count tokens");
}
