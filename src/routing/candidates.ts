/**
 * Which deployments may serve a request, and in what order. Pure: config, catalog data and the
 * request in; a ranked list and the reasons for every exclusion out.
 */
import type { Deployment, ResolvedConfig } from "../config/load-gateway-config.js";
import type { Catalog } from "../catalog/catalog.js";
import { priceRequest, PricingError } from "../pricing/price-request.js";
import type { Usage } from "../pricing/usage.js";
import type { RequestNeeds } from "./request-needs.js";

export interface Exclusion {
  deployment: string;
  reason: string;
}

export interface RankedCandidates {
  ranked: Deployment[];
  excluded: Exclusion[];
  /** Expected cost (attodollars) per ranked deployment id, when the policy priced them. */
  expected: Map<string, bigint>;
}

/** Deployments for a requested name: an alias from the config, else deployments whose catalog model matches. */
export function deploymentsFor(config: ResolvedConfig, catalog: Catalog, requested: string): Deployment[] {
  const alias = config.aliases.get(requested);
  if (alias) return alias;
  const all = [...config.deployments.values()];
  const direct = all.filter((deployment) => deployment.upstreamModel === requested || deployment.model.id === requested);
  if (direct.length > 0) return direct;
  const models = new Set(catalog.modelsMatching(requested).map((model) => model.id));
  return all.filter((deployment) => models.has(deployment.model.id));
}

const ANTHROPIC_SHAPE = new Set(["anthropic", "claude-platform-aws"]);

/** Why a deployment cannot honour what the request needs, or undefined if it can. */
export function unmetNeed(deployment: Deployment, needs: RequestNeeds): string | undefined {
  const capabilities = deployment.offering.capabilities;
  const accepted = capabilities.betas;
  if (accepted) {
    const missing = needs.betas.filter((beta) => !accepted.includes(beta));
    if (missing.length > 0) return `does not accept anthropic-beta ${missing.join(", ")}`;
  }
  if (needs.oneHourCache && capabilities.prompt_caching && !capabilities.prompt_caching.ttls.includes("1h")) {
    return "has no 1-hour prompt-cache TTL";
  }
  if (needs.inferenceGeo !== undefined) {
    if (ANTHROPIC_SHAPE.has(deployment.provider.kind)) {
      if (needs.inferenceGeo !== deployment.route) return `serves inference_geo "${deployment.route}", not "${needs.inferenceGeo}"`;
    } else if (needs.inferenceGeo === "us" && deployment.offering.residency !== "us") {
      return `keeps data in ${deployment.offering.residency}, not the US (inference_geo "us")`;
    }
  }
  if (needs.webSearch && capabilities.web_search === false) return "has no web search tool";
  if (needs.tools && capabilities.tools === false) return "does not support tools";
  if (needs.images && capabilities.vision === false) return "does not accept images";
  return undefined;
}

/**
 * Filters by needs, then orders: "ordered" keeps the configured order (priority first);
 * "cheapest" ranks by the engine's price of the expected usage on each deployment.
 */
export function rankCandidates(
  deployments: Deployment[],
  needs: RequestNeeds,
  expectedUsage: Usage,
  policy: "cheapest" | "ordered",
  at: string,
): RankedCandidates {
  const excluded: Exclusion[] = [];
  const eligible: Deployment[] = [];
  for (const deployment of deployments) {
    const reason = unmetNeed(deployment, needs);
    if (reason) excluded.push({ deployment: deployment.id, reason });
    else eligible.push(deployment);
  }
  const expected = new Map<string, bigint>();
  if (policy === "ordered") {
    return { ranked: [...eligible].sort((a, b) => a.priority - b.priority), excluded, expected };
  }
  const priced: Deployment[] = [];
  for (const deployment of eligible) {
    const block = deployment.offering.prices.find((candidate) => candidate.from <= at && (candidate.to === undefined || at <= candidate.to));
    if (!block) {
      excluded.push({ deployment: deployment.id, reason: `has no price in force on ${at}` });
      continue;
    }
    try {
      expected.set(deployment.id, priceRequest(deployment.offering, block, expectedUsage).total);
      priced.push(deployment);
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
      excluded.push({ deployment: deployment.id, reason: error.message });
    }
  }
  priced.sort((a, b) => {
    const difference = (expected.get(a.id) ?? 0n) - (expected.get(b.id) ?? 0n);
    return difference < 0n ? -1 : difference > 0n ? 1 : a.priority - b.priority;
  });
  return { ranked: priced, excluded, expected };
}

/**
 * A rough usage for ranking before the request runs: ~4 bytes of JSON per input token, and
 * the output capped by max_tokens. Only the order it produces matters.
 */
export function expectedUsage(bodyBytes: number, maxTokens: number): Usage {
  return { input: Math.ceil(bodyBytes / 4), output: Math.min(maxTokens, 1024) };
}
