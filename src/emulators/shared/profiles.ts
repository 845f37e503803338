/**
 * Named profiles, and how an update (a preset name and/or replaced parts) turns into the
 * profile in force. `seed-000` reproduces the latency table of seeds/000 (April 2026, Sonnet 4.6,
 * 500-token input, 200-token output, us-east-1 client): Anthropic TTFT p50 620 ms / p99 1,450 ms,
 * total p50 3.1 s / p99 7.8 s, throttle ~0.1%; Bedrock 710 / 1,980 ms, 3.6 / 10.2 s, ~0.3%.
 */
import {
  faultProfileSchema,
  latencyProfileSchema,
  profileUpdateSchema,
  type FaultProfile,
  type LatencyProfile,
  type Profile,
  type ProfileUpdate,
} from "./profile-schema.js";

export type EmulatedProvider = "anthropic" | "bedrock";

/** The status each provider uses when it is overloaded: Anthropic 529, Bedrock 503. */
export function overloadStatus(provider: EmulatedProvider): number {
  return provider === "anthropic" ? 529 : 503;
}

const INSTANT: LatencyProfile = { ttftMs: { p50: 0, p99: 0 } };

const SEED_000: Record<EmulatedProvider, LatencyProfile> = {
  anthropic: { ttftMs: { p50: 620, p99: 1450 }, totalMs: { p50: 3100, p99: 7800, referenceOutputTokens: 200 } },
  bedrock: { ttftMs: { p50: 710, p99: 1980 }, totalMs: { p50: 3600, p99: 10200, referenceOutputTokens: 200 } },
};

const SEED_000_THROTTLE: Record<EmulatedProvider, number> = { anthropic: 0.001, bedrock: 0.003 };

function faults(partial: Partial<FaultProfile>): FaultProfile {
  return faultProfileSchema.parse(partial);
}

type Preset = (provider: EmulatedProvider) => { latency: LatencyProfile; faults: FaultProfile; description: string };

export const PRESETS: Record<string, Preset> = {
  instant: () => ({ latency: INSTANT, faults: faults({}), description: "no latency, no faults (tests and benchmarks)" }),
  "seed-000": (provider) => ({
    latency: SEED_000[provider],
    faults: faults({ errorRates: { "429": SEED_000_THROTTLE[provider] } }),
    description: "latency and throttle rate measured in seeds/000 (April 2026)",
  }),
  fast: () => ({
    latency: { ttftMs: { p50: 40, p99: 120 }, interTokenMs: { p50: 2, p99: 6 } },
    faults: faults({}),
    description: "quick but not instant: demos and dashboards",
  }),
  flaky: (provider) => ({
    latency: INSTANT,
    faults: faults({
      errorRates: { "500": 0.02, [String(overloadStatus(provider))]: 0.02 },
      rules: [
        { fault: { kind: "reset", phase: "before_headers" }, probability: 0.01 },
        { fault: { kind: "stream_error" }, probability: 0.02, streaming: true },
        { fault: { kind: "reset", phase: "mid_stream" }, probability: 0.01 },
      ],
    }),
    description: "2% server errors, 2% overloaded, 1% resets, 2% mid-stream errors",
  }),
  throttled: () => ({
    latency: INSTANT,
    faults: faults({ rateLimits: { requestsPerMinute: 30, inputTokensPerMinute: 20_000, tokensPerMinute: 40_000 } }),
    description: "30 requests/min, 20k input tokens/min (Bedrock: 40k tokens/min)",
  }),
  outage: (provider) => ({
    latency: INSTANT,
    faults: faults({ rules: [{ fault: { kind: "error", status: overloadStatus(provider) }, probability: 1 }] }),
    description: "every request fails as overloaded (Anthropic 529, Bedrock 503)",
  }),
  "storm-529": (provider) => ({
    latency: INSTANT,
    faults: faults({
      rules: [
        {
          fault: { kind: "error", status: overloadStatus(provider) },
          probability: 0.9,
          window: { startAfterMs: 0, durationMs: 15_000, everyMs: 60_000 },
        },
      ],
    }),
    description: "every minute, 15 s in which 90% of requests are overloaded",
  }),
  stalls: () => ({
    latency: INSTANT,
    faults: faults({
      rules: [
        { fault: { kind: "stall", phase: "before_headers", ms: 30_000 }, probability: 0.05 },
        { fault: { kind: "stall", phase: "mid_stream", ms: 10_000 }, probability: 0.05, streaming: true },
      ],
    }),
    description: "5% of requests hang 30 s before headers, 5% of streams pause 10 s",
  }),
};

export class UnknownProfileError extends Error {
  override readonly name = "UnknownProfileError";
  constructor(readonly profileName: string) {
    super(`unknown profile ${JSON.stringify(profileName)}; known profiles: ${Object.keys(PRESETS).join(", ")}`);
  }
}

export function presetProfile(name: string, provider: EmulatedProvider): Profile {
  const preset = PRESETS[name];
  if (!preset) throw new UnknownProfileError(name);
  const { latency, faults: presetFaults } = preset(provider);
  return { name, seed: 0, latency, faults: presetFaults };
}

/**
 * The profile after an update: start from the named preset (or the current profile), then
 * replace each part the update gives. Throws ZodError or UnknownProfileError on bad input.
 */
export function applyProfileUpdate(current: Profile, input: ProfileUpdate, provider: EmulatedProvider): Profile {
  const update = profileUpdateSchema.parse(input);
  const base = update.profile ? presetProfile(update.profile, provider) : current;
  let latency = base.latency;
  if (typeof update.latency === "string") latency = presetProfile(update.latency, provider).latency;
  else if (update.latency) latency = latencyProfileSchema.parse(update.latency);
  const nextFaults: FaultProfile = faultProfileSchema.parse({ ...base.faults, ...(update.faults ?? {}) });
  if (update.rateLimits) nextFaults.rateLimits = update.rateLimits;
  if (update.rules) nextFaults.rules = update.rules;
  if (update.errorRates) nextFaults.errorRates = update.errorRates;
  const changed = update.latency !== undefined || update.faults !== undefined || update.rateLimits || update.rules || update.errorRates;
  const name = changed ? `${update.profile ?? base.name}+custom` : base.name;
  return { name: name.replace(/(\+custom)+$/, "+custom"), seed: update.seed ?? base.seed, latency, faults: nextFaults };
}
