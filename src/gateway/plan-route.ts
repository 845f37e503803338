/**
 * Everything routing needs for one request, gathered from the gateway's state: the policy
 * (config defaults, then the key's settings, then the x-switchyard-route header), the request's
 * needs and cacheable prefixes, who holds those prefixes, and the health snapshot.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Deployment } from "../config/load-gateway-config.js";
import type { ApiKeyRecord } from "../ledger/ledger.js";
import { cachePrefixes, requestTokens, type CachePrefix } from "../routing/cache-prefixes.js";
import { rankCandidates, type Exclusion, type RankedCandidates } from "../routing/candidates.js";
import { refusalScope, type TriedLast } from "../routing/field-refusals.js";
import { combinePolicy, parseRouteHeader, PolicyError, type RoutingPolicy } from "../routing/policy.js";
import { readRequestNeeds, type RequestNeeds } from "../routing/request-needs.js";
import { GatewayError } from "./errors.js";
import type { MessagesRequest } from "./request-body.js";
import { priceDate, type GatewayState } from "./state.js";

export interface RoutePlan {
  policy: RoutingPolicy;
  needs: RequestNeeds;
  prefixes: CachePrefix[];
  ranking: RankedCandidates;
  /** Deployments moved to the end of the ranking: each refused a field this request carries. */
  triedLast: readonly TriedLast[];
}

/**
 * Policies without a route header depend only on the config and the key's name: made once per key
 * (per loaded config) rather than per request. Callers read policies and never change them.
 */
const policiesByConfig = new WeakMap<GatewayState["config"], Map<string, RoutingPolicy>>();

export function policyFor(state: GatewayState, key: ApiKeyRecord | null, headers: IncomingHttpHeaders): RoutingPolicy {
  const routeHeader = headers["x-switchyard-route"];
  if (routeHeader !== undefined) return combinedPolicy(state, key, routeHeader);
  let policies = policiesByConfig.get(state.config);
  if (!policies) {
    policies = new Map();
    policiesByConfig.set(state.config, policies);
  }
  const name = key ? `key:${key.name}` : "unauthenticated";
  let policy = policies.get(name);
  if (!policy) {
    policy = combinedPolicy(state, key, undefined);
    policies.set(name, policy);
  }
  return policy;
}

function combinedPolicy(state: GatewayState, key: ApiKeyRecord | null, routeHeader: string | string[] | undefined): RoutingPolicy {
  const routing = state.config.config.routing;
  const base: RoutingPolicy = { residency: routing.residency, compliance: routing.compliance, billing: routing.billing, objective: routing.policy, weights: routing.weights };
  const keySettings = key ? state.config.config.keys[key.name] : undefined;
  try {
    return combinePolicy(base, keySettings, parseRouteHeader(routeHeader));
  } catch (error) {
    if (error instanceof PolicyError) throw new GatewayError("invalid_request", error.message);
    throw error;
  }
}

const NONE: readonly TriedLast[] = [];

/** What to do about a request no deployment can serve, by the kind of rule that excluded them. */
const NO_ROUTE_ADVICE: Record<Exclusion["rule"], string> = {
  constraint: "Relax the constraint (x-switchyard-route or the key's settings) or add a deployment that meets it",
  need: "The request asks for something these deployments lack (a beta header, a feature, more output or context than they take): leave it out or ask for less, or add a deployment that has it",
  health: "Try again shortly (the deployments are unhealthy: GET /v1/switchyard/health)",
  price: "Give the catalog a price for the deployment in force today (catalog_files)",
};

/** The exclusions as a sentence, deployments that fail for the same reason named together. */
function byReason(excluded: readonly Exclusion[]): string {
  const deployments = new Map<string, string[]>();
  for (const exclusion of excluded) {
    const named = deployments.get(exclusion.reason);
    if (named) named.push(exclusion.deployment);
    else deployments.set(exclusion.reason, [exclusion.deployment]);
  }
  return [...deployments].map(([reason, ids]) => `${ids.join(", ")} ${ids.length === 1 ? "fails" : "fail"} ${reason}`).join("; ");
}

export function planRoute(state: GatewayState, key: ApiKeyRecord | null, headers: IncomingHttpHeaders, request: MessagesRequest, bodyBytes: number, deployments: readonly Deployment[], now: number): RoutePlan {
  const policy = policyFor(state, key, headers);
  const needs = readRequestNeeds(request.body, headers["anthropic-beta"]);
  const affinity = state.config.config.routing.affinity.enabled;
  const lookback: string[] | undefined = affinity ? [] : undefined;
  const prefixes = affinity || policy.objective === "cheapest" ? cachePrefixes(request.body, lookback) : [];
  const ranking = rankCandidates({
    deployments,
    policy,
    needs,
    knownBetas: state.catalog.data.betas,
    files: state.config.files,
    inputTokens: requestTokens(bodyBytes),
    maxTokens: request.maxTokens,
    prefixes,
    holdings: lookback ? state.affinity.holdings(prefixes, lookback) : new Map(),
    health: state.health.snapshot(),
    at: priceDate(now),
    rotation: state.rotation++,
  });
  if (ranking.ranked.length === 0) {
    const constraints = ranking.excluded.filter((exclusion) => exclusion.rule === "constraint");
    const what = constraints.length === ranking.excluded.length ? " within its routing constraints" : "";
    throw new GatewayError(
      "no_route",
      `no deployment of ${request.model} can serve this request${what}: ` +
        byReason(ranking.excluded) +
        `. ${[...new Set(ranking.excluded.map((exclusion) => exclusion.rule))].map((rule) => NO_ROUTE_ADVICE[rule]).join("; ")}.`,
    );
  }
  // The scope (a sorted copy of the request's betas) is worked out only once something was refused.
  const demoted = state.fieldRefusals.empty ? undefined : state.fieldRefusals.demote(ranking.ranked, refusalScope("messages", needs.betas), request.body, now);
  return { policy, needs, prefixes, ranking: demoted ? { ...ranking, ranked: demoted.ranked } : ranking, triedLast: demoted?.triedLast ?? NONE };
}
