/**
 * Calls into a worker thread that owns its own SQLite connection. better-sqlite3 is synchronous,
 * so inserts (and the WAL checkpoints they trigger) and long reports would otherwise stop the
 * event loop of the process serving requests. Started on first use, so commands that never need
 * it never pay for a thread; an idle thread does not keep the process alive.
 */
import { parentPort, Worker, workerData } from "node:worker_threads";

interface Envelope<T> {
  id: number;
  payload: T;
}

interface Reply<R> {
  id: number;
  result?: R;
  error?: { name: string; message: string };
}

interface Pending<R> {
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/** An error from the thread (its name and message) as the caller's own class; see plainError. */
export type ErrorRebuild = (error: { name: string; message: string }) => Error;

/** The default rebuild: an Error carrying the thread's name and message. */
export const plainError: ErrorRebuild = (error) => Object.assign(new Error(error.message), { name: error.name });

export class ThreadClient<Request, Result> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending<Result>>();
  private nextId = 0;

  constructor(
    private readonly script: URL,
    private readonly setup: unknown,
    private readonly name: string,
    /** How the caller tells the thread's errors apart (a refusal is not an outage). */
    private readonly rebuild: ErrorRebuild = plainError,
  ) {}

  call(payload: Request): Promise<Result> {
    const worker = (this.worker ??= this.start());
    const id = ++this.nextId;
    // Keep the process alive while a call is in flight; an idle thread must not (see start()).
    worker.ref();
    return new Promise<Result>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, payload } satisfies Envelope<Request>);
    });
  }

  /** Waits for calls in flight, then stops the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    while (this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    this.worker = undefined;
    await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: this.setup });
    worker.on("message", (reply: Reply<Result>) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error) waiting.reject(this.rebuild(reply.error));
      else waiting.resolve(reply.result as Result);
    });
    const failAll = (error: Error) => {
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => {
      if (this.worker === worker) failAll(new Error(`the ledger ${this.name} thread exited (code ${code})`));
    });
    return worker;
  }
}

/**
 * Inside a worker: answer each call with `handle` (its answer may be a promise), passing errors
 * back by name and message. Calls are answered one at a time, in order: a call waits for the one
 * before it to be answered, whether or not `handle` waits on something.
 */
export function serveCalls<Setup, Request, Result>(handle: (setup: Setup) => (payload: Request) => Result | Promise<Result>): void {
  const port = parentPort;
  if (!port) return;
  const handler = handle(workerData as Setup);
  let previous: Promise<void> = Promise.resolve();
  const failure = (id: number, error: unknown): Reply<Result> => ({ id, error: error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) } });
  port.on("message", (envelope: Envelope<Request>) => {
    previous = previous.then(async () => {
      let reply: Reply<Result>;
      try {
        reply = { id: envelope.id, result: await handler(envelope.payload) };
      } catch (error) {
        reply = failure(envelope.id, error);
      }
      try {
        port.postMessage(reply);
      } catch (error) {
        // A result that cannot be sent (not cloneable) fails its own call, not every later one.
        port.postMessage(failure(envelope.id, error));
      }
    });
  });
}
