/**
 * Levers that compare deployments of one segment, rather than settings of one deployment:
 * global vs regional routes and what residency costs, model tiering (with the tokenizer factor),
 * provisioned throughput, self-hosting, and Claude Platform on AWS billing.
 */
import { Decimal } from "../pricing/decimal.js";
import { formatUsd, type Money } from "../pricing/money.js";
import { breakEvenClause } from "./break-even.js";
import { dollars } from "./money-text.js";
import type { Lever, Option } from "./option.js";
import { cheapest, onDemandOptions } from "./segment-options.js";
import { routeText as where, type SegmentContext } from "./on-demand-option.js";
import { describeResidency } from "./feasibility.js";

const usd = (amount: Money) => dollars(amount);

function percentOf(part: Money, whole: Money): string {
  if (whole === 0n) return "0";
  return Decimal.fromBigInt(part * 100n).div(Decimal.fromBigInt(whole), 1).toString();
}

/** Fails nothing but the checks named. */
function failsOnly(option: Option, names: string[]): boolean {
  const failed = option.checks.filter((check) => !check.ok);
  return failed.length > 0 && failed.every((check) => names.includes(check.check)) && option.monthly !== undefined;
}

export function segmentLevers(context: SegmentContext, options: Option[], recommended: Option | undefined): Lever[] {
  const levers: Lever[] = [];
  const { segment } = context.resolved;
  if (!recommended || recommended.monthly === undefined) return levers;
  const current = recommended.monthly;

  // Global vs regional: the same provider and model on its other routes.
  if (recommended.kind === "on-demand") {
    const siblings = options.filter(
      (option) => option.kind === "on-demand" && option !== recommended && option.provider === recommended.provider && option.model === recommended.model && option.monthly !== undefined,
    );
    const regional = cheapest(siblings.filter((option) => option.residency !== "global"));
    const global = cheapest(siblings.filter((option) => option.residency === "global"));
    if (recommended.residency === "global" && regional?.monthly !== undefined) {
      levers.push({
        lever: "global_vs_regional",
        title: `the global route saves ${usd(regional.monthly - current)}/month over ${where(regional)} (${percentOf(regional.monthly - current, regional.monthly)}% of it)`,
        applied: true,
        saving: regional.monthly - current,
        preconditions: ["requests may be processed in any region the provider chooses"],
        formula: "saving = regional route's monthly cost - global route's monthly cost (regional = 1.1x global for Claude 4.5+ on Bedrock and Vertex; inference_geo us = 1.1x on the Claude API for 4.6+)",
        detail: { global_option: recommended.id, regional_option: regional.id },
      });
    } else if (recommended.residency !== "global" && global?.monthly !== undefined && segment.constraints.residency === "any") {
      levers.push({
        lever: "global_vs_regional",
        title: `moving to ${where(global)} would save ${usd(current - global.monthly)}/month`,
        applied: false,
        saving: current - global.monthly,
        preconditions: ["requests may be processed in any region", ...global.reasons],
        formula: "saving = this route's monthly cost - the global route's",
        detail: { global_option: global.id },
      });
    }
  }

  // What residency costs: the cheapest option that fails only residency.
  if (segment.constraints.residency !== "any") {
    const unconstrained = cheapest(options.filter((option) => failsOnly(option, ["residency"])));
    if (unconstrained?.monthly !== undefined && unconstrained.monthly < current) {
      levers.push({
        lever: "residency_cost",
        title: `keeping data in ${describeResidency(segment.constraints.residency)} costs ${usd(current - unconstrained.monthly)}/month more than ${where(unconstrained)} (${unconstrained.model})`,
        applied: false,
        saving: current - unconstrained.monthly,
        preconditions: [`drop residency: ${segment.constraints.residency} for this segment (only if its data may leave)`],
        formula: "saving = recommended cost under the residency requirement - cheapest cost without it",
        detail: { without_residency_option: unconstrained.id },
      });
    }
  }

  levers.push(...tieringLevers(context, options, recommended));

  // The recommended option's own lever is already in the list; the others are compared with it.
  for (const option of options.filter((candidate) => candidate.kind !== "on-demand" && candidate.monthly !== undefined && candidate !== recommended)) {
    const own = option.levers.find((lever) => lever.lever === "provisioned_throughput" || lever.lever === "self_host");
    if (!own) continue;
    levers.push({
      ...own,
      title: `${option.label}: ${usd(option.monthly as Money)}/month vs ${usd(current)} recommended` + (option.feasible ? "" : ` (not feasible: ${option.reasons[0]})`) +
        (own.breakEven ? breakEvenClause(own.breakEven) : ""),
      applied: false,
      saving: current - (option.monthly as Money),
      detail: { ...own.detail, option: option.id },
    });
  }

  // The same model both ways (Haiku on the platform against Llama on Bedrock compares models, not
  // ways to pay): the recommended model's pair when it has one, else the cheapest platform option's.
  const eligible = (option: Option, provider: string) =>
    option.provider === provider && option.kind === "on-demand" && option.monthly !== undefined && (option.feasible || failsOnly(option, ["residency", "ttft"]));
  const pairOf = (model: string) => {
    const onPlatform = cheapest(options.filter((option) => option.model === model && eligible(option, "claude-platform-aws")));
    const onBedrock = cheapest(options.filter((option) => option.model === model && eligible(option, "bedrock")));
    return onPlatform && onBedrock ? { platform: onPlatform, bedrock: onBedrock } : undefined;
  };
  const cheapestOnPlatform = cheapest(options.filter((option) => eligible(option, "claude-platform-aws")));
  const pair = pairOf(recommended.model) ?? (cheapestOnPlatform ? pairOf(cheapestOnPlatform.model) : undefined);
  const platform = pair?.platform;
  const bedrock = pair?.bedrock;
  if (platform?.monthly !== undefined && bedrock?.monthly !== undefined) {
    levers.push({
      lever: "claude_platform_aws",
      title: `${platform.model} on Claude Platform on AWS (${platform.route}) ${usd(platform.monthly)}/month vs on Bedrock (${bedrock.route}) ${usd(bedrock.monthly)}/month, both on the AWS invoice`,
      applied: recommended.provider === "claude-platform-aws",
      saving: bedrock.monthly - platform.monthly,
      preconditions: [
        "an Anthropic offer through AWS Marketplace (billed in CCUs at $0.01)",
        "your Anthropic discount applies before conversion to CCUs; an AWS discount does not reduce the CCU price",
        ...(platform.feasible ? [] : platform.reasons),
      ],
      formula: "CCUs = (Anthropic rates x tokens, less the Anthropic discount) / $0.01; compared with Bedrock at AWS rates less the AWS discount",
      detail: { platform_option: platform.id, bedrock_option: bedrock.id, platform_ccu: Decimal.fromBigInt(platform.monthly, 18).div(Decimal.parse("0.01"), 6).toString() },
    });
  }
  return levers;
}

function tieringLevers(context: SegmentContext, options: Option[], recommended: Option): Lever[] {
  const levers: Lever[] = [];
  const { models, considerModels } = context.resolved;
  const current = recommended.monthly as Money;
  const bestOf = (modelId: string, pool: Option[]) => cheapest(pool.filter((option) => option.model === modelId && option.feasible));
  const tokenizerDetail = (option: Option) => ({
    tokenizer_factor: option.tokens?.tokenizerFactor.toString() ?? "1",
    tokenizer_note: option.tokens?.tokenizerNote ?? null,
  });
  const first = models[0];
  if (first && first.id !== recommended.model) {
    const firstBest = bestOf(first.id, options);
    if (firstBest?.monthly !== undefined) {
      levers.push({
        lever: "model_tiering",
        title: `${recommended.model} instead of ${first.id} (both accepted) saves ${usd(firstBest.monthly - current)}/month`,
        applied: true,
        saving: firstBest.monthly - current,
        preconditions: [`${recommended.model} is listed as acceptable for this segment`],
        formula: "saving = cheapest feasible cost on the first-listed model - cheapest feasible cost on the recommended model (each with its own tokenizer)",
        detail: {
          from_option: firstBest.id,
          to_option: recommended.id,
          from_tokenizer_factor: firstBest.tokens?.tokenizerFactor.toString() ?? "1",
          from_tokenizer_note: firstBest.tokens?.tokenizerNote ?? null,
          ...tokenizerDetail(recommended),
        },
      });
    }
  }
  for (const model of models.filter((candidate) => candidate.id !== recommended.model && candidate !== first)) {
    const best = bestOf(model.id, options);
    if (best?.monthly === undefined) continue;
    levers.push({
      lever: "model_tiering",
      title: `${model.id} (accepted) would cost ${usd(best.monthly)}/month, ${usd(best.monthly - current)} more`,
      applied: false,
      saving: current - best.monthly,
      preconditions: [],
      formula: "saving = recommended cost - cheapest feasible cost on this model",
      detail: { option: best.id, ...tokenizerDetail(best) },
    });
  }
  if (considerModels.length > 0) {
    const candidates = onDemandOptions(context, considerModels);
    for (const model of considerModels) {
      const best = bestOf(model.id, candidates);
      if (best?.monthly === undefined) {
        levers.push({
          lever: "model_tiering",
          title: `${model.id} has no feasible deployment for this segment`,
          applied: false,
          saving: undefined,
          preconditions: candidates.filter((option) => option.model === model.id).flatMap((option) => option.reasons).slice(0, 3),
          formula: "saving = recommended cost - cheapest feasible cost on the candidate model",
          detail: {},
        });
        continue;
      }
      levers.push({
        lever: "model_tiering",
        title: `try ${model.id}: ${usd(best.monthly)}/month on ${where(best)} (${usd(current >= best.monthly ? current - best.monthly : best.monthly - current)} ${current >= best.monthly ? "less" : "more"})`,
        applied: false,
        saving: current - best.monthly,
        preconditions: [`validate ${model.id}'s output quality on this segment, then add it to models:`],
        formula: "saving = recommended cost - cheapest feasible cost on the candidate model (each with its own tokenizer)",
        detail: { option: best.id, monthly_usd: formatUsd(best.monthly), ...tokenizerDetail(best) },
      });
    }
  }
  return levers;
}
