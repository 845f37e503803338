import { CatalogLookupError, UnknownModelError, type Catalog } from "../catalog/catalog.js";
import { blockInForce, pricePeriod } from "../catalog/model.js";
import { checkRules, type RuleFinding } from "../catalog/check-rules.js";
import { formatIssue, loadCatalogChecked } from "../catalog/files.js";
import type { Offering, PriceBlock, RateCard } from "../catalog/model.js";
import { PROVIDERS, RESIDENCIES } from "../catalog/schema.js";
import { choiceFlag, dateFlag, parseFlags, today, writeJson, type Command } from "./command.js";
import { catalogFlags, catalogFromFlags, residencyFlag } from "./catalog-option.js";
import { renderTable } from "./table.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./usage-error.js";

const help = `switchyard catalog — browse and check the price & capability catalog

Usage:
  switchyard catalog list [--provider P] [--model ID|FAMILY] [--residency R] [--at DATE] [--json]
  switchyard catalog show ID [--at DATE] [--json]      a model (any id form): capabilities, every offering,
                                                      every price period with its source (with --at, the
                                                      period in force that day; --json adds price_on_date)
  switchyard catalog validate [FILE...] [--notes] [--json]
                                                      check our catalog plus your files; every error with
                                                      file, line and field; rule findings (ratios, premiums
                                                      to confirm against their sources) counted, or listed
                                                      with --notes

Flags:
  --provider P     ${PROVIDERS.join("|")} (list)
  --residency R    where the data stays: ${RESIDENCIES.join("|")} (list)
                   (us includes GovCloud; apac includes jp and au)
  --catalog FILE   your own catalog file (overrides/additions), repeatable (list, show; validate
                   checks it as one more FILE)
  --json           machine-readable output: list {"at","offerings":[{offering...,"price_on_date"}]};
                   show {"model","offerings"[,"at"; each offering's "price_on_date" with --at]};
                   validate {"ok","summary","issues":[{"file","line","path","message","severity"}],
                   "rule_findings"}; an offering is {"key","provider","model","route","model_id",
                   "regions","residency","compliance","billing","capabilities","latency","prices",
                   "notes","origin"}

Exit codes: 0 ok; 2 bad input (including errors in your FILE); 1 errors in the built-in catalog.
`;

function rateCardJson(card: RateCard | undefined) {
  if (!card) return null;
  return {
    input: card.input.toString(),
    output: card.output.toString(),
    cache_write_5m: card.cacheWrite5m?.toString() ?? null,
    cache_write_1h: card.cacheWrite1h?.toString() ?? null,
    cache_read: card.cacheRead?.toString() ?? null,
    // Only where the card has its own source (docs/CATALOG.md): else the block's `source` is this card's.
    ...(card.source ? { source: card.source } : {}),
  };
}

function blockJson(block: PriceBlock) {
  return {
    effective_from: block.from,
    effective_to: block.to ?? null,
    standard: rateCardJson(block.standard),
    long_context: block.longContext ? { threshold_tokens: block.longContext.thresholdTokens, ...rateCardJson(block.longContext) } : null,
    fast: rateCardJson(block.fast),
    fast_long_context: block.fastLongContext ? { threshold_tokens: block.fastLongContext.thresholdTokens, ...rateCardJson(block.fastLongContext) } : null,
    batch_multiplier: block.batchMultiplier?.toString() ?? null,
    fees: {
      web_search_per_1000: block.fees.webSearchPer1000?.toString() ?? null,
      agent_session_hour: block.fees.agentSessionHour?.toString() ?? null,
    },
    source: block.source,
    notes: block.notes ?? null,
  };
}

export function offeringJson(offering: Offering) {
  return {
    key: offering.key,
    provider: offering.provider,
    model: offering.model.id,
    route: offering.route,
    model_id: offering.modelId,
    regions: offering.regions ?? null,
    residency: offering.residency,
    compliance: offering.compliance,
    billing: offering.billing,
    capabilities: offering.capabilities,
    latency: offering.latency,
    prices: offering.prices.map(blockJson),
    notes: offering.notes ?? null,
    origin: offering.origin,
  };
}

function currentBlock(offering: Offering, at: string): PriceBlock | undefined {
  return blockInForce(offering, at);
}

function list(catalog: Catalog, argv: string[], stdout: NodeJS.WritableStream): number {
  const { values } = parseFlags(
    argv,
    { provider: { type: "string" }, model: { type: "string" }, residency: { type: "string" }, at: { type: "string" }, json: { type: "boolean" }, ...catalogFlags },
    "catalog",
  );
  const provider = choiceFlag(values.provider, "provider", PROVIDERS);
  const at = dateFlag(values.at, "at") ?? today();
  let offerings = catalog.offerings;
  if (provider) offerings = offerings.filter((offering) => offering.provider === provider);
  const inResidency = residencyFlag(values.residency);
  if (inResidency) offerings = offerings.filter(inResidency);
  if (values.model) {
    const models = new Set(catalog.modelsMatching(values.model).map((model) => model.id));
    if (models.size === 0) {
      try {
        models.add(catalog.resolve(values.model).model.id);
      } catch (error) {
        if (error instanceof UnknownModelError) throw new UsageError(`--model: ${error.message}`);
        throw error;
      }
    }
    offerings = offerings.filter((offering) => models.has(offering.model.id));
  }
  offerings = [...offerings].sort((a, b) => a.model.id.localeCompare(b.model.id) || a.provider.localeCompare(b.provider) || a.route.localeCompare(b.route));
  if (values.json) {
    writeJson(stdout, { at, offerings: offerings.map((offering) => ({ ...offeringJson(offering), price_on_date: (() => { const block = currentBlock(offering, at); return block ? blockJson(block) : null; })() })) });
    return EXIT_OK;
  }
  const rows = offerings.map((offering) => {
    const block = currentBlock(offering, at);
    const card = block?.standard;
    return [
      offering.model.id,
      `${offering.provider}/${offering.route}`,
      offering.residency,
      card ? card.input.toString() : "-",
      card ? card.output.toString() : "-",
      card?.cacheWrite5m?.toString() ?? "-",
      card?.cacheWrite1h?.toString() ?? "-",
      card?.cacheRead?.toString() ?? "-",
      block ? (block.longContext ? `>${block.longContext.thresholdTokens / 1000}K` : "") : `no price ${at}`,
      offering.modelId,
    ];
  });
  stdout.write(`Prices in force ${at}, USD per million tokens (${offerings.length} offerings)\n\n`);
  stdout.write(renderTable(["model", "provider/route", "residency", "input", "output", "5m write", "1h write", "read", "tier", "model id"], rows, new Set([3, 4, 5, 6, 7])));
  return EXIT_OK;
}

function show(catalog: Catalog, argv: string[], stdout: NodeJS.WritableStream): number {
  const { values, positionals } = parseFlags(argv, { at: { type: "string" }, json: { type: "boolean" }, ...catalogFlags }, "catalog", true);
  const [id, extra] = positionals;
  if (!id) throw new UsageError("catalog show needs a model id", "e.g. switchyard catalog show claude-sonnet-4-6");
  if (extra !== undefined) throw new UsageError(`catalog show takes one model id; unexpected argument ${JSON.stringify(extra)}`, "see: switchyard catalog --help");
  // With --at, each offering's price period in force that day; without, every period.
  const at = dateFlag(values.at, "at");
  let modelId: string;
  try {
    // The model, whichever provider's id names it (an id two providers spell alike needs no --provider here).
    const [matching, ...others] = catalog.modelsMatching(id);
    modelId = matching && others.length === 0 ? matching.id : catalog.resolve(id).model.id;
  } catch (error) {
    if (error instanceof UnknownModelError) throw new UsageError(error.message, "see: switchyard catalog list");
    if (error instanceof CatalogLookupError) throw new UsageError(error.message);
    throw error;
  }
  const model = catalog.model(modelId);
  if (!model) throw new UsageError(`unknown model ${id}`);
  const offerings = catalog.offeringsOf(modelId);
  if (values.json) {
    const tokenizerFactor = model.tokenizerFactor?.toString() ?? null;
    writeJson(stdout, {
      // tokenizer_factor in the snake_case of the other keys; tokenizerFactor kept for the scripts that read it.
      model: { ...model, generation: model.generation?.toString() ?? null, tokenizerFactor, tokenizer_factor: tokenizerFactor },
      ...(at === undefined ? {} : { at }),
      offerings: offerings.map((offering) => {
        if (at === undefined) return offeringJson(offering);
        const block = currentBlock(offering, at);
        return { ...offeringJson(offering), price_on_date: block ? blockJson(block) : null };
      }),
    });
    return EXIT_OK;
  }
  const lines = [
    ...(at === undefined ? [] : [`prices in force ${at}`]),
    `${model.name} (${model.id}) — family ${model.family}, generation ${model.generation ?? "n/a"}, ${model.status}${model.verified ? "" : ", UNVERIFIED prices"}`,
    `ids: ${Object.entries(model.ids).map(([provider, ids]) => `${provider}: ${(ids ?? []).join(", ")}`).join("; ")}`,
    `capabilities: ${JSON.stringify(model.capabilities)}`,
    ...(Object.keys(model.retired).length > 0 ? [`retired: ${JSON.stringify(model.retired)}`] : []),
    "",
  ];
  for (const offering of offerings) {
    lines.push(`${offering.provider}/${offering.route}  ${offering.modelId}  residency ${offering.residency}${offering.regions ? `  regions ${offering.regions.join(",")}` : ""}`);
    if (offering.compliance.length > 0) lines.push(`  compliance: ${offering.compliance.join(", ")}`);
    const inForce = at === undefined ? undefined : currentBlock(offering, at);
    if (at !== undefined && inForce === undefined) lines.push(`  no price on ${at} (priced ${offering.prices.map(pricePeriod).join(", ")})`);
    for (const block of at === undefined ? offering.prices : inForce ? [inForce] : []) {
      const card = block.standard;
      lines.push(
        `  ${pricePeriod(block)}: in ${card.input} out ${card.output} w5m ${card.cacheWrite5m ?? "-"} w1h ${card.cacheWrite1h ?? "-"} read ${card.cacheRead ?? "-"}` +
          `${block.longContext ? `; >${block.longContext.thresholdTokens}: in ${block.longContext.input} out ${block.longContext.output}` : ""}` +
          `${block.fast ? `; fast: in ${block.fast.input} out ${block.fast.output}` : ""}` +
          `${block.batchMultiplier ? `; batch x${block.batchMultiplier}` : ""}`,
      );
      lines.push(`    source: ${block.source.url} (accessed ${block.source.accessed}${block.source.verified ? "" : ", unverified"})${block.notes ? ` — ${block.notes}` : ""}`);
      const cards = { "long-context": block.longContext, fast: block.fast, "fast long-context": block.fastLongContext };
      for (const [name, tier] of Object.entries(cards)) {
        if (tier?.source) lines.push(`    ${name} rates' source: ${tier.source.url} (accessed ${tier.source.accessed}${tier.source.verified ? "" : ", unverified"})`);
      }
    }
    for (const latency of offering.latency) {
      lines.push(`  latency: TTFT p50 ${latency.ttft_p50_ms} ms p99 ${latency.ttft_p99_ms} ms (${latency.conditions}; ${latency.source.url})`);
    }
    lines.push("");
  }
  stdout.write(`${lines.join("\n")}\n`);
  return EXIT_OK;
}

function validate(argv: string[], stdout: NodeJS.WritableStream): number {
  const { values, positionals } = parseFlags(argv, { json: { type: "boolean" }, notes: { type: "boolean" }, ...catalogFlags }, "catalog", true);
  // --catalog FILE, as list and show take a user's file, is one more FILE to check.
  const files = [...positionals, ...(values.catalog ?? [])];
  if (files.some((file) => file.trim() === "")) throw new UsageError('catalog validate: a FILE is empty (""): give a path', "e.g. switchyard catalog validate my-prices.yaml");
  const { catalog, issues } = loadCatalogChecked({ extraFiles: files });
  const findings = catalog ? checkRules(catalog) : [];
  const errors = issues.filter((issue) => issue.severity === "error");
  const code = errors.length === 0 ? EXIT_OK : errors.some((issue) => files.includes(issue.file)) ? EXIT_USAGE : EXIT_FAILURE;
  const summary = catalog
    ? { models: catalog.models.length, offerings: catalog.offerings.length, price_periods: catalog.offerings.reduce((sum, offering) => sum + offering.prices.length, 0), betas: catalog.data.betas.size }
    : null;
  if (values.json) {
    writeJson(stdout, { ok: errors.length === 0, summary, issues, rule_findings: findings });
    return code;
  }
  for (const issue of issues) stdout.write(`${formatIssue(issue)}\n`);
  // Rule findings are for whoever curates prices (each is a ratio or premium to confirm against its
  // source): listed with --notes, counted by rule otherwise.
  if (values.notes) for (const finding of findings) stdout.write(`note: ${finding.offering} ${finding.period}: ${finding.rule}: ${finding.message}\n`);
  if (summary) {
    stdout.write(
      `${errors.length === 0 ? "ok" : "errors"}: ${summary.models} models, ${summary.offerings} offerings, ${summary.price_periods} price periods, ${summary.betas} betas` +
        `${files.length > 0 ? ` (with ${files.join(", ")})` : ""}; ${findings.length} rule finding(s) to confirm${findings.length > 0 && !values.notes ? ` (${countByRule(findings)}; --notes lists them)` : ""}\n`,
    );
  } else {
    stdout.write(`${errors.length} error(s)\n`);
  }
  return code;
}

/** "cacheRead-ratio 50, cacheWrite5m-ratio 20": how many findings each rule made, most first. */
function countByRule(findings: readonly RuleFinding[]): string {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.rule, (counts.get(finding.rule) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([rule, count]) => `${rule} ${count}`).join(", ");
}

export const catalogCommand: Command = {
  name: "catalog",
  summary: "browse and check the price & capability catalog (list, show, validate)",
  help,
  async run({ argv, stdout, stderr }) {
    const [subcommand, ...rest] = argv;
    if (subcommand === "validate") return validate(rest, stdout);
    if (subcommand === undefined) throw new UsageError("catalog needs a subcommand: list, show or validate", "see: switchyard catalog --help");
    if (subcommand !== "list" && subcommand !== "show") {
      throw new UsageError(`unknown subcommand ${JSON.stringify(subcommand)}; use list, show or validate`, "see: switchyard catalog --help");
    }
    const files = parseFlags(rest, { catalog: { type: "string", multiple: true }, provider: { type: "string" }, model: { type: "string" }, residency: { type: "string" }, at: { type: "string" }, json: { type: "boolean" } }, "catalog", true).values.catalog;
    const catalog = catalogFromFlags(files, stderr);
    return subcommand === "list" ? list(catalog, rest, stdout) : show(catalog, rest, stdout);
  },
};
