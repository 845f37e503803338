/** The Anthropic API: x-api-key, near pass-through. https://platform.claude.com/docs/en/api/overview */
import type { ProviderFactory } from "../registry-types.js";
import { AnthropicShapeClient } from "../shared/anthropic-shape-client.js";
import { UpstreamError } from "../upstream-error.js";

export const createAnthropicProvider: ProviderFactory<"anthropic"> = ({ name, config, env, agent }) => {
  const baseUrl = config.base_url.replace(/\/$/, "");
  return new AnthropicShapeClient({
    kind: "anthropic",
    baseUrl,
    agent,
    who: name,
    authHeaders: async () => {
      const key = env[config.api_key_env];
      if (!key) throw new UpstreamError("upstream_auth", `${name}: environment variable ${config.api_key_env} is not set`);
      return { "x-api-key": key };
    },
  });
};
