import { CatalogLookupError, UnknownModelError, type Catalog } from "../catalog/catalog.js";
import { blockInForce, type Offering, type PriceBlock } from "../catalog/model.js";
import type { PriceResult } from "../pricing/price-request.js";
import { quoteToJson, type QuoteJson } from "../pricing/quote-report.js";
import { PROVIDERS, RESIDENCIES } from "../catalog/schema.js";
import { compareOfferings, offeringsForModelQuery, unbounded } from "../pricing/compare.js";
import { Decimal } from "../pricing/decimal.js";
import { SPEEDS } from "../pricing/usage.js";
import { formatUsd, moneyToDecimal } from "../pricing/money.js";
import { choiceFlag, dateFlag, parseFlags, today, writeJson, type Command } from "./command.js";
import { catalogFlags, catalogFromFlags, residencyFlag, usageFlags, usageFromFlags } from "./catalog-option.js";
import { usageCountsToJson } from "../pricing/usage.js";
import { renderTable } from "./table.js";
import { UsageError } from "./usage-error.js";

const help = `switchyard compare — the same usage priced on every deployment that offers the model

Usage: switchyard compare --model ID|FAMILY [token flags | --usage-json FILE|-] [--json]

  --model ID|FAMILY       a model id in any form, or a family such as sonnet-4.6 or haiku-4.5
  --provider P            only this provider (repeatable): ${PROVIDERS.join("|")}
  --residency R           only deployments whose data stays in R: ${RESIDENCIES.join("|")}
                          (us includes GovCloud; apac includes jp and au, as plan reads it)
  --batch                 batch pricing (deployments without batch are listed as infeasible)
  --speed S               ${SPEEDS.join("|")}: fast mode (only where offered)
  --at YYYY-MM-DD         prices in force that day (default: today)
  --catalog FILE          your own catalog file, repeatable
  --input N --output N --cache-write-5m N --cache-write-1h N --cache-read N --web-search-requests N
  --agent-session-ms N    Claude Managed Agents running time (billed per session-hour)
  --usage-json FILE|-     a provider usage object, whole response or stream (as price takes it) instead of the token flags
  --json                  {"model_query","at","usage","warnings","options":[{"rank","provider","route","model",
                          "model_id","regions","residency","billing","compliance","feasible","total_usd","exact",
                          "total_usd_upper","vs_cheapest_percent","tier","reasons","catalog_source","lines",
                          "billing_units","warnings"}]}

Ranked cheapest first among the feasible; infeasible deployments follow with the reason.

Example:
  switchyard compare --model sonnet-4.6 --input 1000000 --output 100000 --cache-read 200000
`;

/** An option's lines and billing_units as price --json says them (quoteToJson), for the offering as compared. */
function priceFields(catalog: Catalog, offering: Offering, block: PriceBlock, result: PriceResult, at: string): Pick<QuoteJson, "lines" | "billing_units"> {
  const unit = catalog.provider(offering.provider)?.billing_unit;
  const billingUnits = unit ? { name: unit.name, quantity: moneyToDecimal(result.total).div(Decimal.parse(unit.usd_per_unit), 18) } : undefined;
  const resolution = { model: offering.model, provider: offering.provider, route: offering.route, offering, region: undefined, wireId: offering.modelId };
  const { lines, billing_units } = quoteToJson({ resolution, offering, block, result, ...(billingUnits ? { billingUnits } : {}), warnings: [] }, at);
  return { lines, billing_units };
}

export const compareCommand: Command = {
  name: "compare",
  summary: "the same usage priced on every deployment that offers a model, ranked",
  help,
  async run({ argv, stdout, stderr, stdin }) {
    const { values } = parseFlags(
      argv,
      {
        model: { type: "string" },
        provider: { type: "string", multiple: true },
        residency: { type: "string" },
        batch: { type: "boolean" },
        speed: { type: "string" },
        at: { type: "string" },
        json: { type: "boolean" },
        ...usageFlags,
        ...catalogFlags,
      },
      "compare",
    );
    if (!values.model) throw new UsageError("--model is required", "e.g. --model sonnet-4.6");
    const providers = (values.provider ?? []).map((provider) => choiceFlag(provider, "provider", PROVIDERS));
    const speed = choiceFlag(values.speed, "speed", SPEEDS);
    const at = dateFlag(values.at, "at") ?? today();
    const normalized = await usageFromFlags(values, stdin);
    const catalog = catalogFromFlags(values.catalog, stderr);
    let offerings;
    try {
      offerings = offeringsForModelQuery(catalog, values.model);
    } catch (error) {
      if (error instanceof UnknownModelError || error instanceof CatalogLookupError) throw new UsageError(`--model: ${error.message}`);
      throw error;
    }
    if (providers.length > 0) offerings = offerings.filter((offering) => providers.includes(offering.provider));
    const inResidency = residencyFlag(values.residency);
    if (inResidency) offerings = offerings.filter(inResidency);
    if (offerings.length === 0) throw new UsageError(`no deployment offers ${values.model} with those filters`, "see: switchyard catalog list --model " + values.model);
    // A day on which not one of them has a price is the date's problem, as price says (exit 2), not
    // a table of deployments that cannot serve.
    if (offerings.every((offering) => blockInForce(offering, at) === undefined)) {
      const earliest = offerings.flatMap((offering) => offering.prices.map((block) => block.from)).sort()[0];
      throw new UsageError(
        `--at: no deployment of ${values.model} has a price on ${at}`,
        earliest !== undefined && earliest > at ? `its prices start on ${earliest}: give --at ${earliest} or later` : `see: switchyard catalog show ${values.model}`,
      );
    }
    const compared = compareOfferings(catalog, offerings, normalized.usage, normalized.otherModels, at, { batch: values.batch === true, ...(speed ? { speed } : {}) });
    const first = compared.find((option) => option.feasible)?.result;
    const cheapest = first?.total;
    // How much dearer than the cheapest: unknown for a lower bound with no upper one, unless the cheapest is one too.
    const comparable = (result: PriceResult) => !unbounded(result) || (first !== undefined && unbounded(first));
    const options = compared.map((option, index) => {
      const { offering, result } = option;
      const block = blockInForce(offering, at);
      return {
        rank: option.feasible ? index + 1 : null,
        provider: offering.provider,
        route: offering.route,
        model: offering.model.id,
        model_id: offering.modelId,
        regions: offering.regions ?? null,
        residency: offering.residency,
        billing: offering.billing,
        compliance: offering.compliance,
        feasible: option.feasible,
        total_usd: result ? formatUsd(result.total) : null,
        exact: result?.exact ?? null,
        // As price --json: the most it can cost when some usage is unknown (null when unbounded).
        total_usd_upper: result?.upper === undefined ? null : formatUsd(result.upper),
        vs_cheapest_percent:
          result && cheapest !== undefined && cheapest > 0n && comparable(result)
            ? moneyToDecimal(result.total - cheapest).mul(Decimal.fromInteger(100)).div(moneyToDecimal(cheapest), 2).toString()
            : null,
        tier: result?.tier ?? null,
        reasons: option.reasons,
        catalog_source: result ? result.source : block ? block.source : null,
        // As price --json gives them: the priced classes, the billing unit's amount, and the notes that do not rule it out.
        ...(result && block ? priceFields(catalog, offering, block, result, at) : { lines: null, billing_units: null }),
        warnings: option.warnings,
      };
    });
    if (values.json) {
      writeJson(stdout, { model_query: values.model, at, usage: usageCountsToJson(normalized.usage), warnings: normalized.warnings, options });
      return 0;
    }
    // A note every row carries (one request of this usage exceeding the context window, say) is
    // printed once under the table; --json keeps it on every option.
    const shared = options.length > 1 ? (options[0]?.reasons ?? []).filter((reason) => options.every((option) => option.reasons.includes(reason))) : [];
    const notes = options.map((option) => option.reasons.filter((reason) => !shared.includes(reason)).join("; "));
    const where = (option: (typeof options)[number]) =>
      `${option.provider}/${option.route}` +
      (option.regions && (option.route === "regional" || option.route === "in-region") ? ` ${option.regions[0]}${option.regions.length > 1 ? ` +${option.regions.length - 1}` : ""}` : "");
    const feasible = options.filter((option) => option.feasible).length;
    if (feasible === 0) {
      // Nothing to rank: the reasons, without a table of n/a rows.
      stdout.write(`${values.model}: none of ${options.length} deployments can serve this, prices in force ${at}\n`);
      for (const note of shared) stdout.write(`  all ${options.length}: ${note}\n`);
      options.forEach((option, index) => {
        if (notes[index]) stdout.write(`  ${where(option)}${option.model === values.model ? "" : ` (${option.model})`}: ${notes[index]}\n`);
      });
      for (const warning of normalized.warnings) stdout.write(`warning: ${warning}\n`);
      return 0;
    }
    const withNotes = notes.some((note) => note !== "");
    const rows = options.map((option, index) => [
      option.rank === null ? "-" : String(option.rank),
      where(option),
      option.model,
      option.residency,
      option.total_usd === null ? "n/a" : option.exact === false && option.total_usd_upper === null ? `at least $${option.total_usd}` : `$${option.total_usd}`,
      option.vs_cheapest_percent === null ? "" : option.vs_cheapest_percent === "0" ? "cheapest" : `+${option.vs_cheapest_percent}%`,
      ...(withNotes ? [notes[index] as string] : []),
    ]);
    stdout.write(`${values.model}: ${feasible} feasible of ${options.length} deployments, prices in force ${at}\n\n`);
    stdout.write(renderTable(["#", "provider/route", "model", "residency", "total", "vs cheapest", ...(withNotes ? ["notes"] : [])], rows, new Set([0, 4])));
    for (const note of shared) stdout.write(`note (all ${options.length} deployments): ${note}\n`);
    for (const warning of normalized.warnings) stdout.write(`warning: ${warning}\n`);
    return 0;
  },
};
