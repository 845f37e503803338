/**
 * Per-instance counters that GET /_emulator/state returns: gateway chaos tests assert on them
 * ("the gateway retried twice and then failed over").
 */
export interface CountersSnapshot {
  requests: number;
  byRoute: Record<string, number>;
  /** Final HTTP status of each response whose headers were sent. */
  byStatus: Record<string, number>;
  /** Connections that closed before any response header (injected resets and client aborts). */
  closedBeforeHeaders: number;
  /** Responses that started and did not finish (mid-stream resets and client aborts). */
  incomplete: number;
  /** Injected faults by kind, e.g. "error:529", "reset:mid_stream", "stream_error", "rate_limit:requests". */
  faults: Record<string, number>;
  /** Requests by each anthropic-beta value they carried (the header; Bedrock: the body's anthropic_beta). */
  betas: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

export class Counters {
  private data: CountersSnapshot = Counters.empty();

  static empty(): CountersSnapshot {
    return {
      requests: 0,
      byRoute: {},
      byStatus: {},
      closedBeforeHeaders: 0,
      incomplete: 0,
      faults: {},
      betas: {},
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
  }

  request(): void {
    this.data.requests += 1;
  }

  route(name: string): void {
    bump(this.data.byRoute, name);
  }

  closed(headersSent: boolean, status: number, finished: boolean): void {
    if (!headersSent) {
      this.data.closedBeforeHeaders += 1;
      return;
    }
    bump(this.data.byStatus, String(status));
    if (!finished) this.data.incomplete += 1;
  }

  fault(label: string): void {
    bump(this.data.faults, label);
  }

  betas(values: readonly unknown[]): void {
    for (const value of values) if (typeof value === "string") bump(this.data.betas, value);
  }

  tokens(usage: { input: number; output: number; cacheRead: number; cacheWrite: number }): void {
    this.data.inputTokens += usage.input;
    this.data.outputTokens += usage.output;
    this.data.cacheReadTokens += usage.cacheRead;
    this.data.cacheWriteTokens += usage.cacheWrite;
  }

  snapshot(): CountersSnapshot {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = Counters.empty();
  }
}
