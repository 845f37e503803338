/**
 * Anthropic authentication: `x-api-key`, or `Authorization: Bearer` (the SDK's authToken, and
 * since @anthropic-ai/sdk 1.x its apiKey too), checked against the keys the emulator was started with.
 */
import type { FastifyRequest } from "fastify";

export type AuthResult = { ok: true; key: string } | { ok: false; message: string };

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function authenticate(request: FastifyRequest, keys: ReadonlySet<string>): AuthResult {
  const apiKey = headerValue(request, "x-api-key");
  const authorization = headerValue(request, "authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  const presented = apiKey ?? bearer;
  if (presented === undefined) return { ok: false, message: "x-api-key header is required" };
  // The API says "invalid x-api-key" however the key came (SDK 1.x sends keys as Bearer).
  if (!keys.has(presented)) return { ok: false, message: "invalid x-api-key" };
  return { ok: true, key: presented };
}

/** `anthropic-version` is required; any date-shaped version is accepted (SDKs send newer ones). */
export function versionProblem(request: FastifyRequest): string | undefined {
  const version = headerValue(request, "anthropic-version");
  if (version === undefined) return "anthropic-version: header is required";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return `anthropic-version: ${JSON.stringify(version)} is not a valid version`;
  return undefined;
}

/**
 * Claude Platform on AWS: every request names its workspace in `anthropic-workspace-id` (AWS's
 * "Making requests" page). The messages are the emulator's own; the real service's wording is
 * not documented.
 */
export function workspaceProblem(request: FastifyRequest, workspaceIds: ReadonlySet<string>): { status: 400 | 403; message: string } | undefined {
  const workspace = headerValue(request, "anthropic-workspace-id");
  if (workspace === undefined || workspace === "") return { status: 400, message: "anthropic-workspace-id: header is required" };
  if (!workspaceIds.has(workspace)) return { status: 403, message: `anthropic-workspace-id: ${JSON.stringify(workspace)} is not a workspace this key may use` };
  return undefined;
}
