/**
 * Sends insert batches to a worker thread (sqlite/insert-worker.ts) so that writing the ledger never
 * blocks the event loop of the process serving requests. Started on the first insert, so commands
 * that only read never pay for a thread.
 */
import { Worker } from "node:worker_threads";
import type { LedgerRow } from "../ledger.js";
import { batchJson } from "../row-json.js";
import type { InsertReply, InsertRequest, InsertWorkerSetup } from "./insert-worker.js";

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class InsertThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly setup: InsertWorkerSetup) {}

  insert(rows: LedgerRow[]): Promise<void> {
    const worker = (this.worker ??= this.start());
    const id = ++this.nextId;
    // Keep the process alive while a batch is in flight; an idle thread must not (see start()).
    worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, rows: batchJson(rows) } satisfies InsertRequest);
    });
  }

  /** Waits for batches in flight, then stops the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    while (this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    this.worker = undefined;
    await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL("./insert-worker.js", import.meta.url), { workerData: this.setup });
    worker.on("message", (reply: InsertReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.error) waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else waiting.resolve();
    });
    const failAll = (error: Error) => {
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", failAll);
    worker.on("exit", (code) => {
      if (this.worker === worker) failAll(new Error(`the ledger insert thread exited (code ${code})`));
    });
    return worker;
  }
}
