/**
 * The gateway's side of the planner worker (planner-worker.ts): started on first use, one plan at
 * a time, a time limit after which the worker is ended and the next request starts a fresh one.
 */
import { Worker } from "node:worker_threads";
import type { FileIssue } from "../util/yaml-file.js";

export interface PlannerWorkerData {
  /** The user's own catalog files, as given to the gateway (--catalog). */
  extraFiles: string[];
}

export interface PlanRequest {
  id: number;
  /** "check": only parse and resolve the workload, for its issues (the form's other fields have problems). */
  mode: "plan" | "check";
  text: string;
  /** Prices in force that day (YYYY-MM-DD); undefined: the file's at:, else today. */
  at: string | undefined;
  /** The name issues carry ("workload.yaml"). */
  file: string;
}

/** Where the plan's date came from: the form's field, the workload's `at:`, or today. */
export type PlanDateSource = "form" | "file" | "today";

export type PlanOutcome =
  | { kind: "plan"; name: string; html: string }
  /** No option of the workload has a price on `at`: the date is the problem, not the workload. `earliest`: the first day the catalog prices any of them. */
  | { kind: "unpriced"; at: string; source: PlanDateSource; earliest: string | undefined }
  /** A check found nothing wrong with the workload. */
  | { kind: "valid" }
  | { kind: "invalid"; issues: FileIssue[] }
  | { kind: "failed"; message: string };
export type PlanReply = PlanOutcome & { id: number };

export interface PlanRunnerOptions {
  extraFiles?: string[];
  timeoutMs?: number;
}

export class PlanRunner {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** Plans asked for, by id, with the worker each was sent to: a worker that stops fails its own only. */
  private pending = new Map<number, { worker: Worker; resolve: (reply: PlanOutcome) => void }>();

  constructor(private readonly options: PlanRunnerOptions = {}) {}

  /** Starts the worker (it loads the catalog) so the first plan does not wait for it. */
  warm(): void {
    this.ensure();
  }

  run(text: string, at: string | undefined, file = "workload.yaml"): Promise<PlanOutcome> {
    return this.enqueue({ mode: "plan", text, at, file });
  }

  /** The workload's issues without planning it: "valid", "invalid" (or "failed"). */
  check(text: string, file = "workload.yaml"): Promise<PlanOutcome> {
    return this.enqueue({ mode: "check", text, at: undefined, file });
  }

  private enqueue(request: Omit<PlanRequest, "id">): Promise<PlanOutcome> {
    const result = this.queue.then(() => this.send({ id: this.nextId++, ...request }));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const data: PlannerWorkerData = { extraFiles: this.options.extraFiles ?? [] };
    const worker = new Worker(new URL("./planner-worker.js", import.meta.url), { workerData: data });
    worker.unref();
    worker.on("message", (reply: PlanReply) => {
      const entry = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      entry?.resolve(reply);
    });
    const fail = (message: string) => {
      if (this.worker === worker) this.worker = undefined;
      // Only the plans sent to this worker: one stopped after a timeout exits once a new worker
      // already has the next plan, which must not fail with it.
      for (const [id, entry] of this.pending) {
        if (entry.worker !== worker) continue;
        this.pending.delete(id);
        entry.resolve({ kind: "failed", message });
      }
    };
    worker.on("error", (error) => fail(`the planner stopped: ${error.message}`));
    worker.on("exit", (code) => fail(`the planner stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }

  private send(request: PlanRequest): Promise<PlanOutcome> {
    const worker = this.ensure();
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    return new Promise<PlanOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(request.id);
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        resolve({ kind: "failed", message: `the plan took longer than ${timeoutMs / 1000} s and was stopped; try fewer segments or a shorter horizon` });
      }, timeoutMs);
      timer.unref();
      this.pending.set(request.id, {
        worker,
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      worker.postMessage(request);
    });
  }
}
