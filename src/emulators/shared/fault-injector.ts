/**
 * Decides, per request, which fault (if any) to inject. Rules are tried in order; the first one
 * in scope (its window is open, the streaming filter matches, its count is not used up) whose
 * dice roll hits wins. The dice are seeded, so a chaos run repeats exactly.
 */
import type { Clock } from "./clock.js";
import type { Fault, FaultProfile, FaultRule } from "./profile-schema.js";
import { SeededRandom } from "./seeded-random.js";

export function expandRules(faults: FaultProfile): FaultRule[] {
  const fromRates: FaultRule[] = Object.entries(faults.errorRates).map(([status, probability]) => ({
    fault: { kind: "error", status: Number(status) },
    probability,
  }));
  return [...faults.rules, ...fromRates];
}

function windowOpen(rule: FaultRule, elapsedMs: number): boolean {
  const window = rule.window;
  if (!window) return true;
  const sinceStart = elapsedMs - window.startAfterMs;
  if (sinceStart < 0) return false;
  return window.everyMs ? sinceStart % window.everyMs < window.durationMs : sinceStart < window.durationMs;
}

export class FaultInjector {
  private readonly rules: FaultRule[];
  private readonly used: number[];
  private readonly random: SeededRandom;

  constructor(
    faults: FaultProfile,
    private readonly since: number,
    private readonly clock: Clock,
  ) {
    this.rules = expandRules(faults);
    this.used = this.rules.map(() => 0);
    this.random = new SeededRandom(faults.seed);
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  decide(streaming: boolean): Fault | undefined {
    if (this.rules.length === 0) return undefined;
    const elapsed = this.clock.now() - this.since;
    for (const [index, rule] of this.rules.entries()) {
      if (rule.streaming !== undefined && rule.streaming !== streaming) continue;
      if (rule.count !== undefined && (this.used[index] ?? 0) >= rule.count) continue;
      if (!windowOpen(rule, elapsed)) continue;
      if (rule.probability < 1 && this.random.next() >= rule.probability) continue;
      this.used[index] = (this.used[index] ?? 0) + 1;
      return rule.fault;
    }
    return undefined;
  }

  /** A position in a stream for a mid-stream fault: somewhere after the first content event. */
  pickEventIndex(eventCount: number): number {
    if (eventCount <= 3) return Math.max(1, eventCount - 1);
    return 2 + this.random.int(eventCount - 3);
  }
}

export function faultLabel(fault: Fault): string {
  switch (fault.kind) {
    case "error":
      return `error:${fault.status}`;
    case "stream_error":
      return "stream_error";
    case "reset":
      return `reset:${fault.phase}`;
    case "stall":
      return `stall:${fault.phase}`;
  }
}
