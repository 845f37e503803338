/**
 * Can this deployment serve this segment? Each check either passes (with its evidence) or fails
 * with a sentence that says what is wrong and what to change. Unknowns are warnings, not passes
 * in disguise: the report shows them.
 */
import { contextWindow, windowSource, type RunsOn } from "../pricing/request-limits.js";
import { residencyMeets, type BetaInfo, type Capabilities, type LatencyData, type ProviderId } from "../catalog/schema.js";
import type { Check } from "./option.js";
import type { RequestTokens } from "./request-tokens.js";
import type { Feature, Segment } from "./workload.js";

export interface DeploymentFacts {
  provider: ProviderId | "self-host";
  /** e.g. "bedrock/global" */
  label: string;
  model: string;
  residency: string;
  compliance: string[];
  billing: string;
  /** undefined when nothing is known about the model (a self-hosted model outside the catalog). */
  capabilities: Capabilities | undefined;
  latency: LatencyData[];
  /** A self-hosted deployment's own declared p99 TTFT. */
  declaredTtftP99Ms: number | undefined;
  caching: boolean;
  batch: boolean;
  webSearch: boolean;
}

const RESIDENCY_WORDS: Record<string, string> = {
  global: "any region worldwide",
  us: "the United States",
  govcloud: "AWS GovCloud (US)",
  eu: "the European Union",
  jp: "Japan",
  au: "Australia",
  apac: "Asia Pacific",
  ca: "Canada",
  sa: "South America",
  other: "a region outside the named areas",
  unknown: "an undeclared location",
};

export function describeResidency(residency: string): string {
  return RESIDENCY_WORDS[residency] ?? residency;
}

const FEATURE_WORDS: Record<Feature, string> = {
  caching: "prompt caching",
  batch: "batch inference",
  context_1m: "a 1M-token context window",
  tools: "tool use",
  vision: "image input",
  web_search: "the web search tool",
  extended_thinking: "extended thinking",
};

export interface CheckResult {
  checks: Check[];
  warnings: string[];
}

/** `at` (YYYY-MM-DD): the day planned for; what a provider serves can change with it (the context-1m beta, as the catalog's `betas` date it). */
export function checkDeployment(facts: DeploymentFacts, segment: Segment, tokens: RequestTokens | undefined, at: string, betas: ReadonlyMap<string, BetaInfo>): CheckResult {
  const runsOn: RunsOn = { provider: facts.provider, at, betas };
  const checks: Check[] = [];
  const warnings: string[] = [];
  const { constraints } = segment;
  const where = `${facts.label} (${facts.model})`;

  if (constraints.providers !== "any") {
    const ok = constraints.providers.includes(facts.provider);
    checks.push({
      check: "provider",
      ok,
      message: ok
        ? `${facts.provider} is an allowed provider`
        : `${facts.provider} is not in constraints.providers (${constraints.providers.join(", ")}); add it there to consider this deployment`,
    });
  }

  const residencyOk = residencyMeets(constraints.residency, facts.residency);
  checks.push({
    check: "residency",
    ok: residencyOk,
    message: residencyOk
      ? `data stays in ${describeResidency(facts.residency)}${constraints.residency === "any" ? "" : ` (required: ${constraints.residency})`}`
      : `${where} may process data in ${describeResidency(facts.residency)}, but residency ${constraints.residency} is required`,
  });

  const missing = constraints.compliance.filter((programme) => !facts.compliance.includes(programme));
  if (constraints.compliance.length > 0) {
    checks.push({
      check: "compliance",
      ok: missing.length === 0,
      message:
        missing.length === 0
          ? `covers ${constraints.compliance.join(", ")}`
          : `${where} is not listed for ${missing.join(", ")} (it lists: ${facts.compliance.join(", ") || "none"}); ` +
            "pick a deployment that lists it, or add the evidence to the catalog with --catalog",
    });
  }

  if (constraints.billing !== "any") {
    const ok = facts.billing === constraints.billing;
    const how = facts.billing === "anthropic" ? "billed by Anthropic" : facts.billing === "other" ? "billed outside a cloud invoice" : `billed as ${facts.billing}`;
    checks.push({
      check: "billing",
      ok,
      message: ok
        ? `billed on the ${constraints.billing === "aws-invoice" ? "AWS" : "Google Cloud"} invoice`
        : `${where} is ${how}, not on the ${constraints.billing === "aws-invoice" ? "AWS" : "Google Cloud"} invoice; ` +
          (constraints.billing === "aws-invoice" ? "Bedrock and Claude Platform on AWS bill through AWS" : "Vertex AI bills through Google Cloud"),
    });
  }

  const unsupported: string[] = [];
  for (const feature of segment.requires) {
    const supported = featureSupported(feature, facts, runsOn);
    if (supported === false) unsupported.push(FEATURE_WORDS[feature]);
    if (supported === undefined) warnings.push(`the catalog does not say whether ${where} supports ${FEATURE_WORDS[feature]}; verify before relying on it`);
  }
  if (segment.requires.length > 0) {
    checks.push({
      check: "features",
      ok: unsupported.length === 0,
      message:
        unsupported.length === 0
          ? `supports ${segment.requires.map((feature) => FEATURE_WORDS[feature]).join(", ")}`
          : `${where} does not offer ${unsupported.join(", ")}, which the segment requires; drop it from requires: or pick another deployment`,
    });
  }

  if (tokens && facts.capabilities) {
    // The window price and compare check against too: 1M where and when the context-1m beta gives it.
    const window = contextWindow(facts.capabilities, runsOn);
    const maxOutput = facts.capabilities.max_output_tokens;
    const problems: string[] = [];
    if (window !== undefined && tokens.largestInput + tokens.largestOutput > window.tokens) {
      problems.push(`the largest request (${tokens.largestInput} input + ${tokens.largestOutput} output tokens) exceeds the ${window.tokens}-token context window${windowSource(window, runsOn)}`);
    }
    if (maxOutput !== undefined && tokens.largestOutput > maxOutput) {
      problems.push(`${tokens.largestOutput} output tokens exceed the model's ${maxOutput}-token output limit`);
    }
    if (window !== undefined || maxOutput !== undefined) {
      checks.push({
        check: "context_window",
        ok: problems.length === 0,
        message: problems.length === 0 ? `the largest request fits the context window${window ? ` (${window.tokens} tokens${window.viaBeta ? ", with the context-1m beta" : ""})` : ""}` : `${problems.join("; ")}; split the request or pick a larger-context model`,
      });
    }
  }

  const slo = constraints.ttftP99Ms;
  if (slo !== null && segment.latency === "realtime") checks.push(...ttftCheck(facts, slo, constraints.unknownLatency, warnings));
  return { checks, warnings };
}

function featureSupported(feature: Feature, facts: DeploymentFacts, runsOn: RunsOn): boolean | undefined {
  const capabilities = facts.capabilities;
  switch (feature) {
    case "caching":
      return facts.caching;
    case "batch":
      return facts.batch;
    case "web_search":
      return facts.webSearch;
    case "context_1m": {
      if (!capabilities) return undefined;
      const window = contextWindow(capabilities, runsOn);
      if (window !== undefined) return window.tokens >= 1_000_000;
      return capabilities.context_1m;
    }
    case "tools":
    case "vision":
    case "extended_thinking":
      return capabilities?.[feature];
  }
}

function ttftCheck(facts: DeploymentFacts, slo: number, unknown: "allow" | "reject", warnings: string[]): Check[] {
  if (facts.declaredTtftP99Ms !== undefined) {
    const ok = facts.declaredTtftP99Ms <= slo;
    return [
      {
        check: "ttft",
        ok,
        message: ok
          ? `declared p99 TTFT ${facts.declaredTtftP99Ms} ms <= ${slo} ms (your self_host entry)`
          : `declared p99 TTFT ${facts.declaredTtftP99Ms} ms exceeds the ${slo} ms SLO (your self_host entry); add replicas or relax ttft_p99_ms`,
      },
    ];
  }
  if (facts.latency.length === 0) {
    const message = `no TTFT measurement in the catalog for ${facts.label} (${facts.model}); the ${slo} ms p99 SLO cannot be confirmed — measure it and add latency: with --catalog`;
    if (unknown === "reject") return [{ check: "ttft", ok: false, message }];
    warnings.push(message);
    return [];
  }
  // The worst measurement decides: an SLO is a promise about the bad days.
  const worst = facts.latency.reduce((slowest, entry) => (entry.ttft_p99_ms > slowest.ttft_p99_ms ? entry : slowest));
  const source = `${worst.source.url}${worst.source.verified ? "" : ", unverified"}; ${worst.conditions}`;
  const ok = worst.ttft_p99_ms <= slo;
  return [
    {
      check: "ttft",
      ok,
      message: ok
        ? `p99 TTFT ${worst.ttft_p99_ms} ms <= ${slo} ms (source: ${source})`
        : `p99 TTFT ${worst.ttft_p99_ms} ms exceeds the ${slo} ms SLO (source: ${source}); pick a faster route, use provisioned throughput, or relax ttft_p99_ms`,
    },
  ];
}
