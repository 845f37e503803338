/**
 * A gateway config's providers for the built-in emulators: the Anthropic API emulator as
 * `anthropic-emulator` and the Bedrock Runtime emulator as `bedrock-emulator` (us-east-1, SigV4),
 * each reading its secret from the environment as every provider does. Used by `npm start`'s
 * generated config (cli/demo-setup.ts), the warm-up (gateway/warm-up.ts) and the tests' harness.
 */
import { DEFAULT_ANTHROPIC_KEY } from "../anthropic/start-anthropic-emulator.js";
import { DEFAULT_BEDROCK_CREDENTIALS } from "../bedrock/start-bedrock-emulator.js";

/** The `providers:` entries (indented two spaces) for emulators at these URLs; `envPrefix` names their secrets' variables. */
export function emulatorProviderLines(urls: { anthropic: string; bedrock: string }, envPrefix: string): string[] {
  return [
    `  anthropic-emulator: { kind: anthropic, base_url: "${urls.anthropic}", api_key_env: ${envPrefix}ANTHROPIC_KEY }`,
    "  bedrock-emulator:",
    "    kind: bedrock",
    "    region: us-east-1",
    `    endpoint: "${urls.bedrock}"`,
    `    credentials: { access_key_id_env: ${envPrefix}AWS_ACCESS_KEY_ID, secret_access_key_env: ${envPrefix}AWS_SECRET_ACCESS_KEY }`,
  ];
}

/** The emulators' secrets, under the variable names emulatorProviderLines gives with the same prefix. */
export function emulatorSecrets(envPrefix: string): Record<string, string> {
  return {
    [`${envPrefix}ANTHROPIC_KEY`]: DEFAULT_ANTHROPIC_KEY,
    [`${envPrefix}AWS_ACCESS_KEY_ID`]: DEFAULT_BEDROCK_CREDENTIALS.accessKeyId,
    [`${envPrefix}AWS_SECRET_ACCESS_KEY`]: DEFAULT_BEDROCK_CREDENTIALS.secretAccessKey,
  };
}
