/**
 * Why a server the CLI starts (the gateway, an emulator) could not listen, naming where the address
 * came from (a flag, or the config's listen section): bad input (exit 2) where that address is
 * wrong, a failure (exit 1) where the fault is elsewhere (a resolver that cannot answer now).
 */
import { UsageError } from "./usage-error.js";
import { errorCode } from "../util/error-code.js";

export interface ListenAt {
  host: string;
  port: number;
  /** Where the host came from: "--host", or "listen.host in the config". */
  hostFrom: string;
  /** How to choose another port: "--port N, or --port 0 for any free one". */
  portHow: string;
}

export function listenError(error: unknown, at: ListenAt): unknown {
  const code = errorCode(error);
  const { host, port, hostFrom, portHow } = at;
  if (code === "EADDRINUSE") return new UsageError(`${host}:${port} is already in use`, `stop what listens there, or choose another port (${portHow})`);
  if (code === "EADDRNOTAVAIL") return new UsageError(`cannot listen on ${host}:${port}: ${host} is not an address of this machine (${hostFrom})`, "give 127.0.0.1, ::1, or 0.0.0.0 for every interface");
  if (code === "ENOTFOUND") return new UsageError(`cannot listen on ${JSON.stringify(host)} (${hostFrom}): no such host (the name does not resolve)`, "give an address of this machine, e.g. 127.0.0.1 or localhost");
  if (code === "EACCES") return new UsageError(`cannot listen on ${host}:${port}: ports below 1024 need privileges`, `give a port from 1024 up (${portHow})`);
  // A lookup that failed for now (EAI_AGAIN: no DNS answer) is not bad input: a failure, still naming where the host came from.
  if (error instanceof Error && code.startsWith("EAI_")) error.message = `cannot listen on ${host} (${hostFrom}): the name could not be resolved (${error.message}); try again, or give an IP address`;
  return error;
}
