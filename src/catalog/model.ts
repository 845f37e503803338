/**
 * The catalog as the program uses it: parsed, typed, with exact decimals and merged capabilities.
 * Built from validated data files by build-catalog.ts; never mutated afterwards.
 */
import type { Decimal } from "../pricing/decimal.js";
import type {
  BetaInfo,
  ArnMapping,
  Capabilities,
  LatencyData,
  ModelData,
  ProviderId,
  ProviderInfo,
  Residency,
  Source,
} from "./schema.js";

export interface RateCard {
  input: Decimal;
  output: Decimal;
  cacheWrite5m: Decimal | undefined;
  cacheWrite1h: Decimal | undefined;
  cacheRead: Decimal | undefined;
  /** The card's own source where it is not the block's (see cardSource). */
  source: Source | undefined;
}

export interface Tier extends RateCard {
  thresholdTokens: number;
}

export interface Fees {
  webSearchPer1000: Decimal | undefined;
  agentSessionHour: Decimal | undefined;
  codeExecutionContainerHour: Decimal | undefined;
  codeExecutionFreeHoursPerMonth: number | undefined;
}

export interface PriceBlock {
  /** First day in force (YYYY-MM-DD). */
  from: string;
  /** Last day in force, inclusive; undefined while current. */
  to: string | undefined;
  standard: RateCard;
  longContext: Tier | undefined;
  fast: RateCard | undefined;
  fastLongContext: Tier | undefined;
  batchMultiplier: Decimal | undefined;
  fees: Fees;
  source: Source;
  notes: string | undefined;
}

export interface Model {
  id: string;
  name: string;
  vendor: ModelData["vendor"];
  family: string;
  generation: Decimal | undefined;
  released: string | undefined;
  status: ModelData["status"];
  retired: Partial<Record<ProviderId, string>>;
  ids: Partial<Record<ProviderId, string[]>>;
  aliases: string[];
  /** Tokens per reference (pre-4.7 Claude) token for the same text; 1 when unknown. */
  tokenizerFactor: Decimal | undefined;
  tokenizerSource: Source | undefined;
  capabilities: Capabilities;
  verified: boolean;
  notes: string | undefined;
}

export interface Offering {
  /** provider/model/route[/regions] — unique in a catalog; a user file with the same key replaces ours. */
  key: string;
  provider: ProviderId;
  model: Model;
  route: string;
  modelId: string;
  regions: string[] | undefined;
  residency: Residency;
  compliance: string[];
  billing: string;
  /** The model's capabilities with this route's overrides applied. */
  capabilities: Capabilities;
  latency: LatencyData[];
  /** Sorted by `from`, non-overlapping. */
  prices: PriceBlock[];
  notes: string | undefined;
  /** Which file it came from, for `catalog show` and error messages. */
  origin: string;
}

export interface CatalogData {
  providers: Map<ProviderId, ProviderInfo>;
  regions: Map<string, Residency>;
  models: Map<string, Model>;
  offerings: Offering[];
  arnMappings: ArnMapping[];
  /** anthropic-beta values the catalog knows, by id. */
  betas: Map<string, BetaInfo>;
}

/** A price period as people read it: "2026-01-26..2026-06-30", or "2026-01-26 onwards" while no end is announced. */
/** The id the Claude API names a model by in its answers (its first, dated id), else the catalog's id. */
export function claudeApiId(model: Pick<Model, "id" | "ids">): string {
  return model.ids.anthropic?.[0] ?? model.id;
}

export function pricePeriod(block: { from: string; to?: string | null | undefined }): string {
  return block.to ? `${block.from}..${block.to}` : `${block.from} onwards`;
}

/** Where a card's rates come from: its own source, else its block's (whose `verified` then speaks for it). */
export function cardSource(block: Pick<PriceBlock, "source">, card: Pick<RateCard, "source">): Source {
  return card.source ?? block.source;
}

/** The price block in force on `date` (YYYY-MM-DD; both ends inclusive), or undefined. */
export function blockInForce(offering: Pick<Offering, "prices">, date: string): PriceBlock | undefined {
  return offering.prices.find((block) => block.from <= date && (block.to === undefined || date <= block.to));
}

/**
 * Fast mode withdrawn in this period: the catalog records it as a `fast` card equal to the standard
 * one (docs/CATALOG.md, "fast = standard"), since a request asking for speed "fast" is still
 * accepted, runs at standard speed and is billed at standard rates.
 */
export function fastModeWithdrawn(block: Pick<PriceBlock, "standard" | "fast">): boolean {
  const { fast, standard } = block;
  if (!fast) return false;
  const same = (a: Decimal | undefined, b: Decimal | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));
  return (
    same(fast.input, standard.input) &&
    same(fast.output, standard.output) &&
    same(fast.cacheWrite5m, standard.cacheWrite5m) &&
    same(fast.cacheWrite1h, standard.cacheWrite1h) &&
    same(fast.cacheRead, standard.cacheRead)
  );
}
