/**
 * Anthropic Messages request -> Bedrock InvokeModel body.
 * Bedrock refuses `model` and `stream` ("extraneous key [stream] is not permitted"), needs
 * anthropic_version "bedrock-2023-05-31", and takes betas in the body as `anthropic_beta`.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 */
export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

export function toInvokeBody(body: Record<string, unknown>, betas: readonly string[]): Record<string, unknown> {
  const { model: _model, stream: _stream, ...rest } = body;
  // The version is Bedrock's own, whatever the body says ("2023-06-01" is the Anthropic API's).
  return {
    ...rest,
    anthropic_version: BEDROCK_ANTHROPIC_VERSION,
    ...(betas.length > 0 ? { anthropic_beta: betas } : {}),
  };
}
