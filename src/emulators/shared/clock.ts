/**
 * Time as the emulators see it. Cache expiry, fault windows, rate-limit buckets and batch
 * completion read this clock, so a test can move time forward instead of sleeping.
 * Latency pacing still uses real timers: it shapes what a client observes on the wire.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }

  set(epochMilliseconds: number): void {
    this.current = epochMilliseconds;
  }
}
