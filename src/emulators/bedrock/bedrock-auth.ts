/**
 * Bedrock authentication: SigV4 (service `bedrock`, the emulator's region) against the
 * configured AWS credentials, or `Authorization: Bearer <Bedrock API key>`.
 */
import type { FastifyRequest } from "fastify";
import type { BedrockErrorType } from "./errors.js";
import { rawBody } from "../shared/http-server.js";
import { verifySigV4, type AwsCredential } from "./sigv4-verifier.js";

export type BedrockAuth = { ok: true } | { ok: false; type: BedrockErrorType; message: string };

export interface BedrockAuthConfig {
  region: string;
  credentials: readonly AwsCredential[];
  bearerTokens: ReadonlySet<string>;
  now(): number;
}

function headerPairs(request: FastifyRequest): [string, string][] {
  const raw = request.raw.rawHeaders;
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) pairs.push([raw[index] ?? "", raw[index + 1] ?? ""]);
  return pairs;
}

export function authenticateBedrock(request: FastifyRequest, config: BedrockAuthConfig): BedrockAuth {
  const authorization = request.headers.authorization;
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (bearer !== undefined) {
    return config.bearerTokens.has(bearer) ? { ok: true } : { ok: false, type: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  }
  const result = verifySigV4(
    { method: request.method, target: request.raw.url ?? request.url, headers: headerPairs(request), body: rawBody(request) },
    {
      region: config.region,
      service: "bedrock",
      now: config.now(),
      findCredential: (id) => config.credentials.find((credential) => credential.accessKeyId === id),
    },
  );
  return result.ok ? { ok: true } : { ok: false, type: result.errorType, message: result.message };
}
