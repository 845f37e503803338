/**
 * Read access to the catalog: find models and offerings, resolve any model id form, pick the
 * price block in force on a date. Pure: no file system (see files.ts for loading).
 */
import { blockInForce, pricePeriod, type CatalogData, type Model, type Offering, type PriceBlock } from "./model.js";
import { takesInferenceGeo, type ArnMapping, type ProviderId, type ProviderInfo, type Residency } from "./schema.js";
import { closestKnownText, suggestModels } from "./suggest-models.js";
import { bedrockGeoOf, withoutBedrockGeo } from "./bedrock-ids.js";

export class UnknownModelError extends Error {
  override readonly name = "UnknownModelError";
  constructor(
    readonly modelId: string,
    readonly suggestions: string[],
    detail?: string,
  ) {
    super(
      detail ??
        `unknown model ${JSON.stringify(modelId)}` + (suggestions.length > 0 ? `; ${closestKnownText(suggestions)}` : ""),
    );
  }
}

/** A request the catalog cannot price or route: the message says what to change. */
export class CatalogLookupError extends Error {
  override readonly name = "CatalogLookupError";
  constructor(
    message: string,
    /** which input field was wrong: "model", "provider", "route", "region", "at", "inference_geo", ... */
    readonly field: string,
  ) {
    super(message);
  }
}

export interface ResolveHints {
  provider?: ProviderId;
  region?: string;
  route?: string;
  /** Anthropic / Claude Platform on AWS inference_geo ("us" selects the us route). */
  inferenceGeo?: string;
}

export interface Resolution {
  model: Model;
  provider: ProviderId;
  route: string;
  /** undefined when the model is known but not offered on that provider/route/region. */
  offering: Offering | undefined;
  region: string | undefined;
  /** The id to send on the wire for this route. */
  wireId: string;
  /**
   * The Bedrock foundation-model id the caller gave when no route was named, so the in-region route
   * was taken: lets an error say the model is sold through inference profiles only.
   */
  bedrockBaseId?: string;
}

const BEDROCK_VENDOR_PREFIX = /^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|qwen|writer)\./;
const ARN_PATTERN = /^arn:aws(?:-us-gov|-cn)?:bedrock:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/;

interface IdEntry {
  model: Model;
  provider: ProviderId | undefined;
  /** The name as the catalog writes it (the index's key is lower-cased). */
  name: string;
}

/** Bedrock ids drift in their version suffix (-v1:0, -v1, none); compare without it. */
function bedrockKey(id: string): string {
  return id.toLowerCase().replace(/-v\d+(?::\d+)?$/, "");
}

export class Catalog {
  private readonly byName = new Map<string, IdEntry[]>();
  private readonly byBedrockId = new Map<string, Model>();
  private readonly offeringsByModel = new Map<string, Offering[]>();

  constructor(readonly data: CatalogData) {
    for (const model of data.models.values()) {
      this.index(model.id, model, undefined);
      this.index(model.family, model, undefined);
      for (const alias of model.aliases) this.index(alias, model, undefined);
      for (const [provider, ids] of Object.entries(model.ids) as [ProviderId, string[]][]) {
        for (const id of ids) {
          this.index(id, model, provider);
          if (provider === "bedrock") this.byBedrockId.set(bedrockKey(id), model);
        }
      }
    }
    for (const offering of data.offerings) {
      const list = this.offeringsByModel.get(offering.model.id) ?? [];
      list.push(offering);
      this.offeringsByModel.set(offering.model.id, list);
      if (offering.provider === "bedrock") {
        this.byBedrockId.set(bedrockKey(withoutBedrockGeo(offering.modelId)), offering.model);
      }
    }
  }

  get models(): Model[] {
    return [...this.data.models.values()];
  }

  get offerings(): Offering[] {
    return this.data.offerings;
  }

  provider(id: ProviderId): ProviderInfo | undefined {
    return this.data.providers.get(id);
  }

  residencyOfRegion(region: string): Residency | undefined {
    return this.data.regions.get(region);
  }

  /** Every compliance programme some offering lists, sorted ("fedramp-high", "hipaa", "soc2", ...), computed once. */
  private programmes: string[] | undefined;

  /**
   * Why a compliance programme a user requires cannot be matched, or undefined when the catalog
   * knows it. A misspelt one would exclude every deployment, so configs and workloads refuse it.
   */
  unknownProgramme(programme: string): string | undefined {
    const known = (this.programmes ??= [...new Set(this.data.offerings.flatMap((offering) => offering.compliance))].sort());
    if (known.includes(programme)) return undefined;
    return `unknown compliance programme ${JSON.stringify(programme)}; the catalog knows ${known.join(", ")}`;
  }

  model(id: string): Model | undefined {
    return this.data.models.get(id);
  }

  offeringsOf(modelId: string): Offering[] {
    return this.offeringsByModel.get(modelId) ?? [];
  }

  /** Models whose id, alias or family matches: `sonnet-4.6` gives Sonnet 4.6; `claude-sonnet-4-6` too. */
  modelsMatching(name: string): Model[] {
    const entries = this.byName.get(name.toLowerCase()) ?? [];
    return [...new Set(entries.map((entry) => entry.model))];
  }

  findOffering(provider: ProviderId, modelId: string, route: string, region?: string): Offering | undefined {
    const candidates = this.offeringsOf(modelId).filter((offering) => offering.provider === provider && offering.route === route);
    if (region === undefined) return candidates[0];
    return (
      candidates.find((offering) => offering.regions?.includes(region)) ??
      candidates.find((offering) => offering.regions === undefined)
    );
  }

  /**
   * Resolves any id form to a model, provider and route:
   * Anthropic dated/undated ids and aliases, families, Bedrock base ids, geo inference-profile
   * ids (us./eu./apac./jp./au./us-gov./global.), ARNs (application profiles need a mapping),
   * Vertex `@` ids, Together and Groq names.
   */
  resolve(id: string, hints: ResolveHints = {}): Resolution {
    const trimmed = id.trim();
    if (trimmed.startsWith("arn:")) return this.resolveArn(trimmed, hints);

    const geo = bedrockGeoOf(trimmed);
    if (geo) {
      const base = trimmed.slice(geo.length + 1);
      const model = this.byBedrockId.get(bedrockKey(base));
      if (model) {
        // A profile id pins both the provider and the route: a different one asked for is a conflict, not a hint.
        this.refuseOtherProvider(trimmed, `Bedrock's ${geo} profile`, model, hints.provider);
        if (hints.route !== undefined && hints.route !== geo) {
          const wanted = this.findOffering("bedrock", model.id, hints.route);
          throw new CatalogLookupError(
            `${trimmed} is Bedrock's ${geo} profile, so it cannot be priced on route ${hints.route}; ` +
              (wanted ? `for route ${hints.route} use ${wanted.modelId}` : `${model.id} is on Bedrock routes ${this.routesOn(model.id, "bedrock").join(", ")}`),
            "route",
          );
        }
        return this.bedrock(model, geo, hints.region);
      }
    }
    if (BEDROCK_VENDOR_PREFIX.test(trimmed)) {
      const model = this.byBedrockId.get(bedrockKey(trimmed));
      if (model) {
        this.refuseOtherProvider(trimmed, "Bedrock's foundation-model id", model, hints.provider);
        if (hints.route !== undefined) return this.bedrock(model, hints.route, hints.region);
        return { ...this.bedrock(model, "in-region", hints.region), bedrockBaseId: trimmed };
      }
    }

    const entries = this.byName.get(trimmed.toLowerCase());
    if (!entries || entries.length === 0) throw this.unknown(trimmed);
    const models = [...new Set(entries.map((entry) => entry.model))];
    if (models.length > 1) {
      throw new CatalogLookupError(
        `${JSON.stringify(trimmed)} matches several models (${models.map((model) => model.id).join(", ")}); give one of those ids`,
        "model",
      );
    }
    const model = models[0] as Model;
    const provider = hints.provider ?? this.defaultProvider(model, this.providerOfId(entries, trimmed), trimmed);
    if (provider === "bedrock") return this.bedrock(model, hints.route ?? this.defaultBedrockRoute(model, hints.region), hints.region);
    const route = hints.route ?? this.defaultRoute(provider, hints);
    return this.finish(model, provider, route, hints.region);
  }

  /** The price block in force on `date` (YYYY-MM-DD), or an error naming the periods that exist. */
  priceOn(offering: Offering, date: string): PriceBlock {
    const block = blockInForce(offering, date);
    if (block) return block;
    const periods = offering.prices.map(pricePeriod).join(", ");
    throw new CatalogLookupError(
      `${offering.model.id} on ${offering.provider}/${offering.route} has no price on ${date}; the catalog has prices for ${periods}`,
      "at",
    );
  }

  arnMapping(arn: string): ArnMapping | undefined {
    return this.data.arnMappings.find((mapping) => mapping.arn === arn);
  }

  private index(name: string, model: Model, provider: ProviderId | undefined): void {
    const key = name.toLowerCase();
    const list = this.byName.get(key) ?? [];
    if (!list.some((entry) => entry.model === model && entry.provider === provider && entry.name === name)) list.push({ model, provider, name });
    this.byName.set(key, list);
  }

  /**
   * The provider whose wire id `name` is, if it is one. Names are indexed lower-cased (people type
   * ids in any case), so two providers' ids can share a key: Together's
   * meta-llama/Llama-4-Scout-17B-16E-Instruct and Groq's meta-llama/llama-4-scout-17b-16e-instruct.
   * The id as written exactly wins. An id the Claude API shares with Vertex (4.6 and later) or Claude
   * Platform on AWS is the Claude API's, as it always was; Claude Platform's alone is left to
   * defaultProvider. Any other name that is several providers' ids, exactly or (matching none
   * exactly) in another case, is refused, naming them.
   */
  private providerOfId(entries: readonly IdEntry[], name: string): ProviderId | undefined {
    const ids = entries.filter((entry) => entry.provider !== undefined && entry.provider !== "claude-platform-aws");
    const exact = ids.filter((entry) => entry.name === name);
    const named = exact.length > 0 ? exact : ids;
    const providers = [...new Set(named.map((entry) => entry.provider as ProviderId))];
    if (providers.includes("anthropic")) return "anthropic";
    if (providers.length <= 1) return providers[0];
    throw new CatalogLookupError(
      `${JSON.stringify(name)} could be ${named.map((entry) => `${entry.provider}'s id ${entry.name}`).join(" or ")}; ` +
        `say which with --provider ${providers.join("|")}, or give the id exactly as that provider writes it`,
      "model",
    );
  }

  private resolveArn(arn: string, hints: ResolveHints): Resolution {
    const mapping = this.arnMapping(arn);
    if (mapping) {
      const model = this.data.models.get(mapping.model);
      if (!model) throw new CatalogLookupError(`arn_mappings entry for ${arn} names unknown model ${mapping.model}`, "model");
      return this.finish(model, mapping.provider, mapping.route, mapping.region ?? hints.region);
    }
    const match = ARN_PATTERN.exec(arn);
    if (!match) throw new CatalogLookupError(`not a Bedrock ARN: ${arn}`, "model");
    const [, region, , kind, resource] = match as unknown as [string, string, string, string, string];
    if (kind === "foundation-model" || kind === "inference-profile") {
      const resolution = this.resolve(resource, { ...hints, provider: "bedrock", region: region || hints.region });
      return resolution;
    }
    throw new CatalogLookupError(
      `${arn} is a ${kind}; its model and route are not visible in the ARN. ` +
        "Add it to arn_mappings in your --catalog file: {arn, model, route, region}",
      "model",
    );
  }

  /** The routes a model is offered on at a provider, in catalog order (Bedrock: "global", "us", "eu", ...). */
  routesOn(modelId: string, provider: ProviderId): string[] {
    return [...new Set(this.offeringsOf(modelId).filter((offering) => offering.provider === provider).map((offering) => offering.route))];
  }

  /** A Bedrock-only id asked for on another provider: refused, naming the id that provider takes. */
  private refuseOtherProvider(id: string, what: string, model: Model, provider: ProviderId | undefined): void {
    if (provider === undefined || provider === "bedrock") return;
    throw new CatalogLookupError(
      `${id} is ${what}, so it cannot be priced on ${provider}; for ${provider} use ${model.ids[provider]?.[0] ?? model.id}`,
      "provider",
    );
  }

  private bedrock(model: Model, route: string, region: string | undefined): Resolution {
    return this.finish(model, "bedrock", route, region);
  }

  private finish(model: Model, provider: ProviderId, route: string, region: string | undefined): Resolution {
    const offering = this.findOffering(provider, model.id, route, region);
    const wireId = offering?.modelId ?? model.ids[provider]?.[0] ?? model.id;
    return { model, provider, route, offering, region, wireId };
  }

  private defaultProvider(model: Model, idProvider: ProviderId | undefined, name: string): ProviderId {
    if (idProvider && idProvider !== "claude-platform-aws") return idProvider;
    const providers = [...new Set(this.offeringsOf(model.id).map((offering) => offering.provider))];
    if (model.vendor === "anthropic" && (providers.includes("anthropic") || providers.length === 0)) return "anthropic";
    if (providers.length === 1) return providers[0] as ProviderId;
    throw new CatalogLookupError(
      `${name} is offered by ${providers.join(", ") || "no provider in the catalog"}; say which with --provider`,
      "provider",
    );
  }

  private defaultRoute(provider: ProviderId, hints: ResolveHints): string {
    if (takesInferenceGeo(provider)) {
      return hints.inferenceGeo === "us" ? "us" : "global";
    }
    if (provider === "vertex") return "global";
    if (provider === "together") return "serverless";
    if (provider === "groq") return "on-demand";
    return "global";
  }

  /** Bedrock without an explicit route: global when offered, else the route serving the region. */
  private defaultBedrockRoute(model: Model, region: string | undefined): string {
    const offerings = this.offeringsOf(model.id).filter((offering) => offering.provider === "bedrock");
    if (offerings.some((offering) => offering.route === "global")) return "global";
    const inRegion = offerings.find((offering) => offering.route === "in-region" && (!region || offering.regions?.includes(region)));
    return inRegion?.route ?? offerings[0]?.route ?? "in-region";
  }

  private unknown(id: string): UnknownModelError {
    return new UnknownModelError(id, this.suggestModels(id));
  }

  /** "Did you mean" for a model name the catalog does not know (see suggest-models.ts). */
  suggestModels(name: string, count = 3): string[] {
    return suggestModels(this, name, count);
  }
}
