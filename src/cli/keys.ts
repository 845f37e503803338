import type { ApiKeyRecord } from "../ledger/ledger.js";
import type { ParsedConfig } from "../config/load-gateway-config.js";
import { DuplicateKeyNameError, newApiKey } from "../ledger/api-keys.js";
import { monthWindow } from "../ledger/budget-window.js";
import { canonicalUsd, isStorableUsd } from "../ledger/exact-sum.js";
import { TAG_KEY } from "../ledger/row-schema.js";
import type { Ledger } from "../ledger/open-ledger.js";
import { parseFlags, writeJson, type Command } from "./command.js";
import { LEDGER_FLAGS_HELP, ledgerFlags, openCommandLedger, readConfigFile, type LedgerFlagValues } from "./ledger-option.js";
import { catalogForConfig, catalogFromFlags } from "./catalog-option.js";
import { closestKnownText } from "../catalog/suggest-models.js";
import { didYouMean } from "../util/suggest.js";
import { groupDigits, renderTable } from "./table.js";
import { UsageError } from "./usage-error.js";

const help = `switchyard keys — virtual API keys for the gateway

Usage:
  switchyard keys create --name NAME [--models a,b] [--tag k=v ...] [--budget-usd 100] [--json]
  switchyard keys list [--json]
  switchyard keys revoke ID|NAME [--json]

create
  --name NAME             letters, digits, . _ - (unique among active keys)
  --models a,b            requested model names this key may use (default: any): catalog models in any
                          id form, or (with --config) the config's model aliases; another name is refused
  --tag k=v               tags every request of this key carries in the ledger; repeatable
  --budget-usd AMOUNT     monthly budget in USD (calendar month, UTC); over it the gateway answers 429
  Prints the secret (sk-sy-...) once. Only its SHA-256 is stored: keep the secret now.
  --json: {"id","name","prefix","allowed_models","tags","monthly_budget_usd","created_at",
  "revoked_at","secret"} (times as ISO, the budget as a decimal string or null)

list                      every key, with this month's spend (≥ $X (N unpriced) where some requests could
                          not be priced); never the secret. --json: a list of create's objects without
                          "secret", each with "month_spend_usd" and "month_unpriced_requests"
revoke ID|NAME            the gateway refuses the key from its next key refresh (within seconds); a key
                          revoked already is left as it is (exit 0, saying when). --json:
                          {"revoked": ID, "name"[, "already_revoked_at": ISO time]}

Ledger (all subcommands):
${LEDGER_FLAGS_HELP}
  --json                  machine-readable output

Example:
  switchyard keys create --name search-team --models claude-sonnet-4-6 --tag team=search --budget-usd 250
`;

const locationFlags = {
  ...ledgerFlags,
  json: { type: "boolean" },
} as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

async function withLedger<T>(
  flags: LedgerFlagValues,
  env: NodeJS.ProcessEnv,
  create: boolean,
  work: (ledger: Ledger) => Promise<T>,
  more: { notice?: (line: string) => void; config?: ParsedConfig } = {},
): Promise<T> {
  const ledger = await openCommandLedger(flags, env, { create, command: "keys", ...more });
  try {
    return await work(ledger);
  } finally {
    await ledger.close();
  }
}

export function parseTags(values: string[] | undefined, flag: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const text of values ?? []) {
    const separator = text.indexOf("=");
    const key = separator > 0 ? text.slice(0, separator) : "";
    const value = separator > 0 ? text.slice(separator + 1) : "";
    if (!TAG_KEY.test(key) || value.length === 0) {
      throw new UsageError(`--${flag} must be key=value (key: letters, digits, _ . : -), got ${JSON.stringify(text)}`);
    }
    if (key in tags) throw new UsageError(`--${flag} ${key} is given twice`);
    tags[key] = value;
  }
  return tags;
}

function parseBudget(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value.trim().replace(/^\$/, "");
  if (!isStorableUsd(text) || text.startsWith("-")) {
    throw new UsageError(`--budget-usd must be a non-negative USD amount such as 100 or 12.50, got ${JSON.stringify(value)}`);
  }
  return canonicalUsd(text);
}

function parseModels(value: string | undefined): string[] {
  if (value === undefined) return [];
  const models = [...new Set(value.split(",").map((model) => model.trim()))];
  if (models.some((model) => model.length === 0)) throw new UsageError(`--models must be model names separated by commas, got ${JSON.stringify(value)}`);
  return models;
}

const describeTags = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => `${key}=${value}`).join(",");
const isoDate = (ms: number) => new Date(ms).toISOString();

/**
 * --models names what the gateway matches a request's model against (authenticate.ts's mayUse):
 * a catalog model's name or an offering's wire id, or a name the gateway's config defines (a
 * `models:` alias, a deployment's `upstream_model`). A name that is neither is a typo the key could never use:
 * refused, with the closest names. The config's names are known only with --config: without it an
 * alias is refused too, and the message says to give --config.
 */
function checkAllowedModels(models: string[], parsed: ParsedConfig | undefined, stderr: NodeJS.WritableStream): void {
  if (models.length === 0) return;
  const config = parsed?.config;
  const configPath = parsed?.file;
  const catalog = parsed ? catalogForConfig(parsed, [], stderr).catalog : catalogFromFlags([], stderr);
  const configNames = config ? [...Object.keys(config.models), ...config.deployments.flatMap((deployment) => deployment.upstream_model ?? [])] : [];
  // A deployment's wire id (a Bedrock profile id) is matched as such; any offering's id may be one.
  const wireIds = new Set(catalog.offerings.map((offering) => offering.modelId));
  const unknown = models.filter((model) => catalog.modelsMatching(model).length === 0 && !wireIds.has(model) && !configNames.includes(model));
  if (unknown.length === 0) return;
  const lines = unknown.map((model) => {
    const alias = didYouMean(model, configNames);
    const closest = closestKnownText(catalog.suggestModels(model));
    const suggestion = alias || (closest ? `; ${closest}` : "");
    return `--models: ${JSON.stringify(model)} is no model the catalog knows${config ? ` nor a name ${configPath} defines` : ""}${suggestion}`;
  });
  throw new UsageError(
    lines.join("\n"),
    config
      ? `\`switchyard catalog list\` shows the models; ${configPath}'s models: section, its aliases`
      : "if it is a model alias of your gateway config, give --config FILE so that its aliases count; `switchyard catalog list` shows the models",
  );
}

/** The key a revoke argument means: an id wins over an active key's name (as in the stores). */
function findKey(keys: ApiKeyRecord[], idOrName: string): ApiKeyRecord | undefined {
  return keys.find((key) => key.id === idOrName && key.revoked_at === null) ?? keys.find((key) => key.name === idOrName && key.revoked_at === null);
}

async function create(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(
    argv,
    { name: { type: "string" }, models: { type: "string" }, tag: { type: "string", multiple: true }, "budget-usd": { type: "string" }, ...locationFlags },
    "keys",
  );
  if (values.name === undefined) throw new UsageError("--name is required", "e.g. switchyard keys create --name search-team");
  if (!NAME.test(values.name)) throw new UsageError(`--name must be 1-64 letters, digits, . _ or - (starting with a letter or digit), got ${JSON.stringify(values.name)}`);
  const request = {
    name: values.name,
    allowed_models: parseModels(values.models),
    tags: parseTags(values.tag, "tag"),
    monthly_budget_usd: parseBudget(values["budget-usd"]),
  };
  // Read once: for the names --models may use, and for the ledger it names.
  const config = values.config === undefined ? undefined : readConfigFile(values.config);
  checkAllowedModels(request.allowed_models, config, stderr);
  return withLedger(values, env, true, async (ledger) => {
    const { secret, record } = newApiKey(request);
    try {
      await ledger.keys.create(record);
    } catch (error) {
      if (error instanceof DuplicateKeyNameError) throw new UsageError(`--name: ${error.message}`, "revoke it first, or pick another name");
      throw error;
    }
    if (values.json) {
      const { hash: _hash, ...shown } = record;
      writeJson(stdout, { ...shown, secret, created_at: isoDate(record.created_at) });
    } else {
      stdout.write(
        `created key ${record.id} (${record.name})\n\n  ${secret}\n\n` +
          "Store this secret now: it is not shown again (only its SHA-256 is kept).\n" +
          "Clients send it as x-api-key (the Anthropic SDK: ANTHROPIC_API_KEY) to the gateway.\n",
      );
    }
    return 0;
  }, { notice: (line) => stderr.write(`${line}\n`), config });
}

async function list(argv: string[], stdout: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseFlags(argv, locationFlags, "keys");
  return withLedger(values, env, false, async (ledger) => {
    const keys = await ledger.keys.list();
    const now = Date.now();
    const window = monthWindow(now);
    // One report by key gives both: what counts against each budget (charged_usd, as keysSpend and
    // the gateway count it) and the requests that could not be priced, which count nothing there:
    // the spend leaves them out, a lower bound, and says how many (unknown is not zero).
    const byKey = keys.length === 0 ? [] : await ledger.store.spend({ group_by: ["key"], from: window.from });
    const groupOf = new Map(byKey.map((group) => [group.group.key ?? "", group]));
    const spent = keys.map((key) => groupOf.get(key.id)?.charged_usd ?? "0");
    const unpriced = keys.map((key) => groupOf.get(key.id)?.unpriced_requests ?? 0);
    if (values.json) {
      writeJson(
        stdout,
        keys.map(({ hash: _hash, ...key }, index) => ({
          ...key,
          created_at: isoDate(key.created_at),
          revoked_at: key.revoked_at === null ? null : isoDate(key.revoked_at),
          month_spend_usd: spent[index],
          month_unpriced_requests: unpriced[index],
        })),
      );
      return 0;
    }
    if (keys.length === 0) {
      stdout.write("no keys yet: switchyard keys create --name NAME\n");
      return 0;
    }
    const rows = keys.map((key, index) => [
      key.id,
      key.name,
      `${key.prefix}…`,
      key.allowed_models.length > 0 ? key.allowed_models.join(",") : "any",
      describeTags(key.tags),
      key.monthly_budget_usd === null ? "-" : `$${key.monthly_budget_usd}`,
      (unpriced[index] ?? 0) > 0 ? `≥ $${spent[index] ?? "0"} (${groupDigits(unpriced[index] ?? 0)} unpriced)` : `$${spent[index] ?? "0"}`,
      isoDate(key.created_at).slice(0, 10),
      key.revoked_at === null ? "active" : `revoked ${isoDate(key.revoked_at).slice(0, 10)}`,
    ]);
    stdout.write(renderTable(["id", "name", "secret", "models", "tags", "budget/month", `spent ${isoDate(window.from).slice(0, 7)}`, "created", "status"], rows, new Set([5, 6])));
    return 0;
  });
}

async function revoke(argv: string[], stdout: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseFlags(argv, locationFlags, "keys", true);
  const [idOrName, ...extra] = positionals;
  if (idOrName === undefined) throw new UsageError("keys revoke needs the key's id or name", "see: switchyard keys list");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}: revoke one key at a time`);
  return withLedger(values, env, false, async (ledger) => {
    const keys = await ledger.keys.list();
    const key = findKey(keys, idOrName);
    if (!key || !(await ledger.keys.revoke(key.id, Date.now()))) {
      // Revoking a revoked key again is done already (scripts may retry), not an error.
      const revoked = keys.filter((candidate) => candidate.revoked_at !== null && (candidate.id === idOrName || candidate.name === idOrName)).sort((a, b) => (b.revoked_at ?? 0) - (a.revoked_at ?? 0))[0];
      if (!revoked) throw new UsageError(`no key with id or name ${JSON.stringify(idOrName)}`, "see: switchyard keys list");
      const when = isoDate(revoked.revoked_at ?? 0);
      if (values.json) writeJson(stdout, { revoked: revoked.id, name: revoked.name, already_revoked_at: when });
      else stdout.write(`${revoked.id} (${revoked.name}) was already revoked on ${when}\n`);
      return 0;
    }
    if (values.json) writeJson(stdout, { revoked: key.id, name: key.name });
    else stdout.write(`revoked ${key.id} (${key.name})\n`);
    return 0;
  });
}

export const keysCommand: Command = {
  name: "keys",
  summary: "create, list and revoke the gateway's virtual API keys",
  help,
  async run({ argv, stdout, stderr, env }) {
    const [subcommand, ...rest] = argv;
    switch (subcommand) {
      case "create":
        return create(rest, stdout, stderr, env);
      case "list":
        return list(rest, stdout, env);
      case "revoke":
        return revoke(rest, stdout, env);
      default:
        throw new UsageError(
          subcommand === undefined ? "keys needs a subcommand: create, list or revoke" : `unknown keys subcommand ${JSON.stringify(subcommand)}: use create, list or revoke`,
          "see: switchyard keys --help",
        );
    }
  },
};
