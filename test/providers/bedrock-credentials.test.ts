/** Where Bedrock's credentials come from (src/providers/bedrock/credentials.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { bedrockAuth } from "../../src/providers/bedrock/credentials.js";
import { providerSecretEnv } from "../../src/providers/registry.js";
import { UpstreamError } from "../../src/providers/upstream-error.js";

test("the default chain's STS client gets the provider's region (a GovCloud role cannot be assumed through commercial STS), and its credentials are cached", async () => {
  const inits: unknown[] = [];
  let calls = 0;
  const makeChain = ((init: unknown) => {
    inits.push(init);
    return async () => {
      calls += 1;
      return { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", expiration: new Date(Date.now() + 3_600_000) };
    };
  }) as unknown as typeof fromNodeProviderChain;
  const auth = bedrockAuth("bedrock-gov", { kind: "bedrock", region: "us-gov-west-1", credentials: "aws-chain", api: "invoke" }, {}, makeChain);
  assert.deepEqual(inits, [{ clientConfig: { region: "us-gov-west-1" } }]);
  assert.equal(auth.kind, "sigv4");
  if (auth.kind !== "sigv4") return;
  assert.equal((await auth.credentials()).accessKeyId, "AKIDEXAMPLE");
  await auth.credentials();
  assert.equal(calls, 1, "cached until five minutes before they expire");
});

test("a chain that finds nothing is the gateway's credentials failing (upstream_auth: another deployment may serve), named", async () => {
  const makeChain = (() => async () => {
    throw new Error("Could not load credentials from any providers");
  }) as unknown as typeof fromNodeProviderChain;
  const auth = bedrockAuth("bedrock-x", { kind: "bedrock", region: "us-east-1", credentials: "aws-chain", api: "invoke" }, {}, makeChain);
  assert.equal(auth.kind, "sigv4");
  if (auth.kind !== "sigv4") return;
  await assert.rejects(auth.credentials(), (error: unknown) => error instanceof UpstreamError && error.kind === "upstream_auth" && /bedrock-x: no AWS credentials from the default chain: Could not load/.test(error.message));
});

test("the secrets serve checks at start are the ones each kind of credentials reads", () => {
  const bedrock = (credentials: Parameters<typeof bedrockAuth>[1]["credentials"]) => providerSecretEnv({ kind: "bedrock", region: "us-east-1", credentials, api: "invoke" });
  assert.deepEqual(bedrock("aws-chain"), [], "the chain has sources besides the environment");
  assert.deepEqual(bedrock({ bearer_token_env: "AWS_BEARER_TOKEN_BEDROCK" }), ["AWS_BEARER_TOKEN_BEDROCK"]);
  assert.deepEqual(bedrock({ access_key_id_env: "KEY_ID", secret_access_key_env: "SECRET" }), ["KEY_ID", "SECRET"]);
  assert.deepEqual(providerSecretEnv({ kind: "claude-platform-aws", region: "us-east-1", api_key_env: "K", workspace_id_env: "W" }), ["K", "W"]);
  assert.deepEqual(providerSecretEnv({ kind: "anthropic", base_url: "https://api.anthropic.com", api_key_env: "ANTHROPIC_API_KEY" }), ["ANTHROPIC_API_KEY"]);
});
