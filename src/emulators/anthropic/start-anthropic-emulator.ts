/**
 * The local Anthropic API: `startAnthropicEmulator(options)` starts it on 127.0.0.1 (any free
 * port by default) and returns its URL, credentials check and controls. Used by tests,
 * benchmarks, the gateway's demo mode and `switchyard emulate anthropic`.
 */
import { registerAdminRoutes } from "../shared/admin-routes.js";
import { catalogModels } from "../shared/default-model-access.js";
import { initialProfile, type CommonEmulatorOptions, type RunningEmulator } from "../shared/emulator-options.js";
import { EmulatorState } from "../shared/emulator-state.js";
import { createEmulatorApp, listen } from "../shared/http-server.js";
import { BatchStore } from "./batch-store.js";
import { BATCH_BODY_LIMIT, registerBatchRoutes } from "./batches-route.js";
import { FileStore } from "./file-store.js";
import { registerFilesRoutes } from "./files-route.js";
import type { AnthropicContext } from "./context.js";
import { registerCountTokensRoute } from "./count-tokens-route.js";
import { errorBody, sendAnthropicError } from "./errors.js";
import { registerMessagesRoute } from "./messages-route.js";
import { registerModelsRoutes } from "./models-route.js";
import { applyCommonHeaders } from "./response-headers.js";

export const DEFAULT_ANTHROPIC_KEY = "sk-emulator";

export interface AnthropicEmulatorOptions extends CommonEmulatorOptions {
  /** Keys accepted as x-api-key or Bearer. Default ["sk-emulator"]. */
  apiKeys?: string[];
  /** How long a message batch takes to end, in clock milliseconds. Default 1000. */
  batchProcessingMs?: number;
  /**
   * Claude Platform on AWS: every API request must name one of these workspaces in
   * `anthropic-workspace-id`. Default: no such header is asked for (the Anthropic API).
   */
  workspaceIds?: string[];
  /**
   * Uploaded files may be downloaded (GET /v1/files/{id}/content). The API lets only files that
   * skills or the code execution tool created be downloaded; this stands in for those. Default false.
   */
  uploadsDownloadable?: boolean;
}

export async function startAnthropicEmulator(options: AnthropicEmulatorOptions = {}): Promise<RunningEmulator> {
  const profile = initialProfile(options);
  const state = new EmulatorState({ provider: "anthropic", ...(profile !== undefined ? { profile } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  let baseUrl = "";
  const models = options.models ?? catalogModels();
  const batches = new BatchStore(state, models, options.batchProcessingMs ?? 1000, (id) => `${baseUrl}/v1/messages/batches/${id}/results`);
  const files = new FileStore(state, options.uploadsDownloadable ?? false);
  const context: AnthropicContext = {
    state,
    models,
    keys: new Set(options.apiKeys ?? [DEFAULT_ANTHROPIC_KEY]),
    ...(options.workspaceIds ? { workspaceIds: new Set(options.workspaceIds) } : {}),
    batches,
    files,
    baseUrl: () => baseUrl,
  };

  const app = createEmulatorApp(state, BATCH_BODY_LIMIT);
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const requestId = state.ids.request();
    if (error.statusCode === 413) return sendAnthropicError(reply, requestId, 413, "Request exceeds the maximum allowed number of bytes.");
    if (error.statusCode !== undefined && error.statusCode < 500) return sendAnthropicError(reply, requestId, error.statusCode, error.message);
    return sendAnthropicError(reply, requestId, 500, "Internal server error");
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).header("content-type", "application/json").send(JSON.stringify(errorBody("not_found_error", "Not Found", state.ids.request()))),
  );
  // Rate-limit headers describe the buckets after this request was counted, so set them last.
  app.addHook("onSend", (request, reply, payload, done) => {
    const requestId = reply.getHeader("request-id");
    if (typeof requestId === "string" && !request.url.startsWith("/_emulator")) applyCommonHeaders(reply, state, requestId);
    done(null, payload);
  });
  registerMessagesRoute(app, context);
  registerCountTokensRoute(app, context);
  registerModelsRoutes(app, context);
  registerBatchRoutes(app, context);
  registerFilesRoutes(app, context, files);
  registerAdminRoutes(app, state, {
    extraState: () => ({ batches: batches.size, files: files.size }),
    onReset: () => {
      batches.clear();
      files.clear();
    },
  });

  const server = await listen(app, options);
  baseUrl = server.url;
  return {
    provider: "anthropic",
    url: server.url,
    port: server.port,
    close: server.close,
    setProfile: (update) => state.setProfile(update),
    state: () => ({ ...state.snapshot(), batches: batches.size, files: files.size }),
    reset: () => {
      state.reset();
      batches.clear();
      files.clear();
    },
  };
}
