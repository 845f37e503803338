/**
 * What every Anthropic route handler needs, and the checks every API request goes through
 * first: a request id, authentication and the version header.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorState } from "../shared/emulator-state.js";
import type { ModelAccess } from "../shared/model-access.js";
import { authenticate, versionProblem, workspaceProblem } from "./auth.js";
import type { BatchStore } from "./batch-store.js";
import type { FileStore } from "./file-store.js";
import { sendAnthropicError } from "./errors.js";

export interface AnthropicContext {
  state: EmulatorState;
  models: ModelAccess;
  keys: ReadonlySet<string>;
  /** Claude Platform on AWS: the workspaces a request may name in anthropic-workspace-id (absent: not asked for). */
  workspaceIds?: ReadonlySet<string>;
  batches: BatchStore;
  /** Files uploaded to this emulator (its workspace). */
  files: FileStore;
  /** The emulator's own base URL (for batch results_url). */
  baseUrl(): string;
}

/** Returns the request id, or undefined when an error reply has already been sent. */
export function beginRequest(context: AnthropicContext, request: FastifyRequest, reply: FastifyReply, route: string): string | undefined {
  const requestId = context.state.ids.request();
  context.state.counters.route(route);
  // The rate-limit headers are added when the reply is sent (onSend hook, or before a stream's writeHead).
  reply.header("request-id", requestId);
  const auth = authenticate(request, context.keys);
  if (!auth.ok) {
    sendAnthropicError(reply, requestId, 401, auth.message);
    return undefined;
  }
  const version = versionProblem(request);
  if (version) {
    sendAnthropicError(reply, requestId, 400, version);
    return undefined;
  }
  const workspace = context.workspaceIds && workspaceProblem(request, context.workspaceIds);
  if (workspace) {
    sendAnthropicError(reply, requestId, workspace.status, workspace.message);
    return undefined;
  }
  return requestId;
}

/**
 * A call that may carry fields still in beta: the beta variant (`?beta=true`, what Claude Code
 * sends), or any call with an `anthropic-beta` header (the official SDK's `client.beta.messages`
 * posts to plain /v1/messages with the header, and its beta fields are accepted there).
 */
export function isBeta(request: FastifyRequest): boolean {
  const query = request.query as Record<string, unknown> | undefined;
  return query?.["beta"] === "true" || request.headers["anthropic-beta"] !== undefined;
}
