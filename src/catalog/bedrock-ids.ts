/**
 * The geographic prefixes of Bedrock's cross-Region (system-defined) inference profiles:
 * `us.anthropic.claude-…`, `global.anthropic.claude-…`. One list for the catalog, the Bedrock
 * client and the Bedrock emulator. Sources: ../shared/reference/protocols.md §2.7 and
 * https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
 * (`us-gov` before `us`: the longer prefix must win).
 */
export const BEDROCK_GEO_PREFIXES = ["us-gov", "global", "apac", "us", "eu", "jp", "au"] as const;

export type BedrockGeo = (typeof BEDROCK_GEO_PREFIXES)[number];

/** The geography of a profile id ("eu.anthropic.…" → "eu"), or undefined for a base model id. */
export function bedrockGeoOf(id: string): BedrockGeo | undefined {
  return BEDROCK_GEO_PREFIXES.find((prefix) => id.startsWith(`${prefix}.`));
}

/** The base model id inside a profile id ("eu.anthropic.claude-…" → "anthropic.claude-…"); anything else as is. */
export function withoutBedrockGeo(id: string): string {
  const geo = bedrockGeoOf(id);
  return geo ? id.slice(geo.length + 1) : id;
}
