/**
 * Requests answered without a ledger row (the ledger refused it: its journal's disk is full), as
 * reports where the ledger reports its troubles (standard error by default): the first at once, then how many were lost since, at most once per `everyMs`
 * — also after the losses stop, so the last ones are never left unsaid.
 */
import { reportLedgerError } from "../ledger/writer.js";

export class LostRowReport {
  private count = 0;
  private lastRequestId = "";
  private lastReason = "";
  private reportedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (error: Error) => void = reportLedgerError,
    private readonly everyMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  lost(requestId: string, error: unknown): void {
    this.count += 1;
    this.lastRequestId = requestId;
    this.lastReason = error instanceof Error ? error.message : String(error);
    const wait = this.reportedAt + this.everyMs - this.now();
    if (wait <= 0) {
      this.report();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.report(), wait);
      this.timer.unref();
    }
  }

  /** Reports what is still unsaid; the gateway's stop calls it. */
  stop(): void {
    this.report();
  }

  private report(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.count === 0) return;
    this.write(new Error(`${this.count} request(s) answered without a ledger row (the last ${this.lastRequestId}): ${this.lastReason}`));
    this.count = 0;
    this.reportedAt = this.now();
  }
}
