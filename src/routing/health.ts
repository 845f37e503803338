/**
 * Live health per deployment: time to first token and total latency over a sliding window,
 * error and throttle rates, and a circuit breaker.
 *
 * Breaker: closed -> open after `failureThreshold` consecutive failures, or when the window's
 * failure rate reaches `errorRateThreshold` over at least `minSamples`; open for a cooldown that
 * doubles on each re-open (capped); then half-open: one probe request at a time; a success closes
 * it, a failure re-opens it. A retry-after from an upstream "cools" the deployment until then,
 * without counting against the breaker twice.
 *
 * Routing reads an immutable snapshot (recomputed at most every `snapshotMs`), so ranking stays a
 * pure function of (request, config, snapshot).
 */
export interface HealthSettings {
  windowMs: number;
  maxSamples: number;
  failureThreshold: number;
  errorRateThreshold: number;
  minSamples: number;
  cooldownMs: number;
  maxCooldownMs: number;
  /** How long a throttle without retry-after (Bedrock sends none) cools the deployment. */
  throttleCooldownMs: number;
  snapshotMs: number;
}

export const DEFAULT_HEALTH: HealthSettings = {
  windowMs: 60_000,
  maxSamples: 512,
  failureThreshold: 5,
  errorRateThreshold: 0.5,
  minSamples: 20,
  cooldownMs: 5_000,
  maxCooldownMs: 300_000,
  throttleCooldownMs: 1_000,
  snapshotMs: 100,
};

export type Outcome = "success" | "failure" | "throttled";
export type BreakerState = "closed" | "open" | "half_open";

interface Sample {
  at: number;
  outcome: Outcome;
  ttftMs: number | undefined;
  totalMs: number | undefined;
}

interface Tracker {
  samples: Sample[];
  consecutiveFailures: number;
  state: BreakerState;
  openUntil: number;
  cooldownMs: number;
  probeInFlight: boolean;
  coolingUntil: number;
  requests: number;
  failures: number;
  throttles: number;
}

export interface DeploymentHealth {
  deployment: string;
  state: BreakerState;
  /** Excluded from routing right now (open circuit, probe busy, or cooling after retry-after). */
  unavailable: boolean;
  unavailableReason: string | undefined;
  samples: number;
  ttftP50Ms: number | undefined;
  ttftP99Ms: number | undefined;
  totalP50Ms: number | undefined;
  totalP99Ms: number | undefined;
  errorRate: number;
  throttleRate: number;
  /** Since the process started. */
  requests: number;
  failures: number;
  throttles: number;
  openUntil: number | undefined;
  coolingUntil: number | undefined;
}

export type HealthSnapshot = ReadonlyMap<string, DeploymentHealth>;

function percentile(sorted: number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}

export class HealthBook {
  private readonly trackers = new Map<string, Tracker>();
  private cached: { at: number; snapshot: HealthSnapshot } | undefined;

  constructor(
    private readonly settings: HealthSettings = DEFAULT_HEALTH,
    private readonly now: () => number = Date.now,
  ) {}

  private tracker(deployment: string): Tracker {
    let tracker = this.trackers.get(deployment);
    if (!tracker) {
      tracker = { samples: [], consecutiveFailures: 0, state: "closed", openUntil: 0, cooldownMs: this.settings.cooldownMs, probeInFlight: false, coolingUntil: 0, requests: 0, failures: 0, throttles: 0 };
      this.trackers.set(deployment, tracker);
    }
    return tracker;
  }

  /** Called when a request is about to go to a deployment: a half-open deployment admits one probe. */
  begin(deployment: string): void {
    const tracker = this.tracker(deployment);
    if (tracker.state === "open" && this.now() >= tracker.openUntil) tracker.state = "half_open";
    if (tracker.state === "half_open") {
      tracker.probeInFlight = true;
      this.cached = undefined;
    }
  }

  record(deployment: string, outcome: Outcome, timing: { ttftMs?: number; totalMs?: number; retryAfterMs?: number } = {}): void {
    const now = this.now();
    const tracker = this.tracker(deployment);
    // Availability changes must show at once; latency percentiles may be up to snapshotMs old.
    const before = { state: tracker.state, coolingUntil: tracker.coolingUntil, probe: tracker.probeInFlight };
    tracker.requests += 1;
    tracker.samples.push({ at: now, outcome, ttftMs: timing.ttftMs, totalMs: timing.totalMs });
    if (tracker.samples.length > this.settings.maxSamples) tracker.samples.shift();
    const coolFor = timing.retryAfterMs ?? (outcome === "throttled" ? this.settings.throttleCooldownMs : undefined);
    if (coolFor !== undefined) tracker.coolingUntil = Math.max(tracker.coolingUntil, now + coolFor);

    if (outcome === "success") {
      tracker.consecutiveFailures = 0;
      if (tracker.state !== "closed") {
        tracker.state = "closed";
        tracker.cooldownMs = this.settings.cooldownMs;
      }
      tracker.probeInFlight = false;
    } else {
      if (outcome === "throttled") tracker.throttles += 1;
      else tracker.failures += 1;
      // A throttle that says when to come back is handled by cooling; without one it counts as a failure.
      const countsAsFailure = outcome === "failure" || timing.retryAfterMs === undefined;
      if (countsAsFailure) tracker.consecutiveFailures += 1;
      if (tracker.state === "half_open") {
        this.open(tracker, now, true);
      } else if (tracker.state === "closed" && countsAsFailure && this.shouldOpen(tracker, now)) {
        this.open(tracker, now, false);
      }
      tracker.probeInFlight = false;
    }
    if (tracker.state !== before.state || tracker.coolingUntil !== before.coolingUntil || tracker.probeInFlight !== before.probe) this.cached = undefined;
  }

  private shouldOpen(tracker: Tracker, now: number): boolean {
    if (tracker.consecutiveFailures >= this.settings.failureThreshold) return true;
    const recent = tracker.samples.filter((sample) => now - sample.at <= this.settings.windowMs);
    if (recent.length < this.settings.minSamples) return false;
    const failures = recent.filter((sample) => sample.outcome !== "success").length;
    return failures / recent.length >= this.settings.errorRateThreshold;
  }

  private open(tracker: Tracker, now: number, reopen: boolean): void {
    if (reopen) tracker.cooldownMs = Math.min(tracker.cooldownMs * 2, this.settings.maxCooldownMs);
    tracker.state = "open";
    tracker.openUntil = now + tracker.cooldownMs;
  }

  /** Forgets everything (tests, and the admin "reset health" action). */
  reset(): void {
    this.trackers.clear();
    this.cached = undefined;
  }

  snapshot(): HealthSnapshot {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.settings.snapshotMs) return this.cached.snapshot;
    const snapshot = new Map<string, DeploymentHealth>();
    for (const [deployment, tracker] of this.trackers) snapshot.set(deployment, this.describe(deployment, tracker, now));
    this.cached = { at: now, snapshot };
    return snapshot;
  }

  private describe(deployment: string, tracker: Tracker, now: number): DeploymentHealth {
    const recent = tracker.samples.filter((sample) => now - sample.at <= this.settings.windowMs);
    const ttft = recent.flatMap((sample) => (sample.outcome === "success" && sample.ttftMs !== undefined ? [sample.ttftMs] : [])).sort((a, b) => a - b);
    const total = recent.flatMap((sample) => (sample.outcome === "success" && sample.totalMs !== undefined ? [sample.totalMs] : [])).sort((a, b) => a - b);
    const failures = recent.filter((sample) => sample.outcome === "failure").length;
    const throttles = recent.filter((sample) => sample.outcome === "throttled").length;
    let state = tracker.state;
    if (state === "open" && now >= tracker.openUntil) state = "half_open";
    let unavailableReason: string | undefined;
    if (state === "open") unavailableReason = `circuit open until ${new Date(tracker.openUntil).toISOString()}`;
    else if (state === "half_open" && tracker.probeInFlight) unavailableReason = "circuit half-open: a probe is in flight";
    else if (tracker.coolingUntil > now) unavailableReason = `cooling after retry-after until ${new Date(tracker.coolingUntil).toISOString()}`;
    return {
      deployment,
      state,
      unavailable: unavailableReason !== undefined,
      unavailableReason,
      samples: recent.length,
      ttftP50Ms: percentile(ttft, 0.5),
      ttftP99Ms: percentile(ttft, 0.99),
      totalP50Ms: percentile(total, 0.5),
      totalP99Ms: percentile(total, 0.99),
      errorRate: recent.length === 0 ? 0 : failures / recent.length,
      throttleRate: recent.length === 0 ? 0 : throttles / recent.length,
      requests: tracker.requests,
      failures: tracker.failures,
      throttles: tracker.throttles,
      openUntil: state === "open" ? tracker.openUntil : undefined,
      coolingUntil: tracker.coolingUntil > now ? tracker.coolingUntil : undefined,
    };
  }
}
