/**
 * The Anthropic-specific parts of the Messages and count_tokens bodies (model, stream, …) on top
 * of the shared prompt schema. Unknown top-level keys are refused as the API does
 * ("x: Extra inputs are not permitted") except on a beta call (`?beta=true`, or an `anthropic-beta`
 * header: context.ts isBeta), where new fields appear first.
 */
import { z } from "zod";
import { promptShape, type PromptRequest } from "../shared/messages-request.js";

const anthropicShape = {
  ...promptShape,
  model: z.string().min(1),
  stream: z.boolean().optional(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  inference_geo: z.string().nullish(),
  speed: z.enum(["standard", "fast"]).nullish(),
  container: z.unknown().optional(),
  diagnostics: z.unknown().optional(),
  user_profile_id: z.string().optional(),
  workspace_id: z.string().optional(),
};

export const messagesRequestSchema = z.strictObject(anthropicShape);
export const betaMessagesRequestSchema = z.looseObject({
  ...anthropicShape,
  context_management: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

const { max_tokens: _max, stop_sequences: _stops, temperature: _t, top_p: _p, top_k: _k, metadata: _m, ...countShape } = promptShape;

export const countTokensRequestSchema = z.strictObject({
  ...countShape,
  model: z.string().min(1),
});
export const betaCountTokensRequestSchema = z.looseObject({ ...countShape, model: z.string().min(1), context_management: z.unknown().optional() });
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

/** count_tokens has no max_tokens; the shared checks need one, so give one that never binds. */
export function asPrompt(request: CountTokensRequest): PromptRequest {
  return { ...request, max_tokens: Number.MAX_SAFE_INTEGER };
}
