/**
 * A cancellation token for one gateway request: aborted when the client goes away or the request's
 * deadline passes, and listened to by the upstream call in flight. AbortController would do the
 * same, but creating one and adding EventTarget listeners cost about 3% of the gateway's CPU per
 * request (docs/BENCHMARKS.md); this is a flag and a short array.
 */
export class Cancel {
  aborted = false;
  reason: Error | undefined;
  private listeners: ((reason: Error) => void)[] | undefined;

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` on abort (at once if already aborted); returns a function that removes it. */
  onAbort(listener: (reason: Error) => void): () => void {
    if (this.aborted) {
      listener(this.reason as Error);
      return noop;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index !== -1) this.listeners?.splice(index, 1);
    };
  }
}

function noop(): void {}

/** A Cancel that aborts by itself after `ms` (for calls outside a client request, e.g. count_tokens). */
export function cancelAfter(ms: number): { cancel: Cancel; clear: () => void } {
  const cancel = new Cancel();
  const timer = setTimeout(() => cancel.abort(new Error(`deadline of ${ms} ms`)), ms);
  return { cancel, clear: () => clearTimeout(timer) };
}
