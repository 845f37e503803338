import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Catalog } from "../catalog/catalog.js";
import type { Offering } from "../catalog/model.js";
import { RESIDENCIES, RESIDENCY_REQUIREMENTS, residencyMeets, type ResidencyRequirement } from "../catalog/schema.js";
import { formatIssue, loadCatalogChecked } from "../catalog/files.js";
import type { ParsedConfig } from "../config/load-gateway-config.js";
import { normalizeUsageDocument, type NormalizedUsage } from "../pricing/normalize-usage.js";
import type { Usage } from "../pricing/usage.js";
import { choiceFlag, integerFlag } from "./command.js";
import { parseUsageDocument } from "./usage-document.js";
import { UsageError } from "./usage-error.js";

/** The flags every catalog-reading command shares. */
export const catalogFlags = {
  catalog: { type: "string", multiple: true },
} as const;

/**
 * Loads our catalog plus the user's files; a bad user file is bad input (exit 2), reported under
 * `source`, where the files were named (--catalog, or a gateway config's catalog_files).
 */
export function catalogFromFlags(files: string[] | undefined, stderr: NodeJS.WritableStream, source = "--catalog"): Catalog {
  // An empty path (--catalog's is refused by parseFlags; a config's catalog_files: [""]) would be reported as a file named "".
  if (files?.some((file) => file.trim() === "")) throw new UsageError(`${source} needs a file path, got ""`, "e.g. --catalog my-prices.yaml");
  const { catalog, issues } = loadCatalogChecked({ extraFiles: files ?? [] });
  for (const issue of issues.filter((candidate) => candidate.severity === "warning")) stderr.write(`warning: ${formatIssue(issue)}\n`);
  if (!catalog) {
    const errors = issues.filter((issue) => issue.severity === "error");
    const inUserFiles = errors.some((issue) => (files ?? []).includes(issue.file));
    const message = `${source}: ${errors.length} error(s):\n${errors.map(formatIssue).join("\n")}`;
    if (inUserFiles) throw new UsageError(message, "fix the fields named above; see docs/CATALOG.md");
    throw new Error(message);
  }
  return catalog;
}

/**
 * The catalog a gateway config runs with (serve, and keys create checking --models): ours, `extraFiles`
 * (--catalog) and the config's catalog_files, relative to the config file. A bad file is reported under
 * where it was named: the config's line, not --catalog, when the config named it.
 */
export function catalogForConfig(parsed: ParsedConfig, extraFiles: string[], stderr: NodeJS.WritableStream): { catalog: Catalog; files: string[] } {
  const own = parsed.config.catalog_files.map((file) => resolve(dirname(parsed.file), file));
  const line = parsed.lineOf(["catalog_files"]);
  const named = `${parsed.file}${line ? `:${line}` : ""}: catalog_files (relative to the config file)`;
  const source = own.length === 0 ? "--catalog" : extraFiles.length === 0 ? named : `--catalog or ${named}`;
  const files = [...extraFiles, ...own];
  return { catalog: catalogFromFlags(files, stderr, source), files };
}

/**
 * --residency R of compare and catalog list: the offerings whose data stays in R, as the planner and
 * the gateway read a required residency (residencyMeets: us takes GovCloud, apac takes jp and au).
 * global and other name no place: they list the offerings so marked. Undefined when not given.
 */
export function residencyFlag(value: string | undefined): ((offering: Offering) => boolean) | undefined {
  const residency = choiceFlag(value, "residency", RESIDENCIES);
  if (residency === undefined) return undefined;
  if (!(RESIDENCY_REQUIREMENTS as readonly string[]).includes(residency)) return (offering) => offering.residency === residency;
  return (offering) => residencyMeets(residency as ResidencyRequirement, offering.residency);
}

/** Token-count flags shared by price and compare. */
export const usageFlags = {
  input: { type: "string" },
  output: { type: "string" },
  "cache-write-5m": { type: "string" },
  "cache-write-1h": { type: "string" },
  "cache-read": { type: "string" },
  "web-search-requests": { type: "string" },
  "agent-session-ms": { type: "string" },
  "usage-json": { type: "string" },
} as const;

export interface UsageFlagValues {
  input?: string | undefined;
  output?: string | undefined;
  "cache-write-5m"?: string | undefined;
  "cache-write-1h"?: string | undefined;
  "cache-read"?: string | undefined;
  "web-search-requests"?: string | undefined;
  "agent-session-ms"?: string | undefined;
  "usage-json"?: string | undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Usage from --usage-json (a provider's usage object or whole response, or a stream's events, kept exactly as reported)
 * or from the token flags (the caller describes a request: a flag left out means none of that class).
 * The fee flags (--web-search-requests, --agent-session-ms) add to either: a Managed Agents session's
 * running time is in no usage object, and searches a usage does not report may be added. A usage that
 * reports its own searches is refused with the flag, as a token flag is: one of them would be dropped.
 */
export async function usageFromFlags(values: UsageFlagValues, stdin: NodeJS.ReadableStream): Promise<NormalizedUsage> {
  const tokenFlags = ["input", "output", "cache-write-5m", "cache-write-1h", "cache-read"] as const;
  const givenTokenFlags = tokenFlags.filter((flag) => values[flag] !== undefined);
  const fees: Usage = {
    webSearchRequests: integerFlag(values["web-search-requests"], "web-search-requests"),
    agentSessionMs: integerFlag(values["agent-session-ms"], "agent-session-ms"),
  };
  if (values["usage-json"] !== undefined) {
    if (givenTokenFlags.length > 0) {
      throw new UsageError(`--usage-json cannot be combined with --${givenTokenFlags[0]}; give one or the other`);
    }
    const normalized = await usageFromDocument(values["usage-json"], stdin);
    if (fees.webSearchRequests !== undefined && normalized.usage.webSearchRequests !== undefined) {
      throw new UsageError(
        `--web-search-requests: the usage ${values["usage-json"] === "-" ? "on standard input" : `in ${values["usage-json"]}`} already reports ${normalized.usage.webSearchRequests} web search requests ` +
          "(server_tool_use.web_search_requests); give one or the other",
      );
    }
    return { ...normalized, usage: { ...normalized.usage, ...definedFields(fees) } };
  }
  if (givenTokenFlags.length === 0 && fees.webSearchRequests === undefined && fees.agentSessionMs === undefined) {
    throw new UsageError("give the request's tokens: --input N and --output N (and cache flags), or --usage-json FILE");
  }
  const usage: Usage = {
    input: integerFlag(values.input, "input") ?? 0,
    output: integerFlag(values.output, "output") ?? 0,
    cacheWrite5m: integerFlag(values["cache-write-5m"], "cache-write-5m") ?? 0,
    cacheWrite1h: integerFlag(values["cache-write-1h"], "cache-write-1h") ?? 0,
    cacheRead: integerFlag(values["cache-read"], "cache-read") ?? 0,
    ...fees,
  };
  return { usage, format: "anthropic", warnings: [] };
}

/** The fields of `usage` that have a value: what a flag adds, leaving the document's own fields alone. */
function definedFields(usage: Usage): Usage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)) as Usage;
}

/** --usage-json's file (or standard input for "-"), read and normalised; what cannot be read or normalised is bad input naming the flag. */
async function usageFromDocument(source: string, stdin: NodeJS.ReadableStream): Promise<NormalizedUsage> {
  let text: string;
  try {
    text = source === "-" ? await readAll(stdin) : readFileSync(source, "utf8");
  } catch (error) {
    throw new UsageError(`--usage-json: cannot read ${source}: ${(error as Error).message}`);
  }
  const document = parseUsageDocument(text, source);
  let normalized: NormalizedUsage;
  try {
    normalized = normalizeUsageDocument(document);
  } catch (error) {
    throw new UsageError(`--usage-json: ${(error as Error).message}`);
  }
  // The gateway reads an upstream's bad count as not reported, and says so; a file the user hands
  // over with one is bad input, named (PRODUCT.md: exit 2 naming the field).
  const bad = normalized.warnings.map((warning) => NOT_A_COUNT.exec(warning)).filter((match) => match !== null);
  if (bad.length > 0) {
    const where = source === "-" ? "standard input" : source;
    throw new UsageError(`--usage-json: in ${where}, ${bad.map(([, field, value]) => `${field} must be a non-negative whole number, got ${value}`).join("; ")}`);
  }
  return normalized;
}

/** normalize-usage.ts's warning for a count that is not one (-5, "100", 1.5): the field and the value as JSON. */
const NOT_A_COUNT = /^(\S+) is not a non-negative whole number \((.*)\); treated as not reported$/;
