/**
 * Claude Platform on AWS: Anthropic's own API behind AWS authentication and AWS Marketplace
 * billing (CCUs). Same request and response shapes as the Anthropic API; a workspace API key
 * is presented as a bearer token (SigV4 is the other documented method), and every request names
 * its workspace in `anthropic-workspace-id` ("a required anthropic-workspace-id header").
 * https://docs.aws.amazon.com/claude-platform/latest/userguide/authentication.html
 * https://docs.aws.amazon.com/claude-platform/latest/userguide/making-requests.html
 */
import type { ProviderFactory, ProviderFactoryInput } from "../registry-types.js";
import { AnthropicShapeClient } from "../shared/anthropic-shape-client.js";
import { requireEnv } from "../shared/env-secret.js";

/** The environment variables this provider's secrets (and its workspace id) are read from. */
export const claudePlatformAwsSecretEnv = (config: ProviderFactoryInput<"claude-platform-aws">["config"]): string[] => [config.api_key_env, config.workspace_id_env];

export const createClaudePlatformAwsProvider: ProviderFactory<"claude-platform-aws"> = ({ name, config, env, agent }) => {
  const baseUrl = (config.base_url ?? `https://aws-external-anthropic.${config.region}.api.aws`).replace(/\/$/, "");
  return new AnthropicShapeClient({
    kind: "claude-platform-aws",
    baseUrl,
    agent,
    who: name,
    authHeaders: () => ({
      authorization: `Bearer ${requireEnv(env, config.api_key_env, name)}`,
      "anthropic-workspace-id": requireEnv(env, config.workspace_id_env, name),
    }),
  });
};
