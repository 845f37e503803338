/**
 * The gateway's YAML configuration: providers, deployments, model aliases, routing policy,
 * timeouts, keys and the ledger. Secrets never live here: only the names of environment
 * variables that hold them (or the AWS credential chain). docs/GATEWAY.md documents every field.
 */
import { z } from "zod";
import { RESIDENCY_REQUIREMENTS } from "../catalog/schema.js";
import { dropFieldProblem } from "./drop-fields.js";

/** Requests of the warm-up `serve` runs before it listens (docs/BENCHMARKS.md, "Warm-up"). */
export const WARM_UP_REQUESTS = 1_000;

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name, e.g. ANTHROPIC_API_KEY");
const identifier = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits, dot, dash, underscore or colon");

/** What `kind:` is for, said when it is left out. */
const providerKind = <Kind extends string>(kind: Kind) => z.literal(kind).describe("which API the provider speaks: anthropic, bedrock or claude-platform-aws");

const anthropicProvider = z.strictObject({
  kind: providerKind("anthropic"),
  base_url: z.url().default("https://api.anthropic.com"),
  /** Environment variable holding the API key (sent as x-api-key). */
  api_key_env: envName.default("ANTHROPIC_API_KEY"),
});

const bedrockCredentials = z.union([
  z.literal("aws-chain"),
  z.strictObject({
    access_key_id_env: envName,
    secret_access_key_env: envName,
    session_token_env: envName.optional(),
  }),
  z.strictObject({ bearer_token_env: envName }),
]);

const bedrockProvider = z.strictObject({
  kind: providerKind("bedrock"),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1").describe("the AWS region whose Bedrock runtime is called, e.g. region: us-east-1"),
  /** Override of https://bedrock-runtime.{region}.amazonaws.com (emulators, VPC endpoints). */
  endpoint: z.url().optional(),
  /** "aws-chain" = the AWS SDK's default credential provider chain (env, profile, SSO, IMDS, ...). */
  credentials: bedrockCredentials.default("aws-chain"),
  /** invoke: InvokeModel with the Anthropic body (every feature); converse: the Converse API. */
  api: z.enum(["invoke", "converse"]).default("invoke"),
});

const claudePlatformAwsProvider = z.strictObject({
  kind: providerKind("claude-platform-aws"),
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1").default("us-east-1"),
  /** Default: https://aws-external-anthropic.{region}.api.aws */
  base_url: z.url().optional(),
  api_key_env: envName.default("CLAUDE_PLATFORM_AWS_API_KEY"),
  /** Environment variable holding the workspace id (wrkspc_…) sent as anthropic-workspace-id, which the platform requires on every request. */
  workspace_id_env: envName.default("ANTHROPIC_AWS_WORKSPACE_ID"),
});

export const providerConfigSchema = z.discriminatedUnion("kind", [anthropicProvider, bedrockProvider, claudePlatformAwsProvider]);

export const deploymentSchema = z.strictObject({
  id: identifier.describe("the deployment's name, used by models: aliases, response headers and the ledger (e.g. id: anthropic-sonnet)"),
  /** A key of `providers`. */
  provider: identifier.describe("the name of a provider declared under providers:"),
  /** Catalog model id (any id form is accepted and resolved). */
  model: z.string().describe("the catalog model this deployment serves, in any id form (e.g. model: claude-sonnet-4-6)"),
  /** Catalog route (anthropic: global|us; bedrock: global|us|eu|apac|jp|au|us-gov|in-region). */
  route: z.string().optional(),
  /** Wire model id to send; default: the catalog offering's id for this route. */
  upstream_model: z.string().optional(),
  /** Extra static weight in ordered routing; lower first. */
  priority: z.number().int().default(0),
  /** Request fields removed before a request goes to this deployment (config/drop-fields.ts). */
  drop_fields: z
    .array(z.string().superRefine((path, context) => {
      const problem = dropFieldProblem(path);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }))
    .default([]),
});

const residencyConstraint = z.enum(RESIDENCY_REQUIREMENTS);
const objective = z.enum(["cheapest", "fastest", "weighted", "ordered"]);
const weights = z.strictObject({
  cost: z.number().nonnegative().describe("how much cost counts in the weighted policy, 0 or more (e.g. cost: 1)"),
  latency: z.number().nonnegative().describe("how much latency counts in the weighted policy, 0 or more (e.g. latency: 0)"),
});

/** Node's timers hold at most 2^31 - 1 ms; a longer one fires after 1 ms (every request would time out at once). */
const MAX_TIMER_MS = 2_147_483_647;
function milliseconds() {
  return z.number().int().max(MAX_TIMER_MS, `expected at most ${MAX_TIMER_MS} ms (about 24.8 days), the longest timer Node keeps`);
}

export const routingSchema = z.strictObject({
  /** The default objective: cheapest (expected cost, cache-aware), fastest (live TTFT), weighted, ordered. */
  policy: objective.default("cheapest"),
  weights: weights.default({ cost: 1, latency: 0 }),
  /** Default constraints for every request; keys and the x-switchyard-route header can only narrow them. */
  residency: residencyConstraint.default("any"),
  compliance: z.array(z.string()).default([]),
  billing: z.enum(["any", "aws-invoice"]).default("any"),
  /** Upstream attempts per request, failover included. */
  max_attempts: z.number().int().min(1).max(10).default(3),
  affinity: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Wait up to this long for a throttled deployment that holds the request's cached prefix, when moving costs more. */
      max_wait_ms: milliseconds().nonnegative().default(2_000),
    })
    .default({ enabled: true, max_wait_ms: 2_000 }),
  health: z
    .strictObject({
      window_ms: milliseconds().positive().default(60_000),
      failure_threshold: z.number().int().positive().default(5),
      error_rate_threshold: z.number().gt(0).max(1).default(0.5),
      min_samples: z.number().int().positive().default(20),
      cooldown_ms: milliseconds().positive().default(5_000),
      max_cooldown_ms: milliseconds().positive().default(300_000),
      /** A throttle without retry-after keeps the deployment out of rotation this long. */
      throttle_cooldown_ms: milliseconds().nonnegative().default(1_000),
    })
    .default({ window_ms: 60_000, failure_threshold: 5, error_rate_threshold: 0.5, min_samples: 20, cooldown_ms: 5_000, max_cooldown_ms: 300_000, throttle_cooldown_ms: 1_000 }),
});

const rateLimits = z.strictObject({
  requests_per_minute: z.number().int().positive().optional(),
  /** Input (estimated at admission) plus output (as reported) tokens per minute. */
  tokens_per_minute: z.number().int().positive().optional(),
});

/** Per-key settings, by key name: constraints and objective, and rate limits. */
export const keySettingsSchema = rateLimits.extend({
  residency: residencyConstraint.optional(),
  compliance: z.array(z.string()).optional(),
  billing: z.enum(["any", "aws-invoice"]).optional(),
  objective: objective.optional(),
  weights: weights.optional(),
});

export const timeoutsSchema = z.strictObject({
  connect_ms: milliseconds().positive().default(5_000),
  /** Until the upstream's response headers (streaming: until the first event). */
  first_byte_ms: milliseconds().positive().default(60_000),
  /** Whole request, across attempts; a stream, once begun, is bounded by silences of first_byte_ms instead. */
  total_ms: milliseconds().positive().default(600_000),
  /**
   * A begun stream's whole length, however busy (an upstream that pings forever holds a slot and
   * a budget hold); 0: none. Two hours: well past the longest answer (128k tokens at 30 a second).
   */
  stream_max_ms: milliseconds().nonnegative().default(7_200_000),
  /**
   * How long a streaming client may leave its socket full (reading nothing the gateway can see)
   * before it is let go; 0: no limit but stream_max_ms. Not first_byte_ms: a client that reads
   * steadily but slower than the upstream sends can wait minutes between the kernel's "writable"
   * signals (Linux signals one only when a third of a send buffer of up to 4 MB is free).
   */
  client_stall_ms: milliseconds().nonnegative().default(300_000),
});

/** Where the write-ahead journal lives (default: `<path>.journal` for SQLite, ./switchyard-journal for PostgreSQL); one per process. */
const journalDir = z.string().min(1).optional();

/**
 * The Files API's own limit on one file: "Maximum file size: 500 MB per file"
 * (https://platform.claude.com/docs/en/build-with-claude/files, "File storage and limits").
 */
export const FILES_API_MAX_FILE_BYTES = 500 * 1024 * 1024;

/**
 * Where the Files API (`/v1/files`) goes, and so where a Messages request naming a `file_id` may
 * go: a file belongs to the workspace (the provider credential) it was uploaded to
 * (config/files-holder.ts).
 */
export const filesSchema = z.strictObject({
  provider: identifier
    .optional()
    .describe("the provider (of kind anthropic or claude-platform-aws) whose workspace holds the files, e.g. provider: anthropic"),
  /** Uploads larger than this are refused (413) before they reach the upstream. */
  max_file_bytes: z
    .number()
    .int()
    .positive()
    .max(FILES_API_MAX_FILE_BYTES, `expected at most ${FILES_API_MAX_FILE_BYTES} (500 MB, the Files API's own limit per file)`)
    .default(FILES_API_MAX_FILE_BYTES),
});

export const ledgerConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("sqlite"), path: z.string().default("switchyard.db"), journal_dir: journalDir }),
  z.strictObject({ kind: z.literal("postgres"), url_env: envName.default("DATABASE_URL"), schema: z.string().optional(), journal_dir: journalDir }),
]);

export const gatewayConfigSchema = z.strictObject({
  listen: z.strictObject({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(8080) }).default({ host: "127.0.0.1", port: 8080 }),
  /** Absent: $SWITCHYARD_DB, else ./switchyard.db, where `keys` and `spend` look too (ledger-location.ts). */
  ledger: ledgerConfigSchema.optional(),
  /** Environment variable holding the admin key for /v1/switchyard/* and /dashboard. */
  admin_key_env: envName.default("SWITCHYARD_ADMIN_KEY"),
  /** Accept requests without a virtual key (local development only). */
  allow_unauthenticated: z.boolean().default(false),
  providers: z
    .record(identifier, providerConfigSchema)
    .refine((providers) => Object.keys(providers).length > 0, "expected at least one provider")
    .describe("the upstreams the gateway calls, by name, e.g. anthropic: { kind: anthropic }"),
  deployments: z
    .array(deploymentSchema)
    .min(1, "expected at least one deployment")
    .describe("the provider models the gateway routes to, e.g. - { id: anthropic-sonnet, provider: anthropic, model: claude-sonnet-4-6 }"),
  /** Requested model name -> deployment ids. A model not listed here is matched against deployments' catalog models. */
  models: z.record(z.string(), z.array(identifier).min(1)).default({}),
  routing: routingSchema.default(routingSchema.parse({})),
  /** Rate limits applied to every key unless the key's own settings say otherwise. */
  rate_limits: rateLimits.default({}),
  /** Settings per virtual key name (see `switchyard keys create --name`). */
  keys: z.record(z.string(), keySettingsSchema).default({}),
  timeouts: timeoutsSchema.default(timeoutsSchema.parse({})),
  /**
   * How often each key's monthly spend is reloaded from the ledger, so that what other gateways
   * sharing the ledger spent counts against budgets here. 0 never reloads. Default: 5,000 ms with
   * a PostgreSQL ledger (the one several replicas share), 0 with SQLite (one process).
   */
  budgets: z.strictObject({ refresh_ms: milliseconds().min(0).optional() }).default({}),
  /**
   * `switchyard serve` first sends this many requests through a throwaway gateway of its own in
   * front of the built-in emulators, so that the first real requests run compiled code
   * (gateway/warm-up.ts); about 2 ms each. 0: none; at most 10,000.
   */
  warm_up: z.strictObject({ requests: z.number().int().min(0).max(10_000).default(WARM_UP_REQUESTS) }).default({ requests: WARM_UP_REQUESTS }),
  /**
   * Redis for state every replica shares: per-key rate limits. Without it each replica keeps its
   * own buckets. The URL comes from the environment variable `url_env` (redis://[:password@]host:port/db).
   */
  redis: z
    .strictObject({
      url_env: envName.default("REDIS_URL"),
      key_prefix: z.string().default("switchyard:"),
      /** Longer than this and a request is checked against this replica's own buckets instead. */
      command_timeout_ms: milliseconds().positive().default(100),
    })
    .optional(),
  /** The provider that holds files (the Files API and Messages requests naming a file_id); default: the only Anthropic-shape provider. */
  files: filesSchema.optional(),
  /** Extra catalog files (negotiated prices, private offers), as with --catalog. */
  catalog_files: z.array(z.string()).default([]),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type KeySettings = z.infer<typeof keySettingsSchema>;
export type RateLimitSettings = z.infer<typeof rateLimits>;
export type FilesConfig = z.infer<typeof filesSchema>;
