/** The Anthropic API: x-api-key, near pass-through. https://platform.claude.com/docs/en/api/overview */
import type { ProviderFactory } from "../registry-types.js";
import { AnthropicShapeClient } from "../shared/anthropic-shape-client.js";
import { requireEnv } from "../shared/env-secret.js";

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
