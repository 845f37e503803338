/** The JSON form of a quote: the `switchyard price --json` contract (PRODUCT.md). Money as exact decimal strings. */
import { formatUsd } from "./money.js";
import type { Quote } from "./quote.js";
import type { PricedLine } from "./price-request.js";

export interface QuoteLineJson {
  class: string;
  tokens: number | null;
  /** web_search only: the number of searches */
  requests?: number;
  usd_per_mtok: string | null;
  /** web_search only: the fee per 1,000 searches; null where the provider offers search but the catalog does not know its fee */
  usd_per_1000?: string | null;
  /** agent_session only: running time in milliseconds and the hourly rate */
  session_ms?: number;
  usd_per_hour?: string;
  usd: string | null;
  /** Only on a line billed at another model's rates (the advisor tool's sub-inferences, a server-side fallback's attempt): that model, */
  model?: string;
  /** and why: "advisor" or "fallback". */
  role?: string;
}

export interface QuoteJson {
  total_usd: string;
  /** false when some usage was unknown: total_usd is then a lower bound */
  exact: boolean;
  total_usd_upper: string | null;
  lines: QuoteLineJson[];
  model: string;
  model_id: string;
  provider: string;
  route: string;
  region: string | null;
  residency: string;
  tier: string;
  speed: string;
  batch: boolean;
  at: string;
  price_period: { from: string; to: string | null };
  billing_units: { unit: string; quantity: string } | null;
  catalog_source: { url: string; accessed: string; verified: boolean };
  warnings: string[];
}

export function quoteToJson(quote: Quote, at: string): QuoteJson {
  const { result, offering, block } = quote;
  return {
    total_usd: formatUsd(result.total),
    exact: result.exact,
    total_usd_upper: result.upper === undefined ? null : formatUsd(result.upper),
    lines: result.lines.map((line): QuoteLineJson => ({ ...lineJson(line), ...(line.model ? { model: line.model, ...(line.role ? { role: line.role } : {}) } : {}) })),
    model: offering.model.id,
    model_id: offering.modelId,
    provider: offering.provider,
    route: offering.route,
    region: quote.resolution.region ?? null,
    residency: offering.residency,
    tier: result.tier,
    speed: result.speed,
    batch: result.batch,
    at,
    price_period: { from: block.from, to: block.to ?? null },
    billing_units: quote.billingUnits ? { unit: quote.billingUnits.name, quantity: quote.billingUnits.quantity.toString() } : null,
    // The source of the rates used (a card's own, as the fast card's may be), else the block's.
    catalog_source: { url: result.source.url, accessed: result.source.accessed, verified: result.source.verified },
    warnings: quote.warnings,
  };
}

function lineJson(line: PricedLine): QuoteLineJson {
  const usd = line.usd === undefined ? null : formatUsd(line.usd);
  const rate = line.rate === undefined ? null : line.rate.toString();
  if (line.class === "agent_session") return { class: line.class, tokens: null, session_ms: line.quantity ?? 0, usd_per_mtok: null, ...(rate === null ? {} : { usd_per_hour: rate }), usd };
  if (line.class === "web_search") return { class: line.class, tokens: null, requests: line.quantity ?? 0, usd_per_mtok: null, usd_per_1000: rate, usd };
  return { class: line.class, tokens: line.quantity ?? null, usd_per_mtok: rate, usd };
}
