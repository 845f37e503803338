/**
 * Latency draws: time to first token and time per output token, from log-normal distributions
 * fitted to a median and a 99th percentile. One standard-normal draw per request moves both
 * together (a slow first token goes with a slow stream), so that with `totalMs` the whole-request
 * latency has exactly the percentiles the profile gives, for replies of the reference length.
 */
import type { LatencyProfile } from "./profile-schema.js";
import type { SeededRandom } from "./seeded-random.js";

/** The 99th percentile of the standard normal distribution. */
const Z_99 = 2.3263478740408408;

export interface LatencyDraw {
  ttftMs: number;
  interTokenMs: number;
}

export const NO_LATENCY: LatencyDraw = { ttftMs: 0, interTokenMs: 0 };

export function logNormalQuantile(p50: number, p99: number, z: number): number {
  if (p50 <= 0) return 0;
  const sigma = Math.log(Math.max(p99, p50) / p50) / Z_99;
  return p50 * Math.exp(sigma * z);
}

export function isInstant(profile: LatencyProfile): boolean {
  return profile.ttftMs.p99 === 0 && (profile.totalMs?.p99 ?? 0) === 0 && (profile.interTokenMs?.p99 ?? 0) === 0;
}

export function drawLatency(profile: LatencyProfile, random: SeededRandom): LatencyDraw {
  if (isInstant(profile)) return NO_LATENCY;
  const z = random.normal();
  const ttftMs = logNormalQuantile(profile.ttftMs.p50, profile.ttftMs.p99, z);
  if (profile.totalMs) {
    const totalMs = logNormalQuantile(profile.totalMs.p50, profile.totalMs.p99, z);
    return { ttftMs, interTokenMs: Math.max(0, totalMs - ttftMs) / profile.totalMs.referenceOutputTokens };
  }
  const interTokenMs = profile.interTokenMs ? logNormalQuantile(profile.interTokenMs.p50, profile.interTokenMs.p99, z) : 0;
  return { ttftMs, interTokenMs };
}

/** Resolves after `ms` (true), or early when the signal aborts (false). No timer for 0. */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
