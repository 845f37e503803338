/**
 * Resolves the model names a workload file uses (ids, aliases, families) against the catalog,
 * and links provisioned-throughput quotes and self-hosting entries to the segments they may serve.
 * An unknown name is bad input: the issue names the field, its line and the closest known names.
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Model } from "../catalog/model.js";
import { closestKnownText } from "../catalog/suggest-models.js";
import type { ParsedWorkload } from "./workload-file.js";
import type { FileIssue } from "../util/yaml-file.js";
import { didYouMean } from "../util/suggest.js";
import { parseWorkloadChecked, WorkloadError } from "./workload-file.js";
import type { ProvisionedQuote, Segment, SelfHostEntry, Workload } from "./workload.js";

export interface ResolvedQuote {
  quote: ProvisionedQuote;
  model: Model;
}

export interface ResolvedSelfHost {
  entry: SelfHostEntry;
  /** The catalog model when the name is one; self-hosting may also run a model the catalog lacks. */
  model: Model | undefined;
}

export interface ResolvedSegment {
  segment: Segment;
  /** Acceptable catalog models, in the order the file lists them (the first is the user's default). */
  models: Model[];
  /** Cheaper models the user wants to see but has not accepted yet (quality unvalidated). */
  considerModels: Model[];
  tokenCountsFrom: Model | undefined;
  quotes: ResolvedQuote[];
  selfHost: ResolvedSelfHost[];
}

export interface ResolvedWorkload {
  workload: Workload;
  segments: ResolvedSegment[];
}

/**
 * A workload file's text, parsed and resolved against the catalog: the planner's one way in (plan,
 * the dashboard). Every problem found is told at once: those across its fields (a segment name used
 * twice) with its unknown models. YAML and schema problems come alone, as nothing else can be
 * checked before they are fixed.
 */
export function loadWorkload(text: string, file: string, catalog: Catalog): ResolvedWorkload {
  const { parsed, issues } = parseWorkloadChecked(text, file);
  return resolveWorkload(parsed, catalog, issues);
}

/** Resolves the models a parsed workload names; `earlier` are the problems found before, told with these. */
function resolveWorkload(parsed: ParsedWorkload, catalog: Catalog, earlier: FileIssue[]): ResolvedWorkload {
  const { workload, file, lineOf } = parsed;
  const issues = [...earlier];
  const selfHostNames = new Set(workload.selfHost.map((entry) => entry.model));
  const report = (path: (string | number)[], name: string, extra = "") =>
    issues.push({
      file,
      path: path.join("."),
      line: lineOf(path),
      message: `unknown model ${JSON.stringify(name)}${extra}; ${closestKnownText(catalog.suggestModels(name)) ?? "see switchyard catalog list for the models the catalog knows"}`,
    });
  const lookup = (name: string, path: (string | number)[], allowSelfHostOnly: boolean): Model[] => {
    const found = catalog.modelsMatching(name);
    if (found.length === 0 && !(allowSelfHostOnly && selfHostNames.has(name))) {
      report(path, name, allowSelfHostOnly ? " (and no self_host entry runs it)" : "");
    }
    return found;
  };

  // Constraints are matched against the catalog's programmes: a misspelt one would make every
  // deployment infeasible, so it is refused here as the gateway config refuses it.
  const programmes = [...new Set(catalog.offerings.flatMap((offering) => offering.compliance))];
  for (const list of parsed.complianceLists) {
    list.programmes.forEach((programme, index) => {
      const problem = catalog.unknownProgramme(programme);
      const path = [...list.path, index];
      // The programme a letter or two away first ("hipa": hipaa), then the catalog's list.
      if (problem) issues.push({ file, path: path.join("."), line: lineOf(path), message: `${problem}${didYouMean(programme, programmes)}` });
    });
  }

  const quotes: ResolvedQuote[] = [];
  workload.provisioned.forEach((quote, index) => {
    const [model] = lookup(quote.model, ["provisioned_throughput", index, "model"], false);
    if (model) quotes.push({ quote, model });
  });
  const selfHost: ResolvedSelfHost[] = workload.selfHost.map((entry) => ({ entry, model: catalog.modelsMatching(entry.model)[0] }));

  const segments = workload.segments.map((segment, index): ResolvedSegment => {
    const models = unique(segment.models.flatMap((name, position) => lookup(name, ["segments", index, "models", position], true)));
    const considerModels = unique(segment.considerModels.flatMap((name, position) => lookup(name, ["segments", index, "consider_models", position], false))).filter(
      (model) => !models.includes(model),
    );
    const tokenCountsFrom = segment.tokenCountsFrom ? lookup(segment.tokenCountsFrom, ["segments", index, "token_counts_from"], false)[0] : undefined;
    const accepts = (model: Model | undefined, rawName: string) =>
      (model !== undefined && models.includes(model)) || segment.models.includes(rawName);
    return {
      segment,
      models,
      considerModels,
      tokenCountsFrom,
      quotes: quotes.filter(({ quote, model }) => accepts(model, quote.model) && (!quote.segments || quote.segments.includes(segment.name))),
      selfHost: selfHost.filter(({ entry, model }) => accepts(model, entry.model) && (!entry.segments || entry.segments.includes(segment.name))),
    };
  });
  if (issues.length > 0) throw new WorkloadError(issues);
  return { workload, segments };
}

function unique(models: Model[]): Model[] {
  return [...new Set(models)];
}
