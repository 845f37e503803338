import { UpstreamError } from "../upstream-error.js";

/** A secret from the environment (never from the config file); missing is the gateway's credential problem, not the client's. */
export function requireEnv(env: NodeJS.ProcessEnv, variable: string, who: string): string {
  const value = env[variable];
  if (!value) throw new UpstreamError("upstream_auth", `${who}: environment variable ${variable} is not set`);
  return value;
}
