/**
 * A 400 that says the upstream does not accept a field of the request, in the two wordings seen:
 *  - Bedrock InvokeModel's JSON-schema check: "Malformed input request: #: extraneous key [chat_id]
 *    is not permitted, please reformat your input and try again." (BerriAI/litellm#7416; a nested
 *    key is reported under its parent's JSON pointer, "#/messages/0: extraneous key [x] …");
 *  - the model's own check, from the Anthropic API or passed on by Bedrock: "output_config.effort:
 *    Extra inputs are not permitted" (anthropics/claude-code-action#1005), "The model returned the
 *    following errors: reasoning: Extra inputs are not permitted" (BerriAI/litellm#13609).
 * Such a request is not wrong as such: another deployment of the model (the Anthropic API, where
 * new fields arrive first) may take it. Fields are dotted paths as the upstream wrote them; array
 * indexes stay as numbers ("messages.0.foo"), and the model's check may name a block's kind
 * ("tools.11.custom.defer_loading"): routing/field-refusals.ts maps them onto the body.
 */
const EXTRANEOUS_KEY = /#((?:\/[^:/\s]+)*): extraneous key \[([^\]\s]+)\] is not permitted/g;
const EXTRA_INPUTS = /([A-Za-z0-9_.\-]+): Extra inputs are not permitted/g;

/** The fields an upstream's error message says it does not accept, in the order named; none: []. */
export function refusedFields(message: string): string[] {
  const fields: string[] = [];
  for (const match of message.matchAll(EXTRANEOUS_KEY)) {
    const parent = (match[1] ?? "").split("/").filter((segment) => segment.length > 0);
    fields.push([...parent, match[2] as string].join("."));
  }
  for (const match of message.matchAll(EXTRA_INPUTS)) fields.push(match[1] as string);
  return [...new Set(fields)];
}
