/**
 * A routing policy: the constraints a deployment must meet (residency, compliance programmes,
 * AWS-invoice billing) and the objective that orders the ones that do (cheapest, fastest, a
 * weighted mix, or the configured order). Built from the config's defaults, then the key's own
 * settings, then the request's `x-switchyard-route` header — each layer may only narrow the
 * constraints (a request cannot lift its key's residency), and may choose the objective.
 */
import { RESIDENCY_REQUIREMENTS, type ResidencyRequirement } from "../catalog/schema.js";

export const OBJECTIVES = ["cheapest", "fastest", "weighted", "ordered"] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface RoutingPolicy {
  residency: ResidencyRequirement;
  compliance: string[];
  billing: "any" | "aws-invoice";
  objective: Objective;
  /** weighted: score = cost share x cost + latency share x latency (each normalised to the best candidate). */
  weights: { cost: number; latency: number };
}

export interface PolicyLayer {
  residency?: ResidencyRequirement | undefined;
  compliance?: string[] | undefined;
  billing?: "any" | "aws-invoice" | undefined;
  objective?: Objective | undefined;
  weights?: { cost: number; latency: number } | undefined;
}

export class PolicyError extends Error {
  override readonly name = "PolicyError";
}

/** Applies layers in order; a later residency may not contradict an earlier one. */
export function combinePolicy(base: RoutingPolicy, ...layers: (PolicyLayer | undefined)[]): RoutingPolicy {
  let policy = { ...base, compliance: [...base.compliance] };
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.residency && layer.residency !== "any") {
      if (policy.residency !== "any" && policy.residency !== layer.residency) {
        throw new PolicyError(`residency=${layer.residency} conflicts with this key's residency=${policy.residency}`);
      }
      policy.residency = layer.residency;
    }
    if (layer.compliance) policy.compliance = [...new Set([...policy.compliance, ...layer.compliance])];
    if (layer.billing === "aws-invoice") policy.billing = "aws-invoice";
    if (layer.objective) policy = { ...policy, objective: layer.objective };
    if (layer.weights) policy = { ...policy, weights: layer.weights };
  }
  return policy;
}

/**
 * The x-switchyard-route header: `residency=eu; compliance=hipaa,soc2; billing=aws-invoice;
 * objective=fastest; weights=cost:0.7,latency:0.3`.
 */
export function parseRouteHeader(header: string | string[] | undefined): PolicyLayer | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(";") : header;
  const layer: PolicyLayer = {};
  for (const part of text.split(";").map((piece) => piece.trim()).filter(Boolean)) {
    const [name, value = ""] = part.split("=", 2).map((piece) => piece.trim()) as [string, string?];
    switch (name) {
      case "residency":
        if (!(RESIDENCY_REQUIREMENTS as readonly string[]).includes(value)) {
          throw new PolicyError(`x-switchyard-route: residency must be one of ${RESIDENCY_REQUIREMENTS.join(", ")}; got ${JSON.stringify(value)}`);
        }
        layer.residency = value as ResidencyRequirement;
        break;
      case "compliance":
        layer.compliance = value.split(",").map((item) => item.trim()).filter(Boolean);
        break;
      case "billing":
        if (value !== "any" && value !== "aws-invoice") throw new PolicyError(`x-switchyard-route: billing must be any or aws-invoice; got ${JSON.stringify(value)}`);
        layer.billing = value;
        break;
      case "objective":
        if (!(OBJECTIVES as readonly string[]).includes(value)) {
          throw new PolicyError(`x-switchyard-route: objective must be one of ${OBJECTIVES.join(", ")}; got ${JSON.stringify(value)}`);
        }
        layer.objective = value as Objective;
        break;
      case "weights": {
        const weights = { cost: 0, latency: 0 };
        for (const item of value.split(",")) {
          const [key, number] = item.split(":").map((piece) => piece.trim());
          const parsed = Number(number);
          if ((key !== "cost" && key !== "latency") || !Number.isFinite(parsed) || parsed < 0) {
            throw new PolicyError(`x-switchyard-route: weights must look like cost:0.7,latency:0.3; got ${JSON.stringify(value)}`);
          }
          weights[key] = parsed;
        }
        layer.weights = weights;
        layer.objective ??= "weighted";
        break;
      }
      default:
        throw new PolicyError(`x-switchyard-route: unknown setting ${JSON.stringify(name)}; use residency, compliance, billing, objective or weights`);
    }
  }
  return layer;
}
