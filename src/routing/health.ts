/**
 * Live health per deployment: time to first token and total latency over a sliding window,
 * error and throttle rates, and a circuit breaker.
 *
 * Breaker: closed -> open after `failureThreshold` consecutive failures, or when the window's
 * failure rate reaches `errorRateThreshold` over at least `minSamples`; open for a cooldown that
 * doubles on each re-open (capped); then half-open: one probe request at a time; a success closes
 * it, a failure re-opens it (an attempt begun before the circuit last opened does neither, and is
 * not the probe; a probe throttled with a retry-after only cools it). The error-rate rule counts
 * the samples since the circuit last opened, and a throttle with a retry-after as no failure. Each attempt carries a token from begin(): the circuit's last opening when it
 * began, numbered book-wide, so "before" is a count, not a clock reading (a clock stepped back, or
 * two attempts in the same millisecond, cannot confuse it, nor can reset()), and the probe is known
 * by its token. A retry-after from an upstream "cools" the deployment until then, without
 * counting against the breaker twice.
 *
 * Routing reads an immutable snapshot (recomputed at most every `snapshotMs`), so ranking stays a
 * pure function of (request, config, snapshot).
 *
 * Replicas tell each other (gateway/shared-news.ts, with a `redis:` section) when a breaker opens
 * or closes and when a deployment asks to be left alone for a while (retry-after): `tell` is
 * called with the news, and news heard from another replica goes to `hear`, which applies it as
 * if this replica had seen it. So one replica's failed requests open the circuit everywhere, and
 * a throttled account is cooled on every replica, not on each after its own 429. Where this
 * replica's own requests say otherwise, they win (hear): one replica's broken path must not keep
 * a deployment open for all.
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

/** What a replica tells the others about a deployment: its breaker opened (for `forMs`), closed, or it cools for `forMs`. */
export type HealthNews = { kind: "opened"; forMs: number; cooldownMs: number } | { kind: "closed" } | { kind: "cooling"; forMs: number };

/** A cooling is news again only when it reaches this much further than the one last told. */
const COOLING_NEWS_MS = 1_000;
export type BreakerState = "closed" | "open" | "half_open";

/** One attempt at a deployment: begin()'s answer, handed back to record() or settle() when it ends. */
export interface Attempt {
  readonly deployment: string;
  /** The number of the circuit's last opening when the attempt began (0: none): one begun before the last is old news. */
  readonly opening: number;
}

interface Sample {
  at: number;
  outcome: Outcome;
  /** A failure, or a throttle that did not say when to come back: what the error-rate rule counts. */
  failed: boolean;
  /** The circuit's opening number when it was recorded: the error-rate rule counts only samples since the last opening. */
  opening: number;
  ttftMs: number | undefined;
  totalMs: number | undefined;
}

interface Tracker {
  samples: Sample[];
  consecutiveFailures: number;
  state: BreakerState;
  /** The number of the circuit's last opening, here or by news (0: none; numbered book-wide, never reused): isStale. */
  opening: number;
  openUntil: number;
  cooldownMs: number;
  /** The half-open probe in flight: only its own end releases it. */
  probe: Attempt | undefined;
  coolingUntil: number;
  /** The end of the last cooling told to the other replicas (or heard from them). */
  coolingTold: number;
  requests: number;
  failures: number;
  throttles: number;
  /** The replica whose news opened the circuit this time; undefined when this replica's own failures did (or it never opened). */
  openedBy: string | undefined;
  /**
   * Replicas whose "opened" this replica has found wrong for itself (its own request succeeded
   * where their news said the deployment was down): their path to the upstream is theirs alone
   * (their credentials, their network), and their next "opened" is not applied here. Forgotten
   * when this replica's own failures open the circuit, or when that replica tells it closed.
   */
  doubted: Set<string> | undefined;
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
  /** Openings of every circuit so far (reset() keeps the count): the last one's number. */
  private openings = 0;
  /** Called with this replica's news for the others (set by the shared state; none without Redis). */
  tell: ((deployment: string, news: HealthNews) => void) | undefined;

  constructor(
    private readonly settings: HealthSettings = DEFAULT_HEALTH,
    private readonly now: () => number = Date.now,
  ) {}

  private tracker(deployment: string): Tracker {
    let tracker = this.trackers.get(deployment);
    if (!tracker) {
      tracker = {
        samples: [],
        consecutiveFailures: 0,
        state: "closed",
        opening: 0,
        openUntil: 0,
        cooldownMs: this.settings.cooldownMs,
        probe: undefined,
        coolingUntil: 0,
        coolingTold: 0,
        requests: 0,
        failures: 0,
        throttles: 0,
        openedBy: undefined,
        doubted: undefined,
      };
      this.trackers.set(deployment, tracker);
    }
    return tracker;
  }

  /**
   * Called when a request is about to go to a deployment: a half-open deployment admits one probe.
   * The answer goes back to record() (`attempt`) or settle() when the attempt ends.
   */
  begin(deployment: string): Attempt {
    const tracker = this.tracker(deployment);
    if (tracker.state === "open" && this.now() >= tracker.openUntil) tracker.state = "half_open";
    const attempt: Attempt = { deployment, opening: tracker.opening };
    // The first attempt of a half-open deployment is its probe; one sent while the probe is out
    // (every candidate unhealthy: the last resort) is not.
    if (tracker.state === "half_open" && tracker.probe === undefined) {
      tracker.probe = attempt;
      this.cached = undefined;
    }
    return attempt;
  }

  /** `attempt`: begin()'s answer; without it the attempt counts as just begun (and not as the probe). */
  record(deployment: string, outcome: Outcome, timing: { ttftMs?: number; totalMs?: number; retryAfterMs?: number; attempt?: Attempt } = {}): void {
    const now = this.now();
    const tracker = this.tracker(deployment);
    // Availability changes must show at once; latency percentiles may be up to snapshotMs old.
    const before = { state: tracker.state, coolingUntil: tracker.coolingUntil, probe: tracker.probe };
    tracker.requests += 1;
    const stale = timing.attempt !== undefined && this.isStale(tracker, timing.attempt);
    // A throttle that says when to come back is handled by cooling; without one it counts as a failure.
    const countsAsFailure = outcome === "failure" || (outcome === "throttled" && timing.retryAfterMs === undefined);
    // A stale attempt is no sample either: the error-rate rule (shouldOpen) must not count it.
    if (!stale) {
      tracker.samples.push({ at: now, outcome, failed: countsAsFailure, opening: tracker.opening, ttftMs: timing.ttftMs, totalMs: timing.totalMs });
      if (tracker.samples.length > this.settings.maxSamples) tracker.samples.shift();
    }
    // An upstream's retry-after (at most maxCooldownMs: an HTTP date far ahead is not a reason to
    // leave a deployment for hours), or a throttle's default cooling.
    const coolFor = timing.retryAfterMs !== undefined ? Math.min(timing.retryAfterMs, this.settings.maxCooldownMs) : outcome === "throttled" ? this.settings.throttleCooldownMs : undefined;
    if (coolFor !== undefined) tracker.coolingUntil = Math.max(tracker.coolingUntil, now + coolFor);

    // An attempt that began before the circuit last opened says nothing new about it: its success
    // may be a stream that ran for minutes, its failure the one that opened it. It neither closes,
    // re-opens nor (once closed again) counts toward opening the circuit, and it is not the
    // half-open probe, whose flag stays up until the probe ends.
    if (stale) {
      if (outcome === "throttled") tracker.throttles += 1;
      else if (outcome === "failure") tracker.failures += 1;
    } else if (outcome === "success") {
      // The probe, or a request sent while open (the last resort), closes it; an opening another
      // replica told of, found wrong here, makes that replica's next one doubted.
      if (tracker.state !== "closed" && tracker.openedBy !== undefined) (tracker.doubted ??= new Set()).add(tracker.openedBy);
      this.close(tracker);
    } else {
      if (outcome === "throttled") tracker.throttles += 1;
      else tracker.failures += 1;
      if (countsAsFailure) tracker.consecutiveFailures += 1;
      if (tracker.state === "half_open") {
        // A probe throttled with a retry-after found the deployment up but busy: it cools until
        // then, and the next request after that probes again, without a doubled cooldown.
        if (countsAsFailure) this.open(tracker, now, true);
      } else if (tracker.state === "closed" && countsAsFailure && this.shouldOpen(tracker, now)) {
        this.open(tracker, now, false);
      }
      tracker.probe = undefined;
    }
    if (tracker.state !== before.state || tracker.coolingUntil !== before.coolingUntil || tracker.probe !== before.probe) {
      this.cached = undefined;
      if (this.tell) this.tellChanges(deployment, tracker, before.state, timing.retryAfterMs !== undefined, now);
    }
  }

  /**
   * An attempt that ended without a word on the deployment's health (its client left before the
   * first byte, or the request was at fault): a half-open probe is out no longer, so the next
   * request may probe. Nothing is counted.
   */
  settle(attempt: Attempt): void {
    const tracker = this.trackers.get(attempt.deployment);
    if (!tracker || tracker.probe !== attempt) return;
    tracker.probe = undefined;
    this.cached = undefined;
  }

  /**
   * Begun before the circuit last opened: the attempt says nothing about the deployment now,
   * whether the circuit is still open or a probe has closed it since (a stream begun before an
   * outage, failing after the recovery, must not count toward the next one).
   */
  private isStale(tracker: Tracker, attempt: Attempt): boolean {
    return attempt.opening < tracker.opening;
  }

  /**
   * The news in a change: a breaker that opened or closed, and a cooling an upstream asked for
   * (retry-after; the default cooling of a throttle without one is this replica's own guess).
   */
  private tellChanges(deployment: string, tracker: Tracker, stateBefore: BreakerState, retryAfter: boolean, now: number): void {
    const tell = this.tell as (deployment: string, news: HealthNews) => void;
    if (tracker.state === "open" && stateBefore !== "open") tell(deployment, { kind: "opened", forMs: tracker.openUntil - now, cooldownMs: tracker.cooldownMs });
    else if (tracker.state === "closed" && stateBefore !== "closed") tell(deployment, { kind: "closed" });
    if (retryAfter && tracker.coolingUntil > now && tracker.coolingUntil >= tracker.coolingTold + COOLING_NEWS_MS) {
      tracker.coolingTold = tracker.coolingUntil;
      tell(deployment, { kind: "cooling", forMs: tracker.coolingUntil - now });
    }
  }

  /**
   * Applies replica `from`'s news, as if this replica had seen it (nothing is told again), except
   * where this replica's own requests have said otherwise: an "opened" from a replica whose last
   * opening a request here found wrong is not applied (its path is its own), and a "closed" does
   * not close a circuit this replica's own failures opened: the next request here probes it at
   * once instead, so a path broken only here fails once more, not `failure_threshold` times, and
   * keeps its doubled cooldown.
   */
  hear(deployment: string, news: HealthNews, from: string): void {
    const now = this.now();
    const tracker = this.tracker(deployment);
    if (news.kind === "opened") {
      if (tracker.doubted?.has(from)) return;
      const until = now + Math.min(news.forMs, this.settings.maxCooldownMs);
      if (tracker.state === "open" && tracker.openUntil >= until) return;
      if (tracker.state !== "open") tracker.opening = ++this.openings;
      // A circuit this replica's own failures opened stays its own, half-open too; one opened by news is the newest teller's.
      if (tracker.state === "closed" || tracker.openedBy !== undefined) tracker.openedBy = from;
      tracker.state = "open";
      tracker.openUntil = until;
      tracker.cooldownMs = Math.min(Math.max(tracker.cooldownMs, news.cooldownMs), this.settings.maxCooldownMs);
      tracker.probe = undefined;
    } else if (news.kind === "closed") {
      tracker.doubted?.delete(from);
      if (tracker.state === "closed") return;
      if (tracker.openedBy === undefined) {
        // Opened by this replica's own failures: probed at once (half-open once the time is up;
        // a probe already out decides by itself).
        if (tracker.state !== "open" || tracker.openUntil <= now) return;
        tracker.openUntil = now;
      } else {
        this.close(tracker);
      }
    } else {
      const until = now + Math.min(news.forMs, this.settings.maxCooldownMs);
      if (tracker.coolingUntil >= until) return;
      tracker.coolingUntil = until;
      tracker.coolingTold = until;
    }
    this.cached = undefined;
  }

  private shouldOpen(tracker: Tracker, now: number): boolean {
    if (tracker.consecutiveFailures >= this.settings.failureThreshold) return true;
    // Since the last opening only: the failures that opened the circuit, once a probe has closed
    // it, must not open it again with the next one.
    const recent = tracker.samples.filter((sample) => now - sample.at <= this.settings.windowMs && sample.opening === tracker.opening);
    if (recent.length < this.settings.minSamples) return false;
    const failures = recent.filter((sample) => sample.failed).length;
    return failures / recent.length >= this.settings.errorRateThreshold;
  }

  private close(tracker: Tracker): void {
    tracker.state = "closed";
    tracker.cooldownMs = this.settings.cooldownMs;
    tracker.consecutiveFailures = 0;
    tracker.probe = undefined;
  }

  private open(tracker: Tracker, now: number, reopen: boolean): void {
    if (reopen) tracker.cooldownMs = Math.min(tracker.cooldownMs * 2, this.settings.maxCooldownMs);
    tracker.openedBy = undefined;
    // Failing here too, enough to open the circuit (one stray timeout is not): the others' news is believed again.
    tracker.doubted = undefined;
    tracker.state = "open";
    tracker.opening = ++this.openings;
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
    else if (state === "half_open" && tracker.probe !== undefined) unavailableReason = "circuit half-open: a probe is in flight";
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
