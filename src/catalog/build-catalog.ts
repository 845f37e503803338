/**
 * Turns validated catalog files into the typed catalog, checking what one file alone cannot:
 * references between files, overlapping price periods, duplicate ids. Later files override
 * earlier ones offering by offering (that is how a user's --catalog file works).
 */
import { Decimal } from "../pricing/decimal.js";
import type { CatalogData, Fees, Model, Offering, PriceBlock, RateCard, Tier } from "./model.js";
import type {
  Capabilities,
  CatalogFile,
  ModelData,
  OfferingData,
  PriceBlockData,
  ProviderId,
  RateCardData,
  TierData,
} from "./schema.js";

export interface CatalogIssue {
  file: string;
  /** Path of the field inside the file, e.g. offerings.3.prices.0.effective_to */
  path: string;
  message: string;
  /** 1-based line, when known */
  line?: number;
  severity: "error" | "warning";
}

export interface NamedCatalogFile {
  name: string;
  data: CatalogFile;
  /** Maps a field path to its line, for messages. */
  lineOf?: (path: (string | number)[]) => number | undefined;
}

export function buildCatalog(files: NamedCatalogFile[]): { catalog: CatalogData; issues: CatalogIssue[] } {
  const issues: CatalogIssue[] = [];
  const catalog: CatalogData = {
    providers: new Map(),
    regions: new Map(),
    models: new Map(),
    offerings: [],
    arnMappings: [],
    betas: new Map(),
  };
  const report = (file: NamedCatalogFile, path: (string | number)[], message: string, severity: "error" | "warning" = "error") => {
    const line = file.lineOf?.(path);
    issues.push({ file: file.name, path: path.join("."), message, severity, ...(line ? { line } : {}) });
  };

  for (const file of files) {
    for (const provider of file.data.providers ?? []) catalog.providers.set(provider.id, provider);
    for (const region of file.data.regions ?? []) catalog.regions.set(region.id, region.residency);
    file.data.models?.forEach((data, index) => {
      catalog.models.set(data.id, toModel(data));
      if (!data.ids || Object.keys(data.ids).length === 0) report(file, ["models", index, "ids"], "a model needs at least one provider id");
    });
    catalog.arnMappings.push(...(file.data.arn_mappings ?? []));
    for (const beta of file.data.betas ?? []) catalog.betas.set(beta.id, beta);
  }

  const byKey = new Map<string, Offering>();
  for (const file of files) {
    const offerings = file.data.offerings ?? [];
    if (offerings.length > 0 && !file.data.provider) {
      report(file, ["provider"], "a file with offerings must say which provider they belong to (provider: bedrock, ...)");
      continue;
    }
    const provider = file.data.provider as ProviderId;
    offerings.forEach((data, index) => {
      const path = ["offerings", index];
      const model = catalog.models.get(data.model);
      if (!model) {
        report(file, [...path, "model"], `unknown model ${JSON.stringify(data.model)}; define it under models: first`);
        return;
      }
      const prices = data.prices.map(toPriceBlock).sort((a, b) => a.from.localeCompare(b.from));
      checkPeriods(prices, (message, blockIndex) => report(file, [...path, "prices", blockIndex], message));
      data.prices.forEach((block, blockIndex) => checkBlock(block, (message, field) => report(file, [...path, "prices", blockIndex, ...field], message)));
      for (const region of data.regions ?? []) {
        if (catalog.regions.size > 0 && !catalog.regions.has(region)) {
          report(file, [...path, "regions"], `unknown region ${JSON.stringify(region)}; add it to regions: with its residency`, "warning");
        }
      }
      const offering = toOffering(provider, model, catalog.providers.get(provider)?.capabilities, data, prices, file.name);
      byKey.set(offering.key, offering);
    });
  }
  catalog.offerings = [...byKey.values()];
  checkIdCollisions(catalog, (message) => issues.push({ file: "(catalog)", path: "models", message, severity: "error" }));
  return { catalog, issues };
}

function decimal(text: string): Decimal {
  return Decimal.parse(text);
}

function optionalDecimal(text: string | undefined): Decimal | undefined {
  return text === undefined ? undefined : Decimal.parse(text);
}

function toRateCard(data: RateCardData): RateCard {
  return {
    input: decimal(data.input),
    output: decimal(data.output),
    cacheWrite5m: optionalDecimal(data.cache_write_5m),
    cacheWrite1h: optionalDecimal(data.cache_write_1h),
    cacheRead: optionalDecimal(data.cache_read),
    source: data.source,
  };
}

function toTier(data: TierData | undefined): Tier | undefined {
  return data ? { ...toRateCard(data), thresholdTokens: data.threshold_tokens } : undefined;
}

function toPriceBlock(data: PriceBlockData): PriceBlock {
  const fees: Fees = {
    webSearchPer1000: optionalDecimal(data.fees?.web_search_per_1000),
    agentSessionHour: optionalDecimal(data.fees?.agent_session_hour),
    codeExecutionContainerHour: optionalDecimal(data.fees?.code_execution_container_hour),
    codeExecutionFreeHoursPerMonth: data.fees?.code_execution_free_hours_per_month,
  };
  return {
    from: data.effective_from,
    to: data.effective_to ?? undefined,
    standard: toRateCard(data.standard),
    longContext: toTier(data.long_context),
    fast: data.fast ? toRateCard(data.fast) : undefined,
    fastLongContext: toTier(data.fast_long_context),
    batchMultiplier: optionalDecimal(data.batch_multiplier),
    fees,
    source: data.source,
    notes: data.notes,
  };
}

function toModel(data: ModelData): Model {
  return {
    id: data.id,
    name: data.name,
    vendor: data.vendor,
    family: data.family,
    generation: optionalDecimal(data.generation),
    released: data.released,
    status: data.status,
    retired: data.retired ?? {},
    ids: data.ids,
    aliases: data.aliases,
    tokenizerFactor: optionalDecimal(data.tokenizer?.tokens_per_reference_token),
    tokenizerSource: data.tokenizer?.source,
    capabilities: data.capabilities,
    verified: data.verified,
    notes: data.notes,
  };
}

export function offeringKey(provider: string, model: string, route: string, regions: string[] | undefined): string {
  const base = `${provider}/${model}/${route}`;
  return regions && regions.length > 0 ? `${base}/${[...regions].sort().join("+")}` : base;
}

function toOffering(provider: ProviderId, model: Model, providerCapabilities: Capabilities | undefined, data: OfferingData, prices: PriceBlock[], origin: string): Offering {
  // The model's, then what holds for the whole provider, then the offering's own.
  const capabilities: Capabilities = { ...model.capabilities, ...(providerCapabilities ?? {}), ...(data.capabilities ?? {}) };
  return {
    key: offeringKey(provider, model.id, data.route, data.regions),
    provider,
    model,
    route: data.route,
    modelId: data.model_id,
    regions: data.regions,
    residency: data.residency,
    compliance: data.compliance,
    billing: data.billing,
    capabilities,
    latency: data.latency ?? [],
    prices,
    notes: data.notes,
    origin,
  };
}

function checkPeriods(blocks: PriceBlock[], report: (message: string, index: number) => void): void {
  blocks.forEach((block, index) => {
    if (block.to !== undefined && block.to < block.from) {
      report(`effective_to ${block.to} is before effective_from ${block.from}`, index);
    }
    const next = blocks[index + 1];
    if (next && (block.to === undefined || block.to >= next.from)) {
      report(
        `price periods overlap: ${block.from}..${block.to ?? "(open)"} and ${next.from}..${next.to ?? "(open)"}; ` +
          "set effective_to to the day before the next period starts",
        index,
      );
    }
  });
}

/** Checks inside one price block that the tiers are coherent. */
function checkBlock(block: PriceBlockData, report: (message: string, field: string[]) => void): void {
  if (block.fast_long_context && !block.fast) report("fast_long_context needs a fast block", ["fast_long_context"]);
  if (block.batch_multiplier !== undefined) {
    const multiplier = Decimal.parse(block.batch_multiplier);
    if (multiplier.isZero() || multiplier.compare(Decimal.ONE) > 0) {
      report(`batch_multiplier must be in (0, 1], got ${block.batch_multiplier}`, ["batch_multiplier"]);
    }
  }
}

/** Two models must not claim the same provider id or alias, or resolution would be ambiguous. */
function checkIdCollisions(catalog: CatalogData, report: (message: string) => void): void {
  const owner = new Map<string, string>();
  for (const model of catalog.models.values()) {
    const names = new Set<string>([model.id, ...model.aliases]);
    for (const [provider, ids] of Object.entries(model.ids)) for (const id of ids ?? []) names.add(`${provider}:${id}`);
    for (const name of names) {
      const previous = owner.get(name);
      if (previous && previous !== model.id) report(`${name} is claimed by both ${previous} and ${model.id}`);
      owner.set(name, model.id);
    }
  }
}
