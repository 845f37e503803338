/**
 * The ledger a command reads or writes: --config FILE (the gateway's own config: its `ledger`
 * section, so that `keys` and `spend` cannot miss the file `serve` uses), or --db / --postgres
 * [--schema], else $SWITCHYARD_DB, else ./switchyard.db (ledger/ledger-location.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { GatewayConfig } from "../config/gateway-config.js";
import { ConfigError, readGatewayConfig, type ParsedConfig } from "../config/load-gateway-config.js";
import { LedgerLocationError, ledgerLocation, openLedgerAt, type LedgerLocationFlags } from "../ledger/ledger-location.js";
import type { Ledger, LedgerConfig } from "../ledger/open-ledger.js";
import { errorCode } from "../util/error-code.js";
import { redactedUrl } from "../util/redacted-url.js";
import { formatFileIssue } from "../util/yaml-file.js";
import { systemError } from "./system-error.js";
import { UsageError } from "./usage-error.js";

export const ledgerFlags = {
  config: { type: "string" },
  db: { type: "string" },
  postgres: { type: "string" },
  schema: { type: "string" },
} as const;

export const LEDGER_FLAGS_HELP = `  --config FILE           the gateway's config: the ledger its \`ledger\` section names (as serve uses it)
  --db PATH               SQLite ledger file (default: $SWITCHYARD_DB, else ./switchyard.db)
  --postgres URL          PostgreSQL ledger, e.g. postgres://user@host:5432/db
  --schema NAME           PostgreSQL schema (default: switchyard)`;

export interface LedgerFlagValues extends LedgerLocationFlags {
  config?: string | undefined;
}

/** Reads a gateway config file for a command; an unreadable or invalid file is bad input naming --config. */
export function readConfigFile(path: string): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return readGatewayConfig(text, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--config: ${error.issues.length} problem(s):\n${error.issues.map(formatFileIssue).join("\n")}`, "see docs/GATEWAY.md");
    throw error;
  }
}

/**
 * The config's ledger section as the ledger opens it: a relative SQLite path is relative to the
 * config file's directory (as catalog_files are); a PostgreSQL URL variable that is not set is refused.
 */
export function ledgerFromConfig(ledger: NonNullable<GatewayConfig["ledger"]>, env: NodeJS.ProcessEnv, configFile: string): LedgerConfig {
  if (ledger.kind === "sqlite") return { kind: "sqlite", path: resolve(dirname(configFile), ledger.path) };
  const url = env[ledger.url_env];
  if (!url) throw new UsageError(`ledger: set ${ledger.url_env} to the PostgreSQL URL (the config's ledger.url_env)`);
  return { kind: "postgres", url, ...(ledger.schema ? { schema: ledger.schema } : {}) };
}

/** The ledger a gateway config names; without a ledger section, where every command looks by default. */
export function configLedger(config: GatewayConfig, env: NodeJS.ProcessEnv, configFile: string): LedgerConfig {
  return config.ledger === undefined ? ledgerLocation({}, env) : ledgerFromConfig(config.ledger, env, configFile);
}

/**
 * Opens the ledger a command means. `create: false` for commands that only read: a mistyped path
 * is an error, not a new empty ledger. `notice` hears where a new SQLite ledger was created.
 */
export async function openCommandLedger(
  values: LedgerFlagValues,
  env: NodeJS.ProcessEnv,
  /** `config`: the --config file, when the command has read it already (it is not read again). */
  options: { create: boolean; command: string; notice?: (line: string) => void; config?: ParsedConfig },
): Promise<Ledger> {
  let flags: LedgerLocationFlags = values;
  if (values.config !== undefined) {
    if (values.db !== undefined || values.postgres !== undefined || values.schema !== undefined) {
      throw new UsageError("--config names the gateway's ledger: leave out --db, --postgres and --schema (or --config)");
    }
    const location = configLedger((options.config ?? readConfigFile(values.config)).config, env, values.config);
    flags = location.kind === "sqlite" ? { db: location.path } : { postgres: location.url, ...(location.schema ? { schema: location.schema } : {}) };
  }
  const onCreated = (path: string) => options.notice?.(`created a new ledger at ${resolve(path)} (the gateway must use the same file: serve --config with ledger.path, or SWITCHYARD_DB)`);
  try {
    return await openLedgerAt(flags, env, { create: options.create, onCreated });
  } catch (error) {
    if (error instanceof LedgerLocationError) throw new UsageError(error.message, `see: switchyard ${options.command} --help`);
    if (flags.postgres === undefined) throw error;
    const source = values.config === undefined ? "--postgres" : `--config ${values.config} (its ledger.url_env)`;
    const refused = postgresRefusal(error);
    if (refused) throw new UsageError(`${source}: PostgreSQL at ${redactedUrl(flags.postgres)} refused: ${refused}`, "check the user, password and database name in the URL");
    // A URL pg cannot parse (a port above 65535) is bad input, not a server out of reach.
    if (errorCode(error) === "ERR_INVALID_URL") throw new UsageError(`${source}: the PostgreSQL URL is not one pg can read (${(error as Error).message})`, "e.g. postgres://user:password@host:5432/database (a port from 1 to 65535)");
    // A server that cannot be reached is a failure (exit 1), not bad input; the line says which ledger.
    const unreachable = systemError(error);
    if (unreachable) throw Object.assign(new Error(`${source}: cannot reach PostgreSQL at ${redactedUrl(flags.postgres)}: ${unreachable.message}`), { code: errorCode(unreachable) });
    throw error;
  }
}

/**
 * SQLSTATE classes that say the URL is wrong, not that the server is down: 28 (invalid authorization:
 * no such role, wrong password) and 3D (no such database). Those are bad input naming the flag; pg
 * reports them as errors with no syscall, which would otherwise print a stack as if a bug.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
function postgresRefusal(error: unknown): string | undefined {
  const code = errorCode(error);
  return error instanceof Error && (code.startsWith("28") || code.startsWith("3D")) ? `${error.message} (SQLSTATE ${code})` : undefined;
}
