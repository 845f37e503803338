/**
 * POST /v1/messages/count_tokens -> {"input_tokens": N}
 * (https://platform.claude.com/docs/en/api/messages-count-tokens). Uses the same counting as
 * /v1/messages, so N equals input + cache reads + cache writes of the same prompt's reply. A beta
 * count with `context_management` also answers `context_management: {original_input_tokens}` (the
 * SDK's BetaMessageTokensCount); no edit is applied, so that is N too.
 */
import type { FastifyInstance } from "fastify";
import { parseJson, rawBody } from "../shared/http-server.js";
import { describeIssues } from "../shared/messages-request.js";
import { layoutPrompt } from "../shared/prompt-layout.js";
import { checkPrompt } from "../shared/prompt-rules.js";
import { beginRequest, isBeta, type AnthropicContext } from "./context.js";
import { sendAnthropicError } from "./errors.js";
import { headerValues } from "../../util/header-values.js";
import { fileSourceProblem } from "./file-sources.js";
import { asPrompt, betaCountTokensRequestSchema, countTokensRequestSchema } from "./message-request.js";
import { MESSAGES_BODY_LIMIT } from "./messages-route.js";

export function registerCountTokensRoute(app: FastifyInstance, context: AnthropicContext): void {
  app.post("/v1/messages/count_tokens", { bodyLimit: MESSAGES_BODY_LIMIT }, async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "count_tokens");
    if (!requestId) return reply;
    const json = parseJson(rawBody(request));
    if (!json.ok) return sendAnthropicError(reply, requestId, 400, `There was an error parsing the body of your request: ${json.message}`);
    const parsed = (isBeta(request) ? betaCountTokensRequestSchema : countTokensRequestSchema).safeParse(json.value);
    if (!parsed.success) return sendAnthropicError(reply, requestId, 400, describeIssues(parsed.error));
    const prompt = asPrompt(parsed.data);
    const problem = checkPrompt(prompt);
    if (problem) return sendAnthropicError(reply, requestId, 400, problem);
    const fileProblem = fileSourceProblem(prompt.messages, headerValues(request.headers["anthropic-beta"]), context.files);
    if (fileProblem) return sendAnthropicError(reply, requestId, fileProblem.status, fileProblem.message);
    const lookup = context.models.anthropic(parsed.data.model);
    if (!lookup.ok) return sendAnthropicError(reply, requestId, 404, `model: ${parsed.data.model}`);
    const layout = layoutPrompt(prompt, lookup.model.id);
    const managed = "context_management" in parsed.data && parsed.data.context_management !== undefined;
    const answer = managed ? { input_tokens: layout.totalTokens, context_management: { original_input_tokens: layout.totalTokens } } : { input_tokens: layout.totalTokens };
    return reply.code(200).header("content-type", "application/json").send(JSON.stringify(answer));
  });
}
