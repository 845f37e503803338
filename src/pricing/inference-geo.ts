/**
 * The offering a usage was billed at. The Claude API and Claude Platform on AWS may run a request
 * in the US though none was asked for (a workspace's default inference_geo), and say so in the
 * usage (`inference_geo: "us"`); what ran is what is billed, as with `speed`. The same provider and
 * model's "us" route is then the price (1.1x on Claude 4.6 and later). Without one in the catalog
 * the asked-for route's rates are a lower bound with no known upper one.
 */
import type { Offering } from "../catalog/model.js";
import { takesInferenceGeo } from "../catalog/schema.js";
import type { Usage } from "./usage.js";

export interface Billed {
  offering: Offering;
  /** False when the usage ran somewhere the catalog has no price for: the total is a lower bound. */
  exact: boolean;
  warning?: string;
}

/** @param usRoute finds the catalog's "us" offering of `asked`'s provider and model (called only when the usage ran there). */
export function billedOffering(asked: Offering, usage: Usage, usRoute: () => Offering | undefined): Billed {
  if (usage.inferenceGeo !== "us" || asked.route === "us" || !takesInferenceGeo(asked.provider)) return { offering: asked, exact: true };
  const us = usRoute();
  if (us) return { offering: us, exact: true, warning: `the usage says inference_geo "us" ran (a workspace default?): priced at the us route's rates (${us.key})` };
  return {
    offering: asked,
    exact: false,
    warning: `the usage says inference_geo "us" ran (a workspace default?) but the catalog has no "us" route of ${asked.model.id} to price it: priced at ${asked.route} rates, a lower bound`,
  };
}
