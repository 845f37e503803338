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

  /** Aborts with Error(`reason`) after `ms` unless the returned function is called first. */
  abortAfter(ms: number, reason: string): () => void {
    const timer = setTimeout(() => this.abort(new Error(reason)), ms);
    return () => clearTimeout(timer);
  }

  /**
   * Aborts once `ms` pass without a touch(): a silence, not a length. One timer, re-armed in place;
   * hold() stops it until the next touch() (a wait that is not the silence being timed).
   */
  abortWhenSilent(ms: number, reason: string): { touch: () => void; hold: () => void; clear: () => void } {
    const fire = () => this.abort(new Error(reason));
    let timer = setTimeout(fire, ms);
    let held = false;
    return {
      touch: () => {
        if (!held) return void timer.refresh();
        held = false;
        timer = setTimeout(fire, ms);
      },
      hold: () => {
        held = true;
        clearTimeout(timer);
      },
      clear: () => clearTimeout(timer),
    };
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

/**
 * The reason a request's Cancel carries when its client went away (not a deadline): what the
 * upstream did until then says nothing of its health.
 */
export class ClientLeft extends Error {
  constructor() {
    super("client disconnected");
  }
}

/** A Cancel for a client request: aborted (ClientLeft) when its response closes before it finished. */
export function cancelOnClose(response: { writableFinished: boolean; on(event: "close", listener: () => void): unknown }): Cancel {
  const cancel = new Cancel();
  response.on("close", () => {
    if (!response.writableFinished) cancel.abort(new ClientLeft());
  });
  return cancel;
}

/** A Cancel that aborts by itself after `ms` (for calls outside a client request, e.g. count_tokens). */
export function cancelAfter(ms: number): { cancel: Cancel; clear: () => void } {
  const cancel = new Cancel();
  return { cancel, clear: cancel.abortAfter(ms, `deadline of ${ms} ms`) };
}

/** Waits `ms`, or less if `cancel` aborts meanwhile; never rejects. */
export function sleepUnlessCancelled(ms: number, cancel: Cancel): Promise<void> {
  return new Promise((resolve) => {
    const stop = cancel.onAbort(() => {
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => {
      stop();
      resolve();
    }, ms);
  });
}
