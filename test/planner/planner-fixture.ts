/** Shared by the planner tests: the engine's fixture catalog plus the planner's extra fixture files. */
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Catalog } from "../../src/catalog/catalog.js";
import { loadCatalog } from "../../src/catalog/files.js";
import type { Option } from "../../src/planner/option.js";
import { plan, type Plan } from "../../src/planner/plan.js";
import { loadWorkload } from "../../src/planner/workload-models.js";
import { FIXTURE_CATALOG, REPO_ROOT } from "../helpers/paths.js";

export const PLANNER_FIXTURES = resolve(REPO_ROOT, "test/fixtures/planner");
export const PLANNER_CATALOG_FILES = readdirSync(resolve(PLANNER_FIXTURES, "catalog"))
  .sort()
  .map((file) => resolve(PLANNER_FIXTURES, "catalog", file));

let cached: Catalog | undefined;
export function plannerCatalog(): Catalog {
  cached ??= loadCatalog({ directory: FIXTURE_CATALOG, extraFiles: PLANNER_CATALOG_FILES });
  return cached;
}

export const AT = "2026-11-22";

/**
 * The provisioned-throughput quote the planner tests price Sonnet 4.6 against: $20 per MU-hour,
 * 100,000 input and 10,000 output tokens per minute per MU, on Bedrock's global route. `more`:
 * further lines of the entry (each indented four spaces), e.g. "    segments: [a]\n".
 */
export function sonnetQuote(name: string, more = ""): string {
  return `provisioned_throughput:
  - name: ${name}
    model: claude-sonnet-4-6
    route: global
    term: 1-month
    usd_per_mu_hour: 20
    input_tokens_per_minute_per_mu: 100000
    output_tokens_per_minute_per_mu: 10000
${more}`;
}

export function planYaml(yaml: string, at = AT): Plan {
  const catalog = plannerCatalog();
  return plan(catalog, loadWorkload(yaml, "test.yaml", catalog), { at });
}

/** The option of segment `segment` on provider/route/model (on-demand unless `kind` says otherwise). */
export function optionOf(planned: Plan, provider: string, route: string, model: string, kind = "on-demand", segment?: string): Option {
  const options = planned.segments.flatMap((entry) => entry.options);
  const found = options.find(
    (option) =>
      option.provider === provider && option.route === route && option.model === model && option.kind === kind && (segment === undefined || option.segment === segment),
  );
  if (!found) throw new Error(`no option ${provider}/${route}/${model} ${kind}; have: ${options.map((option) => option.id).join(", ")}`);
  return found;
}

export function lever(option: Option, kind: string) {
  const found = option.levers.find((candidate) => candidate.lever === kind);
  if (!found) throw new Error(`${option.id} has no ${kind} lever; has ${option.levers.map((candidate) => candidate.lever).join(", ")}`);
  return found;
}
