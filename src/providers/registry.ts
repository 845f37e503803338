/** Provider kinds -> factories and the secrets they read. Adding a provider: one folder plus a line in each switch here. */
import type { Agent } from "undici";
import type { ProviderConfig } from "../config/gateway-config.js";
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import { anthropicSecretEnv, createAnthropicProvider } from "./anthropic/index.js";
import { bedrockSecretEnv } from "./bedrock/credentials.js";
import { createBedrockProvider } from "./bedrock/index.js";
import { claudePlatformAwsSecretEnv, createClaudePlatformAwsProvider } from "./claude-platform-aws/index.js";
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

/** The environment variables a provider's client reads its secrets from. */
export function providerSecretEnv(config: ProviderConfig): string[] {
  switch (config.kind) {
    case "anthropic":
      return anthropicSecretEnv(config);
    case "bedrock":
      return bedrockSecretEnv(config);
    case "claude-platform-aws":
      return claudePlatformAwsSecretEnv(config);
  }
}

/**
 * The secrets the providers some deployment (or the Files API) uses would read that the environment lacks
 * ("providers.<name>: VAR is not set"). Checked when serve starts: found out on the first request
 * instead, every request to that provider would fail over or fail.
 */
export function missingProviderSecrets(resolved: ResolvedConfig, env: NodeJS.ProcessEnv): string[] {
  const used = new Set([...resolved.deployments.values()].map((deployment) => deployment.providerName));
  // The files provider serves /v1/files whether or not a deployment uses it.
  if (resolved.files.provider !== undefined) used.add(resolved.files.provider);
  return [...used].flatMap((name) => {
    const provider = resolved.config.providers[name];
    return provider ? providerSecretEnv(provider).filter((variable) => !env[variable]).map((variable) => `providers.${name}: ${variable} is not set`) : [];
  });
}
