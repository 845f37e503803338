import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { availableParallelism } from "node:os";
import type { Catalog } from "../catalog/catalog.js";
import { ConfigError, parseGatewayConfig, resolveGatewayConfig, type ResolvedConfig } from "../config/load-gateway-config.js";
import { blockedPortProblem } from "../config/fetch-blocked-ports.js";
import { missingProviderSecrets } from "../providers/registry.js";
import { describeLocation, ledgerLocation, postgresLocation, sqliteDirectoryProblem } from "../ledger/ledger-location.js";
import { registerDashboard } from "../dashboard/register-dashboard.js";
import { startGateway } from "../gateway/start-gateway.js";
import { warmUp } from "../gateway/warm-up.js";
import { oneCoreGcHint, tuneHeapGrowth } from "../gateway/heap-growth.js";
import { missingRedisUrl, redisLocation, type SharedStateStatus } from "../gateway/shared-state.js";
import { hashSecret, newApiKey } from "../ledger/api-keys.js";
import { journalDirOf, openLedger, type Ledger, type LedgerConfig } from "../ledger/open-ledger.js";
import { journalHolder, JournalInUseError } from "../ledger/journal.js";
import { GatewayMetrics } from "../metrics/gateway-metrics.js";
import { METRICS_TOKEN_ENV, registerMetricsRoute } from "../metrics/metrics-route.js";
import { parseFlags, type Command } from "./command.js";
import { catalogForConfig, catalogFromFlags } from "./catalog-option.js";
import { configLedger, readConfigFile } from "./ledger-option.js";
import { PRESETS, UnknownProfileError } from "../emulators/shared/profiles.js";
import { newAdminKey, persistentSecret, prepareSetup, STATE_DIR, type Setup } from "./demo-setup.js";
import { listenError } from "./listen-error.js";
import { UsageError } from "./usage-error.js";
import { UndoStack } from "../util/undo-stack.js";
import { formatFileIssue } from "../util/yaml-file.js";

const help = `switchyard serve — the gateway: an Anthropic Messages API that routes, fails over and accounts

Usage: switchyard serve [--config FILE] [--port N] [--host H]

  --config FILE        gateway config (YAML): providers, deployments, model aliases, routing,
                       timeouts, ledger (see docs/GATEWAY.md). Default: ./switchyard.yaml if present.
  --check              check the config (schema, catalog, the environment variables it names) and
                       exit: 0 if serve would start with it, 2 with every problem found
  --port N --host H    override the config's listen address
  --catalog FILE       a catalog file added to the built-in one (private offers, discounts); repeatable;
                       the config's catalog_files do the same
  --emulator-profile P latency/fault profile of the built-in emulators, without --config only
                       (instant, seed-000, flaky, ...: switchyard emulate --help)

Without a config: with ANTHROPIC_API_KEY and/or AWS credentials in the environment it serves the
real providers; with none it starts the built-in emulators (the Anthropic API, Claude Platform on
AWS and Bedrock Runtime) and routes to them (and says so). The generated config is written to
.switchyard/ so you can read it and copy from it (it runs only inside this command, which starts
the emulators and sets their secrets). With npm: npm start -- --port 9090.

Endpoints: POST /v1/messages (JSON and SSE), POST /v1/messages/count_tokens, GET /v1/models,
POST /v1/chat/completions (OpenAI clients); admin: GET /v1/switchyard/health, /requests/{id},
/budget?key=ID|NAME (see docs/GATEWAY.md).
Dashboard at /dashboard (sign in with the admin key); Prometheus metrics at /metrics (Bearer: the
admin key, or a scraper token in SWITCHYARD_METRICS_TOKEN). See docs/DASHBOARD.md.
Responses carry request-id, x-switchyard-deployment and (non-streaming) x-switchyard-cost-usd.
Stop with Ctrl-C: the ledger is flushed before exit.
`;

/** The demo's virtual key: the one saved in .switchyard/demo-key if the ledger still knows it, else a new one. */
async function ensureDemoKey(ledger: Ledger, file: string): Promise<string> {
  const records = await ledger.keys.list();
  const saved = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (saved && records.some((record) => record.revoked_at === null && record.hash === hashSecret(saved))) return saved;
  const stale = records.find((record) => record.name === "demo" && record.revoked_at === null);
  if (stale) await ledger.keys.revoke(stale.id, Date.now());
  const { secret, record } = newApiKey({ name: "demo", tags: { source: "npm-start" } });
  await ledger.keys.create(record);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export const serveCommand: Command = {
  name: "serve",
  summary: "the gateway (Anthropic Messages API; routing, failover, budgets, exact cost ledger)",
  help,
  async run(io) {
    // What has started (emulators, the ledger, the gateway), closed newest first when serve stops,
    // and also when it fails halfway: an emulator left listening would keep the process alive.
    const started = new UndoStack();
    try {
      return await serve(io, started);
    } catch (error) {
      return started.undoAfter(error);
    }
  },
};

async function serve({ argv, stdout, stderr, env }: Parameters<Command["run"]>[0], started: UndoStack): Promise<number> {
  const { values } = parseFlags(
    argv,
    { config: { type: "string" }, port: { type: "string" }, host: { type: "string" }, "emulator-profile": { type: "string" }, catalog: { type: "string", multiple: true }, check: { type: "boolean" } },
    "serve",
  );
  const configPath = values.config ?? (existsSync("switchyard.yaml") ? "switchyard.yaml" : undefined);
  if (values.check && !configPath) throw new UsageError("--check checks a config: give --config FILE (or run it where ./switchyard.yaml is)");
  const profile = values["emulator-profile"];
  if (profile !== undefined && configPath) {
    throw new UsageError(`--emulator-profile applies to the built-in emulators, which serve starts only without a config (this one uses ${configPath})`, "set a running emulator's profile with switchyard emulate --profile, or POST /_emulator/profile");
  }
  if (profile !== undefined && !(profile in PRESETS)) throw new UsageError(`--emulator-profile: ${new UnknownProfileError(profile).message}`);
  const port = portFlag(values.port);
  let setup: Setup | undefined;
  let resolved: ResolvedConfig;
  let catalogFiles = values.catalog ?? [];
  let catalog: Catalog;
  /** The config file's line of a field, for problems found after the config was read. */
  let lineOf: (path: (string | number)[]) => number | undefined = () => undefined;
  const processEnv: NodeJS.ProcessEnv = { ...env };
  try {
    if (configPath) {
      // The schema first: the config's own catalog files join --catalog's, and its deployments are
      // resolved against the catalog they make.
      const parsed = readConfigFile(configPath);
      lineOf = parsed.lineOf;
      ({ catalog, files: catalogFiles } = catalogForConfig(parsed, catalogFiles, stderr));
      resolved = resolveGatewayConfig(parsed, catalog);
    } else {
      catalog = catalogFromFlags(catalogFiles, stderr);
      setup = await prepareSetup(env, { port: port ?? 8080, emulatorProfile: profile ?? "instant" });
      const emulators = setup.emulators;
      started.push(() => Promise.all(emulators.map((emulator) => emulator.close())));
      Object.assign(processEnv, setup.env);
      resolved = parseGatewayConfig(setup.configText, setup.configPath, catalog);
    }
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--config: ${error.issues.length} problem(s):\n${error.issues.map(formatFileIssue).join("\n")}`, "see docs/GATEWAY.md");
    throw error;
  }
  const { config } = resolved;
  // A --port replaces listen.port: the warning is then about the flag (also for npm start's own config).
  for (const warning of resolved.warnings.filter((candidate) => port === undefined || candidate.path !== "listen.port")) stderr.write(`warning: ${formatFileIssue(warning)}\n`);
  const portProblem = port === undefined ? undefined : blockedPortProblem(port);
  if (portProblem) stderr.write(`warning: --port ${portProblem}\n`);
  if (!processEnv[config.admin_key_env] && setup) processEnv[config.admin_key_env] = persistentSecret(join(STATE_DIR, "admin-key"), newAdminKey);
  // Without a ledger section, where `keys` and `spend` look too ($SWITCHYARD_DB, else ./switchyard.db):
  // otherwise keys created there would be in another file than the one the gateway reads.
  const ledgerConfig = configPath ? configLedger(config, processEnv, configPath) : ledgerLocation({}, env);
  const ledgerWhere = ledgerConfig.kind === "sqlite" ? resolve(ledgerConfig.path) : postgresLocation(ledgerConfig);
  // Found here, not by SQLite's stack trace once the warm-up is over; and by --check too.
  const ledgerProblem = ledgerConfig.kind === "sqlite" && !existsSync(ledgerConfig.path) ? sqliteDirectoryProblem(ledgerConfig.path) : undefined;
  if (ledgerProblem) {
    // In the words keys and spend use (openLedgerAt), at the config's line when the config placed it.
    const problem = `cannot create a ledger at ${configPath && config.ledger ? ledgerWhere : describeLocation(ledgerConfig, {}, env)}: ${ledgerProblem}`;
    const told = configPath && config.ledger ? formatFileIssue({ file: configPath, line: lineOf(["ledger", "path"]), path: "ledger.path", message: problem }) : problem;
    throw new UsageError(told, "create the directory, or point the path at an existing one");
  }
  const redisUrl = config.redis ? processEnv[config.redis.url_env] : undefined;
  if (config.redis && !redisUrl) throw new UsageError(missingRedisUrl(config.redis.url_env));
  const redisWhere = config.redis && redisUrl ? redisLocation(redisUrl, config.redis.key_prefix) : undefined;
  const missingSecrets = missingProviderSecrets(resolved, processEnv);
  if (missingSecrets.length > 0) {
    throw new UsageError(`${missingSecrets.join("\n")}`, "set each in the environment serve runs in (secrets never go in the config file), or remove the deployments that use that provider");
  }
  if (values.check) {
    stdout.write(
      `config ok: ${configPath}: ${Object.keys(config.providers).length} provider(s), ${resolved.deployments.size} deployment(s), ${resolved.aliases.size} model alias(es); ` +
        `ledger: ${ledgerWhere}${redisWhere ? `; redis: ${redisWhere}` : ""}\n`,
    );
    return 0;
  }
  const ledgerOptions: LedgerConfig = {
    ...ledgerConfig,
    ...(config.ledger?.journal_dir && configPath ? { journalDir: resolve(dirname(configPath), config.ledger.journal_dir) } : {}),
    onError: (error) => stderr.write(`ledger: ${error.message}\n`),
  };
  // Another gateway on this ledger's journal (a second `npm start` in the same directory): said
  // now, in one line, not after the warm-up by the journal's lock.
  const journalDir = journalDirOf(ledgerOptions);
  const journalPath = journalDir === undefined ? "" : resolve(journalDir);
  const holder = journalDir === undefined ? undefined : journalHolder(journalPath);
  if (holder) throw journalTaken(journalPath, holder, Boolean(configPath));
  // Fewer full GCs, each a stop of the event loop (heap-growth.ts); before the warm-up, which grows the heap.
  tuneHeapGrowth();
  const gcHint = oneCoreGcHint(process.execArgv, availableParallelism());
  if (gcHint) stderr.write(`${gcHint}\n`);
  // Before the ledger opens: Ctrl-C during the warm-up leaves nothing of the real gateway open.
  if (config.warm_up.requests > 0) {
    stderr.write(`warming up: ${config.warm_up.requests} requests through the built-in emulators, so that the first real ones run compiled code…\n`);
    // Ctrl-C meanwhile stops the warm-up, which cleans up after itself, then serve: the default
    // handler would leave its emulators' temporary ledger behind.
    let stopRequested = false;
    const stopAfterWarmUp = () => {
      stopRequested = true;
      stderr.write("stopping once the warm-up has cleaned up…\n");
    };
    const stopListening = onStopSignal(stopAfterWarmUp);
    try {
      const warm = await warmUp(catalog, config.warm_up.requests, { stop: () => stopRequested });
      stderr.write(`warmed up in ${(warm.ms / 1000).toFixed(1)} s\n`);
    } catch (error) {
      // Not a reason to refuse traffic: the first requests are only slower.
      stderr.write(`warm-up stopped (${error instanceof Error ? error.message : String(error)}); starting cold\n`);
    } finally {
      stopListening();
    }
    if (stopRequested) return 130;
  }
  let ledger: Ledger;
  try {
    ledger = await openLedger(ledgerOptions);
  } catch (error) {
    // Taken meanwhile (during the warm-up).
    if (error instanceof JournalInUseError) throw journalTaken(journalPath, error.holder, Boolean(configPath));
    throw error;
  }
  started.push(() => ledger.close());
  const demoKey = setup ? await ensureDemoKey(ledger, join(STATE_DIR, "demo-key")) : undefined;

  const metrics = new GatewayMetrics();
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({
      config: resolved,
      catalog,
      ledger,
      env: processEnv,
      onRecord: metrics.observe,
      extraRoutes: (app, state) => {
        registerMetricsRoute(app, state, metrics, { keys: ledger.keys, metricsToken: processEnv[METRICS_TOKEN_ENV] });
        registerDashboard(app, state, { keys: ledger.keys, catalogFiles });
      },
      ...(values.host ? { host: values.host } : {}),
      ...(port !== undefined ? { port } : {}),
    });
  } catch (error) {
    throw listenError(error, {
      host: values.host ?? config.listen.host,
      port: port ?? config.listen.port,
      hostFrom: values.host ? "--host" : "listen.host in the config",
      portHow: "--port N, or listen.port in the config",
    });
  }
  started.push(() => gateway.close());
  const lines = [
    `switchyard gateway listening on ${gateway.url}`,
    ...(setup ? setup.description : [`config: ${resolve(configPath ?? "")}`]),
    ...(setup ? [`config written to ${setup.configPath}`] : []),
    `ledger: ${ledgerWhere}`,
    ...(redisWhere ? [`redis: ${redisWhere} (rate limits, prompt-cache affinity, deployment health; ${redisState(gateway.state.sharedState())})`] : []),
    `deployments: ${[...resolved.deployments.keys()].join(", ")}`,
    `dashboard: ${gateway.url}/dashboard (${processEnv[config.admin_key_env] ? "sign in with the admin key" : `disabled: ${config.admin_key_env} is not set`})   metrics: ${gateway.url}/metrics`,
    "",
    ...(demoKey
      ? [
          "Point the official SDK (or any tool that honours ANTHROPIC_BASE_URL) at it:",
          `  export ANTHROPIC_BASE_URL=${gateway.url}`,
          `  export ANTHROPIC_API_KEY=${demoKey}`,
          `  curl -s ${gateway.url}/v1/messages -H "x-api-key: $ANTHROPIC_API_KEY" -H "anthropic-version: 2023-06-01" \\`,
          `    -H "content-type: application/json" -d '{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}'`,
          "Claude Code reads the same two variables: run `claude` in that shell.",
          `OpenAI clients: OPENAI_BASE_URL=${gateway.url}/v1 OPENAI_API_KEY=$ANTHROPIC_API_KEY (POST /v1/chat/completions)`,
          `admin key (for /v1/switchyard/* and the dashboard): ${processEnv[config.admin_key_env]}`,
        ]
      : [`Create a key for your clients with: switchyard keys create --name my-app${configPath ? ` --config ${shellWord(resolve(configPath))}` : ""}`]),
    "",
  ];
  stdout.write(`${lines.join("\n")}\n`);
  if (!processEnv[config.admin_key_env]) stderr.write(`warning: ${config.admin_key_env} (admin_key_env) is not set: the admin endpoints and the dashboard answer 403 until serve restarts with it\n`);
  if (config.allow_unauthenticated) stderr.write("warning: allow_unauthenticated is true: requests without a key are served (and charged to no key's budget); keep this gateway on a private address\n");

  await new Promise<void>((resolveStop) => onStopSignal(resolveStop));
  stdout.write("stopping: answering the requests in flight and draining the ledger (a second Ctrl-C or SIGTERM stops at once)...\n");
  // Streams in flight may run for minutes: a second signal does not wait for them. Every row
  // already accepted is in the journal, which the next start replays (the kill -9 guarantee).
  const now = () => {
    stderr.write("stopping at once: rows not yet in the ledger are in its journal, replayed on the next start\n");
    process.exit(130);
  };
  const stopListeningNow = onStopSignal(now);
  // The gateway, then the ledger, then the emulators.
  await started.undo();
  stopListeningNow();
  stderr.write("stopped\n");
  return 0;
}

/** A journal directory another gateway holds: what to do about it, with or without a config. */
function journalTaken(dir: string, holder: string, withConfig: boolean): UsageError {
  return new UsageError(
    `another gateway is already serving from this ledger: its journal ${dir} is held by ${holder}`,
    withConfig
      ? "stop that gateway, or give this one its own ledger.path or ledger.journal_dir in its config"
      : "stop that gateway (it may be an earlier npm start), or start this one with its own ledger: SWITCHYARD_DB=other.db npm start",
  );
}

/** Calls `handler` on the next SIGINT or SIGTERM; returns a function that stops listening. */
function onStopSignal(handler: () => void): () => void {
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** --port: a TCP port (0: any free one), refused at once rather than after the warm-up and the ledger. */
function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new UsageError(`--port must be a TCP port from 0 to 65535, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Whether the replicas' shared state is shared right now, as the banner says it. */
function redisState(status: SharedStateStatus): string {
  return status === "connected" ? "shared with the other replicas" : "Redis not answering yet: per replica until it does";
}

/** A path as one shell word, for a command line the user may paste. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
