/**
 * Message Batches kept in memory (https://platform.claude.com/docs/en/api/messages/batches).
 * A batch ends `processingMs` after creation (a canceled one shortly after the cancel); its
 * requests are then answered exactly as /v1/messages would answer them (same cache, same
 * content), with service_tier "batch". State moves lazily, on read, by the injected clock.
 */
import { buildMessage, usageObject } from "../shared/anthropic-message.js";
import type { EmulatorState } from "../shared/emulator-state.js";
import { commitExchange, modelLimitProblem, prepareExchange } from "../shared/exchange.js";
import { describeIssues } from "../shared/messages-request.js";
import type { ModelAccess } from "../shared/model-access.js";
import { checkPrompt } from "../shared/prompt-rules.js";
import { messagesRequestSchema } from "./message-request.js";

export interface BatchRequest {
  custom_id: string;
  params: unknown;
}

type Outcome = "succeeded" | "errored" | "canceled" | "expired";

interface StoredBatch {
  id: string;
  createdAt: number;
  cancelAt: number | undefined;
  endedAt: number | undefined;
  requests: BatchRequest[];
  outcomes: Record<Outcome, number>;
  /** JSONL, one line per request, set when the batch ends. */
  results: string | undefined;
}

const DAY_MS = 24 * 60 * 60_000;

function iso(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}

export class BatchStore {
  private readonly batches = new Map<string, StoredBatch>();

  constructor(
    private readonly state: EmulatorState,
    private readonly models: ModelAccess,
    private readonly processingMs: number,
    private readonly resultsUrl: (id: string) => string,
  ) {}

  get size(): number {
    return this.batches.size;
  }

  clear(): void {
    this.batches.clear();
  }

  create(requests: BatchRequest[]) {
    const batch: StoredBatch = {
      id: this.state.ids.batch(),
      createdAt: this.state.clock.now(),
      cancelAt: undefined,
      endedAt: undefined,
      requests,
      outcomes: { succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      results: undefined,
    };
    this.batches.set(batch.id, batch);
    return this.view(batch);
  }

  retrieve(id: string) {
    const batch = this.batches.get(id);
    return batch ? this.view(batch) : undefined;
  }

  /** Newest first. */
  list() {
    return [...this.batches.values()].reverse().map((batch) => this.view(batch));
  }

  cancel(id: string) {
    const batch = this.batches.get(id);
    if (!batch) return undefined;
    this.advance(batch);
    if (batch.endedAt === undefined && batch.cancelAt === undefined) batch.cancelAt = this.state.clock.now();
    return this.view(batch);
  }

  /** "deleted", "missing", or "in_progress" (only ended batches can be deleted). */
  delete(id: string): "deleted" | "missing" | "in_progress" {
    const batch = this.batches.get(id);
    if (!batch) return "missing";
    this.advance(batch);
    if (batch.endedAt === undefined) return "in_progress";
    this.batches.delete(id);
    return "deleted";
  }

  results(id: string): { found: false } | { found: true; jsonl: string | undefined } {
    const batch = this.batches.get(id);
    if (!batch) return { found: false };
    this.advance(batch);
    return { found: true, jsonl: batch.results };
  }

  private view(batch: StoredBatch) {
    this.advance(batch);
    const ended = batch.endedAt !== undefined;
    return {
      id: batch.id,
      type: "message_batch" as const,
      processing_status: ended ? "ended" : batch.cancelAt !== undefined ? "canceling" : "in_progress",
      request_counts: {
        processing: ended ? 0 : batch.requests.length,
        succeeded: batch.outcomes.succeeded,
        errored: batch.outcomes.errored,
        canceled: batch.outcomes.canceled,
        expired: batch.outcomes.expired,
      },
      ended_at: iso(batch.endedAt),
      created_at: iso(batch.createdAt) as string,
      expires_at: iso(batch.createdAt + DAY_MS) as string,
      archived_at: null,
      cancel_initiated_at: iso(batch.cancelAt),
      results_url: ended ? this.resultsUrl(batch.id) : null,
    };
  }

  private advance(batch: StoredBatch): void {
    if (batch.endedAt !== undefined) return;
    const now = this.state.clock.now();
    const cancelDone = batch.cancelAt !== undefined ? batch.cancelAt + Math.min(100, this.processingMs) : Number.POSITIVE_INFINITY;
    const processed = batch.createdAt + this.processingMs;
    if (now >= cancelDone && cancelDone <= processed) this.finish(batch, cancelDone, true);
    else if (now >= processed) this.finish(batch, processed, false);
  }

  private finish(batch: StoredBatch, endedAt: number, canceled: boolean): void {
    const lines = batch.requests.map((request) => {
      const result = canceled ? { type: "canceled" as const } : this.answer(request.params);
      batch.outcomes[result.type] += 1;
      return JSON.stringify({ custom_id: request.custom_id, result });
    });
    batch.results = `${lines.join("\n")}\n`;
    batch.endedAt = endedAt;
  }

  private answer(params: unknown) {
    const errored = (message: string, type = "invalid_request_error") => ({
      type: "errored" as const,
      error: { type: "error", error: { type, message }, request_id: null },
    });
    const parsed = messagesRequestSchema.safeParse(params);
    if (!parsed.success) return errored(describeIssues(parsed.error));
    const body = parsed.data;
    if (body.stream) return errored("stream: batch requests cannot use streaming");
    const problem = checkPrompt(body);
    if (problem) return errored(problem);
    const lookup = this.models.anthropic(body.model);
    if (!lookup.ok) return errored(`model: ${body.model}`, "not_found_error");
    const exchange = prepareExchange(this.state, body, lookup.model);
    const limit = modelLimitProblem(body, lookup.model, exchange.totalInputTokens);
    if (limit) return errored(limit);
    commitExchange(this.state, exchange);
    const usage = usageObject(exchange.usage, "anthropic-batch");
    return { type: "succeeded" as const, message: buildMessage(this.state.ids.message(), lookup.model.responseId, exchange.reply, usage, "anthropic") };
  }
}
