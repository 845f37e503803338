/** Options both emulators accept, and what a running emulator offers its caller. */
import type { Clock } from "./clock.js";
import type { ListenOptions } from "./http-server.js";
import type { ModelAccess } from "./model-access.js";
import type { FaultProfile, LatencyProfile, Profile, ProfileUpdate, RateLimits } from "./profile-schema.js";
import type { EmulatorState } from "./emulator-state.js";

export interface CommonEmulatorOptions extends ListenOptions {
  /** A preset name (instant, seed-000, flaky, throttled, outage, storm-529, stalls, fast) or an update. Default instant. */
  profile?: string | ProfileUpdate;
  /** Replaces the profile's latency: a preset name or explicit percentiles. */
  latency?: string | LatencyProfile;
  /** Replaces parts of the profile's faults. */
  faults?: Partial<FaultProfile>;
  /** Replaces the profile's rate limits. */
  rateLimits?: RateLimits;
  /** Time for caches, fault windows, rate limits and batches. Default: the system clock. */
  clock?: Clock;
  /** Which models are served. Default: the repository catalog. */
  models?: ModelAccess;
}

export interface RunningEmulator {
  provider: "anthropic" | "bedrock";
  /** e.g. http://127.0.0.1:54321 (no trailing slash, no /v1). */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Same as POST /_emulator/profile. Throws on an invalid update. */
  setProfile(update: string | ProfileUpdate): Profile;
  /** Same as GET /_emulator/state. */
  state(): ReturnType<EmulatorState["snapshot"]> & Record<string, unknown>;
  /** Same as POST /_emulator/reset. */
  reset(): void;
}

/** Folds the convenience options into one profile update. */
export function initialProfile(options: CommonEmulatorOptions): string | ProfileUpdate | undefined {
  const { profile, latency, faults, rateLimits } = options;
  if (latency === undefined && faults === undefined && rateLimits === undefined) return profile;
  const base: ProfileUpdate = typeof profile === "string" ? { profile } : { ...(profile ?? {}) };
  return {
    ...base,
    ...(latency !== undefined ? { latency } : {}),
    ...(faults !== undefined ? { faults } : {}),
    ...(rateLimits !== undefined ? { rateLimits } : {}),
  };
}
