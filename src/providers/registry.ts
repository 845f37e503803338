/** Provider kinds -> factories. Adding a provider: one folder plus one line here. */
import type { Agent } from "undici";
import type { ProviderConfig } from "../config/gateway-config.js";
import { createAnthropicProvider } from "./anthropic/index.js";
import { createBedrockProvider } from "./bedrock/index.js";
import { createClaudePlatformAwsProvider } from "./claude-platform-aws/index.js";
import type { ProviderClient } from "./provider.js";

export function createProviderClient(name: string, config: ProviderConfig, env: NodeJS.ProcessEnv, agent: Agent): ProviderClient {
  switch (config.kind) {
    case "anthropic":
      return createAnthropicProvider({ name, config, env, agent });
    case "bedrock":
      return createBedrockProvider({ name, config, env, agent });
    case "claude-platform-aws":
      return createClaudePlatformAwsProvider({ name, config, env, agent });
  }
}
