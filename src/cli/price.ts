import { CatalogLookupError, UnknownModelError, type Catalog } from "../catalog/catalog.js";
import { BEDROCK_GEO_PREFIXES } from "../catalog/bedrock-ids.js";
import { pricePeriod } from "../catalog/model.js";
import { PROVIDERS, type ProviderId } from "../catalog/schema.js";
import { PricingError } from "../pricing/price-request.js";
import { SPEEDS } from "../pricing/usage.js";
import { quote, type Quote } from "../pricing/quote.js";
import { quoteToJson } from "../pricing/quote-report.js";
import { choiceFlag, dateFlag, parseFlags, today, writeJson, type Command } from "./command.js";
import { catalogFlags, catalogFromFlags, usageFlags, usageFromFlags } from "./catalog-option.js";
import { groupDigits, renderTable } from "./table.js";
import { UsageError } from "./usage-error.js";

/** Bedrock's routes: an inference profile's geography, or the base model id in the caller's region. */
const BEDROCK_ROUTES = [...BEDROCK_GEO_PREFIXES, "in-region"].sort();
/** inference_geo values the Anthropic API and Claude Platform on AWS take. */
const INFERENCE_GEOS = ["global", "us"] as const;

const help = `switchyard price — the exact cost of one request

Usage: switchyard price --model ID [--provider P] [token flags | --usage-json FILE|-] [--json]

Model and route:
  --model ID              any id form: claude-sonnet-4-6, claude-sonnet-4-5-20250929,
                          anthropic.claude-…-v1:0, ${[...BEDROCK_GEO_PREFIXES].sort().map((prefix) => `${prefix}.`).join("/")} profile ids,
                          a Bedrock ARN (application profiles need arn_mappings in --catalog)
  --provider P            ${PROVIDERS.join("|")} (inferred from the id where possible)
  --route R               a route of the provider (bedrock: ${BEDROCK_ROUTES.join(", ")})
  --region AWS_REGION     the source region (checked against the offering)
  --inference-geo G       ${INFERENCE_GEOS.join("|")} (Anthropic API and Claude Platform on AWS; us = 1.1x, Claude 4.6+)
  --batch                 Batch API / batch inference pricing
  --speed S               ${SPEEDS.join("|")} (fast mode, Anthropic API only)
  --at YYYY-MM-DD         prices in force that day (default: today)
  --catalog FILE          your own catalog file (overrides/additions); repeatable

Usage:
  --input N --output N --cache-write-5m N --cache-write-1h N --cache-read N --web-search-requests N
  --agent-session-ms N    Claude Managed Agents running time (billed per session-hour)
  --usage-json FILE|-     an Anthropic, Bedrock InvokeModel/Converse or OpenAI usage object (or whole
                          response, or a JSON array of stream events, or a Messages or OpenAI chat-
                          completions stream captured as sent: text/event-stream, e.g. curl -N output;
                          a chat stream needs its stream_options.include_usage chunk) instead of the
                          token flags

Output:
  --json                  {"total_usd", "exact", "total_usd_upper", "lines":[{"class","tokens","usd_per_mtok",
                          "usd"}], "model", "model_id", "provider", "route", "region", "residency", "tier",
                          "speed", "batch", "at", "price_period", "billing_units", "catalog_source", "warnings"}
                          (money as exact decimal strings; total_usd a lower bound where exact is false)

Example:
  switchyard price --model us.anthropic.claude-sonnet-4-5-20250929-v1:0 --input 250000 --output 1000 --cache-read 60000
`;

/** An AWS (us-east-1, us-gov-west-1) or Google Cloud (europe-west1) region name, or a UsageError naming --region. */
function regionFlag(value: string | undefined): string | undefined {
  if (value === undefined || /^[a-z]{2,}(-[a-z]+)+-?\d+$/.test(value)) return value;
  throw new UsageError(`--region must be a cloud region such as us-east-1 or europe-west1, got ${JSON.stringify(value)}`);
}

/**
 * A route served from several places, each its own offering (Vertex's regional route in the US, the
 * EU and Singapore; Bedrock's in-region one, GovCloud among them), names no one of them: without
 * --region the catalog's first was priced, and its residency reported, without a word.
 */
function refuseUnnamedRegion(catalog: Catalog, priced: Quote): void {
  const { model, provider, route, region } = priced.resolution;
  // A region from --region, an ARN or an arn_mappings entry picked one already.
  if (region !== undefined) return;
  const places = catalog.offeringsOf(model.id).filter((offering) => offering.provider === provider && offering.route === route);
  if (places.length < 2) return;
  throw new UsageError(
    `--region: ${model.id}'s ${provider} route ${route} is served from ${places.length} places, each priced on its own: ` +
      `${places.map((offering) => `${offering.regions?.join(", ") ?? "unlisted regions"} (residency ${offering.residency})`).join("; ")}; say which with --region`,
    `e.g. --region ${places[0]?.regions?.[0] ?? "REGION"}`,
  );
}

/** Maps the engine's "cannot price this" errors to bad input (exit 2) naming the flag. */
export function asUsageError(error: unknown): never {
  if (error instanceof UnknownModelError) throw new UsageError(`--model: ${error.message}`, "see: switchyard catalog list");
  if (error instanceof CatalogLookupError) throw new UsageError(`--${error.field.replaceAll("_", "-")}: ${error.message}`);
  if (error instanceof PricingError) throw new UsageError(`--${error.field.replaceAll("_", "-")}: ${error.message}`);
  throw error;
}

export function renderQuote(priced: Quote, at: string): string {
  const json = quoteToJson(priced, at);
  const rows = json.lines.map((line) => [
    line.model ? `${line.class} (${line.role ?? "other model"} ${line.model})` : line.class,
    line.tokens === null
      ? line.requests !== undefined
        ? `${groupDigits(line.requests)} searches`
        : line.session_ms !== undefined
          ? `${groupDigits(line.session_ms)} ms`
          : "unknown"
      : groupDigits(line.tokens),
    line.usd_per_mtok ?? (line.usd_per_hour !== undefined ? `${line.usd_per_hour}/h` : line.usd_per_1000 === null ? "unknown" : `${line.usd_per_1000 ?? ""}/1k`),
    line.usd ?? "unknown",
  ]);
  const title =
    `${json.model} on ${json.provider}/${json.route}${json.region ? ` (${json.region})` : ""} — ${json.model_id}\n` +
    `prices in force ${at} (period ${pricePeriod(json.price_period)}), tier ${json.tier}` +
    `${json.batch ? ", batch" : ""}${json.speed === "fast" ? ", fast mode" : ""}\n\n`;
  const total = json.exact
    ? `total  $${json.total_usd}`
    : `total  at least $${json.total_usd}${json.total_usd_upper ? `, at most $${json.total_usd_upper}` : " (some usage unknown)"}`;
  const units = json.billing_units ? `\n       = ${json.billing_units.quantity} ${json.billing_units.unit}` : "";
  const source = `\nsource: ${json.catalog_source.url} (accessed ${json.catalog_source.accessed}${json.catalog_source.verified ? "" : ", unverified"})`;
  const warnings = json.warnings.map((warning) => `\nwarning: ${warning}`).join("");
  return `${title}${renderTable(["class", "tokens", "USD/MTok", "USD"], rows, new Set([1, 2, 3]))}\n${total}${units}${source}${warnings}\n`;
}

export const priceCommand: Command = {
  name: "price",
  summary: "the exact cost of one request",
  help,
  async run({ argv, stdout, stderr, stdin }) {
    const { values } = parseFlags(
      argv,
      {
        model: { type: "string" },
        provider: { type: "string" },
        route: { type: "string" },
        region: { type: "string" },
        "inference-geo": { type: "string" },
        batch: { type: "boolean" },
        speed: { type: "string" },
        at: { type: "string" },
        json: { type: "boolean" },
        ...usageFlags,
        ...catalogFlags,
      },
      "price",
    );
    if (!values.model) throw new UsageError("--model is required", "e.g. --model claude-sonnet-4-6");
    // An empty route would be read as none given, and the default route priced without a word.
    const provider = choiceFlag(values.provider, "provider", PROVIDERS) as ProviderId | undefined;
    const speed = choiceFlag(values.speed, "speed", SPEEDS);
    const inferenceGeo = choiceFlag(values["inference-geo"], "inference-geo", INFERENCE_GEOS);
    // inference_geo picks the route (us is the 1.1x us route): a different --route would price what was not asked for.
    if (inferenceGeo !== undefined && values.route !== undefined && values.route !== inferenceGeo) {
      throw new UsageError(
        `--inference-geo ${inferenceGeo} and --route ${values.route} contradict each other: inference_geo "${inferenceGeo}" is the ${inferenceGeo} route`,
        "give one of them",
      );
    }
    const at = dateFlag(values.at, "at") ?? today();
    const normalized = await usageFromFlags(values, stdin);
    const catalog = catalogFromFlags(values.catalog, stderr);
    let priced: Quote;
    try {
      priced = quote(catalog, {
        model: values.model,
        provider,
        region: regionFlag(values.region),
        route: values.route,
        inferenceGeo,
        at,
        batch: values.batch,
        speed,
        usage: normalized.usage,
        otherModels: normalized.otherModels,
      });
    } catch (error) {
      asUsageError(error);
    }
    refuseUnnamedRegion(catalog, priced);
    priced.warnings.unshift(...normalized.warnings);
    if (values.json) writeJson(stdout, quoteToJson(priced, at));
    else stdout.write(renderQuote(priced, at));
    return 0;
  },
};
