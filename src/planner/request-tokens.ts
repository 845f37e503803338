/**
 * The tokens one request of a segment carries on a given model: the file's counts converted to
 * that model's tokenizer, plus the tool-use system prompt when tools are sent.
 *
 * Claude 4.7 and later use a newer tokenizer that emits about 30% more tokens for the same text
 * (the catalog's `tokenizer.tokens_per_reference_token`, with its source). Counts in a workload
 * are in reference (pre-4.7 Claude) tokens unless `token_counts_from` names the model that
 * measured them. Each converted count is rounded half-even to a whole token.
 */
import type { Source } from "../catalog/schema.js";
import { Decimal } from "../pricing/decimal.js";
import { Rational } from "./rational.js";
import { toolOverhead } from "./tool-overhead.js";
import type { Segment } from "./workload.js";

export interface RequestTokens {
  /** Uncached input per request. */
  input: number;
  /** Cacheable prefix per request (0 when none). */
  prefix: number;
  output: number;
  /** Output at the file's p90 (the high estimate); equals output when no p90 was given. */
  outputP90: number;
  /** Largest request: input + prefix at max (or p90, or mean), for the context window. */
  largestInput: number;
  largestOutput: number;
  /** Target tokens per source token (1 when both tokenizers are the reference one). */
  tokenizerFactor: Decimal;
  tokenizerNote: string | undefined;
  toolOverheadTokens: number;
  notes: string[];
}

/** What the conversion needs to know about a model (a catalog Model has it; a self-hosted one may not). */
export interface TokenizedModel {
  id: string;
  vendor: string;
  tokenizerFactor: Decimal | undefined;
  tokenizerSource: Source | undefined;
}

function factorOf(model: TokenizedModel | undefined): Decimal {
  return model?.tokenizerFactor ?? Decimal.ONE;
}

export function requestTokens(segment: Segment, model: TokenizedModel, tokenCountsFrom: TokenizedModel | undefined): RequestTokens {
  const notes: string[] = [];
  const ratio = Rational.fromDecimal(factorOf(model)).div(Rational.fromDecimal(factorOf(tokenCountsFrom)));
  const convert = (count: number) => Number(ratio.mul(count).roundHalfEven());
  const tokenizerFactor = ratio.toDecimal(6);
  let tokenizerNote: string | undefined;
  if (!tokenizerFactor.equals(Decimal.ONE)) {
    const source = model.tokenizerSource ?? tokenCountsFrom?.tokenizerSource;
    tokenizerNote =
      `${model.id} emits ${tokenizerFactor.toString()}x the tokens of ${tokenCountsFrom?.id ?? "a pre-4.7 Claude tokenizer"} for the same text` +
      (source ? ` (source: ${source.url}${source.title ? `, ${source.title}` : ""})` : "");
    notes.push(tokenizerNote);
  } else if (model.vendor !== "anthropic" && model.tokenizerFactor === undefined) {
    notes.push(`${model.id} has its own tokenizer; the catalog gives no conversion factor, so the counts are used as given`);
  }

  let input = convert(segment.input.mean);
  let prefix = convert(segment.cachedPrefixTokens);
  let toolOverheadTokens = 0;
  if (segment.toolChoice !== undefined) {
    const overhead = toolOverhead(model.id);
    if (overhead) {
      toolOverheadTokens = segment.toolChoice === "auto" || segment.toolChoice === "none" ? overhead.auto : overhead.any;
      notes.push(`tool use adds ${toolOverheadTokens} system-prompt tokens per request on ${model.id} (tool_choice ${segment.toolChoice}; ${overhead.source})`);
      // The tool-use system prompt sits before the tools and system prompt, so it is part of a cached prefix.
      if (prefix > 0) prefix += toolOverheadTokens;
      else input += toolOverheadTokens;
    } else {
      notes.push(`the tool-use system prompt size of ${model.id} is not known; include it in input_tokens if it matters`);
    }
  }
  const output = convert(segment.output.mean);
  const largestInput = convert(segment.input.max ?? segment.input.p90 ?? segment.input.mean) + prefix + (prefix > 0 ? 0 : toolOverheadTokens);
  return {
    input,
    prefix,
    output,
    outputP90: convert(segment.output.p90 ?? segment.output.mean),
    largestInput,
    largestOutput: convert(segment.output.max ?? segment.output.p90 ?? segment.output.mean),
    tokenizerFactor,
    tokenizerNote,
    toolOverheadTokens,
    notes,
  };
}
