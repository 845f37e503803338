/**
 * From the text of a workload YAML file to a Workload, or to a list of issues that each name the
 * file, the field path, the line and what was expected. Pure: the CLI reads the file.
 */
import { isScalar, visit, type Document } from "yaml";
import { Decimal } from "../pricing/decimal.js";
import type { ArrivalProfile, Constraints, Segment, TokenSpread, Workload } from "./workload.js";
import { expectedText, schemaIssues } from "../util/schema-issues.js";
import { formatFileIssue, inLineOrder, readYamlDocument, type FileIssue } from "../util/yaml-file.js";
import { workloadSchema, type ConstraintsFile, type SegmentFile, type WorkloadFile } from "./workload-schema.js";

export class WorkloadError extends Error {
  override readonly name = "WorkloadError";
  readonly issues: FileIssue[];
  /** The issues in the order of the file's lines, whichever pass found them (as ConfigError's). */
  constructor(issues: FileIssue[]) {
    const sorted = inLineOrder(issues);
    super(sorted.map(formatFileIssue).join("\n"));
    this.issues = sorted;
  }
}

export interface ParsedWorkload {
  workload: Workload;
  file: string;
  /** The 1-based line of a field path, for later checks (unknown models) to point at. */
  lineOf: (path: (string | number)[]) => number | undefined;
  /** Every compliance list the constraints give, with its field path, for the check against the catalog. */
  complianceLists: { path: (string | number)[]; programmes: string[] }[];
}

const HOURS_09_TO_17 = Array.from({ length: 24 }, (_, hour) => (hour >= 9 && hour < 17 ? Decimal.ONE : Decimal.ZERO));
const FLAT_DAY = Array.from({ length: 24 }, () => Decimal.ONE);

/**
 * A workload file's text, read (YAML, then the schema) with the problems found across its fields
 * (unique names, references between sections, consistent spreads) returned, not thrown: loadWorkload
 * tells them together with the unknown models, all in one go. Not valid YAML, or not the schema,
 * throws: nothing after that can be checked.
 */
export function parseWorkloadChecked(text: string, file: string): { parsed: ParsedWorkload; issues: FileIssue[] } {
  const { document, lineCounter, lineOf, issues: yamlIssues } = readYamlDocument(text, file);
  if (yamlIssues.length > 0) throw new WorkloadError(yamlIssues);
  keepLargeIntegers(document);
  // What the file says, numbers as YAML reads them: what a problem says was given (10.5, not the text "10.5").
  const written = plainValue(document, file);
  keepDecimalSourceText(document);
  const raw = plainValue(document, file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new WorkloadError([{ file, path: "", line: 1, message: "expected a mapping with name: and segments:" }]);
  }
  const parsed = workloadSchema.safeParse(raw, { error: expectedText });
  if (!parsed.success) throw new WorkloadError(schemaIssues({ file, document, lineCounter, schema: workloadSchema, lineOf }, written, parsed.error.issues));
  const workload = toWorkload(parsed.data);
  const issues = crossChecks(parsed.data).map((issue) => ({ file, path: issue.path.join("."), line: lineOf(issue.path), message: issue.message }));
  const complianceLists = [
    { path: ["constraints", "compliance"], programmes: parsed.data.constraints?.compliance },
    ...parsed.data.segments.map((segment, index) => ({ path: ["segments", index, "constraints", "compliance"], programmes: segment.constraints?.compliance })),
  ].filter((list): list is { path: (string | number)[]; programmes: string[] } => list.programmes !== undefined);
  return { parsed: { workload, file, lineOf, complianceLists }, issues };
}

/**
 * The document as plain values. YAML refuses to expand aliases (*name) past a limit, so that a few
 * lines cannot become gigabytes (a "billion laughs" file): that is bad input, said as such.
 */
function plainValue(document: Document, file: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new WorkloadError([{ file, path: "", message: `its YAML aliases (*name) expand too far: ${error.message}; write the values out, or use fewer aliases` }]);
  }
}

/**
 * YAML reads 9007199254740993 as the float 9007199254740992: a whole number written in digits beyond
 * 2^53 becomes a bigint, exact, which a count refuses quoting it as written and an amount takes.
 */
function keepLargeIntegers(document: Document): void {
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value) && !Number.isSafeInteger(node.value) && typeof node.source === "string") {
        if (/^\+?\d+$/.test(node.source)) node.value = BigInt(node.source);
      }
    },
  });
}

/**
 * YAML reads 1.99 as a binary float. Amounts must stay exact, so a non-integer number is replaced by
 * the exact decimal text the user wrote (1e-3 as "0.001", -2.5 as "-2.5") before the schema sees it;
 * the schema then says whether its field takes a negative one (only growth_percent_per_month does).
 */
function keepDecimalSourceText(document: Document): void {
  visit(document, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === "number" && !Number.isInteger(node.value) && typeof node.source === "string") {
        const exact = exactDecimalText(node.source);
        if (exact !== undefined) node.value = exact;
      }
    },
  });
}

/** "1.99" and "+1.99" as "1.99", ".5" as "0.5", "-.5" as "-0.5"; "1e-3" and "2.5E-2" as "0.001" and "0.025"; undefined for anything else. */
function exactDecimalText(source: string): string | undefined {
  const sign = source.startsWith("-") ? "-" : "";
  const unsigned = sign ? source.slice(1) : source;
  const plain = /^\+?(\d*)\.(\d+)$/.exec(unsigned);
  if (plain) return `${sign}${plain[1] || "0"}.${plain[2]}`;
  const scientific = /^\+?(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(unsigned);
  if (!scientific) return undefined;
  const [, whole, fraction = "", exponent] = scientific as unknown as [string, string, string | undefined, string];
  const digits = `${whole}${fraction}`;
  // The decimal point sits `point` digits from the left of `digits`.
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function spread(value: number | { mean: number; p90?: number | undefined; max?: number | undefined }): TokenSpread {
  return typeof value === "number" ? { mean: value, p90: undefined, max: undefined } : { mean: value.mean, p90: value.p90, max: value.max };
}

function arrival(value: SegmentFile["arrival"]): ArrivalProfile {
  if (value === "uniform") return { kind: "uniform", weights: FLAT_DAY, daysPerWeek: 7 };
  if (value === "business-hours") return { kind: "business-hours", weights: HOURS_09_TO_17, daysPerWeek: 5 };
  if (value.hourly) return { kind: "hourly", weights: value.hourly, daysPerWeek: value.days_per_week ?? 7 };
  if (value.pattern === "business-hours") return { kind: "business-hours", weights: HOURS_09_TO_17, daysPerWeek: value.days_per_week ?? 5 };
  return { kind: "uniform", weights: FLAT_DAY, daysPerWeek: value.days_per_week ?? 7 };
}

const DEFAULT_CONSTRAINTS: Constraints = {
  residency: "any",
  compliance: [],
  billing: "any",
  ttftP99Ms: null,
  unknownLatency: "allow",
  providers: "any",
};

/** A segment's constraint fields replace the workload's, field by field (a segment may relax or tighten). */
function mergeConstraints(base: Constraints, file: ConstraintsFile | undefined): Constraints {
  if (!file) return base;
  return {
    residency: file.residency ?? base.residency,
    compliance: file.compliance ?? base.compliance,
    billing: file.billing ?? base.billing,
    ttftP99Ms: file.ttft_p99_ms === undefined ? base.ttftP99Ms : file.ttft_p99_ms,
    unknownLatency: file.unknown_latency ?? base.unknownLatency,
    providers: file.providers ?? base.providers,
  };
}

function toWorkload(data: WorkloadFile): Workload {
  const constraints = mergeConstraints(DEFAULT_CONSTRAINTS, data.constraints);
  const segments: Segment[] = data.segments.map((segment) => ({
    name: segment.name,
    requestsPerMonth: segment.requests_per_month,
    input: spread(segment.input_tokens),
    output: spread(segment.output_tokens),
    cachedPrefixTokens: segment.cached_prefix_tokens,
    prefixVariants: segment.prefix_variants,
    cacheHitRate:
      segment.cache_hit_rate === undefined
        ? {}
        : segment.cache_hit_rate instanceof Decimal
          ? { "5m": segment.cache_hit_rate, "1h": segment.cache_hit_rate }
          : {
              ...(segment.cache_hit_rate["5m"] ? { "5m": segment.cache_hit_rate["5m"] } : {}),
              ...(segment.cache_hit_rate["1h"] ? { "1h": segment.cache_hit_rate["1h"] } : {}),
            },
    arrival: arrival(segment.arrival),
    latency: segment.latency,
    models: segment.models,
    considerModels: segment.consider_models,
    requires: segment.requires,
    toolChoice: segment.tool_choice,
    webSearchesPerRequest: segment.web_searches_per_request,
    tokenCountsFrom: segment.token_counts_from,
    growthPercentPerMonth: segment.growth_percent_per_month ?? data.growth_percent_per_month,
    constraints: mergeConstraints(constraints, segment.constraints),
  }));
  return {
    name: data.name,
    description: data.description,
    at: data.at,
    horizonMonths: data.horizon_months,
    segments,
    discounts: {
      awsPercent: data.discounts.aws_percent,
      anthropicPercent: data.discounts.anthropic_percent,
      gcpPercent: data.discounts.gcp_percent,
    },
    provisioned: data.provisioned_throughput.map((quote, index) => ({
      name: quote.name ?? `${quote.model} ${quote.term} PT${data.provisioned_throughput.length > 1 ? ` #${index + 1}` : ""}`,
      model: quote.model,
      provider: quote.provider,
      route: quote.route,
      region: quote.region,
      term: quote.term,
      usdPerMuHour: quote.usd_per_mu_hour,
      inputTokensPerMinutePerMu: quote.input_tokens_per_minute_per_mu,
      outputTokensPerMinutePerMu: quote.output_tokens_per_minute_per_mu,
      minUnits: quote.min_units,
      segments: quote.segments,
      includesDiscount: quote.includes_discount,
    })),
    selfHost: data.self_host.map((entry, index) => ({
      name: entry.name ?? `self-hosted ${entry.model}${data.self_host.length > 1 ? ` #${index + 1}` : ""}`,
      model: entry.model,
      gpuUsdPerHour: entry.gpu_usd_per_hour,
      gpusPerReplica: entry.gpus,
      tokensPerSecond: entry.tokens_per_second,
      utilisation: entry.utilisation,
      opsUsdPerMonth: entry.ops_usd_per_month,
      scaling: entry.scaling,
      minReplicas: entry.min_replicas,
      residency: entry.residency,
      compliance: entry.compliance,
      billing: entry.billing,
      ttftP99Ms: entry.ttft_p99_ms,
      segments: entry.segments,
    })),
  };
}

/** What the schema cannot say alone: unique names, references between sections, consistent spreads. */
function crossChecks(data: WorkloadFile): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const names = new Set<string>();
  data.segments.forEach((segment, index) => {
    if (names.has(segment.name)) issues.push({ path: ["segments", index, "name"], message: `segment name ${JSON.stringify(segment.name)} is used twice; names must be unique` });
    names.add(segment.name);
    for (const field of ["input_tokens", "output_tokens"] as const) {
      const value = segment[field];
      if (typeof value === "object") {
        if (value.p90 !== undefined && value.p90 < value.mean) issues.push({ path: ["segments", index, field, "p90"], message: `expected p90 >= mean (${value.mean}), got ${value.p90}` });
        if (value.max !== undefined && value.max < Math.max(value.mean, value.p90 ?? 0)) {
          issues.push({ path: ["segments", index, field, "max"], message: `expected max >= mean and p90, got ${value.max}` });
        }
      }
    }
    if (typeof segment.arrival === "object" && segment.arrival.hourly && segment.arrival.pattern) {
      issues.push({ path: ["segments", index, "arrival"], message: "give either hourly: weights or pattern:, not both" });
    }
    if (segment.cache_hit_rate !== undefined && segment.cached_prefix_tokens === 0) {
      issues.push({ path: ["segments", index, "cache_hit_rate"], message: "a cache hit rate needs cached_prefix_tokens above 0 (what would be cached?)" });
    }
  });
  const checkSegments = (section: "provisioned_throughput" | "self_host", list: { segments?: string[] | undefined }[]) =>
    list.forEach((entry, index) =>
      entry.segments?.forEach((name, position) => {
        if (!names.has(name)) {
          issues.push({ path: [section, index, "segments", position], message: `no segment is named ${JSON.stringify(name)}; segments: ${[...names].join(", ")}` });
        }
      }),
    );
  checkSegments("provisioned_throughput", data.provisioned_throughput);
  checkSegments("self_host", data.self_host);
  return issues;
}
