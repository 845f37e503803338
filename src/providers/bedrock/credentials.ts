/**
 * Where Bedrock credentials come from: the AWS SDK's default provider chain (environment,
 * shared files, SSO, web identity, ECS, IMDS), named environment variables, or a Bedrock API
 * key sent as a bearer token. Never from the config file itself.
 */
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { ProviderConfig } from "../../config/gateway-config.js";
import { UpstreamError } from "../upstream-error.js";
import { requireEnv } from "../shared/env-secret.js";

export type BedrockAuth =
  | { kind: "sigv4"; credentials: () => Promise<AwsCredentialIdentity> }
  | { kind: "bearer"; token: () => string };

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** Caches chain credentials until five minutes before they expire. */
function cached(provider: () => Promise<AwsCredentialIdentity>): () => Promise<AwsCredentialIdentity> {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const fresh = current && (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS);
    if (fresh && current) return current;
    pending ??= provider()
      .then((credentials) => (current = credentials))
      .finally(() => (pending = undefined));
    return pending;
  };
}

/** The environment variables the credentials are read from (none for the AWS chain: it has other sources too). */
export function bedrockSecretEnv(config: Extract<ProviderConfig, { kind: "bedrock" }>): string[] {
  const source = config.credentials;
  if (source === "aws-chain") return [];
  if ("bearer_token_env" in source) return [source.bearer_token_env];
  return [source.access_key_id_env, source.secret_access_key_env];
}

/**
 * @param makeChain the default chain's factory (a test's stand-in). The chain gets the provider's
 *   region for the STS client some of its sources use (assume-role profiles, web identity): left to
 *   itself, that client takes AWS_REGION, the config file, else us-east-1, and a GovCloud role
 *   cannot be assumed through commercial STS (InvalidClientTokenId).
 */
export function bedrockAuth(
  name: string,
  config: Extract<ProviderConfig, { kind: "bedrock" }>,
  env: NodeJS.ProcessEnv,
  makeChain: typeof fromNodeProviderChain = fromNodeProviderChain,
): BedrockAuth {
  const source = config.credentials;
  if (source === "aws-chain") {
    const chain = makeChain({ clientConfig: { region: config.region } });
    return {
      kind: "sigv4",
      credentials: cached(async () => {
        try {
          return await chain();
        } catch (error) {
          throw new UpstreamError("upstream_auth", `${name}: no AWS credentials from the default chain: ${(error as Error).message}`);
        }
      }),
    };
  }
  if ("bearer_token_env" in source) {
    return {
      kind: "bearer",
      token: () => requireEnv(env, source.bearer_token_env, name),
    };
  }
  return {
    kind: "sigv4",
    credentials: async () => {
      const accessKeyId = env[source.access_key_id_env];
      const secretAccessKey = env[source.secret_access_key_env];
      if (!accessKeyId || !secretAccessKey) {
        throw new UpstreamError("upstream_auth", `${name}: set ${source.access_key_id_env} and ${source.secret_access_key_env}`);
      }
      const sessionToken = source.session_token_env ? env[source.session_token_env] : undefined;
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    },
  };
}
