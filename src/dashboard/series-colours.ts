/**
 * Series colours that follow a name, not its rank: a deployment, provider, model or key has the
 * same colour on every page and for every period, whatever else is shown beside it (by rank,
 * anthropic was blue over 30 days and orange over 7, when bedrock spent more that week).
 */
import type { ResolvedConfig } from "../config/load-gateway-config.js";
import type { ApiKeyRecord } from "../ledger/ledger.js";

export const SERIES_COLOURS = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#dc2626", "#65a30d"];
/** The groups that have no colour of their own ("other"). */
export const OTHER_COLOUR = "#9ca3af";

/** FNV-1a: a name's own number, the same in every process. */
function hashOf(name: string): number {
  let hash = 0x811c9dc5;
  for (const character of name) hash = Math.imul(hash ^ (character.codePointAt(0) as number), 0x01000193) >>> 0;
  return hash;
}

/**
 * A colour for each of `names`. `known` lists names in an order that does not change with the
 * traffic (the config's deployments, the key store's keys by creation): the nth known name wants
 * the nth colour; any other name wants the colour its hash picks. Known names choose first, in
 * their order, then the others by name, and a name whose colour another has taken gets the next
 * free one. So the first eight known names always have their own colours; the rest keep theirs
 * unless a name shown beside them wanted the same.
 */
export function coloursByName(names: readonly string[], known: readonly string[] = []): Map<string, string> {
  const position = new Map(known.map((name, index) => [name, index]));
  const order = [...new Set(names)].sort((a, b) => (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
  const taken = new Set<number>();
  const colours = new Map<string, string>();
  for (const name of order) {
    const wanted = (position.get(name) ?? hashOf(name)) % SERIES_COLOURS.length;
    let slot = wanted;
    for (let step = 0; step < SERIES_COLOURS.length && taken.has(slot); step += 1) slot = (wanted + step + 1) % SERIES_COLOURS.length;
    taken.add(slot);
    colours.set(name, SERIES_COLOURS[slot] as string);
  }
  return colours;
}

/** The config's deployments, in the file's order. */
export function knownDeployments(config: ResolvedConfig): string[] {
  return [...config.deployments.keys()];
}

/** The providers (kinds) and the models of the config's deployments, in the order they first appear. */
export function knownProviders(config: ResolvedConfig): string[] {
  return [...new Set([...config.deployments.values()].map((deployment) => deployment.provider.kind))];
}

export function knownModels(config: ResolvedConfig): string[] {
  return [...new Set([...config.deployments.values()].map((deployment) => deployment.model.id))];
}

/** Key ids in the order the keys were created. */
export function knownKeys(keys: Iterable<ApiKeyRecord>): string[] {
  return [...keys].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1)).map((key) => key.id);
}
