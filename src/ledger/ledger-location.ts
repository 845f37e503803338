/**
 * Which ledger a command means: --db PATH (SQLite), --postgres URL [--schema NAME], else the
 * SWITCHYARD_DB environment variable, else ./switchyard.db (the gateway's default file).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { openLedger, type Ledger, type LedgerConfig } from "./open-ledger.js";
import { DEFAULT_SCHEMA, quoteSchema } from "./postgres/connection.js";
import { NotALedgerError } from "./ledger.js";
import { errorCode } from "../util/error-code.js";
import { redactedUrl } from "../util/redacted-url.js";

export const DEFAULT_SQLITE_PATH = "switchyard.db";

export interface LedgerLocationFlags {
  db?: string | undefined;
  postgres?: string | undefined;
  schema?: string | undefined;
}

/** Bad location flags; `flag` is the one to name in the message. */
export class LedgerLocationError extends Error {
  override readonly name = "LedgerLocationError";
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

export function ledgerLocation(flags: LedgerLocationFlags, env: NodeJS.ProcessEnv): LedgerConfig {
  if (flags.db !== undefined && flags.postgres !== undefined) {
    throw new LedgerLocationError("postgres", "--db and --postgres name two different ledgers: give one");
  }
  if (flags.postgres !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(flags.postgres)) {
      throw new LedgerLocationError("postgres", `--postgres must be a URL such as postgres://user@host:5432/database, got ${JSON.stringify(flags.postgres)}`);
    }
    const schema = flags.schema ?? DEFAULT_SCHEMA;
    try {
      quoteSchema(schema);
    } catch (error) {
      throw new LedgerLocationError("schema", `--schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { kind: "postgres", url: flags.postgres, schema };
  }
  if (flags.schema !== undefined) throw new LedgerLocationError("schema", "--schema applies to a PostgreSQL ledger: add --postgres URL");
  const path = flags.db ?? (env.SWITCHYARD_DB || DEFAULT_SQLITE_PATH);
  if (path.length === 0) throw new LedgerLocationError("db", "--db needs a file path");
  return { kind: "sqlite", path };
}

/** Why a SQLite ledger cannot be created at `path` (its directory is missing, or not one), or undefined. */
export function sqliteDirectoryProblem(path: string): string | undefined {
  const directory = dirname(resolve(path));
  try {
    return statSync(directory).isDirectory() ? undefined : `${directory} is not a directory`;
  } catch {
    return `directory ${directory} does not exist`;
  }
}

/**
 * Why SQLite could not open `path` as a database, when that is the path's fault (a directory, a file
 * of something else: better-sqlite3's SQLITE_CANTOPEN and SQLITE_NOTADB), or undefined. A busy or
 * failing database is not named here: it is not the user's input.
 */
function notASqliteFile(path: string, error: unknown): string | undefined {
  const code = errorCode(error);
  if (code === "SQLITE_NOTADB") return `${path} is not an SQLite database`;
  if (code !== "SQLITE_CANTOPEN") return undefined;
  let directory = false;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    // Gone or unreadable since: SQLite's own words say it.
  }
  return directory ? `${path} is a directory, not a ledger file` : `cannot open ${path} (${error instanceof Error ? error.message : String(error)})`;
}

/** A PostgreSQL ledger for people to read: its server and database (the password redacted) and its schema. */
export function postgresLocation(config: { url: string; schema?: string | undefined }): string {
  return `PostgreSQL ${redactedUrl(config.url)}, schema ${config.schema ?? DEFAULT_SCHEMA}`;
}

/** Where the location came from, for messages ("--db", "SWITCHYARD_DB" or the default). */
export function describeLocation(config: LedgerConfig, flags: LedgerLocationFlags, env: NodeJS.ProcessEnv): string {
  if (config.kind === "postgres") return postgresLocation(config);
  if (flags.db !== undefined) return config.path;
  return env.SWITCHYARD_DB ? `${config.path} (from SWITCHYARD_DB)` : `${config.path} (the default; set --db or SWITCHYARD_DB)`;
}

/**
 * Opens the ledger a command means, without a journal (the gateway's journal is the gateway's).
 * `create: false` for commands that only read: a mistyped path is an error, not a new empty ledger.
 * `onCreated` hears the path of a SQLite ledger this call created.
 */
export async function openLedgerAt(flags: LedgerLocationFlags, env: NodeJS.ProcessEnv, options: { create: boolean; onCreated?: (path: string) => void }): Promise<Ledger> {
  const config = ledgerLocation(flags, env);
  const missing = config.kind === "sqlite" && !existsSync(config.path);
  if (missing && !options.create) {
    throw new LedgerLocationError(
      "db",
      `no ledger at ${describeLocation(config, flags, env)}: the gateway creates it on first start; point --db or SWITCHYARD_DB at its file`,
    );
  }
  const unplaceable = missing && config.kind === "sqlite" ? sqliteDirectoryProblem(config.path) : undefined;
  if (unplaceable) throw new LedgerLocationError("db", `cannot create a ledger at ${describeLocation(config, flags, env)}: ${unplaceable}`);
  try {
    const ledger = await openLedger({ ...config, journal: false, mustExist: !options.create });
    if (missing && config.kind === "sqlite") options.onCreated?.(config.path);
    return ledger;
  } catch (error) {
    const unopenable = config.kind === "sqlite" ? notASqliteFile(config.path, error) : undefined;
    if (unopenable !== undefined) {
      const named = flags.db !== undefined ? "--db" : env.SWITCHYARD_DB ? "SWITCHYARD_DB" : "the default ledger path";
      throw new LedgerLocationError("db", `${named}: ${unopenable}; point --db or SWITCHYARD_DB at the gateway's ledger file`);
    }
    if (!(error instanceof NotALedgerError)) throw error;
    const where = config.kind === "sqlite" ? "--db or SWITCHYARD_DB at its file" : "--postgres and --schema at the gateway's ledger";
    throw new LedgerLocationError(config.kind === "sqlite" ? "db" : "schema", `no ledger at ${describeLocation(config, flags, env)} (${error.message}): the gateway creates it on first start; point ${where}`);
  }
}
