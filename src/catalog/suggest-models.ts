/**
 * Suggestions for a model name the catalog does not know, shared by price, compare, catalog show
 * and plan. Pure: reads the catalog only.
 */
import type { Catalog } from "./catalog.js";
import type { Model } from "./model.js";
import { editDistance } from "../util/suggest.js";

/** The suggestions as every command says them ("closest known: a, b"); undefined when there are none. */
export function closestKnownText(suggestions: readonly string[]): string | undefined {
  return suggestions.length > 0 ? `closest known: ${suggestions.join(", ")}` : undefined;
}

/**
 * "Did you mean" for a model name the catalog does not know, newest models first:
 * 1. models whose id, alias or family contains the typed word ("haiku" → claude-haiku-5-5, …);
 * 2. models of a family the name mentions ("claude-opus-4-9" → the Opus ids nearest to it);
 * 3. any known id within a few edits of it ("claude-sonet-4-6" → claude-sonnet-4-6).
 * Empty when nothing is close: a far-off name ("nope") gets no suggestion rather than a random one.
 */
export function suggestModels(catalog: Catalog, name: string, count = 3): string[] {
  const word = name.trim().toLowerCase();
  const newest = catalog.models.sort((a, b) => (b.released ?? "").localeCompare(a.released ?? "") || a.id.localeCompare(b.id));
  const namesOf = (model: Model) => {
    const names = [model.id, ...model.aliases, ...Object.values(model.ids).flatMap((ids) => ids ?? [])];
    for (const offering of catalog.offeringsOf(model.id)) names.push(offering.modelId);
    return [...new Set(names)];
  };
  // Each model's known name nearest to the typed one, computed once.
  const nearestByModel = new Map<Model, { name: string; distance: number }>();
  const nearest = (model: Model) => {
    let found = nearestByModel.get(model);
    if (!found) {
      found = namesOf(model)
        .map((known) => ({ name: known, distance: editDistance(word, known.toLowerCase()) }))
        .sort((a, b) => a.distance - b.distance)[0] ?? { name: model.id, distance: Number.POSITIVE_INFINITY };
      nearestByModel.set(model, found);
    }
    return found;
  };
  const picked: string[] = [];
  const pickedModels = new Set<Model>();
  const add = (model: Model, shown: string) => {
    if (picked.length < count && !pickedModels.has(model)) {
      picked.push(shown);
      pickedModels.add(model);
    }
  };
  if (word.length >= 3) {
    for (const model of newest) {
      if ([model.id, model.family, ...model.aliases].some((known) => known.toLowerCase().includes(word))) add(model, model.id);
    }
  }
  const words = new Set(word.split(/[^a-z0-9]+/));
  const sameFamily = newest
    .filter((model) => words.has(/^[a-z]+/.exec(model.family)?.[0] ?? model.family))
    .map((model) => ({ model, ...nearest(model) }))
    .sort((a, b) => a.distance - b.distance);
  for (const { model, name: shown } of sameFamily) add(model, shown);
  const limit = Math.max(2, Math.floor(word.length / 3));
  const close = newest
    .map((model) => ({ model, ...nearest(model) }))
    .filter((entry) => entry.distance <= limit)
    .sort((a, b) => a.distance - b.distance);
  for (const { model, name: shown } of close) add(model, shown);
  return picked;
}
