/**
 * The workload as the planner uses it: parsed, defaults filled in, per-segment constraints merged
 * with the workload's. docs/PLANNER.md documents every field of the YAML file this comes from.
 */
import type { ProviderId, ResidencyRequirement } from "../catalog/schema.js";
import type { Decimal } from "../pricing/decimal.js";

export const FEATURES = ["caching", "batch", "context_1m", "tools", "vision", "web_search", "extended_thinking"] as const;
export type Feature = (typeof FEATURES)[number];

export const BILLING_REQUIREMENTS = ["any", "aws-invoice", "gcp-invoice"] as const;
export type BillingRequirement = (typeof BILLING_REQUIREMENTS)[number];

export interface Constraints {
  residency: ResidencyRequirement;
  /** Every programme listed must be covered by the deployment (e.g. fedramp-high, hipaa). */
  compliance: string[];
  billing: BillingRequirement;
  /** Time-to-first-token SLO at p99, in milliseconds; null = none. */
  ttftP99Ms: number | null;
  /** What to do when the catalog has no latency figure for a route: allow it (with a warning) or reject it. */
  unknownLatency: "allow" | "reject";
  /** Deployments allowed; "any" = all providers and self-hosting. */
  providers: "any" | (ProviderId | "self-host")[];
}

/** A per-request token count: the mean drives cost, p90/max drive feasibility and the high estimate. */
export interface TokenSpread {
  mean: number;
  p90: number | undefined;
  max: number | undefined;
}

export interface ArrivalProfile {
  /** How the file described it, for reports. */
  kind: "uniform" | "business-hours" | "hourly";
  /** 24 non-negative weights, hour 0 = 00:00-01:00 in the traffic's own time zone. */
  weights: Decimal[];
  /** Active days per week (1-7); the other days see no traffic. */
  daysPerWeek: number;
}

export type CacheTtl = "5m" | "1h";

export interface Segment {
  name: string;
  requestsPerMonth: number;
  /** Uncached input per request, beyond the cached prefix. */
  input: TokenSpread;
  output: TokenSpread;
  /** Static prefix eligible for caching (system prompt, documents), identical across requests of a variant. */
  cachedPrefixTokens: number;
  /** Distinct prefixes the traffic is spread over evenly (per tenant, per language...). */
  prefixVariants: number;
  /** Measured hit rates that replace the arrival-based estimate; per TTL. */
  cacheHitRate: Partial<Record<CacheTtl, Decimal>>;
  arrival: ArrivalProfile;
  latency: "realtime" | "batch-ok";
  /** As written in the file (ids or families), and what they resolved to. */
  models: string[];
  considerModels: string[];
  requires: Feature[];
  /** tool_choice when tools are sent (adds the model's tool-use system prompt); undefined = no tools. */
  toolChoice: "auto" | "none" | "any" | "tool" | undefined;
  webSearchesPerRequest: Decimal;
  /** Model whose tokenizer measured the token counts; undefined = a pre-4.7 Claude tokenizer. */
  tokenCountsFrom: string | undefined;
  growthPercentPerMonth: Decimal;
  constraints: Constraints;
}

export interface Discounts {
  awsPercent: Decimal;
  anthropicPercent: Decimal;
  gcpPercent: Decimal;
}

export type ProvisionedTerm = "no-commitment" | "1-month" | "6-month";

export interface ProvisionedQuote {
  name: string;
  model: string;
  provider: ProviderId;
  /** The provider route the model units serve from (decides residency and compliance). */
  route: string;
  region: string | undefined;
  term: ProvisionedTerm;
  usdPerMuHour: Decimal;
  inputTokensPerMinutePerMu: number;
  outputTokensPerMinutePerMu: number;
  minUnits: number;
  /** Segment names this quote may serve; undefined = every segment that accepts the model. */
  segments: string[] | undefined;
  /** true when usd_per_mu_hour is already net of the AWS discount. */
  includesDiscount: boolean;
}

export interface SelfHostEntry {
  name: string;
  model: string;
  gpuUsdPerHour: Decimal;
  gpusPerReplica: number;
  /** Sustained throughput of one replica at full load, input + output tokens per second. */
  tokensPerSecond: number;
  /** Share of that throughput you plan to use at most (headroom for bursts and latency). */
  utilisation: Decimal;
  opsUsdPerMonth: Decimal;
  scaling: "always-on" | "hourly";
  minReplicas: number;
  residency: ResidencyRequirement | "unknown";
  compliance: string[];
  billing: "aws-invoice" | "gcp-invoice" | "other";
  ttftP99Ms: number | undefined;
  segments: string[] | undefined;
}

export interface Workload {
  name: string;
  description: string | undefined;
  /** The file's pricing date, if it names one (the CLI's --at wins). */
  at: string | undefined;
  horizonMonths: number;
  segments: Segment[];
  discounts: Discounts;
  provisioned: ProvisionedQuote[];
  selfHost: SelfHostEntry[];
}
