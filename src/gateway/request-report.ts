/**
 * Requests something went wrong with, reported where they should be (standard error by default):
 * the first at once, then how many there were since, at most once per `everyMs`, also after they
 * stop, so the last ones are never left unsaid. Used for requests answered without a ledger row
 * (the ledger refused it: its journal's disk is full) and for requests that failed inside the
 * gateway (a bug), either of which could otherwise write a line per request.
 */
import { reportLedgerError } from "../ledger/writer.js";

export class RequestReport {
  private count = 0;
  private lastRequestId = "";
  private lastReason = "";
  private reportedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  /** `what`: what happened to the requests counted ("request(s) answered without a ledger row"). */
  constructor(
    private readonly what: string,
    private readonly write: (error: Error) => void,
    private readonly everyMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One more request; `error` says why (its stack, when it has one and `withStack`). */
  note(requestId: string, error: unknown, withStack = false): void {
    this.count += 1;
    this.lastRequestId = requestId;
    this.lastReason = error instanceof Error ? (withStack && error.stack ? error.stack : error.message) : String(error);
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
    this.write(new Error(`${this.count} ${this.what} (the last ${this.lastRequestId}): ${this.lastReason}`));
    this.count = 0;
    this.reportedAt = this.now();
  }
}

/** Requests answered without a ledger row, where the ledger reports its troubles. */
export function lostRowReport(write: (error: Error) => void = reportLedgerError, everyMs?: number): RequestReport {
  return new RequestReport("request(s) answered without a ledger row", write, everyMs);
}

/** Requests that failed inside the gateway (a bug: the stack says where), on standard error. */
export function faultReport(write: (error: Error) => void = (error) => process.stderr.write(`switchyard: ${error.message}\n`), everyMs?: number): RequestReport {
  return new RequestReport("request(s) failed inside the gateway", write, everyMs);
}

/**
 * Attempts a deployment refused for the gateway's own sake (its credentials, account or
 * configuration: upstream_auth), on standard error: the operator must hear of it, and the client's
 * 502 is not where an operator looks.
 */
export function deploymentRefusalReport(write: (error: Error) => void = (error) => process.stderr.write(`switchyard: ${error.message}\n`), everyMs?: number): RequestReport {
  return new RequestReport("attempt(s) refused for the gateway's own credentials, account or configuration", write, everyMs);
}
