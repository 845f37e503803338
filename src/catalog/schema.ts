/**
 * The shape of the catalog data files (catalog/*.yaml) and of a user's override file.
 * Parsed once at the edge; everything inside the program uses the types inferred here.
 * docs/CATALOG.md explains every field for people who edit the files.
 */
import { z } from "zod";
import { RATE_MAX_PLACES } from "../pricing/money.js";
import { DAY_PATTERN, isCalendarDay, NOT_A_CALENDAR_DAY } from "../util/calendar-date.js";

/** A day as YYYY-MM-DD that the calendar has (catalog dates, a workload's `at`): the shape's message first. */
export const isoDate = z
  .string({ error: "expected a date as YYYY-MM-DD" })
  .regex(DAY_PATTERN, { error: "expected a date as YYYY-MM-DD", abort: true })
  .refine(isCalendarDay, NOT_A_CALENDAR_DAY);

/** A USD amount written as a decimal string, never a YAML number (floats would lose digits). */
const usd = z
  .string({ error: 'expected a decimal string in quotes, e.g. "3.75"' })
  .regex(/^\d+(?:\.\d+)?$/, 'expected a non-negative decimal string, e.g. "3.75"');

/** A per-million-token rate: a decimal with at most RATE_MAX_PLACES places (see pricing/money.ts). */
const rate = usd.refine(
  (text) => (text.split(".")[1] ?? "").length <= RATE_MAX_PLACES,
  `a rate may carry at most ${RATE_MAX_PLACES} decimal places`,
);

export const sourceSchema = z.strictObject({
  url: z.string().min(1),
  accessed: isoDate,
  title: z.string().optional(),
  /** false when a figure comes from third-party quotes the notes say to verify against the live page */
  verified: z.boolean().default(true),
});

/** Explicit rates for every token class, USD per million tokens. Absent class = not offered. */
export const rateCardSchema = z.strictObject({
  input: rate,
  output: rate,
  cache_write_5m: rate.optional(),
  cache_write_1h: rate.optional(),
  cache_read: rate.optional(),
  /**
   * This card's own source, where it is not the block's (a fast card read from third parties in a
   * block whose standard rates come from the official page): it stands for this card's rates, and
   * its `verified` for theirs. Absent: the block's `source`.
   */
  source: sourceSchema.optional(),
});

export const tierSchema = rateCardSchema.extend({
  /** The tier applies to the whole request when input + cache writes + cache reads is strictly above this. */
  threshold_tokens: z.number().int().positive(),
});

export const feesSchema = z.strictObject({
  web_search_per_1000: usd.optional(),
  agent_session_hour: usd.optional(),
  code_execution_container_hour: usd.optional(),
  code_execution_free_hours_per_month: z.number().nonnegative().optional(),
});

export const priceBlockSchema = z.strictObject({
  effective_from: isoDate,
  /** Last day in force, inclusive. Absent or null: still in force. */
  effective_to: isoDate.nullable().optional(),
  standard: rateCardSchema,
  long_context: tierSchema.optional(),
  /** Fast mode (research preview): a separate rate block; absent = not available then. */
  fast: rateCardSchema.optional(),
  /** Fast mode's own long-context tier, where one existed (Opus 4.6, Feb 2026). */
  fast_long_context: tierSchema.optional(),
  /** Batch price = rate x this multiplier on every class (e.g. "0.5"); absent = no batch here. */
  batch_multiplier: usd.optional(),
  fees: feesSchema.optional(),
  source: sourceSchema,
  notes: z.string().optional(),
});

export const latencySchema = z.strictObject({
  ttft_p50_ms: z.number().nonnegative(),
  ttft_p99_ms: z.number().nonnegative(),
  total_p50_ms: z.number().nonnegative().optional(),
  total_p99_ms: z.number().nonnegative().optional(),
  conditions: z.string(),
  measured_on: isoDate.optional(),
  source: sourceSchema,
});

export const cachingSchema = z.strictObject({
  ttls: z.array(z.enum(["5m", "1h"])),
  min_tokens: z.number().int().nonnegative().optional(),
});

export const capabilitiesSchema = z.strictObject({
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  context_1m: z.boolean().optional(),
  vision: z.boolean().optional(),
  tools: z.boolean().optional(),
  extended_thinking: z.boolean().optional(),
  prompt_caching: cachingSchema.nullable().optional(),
  batch: z.boolean().optional(),
  web_search: z.boolean().optional(),
  /** The advisor tool (advisor_20260301) runs here; false where it does not (Bedrock and Vertex AI, in providers.yaml). Unset: not known, taken as yes. */
  advisor_tool: z.boolean().optional(),
  /** Server-side fallback (a request's `fallbacks` chain) runs here; false where it does not (Bedrock and Vertex AI, in providers.yaml). Unset: taken as yes. */
  server_side_fallback: z.boolean().optional(),
  /**
   * Image and document sources of type "url" are fetched here; false where only base64 sources are
   * taken (Bedrock and Vertex AI, in providers.yaml). Unset: taken as yes.
   */
  url_sources: z.boolean().optional(),
  fast_mode: z.boolean().optional(),
  inference_geo: z.boolean().optional(),
  /** anthropic-beta values this deployment accepts; others are left off or refused (routing/betas.ts). */
  betas: z.array(z.string()).optional(),
});

export const PROVIDERS = ["anthropic", "bedrock", "claude-platform-aws", "vertex", "together", "groq"] as const;
export const providerSchema = z.enum(PROVIDERS);
export type ProviderId = z.infer<typeof providerSchema>;

/**
 * The providers that take the Anthropic API's `inference_geo` (the Claude API and Claude Platform on
 * AWS): their "us" route is a request's inference_geo "us". The others have their own regional routes.
 */
export function takesInferenceGeo(provider: ProviderId): boolean {
  return provider === "anthropic" || provider === "claude-platform-aws";
}

export const RESIDENCIES = ["global", "us", "eu", "jp", "au", "apac", "govcloud", "ca", "sa", "other"] as const;
export const residencySchema = z.enum(RESIDENCIES);
export type Residency = z.infer<typeof residencySchema>;

/** A residency a user may require (gateway config, x-switchyard-route, workload files): "any", or a place. */
export type ResidencyRequirement = "any" | Exclude<Residency, "global" | "other">;
/**
 * The one list of residency requirements: "any" and every residency except "global" and "other",
 * which name no place to keep data in. Derived from RESIDENCIES so that a residency added to the
 * catalog can be required everywhere at once.
 */
export const RESIDENCY_REQUIREMENTS: readonly ResidencyRequirement[] = [
  "any",
  ...RESIDENCIES.filter((residency): residency is Exclude<Residency, "global" | "other"> => residency !== "global" && residency !== "other"),
];

/** Places a required residency contains besides itself: US data may stay in GovCloud, APAC's in Japan or Australia. */
const CONTAINED: Partial<Record<ResidencyRequirement, readonly string[]>> = {
  us: ["govcloud"],
  apac: ["jp", "au"],
};

/** Whether data processed in `actual` meets the required residency (the gateway's routing and the planner alike). */
export function residencyMeets(required: ResidencyRequirement, actual: string): boolean {
  return required === "any" || actual === required || (CONTAINED[required]?.includes(actual) ?? false);
}

export const modelSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, "expected a lower-case id of letters, digits, dots and dashes"),
  name: z.string(),
  vendor: z.enum(["anthropic", "meta", "mistral", "amazon"]),
  /** e.g. "sonnet-4.6": what `--model sonnet-4.6` and a workload's `models:` match. */
  family: z.string(),
  /** Numeric generation for rules that start at a version, e.g. "4.5" (regional premium), "4.6" (inference_geo). */
  generation: z.string().regex(/^\d+(?:\.\d+)?$/).optional(),
  released: isoDate.optional(),
  status: z.enum(["active", "deprecated", "retired"]).default("active"),
  /** Per-provider retirement (or deprecation) dates. */
  retired: z.partialRecord(providerSchema, isoDate).optional(),
  /** Provider-native identifiers, first one canonical. Bedrock: base model id without geo prefix. */
  ids: z.partialRecord(providerSchema, z.array(z.string()).min(1)),
  /** Extra names that resolve to this model (undated aliases, "-latest"). */
  aliases: z.array(z.string()).default([]),
  /** Tokens this model's tokenizer emits for text that a reference (pre-4.7 Claude) tokenizer counts as 1. */
  tokenizer: z
    .strictObject({ name: z.string(), tokens_per_reference_token: usd, source: sourceSchema })
    .optional(),
  capabilities: capabilitiesSchema,
  verified: z.boolean().default(true),
  notes: z.string().optional(),
  source: sourceSchema.optional(),
});

export const offeringSchema = z.strictObject({
  model: z.string(),
  /**
   * Route within the provider:
   *  anthropic / claude-platform-aws: global | us (inference_geo: "us")
   *  bedrock: global | us | eu | apac | jp | au | us-gov (inference profiles) | in-region (base model id)
   *  vertex: global | us | eu (multi-region) | regional
   *  together / groq: serverless | us-only | ...
   */
  route: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** The model id sent on the wire for this route (e.g. "us.anthropic.claude-sonnet-4-6"). */
  model_id: z.string(),
  /** Source regions the route can be called from; absent = the provider's usual endpoint. */
  regions: z.array(z.string()).optional(),
  residency: residencySchema,
  compliance: z.array(z.string()).default([]),
  billing: z.enum(["anthropic", "aws-invoice", "gcp-invoice", "together", "groq"]),
  /** Overrides of the model's capabilities on this route. */
  capabilities: capabilitiesSchema.optional(),
  latency: z.array(latencySchema).optional(),
  prices: z.array(priceBlockSchema).min(1),
  notes: z.string().optional(),
});

export const providerInfoSchema = z.strictObject({
  id: providerSchema,
  name: z.string(),
  /** Claude Platform on AWS bills USD converted to CCUs at this USD price per unit. */
  billing_unit: z.strictObject({ name: z.string(), usd_per_unit: usd, source: sourceSchema }).optional(),
  /**
   * What holds for every offering of this provider, whatever the model (Bedrock does not run the
   * advisor tool): over the model's capabilities, under an offering's own.
   */
  capabilities: capabilitiesSchema.optional(),
  notes: z.string().optional(),
});

export const regionSchema = z.strictObject({
  id: z.string(),
  residency: residencySchema,
  name: z.string().optional(),
});

export const arnMappingSchema = z.strictObject({
  arn: z.string().startsWith("arn:"),
  provider: providerSchema.default("bedrock"),
  model: z.string(),
  route: z.string(),
  region: z.string().optional(),
});

/**
 * An anthropic-beta value the catalog knows. `needed`: a request that sends it depends on it (a
 * longer context or output, a tool type, files), so a deployment that does not accept it is not
 * tried; otherwise it only adjusts how the answer is made or identifies the client, and is left
 * off where it is not accepted. Which deployments accept it is each model's or offering's
 * `capabilities.betas`.
 */
export const betaSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected a beta id of lower-case letters, digits and dashes, e.g. context-1m-2025-08-07"),
  needed: z.boolean(),
  /**
   * A deployment whose context window is at least this many tokens gives what the beta asks for
   * without it (the 1M-context beta on models with a 1M window by default): there it is left off.
   */
  implied_by_context_window: z.number().int().positive().optional(),
  /**
   * A deployment that accepts it writes up to this many output tokens when the request sends it
   * (output-128k-2025-02-19 on Claude Sonnet 3.7): its `max_tokens` is checked against this instead
   * of the model's `max_output_tokens`.
   */
  max_output_tokens: z.number().int().positive().optional(),
  /**
   * The first day each provider named no longer serves it (the Claude API retired the 1M-context
   * beta on 2026-04-30): from then on a request that needs what it gave is refused there.
   */
  ended: z.partialRecord(providerSchema, isoDate).optional(),
  note: z.string(),
  source: sourceSchema,
});

/** One catalog file. Every section is optional so that data can be split across files. */
export const catalogFileSchema = z.strictObject({
  schema_version: z.literal(1),
  providers: z.array(providerInfoSchema).optional(),
  regions: z.array(regionSchema).optional(),
  models: z.array(modelSchema).optional(),
  /** Offerings for one provider; `provider` says which. */
  provider: providerSchema.optional(),
  offerings: z.array(offeringSchema).optional(),
  arn_mappings: z.array(arnMappingSchema).optional(),
  betas: z.array(betaSchema).optional(),
});

export type Source = z.infer<typeof sourceSchema>;
export type RateCardData = z.infer<typeof rateCardSchema>;
export type TierData = z.infer<typeof tierSchema>;
export type PriceBlockData = z.infer<typeof priceBlockSchema>;
export type LatencyData = z.infer<typeof latencySchema>;
export type Capabilities = z.infer<typeof capabilitiesSchema>;
export type ModelData = z.infer<typeof modelSchema>;
export type OfferingData = z.infer<typeof offeringSchema>;
export type ProviderInfo = z.infer<typeof providerInfoSchema>;
export type RegionData = z.infer<typeof regionSchema>;
export type ArnMapping = z.infer<typeof arnMappingSchema>;
export type BetaInfo = z.infer<typeof betaSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
