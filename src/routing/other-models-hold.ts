/**
 * What the other models a request may run can cost, for a key's budget hold (candidates.ts's
 * budgetHold): the advisor tool's consultations and a server-side fallback chain's attempts, each
 * at its model's rates on the provider and route of the deployment that serves the request
 * (pricing/other-models.ts finds that offering, as it does when the usage is priced).
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Offering, PriceBlock } from "../catalog/model.js";
import type { Deployment } from "../config/load-gateway-config.js";
import { consultedPrices } from "../pricing/other-models.js";
import type { CacheTtl } from "./cache-prefixes.js";
import { heldCall } from "./held-call.js";
import type { AdvisorTool, FallbackHop, OtherModels } from "./request-needs.js";

/** A request's other models (readOtherModels), and where their prices are found, for the day `at`. */
export interface OtherModelsHeld extends Readonly<OtherModels> {
  catalog: Catalog;
  at: string;
}

/** The request's size, as the hold counts it. */
interface HeldRequest {
  inputTokens: number;
  maxTokens: number;
  /** The longest TTL its cache breakpoints write at; undefined if it writes none. */
  cacheTtl: CacheTtl | undefined;
}

/** What every other model of a request can cost where `deployment` serves it, summed. */
export function otherModelsHold(held: OtherModelsHeld, deployment: Deployment, request: HeldRequest): bigint {
  let total = 0n;
  for (const tool of held.advisors) total += advisorHold(held, tool, deployment, request);
  for (const hop of held.fallbacks) total += fallbackHold(held, hop, deployment, request);
  return total;
}

/**
 * The most one advisor tool's consultations can cost: its `max_uses` consultations, each reading
 * the whole transcript (the request's input, all of the executor's `max_tokens`, and all the advice
 * `max_uses` × `max_tokens` allow) and writing its `max_tokens` (else the advisor model's output
 * limit). A consultation writes a cache only where the tool's `caching` asks ("when omitted, the
 * advisor prompt is not cached", the SDK's BetaAdvisorTool20260301), at its TTL. A tool without
 * `max_uses` or a model has no bound, and a model the catalog cannot price there has no known
 * price: neither can be held for (0), and the row of such a request says so.
 */
export function advisorHold(held: Pick<OtherModelsHeld, "catalog" | "at">, tool: AdvisorTool, deployment: Deployment, request: HeldRequest): bigint {
  if (tool.maxUses === null || tool.maxUses === 0 || tool.model === undefined) return 0n;
  const priced = pricedAt(held, deployment, tool.model);
  const writes = priced && (tool.maxTokens ?? priced.offering.capabilities.max_output_tokens);
  if (!priced || writes === undefined) return 0n;
  // Priced one consultation at a time, so that a long-context tier applies only where one reaches it.
  const reads = request.inputTokens + request.maxTokens + tool.maxUses * writes;
  return (heldCall(priced.offering, priced.block, reads, tool.cacheTtl, { output: writes }) ?? 0n) * BigInt(tool.maxUses);
}

/**
 * The most one fallback attempt can cost: the fallback model reads the request's input, with its
 * cache breakpoints, and writes the entry's `max_tokens`, else the request's. Every hop of the
 * chain may run (each refuses in turn but the last), so each is held for. A model the catalog
 * cannot price there is not (0).
 */
export function fallbackHold(held: Pick<OtherModelsHeld, "catalog" | "at">, hop: FallbackHop, deployment: Deployment, request: HeldRequest): bigint {
  const priced = pricedAt(held, deployment, hop.model);
  if (!priced) return 0n;
  return heldCall(priced.offering, priced.block, request.inputTokens, request.cacheTtl, { output: hop.maxTokens ?? request.maxTokens }) ?? 0n;
}

function pricedAt(held: Pick<OtherModelsHeld, "catalog" | "at">, deployment: Deployment, model: string): { offering: Offering; block: PriceBlock } | undefined {
  const found = consultedPrices(held.catalog, deployment.offering, model, held.at);
  return typeof found === "string" ? undefined : found;
}
