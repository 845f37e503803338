/**
 * Checks a gateway config file's text against the schema and the catalog: every deployment
 * must name a declared provider and a model the catalog offers on that provider, route and
 * region; every alias must name declared deployments. Errors carry file, line and field.
 */
import { parse as parseYaml } from "yaml";
import type { Catalog } from "../catalog/catalog.js";
import { CatalogLookupError, UnknownModelError } from "../catalog/catalog.js";
import { claudeApiId, type Model, type Offering } from "../catalog/model.js";
import { requireOffering } from "../pricing/quote.js";
import { formatFileIssue, inLineOrder, parseYamlWithSchema, type FileIssue } from "../util/yaml-file.js";
import { gatewayConfigSchema, type GatewayConfig, type ProviderConfig } from "./gateway-config.js";
import { dropPath, type DropPath } from "./drop-fields.js";
import { blockedPortProblem } from "./fetch-blocked-ports.js";
import { resolveFilesHolder, type FilesHolder } from "./files-holder.js";

/** A deployment with everything resolved: the catalog offering that prices it and the wire id. */
export interface Deployment {
  id: string;
  providerName: string;
  provider: ProviderConfig;
  model: Model;
  offering: Offering;
  route: string;
  region: string | undefined;
  upstreamModel: string;
  /** The model an answer the gateway writes itself names (Bedrock Converse's): the Claude API's id, as the Anthropic API and InvokeModel answer. */
  answerModel: string;
  priority: number;
  /** Request fields removed before a request goes here (`drop_fields`). */
  dropFields: readonly DropPath[];
  /**
   * The catalog's "us" route of the same provider and model, for an Anthropic-shape deployment on
   * another route: what an answer the upstream ran in the US (a workspace's default inference_geo,
   * reported in its usage) is billed at. Undefined where there is none.
   */
  usOffering: Offering | undefined;
}

/** The Anthropic API and Claude Platform on AWS: the Anthropic request and answer shapes, on the wire as the client sent them. */
export function isAnthropicShape(deployment: Pick<Deployment, "provider">): boolean {
  const kind = deployment.provider.kind;
  return kind === "anthropic" || kind === "claude-platform-aws";
}

export interface ResolvedConfig {
  config: GatewayConfig;
  deployments: Map<string, Deployment>;
  /** Requested model name -> candidate deployments, in configured order. */
  aliases: Map<string, Deployment[]>;
  /** The provider that holds files (`files:`), or why none does. */
  files: FilesHolder;
  /** What the gateway can run with but some clients cannot (a port fetch() refuses), with file and line. */
  warnings: FileIssue[];
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: FileIssue[];
  /** The issues in the order of the file's lines (those with no line last), as people read a file. */
  constructor(issues: FileIssue[]) {
    const sorted = inLineOrder(issues);
    super(`invalid gateway config:\n${sorted.map(formatFileIssue).join("\n")}`);
    this.issues = sorted;
  }
}

const SECRET_FIELD = /^(api_key|apikey|secret|secret_access_key|access_key_id|password|token|bearer_token|session_token)$/i;

/** Secrets belong in the environment: refuse them by name before the schema says "unrecognized key". */
function findSecretFields(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecretFields(item, [...path, index]));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(SECRET_FIELD.test(key) ? [[...path, key]] : []),
    ...findSecretFields(child, [...path, key]),
  ]);
}

/** A config file's text checked against the schema, before the catalog resolves its deployments. */
export interface ParsedConfig {
  config: GatewayConfig;
  file: string;
  lineOf: (path: (string | number)[]) => number | undefined;
}

export function parseGatewayConfig(text: string, file: string, catalog: Catalog): ResolvedConfig {
  return resolveGatewayConfig(readGatewayConfig(text, file), catalog);
}

/** The schema's step alone: what a caller needs before it has the catalog (serve: `catalog_files`). */
export function readGatewayConfig(text: string, file: string): ParsedConfig {
  const parsed = parseYamlWithSchema(text, gatewayConfigSchema, file);
  if (!parsed.data) {
    // Point at secrets first: they are the most likely cause of an "unrecognized key".
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch {
      raw = undefined;
    }
    const secretPaths = findSecretFields(raw);
    const secrets = secretPaths.map((path) => ({
      file,
      path: path.join("."),
      ...(parsed.lineOf(path) ? { line: parsed.lineOf(path) as number } : {}),
      message: "secrets may not be written in the config file; name the environment variable instead (e.g. api_key_env: ANTHROPIC_API_KEY)",
    }));
    // The schema's "Unrecognized key" for a secret field says less than the message above: one issue each.
    const secretKeys = new Set(secretPaths.map((path) => `${path.slice(0, -1).join(".")}\u0000${String(path.at(-1))}`));
    const rest = parsed.issues.filter((issue) => {
      const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(issue.message);
      return !(unknown && secretKeys.has(`${issue.path}\u0000${unknown[1]}`));
    });
    throw new ConfigError([...secrets, ...rest]);
  }
  return { config: parsed.data, file, lineOf: parsed.lineOf };
}

/** Resolves a parsed config's deployments and aliases against the catalog, with the checks that need it. */
export function resolveGatewayConfig(parsed: ParsedConfig, catalog: Catalog): ResolvedConfig {
  const { config, file } = parsed;
  const issues: FileIssue[] = [];
  const issue = (path: (string | number)[], message: string) => {
    const line = parsed.lineOf(path);
    issues.push({ file, path: path.join("."), message, ...(line ? { line } : {}) });
  };

  const deployments = new Map<string, Deployment>();
  config.deployments.forEach((deployment, index) => {
    if (deployments.has(deployment.id)) issue(["deployments", index, "id"], `duplicate deployment id ${deployment.id}`);
    const provider = config.providers[deployment.provider];
    if (!provider) {
      issue(["deployments", index, "provider"], `unknown provider ${JSON.stringify(deployment.provider)}; declared: ${Object.keys(config.providers).join(", ")}`);
      return;
    }
    const region = provider.kind === "bedrock" || provider.kind === "claude-platform-aws" ? provider.region : undefined;
    try {
      const resolution = catalog.resolve(deployment.model, {
        provider: provider.kind,
        ...(deployment.route ? { route: deployment.route } : {}),
        ...(region && provider.kind === "bedrock" ? { region } : {}),
      });
      const offering = requireOffering(catalog, resolution);
      // A model id in another provider's form (a Bedrock inference-profile id under an Anthropic
      // provider) resolves to that provider's offering: it would be priced as one provider and
      // sent to another, which refuses it on every request.
      if (offering.provider !== provider.kind) {
        issue(["deployments", index, "model"], `${deployment.model} is ${offering.provider}'s id for ${resolution.model.id}, but provider ${deployment.provider} is ${provider.kind}: name the model (${resolution.model.id}) or that provider's id`);
        return;
      }
      if (deployment.route !== undefined && offering.route !== deployment.route) {
        issue(["deployments", index, "route"], `route ${deployment.route} does not match ${deployment.model}, which is the ${offering.route} route: drop route, or name the model (${resolution.model.id})`);
        return;
      }
      deployments.set(deployment.id, {
        id: deployment.id,
        providerName: deployment.provider,
        provider,
        model: resolution.model,
        offering,
        route: offering.route,
        region,
        upstreamModel: deployment.upstream_model ?? offering.modelId,
        answerModel: claudeApiId(resolution.model),
        priority: deployment.priority,
        dropFields: deployment.drop_fields.map(dropPath),
        usOffering:
          isAnthropicShape({ provider }) && offering.route !== "us"
            ? catalog.findOffering(offering.provider, offering.model.id, "us")
            : undefined,
      });
    } catch (error) {
      if (error instanceof UnknownModelError || error instanceof CatalogLookupError) {
        // A route the catalog does not have for the model, or not in the provider's region, or that
        // the model id contradicts (a Bedrock profile id pins its route), is reported at route:.
        const atRoute = error instanceof CatalogLookupError && (error.field === "route" || error.field === "region") && deployment.route !== undefined;
        const message = atRoute && error.field === "region" ? `${error.message} (${region} is provider ${deployment.provider}'s region)` : error.message;
        issue(["deployments", index, atRoute ? "route" : "model"], message);
      }
      else throw error;
    }
  });

  checkSettings(config, catalog, issue);
  const files = resolveFilesHolder(config);
  if (files.problem) issue(["files", "provider"], files.problem);

  const aliases = new Map<string, Deployment[]>();
  for (const [name, ids] of Object.entries(config.models)) {
    const resolved: Deployment[] = [];
    ids.forEach((id, index) => {
      const deployment = deployments.get(id);
      if (deployment) resolved.push(deployment);
      else if (!config.deployments.some((candidate) => candidate.id === id)) issue(["models", name, index], `unknown deployment ${JSON.stringify(id)}`);
    });
    aliases.set(name, resolved);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const warnings: FileIssue[] = [];
  const portProblem = blockedPortProblem(config.listen.port);
  if (portProblem) {
    const line = parsed.lineOf(["listen", "port"]);
    warnings.push({ file, path: "listen.port", message: portProblem, ...(line ? { line } : {}) });
  }
  if (files.warning) {
    const line = parsed.lineOf(["providers"]);
    warnings.push({ file, path: "files.provider", message: files.warning, ...(line ? { line } : {}) });
  }
  return { config, deployments, aliases, files: files.holder, warnings };
}

/**
 * Settings each valid alone that cannot work together, or name what the catalog does not know:
 * refused at start rather than found out on every request.
 */
function checkSettings(config: GatewayConfig, catalog: Catalog, issue: (path: (string | number)[], message: string) => void): void {
  const health = config.routing.health;
  if (health.max_cooldown_ms < health.cooldown_ms) issue(["routing", "health", "max_cooldown_ms"], `${health.max_cooldown_ms} is shorter than cooldown_ms (${health.cooldown_ms})`);
  const weights = config.routing.weights;
  if (config.routing.policy === "weighted" && weights.cost === 0 && weights.latency === 0) issue(["routing", "weights"], "policy weighted needs a cost or latency weight above 0");
  // Compliance programmes are matched against the catalog's: a misspelt one would exclude every deployment.
  const checkProgrammes = (path: (string | number)[], listed: readonly string[] | undefined) =>
    listed?.forEach((programme, index) => {
      const problem = catalog.unknownProgramme(programme);
      if (problem) issue([...path, index], problem);
    });
  checkProgrammes(["routing", "compliance"], config.routing.compliance);
  for (const [name, settings] of Object.entries(config.keys)) checkProgrammes(["keys", name, "compliance"], settings.compliance);
}
