/**
 * The workload file's shape (the planner's input contract, PRODUCT.md), checked once at the edge.
 * Messages say what was expected; workload-file.ts adds the file, the field path, the line and
 * what was found. docs/PLANNER.md explains every field.
 *
 * Amounts (prices, percentages, rates) are exact decimals: a quoted string ("1.99") or a YAML
 * number, whose source text is kept (workload-file.ts) so that 1.99 never becomes a binary float.
 * Counts are whole numbers, likewise written bare (200) or quoted ("200").
 */
import { z } from "zod";
// RESIDENCY_REQUIREMENTS: one list with the gateway's (the catalog's residencies that name a place, and "any").
import { isoDate, PROVIDERS, RESIDENCY_REQUIREMENTS } from "../catalog/schema.js";
import { Decimal } from "../pricing/decimal.js";
import { didYouMean } from "../util/suggest.js";
import { BILLING_REQUIREMENTS, FEATURES } from "./workload.js";

/**
 * A whole number, at most 2^53 - 1 (a JSON number stays exact up to there). One message a problem:
 * a number too large is said to be (zod's int reports it, as too_big), not also to be no whole
 * number. workload-file.ts hands a larger count written in digits over as a bigint, so that the
 * message quotes it as written, not rounded to the nearest float.
 */
const wholeNumber = (what: string, minimum = 0, maximum?: { value: number; error: string }) => {
  const tooLarge = `too large for a whole number of ${what} (at most ${Number.MAX_SAFE_INTEGER})`;
  const expected = `expected a whole number of ${what}`;
  const number = z
    .number({ error: (issue) => (typeof issue.input === "bigint" ? tooLarge : expected) })
    .int({ error: (issue) => (issue.code === "too_big" ? tooLarge : expected) })
    .min(minimum, { error: `expected a whole number of ${what}, at least ${minimum}` });
  const bounded = maximum ? number.max(maximum.value, { error: maximum.error }) : number;
  // Quoted digits ("200") are that number, as a quoted amount ("1.99") is that decimal; beyond 2^53 the
  // number's own check says too large (the message quotes the file's text, not the rounded number).
  const quoted = z
    .string({ error: expected })
    .regex(/^-?\d+$/, { error: expected })
    .transform(Number)
    .pipe(bounded);
  return z.union([bounded, quoted], { error: (issue) => (typeof issue.input === "bigint" ? tooLarge : expected) });
};

/**
 * A non-negative exact decimal: "1.99", 1.99 (kept as written) or 2. Each form says what is expected
 * itself: zod reports the one form a value's type fits (-1 a number, "abc" text) with that form's own
 * message, not the union's.
 */
/**
 * An exact decimal, said with `error` when it is not one: a whole number, a bigint (a whole number
 * beyond 2^53 written in digits, workload-file.ts, taken exactly) or the decimal text the file wrote;
 * negative only where `signed`.
 */
const exactDecimal = (error: string, signed: boolean) => {
  const number = z.number({ error }).int({ error });
  const bigint = z.bigint({ error });
  return z
    .union([signed ? number : number.nonnegative({ error }), signed ? bigint : bigint.nonnegative({ error }), z.string({ error }).regex(signed ? /^-?\d+(?:\.\d+)?$/ : /^\d+(?:\.\d+)?$/, { error })], { error })
    .transform((value) => (typeof value === "number" ? Decimal.fromInteger(value) : Decimal.parse(value.toString())));
};

const decimal = (what: string) => exactDecimal(`expected a non-negative decimal (${what}), e.g. 1.99 or "1.99"`, false);

/**
 * A decimal at most `limit`, said with `message`. A too_big issue, not a refinement's custom one: a
 * custom issue is said with its value JSON-quoted, which a bigint (an amount beyond 2^53) has not.
 */
const atMost = (what: string, limit: Decimal, message: string) =>
  decimal(what).check((payload) => {
    if (payload.value.compare(limit) > 0) {
      payload.issues.push({ code: "too_big", origin: "number", maximum: Number(limit.toString()), inclusive: true, input: payload.value, message });
    }
  });

const percent = (what: string) => atMost(what, Decimal.fromInteger(100), `expected a percentage from 0 to 100 (${what})`);

const fraction = (what: string) => atMost(what, Decimal.ONE, `expected a fraction from 0 to 1 (${what}), e.g. 0.8`);

/**
 * Monthly growth in percent, an exact decimal that may be negative (a shrinking workload): above
 * -100, since -100% would leave nothing from the first month on, and a volume cannot shrink by more.
 */
const growthPercent = () => {
  const error = 'expected a percentage above -100 (growth per month; negative = shrinking), e.g. 5, -2.5 or "-2.5"';
  return exactDecimal(error, true).check((payload) => {
    if (payload.value.compare(Decimal.fromInteger(-100)) <= 0) {
      payload.issues.push({ code: "too_small", origin: "number", minimum: -100, inclusive: false, input: payload.value, message: error });
    }
  });
};

/** A token count: a whole number (the mean), or {mean, p90, max}; `example` shows the mapping, said when mean is left out of it. */
const tokenSpread = (what: string, example: string) =>
  z.union(
    [
      wholeNumber(what),
      z.strictObject({
        mean: wholeNumber(what).describe(`the mean ${what}, which the cost is computed from (p90 and max are optional; they are checked against the model's limits), e.g. ${example}`),
        p90: wholeNumber(what).optional(),
        max: wholeNumber(what).optional(),
      }),
    ],
    {
      error: (issue) =>
        typeof issue.input === "bigint" ? `too large for a whole number of ${what} (at most ${Number.MAX_SAFE_INTEGER})` : `expected a whole number of ${what}, or {mean, p90, max}`,
    },
  );

const residency = z.enum(RESIDENCY_REQUIREMENTS, { error: `expected one of ${RESIDENCY_REQUIREMENTS.join(" | ")}` });
const PROVIDER_CHOICES: readonly string[] = [...PROVIDERS, "self-host"];
const providerOrSelfHost = z.enum([...PROVIDERS, "self-host"], { error: `expected one of ${PROVIDER_CHOICES.join(" | ")}` });

/**
 * What constraints.providers expects, said about what was given: the entries of a list that name no
 * provider, each with the one it is a letter or two from ([anthropc]: anthropic). zod reports the
 * union, not the entry, so the message names it.
 */
function providersExpected(given: unknown): string {
  const expected = `expected any, or a list of ${PROVIDER_CHOICES.join(" | ")}`;
  if (typeof given === "string") return PROVIDER_CHOICES.includes(given) ? `${expected} (write a list: [${given}])` : `${expected}${didYouMean(given, PROVIDER_CHOICES)}`;
  if (!Array.isArray(given)) return expected;
  const unknown = given.filter((entry) => typeof entry !== "string" || !PROVIDER_CHOICES.includes(entry));
  const named = unknown.map((entry) => `${typeof entry === "string" ? JSON.stringify(entry) : String(entry)} is not a provider${typeof entry === "string" ? didYouMean(entry, PROVIDER_CHOICES) : ""}`);
  return named.length === 0 ? expected : `${expected}; ${named.join("; ")}`;
}

export const constraintsSchema = z.strictObject({
  residency: residency.optional(),
  compliance: z.array(z.string().min(1), { error: "expected a list of programme names, e.g. [fedramp-high, hipaa]" }).optional(),
  billing: z.enum(BILLING_REQUIREMENTS, { error: `expected one of ${BILLING_REQUIREMENTS.join(" | ")}` }).optional(),
  ttft_p99_ms: wholeNumber("milliseconds", 1).nullable().optional(),
  unknown_latency: z.enum(["allow", "reject"], { error: "expected allow | reject" }).optional(),
  providers: z.union([z.literal("any"), z.array(providerOrSelfHost)], { error: (issue) => providersExpected(issue.input) }).optional(),
});

const hourlyWeights = z
  .array(decimal("a relative weight"), { error: "expected a list of 24 weights, one per hour from 00:00" })
  .length(24, { error: "expected exactly 24 weights, one per hour from 00:00" })
  // zod runs this even when a weight failed its own check (then it is the raw value, not a Decimal): that weight's issue says it all.
  .refine((weights) => !weights.every((weight) => weight instanceof Decimal) || weights.some((weight) => !weight.isZero()), {
    error: "at least one hour needs a weight above 0",
  });

export const arrivalSchema = z.union(
  [
    z.enum(["uniform", "business-hours"]),
    z.strictObject({
      hourly: hourlyWeights.optional(),
      pattern: z.enum(["uniform", "business-hours"]).optional(),
      days_per_week: wholeNumber("days", 1, { value: 7, error: "expected 1 to 7 days" }).optional(),
    }),
  ],
  { error: "expected uniform | business-hours | {hourly: [24 weights], days_per_week: N}" },
);

const ttlRates = z.union([fraction("cache hit rate"), z.strictObject({ "5m": fraction("cache hit rate").optional(), "1h": fraction("cache hit rate").optional() })], {
  error: "expected a hit rate from 0 to 1, or {5m: rate, 1h: rate}",
});

export const segmentSchema = z.strictObject({
  name: z.string({ error: "expected a segment name" }).min(1, { error: "expected a segment name" }).describe("the segment's name, shown in the report (e.g. name: ticket-triage)"),
  requests_per_month: wholeNumber("requests per month", 1).describe("how many requests this segment sends a month, a whole number (e.g. requests_per_month: 10000)"),
  input_tokens: tokenSpread("input tokens per request", "input_tokens: { mean: 3500, p90: 9000 }").describe(
    "the mean uncached input tokens per request, beyond the cached prefix: a whole number (e.g. input_tokens: 3500) or {mean, p90, max}",
  ),
  output_tokens: tokenSpread("output tokens per request", "output_tokens: { mean: 200, p90: 600 }").describe("the mean output tokens per request: a whole number (e.g. output_tokens: 200) or {mean, p90, max}"),
  cached_prefix_tokens: wholeNumber("prefix tokens").default(0),
  prefix_variants: wholeNumber("distinct prefixes", 1).default(1),
  cache_hit_rate: ttlRates.optional(),
  arrival: arrivalSchema.default("uniform"),
  latency: z.enum(["realtime", "batch-ok"], { error: "expected realtime | batch-ok" }).default("realtime"),
  models: z
    .array(z.string().min(1), { error: "expected a list of model ids or families, e.g. [claude-haiku-4-5]" })
    .min(1, { error: "list at least one acceptable model" })
    .describe("the models or families this segment may use, e.g. models: [claude-haiku-4-5]"),
  consider_models: z.array(z.string().min(1), { error: "expected a list of model ids or families" }).default([]),
  requires: z.array(z.enum(FEATURES, { error: `expected features from ${FEATURES.join(", ")}` })).default([]),
  /** The tool_choice sent with tool definitions; absent = no tools (no tool-use system prompt). */
  tool_choice: z.enum(["auto", "none", "any", "tool"], { error: "expected auto | none | any | tool (the tool_choice you send with tools)" }).optional(),
  web_searches_per_request: decimal("searches per request").prefault(0),
  token_counts_from: z.string().min(1).optional(),
  growth_percent_per_month: growthPercent().optional(),
  constraints: constraintsSchema.optional(),
});

export const provisionedSchema = z.strictObject({
  name: z.string().min(1).optional(),
  model: z.string({ error: "expected the model the units serve" }).min(1).describe("the model the quoted units serve, e.g. model: claude-sonnet-4-5"),
  provider: z.enum(["bedrock", "vertex"], { error: "expected bedrock | vertex" }).default("bedrock"),
  route: z.string().min(1).default("in-region"),
  region: z.string().min(1).optional(),
  term: z.enum(["no-commitment", "1-month", "6-month"], { error: "expected no-commitment | 1-month | 6-month" }).describe("the commitment quoted: no-commitment | 1-month | 6-month"),
  usd_per_mu_hour: decimal("USD per model unit per hour").describe("the quoted price of one model unit per hour, in USD (e.g. usd_per_mu_hour: 49.86)"),
  input_tokens_per_minute_per_mu: wholeNumber("input tokens per minute", 1).describe("the input tokens a minute one model unit serves, from the quote"),
  output_tokens_per_minute_per_mu: wholeNumber("output tokens per minute", 1).describe("the output tokens a minute one model unit serves, from the quote"),
  min_units: wholeNumber("model units", 1).default(1),
  segments: z.array(z.string().min(1)).optional(),
  includes_discount: z.boolean({ error: "expected true or false" }).default(false),
});

export const selfHostSchema = z.strictObject({
  name: z.string().min(1).optional(),
  model: z.string({ error: "expected the model you would host" }).min(1).describe("the model you would host, e.g. model: llama-3-1-70b"),
  gpu_usd_per_hour: decimal("USD per GPU hour").describe("what one GPU costs an hour, in USD (e.g. gpu_usd_per_hour: 2.49)"),
  gpus: wholeNumber("GPUs per replica", 1).default(1),
  tokens_per_second: wholeNumber("tokens per second per replica", 1).describe("the output tokens a second one replica serves at full load"),
  utilisation: fraction("the share of peak throughput you plan to use").default(Decimal.parse("0.7")),
  ops_usd_per_month: decimal("USD per month").prefault(0),
  scaling: z.enum(["always-on", "hourly"], { error: "expected always-on | hourly" }).default("always-on"),
  min_replicas: wholeNumber("replicas", 0).default(1),
  residency: z.enum([...RESIDENCY_REQUIREMENTS, "unknown"], { error: `expected where it runs: ${RESIDENCY_REQUIREMENTS.join(" | ")}` }).default("unknown"),
  compliance: z.array(z.string().min(1)).default([]),
  billing: z.enum(["aws-invoice", "gcp-invoice", "other"], { error: "expected aws-invoice | gcp-invoice | other" }).default("other"),
  ttft_p99_ms: wholeNumber("milliseconds", 1).optional(),
  segments: z.array(z.string().min(1)).optional(),
});

export const workloadSchema = z.strictObject({
  name: z.string({ error: "expected a workload name" }).min(1).describe("the workload's name, shown in the report (e.g. name: support-triage)"),
  description: z.string().optional(),
  /** Prices in force that day (YYYY-MM-DD) unless --at says otherwise; absent = today. */
  at: isoDate.optional(),
  horizon_months: wholeNumber("months", 1, { value: 120, error: "expected at most 120 months" }).default(12),
  growth_percent_per_month: growthPercent().prefault(0),
  segments: z
    .array(segmentSchema, { error: "expected a list of segments" })
    .min(1, { error: "list at least one segment" })
    .describe("the workload's traffic: a list of segments, each with name, requests_per_month, input_tokens, output_tokens and models"),
  constraints: constraintsSchema.default({}),
  discounts: z
    .strictObject({
      aws_percent: percent("AWS discount").prefault(0),
      anthropic_percent: percent("Anthropic discount").prefault(0),
      gcp_percent: percent("Google Cloud discount").prefault(0),
    })
    .prefault({}),
  provisioned_throughput: z.array(provisionedSchema, { error: "expected a list of quotes" }).default([]),
  self_host: z.array(selfHostSchema, { error: "expected a list of self-hosting options" }).default([]),
});

export type WorkloadFile = z.infer<typeof workloadSchema>;
export type SegmentFile = z.infer<typeof segmentSchema>;
export type ConstraintsFile = z.infer<typeof constraintsSchema>;
