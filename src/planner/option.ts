/**
 * The planner's result types: one Option per segment x deployment, its cost breakdown, the
 * checks that decide feasibility and the levers that move its cost.
 */
import type { Offering } from "../catalog/model.js";
import type { ProviderId } from "../catalog/schema.js";
import type { Decimal } from "../pricing/decimal.js";
import type { Money } from "../pricing/money.js";
import type { TokenClass } from "../pricing/usage.js";
import type { BreakEven } from "./break-even.js";
import type { CacheSplit } from "./cache-model.js";
import type { RequestTokens } from "./request-tokens.js";

export type CostClass =
  | TokenClass
  | "web_search"
  | "provisioned_units"
  | "on_demand_spill"
  | "gpu_hours"
  | "operations"
  | "discount";

export interface CostLine {
  class: CostClass;
  /** Tokens for token classes; undefined for the others. */
  tokens: bigint | undefined;
  /** Searches, requests, MU-hours or GPU-hours (as exact text) for the other classes. */
  quantity: string | undefined;
  usd: Money;
}

export type LeverKind =
  | "prompt_caching"
  | "batch"
  | "discount"
  | "global_vs_regional"
  | "residency_cost"
  | "model_tiering"
  | "provisioned_throughput"
  | "self_host"
  | "claude_platform_aws";

export interface Lever {
  lever: LeverKind;
  /** One line a person reads first. */
  title: string;
  /** Already part of this option's (or the recommendation's) monthly cost. */
  applied: boolean;
  /** Monthly saving in USD (negative = it would cost more); undefined when it cannot be priced. */
  saving: Money | undefined;
  preconditions: string[];
  formula: string;
  detail: Record<string, string | number | boolean | null>;
  /** A commitment's break-even (provisioned throughput, self-hosting), typed; `detail` spells it for --json. */
  breakEven?: BreakEven;
}

export type CheckName =
  | "provider"
  | "availability"
  | "residency"
  | "compliance"
  | "billing"
  | "features"
  | "context_window"
  | "ttft"
  | "pricing";

export interface Check {
  check: CheckName;
  ok: boolean;
  /** For a failed check: what is wrong and what to do about it. For a passed one: the evidence. */
  message: string;
}

export type DeploymentKind = "on-demand" | "provisioned" | "self-host";

export interface Option {
  /** Stable id: segment | provider/route/model [regions] | kind [name]. */
  id: string;
  segment: string;
  kind: DeploymentKind;
  provider: ProviderId | "self-host";
  route: string;
  regions: string[] | undefined;
  model: string;
  modelId: string;
  /** A quote or self_host entry name, for provisioned and self-hosted options. */
  label: string | undefined;
  offering: Offering | undefined;
  residency: string;
  feasible: boolean;
  /** Failed checks, each a sentence a person can act on. */
  reasons: string[];
  warnings: string[];
  checks: Check[];
  /** Monthly cost with this option's levers pulled and discounts applied; undefined if it cannot be priced. */
  monthly: Money | undefined;
  /** Same deployment at list price with no caching, no batch and no discount. */
  baseline: Money | undefined;
  /** The monthly cost if every output ran at the file's p90 length. */
  monthlyHighOutput: Money | undefined;
  breakdown: CostLine[];
  levers: Lever[];
  config: {
    cacheTtl: "5m" | "1h" | undefined;
    batch: boolean;
    units: number | undefined;
    replicas: string | undefined;
  };
  cache: CacheSplit | undefined;
  tokens: RequestTokens | undefined;
  priceSource: { url: string; accessed: string; verified: boolean } | undefined;
  /** Claude Platform on AWS: the monthly amount in its billing unit (CCUs at $0.01). */
  billingUnits: { name: string; quantity: Decimal } | undefined;
  /** 1 = cheapest feasible option of its segment; undefined when infeasible. */
  rank: number | undefined;
}

/** What an option is before it is priced: the fields every kind fills in later start empty here. */
export type OptionIdentity = Pick<Option, "id" | "segment" | "kind" | "provider" | "route" | "regions" | "model" | "modelId" | "label" | "offering" | "residency" | "warnings" | "checks" | "tokens" | "priceSource">;

export function unpricedOption(identity: OptionIdentity): Option {
  return {
    ...identity,
    feasible: false,
    reasons: [],
    monthly: undefined,
    baseline: undefined,
    monthlyHighOutput: undefined,
    breakdown: [],
    levers: [],
    config: { cacheTtl: undefined, batch: false, units: undefined, replicas: undefined },
    cache: undefined,
    rank: undefined,
    billingUnits: undefined,
  };
}
