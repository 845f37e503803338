/**
 * What an emulator profile may say: latency (drawn from distributions) and faults (rate
 * limits, error rates, resets, stalls, mid-stream errors, time windows). The same JSON shape is
 * accepted by the programmatic API, `--profile FILE`, and `POST /_emulator/profile`.
 * docs/EMULATORS.md documents every field with examples.
 */
import { z } from "zod";

/** A positive quantity given by its median and 99th percentile; drawn as a log-normal. */
export const percentilesSchema = z
  .strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative() })
  .refine((value) => value.p99 >= value.p50, "p99 must be at least p50");

export const latencyProfileSchema = z.strictObject({
  /** Time to first token, milliseconds. */
  ttftMs: percentilesSchema,
  /** Whole-request latency for a reply of `referenceOutputTokens`; sets the output speed. */
  totalMs: z
    .strictObject({ p50: z.number().nonnegative(), p99: z.number().nonnegative(), referenceOutputTokens: z.number().int().positive() })
    .optional(),
  /** Time between output tokens, milliseconds, when totalMs is not given. */
  interTokenMs: percentilesSchema.optional(),
});
export type LatencyProfile = z.infer<typeof latencyProfileSchema>;

const phase = z.enum(["before_headers", "mid_stream"]);

export const faultSchema = z.discriminatedUnion("kind", [
  /** An HTTP error response instead of a reply. `type` overrides the provider's usual error type for the status. */
  z.strictObject({
    kind: z.literal("error"),
    status: z.number().int().min(400).max(599),
    type: z.string().optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().nonnegative().optional(),
    /** Anthropic-shape only: `error.details.error_code` (the SDK picks its error class by it). */
    errorCode: z.string().optional(),
    /** Anthropic-shape only: an `x-should-retry` header. */
    shouldRetry: z.boolean().optional(),
  }),
  /** The connection is destroyed: before any byte of the response, or partway through the body. */
  z.strictObject({ kind: z.literal("reset"), phase }),
  /** A streaming reply starts (200) and then carries an error event / exception frame. */
  z.strictObject({ kind: z.literal("stream_error"), status: z.number().int().optional(), type: z.string().optional(), message: z.string().optional() }),
  /** Nothing happens for `ms` milliseconds, before the headers or partway through the body. */
  z.strictObject({ kind: z.literal("stall"), phase, ms: z.number().int().nonnegative() }),
]);
export type Fault = z.infer<typeof faultSchema>;

export const faultRuleSchema = z.strictObject({
  fault: faultSchema,
  /** Chance that a request in scope gets the fault. */
  probability: z.number().min(0).max(1).default(1),
  /** Apply to at most this many requests, then stop. */
  count: z.number().int().positive().optional(),
  /** Active only in this window, measured from when the profile was set. */
  window: z
    .strictObject({
      startAfterMs: z.number().int().nonnegative().default(0),
      durationMs: z.number().int().positive(),
      /** Repeat the window with this period (a burst every N ms). */
      everyMs: z.number().int().positive().optional(),
    })
    .optional(),
  /** Only streaming requests (true), only non-streaming (false), or both (absent). */
  streaming: z.boolean().optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const rateLimitsSchema = z.strictObject({
  requestsPerMinute: z.number().int().positive().optional(),
  inputTokensPerMinute: z.number().int().positive().optional(),
  outputTokensPerMinute: z.number().int().positive().optional(),
  /** Input plus output, as Bedrock quotes it. */
  tokensPerMinute: z.number().int().positive().optional(),
});
export type RateLimits = z.infer<typeof rateLimitsSchema>;

export const faultProfileSchema = z.strictObject({
  /** Seed for the fault dice, so a chaos run repeats exactly. */
  seed: z.number().int().default(0),
  rateLimits: rateLimitsSchema.default({}),
  /** Shorthand: {"500": 0.01, "529": 0.02} is one error rule per status. */
  errorRates: z.record(z.string().regex(/^[45]\d\d$/), z.number().min(0).max(1)).default({}),
  rules: z.array(faultRuleSchema).default([]),
});
export type FaultProfile = z.infer<typeof faultProfileSchema>;

export const profileSchema = z.strictObject({
  name: z.string().default("custom"),
  /** Seed for latency draws and padding. */
  seed: z.number().int().default(0),
  latency: latencyProfileSchema,
  faults: faultProfileSchema,
});
export type Profile = z.infer<typeof profileSchema>;

/** What setProfile and POST /_emulator/profile take: a preset name and/or parts to replace. */
export const profileUpdateSchema = z.strictObject({
  profile: z.string().optional(),
  seed: z.number().int().optional(),
  latency: z.union([z.string(), latencyProfileSchema]).optional(),
  faults: faultProfileSchema.partial().optional(),
  rateLimits: rateLimitsSchema.optional(),
  rules: z.array(faultRuleSchema).optional(),
  errorRates: z.record(z.string().regex(/^[45]\d\d$/), z.number().min(0).max(1)).optional(),
});
export type ProfileUpdate = z.input<typeof profileUpdateSchema>;
