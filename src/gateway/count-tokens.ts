/** POST /v1/messages/count_tokens: answered by the first deployment of the model that can count. */
import type { IncomingHttpHeaders } from "node:http";
import { isFailoverable, UpstreamError } from "../providers/upstream-error.js";
import { withoutDropFields } from "../config/drop-fields.js";
import { betasOn, missingBetasReason } from "../routing/betas.js";
import { deploymentsFor, unmetConstraint, unmetSource } from "../routing/candidates.js";
import { contentSourcesIn } from "../routing/request-needs.js";
import { refusalScope, type RefusalScope } from "../routing/field-refusals.js";
import { headerValues } from "../util/header-values.js";
import { authenticate, requireModelAllowed } from "./authenticate.js";
import { GatewayError, withDropHint } from "./errors.js";
import { jsonFor, limitsFor } from "./messages.js";
import { policyFor } from "./plan-route.js";
import { anthropicVersion, parseCountTokensRequest, unknownModel } from "./request-body.js";
import { priceDate, type GatewayState } from "./state.js";
import type { Deployment } from "../config/load-gateway-config.js";
import type { TokenCount } from "../providers/provider.js";
import { cancelAfter, type Cancel } from "../util/cancel.js";

/** What count_tokens answers: the upstream's answer, the deployment that counted, and the key's count_tokens rate-limit headers. */
export interface Counted {
  answer: TokenCount;
  deployment: string;
  rateHeaders: Record<string, string>;
}

/**
 * `raw` is the body as received: Anthropic-shape upstreams get it byte for byte, with only `model`
 * replaced. A count is free and has no price: it has no ledger row, and spends nothing of a budget.
 */
export async function countTokens(state: GatewayState, headers: IncomingHttpHeaders, body: unknown, requestId: string, raw?: Buffer, beta = false): Promise<Counted> {
  const known = authenticate(state, headers);
  const key = known instanceof Promise ? await known : known;
  const version = anthropicVersion(headers);
  const request = parseCountTokensRequest(body);
  requireModelAllowed(state, key, request.model);
  // The key's requests_per_minute, from a bucket of count_tokens' own (rate-limiter.ts,
  // LimitedEndpoint): the upstream accounts every key shares limit counting too.
  let rateHeaders: Record<string, string> = {};
  if (key) {
    const admitted = state.limiter.admit(key.id, limitsFor(state, key), 0, "count_tokens");
    rateHeaders = admitted instanceof Promise ? await admitted : admitted;
  }
  const deployments = deploymentsFor(state.config, state.catalog, request.model);
  if (deployments.length === 0) throw unknownModel(request.model);
  // As for messages: a deployment that breaks the key's or the request's constraints (residency,
  // compliance, billing: the prompt must not go there either) or lacks a beta the request needs, or
  // takes base64 sources only where the request has an image or document by URL, or is not the
  // provider that holds files where the request names a file_id, is
  // not tried (nor counted against max_attempts), and one that refused a field the request
  // carries is tried last: refused in a count_tokens request with the same betas, since
  // count_tokens refuses fields (max_tokens, stream) that Messages requests carry.
  const policy = policyFor(state, key, headers);
  const betas = headerValues(headers["anthropic-beta"]);
  const today = priceDate(state.now());
  const sources = contentSourcesIn(request.body);
  const able: Counter[] = [];
  const unable: string[] = [];
  for (const deployment of deployments) {
    const unmet = unmetConstraint(deployment, policy);
    if (unmet) {
      unable.push(`${deployment.id} fails ${unmet}`);
      continue;
    }
    const bySource = unmetSource(deployment, sources, state.config.files);
    if (bySource) {
      unable.push(`${deployment.id} fails ${bySource}`);
      continue;
    }
    const betasThere = betasOn(deployment, betas, state.catalog.data.betas, today);
    if (betasThere.missing.length > 0) unable.push(`${deployment.id} fails ${missingBetasReason(betasThere.missing)}`);
    else able.push({ deployment, betas: betasThere.send });
  }
  if (able.length === 0) throw new GatewayError("no_route", `no deployment of ${request.model} can count this request: ${unable.join("; ")}`);
  const scope = refusalScope("count_tokens", betas);
  const ordered = state.fieldRefusals.demote(able, scope, request.body, state.now())?.ranked ?? able;
  const { cancel, clear } = cancelAfter(state.config.config.timeouts.total_ms);
  try {
    return { ...(await countOn(state, ordered, { body: request.body, raw, beta, scope, namesFile: sources.fileSource !== undefined }, version, requestId, cancel)), rateHeaders };
  } finally {
    clear();
  }
}

/** A deployment that may count the request, with the betas it receives. */
interface Counter {
  deployment: Deployment;
  betas: readonly string[];
}

async function countOn(
  state: GatewayState,
  counters: Counter[],
  { body, raw, beta, scope, namesFile }: { body: Record<string, unknown>; raw: Buffer | undefined; beta: boolean; scope: RefusalScope; namesFile: boolean },
  version: string,
  requestId: string,
  cancel: Cancel,
): Promise<{ answer: TokenCount; deployment: string }> {
  let lastError: UpstreamError | undefined;
  for (const { deployment, betas } of counters.slice(0, state.config.config.routing.max_attempts)) {
    const client = state.clients.get(deployment.providerName);
    if (!client) throw new GatewayError("internal", `no client for provider ${deployment.providerName}`);
    const sent = withoutDropFields(deployment, body);
    try {
      const json = jsonFor(deployment, raw, sent, "count_tokens");
      const counted = await client.countTokens(sent.body, {
        ...(json ? { json } : {}),
        upstreamModel: deployment.upstreamModel,
        anthropicVersion: version,
        betas,
        beta,
        requestId,
        cancel,
        firstByteTimeoutMs: state.config.config.timeouts.first_byte_ms,
      });
      return { answer: counted, deployment: deployment.id };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      lastError = error.details.refusedFields ? withDropHint(error, deployment.id, state.fieldRefusals.learn(deployment.id, scope, error.details.refusedFields, sent.body, state.now())) : error;
      // A deployment that does not serve the model (or cannot count for it: unsupported, which fails over) leaves it to the next;
      // but where the request names a file, "not found" is the file's answer, the same on every deployment of its workspace.
      if (!isFailoverable(error.kind) && (error.kind !== "not_found" || namesFile)) break;
    }
  }
  throw lastError ?? new GatewayError("internal", "no deployment could count tokens");
}
