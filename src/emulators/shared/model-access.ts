/**
 * Which models an emulator serves, answered from the catalog (src/catalog): a model must exist
 * and be offered on the emulated route and region, or the emulator refuses it the way the real
 * service does. The interface keeps the emulators independent of how the catalog is stored.
 */
import type { Catalog } from "../../catalog/catalog.js";
import { claudeApiId, type Model, type Offering } from "../../catalog/model.js";
import type { Capabilities } from "../../catalog/schema.js";
import type { CachePolicy } from "./prompt-cache.js";
import { bedrockGeoOf } from "../../catalog/bedrock-ids.js";

export interface EmulatedModel {
  /** Catalog id, e.g. claude-sonnet-4-5. */
  id: string;
  /** What replies carry in `model` (the Anthropic id; Bedrock replies use it too). */
  responseId: string;
  displayName: string;
  /** YYYY-MM-DD */
  released: string | undefined;
  maxOutputTokens: number | undefined;
  contextWindow: number | undefined;
  /** null when the route does not offer prompt caching (cache_control is then ignored). */
  cache: CachePolicy | null;
  /** anthropic-beta values the route accepts (the catalog's list); undefined: any. */
  betas: readonly string[] | undefined;
}

/**
 * - unknown: no such model id (Anthropic 404; Bedrock "The provided model identifier is invalid.")
 * - not_offered: known, but not on this route or region (same answers as unknown)
 * - needs_inference_profile: a bare Bedrock id of a model served only through inference profiles
 */
export type ModelRefusal = "unknown" | "not_offered" | "needs_inference_profile";

export type ModelLookup = { ok: true; model: EmulatedModel } | { ok: false; refusal: ModelRefusal };

export interface ModelAccess {
  anthropic(requested: string, options?: { inferenceGeo?: string | null }): ModelLookup;
  /** Models GET /v1/models lists, newest first. */
  anthropicModels(): EmulatedModel[];
  bedrock(requested: string, region: string): ModelLookup;
  /**
   * CountTokens takes a bare foundation-model id (or its ARN), even for a model that is invoked
   * through an inference profile; a profile id is refused. The model (with the limits of its first
   * Bedrock offering), if countable.
   */
  bedrockCountable(requested: string, region: string): { ok: true; model: EmulatedModel } | { ok: false; refusal: "unknown" | "inference_profile" };
}

/** Default minimum cacheable prompt when the catalog gives none (Sonnet/Opus 1,024 tokens). */
const DEFAULT_CACHE_MIN_TOKENS = 1024;

/** Source regions a geographic profile can be called from, when the catalog lists none. */
function geoServesRegion(geo: string, region: string): boolean {
  switch (geo) {
    case "us":
      return /^us-(east|west)-\d$/.test(region);
    case "us-gov":
      return region.startsWith("us-gov-");
    case "eu":
      return region.startsWith("eu-");
    case "apac":
      return region.startsWith("ap-");
    case "jp":
      return region === "ap-northeast-1" || region === "ap-northeast-3";
    case "au":
      return region === "ap-southeast-2" || region === "ap-southeast-4";
    default:
      return !region.startsWith("us-gov-") && !region.startsWith("cn-");
  }
}

function cachePolicy(capabilities: Capabilities): CachePolicy | null {
  const caching = capabilities.prompt_caching;
  if (caching === null) return null;
  return { minTokens: caching?.min_tokens ?? DEFAULT_CACHE_MIN_TOKENS, ttls: caching?.ttls ?? ["5m", "1h"] };
}

function emulated(model: Model, offering: Offering): EmulatedModel {
  return {
    id: model.id,
    responseId: claudeApiId(model),
    displayName: model.name,
    released: model.released,
    maxOutputTokens: offering.capabilities.max_output_tokens,
    contextWindow: offering.capabilities.context_window,
    cache: cachePolicy(offering.capabilities),
    betas: offering.capabilities.betas,
  };
}

function retiredOn(model: Model, provider: "anthropic" | "bedrock", today: string): boolean {
  const date = model.retired[provider];
  return model.status === "retired" || (date !== undefined && date <= today);
}

/** Answers are cached per day: the catalog never changes, retirements happen by date. */
const MEMO_LIMIT = 10_000;

export class CatalogModelAccess implements ModelAccess {
  private readonly memo = new Map<string, ModelLookup>();

  constructor(
    private readonly catalog: Catalog,
    private readonly today = () => new Date().toISOString().slice(0, 10),
  ) {}

  private remembered(key: string, compute: () => ModelLookup): ModelLookup {
    const fullKey = `${this.today()}|${key}`;
    const known = this.memo.get(fullKey);
    if (known) return known;
    const answer = compute();
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(fullKey, answer);
    return answer;
  }

  anthropic(requested: string, options: { inferenceGeo?: string | null } = {}): ModelLookup {
    return this.remembered(`anthropic|${options.inferenceGeo ?? ""}|${requested}`, () => this.lookUpAnthropic(requested, options));
  }

  bedrock(requested: string, region: string): ModelLookup {
    return this.remembered(`bedrock|${region}|${requested}`, () => this.lookUpBedrock(requested, region));
  }

  private lookUpAnthropic(requested: string, options: { inferenceGeo?: string | null }): ModelLookup {
    const model = this.catalog
      .modelsMatching(requested)
      .find((candidate) => candidate.ids.anthropic?.includes(requested) || (candidate.ids.anthropic && candidate.aliases.includes(requested)));
    if (!model || retiredOn(model, "anthropic", this.today())) return { ok: false, refusal: "unknown" };
    const offerings = this.catalog.offeringsOf(model.id).filter((offering) => offering.provider === "anthropic");
    const wanted = options.inferenceGeo === "us" ? offerings.find((offering) => offering.route === "us") : offerings[0];
    return wanted ? { ok: true, model: emulated(model, wanted) } : { ok: false, refusal: "not_offered" };
  }

  anthropicModels(): EmulatedModel[] {
    const today = this.today();
    const listed: EmulatedModel[] = [];
    for (const model of this.catalog.models) {
      const offering = this.catalog.offeringsOf(model.id).find((candidate) => candidate.provider === "anthropic");
      if (offering && model.ids.anthropic && !retiredOn(model, "anthropic", today)) listed.push(emulated(model, offering));
    }
    return listed.sort((left, right) => (right.released ?? "").localeCompare(left.released ?? "") || left.id.localeCompare(right.id));
  }

  private lookUpBedrock(requested: string, region: string): ModelLookup {
    const id = this.idFromArn(requested, region);
    if (id === undefined) return { ok: false, refusal: "unknown" };
    const bedrockOfferings = this.catalog.offerings.filter((offering) => offering.provider === "bedrock");
    const geo = bedrockGeoOf(id);
    const servesRegion = (offering: Offering) =>
      offering.regions ? offering.regions.includes(region) : offering.route === "in-region" || geoServesRegion(offering.route, region);

    if (geo) {
      const matches = bedrockOfferings.filter((offering) => offering.modelId === id);
      if (matches.length === 0) return { ok: false, refusal: "unknown" };
      const offering = matches.find(servesRegion);
      if (!offering || retiredOn(offering.model, "bedrock", this.today())) return { ok: false, refusal: "not_offered" };
      return { ok: true, model: emulated(offering.model, offering) };
    }

    const model = this.bedrockBaseModel(id);
    if (!model) return { ok: false, refusal: "unknown" };
    if (retiredOn(model, "bedrock", this.today())) return { ok: false, refusal: "not_offered" };
    const mine = bedrockOfferings.filter((offering) => offering.model.id === model.id);
    const inRegion = mine.find((offering) => offering.route === "in-region" && servesRegion(offering));
    if (inRegion) return { ok: true, model: emulated(model, inRegion) };
    const viaProfile = mine.some((offering) => offering.route !== "in-region" && servesRegion(offering));
    return { ok: false, refusal: viaProfile ? "needs_inference_profile" : "not_offered" };
  }

  bedrockCountable(requested: string, region: string): { ok: true; model: EmulatedModel } | { ok: false; refusal: "unknown" | "inference_profile" } {
    const id = this.idFromArn(requested, region);
    if (id === undefined) return { ok: false, refusal: "unknown" };
    if (bedrockGeoOf(id)) return { ok: false, refusal: "inference_profile" };
    const model = this.bedrockBaseModel(id);
    const offering = model && this.catalog.offeringsOf(model.id).find((candidate) => candidate.provider === "bedrock");
    if (!model || !offering || retiredOn(model, "bedrock", this.today())) return { ok: false, refusal: "unknown" };
    return { ok: true, model: emulated(model, offering) };
  }

  /** The model behind a bare Bedrock model id: an offering's id, or one the model lists. */
  private bedrockBaseModel(id: string): Model | undefined {
    return (
      this.catalog.offerings.find((offering) => offering.provider === "bedrock" && offering.modelId === id)?.model ??
      this.catalog.models.find((candidate) => candidate.ids.bedrock?.includes(id))
    );
  }

  /** The model or profile id inside an ARN of this region; undefined when the ARN cannot be served. */
  private idFromArn(requested: string, region: string): string | undefined {
    if (!requested.startsWith("arn:")) return requested;
    const match = /^arn:aws(?:-us-gov|-cn)?:bedrock:([a-z0-9-]*):(\d*):([a-z-]+)\/(.+)$/.exec(requested);
    if (!match) return undefined;
    const [, arnRegion, , kind, resource] = match;
    if (arnRegion && arnRegion !== region) return undefined;
    if (kind === "foundation-model" || kind === "inference-profile") return resource;
    const mapping = this.catalog.arnMapping(requested);
    if (!mapping) return undefined;
    const offering = this.catalog.findOffering("bedrock", mapping.model, mapping.route, region);
    return offering?.modelId;
  }
}
