/**
 * The local Bedrock Runtime: `startBedrockEmulator(options)` serves InvokeModel,
 * InvokeModelWithResponseStream, Converse and ConverseStream for one region, checking SigV4
 * (service `bedrock`) or Bedrock API keys. Point clients at it with `endpoint` (AWS SDK) or
 * `baseURL` (@anthropic-ai/bedrock-sdk).
 */
import { registerAdminRoutes } from "../shared/admin-routes.js";
import { catalogModels } from "../shared/default-model-access.js";
import { initialProfile, type CommonEmulatorOptions, type RunningEmulator } from "../shared/emulator-options.js";
import { EmulatorState } from "../shared/emulator-state.js";
import { createEmulatorApp, listen } from "../shared/http-server.js";
import type { BedrockContext } from "./context.js";
import { sendBedrockError } from "./errors.js";
import { BEDROCK_BODY_LIMIT, registerModelRoute } from "./model-route.js";
import type { AwsCredential } from "./sigv4-verifier.js";

/** The AWS documentation's example key pair: obviously not a real credential. */
export const DEFAULT_BEDROCK_CREDENTIALS: AwsCredential = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
export const DEFAULT_BEDROCK_API_KEY = "bedrock-api-key-emulator";

export interface BedrockEmulatorOptions extends CommonEmulatorOptions {
  /** Default us-east-1: the region clients must sign for and whose models are served. */
  region?: string;
  /** Accepted SigV4 credentials. Default: AKIDEXAMPLE / the AWS example secret. */
  credentials?: AwsCredential[];
  /** Accepted `Authorization: Bearer` Bedrock API keys. Default ["bedrock-api-key-emulator"]. */
  apiKeys?: string[];
}

export async function startBedrockEmulator(options: BedrockEmulatorOptions = {}): Promise<RunningEmulator> {
  const profile = initialProfile(options);
  const state = new EmulatorState({ provider: "bedrock", ...(profile !== undefined ? { profile } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  const region = options.region ?? "us-east-1";
  const context: BedrockContext = {
    state,
    models: options.models ?? catalogModels(),
    region,
    auth: {
      region,
      credentials: options.credentials ?? [DEFAULT_BEDROCK_CREDENTIALS],
      bearerTokens: new Set(options.apiKeys ?? [DEFAULT_BEDROCK_API_KEY]),
      // Signatures are checked against wall-clock time even when the emulator's clock is injected.
      now: () => Date.now(),
    },
  };

  const app = createEmulatorApp(state, BEDROCK_BODY_LIMIT);
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode === 413) return sendBedrockError(reply, "ValidationException", "Input is too long for requested model.", 413);
    if (error.statusCode !== undefined && error.statusCode < 500) return sendBedrockError(reply, "ValidationException", error.message, error.statusCode);
    return sendBedrockError(reply, "InternalServerException");
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).header("x-amzn-errortype", "UnknownOperationException").header("content-type", "application/json").send('{"message":null}'),
  );
  registerModelRoute(app, context);
  registerAdminRoutes(app, state, { extraState: () => ({ region }) });

  const server = await listen(app, options);
  return {
    provider: "bedrock",
    url: server.url,
    port: server.port,
    close: server.close,
    setProfile: (update) => state.setProfile(update),
    state: () => ({ ...state.snapshot(), region }),
    reset: () => state.reset(),
  };
}
