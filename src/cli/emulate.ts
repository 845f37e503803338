/**
 * `switchyard emulate anthropic|bedrock`: runs a local provider emulator until Ctrl-C, and
 * prints where it listens and which credentials it accepts. docs/EMULATORS.md has the details.
 */
import { readFileSync } from "node:fs";
import { ZodError } from "zod";
import { DEFAULT_ANTHROPIC_KEY, startAnthropicEmulator } from "../emulators/anthropic/start-anthropic-emulator.js";
import { DEFAULT_BEDROCK_API_KEY, DEFAULT_BEDROCK_CREDENTIALS, startBedrockEmulator } from "../emulators/bedrock/start-bedrock-emulator.js";
import type { RunningEmulator } from "../emulators/shared/emulator-options.js";
import { CatalogModelAccess } from "../emulators/shared/model-access.js";
import { profileUpdateSchema, type ProfileUpdate } from "../emulators/shared/profile-schema.js";
import { PRESETS, UnknownProfileError } from "../emulators/shared/profiles.js";
import { didYouMean } from "../util/suggest.js";
import { formatFileIssue, parseYamlWithSchema } from "../util/yaml-file.js";
import { catalogFromFlags } from "./catalog-option.js";
import { listenError } from "./listen-error.js";
import { integerFlag, parseFlags, writeJson, type Command } from "./command.js";
import { UsageError } from "./usage-error.js";

/** The providers there is an emulator of. */
const EMULATORS = ["anthropic", "bedrock"] as const;

const presetList = Object.entries(PRESETS)
  .map(([name, preset]) => `    ${name.padEnd(10)} ${preset("anthropic").description}`)
  .join("\n");

const help = `switchyard emulate — a local Anthropic API or Bedrock Runtime that the official SDKs accept

Usage: switchyard emulate ${EMULATORS.join("|")} [flags]

  --port N                 port to listen on (default 0: any free port, printed at start)
  --host H                 address to bind (default 127.0.0.1; 0.0.0.0 for every interface: the admin
                           API has no authentication, so keep it on loopback unless you mean it)
  --profile NAME|FILE      latency and fault profile (default instant), or a JSON/YAML file with
                           a profile update (see docs/EMULATORS.md). Presets:
${presetList}
  --key K                  accepted API key, repeatable. Anthropic: x-api-key or Bearer
                           (default ${DEFAULT_ANTHROPIC_KEY}); Bedrock: Bearer API key (default ${DEFAULT_BEDROCK_API_KEY})
  --region R               Bedrock region to serve and to check signatures for (default us-east-1)
  --access-key-id ID       Bedrock SigV4 access key (default ${DEFAULT_BEDROCK_CREDENTIALS.accessKeyId})
  --secret-access-key S    Bedrock SigV4 secret (default: the AWS documentation's example secret)
  --session-token T        Bedrock: also require this session token
  --batch-ms N             Anthropic: milliseconds until a message batch ends (default 1000)
  --workspace ID           Anthropic: require anthropic-workspace-id to name this workspace, as
                           Claude Platform on AWS does (repeatable; default: not required)
  --catalog FILE           extra catalog file(s) with models to serve (repeatable)
  --json                   print the address and credentials as JSON

The admin API (GET /_emulator/state, POST /_emulator/profile, POST /_emulator/reset) changes
the profile while it runs and returns per-instance counters. Stop with Ctrl-C.
`;

function profileFrom(value: string | undefined): string | ProfileUpdate | undefined {
  if (value === undefined) return undefined;
  if (!/[/\\]|\.(json|ya?ml)$/i.test(value)) {
    if (!(value in PRESETS)) throw new UsageError(`--profile: unknown profile ${JSON.stringify(value)}; known profiles: ${Object.keys(PRESETS).join(", ")}`);
    return value;
  }
  let text: string;
  try {
    text = readFileSync(value, "utf8");
  } catch (error) {
    throw new UsageError(`--profile: cannot read ${value}: ${(error as Error).message}`);
  }
  const parsed = parseYamlWithSchema(text, profileUpdateSchema, value);
  if (!parsed.data) throw new UsageError(`--profile: ${parsed.issues.map(formatFileIssue).join("\n")}`, "see docs/EMULATORS.md for the profile fields");
  return parsed.data;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onTerminate);
      resolve(signal);
    };
    const onInterrupt = () => stop("SIGINT");
    const onTerminate = () => stop("SIGTERM");
    process.once("SIGINT", onInterrupt);
    process.once("SIGTERM", onTerminate);
  });
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const emulateCommand: Command = {
  name: "emulate",
  summary: "run a local Anthropic API or Bedrock Runtime emulator (tests, demos, failover drills)",
  help,
  async run({ argv, stdout, stderr }) {
    const { values, positionals } = parseFlags(
      argv,
      {
        port: { type: "string" },
        host: { type: "string" },
        profile: { type: "string" },
        key: { type: "string", multiple: true },
        region: { type: "string" },
        "access-key-id": { type: "string" },
        "secret-access-key": { type: "string" },
        "session-token": { type: "string" },
        "batch-ms": { type: "string" },
        workspace: { type: "string", multiple: true },
        catalog: { type: "string", multiple: true },
        json: { type: "boolean" },
      },
      "emulate",
      true,
    );
    if (positionals.length === 0) throw new UsageError(`say which emulator: switchyard emulate ${EMULATORS.join("|")}`, "see: switchyard emulate --help");
    if (positionals.length > 1) throw new UsageError(`one emulator at a time; got ${positionals.join(", ")}`, "run one switchyard emulate per emulator, each on its own --port");
    const provider = EMULATORS.find((name) => name === positionals[0]);
    if (provider === undefined) throw new UsageError(`unknown emulator ${JSON.stringify(positionals[0])}${didYouMean(positionals[0] as string, EMULATORS)}: there are ${EMULATORS.join(" and ")}`, "see: switchyard emulate --help");
    if (provider === "anthropic" && (values.region || values["access-key-id"] || values["secret-access-key"] || values["session-token"])) {
      throw new UsageError("--region and the AWS credential flags apply to the bedrock emulator only");
    }
    if (provider === "bedrock" && values["batch-ms"] !== undefined) throw new UsageError("--batch-ms applies to the anthropic emulator only");
    if (provider === "bedrock" && values.workspace !== undefined) throw new UsageError("--workspace applies to the anthropic emulator only");
    if (values.region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(values.region)) throw new UsageError(`--region must be an AWS region such as us-east-1, got ${JSON.stringify(values.region)}`);
    const port = integerFlag(values.port, "port") ?? 0;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const profile = profileFrom(values.profile);
    const models = new CatalogModelAccess(catalogFromFlags(values.catalog, stderr));
    const host = values.host ?? "127.0.0.1";
    const listen = { port, host };

    let emulator: RunningEmulator;
    let credentials: Record<string, string>;
    try {
      if (provider === "anthropic") {
        const keys = values.key ?? [DEFAULT_ANTHROPIC_KEY];
        const batchMs = integerFlag(values["batch-ms"], "batch-ms");
        const workspaces = values.workspace;
        emulator = await startAnthropicEmulator({
          ...listen,
          apiKeys: keys,
          models,
          ...(profile ? { profile } : {}),
          ...(batchMs !== undefined ? { batchProcessingMs: batchMs } : {}),
          ...(workspaces ? { workspaceIds: workspaces } : {}),
        });
        credentials = { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: keys[0] ?? DEFAULT_ANTHROPIC_KEY, ...(workspaces?.[0] ? { ANTHROPIC_AWS_WORKSPACE_ID: workspaces[0] } : {}) };
      } else {
        const region = values.region ?? "us-east-1";
        const credential = {
          accessKeyId: values["access-key-id"] ?? DEFAULT_BEDROCK_CREDENTIALS.accessKeyId,
          secretAccessKey: values["secret-access-key"] ?? DEFAULT_BEDROCK_CREDENTIALS.secretAccessKey,
          ...(values["session-token"] ? { sessionToken: values["session-token"] } : {}),
        };
        const keys = values.key ?? [DEFAULT_BEDROCK_API_KEY];
        emulator = await startBedrockEmulator({ ...listen, region, credentials: [credential], apiKeys: keys, models, ...(profile ? { profile } : {}) });
        credentials = {
          AWS_REGION: region,
          AWS_ACCESS_KEY_ID: credential.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
          ...(credential.sessionToken ? { AWS_SESSION_TOKEN: credential.sessionToken } : {}),
          AWS_BEARER_TOKEN_BEDROCK: keys[0] ?? DEFAULT_BEDROCK_API_KEY,
          ANTHROPIC_BEDROCK_BASE_URL: emulator.url,
        };
      }
    } catch (error) {
      if (error instanceof UnknownProfileError) throw new UsageError(`--profile: ${error.message}`);
      if (error instanceof ZodError) throw new UsageError(`--profile: ${error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
      throw listenError(error, { host, port, hostFrom: "--host", portHow: "--port N, or --port 0 for any free one" });
    }
    // The admin API has no authentication and the default credentials are public: say so off loopback.
    if (!isLoopback(host)) stderr.write(`note: --host ${host} is not loopback: anyone who can reach it can use the emulator's admin API (no authentication) and its default credentials unless --key is given\n`);

    const profileName = emulator.state().profile.name;
    if (values.json) {
      writeJson(stdout, { provider, url: emulator.url, port: emulator.port, profile: profileName, admin: `${emulator.url}/_emulator/state`, credentials });
    } else {
      const title = provider === "anthropic" ? "Anthropic API emulator" : `Bedrock Runtime emulator (${credentials["AWS_REGION"]})`;
      stdout.write(`${title} listening on ${emulator.url} — profile ${profileName}\n`);
      for (const [name, value] of Object.entries(credentials)) stdout.write(`  export ${name}=${JSON.stringify(value)}\n`);
      if (provider === "bedrock") stdout.write(`  AWS SDK: new BedrockRuntimeClient({ region: "${credentials["AWS_REGION"]}", endpoint: "${emulator.url}" })\n`);
      stdout.write(`  admin: curl ${emulator.url}/_emulator/state\nPress Ctrl-C to stop.\n`);
    }
    const signal = await waitForSignal();
    await emulator.close();
    if (!values.json) stderr.write(`emulator stopped (${signal})\n`);
    return 0;
  },
};
