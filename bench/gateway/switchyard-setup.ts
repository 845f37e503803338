/**
 * A Switchyard gateway as the gateway benchmarks run it: a fresh SQLite ledger with one virtual key
 * and a config with one deployment, on the Anthropic emulator. `root` is the checkout whose
 * bin/switchyard runs (the working tree, or a build of another commit in the A/B benchmark).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** The model every gateway benchmark asks for (the emulator's instant profile answers it). */
export const BENCH_MODEL = "claude-haiku-4-5";
/** Switchyard's admin key in the benchmarks (it may read /metrics). */
export const BENCH_ADMIN_KEY = "bench-admin-key";
/** The environment the config below reads its secrets from. */
export const BENCH_ENV = { BENCH_ANTHROPIC_KEY: "sk-emulator", BENCH_ADMIN_KEY } as const;

export interface BenchGatewayFiles {
  configPath: string;
  dbPath: string;
  /** The virtual key's secret (x-api-key). */
  key: string;
}

/** The ledger a bench gateway prepared in `directory` writes to. */
export const benchLedgerPath = (directory: string): string => join(directory, "ledger.db");

/**
 * Creates `directory`/ledger.db with a key and `directory`/gateway.yaml routing BENCH_MODEL to the
 * emulator; `extraConfig` (YAML lines, e.g. a `redis:` section) is appended to the config.
 */
export function prepareBenchGateway(root: string, directory: string, emulatorUrl: string, extraConfig = ""): BenchGatewayFiles {
  const dbPath = benchLedgerPath(directory);
  const created = JSON.parse(
    execFileSync(process.execPath, [`${root}/bin/switchyard`, "keys", "create", "--name", "bench", "--tag", "source=bench", "--db", dbPath, "--json"], { cwd: root, encoding: "utf8" }),
  ) as { secret: string };
  const configPath = join(directory, "gateway.yaml");
  writeFileSync(
    configPath,
    [
      "listen: { host: 127.0.0.1, port: 0 }",
      `ledger: { kind: sqlite, path: ${JSON.stringify(dbPath)} }`,
      "admin_key_env: BENCH_ADMIN_KEY",
      "providers:",
      `  emulator: { kind: anthropic, base_url: ${JSON.stringify(emulatorUrl)}, api_key_env: BENCH_ANTHROPIC_KEY }`,
      "deployments:",
      `  - { id: anthropic-haiku, provider: emulator, model: ${BENCH_MODEL}, route: global }`,
      extraConfig,
      "",
    ].join("\n"),
  );
  return { configPath, dbPath, key: created.secret };
}
