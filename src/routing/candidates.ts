/**
 * Which deployments may serve a request, and in what order. Pure: config, catalog data, the
 * request, a health snapshot and the affinity holdings in; a ranked list and the reason for every
 * exclusion out.
 *
 *  1. constraints (policy): residency, compliance programmes, AWS-invoice billing — never relaxed;
 *  2. what the request needs: its betas, 1-hour cache TTL, inference_geo, web search, tools, images,
 *     max_tokens within the output limit, an uploaded file only where files are held;
 *  3. live health: open circuits and deployments cooling after a retry-after are skipped, unless
 *     every candidate is (then they are tried anyway, soonest-available first: a last resort);
 *  4. objective: cheapest (the request's expected cost there, counting the cache reads it would
 *     get from a deployment that holds its prefix versus the writes it would pay elsewhere),
 *     fastest (live time to first token, else the catalog's measured latency), weighted, or ordered.
 */
import { blockInForce, type PriceBlock } from "../catalog/model.js";
import type { Catalog } from "../catalog/catalog.js";
import { residencyMeets, type BetaInfo } from "../catalog/schema.js";
import { isAnthropicShape, type Deployment, type ResolvedConfig } from "../config/load-gateway-config.js";
import type { FilesHolder } from "../config/files-holder.js";
import { priceRequest, PricingError } from "../pricing/price-request.js";
import type { Usage } from "../pricing/usage.js";
import type { Holding } from "./affinity.js";
import type { CachePrefix, CacheTtl } from "./cache-prefixes.js";
import { betasOn, missingBetasReason, outputLimitOn, type BetasOn } from "./betas.js";
import type { HealthSnapshot } from "./health.js";
import type { RoutingPolicy } from "./policy.js";
import { heldCall } from "./held-call.js";
import { otherModelsHold, type OtherModelsHeld } from "./other-models-hold.js";
import type { FileSource, RequestNeeds, UrlSource } from "./request-needs.js";

export interface Exclusion {
  deployment: string;
  reason: string;
  /** Which kind of rule excluded it: a constraint, a need, health or price. */
  rule: "constraint" | "need" | "health" | "price";
}

export interface Candidate {
  deployment: Deployment;
  /** The deployment's prices in force on the request's day. */
  block: PriceBlock;
  /** Which of the request's betas go to this deployment. */
  betas: BetasOn;
  expectedUsage: Usage;
  /** Attodollars; undefined when it could not be priced (ordered/fastest may still use it). */
  expectedCost: bigint | undefined;
  /** Tokens of the request's prefix this deployment holds in its prompt cache. */
  heldTokens: number;
  latencyMs: number | undefined;
}

export interface RankedCandidates {
  ranked: Candidate[];
  excluded: Exclusion[];
  /** Every healthy candidate was excluded by health; these are tried anyway. */
  lastResort: boolean;
  /**
   * Candidates moved after the others because their provider stopped serving a beta the request
   * needs (routing/betas.ts: `ended`), in their ranked order; empty when none was moved.
   */
  endedLast: readonly Candidate[];
}

export interface RouteInput {
  deployments: readonly Deployment[];
  policy: RoutingPolicy;
  needs: RequestNeeds;
  /** anthropic-beta values the catalog knows (whether a request depends on each). */
  knownBetas: ReadonlyMap<string, BetaInfo>;
  /** The provider that holds files: the only one a request naming a file_id may go to. */
  files: FilesHolder;
  /** Estimated input tokens of the whole request. */
  inputTokens: number;
  maxTokens: number;
  prefixes: CachePrefix[];
  holdings: ReadonlyMap<string, Holding>;
  health: HealthSnapshot;
  at: string;
  /** Rotates ties so equal-cost deployments share load. */
  rotation: number;
}

/**
 * Deployments for a requested name: an alias from the config; else the deployments that send that
 * very wire id (a Bedrock profile such as `us.anthropic.claude-sonnet-4-6` pins its route); else
 * every deployment of the catalog model the name matches. A Claude API id, dated or not
 * (`claude-haiku-4-5-20251001`, what Claude Code sends), names the model, not the Anthropic API:
 * it reaches Bedrock's deployments of that model too.
 */
export function deploymentsFor(config: ResolvedConfig, catalog: Catalog, requested: string): readonly Deployment[] {
  let names = resolvedNames.get(config);
  if (!names) {
    names = new Map();
    resolvedNames.set(config, names);
  }
  const known = names.get(requested);
  if (known) return known;
  const found = resolveName(config, catalog, requested);
  // Only names that find deployments (a client sending made-up names would fill the map); and a cap all the same.
  if (found.length > 0 && names.size < MAX_REMEMBERED_NAMES) names.set(requested, found);
  return found;
}

/**
 * Each loaded config's answers by requested name: they depend on the config and the catalog it was
 * resolved against (a process has one catalog, so the config alone is the key).
 */
const resolvedNames = new WeakMap<ResolvedConfig, Map<string, readonly Deployment[]>>();
const MAX_REMEMBERED_NAMES = 1_024;

function resolveName(config: ResolvedConfig, catalog: Catalog, requested: string): readonly Deployment[] {
  const alias = config.aliases.get(requested);
  if (alias) return alias;
  const all = [...config.deployments.values()];
  const direct = all.filter((deployment) => deployment.model.id === requested || (deployment.upstreamModel === requested && !deployment.model.ids.anthropic?.includes(requested)));
  if (direct.length > 0) return direct;
  const models = new Set(catalog.modelsMatching(requested).map((model) => model.id));
  return all.filter((deployment) => models.has(deployment.model.id));
}

/** Why a deployment breaks the policy's constraints, or undefined. */
export function unmetConstraint(deployment: Deployment, policy: RoutingPolicy): string | undefined {
  const offering = deployment.offering;
  if (!residencyMeets(policy.residency, offering.residency)) {
    return `residency=${policy.residency}: it processes data in ${offering.residency === "global" ? "any region (global routing)" : offering.residency}`;
  }
  const missing = policy.compliance.filter((programme) => !offering.compliance.includes(programme));
  if (missing.length > 0) return `compliance=${missing.join(",")}: not covered (it has ${offering.compliance.join(", ") || "none listed"})`;
  if (policy.billing === "aws-invoice" && offering.billing !== "aws-invoice") return `billing=aws-invoice: it bills through ${offering.billing}`;
  return undefined;
}

/**
 * Why a deployment cannot honour what the request needs, or undefined if it can. `maxTokens` above
 * the output limit the catalog gives it is refused by the upstream (a 400 naming the limit), so the
 * request is not sent there.
 */
export function unmetNeed(deployment: Deployment, needs: RequestNeeds, betas: BetasOn, maxTokens: number, knownBetas: ReadonlyMap<string, BetaInfo>, files: FilesHolder): string | undefined {
  const capabilities = deployment.offering.capabilities;
  // First: it says what to do about the file or the URL (on Bedrock the Files beta is missing too, which says less).
  const bySource = unmetSource(deployment, needs, files);
  if (bySource) return bySource;
  if (betas.missing.length > 0) return missingBetasReason(betas.missing);
  // A beta only raises the model's own limit: the request's betas are read only for a request above it.
  if (capabilities.max_output_tokens !== undefined && maxTokens > capabilities.max_output_tokens) {
    const outputLimit = outputLimitOn(deployment, betas, knownBetas);
    if (outputLimit !== undefined && maxTokens > outputLimit) return `max_tokens ${maxTokens}: its output limit is ${outputLimit} tokens`;
  }
  if (needs.cacheTtl === "1h" && capabilities.prompt_caching && !capabilities.prompt_caching.ttls.includes("1h")) {
    return "a 1-hour cache TTL: it has none";
  }
  if (needs.inferenceGeo !== undefined) {
    if (isAnthropicShape(deployment)) {
      if (needs.inferenceGeo !== deployment.route) return `inference_geo "${needs.inferenceGeo}": it serves "${deployment.route}"`;
    } else if (needs.inferenceGeo === "us" && !residencyMeets("us", deployment.offering.residency)) {
      return `inference_geo "us": it keeps data in ${deployment.offering.residency}`;
    }
  }
  if (needs.webSearch && capabilities.web_search !== true) return "web search: it has no web search tool";
  if (needs.advisor && capabilities.advisor_tool === false) return "the advisor tool: it does not run it";
  if (needs.fallbacks && capabilities.server_side_fallback === false) return "fallbacks: it does not run server-side fallback";
  if (needs.tools && capabilities.tools === false) return "tools: it does not support them";
  if (needs.images && capabilities.vision === false) return "images: it does not accept them";
  return undefined;
}

/**
 * Why a deployment cannot take the content the request names, or undefined: an uploaded file
 * held by another provider's workspace, or an image or document by URL where it takes base64
 * sources only. Shared by Messages routing and count_tokens, which sends the same content.
 */
export function unmetSource(deployment: Deployment, sources: Pick<RequestNeeds, "urlSource" | "fileSource">, files: FilesHolder): string | undefined {
  return unmetFileSource(deployment, sources.fileSource, files) ?? unmetUrlSource(deployment, sources.urlSource);
}

/**
 * Why a deployment cannot take a request naming an uploaded file, or undefined. A file_id belongs
 * to the workspace it was uploaded to, so only the provider that holds files (`files.provider`)
 * can take it; the others would answer that the file does not exist (or, Bedrock, that it has no
 * Files API).
 */
function unmetFileSource(deployment: Deployment, fileSource: FileSource | undefined, files: FilesHolder): string | undefined {
  if (!fileSource || deployment.providerName === files.provider) return undefined;
  const named = `${fileSource.path} (file_id ${fileSource.fileId === undefined ? "missing" : JSON.stringify(fileSource.fileId)})`;
  if (files.provider === undefined) return `${named}: ${files.why}`;
  return `${named}: files are held by provider ${files.provider} (files.provider), not ${deployment.providerName}, and a file_id belongs to the workspace it was uploaded to: use a model deployed on ${files.provider}, or send the content as base64`;
}

/** Why a deployment cannot take an image or document by URL (it takes base64 sources only), or undefined. */
function unmetUrlSource(deployment: Deployment, urlSource: UrlSource | undefined): string | undefined {
  if (!urlSource || deployment.offering.capabilities.url_sources !== false) return undefined;
  const { path, kind } = urlSource;
  return `${path}.type "url" (${kind === "image" ? "an image" : "a document"} by URL): it takes base64 ${kind}s only (Switchyard does not fetch URLs): send the ${kind} as base64 data, or route the request to the Claude API or Claude Platform on AWS`;
}

/** The usage a request would have on a deployment, given what that deployment holds in cache. */
export function expectedUsageOn(deployment: Deployment, input: Pick<RouteInput, "inputTokens" | "maxTokens" | "prefixes">, held: Holding | undefined, cacheRates: boolean): Usage {
  const output = Math.min(input.maxTokens, 1024);
  const last = input.prefixes.at(-1);
  const caching = deployment.offering.capabilities.prompt_caching;
  const minimum = caching?.min_tokens ?? 0;
  if (!last || caching === null || !cacheRates || last.tokens < minimum) return { input: input.inputTokens, output };
  const read = Math.min(held?.tokens ?? 0, last.tokens);
  const write = last.tokens - read;
  return {
    input: Math.max(0, input.inputTokens - last.tokens),
    output,
    cacheRead: read,
    ...(last.ttl === "1h" ? { cacheWrite1h: write } : { cacheWrite5m: write }),
  };
}

/**
 * For a key's budget: a high estimate of the most a request can cost on any of `candidates` (the
 * ones it may be tried on). All its input at the priciest rate it can be billed at (a cache write
 * of `cacheTtl`, the longest its breakpoints ask for, if the deployment prices caching), and all
 * of `max_tokens` as output, at the fast rates for fast mode, and `webSearches` (the max_uses of its
 * web_search tools) at the search fee where the block has one; null (a tool without max_uses)
 * cannot be held for. An advisor tool and a server-side fallback chain add what the other models
 * can cost (other-models-hold.ts). Input is
 * counted from the body's size (requestTokens), so text that runs to more tokens than bytes/4 can
 * still cost more.
 */
export function budgetHold(candidates: Candidate[], request: HoldRequest, others?: OtherModelsHeld): bigint {
  const searches = request.webSearches ? { webSearchRequests: request.webSearches } : {};
  let most = 0n;
  for (const { deployment, block } of candidates) {
    // A block without a search fee would refuse the searches and with them the whole hold.
    const searched = block.fees.webSearchPer1000 === undefined ? {} : searches;
    // Fast mode bills every token at its own (higher) rates: a hold at standard rates would let a burst overspend by that factor.
    const own = heldCall(deployment.offering, block, request.inputTokens, request.cacheTtl, { ...searched, output: request.maxTokens, ...(request.fast ? { speed: "fast" as const } : {}) });
    if (own === undefined) continue;
    const held = own + (others ? otherModelsHold(others, deployment, request) : 0n);
    if (held > most) most = held;
  }
  return most;
}

export interface HoldRequest {
  inputTokens: number;
  maxTokens: number;
  cacheTtl: CacheTtl | undefined;
  fast?: boolean;
  webSearches?: number | null;
}

function priceBlockOn(deployment: Deployment, at: string) {
  return blockInForce(deployment.offering, at);
}

function compareBigInt(a: bigint | undefined, b: bigint | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rotates each run of equal keys by `rotation`, so equally good deployments share the load. */
function rotateTies<T>(sorted: T[], same: (a: T, b: T) => boolean, rotation: number): T[] {
  const result: T[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && same(sorted[start] as T, sorted[end] as T)) end += 1;
    const group = sorted.slice(start, end);
    const shift = rotation % group.length;
    result.push(...group.slice(shift), ...group.slice(0, shift));
    start = end;
  }
  return result;
}

function latencyOf(deployment: Deployment, health: HealthSnapshot): number | undefined {
  return health.get(deployment.id)?.ttftP50Ms ?? deployment.offering.latency[0]?.ttft_p50_ms;
}

export function rankCandidates(input: RouteInput): RankedCandidates {
  const excluded: Exclusion[] = [];
  const candidates: Candidate[] = [];
  const unhealthy: Candidate[] = [];
  for (const deployment of input.deployments) {
    const constraint = unmetConstraint(deployment, input.policy);
    if (constraint) {
      excluded.push({ deployment: deployment.id, reason: constraint, rule: "constraint" });
      continue;
    }
    const betas = betasOn(deployment, input.needs.betas, input.knownBetas, input.at);
    const need = unmetNeed(deployment, input.needs, betas, input.maxTokens, input.knownBetas, input.files);
    if (need) {
      excluded.push({ deployment: deployment.id, reason: need, rule: "need" });
      continue;
    }
    const block = priceBlockOn(deployment, input.at);
    if (!block) {
      excluded.push({ deployment: deployment.id, reason: `a price on ${input.at}: it has none in force`, rule: "price" });
      continue;
    }
    const held = input.holdings.get(deployment.id);
    const cacheRates = block.standard.cacheRead !== undefined && block.standard.cacheWrite5m !== undefined;
    const usage = expectedUsageOn(deployment, input, held, cacheRates);
    // Fast mode is priced at the block's fast rates; a block without them cannot serve it (a PricingError: excluded below).
    const expectedUsage: Usage = input.needs.fast ? { ...usage, speed: "fast" } : usage;
    let expectedCost: bigint | undefined;
    try {
      expectedCost = priceRequest(deployment.offering, block, expectedUsage).total;
    } catch (error) {
      if (!(error instanceof PricingError)) throw error;
      excluded.push({ deployment: deployment.id, reason: error.message, rule: "price" });
      continue;
    }
    const candidate: Candidate = { deployment, block, betas, expectedUsage, expectedCost, heldTokens: held?.tokens ?? 0, latencyMs: latencyOf(deployment, input.health) };
    const health = input.health.get(deployment.id);
    if (health?.unavailable) {
      excluded.push({ deployment: deployment.id, reason: health.unavailableReason ?? "unavailable", rule: "health" });
      unhealthy.push(candidate);
    } else {
      candidates.push(candidate);
    }
  }
  const lastResort = candidates.length === 0 && unhealthy.length > 0;
  const pool = lastResort ? unhealthy.sort((a, b) => availableAt(input, a) - availableAt(input, b)) : candidates;
  return { ...endedBetasLast(lastResort ? pool : order(pool, input)), excluded, lastResort };
}

const NONE_MOVED: readonly Candidate[] = [];

/**
 * The ranking with candidates whose provider ended a beta the request needs moved after the others,
 * each group in its order: they serve a request that fits without the beta, and refuse a longer
 * one that a deployment serving the beta takes. Moved only where some candidate does serve it.
 */
function endedBetasLast(ranked: Candidate[]): { ranked: Candidate[]; endedLast: readonly Candidate[] } {
  if (!ranked.some((candidate) => candidate.betas.ended.length > 0)) return { ranked, endedLast: NONE_MOVED };
  const serving = ranked.filter((candidate) => candidate.betas.ended.length === 0);
  if (serving.length === 0) return { ranked, endedLast: NONE_MOVED };
  const endedLast = ranked.filter((candidate) => candidate.betas.ended.length > 0);
  return { ranked: [...serving, ...endedLast], endedLast };
}

/**
 * When an unhealthy candidate is next available: the later of its circuit's reopening and its
 * cooling's end (a half-open one with its probe out: now, the probe may end any moment).
 */
function availableAt(input: RouteInput, candidate: Candidate): number {
  const health = input.health.get(candidate.deployment.id);
  return Math.max(health?.openUntil ?? 0, health?.coolingUntil ?? 0);
}

function order(candidates: Candidate[], input: RouteInput): Candidate[] {
  const byCost = (a: Candidate, b: Candidate) => compareBigInt(a.expectedCost, b.expectedCost);
  const byLatency = (a: Candidate, b: Candidate) => (a.latencyMs ?? Number.POSITIVE_INFINITY) - (b.latencyMs ?? Number.POSITIVE_INFINITY);
  switch (input.policy.objective) {
    case "ordered":
      return [...candidates].sort((a, b) => a.deployment.priority - b.deployment.priority);
    case "cheapest": {
      const sorted = [...candidates].sort((a, b) => byCost(a, b) || a.deployment.priority - b.deployment.priority);
      return rotateTies(sorted, (a, b) => byCost(a, b) === 0 && a.deployment.priority === b.deployment.priority, input.rotation);
    }
    case "fastest":
      return [...candidates].sort((a, b) => byLatency(a, b) || byCost(a, b));
    case "weighted": {
      const costs = candidates.map((candidate) => candidate.expectedCost ?? 0n);
      const cheapest = costs.reduce((min, cost) => (cost < min ? cost : min), costs[0] ?? 0n);
      const latencies = candidates.map((candidate) => candidate.latencyMs).filter((latency): latency is number => latency !== undefined);
      const fastest = latencies.length > 0 ? Math.min(...latencies) : undefined;
      const slowest = latencies.length > 0 ? Math.max(...latencies) : undefined;
      // A ranking score, not money: relative cost and latency as ratios to the best candidate.
      const score = (candidate: Candidate) => {
        const relativeCost = cheapest > 0n ? Number(((candidate.expectedCost ?? cheapest) * 1_000_000n) / cheapest) / 1_000_000 : 1;
        const latency = candidate.latencyMs ?? (slowest !== undefined ? slowest * 2 : undefined);
        const relativeLatency = fastest !== undefined && fastest > 0 && latency !== undefined ? latency / fastest : 1;
        return input.policy.weights.cost * relativeCost + input.policy.weights.latency * relativeLatency;
      };
      return [...candidates].sort((a, b) => score(a) - score(b) || byCost(a, b));
    }
  }
}
