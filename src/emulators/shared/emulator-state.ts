/**
 * Everything one emulator instance remembers: its profile (and when it was set, for fault
 * windows), the prompt cache, rate-limit buckets, fault dice, latency dice and counters.
 */
import { systemClock, type Clock } from "./clock.js";
import { Counters } from "./counters.js";
import { FaultInjector } from "./fault-injector.js";
import { IdGenerator } from "./ids.js";
import { drawLatency, type LatencyDraw } from "./latency.js";
import type { Profile, ProfileUpdate } from "./profile-schema.js";
import { applyProfileUpdate, presetProfile, type EmulatedProvider } from "./profiles.js";
import { PromptCache } from "./prompt-cache.js";
import { RateLimiter } from "./rate-limiter.js";
import { SeededRandom } from "./seeded-random.js";

export interface EmulatorStateOptions {
  provider: EmulatedProvider;
  /** A preset name or an update applied to `instant`. */
  profile?: string | ProfileUpdate;
  clock?: Clock;
}

export class EmulatorState {
  readonly provider: EmulatedProvider;
  readonly clock: Clock;
  readonly cache: PromptCache;
  readonly ids = new IdGenerator();
  readonly counters = new Counters();
  private readonly initialProfile: Profile;
  private current!: Profile;
  private profileSetAt = 0;
  private injector!: FaultInjector;
  private limiter!: RateLimiter;
  private latencyRandom!: SeededRandom;
  private paddingRandom!: SeededRandom;

  constructor(options: EmulatorStateOptions) {
    this.provider = options.provider;
    this.clock = options.clock ?? systemClock;
    this.cache = new PromptCache(this.clock);
    const start = presetProfile("instant", this.provider);
    const initial = options.profile;
    this.initialProfile =
      initial === undefined ? start : typeof initial === "string" ? presetProfile(initial, this.provider) : applyProfileUpdate(start, initial, this.provider);
    this.install(this.initialProfile);
  }

  get profile(): Profile {
    return this.current;
  }

  get faults(): FaultInjector {
    return this.injector;
  }

  get rateLimiter(): RateLimiter {
    return this.limiter;
  }

  /** Applies an update (throws ZodError / UnknownProfileError on bad input). Restarts windows, buckets and dice. */
  setProfile(update: string | ProfileUpdate): Profile {
    const next = applyProfileUpdate(this.current, typeof update === "string" ? { profile: update } : update, this.provider);
    this.install(next);
    return next;
  }

  /** Back to the start: the profile given at startup, empty cache, zero counters. */
  reset(): void {
    this.cache.clear();
    this.counters.reset();
    this.install(this.initialProfile);
  }

  drawLatency(): LatencyDraw {
    return drawLatency(this.current.latency, this.latencyRandom);
  }

  /** Bedrock's `p` padding: a run of a-z, A-Z, 0-9 of random length. */
  padding(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    return alphabet.slice(0, 1 + this.paddingRandom.int(alphabet.length));
  }

  snapshot() {
    return {
      provider: this.provider,
      profile: this.current,
      profileSetAt: new Date(this.profileSetAt).toISOString(),
      counters: this.counters.snapshot(),
      rateLimits: this.limiter.snapshot(),
      cacheEntries: this.cache.size,
    };
  }

  private install(profile: Profile): void {
    this.current = profile;
    this.profileSetAt = this.clock.now();
    this.injector = new FaultInjector(profile.faults, this.profileSetAt, this.clock);
    this.limiter = new RateLimiter(profile.faults.rateLimits, this.clock);
    this.latencyRandom = new SeededRandom(`latency:${profile.seed}`);
    this.paddingRandom = new SeededRandom(`padding:${profile.seed}`);
  }
}
