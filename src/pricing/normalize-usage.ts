/**
 * Usage reports from each provider's wire format, normalised to `Usage`.
 * Inconsistent or incomplete reports are flagged in `warnings`, never silently guessed.
 *
 * Anthropic: https://platform.claude.com/docs/en/build-with-claude/prompt-caching (usage fields)
 * Bedrock Converse TokenUsage: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html
 * Bedrock InvokeModel headers: x-amzn-bedrock-{input,output,cache-read-input,cache-write-input}-token-count
 * OpenAI: prompt_tokens INCLUDES prompt_tokens_details.cached_tokens.
 */
import { isSpeed, type Usage } from "./usage.js";

export type UsageFormat = "anthropic" | "anthropic-stream" | "bedrock-invoke" | "bedrock-metrics" | "bedrock-converse" | "openai" | "openai-stream";

export interface NormalizedUsage {
  usage: Usage;
  format: UsageFormat;
  warnings: string[];
  /**
   * Usage billed at another model's rates, not the answering model's: the advisor tool's
   * sub-inferences and a server-side fallback's attempt (usage.iterations entries of type
   * `advisor_message` and `fallback_message`, each naming its model). Absent when there is none.
   * `usage` leaves them out; pricing/other-models.ts prices them.
   */
  otherModels?: ModelUsage[];
}

/** Why tokens were spent on another model: the advisor tool consulted it, or it served the request after a refusal. */
export type OtherModelRole = "advisor" | "fallback";

/** Tokens a request spent on another model, as the usage reported that model's name. */
export interface ModelUsage {
  model: string;
  role: OtherModelRole;
  usage: Usage;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A token count: a non-negative integer, or undefined when absent/null. Anything else is flagged. */
function count(source: Json | undefined, key: string, warnings: string[], label = key): number | undefined {
  const value = source?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  warnings.push(`${label} is not a non-negative whole number (${JSON.stringify(value)}); treated as not reported`);
  return undefined;
}

function text(source: Json | undefined, key: string): string | undefined {
  const value = source?.[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * Splits a cache-write total into 5m / 1h from a breakdown. A missing breakdown leaves the
 * writes "unsplit"; a breakdown that does not add up keeps the remainder unsplit and says so.
 */
function splitCacheWrites(
  total: number | undefined,
  fiveMinute: number | undefined,
  oneHour: number | undefined,
  warnings: string[],
  names: { total: string; split: string },
): Pick<Usage, "cacheWrite5m" | "cacheWrite1h" | "cacheWriteUnsplit"> {
  const hasSplit = fiveMinute !== undefined || oneHour !== undefined;
  if (!hasSplit) {
    if (total === undefined) return {};
    if (total === 0) return { cacheWrite5m: 0, cacheWrite1h: 0 };
    warnings.push(
      `${names.total} = ${total} without its ${names.split} 5m/1h split: the TTL is unknown, ` +
        "so the cost is a range (5-minute rate to 1-hour rate), not guessed",
    );
    return { cacheWriteUnsplit: total };
  }
  const split = (fiveMinute ?? 0) + (oneHour ?? 0);
  if (total === undefined || total === split) {
    return { cacheWrite5m: fiveMinute ?? 0, cacheWrite1h: oneHour ?? 0 };
  }
  if (total > split) {
    warnings.push(
      `${names.split} (5m ${fiveMinute ?? 0} + 1h ${oneHour ?? 0} = ${split}) is less than ${names.total} ${total}; ` +
        `the other ${total - split} tokens have an unknown TTL`,
    );
    return { cacheWrite5m: fiveMinute ?? 0, cacheWrite1h: oneHour ?? 0, cacheWriteUnsplit: total - split };
  }
  warnings.push(
    `${names.split} (5m ${fiveMinute ?? 0} + 1h ${oneHour ?? 0} = ${split}) exceeds ${names.total} ${total}; ` +
      "priced from the breakdown",
  );
  return { cacheWrite5m: fiveMinute ?? 0, cacheWrite1h: oneHour ?? 0 };
}

/** An Anthropic Messages `usage` object (also the body usage of Bedrock InvokeModel). */
export function fromAnthropicUsage(raw: unknown, format: UsageFormat = "anthropic"): NormalizedUsage {
  const warnings: string[] = [];
  if (!isObject(raw)) return { usage: {}, format, warnings: ["usage is missing or not an object: nothing is known"] };
  const serverToolUse = isObject(raw.server_tool_use) ? raw.server_tool_use : undefined;
  const speed = text(raw, "speed");
  // Said only if usage.iterations' sums do not replace these cache writes (they would say it again).
  const splitWarnings: string[] = [];
  const usage: Usage = {
    ...tokenCounts(raw, warnings, splitWarnings),
    webSearchRequests: count(serverToolUse, "web_search_requests", warnings, "server_tool_use.web_search_requests"),
    speed: isSpeed(speed) ? speed : undefined,
    serviceTier: text(raw, "service_tier"),
    inferenceGeo: text(raw, "inference_geo"),
  };
  const otherModels = otherModelIterations(raw, warnings);
  if (!summedIterations(raw, usage, warnings)) warnings.push(...splitWarnings);
  if (usage.input === undefined) warnings.push("input_tokens not reported");
  if (usage.output === undefined) warnings.push("output_tokens not reported");
  return { usage, format, warnings, ...(otherModels.length > 0 ? { otherModels } : {}) };
}

/**
 * The token counts of an Anthropic usage object, or of one usage.iterations entry (the same fields,
 * named in warnings with `prefix`, e.g. "iterations[1]."). A cache-write split that is missing or
 * does not add up is said into `splitWarnings`.
 */
function tokenCounts(source: Json, warnings: string[], splitWarnings: string[], prefix = ""): Pick<Usage, "input" | "output" | "cacheRead" | "cacheWrite5m" | "cacheWrite1h" | "cacheWriteUnsplit"> {
  const cacheCreation = isObject(source.cache_creation) ? source.cache_creation : undefined;
  return {
    input: count(source, "input_tokens", warnings, `${prefix}input_tokens`),
    output: count(source, "output_tokens", warnings, `${prefix}output_tokens`),
    cacheRead: count(source, "cache_read_input_tokens", warnings, `${prefix}cache_read_input_tokens`),
    ...splitCacheWrites(
      count(source, "cache_creation_input_tokens", warnings, `${prefix}cache_creation_input_tokens`),
      count(cacheCreation, "ephemeral_5m_input_tokens", warnings, `${prefix}cache_creation.ephemeral_5m_input_tokens`),
      count(cacheCreation, "ephemeral_1h_input_tokens", warnings, `${prefix}cache_creation.ephemeral_1h_input_tokens`),
      splitWarnings,
      { total: `${prefix}cache_creation_input_tokens`, split: `${prefix}cache_creation` },
    ),
  };
}

/** usage.iterations entry types whose tokens are another model's, named in the entry's `model`. */
const ELSEWHERE: Readonly<Record<string, OtherModelRole>> = { advisor_message: "advisor", fallback_message: "fallback" };

function roleOf(entry: unknown): OtherModelRole | undefined {
  return isObject(entry) && typeof entry.type === "string" ? ELSEWHERE[entry.type] : undefined;
}

/** Another model's iteration that names its model: priced at that model's rates, apart from the answering model's. */
function pricedElsewhere(entry: unknown): boolean {
  return roleOf(entry) !== undefined && typeof (entry as Json).model === "string";
}

/** How a role's entries are named in the warning that they were priced apart, and whose rates they were not. */
const PRICED_APART: Readonly<Record<OtherModelRole, { what: string; instead: string }>> = {
  advisor: { what: "advisor sub-inference", instead: "executor" },
  fallback: { what: "fallback attempt", instead: "requested model" },
};

const UNNAMED: Readonly<Record<OtherModelRole, string>> = {
  advisor: "(an advisor's sub-inference) is not named: its tokens are priced at the executor's rates, a lower bound if the advisor costs more",
  fallback: "(the fallback model that served the request) is not named: its tokens are priced at the requested model's rates, a lower bound if the fallback costs more",
};

/**
 * Iterations another model ran, each billed at that model's rates:
 *  - the advisor tool (beta advisor-tool-2026-03-01): each consultation is a sub-inference on the
 *    advisor model, an entry of type `advisor_message` with its `model` and its own counts (the
 *    SDK's BetaAdvisorMessageIterationUsage); the top-level counts are the executor's;
 *  - server-side fallback (`fallbacks` on the request, beta server-side-fallback-2026-06-01): when
 *    the requested model refuses, a fallback model serves the request, reported as an entry of type
 *    `fallback_message` with its `model` and counts ("usage for the fallback-model attempt that
 *    served the response": the SDK's BetaFallbackMessageIterationUsage).
 * Such an entry is taken out of the answering model's sum (summedIterations) and returned to be
 * priced at its own model's rates. An entry without a model name is still someone's tokens: it
 * stays in the answering model's sum, a lower bound, and says so.
 */
function otherModelIterations(raw: Json, warnings: string[]): ModelUsage[] {
  const iterations = raw.iterations;
  if (!Array.isArray(iterations)) return [];
  const found: ModelUsage[] = [];
  for (const [index, entry] of iterations.entries()) {
    const role = roleOf(entry);
    if (role === undefined) continue;
    const prefix = `iterations[${index}].`;
    if (!pricedElsewhere(entry)) {
      // Left in the answering model's sum (summedIterations) rather than dropped: a lower bound.
      warnings.push(`${prefix}model ${UNNAMED[role]}`);
      continue;
    }
    const named = entry as Json;
    found.push({ model: String(named.model), role, usage: tokenCounts(named, warnings, warnings, prefix) });
  }
  for (const [type, role] of Object.entries(ELSEWHERE)) {
    const ofRole = found.filter((other) => other.role === role);
    if (ofRole.length === 0) continue;
    const models = [...new Set(ofRole.map((other) => other.model))].join(", ");
    const { what, instead } = PRICED_APART[role];
    warnings.push(`${ofRole.length} ${what}${ofRole.length === 1 ? "" : "s"} (usage.iterations type ${type}) priced at ${models}'s rates, not the ${instead}'s`);
  }
  return found;
}

/**
 * Compaction (beta compact-2026-01-12): "the top-level input_tokens and output_tokens do not
 * include compaction iteration usage … sum across all entries in the usage.iterations array"
 * (Anthropic's compaction page). The entries' input and output replace the top-level counts when
 * every entry reports both; otherwise the request is billed more than is known, and it says so.
 * Each entry also carries its cache reads and writes (the SDKs' BetaCompactionIterationUsage:
 * cache_read_input_tokens, cache_creation_input_tokens, cache_creation by TTL): where every entry
 * reports one, the entries' sum replaces the top-level count too. Whether the top level holds the
 * message iteration's alone or all of them, the sum is what was billed. True when the sums replaced
 * the top level's cache writes.
 */
function summedIterations(raw: Json, usage: Usage, warnings: string[]): boolean {
  // Another model's iterations are not the answering model's tokens (otherModelIterations prices them).
  const all: unknown[] = Array.isArray(raw.iterations) ? raw.iterations : [];
  const iterations = all.filter((entry) => !pricedElsewhere(entry));
  if (iterations.length === 0) {
    // Only a fallback model ran ("a turn where no preceding model ran and declined"): the requested
    // model's own usage is none, and the top-level counts are the fallback's, priced apart.
    if (all.length > 0 && all.every((entry) => roleOf(entry) === "fallback")) {
      usage.input = 0;
      usage.output = 0;
      delete usage.cacheRead;
      delete usage.cacheWrite5m;
      delete usage.cacheWrite1h;
      delete usage.cacheWriteUnsplit;
      warnings.push("every usage.iterations entry is a fallback model's: the requested model's own usage is 0");
      return true;
    }
    return false;
  }
  const entries = iterations.map((entry) => (isObject(entry) ? entry : undefined));
  /** The entries' sum of a count, or undefined unless every entry reports it. */
  const sum = (key: string, of: (entry: Json) => Json | undefined = (entry) => entry): number | undefined => {
    let total = 0;
    for (const [index, entry] of entries.entries()) {
      const value = entry ? count(of(entry), key, warnings, `iterations[${index}].${key}`) : undefined;
      if (value === undefined) return undefined;
      total += value;
    }
    return total;
  };
  const input = sum("input_tokens");
  const output = sum("output_tokens");
  if (input === undefined || output === undefined) {
    // The top-level counts leave the compaction out: what was billed is more than they say.
    if (usage.input !== undefined || usage.output !== undefined) warnings.push("usage.iterations unreadable: input and output are lower bounds");
    usage.input = undefined;
    usage.output = undefined;
    return false;
  }
  usage.input = input;
  usage.output = output;
  const cacheRead = sum("cache_read_input_tokens");
  if (cacheRead !== undefined) usage.cacheRead = cacheRead;
  const cacheWrites = sum("cache_creation_input_tokens");
  if (cacheWrites !== undefined) {
    const byTtl = (entry: Json) => (isObject(entry.cache_creation) ? entry.cache_creation : undefined);
    const summedSplit = { total: "usage.iterations' cache_creation_input_tokens", split: "cache_creation" };
    const split = splitCacheWrites(cacheWrites, sum("ephemeral_5m_input_tokens", byTtl), sum("ephemeral_1h_input_tokens", byTtl), warnings, summedSplit);
    delete usage.cacheWrite5m;
    delete usage.cacheWrite1h;
    delete usage.cacheWriteUnsplit;
    Object.assign(usage, split);
  }
  const compaction = entries.some((entry) => entry?.type === "compaction");
  warnings.push(`input and output${cacheRead !== undefined || cacheWrites !== undefined ? " and cache counts" : ""} summed over ${iterations.length} usage.iterations${compaction ? " (compaction)" : ""}`);
  return cacheWrites !== undefined;
}

/**
 * A streamed Anthropic response: `message_start.message.usage` and every `message_delta.usage`.
 * Delta counts are cumulative totals, not increments, and some upstreams put input and cache
 * counts only in the delta: merge field by field, the last value reported (not null) winning, as
 * the Anthropic SDK's MessageStream does.
 */
export function fromAnthropicStream(startUsage: unknown, deltaUsages: unknown[]): NormalizedUsage {
  const merged: Json = isObject(startUsage) ? { ...startUsage } : {};
  for (const delta of deltaUsages) {
    if (!isObject(delta)) continue;
    for (const [key, value] of Object.entries(delta)) {
      if (value !== null && value !== undefined) merged[key] = value;
    }
  }
  // message_start's output count is a placeholder (usually 1): without a message_delta, the output
  // the stream produced before it ended is unknown, not that.
  const noDelta = deltaUsages.every((delta) => !isObject(delta) || typeof delta.output_tokens !== "number");
  if (noDelta) delete merged.output_tokens;
  const result = fromAnthropicUsage(merged, "anthropic-stream");
  if (!isObject(startUsage)) result.warnings.push("message_start carried no usage");
  if (noDelta) result.warnings.push("no message_delta reported the output: it is unknown (message_start's count is a placeholder)");
  return result;
}

/**
 * Bedrock InvokeModel: the Anthropic usage in the body, cross-checked against the
 * x-amzn-bedrock-*-token-count headers (used alone when the body has no usage).
 */
export function fromBedrockInvoke(bodyUsage: unknown, headers: Record<string, string | undefined>): NormalizedUsage {
  const headerWarnings: string[] = [];
  const headerCounts: Json = {};
  const map: [string, string][] = [
    ["x-amzn-bedrock-input-token-count", "inputTokenCount"],
    ["x-amzn-bedrock-output-token-count", "outputTokenCount"],
    ["x-amzn-bedrock-cache-read-input-token-count", "cacheReadInputTokenCount"],
    ["x-amzn-bedrock-cache-write-input-token-count", "cacheWriteInputTokenCount"],
  ];
  for (const [header, key] of map) {
    const value = headers[header];
    if (value !== undefined && /^\d+$/.test(value)) headerCounts[key] = Number(value);
    else if (value !== undefined) headerWarnings.push(`${header} is not a number: ${JSON.stringify(value)}`);
  }
  if (!isObject(bodyUsage)) {
    const result = fromBedrockMetrics(headerCounts);
    return { ...result, format: "bedrock-invoke", warnings: [...headerWarnings, ...result.warnings] };
  }
  const result = fromAnthropicUsage(bodyUsage, "bedrock-invoke");
  result.warnings.push(...headerWarnings);
  const headerInput = headerCounts.inputTokenCount;
  if (typeof headerInput === "number" && result.usage.input !== undefined) {
    const cached = (result.usage.cacheRead ?? 0) + (result.usage.cacheWrite5m ?? 0) + (result.usage.cacheWrite1h ?? 0) + (result.usage.cacheWriteUnsplit ?? 0);
    // Seen both ways in the wild: header = uncached input, or header = input + cache writes + reads.
    if (headerInput !== result.usage.input && headerInput !== result.usage.input + cached) {
      result.warnings.push(`x-amzn-bedrock-input-token-count ${headerInput} disagrees with body usage input_tokens ${result.usage.input}`);
    }
  }
  const headerOutput = headerCounts.outputTokenCount;
  if (typeof headerOutput === "number" && result.usage.output !== undefined && headerOutput !== result.usage.output) {
    result.warnings.push(`x-amzn-bedrock-output-token-count ${headerOutput} disagrees with body usage output_tokens ${result.usage.output}`);
  }
  return result;
}

/** `amazon-bedrock-invocationMetrics` from the last InvokeModelWithResponseStream event (or the headers). */
export function fromBedrockMetrics(raw: unknown): NormalizedUsage {
  const warnings: string[] = [];
  if (!isObject(raw)) return { usage: {}, format: "bedrock-metrics", warnings: ["invocation metrics missing: nothing is known"] };
  const cacheWrite = count(raw, "cacheWriteInputTokenCount", warnings);
  const usage: Usage = {
    input: count(raw, "inputTokenCount", warnings),
    output: count(raw, "outputTokenCount", warnings),
    cacheRead: count(raw, "cacheReadInputTokenCount", warnings),
    ...splitCacheWrites(cacheWrite, undefined, undefined, warnings, {
      total: "cacheWriteInputTokenCount",
      split: "TTL breakdown (not in Bedrock invocation metrics)",
    }),
  };
  if (usage.input === undefined) warnings.push("inputTokenCount not reported");
  if (usage.output === undefined) warnings.push("outputTokenCount not reported");
  return { usage, format: "bedrock-metrics", warnings };
}

/**
 * Bedrock Converse / ConverseStream `usage` (camelCase). `inputTokens` excludes cache reads and
 * writes (community consensus; the AWS wording is vague), which `totalTokens` lets us check.
 */
export function fromBedrockConverse(raw: unknown): NormalizedUsage {
  const warnings: string[] = [];
  if (!isObject(raw)) return { usage: {}, format: "bedrock-converse", warnings: ["usage missing: nothing is known"] };
  let fiveMinute: number | undefined;
  let oneHour: number | undefined;
  if (Array.isArray(raw.cacheDetails)) {
    for (const [index, detail] of raw.cacheDetails.entries()) {
      if (!isObject(detail)) continue;
      const tokens = count(detail, "inputTokens", warnings, `cacheDetails[${index}].inputTokens`) ?? 0;
      if (detail.ttl === "5m") fiveMinute = (fiveMinute ?? 0) + tokens;
      else if (detail.ttl === "1h") oneHour = (oneHour ?? 0) + tokens;
      else warnings.push(`cacheDetails[${index}].ttl ${JSON.stringify(detail.ttl)} is not 5m or 1h`);
    }
  }
  const input = count(raw, "inputTokens", warnings);
  const output = count(raw, "outputTokens", warnings);
  const cacheRead = count(raw, "cacheReadInputTokens", warnings);
  const cacheWrite = count(raw, "cacheWriteInputTokens", warnings);
  const usage: Usage = {
    input,
    output,
    cacheRead,
    ...splitCacheWrites(cacheWrite, fiveMinute, oneHour, warnings, { total: "cacheWriteInputTokens", split: "cacheDetails" }),
  };
  const total = count(raw, "totalTokens", warnings);
  if (total !== undefined && input !== undefined && output !== undefined) {
    const exclusive = input + output + (cacheRead ?? 0) + (cacheWrite ?? 0);
    if (total !== exclusive && total !== input + output) {
      warnings.push(`totalTokens ${total} matches neither inputTokens + outputTokens + cache (${exclusive}) nor inputTokens + outputTokens`);
    }
  }
  if (input === undefined) warnings.push("inputTokens not reported");
  if (output === undefined) warnings.push("outputTokens not reported");
  return { usage, format: "bedrock-converse", warnings };
}

/** OpenAI-style usage: prompt_tokens includes cached (and cache-write) tokens; take them back out. */
export function fromOpenAIUsage(raw: unknown): NormalizedUsage {
  const warnings: string[] = [];
  if (!isObject(raw)) return { usage: {}, format: "openai", warnings: ["usage missing: nothing is known"] };
  const details = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : undefined;
  const prompt = count(raw, "prompt_tokens", warnings);
  const cached = count(details, "cached_tokens", warnings, "prompt_tokens_details.cached_tokens");
  const cacheWrite = count(details, "cache_write_tokens", warnings, "prompt_tokens_details.cache_write_tokens");
  let input: number | undefined;
  if (prompt !== undefined) {
    input = prompt - (cached ?? 0) - (cacheWrite ?? 0);
    if (input < 0) {
      warnings.push(`prompt_tokens ${prompt} is smaller than its cached parts; input treated as not reported`);
      input = undefined;
    }
  } else {
    warnings.push("prompt_tokens not reported");
  }
  const output = count(raw, "completion_tokens", warnings);
  if (output === undefined) warnings.push("completion_tokens not reported");
  return {
    usage: {
      input,
      output,
      cacheRead: cached,
      ...splitCacheWrites(cacheWrite, undefined, undefined, warnings, { total: "cache_write_tokens", split: "TTL breakdown" }),
    },
    format: "openai",
    warnings,
  };
}

/**
 * A streamed chat completion's chat.completion.chunk events. The usage comes in one chunk before
 * `data: [DONE]` only when the request set stream_options.include_usage ("All other chunks will
 * also include a usage field, but with a null value"; an interrupted stream may lack it):
 * https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options. That
 * chunk's usage is read as a whole completion's is; without one the usage is unknown, not zero.
 */
export function fromOpenAIStream(events: unknown[]): NormalizedUsage {
  const usage = events.flatMap((event) => (isObject(event) && isObject(event.usage) ? [event.usage] : [])).at(-1);
  if (usage === undefined) {
    // An error the gateway (or OpenAI) streamed instead of the rest: {"error": {"message": ...}}.
    const failure = events.map((event) => (isObject(event) && isObject(event.error) ? text(event.error, "message") : undefined)).find((message) => message !== undefined);
    throw new UsageFormatError(
      "an OpenAI chat-completions stream with no usage chunk" +
        (failure === undefined ? "" : ` (it ended in an error: ${failure})`) +
        ": its usage is unknown, not zero. Send the request with stream_options: {include_usage: true}, which streams the usage in a last chunk before data: [DONE]",
    );
  }
  return { ...fromOpenAIUsage(usage), format: "openai-stream" };
}

/**
 * Recognises which provider a usage document came from: a bare usage object or a whole
 * response (Anthropic Message, Converse response, OpenAI completion), or a list of stream events
 * (Anthropic, Bedrock, or OpenAI chat.completion.chunk).
 */
export function normalizeUsageDocument(document: unknown): NormalizedUsage {
  if (Array.isArray(document)) {
    if (document.some((event) => isObject(event) && event.object === "chat.completion.chunk")) return fromOpenAIStream(document);
    const start = document.find((event) => isObject(event) && event.type === "message_start") as Json | undefined;
    const startMessage = start && isObject(start.message) ? start.message : undefined;
    const deltas = document.filter((event) => isObject(event) && event.type === "message_delta").map((event) => (event as Json).usage);
    const stop = document.find((event) => isObject(event) && isObject(event["amazon-bedrock-invocationMetrics"])) as Json | undefined;
    if (startMessage || deltas.length > 0) return fromAnthropicStream(startMessage?.usage, deltas);
    if (stop) return fromBedrockMetrics(stop["amazon-bedrock-invocationMetrics"]);
    const metadata = document.find((event) => isObject(event) && isObject(event.usage) && "inputTokens" in (event.usage as Json)) as Json | undefined;
    if (metadata) return fromBedrockConverse(metadata.usage);
    throw new UsageFormatError("a list of stream events with no message_start, message_delta, invocation metrics or metadata usage");
  }
  if (!isObject(document)) throw new UsageFormatError("expected a JSON object (a usage object or a whole response)");
  if (isObject(document["amazon-bedrock-invocationMetrics"])) return fromBedrockMetrics(document["amazon-bedrock-invocationMetrics"]);
  if ("inputTokenCount" in document || "outputTokenCount" in document) return fromBedrockMetrics(document);
  if ("prompt_tokens" in document || "completion_tokens" in document) return fromOpenAIUsage(document);
  if ("inputTokens" in document || "outputTokens" in document) return fromBedrockConverse(document);
  if ("input_tokens" in document || "output_tokens" in document || "cache_read_input_tokens" in document) return fromAnthropicUsage(document);
  if (isObject(document.usage)) return normalizeUsageDocument(document.usage);
  throw new UsageFormatError(
    "no usage found: expected an Anthropic usage (input_tokens…), Bedrock Converse usage (inputTokens…), " +
      "Bedrock invocation metrics (inputTokenCount…) or OpenAI usage (prompt_tokens…)",
  );
}

export class UsageFormatError extends Error {
  override readonly name = "UsageFormatError";
}
