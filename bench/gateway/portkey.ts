/**
 * The open-source Portkey gateway, installed for the benchmark only: into a directory of its own
 * under the system temp directory (never this project's package.json or node_modules).
 *
 * Pinned: @portkey-ai/gateway 1.15.2, with @hono/node-server overridden to 2.1.8. Portkey's Node
 * server replaces the global Response with @hono/node-server's; every 1.x release of that package
 * keeps a fetched upstream response's immutable Headers by reference, so Portkey's
 * `updateHeaders()` throws `TypeError: immutable` on streamed responses (Portkey-AI/gateway
 * issues 1389 and 1550) and answers 500 to every `stream: true` request. @hono/node-server 2.x
 * copies the headers (honojs/node-server pull request 382); with it both paths work.
 * docs/decisions/0009-benchmark-method.md has the details.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PORTKEY_VERSION = "1.15.2";
export const HONO_NODE_SERVER_OVERRIDE = "2.1.8";

export function defaultPortkeyDir(): string {
  return join(tmpdir(), `switchyard-bench-portkey-${PORTKEY_VERSION}`);
}

export function portkeyEntry(dir: string): string {
  return join(dir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
}

function installedVersion(dir: string, name: string): string | undefined {
  const path = join(dir, "node_modules", ...name.split("/"), "package.json");
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, "utf8")) as { version?: string }).version;
}

/** Installs Portkey into `dir` with npm unless that exact setup is there already; returns its entry script. */
export function ensurePortkey(dir: string, log: (line: string) => void): string {
  if (installedVersion(dir, "@portkey-ai/gateway") === PORTKEY_VERSION && installedVersion(dir, "@hono/node-server") === HONO_NODE_SERVER_OVERRIDE) return portkeyEntry(dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "switchyard-bench-portkey", private: true, overrides: { "@hono/node-server": HONO_NODE_SERVER_OVERRIDE } }, null, 2)}\n`,
  );
  log(`installing @portkey-ai/gateway@${PORTKEY_VERSION} (with @hono/node-server@${HONO_NODE_SERVER_OVERRIDE}) into ${dir} ...`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--no-save", "--no-audit", "--no-fund", "--legacy-peer-deps", "--loglevel=error", `@portkey-ai/gateway@${PORTKEY_VERSION}`], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const entry = portkeyEntry(dir);
  if (!existsSync(entry)) throw new Error(`npm install finished but ${entry} is missing`);
  return entry;
}
