/**
 * From "this model id, these flags, this usage" to a priced request: resolves the id, finds the
 * offering and the price block in force on the date, checks the request's options against what
 * the offering supports, and prices it. Shared by the CLI, the planner and the gateway.
 */
import { asOneRequest, requestLimitProblems } from "./request-limits.js";
import { didYouMean } from "../util/suggest.js";
import { CatalogLookupError, type Catalog, type Resolution } from "../catalog/catalog.js";
import type { Offering, PriceBlock } from "../catalog/model.js";
import { takesInferenceGeo, type ProviderId } from "../catalog/schema.js";
import { billedOffering } from "./inference-geo.js";
import { moneyToDecimal } from "./money.js";
import { priceRequest, PricingError, type PriceResult } from "./price-request.js";
import type { Speed, Usage } from "./usage.js";
import type { ModelUsage } from "./normalize-usage.js";
import { withOtherModels } from "./other-models.js";
import { Decimal } from "./decimal.js";

export interface QuoteRequest {
  model: string;
  provider?: ProviderId | undefined;
  region?: string | undefined;
  route?: string | undefined;
  inferenceGeo?: string | undefined;
  /** YYYY-MM-DD: prices in force that day. */
  at: string;
  batch?: boolean | undefined;
  speed?: Speed | undefined;
  usage: Usage;
  /** Usage billed at other models' rates (the advisor tool's sub-inferences): NormalizedUsage.otherModels. */
  otherModels?: readonly ModelUsage[] | undefined;
}

export interface Quote {
  resolution: Resolution;
  offering: Offering;
  block: PriceBlock;
  result: PriceResult;
  /** Claude Platform on AWS: the same amount in its billing unit (CCU at $0.01). */
  billingUnits?: { name: string; quantity: Decimal };
  warnings: string[];
}

export function requireOffering(catalog: Catalog, resolution: Resolution): Offering {
  if (resolution.offering) return resolution.offering;
  const { model, provider, route, region } = resolution;
  const onProvider = catalog.offeringsOf(model.id).filter((offering) => offering.provider === provider);
  const routes = catalog.routesOn(model.id, provider);
  const available = onProvider.map((offering) => offering.route + (offering.regions ? ` (${offering.regions.join(", ")})` : ""));
  if (route === "us" && (provider === "anthropic" || provider === "claude-platform-aws")) {
    throw new CatalogLookupError(
      `inference_geo "us" is not available for ${model.id}: it applies to Claude 4.6 and later only; ` +
        "the API returns 400 for earlier models. Drop --inference-geo or pick a 4.6+ model",
      "inference_geo",
    );
  }
  if (resolution.bedrockBaseId !== undefined && route === "in-region") {
    // No route was named and the model has no in-region offering: the base id is not a way to reach it.
    // A Bedrock base id: the provider is Bedrock.
    const profiles = [...new Set(onProvider.map((offering) => offering.modelId))];
    if (profiles.length > 0 && !routes.includes("in-region")) {
      throw new CatalogLookupError(
        `${resolution.bedrockBaseId} is Bedrock's in-region foundation-model id, but ${model.id} is sold on Bedrock only through ` +
          `its inference profiles: ${profiles.join(", ")}; give one of those ids, or name the route (${routes.join(", ")})`,
        "model",
      );
    }
  }
  if (available.length === 0) {
    const providers = [...new Set(catalog.offeringsOf(model.id).map((offering) => offering.provider))];
    throw new CatalogLookupError(
      `${model.id} is not offered on ${provider}; it is offered on: ${providers.join(", ") || "no provider in the catalog"}`,
      "provider",
    );
  }
  // A route the model has nowhere on this provider is the route's fault, whatever the region; one it
  // has in other regions is the region's.
  const routeRegions = onProvider.filter((offering) => offering.route === route).flatMap((offering) => offering.regions ?? []);
  if (region === undefined || routeRegions.length === 0) {
    throw new CatalogLookupError(`${model.id} has no ${provider} route ${JSON.stringify(route)}${didYouMean(route, routes)}; its ${provider} routes: ${available.join("; ")}`, "route");
  }
  const here = onProvider.filter((offering) => offering.regions === undefined || offering.regions.includes(region)).map((offering) => offering.route);
  throw new CatalogLookupError(
    `${model.id}'s ${provider} route ${route} is served from ${routeRegions.join(", ")}, not ${region}; ` +
      (here.length > 0 ? `its routes served from ${region}: ${[...new Set(here)].join(", ")}` : `no route of it is served from ${region}`),
    "region",
  );
}

export function quote(catalog: Catalog, request: QuoteRequest): Quote {
  const resolution = catalog.resolve(request.model, {
    ...(request.provider ? { provider: request.provider } : {}),
    ...(request.region ? { region: request.region } : {}),
    ...(request.route ? { route: request.route } : {}),
    ...(request.inferenceGeo ? { inferenceGeo: request.inferenceGeo } : {}),
  });
  const asked = requireOffering(catalog, resolution);
  const warnings: string[] = [];
  if (request.inferenceGeo && request.inferenceGeo !== "global" && !takesInferenceGeo(asked.provider)) {
    throw new PricingError(
      `inference_geo is an Anthropic API / Claude Platform on AWS parameter; ${asked.provider} has its own regional routes`,
      "inference_geo",
    );
  }
  if (request.region && asked.provider === "anthropic") {
    throw new PricingError(`${asked.provider} is not priced by region; it has global and us routes (--inference-geo us)`, "region");
  }
  // What ran is what is billed: a usage that says it ran in the US is priced on the us route, as the gateway's ledger prices it.
  const billed = billedOffering(asked, request.usage, () => catalog.findOffering(asked.provider, asked.model.id, "us"));
  const offering = billed.offering;
  if (billed.warning) warnings.push(billed.warning);
  warnings.push(...requestLimitProblems(offering, request.usage, request.at, catalog.data.betas).map(asOneRequest));
  if (request.region && offering.regions && !offering.regions.includes(request.region)) {
    warnings.push(`${offering.modelId} is not listed in ${request.region} (listed: ${offering.regions.join(", ")})`);
  }
  const retired = offering.model.retired[offering.provider];
  if (retired && retired <= request.at) warnings.push(`${offering.model.id} was retired on ${offering.provider} on ${retired}`);
  if (!offering.model.verified) warnings.push(`${offering.model.id}'s prices come from third-party quotes; verify against the provider's page`);
  const block = catalog.priceOn(offering, request.at);
  const answer = priceRequest(offering, block, request.usage, {
    ...(request.batch !== undefined ? { batch: request.batch } : {}),
    ...(request.speed !== undefined ? { speed: request.speed } : {}),
  });
  // The source of the rates used: a block's officially sourced standard rates are not unverified
  // because its fast card came from third parties, nor the other way round.
  if (!answer.source.verified) {
    warnings.push(
      answer.source === block.source
        ? `this price period's source is marked unverified: ${answer.source.url}`
        : `the ${answer.tier.replaceAll("_", " ")} rates' source is marked unverified: ${answer.source.url}`,
    );
  }
  const priced = withOtherModels(catalog, offering, request.at, answer, request.otherModels);
  const result = billed.exact ? priced : { ...priced, exact: false, upper: undefined };
  const unit = catalog.provider(offering.provider)?.billing_unit;
  const billingUnits = unit
    ? { name: unit.name, quantity: moneyToDecimal(result.total).div(Decimal.parse(unit.usd_per_unit), 18) }
    : undefined;
  return { resolution, offering, block, result, ...(billingUnits ? { billingUnits } : {}), warnings: [...warnings, ...result.warnings] };
}
