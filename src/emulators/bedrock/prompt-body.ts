/**
 * The prompt inside a Bedrock body, for the model route and CountTokens alike: an InvokeModel
 * body (Bedrock's JSON-schema wording) or a Converse body (Converse's own wording), then the
 * prompt rules every operation applies.
 */
import type { PromptRequest } from "../shared/messages-request.js";
import { checkPrompt } from "../shared/prompt-rules.js";
import { conversePrompt, converseBodySchema, type ConverseBody } from "./converse-request.js";
import { parseInvokeBody } from "./invoke-body.js";

export type BedrockPrompt = { ok: true; prompt: PromptRequest; converse: ConverseBody | undefined } | { ok: false; message: string };

/** Converse reports a few rules in its own words; the rest come back as the model's errors. */
function converseRuleMessage(problem: string): string {
  if (problem.startsWith("messages: first message")) return "A conversation must start with a user message. Try again with a conversation that starts with a user message.";
  if (problem.startsWith("messages: roles must alternate")) {
    return "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.";
  }
  return `The model returned the following errors: ${problem}`;
}

/**
 * `maxOutputTokens` is the model's limit, Converse's max_tokens when inferenceConfig gives none.
 * `at` prefixes the path in a Converse validation message (CountTokens: "input.converse.").
 */
export function parseBedrockPrompt(api: "invoke" | "converse", value: unknown, maxOutputTokens: number, at = ""): BedrockPrompt {
  if (api === "invoke") {
    const parsed = parseInvokeBody(value);
    if (!parsed.ok) return parsed;
    const problem = checkPrompt(parsed.prompt);
    return problem ? { ok: false, message: problem } : { ok: true, prompt: parsed.prompt, converse: undefined };
  }
  const parsed = converseBodySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `1 validation error detected: Value at '${at}${issue?.path.map(String).join(".") ?? ""}' failed to satisfy constraint: ${issue?.message ?? "invalid"}` };
  }
  const mapped = conversePrompt(parsed.data, maxOutputTokens);
  if (!mapped.ok) return mapped;
  const problem = checkPrompt(mapped.prompt);
  return problem ? { ok: false, message: converseRuleMessage(problem) } : { ok: true, prompt: mapped.prompt, converse: parsed.data };
}
