/** The Anthropic API: x-api-key, near pass-through. https://platform.claude.com/docs/en/api/overview */
import type { ProviderFactory, ProviderFactoryInput } from "../registry-types.js";
import { AnthropicShapeClient } from "../shared/anthropic-shape-client.js";
import { requireEnv } from "../shared/env-secret.js";

/** The environment variables this provider's secrets are read from. */
export const anthropicSecretEnv = (config: ProviderFactoryInput<"anthropic">["config"]): string[] => [config.api_key_env];

export const createAnthropicProvider: ProviderFactory<"anthropic"> = ({ name, config, env, agent }) => {
  const baseUrl = config.base_url.replace(/\/$/, "");
  return new AnthropicShapeClient({
    kind: "anthropic",
    baseUrl,
    agent,
    who: name,
    authHeaders: () => ({ "x-api-key": requireEnv(env, config.api_key_env, name) }),
  });
};
